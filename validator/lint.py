"""``lint()``: drives sources -> events -> session, adds locations, keeps statistics.

Each record takes one of two roads to the same findings. The fast road reads a canonical
append line (``{"type":"input_audio_buffer.append","event_id":"…","audio":"…"}``, compact or
with ``json.dumps``' default spacing, ``event_id`` first, second or absent) without building
Python objects: it matches the envelope, validates the base64 in place with pybase64's SIMD
decoder and accounts for the audio. It only ever accepts; at the first doubt (escapes, other
keys, bad base64, any finding at all) the record takes the slow road: strict parse, schema,
audio checks, session rules, locations. ``tests/test_differential.py`` holds the two equal.
"""

from __future__ import annotations

import binascii
import os
import re
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import IO, Any, BinaryIO, cast

import pybase64

from .audio import (
    CANONICAL_BEFORE_1,
    CANONICAL_BEFORE_2,
    FLOAT32_WINDOW,
    MAX_AUDIO_BYTES,
    decoded_size,
)
from .audio_content import CONTENT_WINDOW, looks_like_float32, sniff_container
from .event_types import APPEND, APPEND_TYPES, CLIENT_EVENT_TYPES, EVENT_TYPES
from .events import check_object, json_type
from .formats import normalize_format
from .locate import key_offsets, line_col, skip_ws, string_char_offset, value_offset
from .parse import MISSING, parse_record, strip_bom
from .rules import RULES
from .session import BUFFER_RESETS, COMMIT, SESSION_EVENTS, Session
from .sources.base import DEFAULT_MAX_RECORD_BYTES, Record
from .sources.detect import records as read_records
from .violation import Violation

_SAFE_ID = rb"[\x20\x21\x23-\x5b\x5d-\x7e]{0,512}"
_FAST_APPEND_RE = re.compile(
    rb'\{(?:"event_id": ?"(' + _SAFE_ID + rb')", ?)?'
    rb'"type": ?"input_audio_buffer\.append", ?'
    rb'(?:"event_id": ?"(' + _SAFE_ID + rb')", ?)?'
    rb'"audio": ?"'
)
_FAST_APPEND = _FAST_APPEND_RE.match
_APPEND_START = b'{"type":"input_audio_buffer.append"'
_PLAIN_STRING = rb'"[\x20\x21\x23-\x5b\x5d-\x7e]*"'  # a JSON string without escapes
_INDEX = rb"(?:0|[1-9][0-9]{0,8})"
_AUDIO_DELTA = re.compile(
    rb'\{"type": ?"(response\.(?:output_)?audio\.delta)", ?"event_id": ?'
    + _PLAIN_STRING
    + rb', ?"response_id": ?'
    + _PLAIN_STRING
    + rb', ?"item_id": ?'
    + _PLAIN_STRING
    + rb', ?"output_index": ?'
    + _INDEX
    + rb', ?"content_index": ?'
    + _INDEX
    + rb', ?"delta": ?"'
).match
_B64_ERRORS = (binascii.Error, ValueError)
_b64decode = pybase64.b64decode
_CANONICAL_2 = frozenset(CANONICAL_BEFORE_2.encode())  # as byte values, for the raw line
_CANONICAL_1 = frozenset(CANONICAL_BEFORE_1.encode())


