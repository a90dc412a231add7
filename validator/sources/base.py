"""What every source yields: a ``Record``, the raw bytes of one event with its place."""

from __future__ import annotations

from typing import NamedTuple

from ..violation import Violation

DEFAULT_MAX_RECORD_BYTES = 24 * 2**20
"""Fits a 15 MiB append (20 MiB of base64) with its envelope and some escaping."""


class Record(NamedTuple):
    """One record: raw JSON (bytes or text), its 1-based line and 0-based column in the file.

    ``problem`` is a finding about the record that the source found itself (RT101 for a broken
    document, RT105 for a record too large to read); then ``data`` is empty.
    """

    line: int
    column: int
    data: bytes | str
    pointer: str = ""
    problem: Violation | None = None
    size: int = 0  # bytes of input the record took, where ``data`` does not hold them (RT105)


class SourceError(Exception):
    """An input that could not be read at all (missing, unreadable, a directory loop)."""
