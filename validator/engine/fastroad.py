"""The fast road: a block of JSONL lines sorted in place, without building Python objects.

``scan`` reads the lines of a block and decides, for each, what it can without the session:

- a canonical append (``{"type":"input_audio_buffer.append","event_id":"…","audio":"…"}``,
  compact or with ``json.dumps``' default spacing, ``event_id`` first, second, last (as the
  openai SDK writes it) or absent) is
  matched by its envelope, its base64 checked in place with pybase64's SIMD decoder (no copy of
  the line, no str), its size, padding and content judged; consecutive ones become one
  ``Appends`` that the session takes at once, one set update and one sum;
- a record whose only possible findings come from the session (a duplicate event_id, a commit
  of too little audio) joins a ``Quiets`` run;
- anything else, and any doubt at all (escapes, other keys, bad base64, a finding), is ``Slow``:
  strict parse, schema, audio checks, session rules and locations on the slow road.

Runs of plain appends, and of commits, clears and the server's audio deltas, are taken by the
native half (``_fastscan.c``: ``_EXTEND``, ``_QUIET_RUN``), which checks the base64 in place
without decoding it and stops at the first line in any doubt; this loop judges that line, and
is alone where the native half was not built (its slow twin: ``tests/test_fastscan.py``).

``Linter.replay`` applies the items to the session in file order; ``--jobs`` runs ``scan`` in
worker processes and replays here. The fast road only ever accepts, so findings and their
locations come from the slow road alone; ``tests/test_lint.py`` and ``tests/test_fuzz.py``
hold the two roads equal.
"""

import binascii
import re
from typing import Any, NamedTuple

import pybase64

from ..check.audio import CANONICAL_BEFORE_1, CANONICAL_BEFORE_2, FLOAT32_WINDOW
from ..check.content import AUDIO_EXPONENT, MIN_EXPONENTS, looks_like_float32
from ..check.event import passes_schema
from ..check.parse import parse_record
from ..check.schema import SCHEMA_FILES
from ..check.spec import (
    API_BITS,
    BETA,
    FREE_LENGTH,
    GA,
    SPEC_APIS,
    free_pattern,
    passing_api,
    tried_first,
)
from ..core.event_types import CLIENT_EVENT_TYPES, EVENT_TYPES
from ..core.media import CONTAINER_HEADS, CONTENT_WINDOW, sniff_container
from .session import GA as SESSION_GA
from .session import KEPT_KEYS, NO_ID, SERVER_SESSION_EVENTS, STATEFUL_TYPES, version_of