@dataclass
class Statistics:
    """What a lint run read and found."""

    files: int = 0
    records: int = 0
    blank_lines: int = 0
    bytes: int = 0
    events_by_type: Counter[str] = field(default_factory=Counter)
    append_events: int = 0
    audio_bytes: int = 0
    audio_seconds_by_format: dict[str, float] = field(default_factory=dict)
    shortest_chunk_ms: float | None = None
    longest_chunk_ms: float | None = None
    largest_append_bytes: int = 0
    records_with_findings: int = 0
    findings_by_rule: Counter[str] = field(default_factory=Counter)
    unreadable: list[str] = field(default_factory=list)
    seconds: float = 0.0
    by_file: dict[str, Statistics] = field(default_factory=dict)

    @property
    def audio_seconds(self) -> float:
        """Return the seconds of audio appended, all formats together."""
        return sum(self.audio_seconds_by_format.values())

    @property
    def findings(self) -> int:
        """Return the number of findings reported."""
        return sum(self.findings_by_rule.values())

    def merge(self, other: Statistics) -> None:
        """Add another run's counts to these."""
        self.files += other.files
        self.records += other.records
        self.blank_lines += other.blank_lines
        self.bytes += other.bytes
        self.events_by_type.update(other.events_by_type)
        self.append_events += other.append_events
        self.audio_bytes += other.audio_bytes
        self.add_audio(
            other.audio_seconds_by_format,
            other.shortest_chunk_ms,
            other.longest_chunk_ms,
            other.largest_append_bytes,
        )
        self.records_with_findings += other.records_with_findings
        self.findings_by_rule.update(other.findings_by_rule)
        self.unreadable.extend(other.unreadable)
        self.seconds += other.seconds

    def add_audio(
        self,
        seconds_by_format: dict[str, float],
        shortest_ms: float | None,
        longest_ms: float | None,
        largest_bytes: int,
    ) -> None:
        """Add one session's audio: seconds per format, chunk duration range, largest append."""
        for fmt, seconds in seconds_by_format.items():
            self.audio_seconds_by_format[fmt] = self.audio_seconds_by_format.get(fmt, 0.0) + seconds
        if shortest_ms is not None and (
            self.shortest_chunk_ms is None or shortest_ms < self.shortest_chunk_ms
        ):
            self.shortest_chunk_ms = shortest_ms
        if longest_ms is not None and (
            self.longest_chunk_ms is None or longest_ms > self.longest_chunk_ms
        ):
            self.longest_chunk_ms = longest_ms
        self.largest_append_bytes = max(self.largest_append_bytes, largest_bytes)

    def to_dict(self) -> dict[str, Any]:
        """Return the statistics as the JSON object the json format writes."""
        result = self._counts()
        if self.by_file:
            result["by_file"] = {name: s._counts() for name, s in self.by_file.items()}
        return result

    def _counts(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "records": self.records,
            "blank_lines": self.blank_lines,
            "bytes": self.bytes,
            "events_by_type": dict(sorted(self.events_by_type.items())),
            "append_events": self.append_events,
            "audio_bytes": self.audio_bytes,
            "audio_seconds": round(self.audio_seconds, 3),
            "audio_seconds_by_format": {
                k: round(v, 3) for k, v in sorted(self.audio_seconds_by_format.items())
            },
            "shortest_chunk_ms": _round(self.shortest_chunk_ms),
            "longest_chunk_ms": _round(self.longest_chunk_ms),
            "largest_append_bytes": self.largest_append_bytes,
            "records_with_findings": self.records_with_findings,
            "findings": self.findings,
            "findings_by_rule": dict(sorted(self.findings_by_rule.items())),
            "unreadable": list(self.unreadable),
            "seconds": round(self.seconds, 3),
        }


@dataclass(frozen=True)
class Options:
    """How to lint: which rules, which limits, the starting audio format."""

    audio_format: str = "pcm16"
    max_audio_bytes: int = MAX_AUDIO_BYTES
    max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES
    enabled: frozenset[str] = frozenset(RULES)
    fast: bool = True  # False: every record takes the slow road (the differential tests' twin)


class LintResult(Iterator[Violation]):
    """The findings of a lint run, lazily; ``statistics`` is complete once it is exhausted."""

    def __init__(self, findings: Iterator[Violation], statistics: Statistics) -> None:
        self._findings = findings
        self.statistics = statistics

    def __iter__(self) -> LintResult:
        return self

    def __next__(self) -> Violation:
        return next(self._findings)


