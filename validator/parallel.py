"""``--jobs N``: the stateless half of the fast road in N processes, the session in this one.

A large JSONL file is cut at line boundaries into chunks. Worker processes scan each chunk
with ``scan_append``, the expensive part (strict base64 over every byte, the content checks),
and send back one small verdict per line: its offset, and for a canonical append its event id,
size and flags. This process then replays the verdicts in file order through the same
``Linter``: ``accept`` applies what depends on the session (format, duplicate ids), and any
line that is not accepted is read again at its offset and takes the slow road here. So the
findings, their order and the statistics are those of ``--jobs 1``, which tests check.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
from array import array
from collections.abc import Iterator
from typing import NamedTuple

from .lint import Linter, Options, Statistics, scan_append
from .sources.jsonl import read_jsonl
from .violation import Violation

MIN_PARALLEL_BYTES = 16 * 2**20
"""Smaller inputs are linted in this process: starting workers would cost more."""
_CHUNK_BYTES = 8 * 2**20


class ChunkVerdicts(NamedTuple):
    """Per line of one chunk: its offset, and (event_id, size, flags, length) or None."""

    offsets: array[int]
    verdicts: list[tuple[bytes | None, int, int, int] | None]


def chunk_bounds(path: str, jobs: int) -> list[tuple[int, int]]:
    """Return (begin, end) byte ranges of ``path`` that start and end at line boundaries."""
    size = os.path.getsize(path)
    count = max(jobs * 4, size // _CHUNK_BYTES, 1)
    cuts = [0]
    with open(path, "rb") as stream:
        for k in range(1, count):
            target = size * k // count
            if target <= cuts[-1]:
                continue
            stream.seek(target - 1)
            stream.readline()  # to the end of the line that holds byte target - 1
            position = stream.tell()
            if cuts[-1] < position < size:
                cuts.append(position)
    cuts.append(size)
    return list(itertools.pairwise(cuts))


def scan_chunk(task: tuple[str, int, int, int, int]) -> ChunkVerdicts:
    """Return the verdicts of the lines in one chunk (runs in a worker process)."""
    path, begin, end, max_audio_bytes, max_record_bytes = task
    offsets: array[int] = array("q")
    verdicts: list[tuple[bytes | None, int, int, int] | None] = []
    limit = max_record_bytes + 2
    with open(path, "rb", buffering=1 << 20) as stream:
        stream.seek(begin)
        position = begin
        readline = stream.readline
        while position < end:
            line = readline(limit)
            if not line:
                break
            offsets.append(position)
            position += len(line)
            if len(line) > max_record_bytes:
                verdicts.append(None)  # maybe too long (RT105): the slow road decides
                while line and not line.endswith(b"\n"):  # skip to the end of the line
                    line = readline(1 << 20)
                    position += len(line)
                continue
            scanned = scan_append(line, max_audio_bytes)
            verdicts.append(None if scanned is None else (*scanned, len(line)))
    return ChunkVerdicts(offsets, verdicts)


def _context() -> multiprocessing.context.BaseContext:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else methods[0])


def lint_parallel(
    path: str, options: Options, statistics: Statistics, source: str, jobs: int
) -> Iterator[Violation]:
    """Yield the findings of a JSONL file as ``lint_records`` would, scanning in ``jobs``."""
    import time

    statistics.files += 1
    started = time.perf_counter()
    linter = Linter(options, statistics, source)
    tasks = [
        (path, begin, end, options.max_audio_bytes, options.max_record_bytes)
        for begin, end in chunk_bounds(path, jobs)
    ]
    line = 0
    try:
        with (
            _context().Pool(processes=jobs) as pool,
            open(path, "rb", buffering=1 << 16) as stream,
        ):
            for chunk in pool.imap(scan_chunk, tasks, chunksize=1):
                for offset, verdict in zip(chunk.offsets, chunk.verdicts, strict=True):
                    line += 1
                    if verdict is not None and options.fast and linter.accept(*verdict[:3]):
                        statistics.records += 1
                        statistics.bytes += verdict[3]
                        continue
                    stream.seek(offset)
                    record = next(read_jsonl(stream, options.max_record_bytes))
                    found = linter.slow(record._replace(line=line))
                    if found:
                        yield from found
        linter.finish()
    finally:
        statistics.seconds += time.perf_counter() - started


def eligible(path: str, jobs: int) -> bool:
    """Return True when ``path`` is worth scanning in ``jobs`` processes: a large JSONL file."""
    if jobs < 2 or path == "-":
        return False
    from .sources.detect import input_kind

    try:
        if not os.path.isfile(path) or os.path.getsize(path) < MIN_PARALLEL_BYTES:
            return False
        with open(path, "rb") as stream:
            head = stream.read(1 << 16)
    except OSError:
        return False  # the sequential road reports it
    return input_kind(path, head) == "lines"