_SAFE_ID = rb"[\x20\x21\x23-\x5b\x5d-\x7e]{0,512}"
_FAST_APPEND = re.compile(
    rb'\{(?:"event_id": ?"(' + _SAFE_ID + rb')", ?)?'
    rb'"type": ?"input_audio_buffer\.append", ?'
    rb'(?:"event_id": ?"(' + _SAFE_ID + rb')", ?)?'
    rb'"audio": ?"'
).match
# the same, as most clients write it: one capture group, tried first because it is cheaper
_COMPACT_APPEND = re.compile(
    rb'\{"type":"input_audio_buffer\.append",(?:"event_id":"(' + _SAFE_ID + rb')",)?"audio":"'
).match
_APPEND_START = b'{"type":"input_audio_buffer.append"'
# the event_id after the audio, as the openai SDK writes an append (type, audio, event_id):
# from the audio's closing quote to the end of the line
_ID_AFTER_AUDIO = re.compile(rb'", ?"event_id": ?"(' + _SAFE_ID + rb')"\}').fullmatch
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
_MET: dict[tuple[bytes, str | None], tuple[str, int, bool] | None] = {}
"""What ``scan_quiet`` said of a line, by the line with every value no schema reads blanked
(``check.spec.free_pattern``: ids, texts; nothing else reads them either) and the API version
tried first (None where RT206 is not selected): (type, API bit met, whether its event_id is
read out of the line) or None (the slow road). A log repeats its records but for their ids
and texts (the same ``response.create`` every turn, a user message of other words), so a
line of a known shape is neither parsed nor walked."""
_MET_SIZE = 256  # distinct shapes remembered; a log past that starts over
_MET_EXACT: dict[tuple[bytes, bytes, str | None], tuple[str, int, bool]] = {}
"""``_MET``'s verdicts that read the event_id out of the line, by the line's text before and
after its event_id (and the version tried first): a line that differs from one met before
only there is found without the blanking. Kept only where both ids are values the blanking
takes out (``_ID_TEXT``: a free value), so the two lines have one ``_MET`` key, and cleared
with ``_MET``."""
_ID_TEXT = re.compile(rb'"event_id": ?"([^"\\\x00-\x1f]{1,%d})"' % FREE_LENGTH).search
_UNSEEN = ("?", 0, False)  # no verdict kept yet
_AGAIN = ("!", 0, False)  # a shape judged each time (it may set the hint)
_HINT = [GA]  # scan's guess of the API version, from one block to the next
_SHOW_VERSION = SERVER_SESSION_EVENTS | {"session.update", "transcription_session.update"}
_MET_LINE = 65536  # a longer line is not remembered (its commas may make it a wide record)
_ID_AT = b'"event_id":'  # where a remembered line's event_id is (written plainly once)
_CREDIT = [8]
"""The misses of the memory the quiet lines may still take before they are judged without
a key (a log whose lines seldom repeat, such as the server's ``response.done`` with its token
counts, would pay the key on each). A hit earns two; at 0 the memory rests, and after
``_CREDIT_REST`` lines one is keyed again. One count for all kinds of line: telling the
kinds apart cost more than the key it saved (2,600 instructions a line on the rich capture)."""
_CREDIT_START = 8
_CREDIT_REST = 64
# a commit or clear as clients write them: valid JSON by construction, distinct keys
_BUFFER_EVENT = re.compile(
    rb'\{"type": ?"(input_audio_buffer\.(?:commit|clear))", ?"event_id": ?"(' + _SAFE_ID + rb')"\}'
).fullmatch
_B64_ERRORS = (binascii.Error, ValueError)
_b64decode = pybase64.b64decode  # called positionally: keyword parsing costs as much as 1 kB
_CANONICAL_2 = frozenset(CANONICAL_BEFORE_2.encode())  # as byte values, for the raw line
_CANONICAL_1 = frozenset(CANONICAL_BEFORE_1.encode())
# bytes that cannot be a float32 exponent byte: deleting them leaves the ones that can
_NOT_EXPONENT = bytes(value for value in range(256) if not AUDIO_EXPONENT[value])
_TABLES = (
    b"".join(sorted(CONTAINER_HEADS)),
    AUDIO_EXPONENT,
    CANONICAL_BEFORE_1.encode(),
    CANONICAL_BEFORE_2.encode(),
    MIN_EXPONENTS,
    FLOAT32_WINDOW,
)
"""What the native half judges by, from the constants the Python loop reads."""
# The native half (``_fastscan.c``): ``_EXTEND`` takes a run of canonical appends in one
# call, ``_QUIET_RUN`` a run of commits, clears and the server's audio deltas. None where it
# was not built: the Python loop alone, their slow twin (``tests/test_fastscan.py`` sets both
# to None to compare).
try:
    from . import _fastscan
except ImportError:  # built without a C compiler
    _EXTEND = None
    _QUIET_RUN = None
else:
    _fastscan.configure(*_TABLES)
    _EXTEND = _fastscan.extend_run
    _QUIET_RUN = _fastscan.quiet_run
API_NAMES = {bit: name for name, bit in API_BITS.items()}
TYPE_NAMES = {name: name for name in EVENT_TYPES}
"""Each event type's one string: a run of quiet records shares them instead of a copy each."""
_QUIET = (
    TYPE_NAMES["input_audio_buffer.commit"],
    TYPE_NAMES["input_audio_buffer.clear"],
    TYPE_NAMES["response.audio.delta"],
    TYPE_NAMES["response.output_audio.delta"],
)
"""The types ``_QUIET_RUN`` (the native half's run of commits, clears and the server's audio
deltas, as ``scan_quiet``'s first two expressions take them) gives its lines."""


class Appends(NamedTuple):
    """Consecutive canonical appends with nothing against them that the session could not see
    at once: their event ids (duplicates: RT402) and, through the format, nothing else."""

    start: int  # offset of the first line
    end: int  # offset past the last line
    lines: int
    # the event ids from the first line that has one on, session.NO_ID where a line has none
    ids: list[str]
    total: int  # decoded bytes
    smallest: int
    largest: int
    sizes: list[int]  # each append's decoded bytes, for the audio-signal rules
    column: int  # of the last append's audio string (its quote), 1-based
    # the first append's level as pcm16 (``check.signal.ceiling``), measured by the --jobs
    # worker that scanned it, whose decoded audio stays there; 0: not measured
    level: int = 0