class Linter:
    """Lints the records of one input, carrying the session state from record to record."""

    def __init__(self, options: Options, statistics: Statistics, source: str | None) -> None:
        self.options = options
        self.stats = statistics
        self.source = source
        self.session = Session(options.audio_format)
        self.max_audio_bytes = options.max_audio_bytes
        self.fast_appends = 0  # counted here, added to the statistics at the end
        self.fast_bytes = 0

    # -- the fast road --------------------------------------------------------------------

    def fast_append(self, line: bytes) -> bool:
        """Account for ``line`` and return True if it is a record with no finding for sure.

        A canonical append (``scan_append``), or an event that can only be RT402 and is not
        (``scan_quiet``); anything else is for the slow road.
        """
        scanned = scan_append(line, self.max_audio_bytes)
        if scanned is not None:
            raw_id, nbytes, flags = scanned
            return self.accept(None if raw_id is None else raw_id.decode("ascii"), nbytes, flags)
        if line[:2] == b'{"' and not line.startswith(_APPEND_START):
            quiet = scan_quiet(line)
            return quiet is not None and self.accept_quiet(*quiet)
        return False

    def accept_quiet(self, event_type: str, event_id: str | None) -> bool:
        """Account for a record ``scan_quiet`` passed; False where its event_id was used."""
        if event_id is not None:
            ids = self.session.event_ids
            if event_id in ids:
                return False  # RT402
            ids.add(event_id)
        self.stats.events_by_type[event_type] += 1
        return True

    def accept(self, event_id: str | None, nbytes: int, flags: int) -> bool:
        """Account for a scanned append and return True, or False where the state objects."""
        session = self.session
        if flags and session.audio_format == "pcm16":
            return False  # RT306 or RT308
        if event_id is not None and event_id in session.event_ids:
            return False  # RT402
        session.add_append(APPEND, event_id, nbytes)
        self.fast_appends += 1
        self.fast_bytes += nbytes
        return True

    # -- the slow road --------------------------------------------------------------------

    def check_record(self, record: Record) -> list[Violation]:
        """Return the located findings of one record (all rules, before selection)."""
        if record.problem is not None:
            return [
                replace(
                    record.problem,
                    source=self.source,
                    line=record.line,
                    column=record.column + 1,
                    pointer=record.problem.pointer or record.pointer,
                )
            ]
        parsed = parse_record(record.data)
        text = parsed.text
        if parsed.value is MISSING:
            return [self._locate(v, text, record, None) for v in parsed.violations]
        value = parsed.value
        found = list(parsed.violations)
        if not isinstance(value, dict):
            found.append(
                Violation(
                    "RT103",
                    f"the record is {json_type(value)}, not a JSON "
                    "object; every Realtime event is an object with a 'type'",
                )
            )
            return [self._locate(v, text, record, None) for v in found]
        event_type = value.get("type")
        audio_bytes = None
        if isinstance(event_type, str):
            self.stats.events_by_type[event_type if event_type in EVENT_TYPES else "<unknown>"] += 1
            audio = value.get("audio")
            if event_type in APPEND_TYPES:
                self.stats.append_events += 1
                if isinstance(audio, str):
                    audio_bytes = decoded_size(audio)
                    self.stats.audio_bytes += audio_bytes
        fmt = self.session.format_for(event_type) if isinstance(event_type, str) else "pcm16"
        found.extend(
            check_object(value, audio_format=fmt, max_audio_bytes=self.options.max_audio_bytes)
        )
        found.extend(self.session.observe(value, audio_bytes))
        return [self._locate(v, text, record, value) for v in found]

    def _locate(self, v: Violation, text: str | None, record: Record, value: Any) -> Violation:
        offset = _offset(v, text)
        line, column = record.line, record.column
        if offset is not None and text is not None:
            dl, dc = line_col(text, offset)
            line += dl
            column = dc if dl else column + dc
        event_id = event_type = None
        if isinstance(value, dict):
            eid, etype = value.get("event_id"), value.get("type")
            event_id = eid if isinstance(eid, str) else None
            event_type = etype if isinstance(etype, str) else None
        return replace(
            v,
            source=self.source,
            line=line,
            column=column + 1,
            event_id=event_id,
            event_type=event_type,
            offset=v.offset,
        )

    # -- one input ------------------------------------------------------------------------

    def run(self, records: Iterable[Record]) -> Iterator[Violation]:
        """Yield the selected findings of ``records`` in order, counting everything read."""
        fast = self.fast_append if self.options.fast else _never
        stats = self.stats
        for record in records:
            data = record.data
            if record.problem is None and type(data) is bytes and fast(data):
                stats.records += 1
                stats.bytes += len(data)
                continue
            found = self.slow(record)
            if found:
                yield from found
        self.finish()

    def slow(self, record: Record) -> list[Violation]:
        """Return the selected findings of a record that the fast road did not accept."""
        stats = self.stats
        data = record.data
        stats.bytes += len(data) if record.problem is None else record.size
        if record.line == 1 and record.column == 0:
            if isinstance(data, bytes) and data.startswith(b"\xef\xbb\xbf"):
                record = record._replace(data=data[3:])
                data = record.data
            elif isinstance(data, str) and data.startswith("\ufeff"):
                record = record._replace(data=strip_bom(data))
                data = record.data
        if record.problem is None and not data.strip():
            stats.blank_lines += 1
            return []
        stats.records += 1
        if isinstance(data, bytes) and data.endswith(b"\n"):
            record = record._replace(data=data[:-2] if data.endswith(b"\r\n") else data[:-1])
        enabled = self.options.enabled
        found = [v for v in self.check_record(record) if v.rule in enabled]
        if found:
            found.sort(key=_position)
            stats.records_with_findings += 1
            for v in found:
                stats.findings_by_rule[v.rule] += 1
        return found

    def finish(self) -> None:
        """Add what the fast road and the session counted to the statistics."""
        stats = self.stats
        if self.fast_appends:
            stats.events_by_type[APPEND] += self.fast_appends
        stats.append_events += self.fast_appends
        stats.audio_bytes += self.fast_bytes
        session = self.session
        span = session.chunk_range_ms()
        stats.add_audio(
            session.seconds_by_format,
            span[0] if span else None,
            span[1] if span else None,
            session.largest_bytes,
        )


