"""One writer per source kind: an input's bytes in, the same bytes with the fixed events out.

Every reader yields its records with their offsets (``Record.offset``); each event's text is
fixed (``event.fix_text``) and put back where it was: a JSONL line's text between its start
and its line ending, a JSON document's element in place, a HAR message through the exact map
of its ``data`` string's escapes (``escapes.Escaped``); nothing else of the input changes.
Gzip inputs are inflated, fixed and compressed again. The records go through the linter's
session as they are fixed (``SlowRoad.slow``), so that RT402 and the session's format see what
the fixed input holds. ``write_atomic`` writes a file beside the input and renames it.
"""

from __future__ import annotations

import binascii
import gzip
import io
import os
import stat
import zlib
from collections import Counter
from collections.abc import Callable
from typing import NamedTuple, cast

import pybase64

from ..check.parse import parse_record
from ..core.event_types import APPEND_TYPES
from ..core.jsontext import Places, scan_string
from ..core.media import GZIP_LAYERS, GZIP_MAGIC
from ..core.record import Record
from ..core.statistics import Statistics
from ..engine.driver import Linter
from ..engine.options import Options
from ..engine.session import KEPT_KEYS
from ..sources.detect import InputKind, input_kind, opened, records_of
from ..sources.inputs import reason
from .atomic import Replacement
from .edits import Edit, apply, string_token, token_span
from .escapes import Escaped
from .event import MAX_PASSES, EventFix, Fix, fix_text
from .ids import FreshIds
from .session_audio import SESSION_FIXES, Chain, Key, chains

_BOM = b"\xef\xbb\xbf"
# A gzip input is fixed in memory, inflated whole: one that inflates further is refused (a
# 2 GB bomb took 3.9 GB); the linter itself streams it, whatever its size.
MAX_INFLATED_BYTES = 1 << 30
MAX_INFLATED_WORDS = "1 GiB"
_PIECE = 1 << 20


class Located(NamedTuple):
    """A fix applied, with the line of the record it was made in."""

    line: int
    fix: Fix


class Note(NamedTuple):
    """Why something was not fixed: in the record on ``line``, or (None) in the whole input."""

    line: int | None
    text: str


class InputFix(NamedTuple):
    """What fixing one input gave: its new bytes, the fixes, the findings more that
    ``--unsafe-fixes`` would fix, and why fixable findings were left (``notes``); ``left``:
    the findings of what the fixes leave, by severity ("error": 2), where the fixer linted it
    (None: it could not read the input's records)."""

    data: bytes
    fixes: list[Located]
    unsafe_available: int
    notes: list[Note]
    text_before: bytes  # the inflated input, and after: what --diff compares
    text_after: bytes
    left: Counter[str] | None = None


class _Pass(NamedTuple):
    """One pass of the fixer over an input's text: the text it leaves (None: unchanged)."""

    after: bytes | None
    fixes: list[Located]
    available: int
    notes: list[Note]
    left: Counter[str]
    audio_changed: bool  # an append's audio now decodes to other bytes, or at all
    repaired: frozenset[Key]  # the sessions whose audio it repaired


class Refused(Exception):
    """An input that ``--fix`` must not take, and why ("it inflates past 1 GiB; ...")."""


def _inflate(data: bytes) -> tuple[bytes, list[int]]:
    """Return ``data`` with up to ``GZIP_LAYERS`` layers of gzip taken off, and each layer's
    modification time (to write it back with)."""
    mtimes: list[int] = []
    while data[:2] == GZIP_MAGIC and len(mtimes) < GZIP_LAYERS:
        mtimes.append(int.from_bytes(data[4:8], "little"))
        data = gzip.decompress(data)
    return data, mtimes


def _inflated_size(data: bytes, name: str, limit: int) -> int:
    """Return how many bytes gzip ``data`` inflates to, its layers taken off as the linter
    reads them (``detect.opened``), counted a piece at a time no further than just past
    ``limit``: nothing of it is held. Corrupt data raises OSError or EOFError."""
    total = 0
    with opened(io.BytesIO(data), name) as (_, reader):
        while total <= limit and (piece := reader.read1(_PIECE)):
            total += len(piece)
    return total


def _deflate(data: bytes, mtimes: list[int]) -> bytes:
    for mtime in reversed(mtimes):
        data = gzip.compress(data, mtime=mtime)
    return data