class Flagged(NamedTuple):
    """One canonical append whose size is odd or whose bytes look like float32: findings
    (RT306, RT308) when the session's format is pcm16, nothing otherwise."""

    start: int
    end: int
    event_id: str | None
    nbytes: int
    flags: int  # 1: odd size, 2: float32-like
    column: int  # of its audio string (its quote), 1-based


class Quiets(NamedTuple):
    """Consecutive records with no finding of their own; the session may still object to
    one (RT402, RT401, RT206). Per line only its type (one shared string per type), id and
    the API version whose spec schema it meets."""

    start: int
    end: int
    types: list[str]
    ids: list[str | None]  # a client event's id, None for server events
    # per line: the API_BITS of the version whose spec schema the event meets (RT206), 0 for
    # a type without one; the session says whether that version is the one that applies.
    # None: no line of the run has such a type
    spec: list[int] | None = None

    @property
    def lines(self) -> int:
        """Return the number of records in the run."""
        return len(self.types)


class Slow(NamedTuple):
    """Consecutive records for the slow road (blank lines, events that move the session, any
    doubt): one item for all of them, so that a block of tiny lines is not a list as long."""

    start: int
    end: int
    lines: int


class Prepared(NamedTuple):
    """An append read by the stateless half of the slow road (``check.prepare``, in a
    ``--jobs`` worker): its findings judged in pcm16 and placed, without the session's."""

    start: int  # offset of its line
    size: int  # bytes of the line, its newline included
    event_type: str
    event_id: str | None  # the event's event_id where it is a string
    audio_bytes: int | None  # decoded size of its audio string, None without one
    # each finding: rule, message, pointer, line within the record (0: its first), column, offset
    found: list[tuple[str, str, str, int, int, int | None]]
    id_at: tuple[int, int] | None  # where its event_id string is (line within, column)


class Checked(NamedTuple):
    """Consecutive appends of a ``Slow`` run that a ``--jobs`` worker has read already; the
    session's half of the slow road (``SlowRoad.conclude``) is left for this process."""

    start: int
    end: int
    records: list[Prepared]


Item = Appends | Flagged | Quiets | Slow | Checked
ITEM_TYPES: tuple[type[Item], ...] = (Appends, Flagged, Quiets, Slow, Checked)
"""Each item type by its tag (its index), for passing items between processes as JSON."""


