"""JSONL / NDJSON: one record per line, read in bounded pieces."""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from ..violation import Violation
from .base import Record

_CHUNK = 1 << 20
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


def _content_length(line: bytes) -> int:
    if line.endswith(b"\r\n"):
        return len(line) - 2
    if line.endswith(b"\n"):
        return len(line) - 1
    return len(line)


def read_jsonl(stream: BinaryIO, max_record_bytes: int) -> Iterator[Record]:
    """Yield one record per line of ``stream``; lines over the limit become RT105 records.

    At most ``max_record_bytes`` + 2 bytes of one line are held in memory at once: the rest
    of a longer line is read in 1 MiB pieces and dropped.
    """
    readline = stream.readline
    limit = max_record_bytes + 2  # room for the line's own "\r\n"
    lineno = 0
    while True:
        line = readline(limit)
        if not line:
            return
        lineno += 1
        if len(line) > max_record_bytes:
            if len(line) == limit and not line.endswith(b"\n"):
                size = len(line)
                last = line
                while True:
                    chunk = readline(_CHUNK)
                    if not chunk:
                        break
                    if chunk.endswith(b"\n"):
                        size += _content_length(chunk)
                        if chunk == b"\n" and last.endswith(b"\r"):
                            size -= 1  # the "\r" of this "\r\n" ended the previous piece
                        break
                    size += len(chunk)
                    last = chunk
                yield too_large(lineno, size, max_record_bytes)
                continue
            size = _content_length(line)
            if size > max_record_bytes:
                yield too_large(lineno, size, max_record_bytes)
                continue
        yield _new(Record, (lineno, 0, line, "", None, 0))  # Record(lineno, 0, line), at C speed
