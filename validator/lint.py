"""``lint()``: drives sources -> events -> session, adds locations, keeps statistics.

Each record takes one of two roads to the same findings. The fast road (``fastroad.scan``)
reads canonical records in place and only ever accepts; at the first doubt a record takes the
slow road: strict parse, schema, audio checks, session rules, locations. JSONL inputs are read
a block at a time and scanned whole (``Linter.run_stream``); the records of other sources one
by one (``Linter.run``). ``tests/test_lint.py`` and ``tests/test_fuzz.py`` hold the roads equal.
"""

from __future__ import annotations

import io
import os
import time
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import replace
from itertools import chain, islice
from typing import IO, Any, BinaryIO, NamedTuple, cast

from .audio import MAX_AUDIO_BYTES, decoded_size
from .event_types import APPEND, APPEND_TYPES, EVENT_TYPES
from .events import check_object, not_an_object
from .fastroad import Appends, Checked, Flagged, Item, Prepared, Quiets, Slow, scan
from .formats import normalize_format
from .locate import Places
from .parse import MISSING, Parsed, parse_record, strip_bom
from .place import keys_of, place, position
from .rules import RULES
from .session import Session
from .sources.base import DEFAULT_MAX_RECORD_BYTES, Record
from .sources.detect import opened, records_of
from .sources.jsonl import line_blocks, read_jsonl, too_large
from .statistics import Statistics
from .violation import Violation, capped

RecordsAt = Callable[[int, int, int, int], Iterable[Record]]
"""``records_at(start, end, count, line)``: the records of the ``count`` lines in
``[start, end)``, numbered from ``line``."""


class Options(NamedTuple):  # not a dataclass: making one costs a millisecond of start-up
    """How to lint: which rules, which limits, the starting audio format."""

    audio_format: str = "pcm16"
    max_audio_bytes: int = MAX_AUDIO_BYTES
    max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES
    enabled: frozenset[str] = frozenset(RULES)
    fast: bool = True  # False: every record takes the slow road (the differential tests' twin)