# Events whose only effect on the session is their event_id: everything else (appends, buffer
# commits and clears, session updates) takes the slow road so that the state moves there.
_STATEFUL = APPEND_TYPES | SESSION_EVENTS | BUFFER_RESETS | {COMMIT}


def scan_quiet(line: bytes) -> tuple[str, str | None] | None:
    """Return (type, client event_id or None) of a record that can have no finding but RT402.

    The stateless half of the slow road for the other events of a capture (server events,
    response.create, ...): strict UTF-8 and JSON, a known type that does not move the session.
    ``Linter.accept_quiet`` applies the duplicate-id check; None means "take the slow road".
    """
    if line.endswith(b"\n"):
        line = line[:-2] if line.endswith(b"\r\n") else line[:-1]
    if not line or line[0] != 123:  # "{": blank lines, a BOM, arrays take the slow road
        return None
    m = _AUDIO_DELTA(line)
    if m is not None and line.endswith(b'"}') and len(line) - 2 >= m.end():
        # the server's audio, as the server writes it: base64 has no quote, backslash or
        # control character, so valid base64 makes the whole line valid JSON, keys distinct
        try:
            _b64decode(memoryview(line)[m.end() : len(line) - 2], validate=True)
        except _B64_ERRORS:
            pass
        else:
            return m.group(1).decode("ascii"), None
    parsed = parse_record(line)
    value = parsed.value
    if parsed.violations or type(value) is not dict:
        return None
    event_type = value.get("type")
    if type(event_type) is not str or event_type not in EVENT_TYPES or event_type in _STATEFUL:
        return None
    event_id = value.get("event_id")
    if type(event_id) is str and event_type in CLIENT_EVENT_TYPES:
        return event_type, event_id
    return event_type, None


def scan_append(line: bytes, max_audio_bytes: int) -> tuple[bytes | None, int, int] | None:
    """Return (raw event_id, decoded size, flags) of a canonical append line, else None.

    The stateless half of the fast road: the envelope, strict base64, canonical padding, the
    size limit and the container check. ``flags`` is 1 for an odd size and 2 for float32-like
    bytes, which matter only when the session's format is pcm16 (``Linter.accept`` decides).
    """
    m = _FAST_APPEND(line)
    if m is None:
        return None
    first, second = m.group(1, 2)
    if first is not None and second is not None:
        return None  # event_id twice: RT104 on the slow road
    end = len(line)
    if line[end - 1] == 10:  # "\n", or "\r\n"
        end -= 2 if line[end - 2] == 13 else 1
    end -= 2
    start = m.end()
    if end <= start or not line.startswith(b'"}', end):
        return None  # RT305 (empty), or more after the audio string
    try:
        decoded = _b64decode(memoryview(line)[start:end], validate=True)
    except _B64_ERRORS:
        return None
    # valid base64 is whole groups of four with '=' only at the end: the size is arithmetic,
    # and the last data character must leave the unused bits zero (RT303)
    nbytes = (end - start) // 4 * 3
    if line[end - 1] == 61:
        if line[end - 2] == 61:
            nbytes -= 2
            if line[end - 3] not in _CANONICAL_2:
                return None
        else:
            nbytes -= 1
            if line[end - 2] not in _CANONICAL_1:
                return None
    if nbytes > max_audio_bytes:
        return None
    if sniff_container(decoded[:CONTENT_WINDOW]) is not None:
        return None  # RT307
    flags = nbytes & 1
    if looks_like_float32(decoded[:FLOAT32_WINDOW]):
        flags |= 2
    return (first if first is not None else second), nbytes, flags


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _never(line: bytes) -> bool:
    return False