class _Writer:
    """Puts fixed events back into one kind of input: the base for JSONL and documents,
    whose records are the event's text itself."""

    def __init__(self, source: bytes) -> None:
        self.source = source
        self.text = ""  # the input decoded, for the text kinds
        self.edits: list[tuple[int, int, str]] = []

    def event(self, record: Record) -> tuple[str, int, int] | None:
        """Return the record's event text and its span in the input, or None (no fix)."""
        data = record.data
        assert isinstance(data, str)
        return data, record.offset, record.offset + len(data)

    def put(self, start: int, end: int, done: EventFix) -> bool:
        """Record the fixed event's text for the span; False where it cannot be put."""
        self.edits.append((start, end, done.text))
        return True

    def result(self) -> bytes:
        """Return the input with the fixed events in place."""
        text = apply(self.text, [Edit(*e) for e in self.edits])
        return text.encode("utf-8")


class _Lines(_Writer):
    """JSONL: a line's bytes between its start (after a BOM) and its line ending."""

    def event(self, record: Record) -> tuple[str, int, int] | None:
        data = record.data
        assert isinstance(data, bytes)
        start = record.offset
        end = start + len(data)
        if data.endswith(b"\n"):
            end -= 2 if data.endswith(b"\r\n") else 1
        if start == 0 and data.startswith(_BOM):
            start += len(_BOM)
        try:
            return self.source[start:end].decode("utf-8"), start, end
        except UnicodeDecodeError:
            return None

    def result(self) -> bytes:
        parts: list[bytes] = []
        pos = 0
        for start, end, text in sorted(self.edits):
            parts += (self.source[pos:start], text.encode("utf-8", "surrogatepass"))
            pos = end
        parts.append(self.source[pos:])
        return b"".join(parts)


class _Har(_Writer):
    """HAR: the message inside a ``data`` string, through the exact map of its escapes."""

    escaped: Escaped  # the map of the record at hand

    def event(self, record: Record) -> tuple[str, int, int] | None:
        quote = record.offset - 1
        end = scan_string(self.text, quote) - 1
        self.escaped = Escaped(self.text[quote + 1 : end])
        if not self.escaped.exact():
            return None  # a position could not be exact: no fix here
        return self.escaped.message, quote + 1, end

    def put(self, start: int, end: int, done: EventFix) -> bool:
        escaped: Escaped | None = self.escaped
        for edit in done.edits:  # each on the message the one before left
            escaped = escaped.replaced(*edit) if escaped is not None else None
        if escaped is None or escaped.message != done.text:
            return False
        self.edits.append((start, end, escaped.raw))
        return True


def fix_input(data: bytes, name: str, options: Options, unsafe: bool) -> InputFix:
    """Return the fixes of one input's bytes (of any kind, gzip of any); raise Refused for
    one that must not be fixed.

    The fixes chain, as ruff's do: the input is fixed, linted again and fixed again until a
    pass changes nothing (at most ``MAX_PASSES``). Within a pass each event's fixes chain
    already (``event.fix_text``); another pass is needed only where the audio changed, for
    the session's audio rules (RT601-RT604) hear what a base64 fix made readable.
    """
    try:
        if data[:2] == GZIP_MAGIC and _inflated_size(data, name, MAX_INFLATED_BYTES) > (
            MAX_INFLATED_BYTES
        ):
            raise Refused(f"it inflates past {MAX_INFLATED_WORDS}; fix a decompressed copy")
        inner, mtimes = _inflate(data)
    except (OSError, EOFError, zlib.error) as exc:
        why = reason(exc)
        return InputFix(data, [], 0, [_whole(f"the gzip data is corrupt ({why})")], data, data)
    kind = input_kind(name, inner[: 1 << 16])
    if kind not in (InputKind.LINES, InputKind.DOCUMENT, InputKind.HAR):
        return InputFix(data, [], 0, [], inner, inner)
    if kind != InputKind.LINES:
        try:
            inner.decode("utf-8")
        except UnicodeDecodeError:
            return InputFix(data, [], 0, [_whole("it is not UTF-8 (RT102)")], inner, inner)
    text = inner
    fixes: list[Located] = []
    repaired: frozenset[Key] = frozenset()
    for _ in range(MAX_PASSES):
        done = _fix_pass(kind, text, name, options, unsafe, repaired)
        fixes += done.fixes
        repaired |= done.repaired
        if done.after is None:
            break
        text = done.after
        if not done.repaired and not (done.audio_changed and _hears(options)):
            break  # nothing another pass could see otherwise: its events' fixes are settled
    else:
        done = done._replace(
            notes=[*done.notes, Note(None, f"the fixes did not settle after {MAX_PASSES} passes")]
        )
    # what the last pass's linter saw is what is left, but after a session's audio repair
    left = None if done.repaired else done.left
    if not fixes:
        return InputFix(data, [], done.available, done.notes, inner, inner, left)
    return InputFix(_deflate(text, mtimes), fixes, done.available, done.notes, inner, text, left)