class LintResult(Iterator[Violation]):
    """The findings of a lint run, lazily: a one-pass iterator (the input is read as it is
    iterated; ``list(result)`` keeps them). ``statistics`` is complete once it is exhausted,
    and counts what was read when iteration stops early or a read fails."""

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
        self.finished = False

    # -- the fast road --------------------------------------------------------------------

    def take(self, item: Item, line: int) -> bool:
        """Account for one scanned record (not ``Slow``) on ``line`` and return True, or
        return False where the session objects to it (and it must take the slow road)."""
        kind = type(item)
        if kind is Appends:
            return self.take_appends(cast(Appends, item), line)
        if kind is Flagged:
            one = cast(Flagged, item)
            if not self.session.take_flagged(one.event_id, one.nbytes, one.flags, line):
                return False
            self.fast_appends += 1
            self.fast_bytes += one.nbytes
            return True
        if kind is Quiets and cast(Quiets, item).lines == 1:
            quiet = cast(Quiets, item)
            return self.accept_quiet(quiet.types[0], quiet.ids[0], line)
        return False

    def accept_quiet(self, event_type: str, event_id: str | None, line: int) -> bool:
        """Account for a quiet record; False where the session objects (RT401, RT402, RT405)."""
        if not self.session.take_quiet(event_type, event_id, line):
            return False
        self.stats.events_by_type[event_type] += 1
        return True

    def take_appends(self, run: Appends, line: int) -> bool:
        """Account for a run of scanned appends starting on ``line`` at once, or return False
        (no change) where the session objects (RT402 somewhere: taken line by line)."""
        if not self.session.take_appends(
            run.ids, run.lines, run.total, run.smallest, run.largest, line
        ):
            return False
        self.fast_appends += run.lines
        self.fast_bytes += run.total
        return True

    def replay(
        self, items: Iterable[Item], line: int, records_at: RecordsAt
    ) -> Generator[Violation, None, int]:
        """Yield the findings of scanned ``items`` in order; ``line`` is the first one's number.

        What the session refuses, and every ``Slow`` item, takes the slow road: its record
        comes from ``records_at``. Returns the number of the line after the last.
        """
        fast = self.options.fast
        one = self._one if fast else self.slow
        for item in items:
            kind = type(item)
            if kind is Appends:
                run = cast(Appends, item)
                if fast and self.take_appends(run, line):
                    self._read(run.lines, run.end - run.start)
                    line += run.lines
                    continue
                for record in records_at(run.start, run.end, run.lines, line):
                    yield from one(record)
                line += run.lines
                continue
            if kind is Quiets:
                yield from self._replay_quiets(cast(Quiets, item), line, records_at)
                line += cast(Quiets, item).lines
                continue
            if kind is Flagged and fast and self.take(item, line):
                self._read(1, item.end - item.start)
                line += 1
                continue
            if kind is Checked:
                yield from self._replay_checked(cast(Checked, item), line, records_at)
                line += len(cast(Checked, item).records)
                continue
            lines = cast(Slow, item).lines if kind is Slow else 1
            for record in records_at(item.start, item.end, lines, line):
                found = self.slow(record)
                if found:
                    yield from found
            line += lines
        return line

    def _replay_quiets(self, run: Quiets, line: int, records_at: RecordsAt) -> Iterator[Violation]:
        """Take a run of quiet records one by one; a refused one takes the slow road."""
        accept = self.accept_quiet if self.options.fast else _refuse_quiet
        records: Iterator[Record] | None = None  # the run's records, read at the first refusal
        read = accepted = refused_bytes = 0
        for index, (event_type, event_id) in enumerate(zip(run.types, run.ids, strict=True)):
            if accept(event_type, event_id, line + index):
                accepted += 1
                continue
            if records is None:
                records = iter(records_at(run.start, run.end, run.lines, line))
            record = next(islice(records, index - read, None))  # past the accepted ones
            read = index + 1
            refused_bytes += len(record.data)  # slow() counts them
            found = self.slow(record)
            if found:
                yield from found
        self._read(accepted, run.end - run.start - refused_bytes)

    def _replay_checked(
        self, run: Checked, line: int, records_at: RecordsAt
    ) -> Iterator[Violation]:
        """Conclude each prepared append; one judged in another format than pcm16 (a session
        changed it) takes the whole slow road, read again."""
        records = run.records
        for index, prepared in enumerate(records):
            if self.options.fast and self.session.format_for(prepared.event_type) == "pcm16":
                found = self.conclude(prepared, line + index)
            else:
                end = records[index + 1].start if index + 1 < len(records) else run.end
                (record,) = records_at(prepared.start, end, 1, line + index)
                found = self.slow(record)
            if found:
                yield from found

    def prepare(self, data: bytes | bytearray, start: int) -> Prepared | None:
        """Return the stateless half of the slow road for the line ``data`` at offset ``start``
        (in a ``--jobs`` worker): the findings of an append judged in pcm16, placed within
        the line; None where the line is anything else (a first line with a BOM does not
        parse here: ``slow`` strips it).

        ``conclude`` adds the session's half; together they are ``slow`` on that line.
        """
        body = bytes(data)
        if body.endswith(b"\n"):
            body = body[:-2] if body.endswith(b"\r\n") else body[:-1]
        if len(body) > self.options.max_record_bytes or not body.strip():
            return None  # RT105, or a blank line
        parsed = parse_record(body)
        value = parsed.value
        if type(value) is not dict:
            return None
        event_type = value.get("type")
        if type(event_type) is not str or event_type not in APPEND_TYPES:
            return None
        audio_bytes = _audio_bytes(value)
        found = examine(parsed, "pcm16", self.max_audio_bytes)
        record = Record(1, 0, body)
        text = parsed.text
        places = Places(text, keys_of(found, "event_id")) if text is not None else None
        placed = [place(v, places, record, value, self.source) for v in found]
        eid = value.get("event_id")
        event_id = eid if isinstance(eid, str) else None
        id_at = None
        if event_id is not None:  # where RT402 would point
            at = place(
                Violation("RT402", "", pointer="/event_id"), places, record, value, self.source
            )
            id_at = ((at.line or 1) - 1, at.column or 1)
        return Prepared(
            start,
            len(data),
            event_type,
            event_id,
            audio_bytes,
            [
                (v.rule, v.message, v.pointer, (v.line or 1) - 1, v.column or 1, v.offset)
                for v in placed
            ],
            id_at,
        )

    def conclude(self, prepared: Prepared, line: int) -> list[Violation]:
        """Return the selected findings of a prepared append on ``line``, counting it and
        applying it to the session: what ``slow`` returns for that line in pcm16."""
        self._read(1, prepared.size)
        event_type, event_id, audio_bytes = prepared[2:5]
        self._count_event(event_type, audio_bytes)
        source = self.source
        found = [
            Violation(
                rule, message, pointer, source, line + within, column, event_id, event_type, offset
            )
            for rule, message, pointer, within, column, offset in prepared.found
        ]
        own = {rule for rule, *_ in prepared.found}
        for v in self.session.append(event_type, event_id, audio_bytes, line, own):  # RT402
            within, column = prepared.id_at or (0, 1)
            found.append(
                replace(
                    v,
                    source=source,
                    line=line + within,
                    column=column,
                    event_id=event_id,
                    event_type=event_type,
                )
            )
        return self._selected(found)

    def _one(self, record: Record) -> list[Violation]:
        data = record.data
        if record.problem is None and type(data) is bytes:
            items = scan(data, 0, len(data), self.max_audio_bytes, self.options.max_record_bytes)
            if len(items) == 1:
                item = items[0]
                if self.take(item, record.line):
                    self._read(1, len(data))
                    return []
                if type(item) is Appends and record.column == 0:
                    # a canonical append that the session refused: its event_id was used
                    # before (RT402) and that is its only finding; no need to parse it again
                    return self.conclude(_repeated(item, data), record.line)
        return self.slow(record)

    def run_stream(self, stream: io.BufferedReader) -> Iterator[Violation]:
        """Yield the findings of a JSONL stream in order, scanning it a block at a time."""
        limit = self.options.max_record_bytes
        max_audio = self.max_audio_bytes
        line = 1
        try:
            for block in line_blocks(stream, limit):
                if type(block) is int:
                    found = self.slow(too_large(line, block, limit))
                    line += 1
                    if found:
                        yield from found
                    continue
                data, stop = cast(tuple[bytearray, int], block)
                items = scan(data, 0, stop, max_audio, limit)
                line = yield from self.replay(items, line, _records_in(data, limit))
        finally:  # a read failing halfway leaves the statistics of what was read
            self.finish()

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
        places = Places(parsed.text, frozenset()) if parsed.text is not None else None
        if parsed.value is MISSING:
            return [place(v, places, record, None, self.source) for v in parsed.violations]
        value = parsed.value
        if not isinstance(value, dict):
            found = [*parsed.violations, not_an_object(value)]
            return [place(v, places, record, None, self.source) for v in found]
        event_type = value.get("type")
        audio_bytes = None
        if isinstance(event_type, str):
            if event_type in APPEND_TYPES:
                audio_bytes = _audio_bytes(value)
            self._count_event(event_type, audio_bytes)
        fmt = self.session.format_for(event_type) if isinstance(event_type, str) else "pcm16"
        found = examine(parsed, fmt, self.max_audio_bytes)
        own = {v.rule for v in found}
        found.extend(self.session.observe(value, record.line, audio_bytes, own))
        if places is not None:
            places.keys = keys_of(found)
        for index, v in enumerate(found):  # in place: each unplaced finding is freed at once
            found[index] = place(v, places, record, value, self.source)
        return found

    def _count_event(self, event_type: str, audio_bytes: int | None) -> None:
        """Count a slow-road event by type, and an append with its audio."""
        stats = self.stats
        stats.events_by_type[event_type if event_type in EVENT_TYPES else "<unknown>"] += 1
        if event_type in APPEND_TYPES:
            stats.append_events += 1
            if audio_bytes is not None:
                stats.audio_bytes += audio_bytes

    # -- one input ------------------------------------------------------------------------

    def run(self, records: Iterable[Record]) -> Iterator[Violation]:
        """Yield the selected findings of ``records`` in order, counting everything read."""
        one = self._one if self.options.fast else self.slow
        try:
            for record in records:
                found = one(record)
                if found:
                    yield from found
        finally:  # a read failing halfway leaves the statistics of what was read
            self.finish()

    def slow(self, record: Record) -> list[Violation]:
        """Return the selected findings of a record that the fast road did not accept."""
        data = record.data
        size = len(data) if record.problem is None else record.size
        if record.line == 1 and record.column == 0:
            if isinstance(data, bytes) and data.startswith(b"\xef\xbb\xbf"):
                record = record._replace(data=data[3:])
                data = record.data
            elif isinstance(data, str) and data.startswith("\ufeff"):
                record = record._replace(data=strip_bom(data))
                data = record.data
        if record.problem is None and not data.strip():
            self._read(0, size, blank=True)
            return []
        self._read(1, size)
        if isinstance(data, bytes) and data.endswith(b"\n"):
            record = record._replace(data=data[:-2] if data.endswith(b"\r\n") else data[:-1])
        return self._selected(self.check_record(record))

    def _read(self, records: int, nbytes: int, blank: bool = False) -> None:
        """Count what was read: ``records`` records (or one blank line) of ``nbytes`` bytes.
        The one place that counts them, so that the statistics hold at any failure point."""
        stats = self.stats
        stats.records += records
        stats.bytes += nbytes
        if blank:
            stats.blank_lines += 1

    def _selected(self, found: list[Violation]) -> list[Violation]:
        """Return a record's findings of the enabled rules, in place order, counted."""
        enabled = self.options.enabled
        found = [v for v in found if v.rule in enabled]
        if found:
            found.sort(key=position)
            stats = self.stats
            stats.records_with_findings += 1
            for v in found:
                stats.findings_by_rule[v.rule] += 1
        return found

    def finish(self) -> None:
        """Add what the fast road and the session counted to the statistics (once)."""
        if self.finished:
            return
        self.finished = True
        stats = self.stats
        if self.fast_appends:
            stats.events_by_type[APPEND] += self.fast_appends
        stats.append_events += self.fast_appends
        stats.audio_bytes += self.fast_bytes
        session = self.session
        stats.server_errors += session.server_errors
        stats.server_errors_predicted += session.server_errors_predicted
        span = session.chunk_range_ms()
        stats.add_audio(
            session.seconds_by_format,
            span[0] if span else None,
            span[1] if span else None,
            session.largest_bytes,
        )


