"""A file's bytes, read where they are looked at: the block ``--jobs``' replay hands the
audio-signal rules, whose items' offsets are the file's.

A worker scanned the lines and its decoded audio stayed there; the few appends the session
asks for again (a shape or clipping window, a few a session) are found here as the fast road
finds them in a block it holds (``heard.ScannedHeard``): newline by newline from the nearer
end of their run. Reading the file a piece at a time costs the bytes walked and no more, where
reading the run's lines as records would copy each one on the way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import BinaryIO

PIECE_BYTES = 1 << 16


class FileBytes:
    """The bytes of the open file ``stream`` as ``ScannedHeard`` walks a block: ``find``,
    ``rfind`` and ``index`` of one byte in a range, and slices. One piece is kept, so that a
    walk through lines shorter than a piece reads each byte once. Where the file is shorter
    than a range asked for, ``changed`` is raised with what is gone (the file is no longer the
    one the workers scanned)."""

    __slots__ = ("_at", "_changed", "_piece", "_stream")

    def __init__(self, stream: BinaryIO, changed: Callable[[str], Exception]) -> None:
        self._stream = stream
        self._changed = changed
        self._at = 0  # the kept piece's offset in the file
        self._piece = b""

    def find(self, byte: bytes, start: int, end: int) -> int:
        """Return the offset of the first ``byte`` in ``[start, end)``, or -1."""
        pos = start
        while pos < end:
            at, piece = self._at, self._piece
            if not at <= pos < at + len(piece):  # the kept piece does not hold it: read on
                at, piece = self._covering(pos, min(pos + PIECE_BYTES, end))
            found = piece.find(byte, pos - at, end - at)
            if found >= 0:
                return at + found
            pos = at + len(piece)
        return -1

    def index(self, byte: bytes, start: int, end: int) -> int:
        """Return the offset of the first ``byte`` in ``[start, end)``; ValueError if none."""
        found = self.find(byte, start, end)
        if found < 0:
            raise ValueError("subsection not found")
        return found

    def rfind(self, byte: bytes, start: int, end: int) -> int:
        """Return the offset of the last ``byte`` in ``[start, end)``, or -1."""
        stop = end
        while stop > start:
            at, piece = self._at, self._piece
            if not at < stop <= at + len(piece):  # the kept piece does not hold it: read back
                at, piece = self._covering(max(stop - PIECE_BYTES, start), stop)
            found = piece.rfind(byte, max(start - at, 0), stop - at)
            if found >= 0:
                return at + found
            stop = at
        return -1

    def __getitem__(self, where: slice) -> bytes:
        """Return the bytes of ``[where.start, where.stop)``."""
        start, stop = where.start, where.stop
        at, piece = self._covering(start, stop)
        return piece[start - at : stop - at]

    def _covering(self, start: int, stop: int) -> tuple[int, bytes]:
        """Return a piece of the file (its offset, its bytes) holding ``[start, stop)``: the
        kept one where it does, else ``[start, stop)`` read now, and kept."""
        at, piece = self._at, self._piece
        if at <= start and stop <= at + len(piece):
            return at, piece
        self._stream.seek(start)
        piece = self._stream.read(stop - start)
        if len(piece) < stop - start:
            raise self._changed(f"bytes {start + len(piece):,} to {stop:,} are gone")
        self._at, self._piece = start, piece
        return start, piece
