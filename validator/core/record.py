"""What every source yields: a ``Record``, the raw bytes of one event with its place."""

from __future__ import annotations

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

    ``notes``: findings about where the record sits that its source found, placed already
    and reported before the record's own (RT104 at a HAR message's repeated ``data`` key).
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
    notes: tuple[Violation, ...] = ()


class SourceError(Exception):
    """An input that could not be read at all (missing, unreadable, a directory loop)."""