def _hears(options: Options) -> bool:
    """Return True where the session's audio rules run (and may find what a fix revealed)."""
    return not SESSION_FIXES.isdisjoint(options.enabled)


def _fix_pass(
    kind: InputKind,
    inner: bytes,
    name: str,
    options: Options,
    unsafe: bool,
    repaired: frozenset[Key],
) -> _Pass:
    """Return one pass of the fixer over an input's (inflated, readable) text: each event's
    fixes, then the sessions' audio repairs not made yet (``repaired``: made before)."""
    writer: _Writer
    if kind == InputKind.LINES:
        writer = _Lines(inner)
    else:
        writer = _Har(inner) if kind == InputKind.HAR else _Writer(inner)
        writer.text = inner.decode("utf-8")
    linter = Linter(options, Statistics(), name)
    session = linter.session
    fresh_id = FreshIds(inner, lambda candidate: candidate in session.ids)  # reset per session
    fixes: list[Located] = []
    notes: list[Note] = []
    left: Counter[str] = Counter()
    audio = _SessionAudio(kind, inner, options, name, unsafe, repaired)  # a first reading
    available = audio.available
    audio_changed = False
    stream = cast(io.BufferedReader, io.BufferedReader(io.BytesIO(inner)))
    for record in records_of(kind, stream, options.max_record_bytes):
        found = None if record.problem is not None or record.offset < 0 else writer.event(record)
        if found is None:
            left.update(v.severity.value for v in linter.road.slow(record))
            continue
        text, start, end = found
        done = _fix_one(text, linter, options, unsafe, fresh_id)
        available += done.unsafe_available
        notes += (Note(record.line, note) for note in done.notes)
        if audio.chains and audio.gathered(done, record.line, start, end, linter, writer, notes):
            pass  # put with its audio repaired, once its session's audio is all gathered
        elif done.edits and writer.put(start, end, done):
            fixes += (Located(record.line, fix) for fix in done.fixes)
            audio_changed = audio_changed or any(fix.pointer == "/audio" for fix in done.fixes)
            text = done.text
        elif done.edits:
            notes.append(Note(record.line, "not fixed: its place in the file is not exact"))
        found_here = linter.road.slow(Record(record.line, record.column, text, record.pointer))
        left.update(v.severity.value for v in found_here)
    left.update(v.severity.value for v in linter.ended())
    put = audio.put(writer, notes)
    fixes += put
    done_now = frozenset(audio.appends) if put else frozenset()
    after = writer.result() if fixes else None
    return _Pass(after, fixes, available, notes, left, audio_changed, done_now)


