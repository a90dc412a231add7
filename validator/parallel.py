"""``--jobs N``: the stateless half of the fast road in N processes, the session in this one.

A large JSONL file is cut at line boundaries into chunks. Worker processes ``scan`` each chunk,
the expensive part (strict base64 over every byte, the content checks), and send back its
items: runs of appends summed up, the other records one by one (offsets, types, ids). This
process replays the items in file order through the same ``Linter`` as ``--jobs 1``, and a
record that the session refuses, or that the scan left for the slow road, is read again at its
offset and takes the slow road here. So the findings, their order and the statistics are those
of ``--jobs 1``, which tests check.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import os
from collections.abc import Callable, Generator, Iterable, Iterator
from itertools import islice
from typing import BinaryIO, cast

from .check import prepare
from .fastroad import ITEM_TYPES, TYPE_NAMES, Checked, Item, Prepared, Quiets, Slow, scan
from .lint import Linter, Options
from .sources.base import Record
from .sources.jsonl import BLOCK_BYTES as _BLOCK
from .sources.jsonl import line_blocks, read_jsonl
from .statistics import Statistics
from .violation import Violation

MIN_PARALLEL_BYTES = 16 * 2**20
"""Smaller inputs are linted in this process: starting workers would cost more."""
_CHUNK_BYTES = 8 * 2**20
_MAX_CHUNKS = 8192  # their numbers, 4 bytes each, fit the claims pipe's 64 KiB at once
Task = tuple[str, int, int, int, int]  # path, begin, end, max_audio_bytes, max_record_bytes


def chunk_ranges(size: int, jobs: int) -> list[tuple[int, int]]:
    """Return (begin, end) byte ranges that cut a file of ``size`` bytes into chunks.

    A chunk holds the lines that start in its range: the worker finds its first line itself,
    so this process reads nothing to cut the file (with lines of megabytes, finding every
    cut here was a serial read of most of the file).
    """
    count = min(max(jobs * 4, size // _CHUNK_BYTES, 1), _MAX_CHUNKS)
    cuts = sorted({size * k // count for k in range(count + 1)})
    return list(itertools.pairwise(cuts))


def _line_start(stream: BinaryIO, offset: int) -> int:
    """Return the offset of the first line that starts at or after ``offset``.

    Read in 64 KiB blocks, not with readline: a line of megabytes is not held whole.
    """
    if offset == 0:
        return 0
    offset -= 1  # a line starts at offset when the byte before it is a newline
    stream.seek(offset)
    while True:
        block = stream.read(1 << 16)
        if not block:
            return offset
        found = block.find(b"\n")
        if found >= 0:
            return offset + found + 1
        offset += len(block)


def scan_chunk(task: Task, buffer: bytearray | None = None) -> list[Item]:
    """Return the items of the lines in one chunk, offsets in the file (in a worker process).

    ``buffer``: the block buffer of the previous chunk, filled again (fresh pages cost faults).
    """
    path, begin, end, max_audio_bytes, max_record_bytes = task
    items: list[Item] = []
    # blocks are read past the stream's own buffer; it serves lines longer than a block
    with cast(io.BufferedReader, open(path, "rb", buffering=1 << 16)) as stream:
        offset = _line_start(stream, begin)
        if offset >= end:
            return items  # no line starts in this chunk
        stream.seek(offset)
        for block in line_blocks(stream, max_record_bytes, end, buffer):
            if type(block) is int:
                after = stream.tell()
                items.append(Slow(offset, after, 1))  # over the limit: RT105 on the slow road
                offset = after
                continue
            data, stop = block  # type: ignore[misc]
            scanned = scan(data, 0, stop, max_audio_bytes, max_record_bytes, offset)
            items.extend(_prepared(scanned, data, offset, max_audio_bytes, max_record_bytes))
            offset += stop
    return items


_PREPARE_MIN_BYTES = 1024
_PREPARE_MAX_FINDINGS = 4


def _prepared(
    items: list[Item], data: bytearray, base: int, max_audio_bytes: int, max_record_bytes: int
) -> Iterator[Item]:
    """Yield ``items`` with the appends of each ``Slow`` run read by ``check.prepare``.

    Appends with findings of their own (bad base64, an odd size, float32) take the slow road;
    read here, in a worker, they leave this process only the session's half to do. Only lines
    of a kilobyte or more, with a few findings: a prepared record is a few hundred bytes,
    and for a short line the slow road costs little here anyway; so the results of a chunk
    stay a fraction of its size, whatever the input (a million tiny bad lines).
    """
    for item in items:
        if type(item) is not Slow:
            yield item
            continue
        pos, stop = item.start - base, item.end - base
        run_start = item.start  # of the run not yet yielded, Slow or Checked
        slow_lines = 0
        checked: list[Prepared] = []
        while pos < stop:
            newline = data.find(b"\n", pos, stop)
            end = stop if newline < 0 else newline + 1
            prepared = None
            if end - pos >= _PREPARE_MIN_BYTES:
                prepared = prepare(data[pos:end], base + pos, max_audio_bytes, max_record_bytes)
                if prepared is not None and len(prepared.found) > _PREPARE_MAX_FINDINGS:
                    prepared = None  # many findings: their text could outweigh the line
            if prepared is None:
                if checked:
                    yield Checked(run_start, base + pos, checked)
                    checked, run_start = [], base + pos
                slow_lines += 1
            else:
                if slow_lines:
                    yield Slow(run_start, base + pos, slow_lines)
                    slow_lines, run_start = 0, base + pos
                checked.append(prepared)
            pos = end
        if checked:
            yield Checked(run_start, item.end, checked)
        elif slow_lines:
            yield Slow(run_start, item.end, slow_lines)


_TAGS = {kind: tag for tag, kind in enumerate(ITEM_TYPES)}


def _encode(index: int, items: list[Item]) -> bytes:
    import json

    encoded = [[_TAGS[type(item)], *item] for item in items]
    return json.dumps([index, encoded]).encode("ascii") + b"\n"


def _decode(line: bytes) -> list[Item]:
    import json

    _, decoded = json.loads(line)
    items = []
    for tag, *fields in decoded:
        item = ITEM_TYPES[tag]._make(fields)
        if type(item) is Quiets:  # one string per type, as in the worker
            item = item._replace(types=[TYPE_NAMES.get(name, name) for name in item.types])
        elif type(item) is Checked:
            item = item._replace(records=[Prepared._make(fields) for fields in item.records])
        items.append(item)
    return items


def _scan_forked(tasks: list[Task], jobs: int) -> Generator[list[Item], None, None]:
    """Yield ``scan_chunk`` of each task, in order, from this process and ``jobs - 1`` forks.

    The task numbers wait in a pipe, and each process claims the next one when it is free (a
    4-byte read from a pipe is atomic), so the work divides itself: this process also replays
    every result, and claims fewer. A worker writes each result as a line of JSON into its own
    pipe (plain data: no pickle crosses a pipe); this process keeps those that arrive early
    until their turn. Forking by hand costs about a millisecond where multiprocessing.Pool,
    its import, threads and queues cost about 30: at these input sizes that is the difference.
    """
    import select
    import signal

    claims, fill = os.pipe()
    with os.fdopen(fill, "wb") as queue:  # closed before forking: an empty queue reads as EOF
        queue.write(b"".join(index.to_bytes(4, "little") for index in range(len(tasks))))
    workers: list[tuple[int, int]] = []  # pid, read end of its results pipe
    try:
        for _ in range(1, jobs):
            read_end, write_end = os.pipe()
            _widen(write_end)
            pid = os.fork()
            if pid == 0:  # the worker: scan, write, and leave without running any cleanup
                status = 1
                try:
                    os.close(read_end)
                    buffer = bytearray(_BLOCK)
                    with os.fdopen(write_end, "wb") as out:
                        while len(claim := os.read(claims, 4)) == 4:
                            index = int.from_bytes(claim, "little")
                            out.write(_encode(index, scan_chunk(tasks[index], buffer)))
                            out.flush()  # now: a small result would wait in the buffer
                    status = 0
                finally:
                    os._exit(status)
            os.close(write_end)
            workers.append((pid, read_end))
        # scanned here, or a worker's result still as JSON: decoded in its turn, so that the
        # results that arrive early hold little memory
        results: dict[int, list[Item] | bytes] = {}
        pending = {fd: bytearray() for _, fd in workers}  # a result's first part, per worker
        buffer = bytearray(_BLOCK)
        claimed_all = False
        for index in range(len(tasks)):
            while index not in results:
                ready = select.select(list(pending), [], [], None if claimed_all else 0)[0]
                for fd in ready:
                    if not _take_results(fd, pending, results):
                        del pending[fd]  # that worker has ended
                if index in results:
                    break
                claim = b"" if claimed_all else os.read(claims, 4)
                if len(claim) == 4:
                    mine = int.from_bytes(claim, "little")
                    results[mine] = scan_chunk(tasks[mine], buffer)
                    continue
                claimed_all = True
                if not pending:
                    raise OSError(f"a worker process ended early (chunk {index})")
            result = results.pop(index)
            yield _decode(result) if isinstance(result, bytes) else result
    finally:
        os.close(claims)
        for pid, fd in workers:
            os.close(fd)
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)  # done already, or no longer wanted
            os.waitpid(pid, 0)


def _widen(fd: int) -> None:
    """Let a results pipe hold a megabyte, where the platform allows it (Linux).

    A worker blocks when its pipe is full, and this process reads only between its own
    chunks: with 64 KiB, the results of a chunk of findings (a few hundred kB of JSON) kept
    the worker waiting for most of a chunk's time.
    """
    try:
        import fcntl

        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, 1 << 20)
    except (ImportError, AttributeError, OSError):
        pass  # the default size: slower with many findings, the same results


def _take_results(
    fd: int, pending: dict[int, bytearray], results: dict[int, list[Item] | bytes]
) -> bool:
    """Read what a worker wrote; keep each whole result. False once the worker has ended."""
    data = os.read(fd, 1 << 20)
    if not data:
        return False
    part = pending[fd]
    part += data
    end = part.rfind(b"\n") + 1
    if end:
        for line in bytes(part[:end]).splitlines():
            results[int(line[1 : line.index(b",")])] = line  # '[index, items]'

        del part[:end]
    return True


def _scan_pool(tasks: list[Task], jobs: int) -> Generator[list[Item], None, None]:
    """The same with multiprocessing, where this platform cannot fork."""
    import multiprocessing

    with multiprocessing.get_context().Pool(processes=jobs) as pool:
        yield from pool.imap(scan_chunk, tasks, chunksize=1)


def lint_parallel(
    path: str,
    options: Options,
    statistics: Statistics,
    source: str,
    jobs: int,
    progress: Callable[[int], None] | None = None,
) -> Iterator[Violation]:
    """Yield the findings of a JSONL file as ``lint_stream`` would, scanning in ``jobs``."""
    import time

    statistics.files += 1
    started = time.perf_counter()
    linter = Linter(options, statistics, source)
    tasks: list[Task] = [
        (path, begin, end, options.max_audio_bytes, options.max_record_bytes)
        for begin, end in chunk_ranges(os.path.getsize(path), jobs)
    ]
    line = 1
    try:
        scan = _scan_forked if hasattr(os, "fork") else _scan_pool
        chunks = scan(tasks, jobs)
        with (
            contextlib.closing(chunks),  # stops and reaps the workers however this ends
            open(path, "rb", buffering=1 << 13) as stream,  # re-reads a line here and there
        ):

            def records_at(start: int, end: int, count: int, line: int) -> Iterable[Record]:
                stream.seek(start)  # read again here, in bounded pieces (a line may be huge)
                return islice(read_jsonl(stream, options.max_record_bytes, line), count)

            for task, items in zip(tasks, chunks, strict=True):
                if progress is not None:
                    progress(task[2])  # the chunk's end offset: bytes done
                line = yield from linter.replay(items, line, records_at)
    finally:
        linter.finish()  # what was read, also when a read failed halfway
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