def _position(v: Violation) -> tuple[int, int]:
    return (v.line or 0, v.column or 0)


def _offset(v: Violation, text: str | None) -> int | None:
    """Return the character offset in the record's text where ``v`` points."""
    if text is None:
        return v.offset
    if v.pointer == "":
        return v.offset if v.offset is not None else skip_ws(text, 0)
    if v.rule in ("RT104", "RT203"):
        parent, _, token = v.pointer.rpartition("/")
        key = token.replace("~1", "/").replace("~0", "~")
        keys = key_offsets(text, parent, key)
        if keys:
            return keys[1] if v.rule == "RT104" and len(keys) > 1 else keys[0]
        return skip_ws(text, 0)
    at = value_offset(text, v.pointer)
    if at is None:
        return skip_ws(text, 0)
    if v.offset is not None and at < len(text) and text[at] == '"':
        return string_char_offset(text, at, v.offset)
    return at


def _options(
    audio_format: str,
    max_audio_bytes: int,
    max_record_bytes: int,
    select: Iterable[str] | None,
    ignore: Iterable[str] | None,
) -> Options:
    from .rules import select_rules

    return Options(
        audio_format=normalize_format(audio_format),
        max_audio_bytes=max_audio_bytes,
        max_record_bytes=max_record_bytes,
        enabled=select_rules(tuple(select or ()), tuple(ignore or ())),
    )


def _line_records(lines: Iterable[str | bytes]) -> Iterator[Record]:
    for number, line in enumerate(lines, 1):
        yield Record(
            number, 0, line.encode("utf-8", "surrogatepass") if isinstance(line, str) else line
        )


def lint_records(
    records: Iterable[Record], options: Options, statistics: Statistics, source: str | None
) -> Iterator[Violation]:
    """Yield the findings of already-read records of one input (one session)."""
    statistics.files += 1
    started = time.perf_counter()
    try:
        yield from Linter(options, statistics, source).run(records)
    finally:
        statistics.seconds += time.perf_counter() - started


def lint(
    source: str | os.PathLike[str] | IO[bytes] | IO[str] | Iterable[str | bytes],
    *,
    audio_format: str = "pcm16",
    max_audio_bytes: int = MAX_AUDIO_BYTES,
    max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES,
    select: Iterable[str] | None = None,
    ignore: Iterable[str] | None = None,
    event_pointer: str | None = None,
) -> LintResult:
    """Return the findings of a path, binary or text file object, or iterable of lines.

    Iterating yields Violations in file order; ``result.statistics`` holds the counts (records,
    events by type, append events, seconds of audio, bytes) once iteration has ended.
    ``event_pointer`` (e.g. "/event") reads the event inside each wrapping record.
    """
    options = _options(audio_format, max_audio_bytes, max_record_bytes, select, ignore)
    if event_pointer is not None and not event_pointer.startswith("/"):
        raise ValueError(f"event_pointer {event_pointer!r} is not a JSON pointer ('/event')")
    stats = Statistics()
    return LintResult(_lint_source(source, options, stats, event_pointer), stats)


def _lint_source(
    source: str | os.PathLike[str] | IO[bytes] | IO[str] | Iterable[str | bytes],
    options: Options,
    stats: Statistics,
    event_pointer: str | None,
) -> Iterator[Violation]:
    def wrapped(records: Iterable[Record]) -> Iterable[Record]:
        if event_pointer is None:
            return records
        from .sources.wrapped import unwrap

        return unwrap(records, event_pointer)

    if isinstance(source, (str, os.PathLike)):
        name = os.fspath(source)
        with open(name, "rb", buffering=1 << 20) as stream:
            records = read_records(stream, name, options.max_record_bytes)
            yield from lint_records(wrapped(records), options, stats, name)
        return
    given = getattr(source, "name", None)
    display = given if isinstance(given, str) else "<stream>"
    buffer = getattr(source, "buffer", None)
    if buffer is not None and hasattr(source, "encoding"):
        source = buffer  # a text file: read its bytes
    if hasattr(source, "readline") and hasattr(source, "read"):
        probe = source.read(0)
        if isinstance(probe, bytes):
            binary = cast(BinaryIO, source)
            records = read_records(binary, display, options.max_record_bytes)
            yield from lint_records(wrapped(records), options, stats, display)
            return
    lines = cast(Iterable[str | bytes], source)
    yield from lint_records(wrapped(_line_records(lines)), options, stats, display)