def scan(
    data: bytes | bytearray,
    start: int,
    stop: int,
    max_audio_bytes: int,
    max_record_bytes: int,
    base: int = 0,
    kept: list[bytes] | None = None,
    spec: bool = True,
) -> list[Item]:
    """Return the items of the lines in ``data[start:stop]``, in order, offsets plus ``base``.

    The range holds whole lines; only the last line of an input may lack its newline.
    ``kept``: where given, the decoded audio of the first append of each ``Appends`` item and
    of each ``Flagged`` one is added to it, in order, so that the session measures what this
    scan decoded (``hearing``: after each commit, the next append's level) instead of decoding
    it again; keeping every append's would hold a block's audio, and cost more in memory
    traffic than the few other appends a session measures cost to decode again.
    ``spec``: False where RT206 is not selected: no client event is held to the spec's schema.
    """
    items: list[Item] = []
    add = items.append
    view = memoryview(data)
    find = data.find
    compact = _COMPACT_APPEND
    match = _FAST_APPEND
    b64decode = _b64decode
    run_start = -1  # offset of the run of appends being gathered, -1 for none
    slow_start = -1  # the same for a run of records for the slow road
    slow_lines = 0
    quiet_start = -1  # and for a run of quiet records
    quiet_types: list[str] = []
    quiet_ids: list[str | None] = []
    quiet_spec: list[int] | None = None
    # the version tried first for a client event: the last one met, or shown by a session
    # event, kept from one block (and file) to the next (a wrong guess costs time only)
    hint = _HINT
    ids: list[str] = []  # its event ids
    count = total = largest = column = 0
    smallest = 1 << 62
    sizes: list[int] = []
    keep = None if kept is None else kept.append
    extend = _EXTEND
    fresh_sizes: list[int] = []  # the lists of the next run the native half starts
    fresh_ids: list[str] = []
    quiet_run = _QUIET_RUN
    fresh_types: list[str] = []  # and of the next run of quiet lines it starts
    fresh_quiet_ids: list[str | None] = []
    pos = start
    while pos < stop:
        if run_start < 0 and extend is not None:
            # a run of plainly canonical appends starts here: the native half takes it whole
            taken = extend(
                data,
                pos,
                stop,
                max_audio_bytes,
                max_record_bytes,
                fresh_sizes,
                fresh_ids,
                NO_ID,
                0,
                0,
                1 << 62,
                0,
                0,
            )
            if taken[1]:
                if slow_start >= 0:
                    add(Slow(slow_start, base + pos, slow_lines))
                    slow_start = -1
                elif quiet_start >= 0:
                    add(Quiets(quiet_start, base + pos, quiet_types, quiet_ids, quiet_spec))
                    quiet_start = -1
                run_start = base + pos
                sizes, ids = fresh_sizes, fresh_ids
                fresh_sizes, fresh_ids = [], []
                pos, count, total, smallest, largest, column, audio, close = taken
                if keep is not None:  # the run's first append, decoded for the session
                    keep(b64decode(view[audio:close], None, True))
                continue
        if quiet_run is not None:
            # commits, clears and the server's audio deltas, as scan_quiet's first two
            # expressions take them: the native half takes a run of them whole
            if quiet_start >= 0:
                after = quiet_run(
                    data, pos, stop, max_record_bytes, quiet_types, quiet_ids, quiet_spec, _QUIET
                )
            else:
                after = quiet_run(
                    data, pos, stop, max_record_bytes, fresh_types, fresh_quiet_ids, None, _QUIET
                )
            if after > pos:
                if run_start >= 0:
                    add(
                        Appends(
                            run_start,
                            base + pos,
                            count,
                            ids,
                            total,
                            smallest,
                            largest,
                            sizes,
                            column,
                        )
                    )
                    run_start = -1
                elif slow_start >= 0:
                    add(Slow(slow_start, base + pos, slow_lines))
                    slow_start = -1
                if quiet_start < 0:
                    quiet_start = base + pos
                    quiet_types, quiet_ids, quiet_spec = fresh_types, fresh_quiet_ids, None
                    fresh_types, fresh_quiet_ids = [], []
                pos = after
                continue
        newline = find(b"\n", pos, stop)
        if newline < 0:
            end = close = stop
        else:
            end = newline + 1
            close = newline - 1 if data[newline - 1] == 13 else newline  # "\r\n" or "\n"
        content_end = close  # the line without its line end (close moves for an append)
        m = compact(data, pos, end)
        if m is not None:
            raw_id = m.group(1)
        elif data[pos] == 123:  # "{": not for blank lines, a BOM, arrays
            m = match(data, pos, end)
            if m is not None:
                first, raw_id = m.group(1, 2)
                if first is not None:
                    if raw_id is not None:
                        m = None  # event_id twice: RT104
                    raw_id = first
        if m is not None and end - pos <= max_record_bytes:
            # the audio string runs from the envelope to '"}' at the end of the line
            close -= 2
            audio = m.end()
            if close > audio and data[close] == 34 and data[close + 1] == 125:
                try:
                    decoded = b64decode(view[audio:close], None, True)
                except _B64_ERRORS:
                    decoded = None
                    # the audio may end before an event_id: tried only now, so that the
                    # common order pays nothing for it
                    quote = find(b'"', audio, close)
                    if quote >= 0 and raw_id is None:
                        tail = _ID_AFTER_AUDIO(data, quote, close + 2)
                        if tail is not None:
                            raw_id = tail.group(1)
                            close = quote
                            decoded = _decoded(view[audio:close])
                # valid base64 is whole groups of four with '=' only at the end: the size is
                # arithmetic, and the last data character must leave the unused bits zero
                nbytes = (close - audio) // 4 * 3
                if decoded is not None and data[close - 1] == 61:  # "="
                    if data[close - 2] == 61:
                        nbytes -= 2
                        if data[close - 3] not in _CANONICAL_2:
                            decoded = None  # RT303
                    else:
                        nbytes -= 1
                        if data[close - 2] not in _CANONICAL_1:
                            decoded = None
                if (
                    decoded  # not None, and not empty
                    and nbytes <= max_audio_bytes
                    and (
                        (decoded[:2] not in CONTAINER_HEADS and not decoded.startswith(b"ftyp", 4))
                        or sniff_container(decoded[:CONTENT_WINDOW]) is None  # else RT307
                    )
                ):
                    flags = nbytes & 1
                    # looks_like_float32's own first test, without its slice of the window
                    if len(
                        decoded[1:FLOAT32_WINDOW:2].translate(None, _NOT_EXPONENT)
                    ) >= MIN_EXPONENTS and looks_like_float32(decoded[:FLOAT32_WINDOW]):
                        flags |= 2
                    if (flags or run_start < 0) and (slow_start >= 0 or quiet_start >= 0):
                        # an append after other records: close their run (checked only when
                        # no run of appends is open, so not once per append)
                        if slow_start >= 0:
                            add(Slow(slow_start, base + pos, slow_lines))
                            slow_start = -1
                        else:
                            add(Quiets(quiet_start, base + pos, quiet_types, quiet_ids, quiet_spec))
                            quiet_start = -1
                    if keep is not None and (flags or run_start < 0):  # an item's first
                        keep(decoded)
                    if flags:
                        if run_start >= 0:
                            add(
                                Appends(
                                    run_start,
                                    base + pos,
                                    count,
                                    ids,
                                    total,
                                    smallest,
                                    largest,
                                    sizes,
                                    column,
                                )
                            )
                            run_start = -1
                        event_id = None if raw_id is None else raw_id.decode("ascii")
                        add(Flagged(base + pos, base + end, event_id, nbytes, flags, audio - pos))
                    else:
                        if run_start < 0:
                            run_start = base + pos
                            ids = []
                            sizes = []
                            count = total = largest = 0
                            smallest = 1 << 62
                        sizes.append(nbytes)
                        column = audio - pos
                        if raw_id is not None:
                            ids.append(raw_id.decode("ascii"))
                        elif ids:
                            ids.append(NO_ID)
                        count += 1
                        total += nbytes
                        if nbytes < smallest:
                            smallest = nbytes
                        if nbytes > largest:
                            largest = nbytes
                        if extend is not None:  # the rest of the run, in C, to its first doubt
                            pos, count, total, smallest, largest, column, _, _ = extend(
                                data,
                                end,
                                stop,
                                max_audio_bytes,
                                max_record_bytes,
                                sizes,
                                ids,
                                NO_ID,
                                count,
                                total,
                                smallest,
                                largest,
                                column,
                            )
                            continue
                    pos = end
                    continue
        if run_start >= 0:
            add(
                Appends(
                    run_start,
                    base + pos,
                    count,
                    ids,
                    total,
                    smallest,
                    largest,
                    sizes,
                    column,
                )
            )
            run_start = -1
        quiet = None
        if (
            end - pos <= max_record_bytes
            and data.startswith(b'{"', pos)
            and not data.startswith(_APPEND_START, pos)
        ):
            quiet = scan_quiet(bytes(view[pos:content_end]), hint, spec)
        if quiet is None:
            if quiet_start >= 0:
                add(Quiets(quiet_start, base + pos, quiet_types, quiet_ids, quiet_spec))
                quiet_start = -1
            if slow_start < 0:
                slow_start = base + pos
                slow_lines = 0
            slow_lines += 1
        else:
            if slow_start >= 0:
                add(Slow(slow_start, base + pos, slow_lines))
                slow_start = -1
            if quiet_start < 0:
                quiet_start = base + pos
                quiet_types = []
                quiet_ids = []
                quiet_spec = None
            quiet_types.append(quiet[0])
            quiet_ids.append(quiet[1])
            met = quiet[2]
            if met:
                hint[0] = API_NAMES[met]
                if quiet_spec is None:  # the lines before had none: zeros
                    quiet_spec = [0] * (len(quiet_types) - 1)
            if quiet_spec is not None:
                quiet_spec.append(met)
        pos = end
    if run_start >= 0:
        add(Appends(run_start, base + pos, count, ids, total, smallest, largest, sizes, column))
    elif slow_start >= 0:
        add(Slow(slow_start, base + pos, slow_lines))
    elif quiet_start >= 0:
        add(Quiets(quiet_start, base + pos, quiet_types, quiet_ids, quiet_spec))
    return items


