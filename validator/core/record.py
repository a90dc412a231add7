"""What every source yields: a ``Record``, the raw bytes of one event with its place."""

from bisect import bisect_right
from typing import NamedTuple

from .violation import Violation

DEFAULT_MAX_RECORD_BYTES = 24 * 2**20
"""Fits a 15 MiB append (20 MiB of base64) with its envelope and some escaping."""


Shifts = tuple[tuple[int, int], ...]
"""Where an aligned text's characters sit left of the file's: ``(at, by)``, sorted by ``at``,
each holding from ``at`` to the next (none: every character is where the file has it)."""


def shifted(shifts: Shifts, offset: int) -> int:
    """Return the file offset (from the record's start) of the aligned text's ``offset``."""
    if not shifts:
        return offset
    k = bisect_right(shifts, (offset, float("inf"))) - 1
    return offset + shifts[k][1] if k >= 0 else offset


class Record(NamedTuple):
    """One record: raw JSON (bytes or text), its 1-based line and 0-based column in the file.

    ``problem`` is a finding about the record that the source found itself (RT101 for a broken
    document, RT105 for a record too large to read); then ``data`` is empty.

    ``offset``: where the record starts in what its reader read, in the units of ``data``:
    bytes for a line of JSONL (``data`` holds the line as it is), characters of the decoded
    input (a byte order mark counts as one) for a document's element or a HAR message (then
    the first character inside the quotes of its ``data`` string); -1 where unknown.
    ``lint --fix`` rewrites the input at these offsets.

    ``shifts``: for a HAR message, where the characters of ``data`` (the aligned text,
    ``har.align``) sit left of the file's, to place a finding exactly; empty elsewhere.

    ``notes``: findings about where the record sits that its source found, each as a record
    of its own whose ``problem`` it is, at its place (RT104 at a HAR message's repeated
    ``data`` key), reported before the record's own findings.

    ``time``: when the event was sent or received, in Unix seconds, where the capture says
    (a wrapping record's ``time``, ``timestamp`` or ``ts``; a HAR message's ``time``); the
    audio-signal rules compare the audio appended with it (RT601).
    """

    line: int
    column: int
    data: bytes | str
    pointer: str = ""
    problem: Violation | None = None
    # bytes of input the record took, where ``data`` does not hold them (RT105; a long line
    # held as its text, without its line ending)
    size: int = 0
    offset: int = -1
    shifts: Shifts = ()
    notes: "tuple[Record, ...]" = ()
    time: float | None = None


_TIME_KEYS = ("time", "timestamp", "ts")
_MILLISECONDS = 1e11  # Unix seconds reach this in the year 5138: a larger number counts ms


def capture_time(wrapper: object) -> float | None:
    """Return the Unix time a capture's wrapping object (or HAR message) gives its event: a
    number of seconds (or milliseconds) at ``time``, ``timestamp`` or ``ts``, or an ISO 8601
    string there; None where it has none that reads as one."""
    if not isinstance(wrapper, dict):
        return None
    for key in _TIME_KEYS:
        value = wrapper.get(key)
        if value is None:
            continue
        if type(value) is int or type(value) is float:
            seconds = float(value)
            if seconds != seconds or seconds in (float("inf"), float("-inf")):
                return None
            return seconds / 1000.0 if abs(seconds) >= _MILLISECONDS else seconds
        if isinstance(value, str):
            return _iso_seconds(value)
        return None
    return None


def _iso_seconds(text: str) -> float | None:
    """Return the Unix time of an ISO 8601 date and time (UTC where no zone is given)."""
    from datetime import UTC, datetime  # only captures timed by strings import it

    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.timestamp()


class SourceError(Exception):
    """An input that could not be read at all (missing, unreadable, a directory loop)."""