def examine(parsed: Parsed, audio_format: str, max_audio_bytes: int) -> list[Violation]:
    """Return the findings of a parsed event object of its own, capped per rule before they
    are placed (a hostile record may hold millions): the slow road's stateless check, shared
    by this process (``check_record``) and a ``--jobs`` worker (``Linter.prepare``)."""
    return capped(
        chain(
            parsed.violations,
            check_object(parsed.value, audio_format=audio_format, max_audio_bytes=max_audio_bytes),
        ),
        {"RT104": parsed.more},
    )


def _audio_bytes(event: dict[str, Any]) -> int | None:
    """Return the decoded size of an append's audio string, None without one."""
    audio = event.get("audio")
    return decoded_size(audio) if isinstance(audio, str) else None


def _repeated(append: Appends, line: bytes) -> Prepared:
    """Return a canonical append whose event_id the session refused, as ``conclude`` takes
    it: no finding of its own, and RT402 at its event_id string."""
    key = line.find(b'"event_id"')
    quote = line.index(b'"', key + len(b'"event_id"'))  # past ':' and a space at most
    event_id = append.ids[0] if append.ids else None
    # start 0: only a Checked run's fallback reads it, and this line is never in one
    return Prepared(0, len(line), APPEND, event_id, append.total, [], (0, quote + 1))