def audio_column(line: bytes | bytearray) -> int | None:
    """Return the 1-based column of the audio string of a line that ``scan`` took as a
    canonical append (its envelope alone is read), or None where it has no such envelope."""
    m = _COMPACT_APPEND(line) or _FAST_APPEND(line)
    return None if m is None else m.end()


def append_audio(line: bytes | bytearray) -> tuple[bytes, int] | None:
    """Return the decoded audio of one line that ``scan`` took as a canonical append, and
    the 1-based column of its audio string; None where the line is not one."""
    m = _COMPACT_APPEND(line) or _FAST_APPEND(line)
    if m is None:
        return None
    audio = m.end()
    close = line.find(b'"', audio)  # base64 holds no quote: the string's end
    if close < 0:
        return None
    decoded = _decoded(memoryview(line)[audio:close])
    return None if decoded is None else (decoded, audio)


def _decoded(audio: memoryview) -> bytes | None:
    """Return the strictly decoded base64, or None where it is not valid."""
    try:
        return _b64decode(audio, None, True)
    except _B64_ERRORS:
        return None


def scan_quiet(
    line: bytes, hint: list[str] | None = None, spec: bool = True
) -> tuple[str, str | None, int] | None:
    """Return (type, client event_id or None, API bit) of a record with no finding of its own.

    Strict UTF-8 and JSON, a known type that the session need not read whole (commits and
    clears are here: the session judges them by type and id) and no finding of its own (a
    commit's envelope; a client event that meets the spec's schema of some API version,
    ``hint[0]`` tried first: its bit is the third item, 0 for types without one); None means
    "take the slow road". A server session event that shows its API version sets ``hint``.
    ``spec``: False where RT206 is not selected: no schema is read, the bit is 0.
    A line of a shape seen before (``_MET``) is judged by what was said of that shape.
    """
    if line.endswith(b"\n"):
        line = line[:-2] if line.endswith(b"\r\n") else line[:-1]
    if not line or line[0] != 123:  # "{": blank lines, a BOM, arrays take the slow road
        return None
    m = _BUFFER_EVENT(line)
    if m is not None:
        return TYPE_NAMES[m.group(1).decode("ascii")], m.group(2).decode("ascii"), 0
    m = _AUDIO_DELTA(line)
    if m is not None and line.endswith(b'"}') and len(line) - 2 >= m.end():
        # the server's audio, as the server writes it: base64 has no quote, backslash or
        # control character, so valid base64 makes the whole line valid JSON, keys distinct
        try:
            _b64decode(memoryview(line)[m.end() : len(line) - 2], None, True)
        except _B64_ERRORS:
            pass
        else:
            return TYPE_NAMES[m.group(1).decode("ascii")], None, 0
    credit = _CREDIT[0]
    if len(line) > _MET_LINE or (credit <= 0 and credit > -_CREDIT_REST):
        if credit <= 0:  # lines seldom repeat: keyed again after a rest
            _CREDIT[0] = credit - 1
        value = _value(line)
        return None if value is None else _verdict(value, hint, spec)
    version = (hint[0] if hint else GA) if spec else None
    # the same line but for its event_id (each response.create of a log): found without the
    # blanking below, whose key it shares (its id is a value the blanking takes out)
    id_text = _ID_TEXT(line)
    exact = None
    if id_text is not None:
        exact = (line[: id_text.start(1)], line[id_text.end(1) :], version)
        known = _MET_EXACT.get(exact)
        if known is not None:
            if credit < _CREDIT_START * 4:
                _CREDIT[0] = max(credit, 0) + 2
            if not (line.isascii() or _utf8(line)):
                return None
            return known[0], id_text.group(1).decode("utf-8"), known[1]
    # blanked values hold no quote, backslash or control byte: any such text leaves the line
    # valid JSON with the same keys, and no check reads it (tests/test_predicate_code.py)
    key = (b"".join(free_pattern().split(line)), version)
    known = _MET.get(key, _UNSEEN)
    if known is _UNSEEN or known is _AGAIN:
        value = _value(line)
        verdict = None if value is None else _verdict(value, hint, spec)
        if known is _UNSEEN:
            if len(_MET) >= _MET_SIZE:
                _MET.clear()
                _MET_EXACT.clear()
            _MET[key] = known = _remembered(line, value, verdict)
            _CREDIT[0] = max(credit, 1) - 1  # a miss: one less (one after a rest)
            if exact is not None and known is not None and known is not _AGAIN and known[2]:
                _MET_EXACT[exact] = known
        return verdict
    if credit < _CREDIT_START * 4:
        _CREDIT[0] = max(credit, 0) + 2  # a hit pays for two misses
    if known is None or not (line.isascii() or _utf8(line)):
        return None
    event_type, met, read_id = known
    if not read_id:
        return event_type, None, met
    if exact is not None:
        _MET_EXACT[exact] = known
    at = _id_at(line)
    return event_type, line[at : line.find(b'"', at)].decode("utf-8"), met