class _SessionAudio:
    """The audio repairs of an input's sessions (``session_audio``): found by a first reading
    of the input; each append of a session concerned is gathered as the second reading meets
    it, and put back, its audio repaired with the whole session's, at the end (``put``)."""

    def __init__(
        self,
        kind: InputKind,
        inner: bytes,
        options: Options,
        name: str,
        unsafe: bool,
        repaired: frozenset[Key] = frozenset(),
    ) -> None:
        self.chains: dict[Key, Chain] = {}
        # per session concerned: its appends as (line, span, fix so far, HAR escapes, audio)
        self.appends: dict[Key, list[tuple[int, int, int, EventFix, Escaped | None, bytes]]] = {}
        self.available = 0  # findings --unsafe-fixes would repair
        if SESSION_FIXES.isdisjoint(options.enabled):
            return
        linter = Linter(options, Statistics(), name)
        hearing = linter.session.hearing
        hearing.repairs = []
        stream = cast(io.BufferedReader, io.BufferedReader(io.BytesIO(inner)))
        for record in records_of(kind, stream, options.max_record_bytes):
            linter.road.slow(record)
        linter.ended()
        # a session's audio is repaired once: what its evidence says after that is reported
        found = {
            key: chain
            for key, chain in chains(hearing.repairs, options.enabled).items()
            if key not in repaired
        }
        if unsafe:
            self.chains = found
        else:
            self.available = sum(len(chain.rules) for chain in found.values() if not chain.why)

    def gathered(
        self,
        done: EventFix,
        line: int,
        start: int,
        end: int,
        linter: Linter,
        writer: _Writer,
        notes: list[Note],
    ) -> bool:
        """Return True where the event is an append of a session concerned, kept to be put
        back with its audio repaired (``put``); False where it is put as it is."""
        parsed = parse_record(done.text, KEPT_KEYS)
        value = parsed.value
        kind = value.get("type") if isinstance(value, dict) else None
        audio = value.get("audio") if isinstance(value, dict) else None
        if kind not in APPEND_TYPES or not isinstance(audio, str):
            return False
        key = (linter.session.hearing.session, linter.session.format_for(kind))
        chain = self.chains.get(key)
        if chain is None:
            return False
        if chain.why:
            if key not in self.appends:
                self.appends[key] = []
                notes.append(Note(line, f"{', '.join(chain.rules)} not fixed: {chain.why}"))
            return False
        try:
            data = pybase64.b64decode(audio, validate=True)
        except (binascii.Error, ValueError):
            return False  # the server rejects it: nothing of it is heard
        escaped = writer.escaped if isinstance(writer, _Har) else None
        self.appends.setdefault(key, []).append((line, start, end, done, escaped, data))
        return True

    def put(self, writer: _Writer, notes: list[Note]) -> list[Located]:
        """Put back every append gathered, its audio repaired; return the fixes (told once a
        session, at its first append)."""
        fixes: list[Located] = []
        for key, appends in self.appends.items():
            chain = self.chains[key]
            if chain.why:
                continue
            repaired = chain.pieces([data for *_, data in appends])
            for index, ((line, start, end, done, escaped, _), audio) in enumerate(
                zip(appends, repaired, strict=True)
            ):
                span = token_span(Places(done.text), "/audio")
                if span is None or not audio:
                    continue  # an empty share: the append keeps what it had
                new = pybase64.b64encode(audio).decode("ascii")
                edit = Edit(span[0], span[1], string_token(new, done.text[span[0] : span[1]]))
                told = [Fix(rule, "/audio", chain.description) for rule in chain.rules]
                fixed = done._replace(
                    text=apply(done.text, [edit]),
                    edits=[*done.edits, edit],
                    fixes=[*done.fixes, *(told if index == 0 else [])],
                )
                if escaped is not None:
                    cast(_Har, writer).escaped = escaped
                if writer.put(start, end, fixed):
                    fixes += (Located(line, fix) for fix in fixed.fixes)
                else:
                    notes.append(Note(line, "not fixed: its place in the file is not exact"))
        return fixes


def _whole(why: str) -> Note:
    """Return the note of an input that could not be fixed at all, and why."""
    return Note(None, f"{why}: nothing was fixed")


def _fix_one(
    text: str, linter: Linter, options: Options, unsafe: bool, fresh: Callable[[str], str]
) -> EventFix:
    parsed = parse_record(text, KEPT_KEYS)
    value = parsed.value
    kind = value.get("type") if isinstance(value, dict) else None
    fmt = linter.session.format_for(kind)
    return fix_text(
        text,
        audio_format=fmt,
        max_audio_bytes=options.max_audio_bytes,
        unsafe=unsafe,
        enabled=options.enabled,
        repeated=linter.session.ids.__contains__,
        fresh=fresh,
    )


def write_atomic(path: str, data: bytes, before: os.stat_result) -> None:
    """Write ``data`` over the file ``path`` (through a symlink: the file it names) all at
    once, with its mode, owner and group (``atomic.Replacement``). ``before`` is the file's
    status when it was read: a file changed since then is not written (OSError)."""

    def unchanged(real: str) -> None:
        if _identity(os.stat(real)) != _identity(before):
            raise OSError(f"{path} changed while it was being fixed; run again")

    replacement = Replacement(
        path,
        ".realtime-validator-fix-",
        stat.S_IMODE(before.st_mode),
        (before.st_uid, before.st_gid),
    )
    try:
        replacement.file.write(data)
    except BaseException:
        replacement.discard()
        raise
    replacement.commit(unchanged)


def _identity(status: os.stat_result) -> tuple[int, ...]:
    """Return what says a file is still the one that was read: its content (size, time),
    inode, links, mode and owner."""
    return (
        status.st_size,
        status.st_mtime_ns,
        status.st_ino,
        status.st_nlink,
        status.st_mode,
        status.st_uid,
        status.st_gid,
    )