def _records_in(data: bytes | bytearray, max_record_bytes: int) -> RecordsAt:
    def records_at(start: int, end: int, count: int, line: int) -> Iterable[Record]:
        # a copy of those lines: data is the reader's buffer, filled again after this block
        return read_jsonl(io.BytesIO(data[start:end]), max_record_bytes, line)

    return records_at


def _refuse_quiet(event_type: str, event_id: str | None, line: int) -> bool:
    return False


def _options(
    audio_format: str,
    max_audio_bytes: int,
    max_record_bytes: int,
    select: Iterable[str] | str | None,
    ignore: Iterable[str] | str | None,
) -> Options:
    from .rules import select_rules

    return Options(
        audio_format=normalize_format(audio_format),
        max_audio_bytes=max_audio_bytes,
        max_record_bytes=max_record_bytes,
        enabled=select_rules(_codes(select, "select"), _codes(ignore, "ignore")),
    )


def _codes(given: Iterable[str] | str | None, name: str) -> tuple[str, ...]:
    """Return ``select``/``ignore`` as codes, as the command line reads them: a string is one
    list ("RT301", "RT3,RT4"); raise ValueError for one that names nothing or no rule."""
    from .rules import unknown_patterns

    if given is None:
        return ()
    items = [given] if isinstance(given, str) else list(given)
    if not all(isinstance(item, str) for item in items):
        raise TypeError(f"lint(): {name} takes rule codes as strings, not {items!r}")
    codes = tuple(p.strip() for item in items for p in item.split(",") if p.strip())
    if items and not codes:
        raise ValueError(f"lint(): {name}={given!r} names no rule")
    bad = unknown_patterns(codes)
    if bad:
        raise ValueError(f"lint(): {name}: no rule matches {', '.join(map(repr, bad))}")
    return codes