def _remembered(
    line: bytes | bytearray,
    value: dict[str, Any] | None,
    verdict: tuple[str, str | None, int] | None,
) -> tuple[str, int, bool] | None:
    """Return what ``_MET`` keeps of a line's verdict: ``_AGAIN`` for a session event that
    shows the API version (each sets the hint) or whose event_id is not written plainly once
    (it could not be read out of the next line), None (the slow road) for a refused line."""
    if value is not None and type(value.get("type")) is str and value["type"] in _SHOW_VERSION:
        return _AGAIN
    if verdict is None:
        return None
    event_type, event_id, met = verdict
    if event_id is None:
        return event_type, met, False
    at = _id_at(line)
    if (
        at < 0
        or line.count(b'"event_id"') != 1
        or line[at : line.find(b'"', at)] != event_id.encode("utf-8")
    ):
        return _AGAIN
    return event_type, met, True


def _id_at(line: bytes | bytearray) -> int:
    """Return where the text of a line's ``"event_id":"…"`` starts (one space or none after
    the colon), -1 where it is not written so."""
    at = line.find(_ID_AT)
    if at < 0:
        return -1
    at += len(_ID_AT)
    if line[at] == 32:  # " "
        at += 1
    return at + 1 if line[at] == 34 else -1  # '"'


