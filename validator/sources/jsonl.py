"""JSONL / NDJSON: one record per line, read in bounded pieces."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from typing import BinaryIO

from ..core.record import Record
from ..core.violation import Violation

_CHUNK = 1 << 20
BLOCK_BYTES = _BLOCK = 2 << 20
"""The fast road's read block: lines are scanned a block at a time. Larger than the 1 MiB
buffer of the streams we open, so that a fill is one read straight into it, not a copy
through the stream's buffer followed by a read of the few bytes left there."""
_new = tuple.__new__


def too_large(line: int, size: int, limit: int) -> Record:
    """Return the RT105 record for a record of ``size`` bytes over ``limit``."""
    return Record(
        line,
        0,
        b"",
        size=size,
        problem=Violation(
            "RT105",
            f"record is {size:,} bytes, over the record limit of {limit:,} bytes; it was skipped "
            "unread (split the audio into smaller appends, or raise --max-record-bytes)",
        ),
    )


def content_length(data: bytes | bytearray, start: int = 0, stop: int | None = None) -> int:
    """Return the length of the line ``data[start:stop]`` without its line ending (no slice:
    the line may be of hundreds of megabytes)."""
    stop = len(data) if stop is None else stop
    if stop > start and data[stop - 1] == 0x0A:
        stop -= 1
        if stop > start and data[stop - 1] == 0x0D:
            stop -= 1
    return stop - start


def _rest_of_line(readline: Callable[[int], bytes], size: int, last: bytes) -> int:
    """Read past the rest of a line whose first ``size`` bytes (ending with ``last``) were read
    without finding its newline, and return the line's size without the newline."""
    while True:
        chunk = readline(_CHUNK)
        if not chunk:
            return size
        if chunk.endswith(b"\n"):
            size += content_length(chunk)
            if chunk == b"\n" and last.endswith(b"\r"):
                size -= 1  # the "\r" of this "\r\n" ended the previous piece
            return size
        size += len(chunk)
        last = chunk


class _Counted:
    """A ``readline`` that counts the bytes it read (past a line too large to hold)."""

    __slots__ = ("_readline", "taken")

    def __init__(self, readline: Callable[[int], bytes]) -> None:
        self._readline = readline
        self.taken = 0

    def readline(self, size: int) -> bytes:
        """Return the stream's next line, up to ``size`` bytes, counting them."""
        piece = self._readline(size)
        self.taken += len(piece)
        return piece


def read_jsonl(stream: BinaryIO, max_record_bytes: int, first_line: int = 1) -> Iterator[Record]:
    """Yield one record per line of ``stream``; lines over the limit become RT105 records.

    At most ``max_record_bytes`` + 2 bytes of one line are held in memory at once: the rest
    of a longer line is read in 1 MiB pieces and dropped. Lines are numbered from
    ``first_line``; each record's ``offset`` is where its line starts in ``stream`` (from
    where reading began).
    """
    readline = stream.readline
    limit = max_record_bytes + 2  # room for the line's own "\r\n"
    lineno = first_line - 1
    offset = 0
    while True:
        line = readline(limit)
        if not line:
            return
        lineno += 1
        if len(line) > max_record_bytes:
            if len(line) == limit and not line.endswith(b"\n"):
                counter = _Counted(readline)
                size = _rest_of_line(counter.readline, len(line), line)
                yield too_large(lineno, size, max_record_bytes)._replace(offset=offset)
                offset += len(line) + counter.taken
                continue
            size = content_length(line)
            if size > max_record_bytes:
                yield too_large(lineno, size, max_record_bytes)._replace(offset=offset)
                offset += len(line)
                continue
        # Record(...), at C speed
        yield _new(Record, (lineno, 0, line, "", None, 0, offset, (), (), None))
        offset += len(line)


def _room(stream: io.BufferedReader, size: int, kept: int, limit: int) -> int:
    """Return the size to grow a block of ``size`` bytes to, for a line of which ``kept``
    bytes are in it: twice as large, or, in a file on disk, the line's own length found by
    reading ahead (a line of 300 MB would otherwise hold a block of 400 MB).
    """
    doubled = min(2 * size, limit)
    if not isinstance(getattr(stream, "raw", None), io.FileIO):
        return doubled  # a pipe, or inflated gzip: no reading ahead
    try:
        where = stream.tell()
    except OSError:
        return doubled
    ahead = 0
    try:
        while kept + ahead < limit:
            piece = stream.read(_BLOCK)
            newline = piece.find(b"\n")
            if newline >= 0 or not piece:
                ahead += newline + 1 if newline >= 0 else 0
                break
            ahead += len(piece)
    except OSError:
        ahead = -1  # the read that fails again is the one that reports it
    stream.seek(where)
    return doubled if ahead < 0 else max(size + 1, min(kept + ahead, limit))


def line_blocks(
    stream: io.BufferedReader,
    max_record_bytes: int,
    end: int | None = None,
    buffer: bytearray | None = None,
) -> Iterator[tuple[bytearray, int] | int]:
    """Yield the lines of ``stream`` a block at a time, for the fast road.

    ``(data, stop)``: ``data[:stop]`` holds whole lines (only the input's last line may lack
    its newline), valid until the next block is asked for; an int: the size of a line over
    the limit, which has been read past. Lines come in the order of the input, the same lines
    ``read_jsonl`` yields. With ``end`` (an offset of a seekable stream), only the lines that
    start before it: the last of them is read to its end.

    The block is one buffer, filled again and again, and grown (in place) for a line longer
    than it, up to the record limit: a fresh megabyte per block costs page faults, which cost
    more than the reading (twice the time, measured on a VM). So at most one block, or one
    line of ``max_record_bytes`` + 2 bytes, is held. ``buffer`` (at least ``BLOCK_BYTES``)
    reuses one across inputs. One raw read per fill (``readinto1``): what was read before a
    failing read is still linted.
    """
    readinto = stream.readinto1
    limit = max_record_bytes + 2
    if buffer is None or len(buffer) < _BLOCK:
        buffer = bytearray(_BLOCK)
    view = memoryview(buffer)
    base = 0 if end is None else stream.tell()  # the offset of buffer[0] in the stream
    kept = 0  # an unfinished line, moved to the front of the buffer
    drain = True  # bytes wait in the stream's buffer (peeked, or left by a readline)
    while end is None or base < end:
        if drain:
            # take just those: asked for more, readinto1 would also read the file, and a
            # failing read would lose them with it
            got = readinto(view[kept : kept + len(stream.peek(1))])
            drain = False
        else:
            got = readinto(view[kept:])
        if not got:
            if kept:
                yield buffer, kept  # the last line, without its newline
            return
        filled = kept + got
        if end is not None and base + filled >= end:
            # the line holding offset end - 1 is the last: is its newline here yet?
            last = buffer.find(b"\n", max(end - 1 - base, kept), filled) + 1
            if last:
                yield buffer, last
                return
        stop = buffer.rfind(b"\n", kept, filled) + 1  # the kept part has no newline
        if stop:
            yield buffer, stop
            base += stop
            kept = filled - stop
            view[:kept] = view[stop:filled]
            continue
        kept = filled
        if kept < len(buffer):
            continue
        if kept >= limit:  # no newline in the first ``limit`` bytes: too large
            yield _rest_of_line(stream.readline, kept, bytes(view[kept - 1 : kept]))
            kept = 0
            drain = True
            if end is not None:
                base = stream.tell()
            continue
        view.release()  # a line longer than the buffer: make room for it
        buffer.extend(bytes(_room(stream, len(buffer), kept, limit) - len(buffer)))
        view = memoryview(buffer)