def _line_records(lines: Iterable[str | bytes]) -> Iterator[Record]:
    for number, line in enumerate(lines, 1):
        if isinstance(line, str):
            yield Record(number, 0, line.encode("utf-8", "surrogatepass"))
        elif isinstance(line, (bytes, bytearray)):
            yield Record(number, 0, bytes(line))
        else:
            raise TypeError(
                f"lint(): line {number:,} of the iterable is {type(line).__name__}, not str or "
                "bytes; give lines of JSON text (one event a line)"
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


def lint_stream(
    stream: BinaryIO,
    name: str,
    options: Options,
    statistics: Statistics,
    event_pointer: str | None = None,
) -> Iterator[Violation]:
    """Yield the findings of one open binary input of any kind (one session).

    JSONL is read a block at a time and scanned whole; other inputs, and records wrapped in
    another object (``event_pointer``), are read record by record. Reading errors as for
    ``sources.detect.opened``.
    """
    statistics.files += 1
    started = time.perf_counter()
    linter = Linter(options, statistics, name)
    try:
        with opened(stream, name) as (kind, reader):
            if kind == "lines" and event_pointer is None and options.fast:
                yield from linter.run_stream(reader)
                return
            records: Iterable[Record] = records_of(kind, reader, options.max_record_bytes)
            if event_pointer is not None:
                from .sources.wrapped import unwrap

                records = unwrap(records, event_pointer)
            yield from linter.run(records)
    finally:
        statistics.seconds += time.perf_counter() - started


Source = str | os.PathLike[str] | IO[bytes] | IO[str] | Iterable[str | bytes]
"""What ``lint`` reads: a path (a directory is walked), a file object, or lines."""


def lint(
    source: Source | bytes,
    *,
    audio_format: str = "pcm16",
    max_audio_bytes: int = MAX_AUDIO_BYTES,
    max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES,
    select: Iterable[str] | str | None = None,
    ignore: Iterable[str] | str | None = None,
    event_pointer: str | None = None,
) -> LintResult:
    """Return the findings of a path, binary or text file object, or iterable of lines.

    Iterating yields Violations in file order; ``result.statistics`` holds the counts (records,
    events by type, append events, seconds of audio, bytes) once iteration has ended.
    ``event_pointer`` (e.g. "/event") reads the event inside each wrapping record.
    """
    source = _checked(source)
    options = _options(audio_format, max_audio_bytes, max_record_bytes, select, ignore)
    if event_pointer is not None and not event_pointer.startswith("/"):
        raise ValueError(f"event_pointer {event_pointer!r} is not a JSON pointer ('/event')")
    stats = Statistics()
    return LintResult(_lint_source(source, options, stats, event_pointer), stats)


def _checked(source: object) -> Source:
    """Return ``source`` as ``lint`` reads it (a bytes path decoded); raise TypeError for
    anything it cannot read, at the call rather than at the first finding."""
    if isinstance(source, (bytes, bytearray)):
        head = bytes(source[:64]).lstrip()
        if b"\n" in source or head[:1] in (b"{", b"["):
            raise TypeError(
                "lint() takes a path, a file object or an iterable of lines, and these bytes "
                "look like JSON text: pass io.BytesIO(data), or validate_event() for one event"
            )
        return os.fsdecode(bytes(source))  # a path in bytes, as open() takes it
    if isinstance(source, (str, os.PathLike)) or hasattr(source, "read"):
        return cast(Source, source)
    if not hasattr(source, "__iter__"):
        raise TypeError(
            "lint() takes a path, a file object or an iterable of lines, not "
            f"{type(source).__name__}"
        )
    return cast(Source, source)


def _lint_source(
    source: str | os.PathLike[str] | IO[bytes] | IO[str] | Iterable[str | bytes],
    options: Options,
    stats: Statistics,
    event_pointer: str | None,
) -> Iterator[Violation]:
    if isinstance(source, (str, os.PathLike)):
        name = os.fspath(source)
        if os.path.isdir(name):  # as on the command line: each file its own session
            from .sources.walk import walk_paths

            for path in walk_paths([name]):
                with open(path, "rb", buffering=1 << 20) as stream:
                    yield from lint_stream(stream, path, options, stats, event_pointer)
            return
        with open(name, "rb", buffering=1 << 20) as stream:
            yield from lint_stream(stream, name, options, stats, event_pointer)
        return

    given = getattr(source, "name", None)
    display = given if isinstance(given, str) else "<stream>"
    buffer = getattr(source, "buffer", None)
    if buffer is not None and hasattr(source, "encoding"):
        source = buffer  # a text file: read its bytes
    if hasattr(source, "readline") and hasattr(source, "read"):
        probe = source.read(0)
        if isinstance(probe, bytes):
            yield from lint_stream(cast(BinaryIO, source), display, options, stats, event_pointer)
            return
    records: Iterable[Record] = _line_records(cast(Iterable[str | bytes], source))
    if event_pointer is not None:
        from .sources.wrapped import unwrap

        records = unwrap(records, event_pointer)
    yield from lint_records(records, options, stats, display)