def _utf8(line: bytes | bytearray) -> bool:
    """Return True where ``line`` is strict UTF-8 (a blanked value may hold any other byte)."""
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _value(line: bytes | bytearray) -> dict[str, Any] | None:
    """Return the record of a line, None where it is not strict JSON of an object."""
    parsed = parse_record(line, KEPT_KEYS)
    value = parsed.value
    if parsed.violations or type(value) is not dict:
        return None
    return value


def _verdict(
    value: dict[str, Any], hint: list[str] | None, spec: bool
) -> tuple[str, str | None, int] | None:
    """Return ``scan_quiet``'s verdict of a record of a shape not seen before: a client event
    is walked against its spec schema, ``hint[0]`` tried first."""
    event_type = value.get("type")
    if hint is not None and type(event_type) is str and event_type in _SHOW_VERSION:
        # which schemas to try first: the session will say the same (a guess costs time only);
        # a client's update shows it too (a log of client events only: no schema of the other
        # version is loaded for its response.create)
        session = value.get("session")
        shown = BETA if event_type.startswith("transcription_") else None
        if shown is None and isinstance(session, dict):
            shown = version_of(session)
        if shown is not None:
            hint[0] = GA if shown == SESSION_GA else BETA
    if (
        type(event_type) is not str
        or event_type not in EVENT_TYPES
        or event_type in STATEFUL_TYPES
        or (event_type in SCHEMA_FILES and not passes_schema(value))  # a commit's envelope
    ):
        return None
    met = 0
    apis = SPEC_APIS.get(event_type) if spec else None
    if apis is not None:
        # the hint first: most logs keep to one version, so one schema is read per event
        first = hint[0] if hint else GA
        api = passing_api(value, apis if apis[0] == first else tried_first(first, apis))
        if api is None:
            return None  # a finding (RT206) whatever the session: the slow road says it
        met = API_BITS[api]
    event_id = value.get("event_id")
    if type(event_id) is str and event_type in CLIENT_EVENT_TYPES:
        return TYPE_NAMES[event_type], event_id, met
    return TYPE_NAMES[event_type], None, met
