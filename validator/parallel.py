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

import contextlib
import itertools
import os
from collections.abc import Callable, Generator, Iterator
from typing import BinaryIO, NamedTuple

from .lint import Linter, Options, Statistics, scan_append, scan_quiet
from .sources.jsonl import read_jsonl
from .violation import Violation

MIN_PARALLEL_BYTES = 16 * 2**20
"""Smaller inputs are linted in this process: starting workers would cost more."""
_CHUNK_BYTES = 8 * 2**20
_WHOLE_CHUNK_BYTES = 64 * 2**20  # a chunk up to this size is read at once
Task = tuple[str, int, int, int, int]  # path, begin, end, max_audio_bytes, max_record_bytes


Verdict = tuple[int, str | None, int, int] | tuple[int, str, str | None] | None
"""(length, event_id, size, flags) for an append the fast road accepts, (length, type,
event_id) for a record that can only be RT402, None for a line for the slow road."""


class Run(NamedTuple):
    """Consecutive appends the fast road accepts, summed up so they can be taken at once."""

    start: int  # index of the first line in the chunk
    end: int  # index past the last
    ids: list[str]  # their event_ids
    unique: bool  # no event_id twice among them
    total: int  # decoded bytes
    smallest: int
    largest: int
    flags: int  # any odd size or float32 look (they matter for pcm16 only)
    length: int  # bytes of input


class ChunkVerdicts(NamedTuple):
    """Per line of one chunk: its offset and its verdict; and the runs of appends."""

    offsets: list[int]
    verdicts: list[Verdict]
    runs: list[Run]


def _runs(verdicts: list[Verdict]) -> list[Run]:
    runs = []
    i, n = 0, len(verdicts)
    while i < n:
        if verdicts[i] is None or len(verdicts[i]) != 4:  # type: ignore[arg-type]
            i += 1
            continue
        j = i
        ids: list[str] = []
        total = length = flags = 0
        smallest, largest = 1 << 62, 0
        while j < n:
            verdict = verdicts[j]
            if verdict is None or len(verdict) != 4:
                break
            size, event_id, nbytes, flag = verdict
            length += size
            if event_id is not None:
                ids.append(event_id)
            total += nbytes
            smallest = min(smallest, nbytes)
            largest = max(largest, nbytes)
            flags |= flag
            j += 1
        runs.append(
            Run(i, j, ids, len(set(ids)) == len(ids), total, smallest, largest, flags, length)
        )
        i = j
    return runs


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
            position = _line_end(stream, target - 1, size)
            if cuts[-1] < position < size:
                cuts.append(position)
    cuts.append(size)
    return list(itertools.pairwise(cuts))


def _line_end(stream: BinaryIO, offset: int, size: int) -> int:
    """Return the offset just past the newline at or after ``offset`` (or ``size``).

    Read in 64 KiB blocks, not with readline: a line of megabytes is not held whole.
    """
    stream.seek(offset)
    while True:
        block = stream.read(1 << 16)
        if not block:
            return size
        found = block.find(b"\n")
        if found >= 0:
            return offset + found + 1
        offset += len(block)


def _lines_of(stream: BinaryIO, begin: int, end: int, limit: int) -> Iterator[tuple[int, bytes]]:
    """Yield (offset, line) for the lines in [begin, end); a line over ``limit`` bytes is cut
    to its first ``limit`` bytes (enough to know it is too long) and the rest skipped."""
    stream.seek(begin)
    if end - begin <= _WHOLE_CHUNK_BYTES:
        # one read of the chunk, split here: a long line is copied once, not piece by piece
        data = stream.read(end - begin)
        position, size = 0, len(data)
        while position < size:
            newline = data.find(b"\n", position)
            stop = size if newline < 0 else newline + 1
            yield begin + position, data[position : min(stop, position + limit)]
            position = stop
        return
    position = begin
    readline = stream.readline
    while position < end:
        line = readline(limit)
        if not line:
            return
        yield position, line
        position += len(line)
        while line and not line.endswith(b"\n"):  # over the limit: skip to the line's end
            line = readline(1 << 20)
            position += len(line)


def scan_chunk(task: Task) -> ChunkVerdicts:
    """Return the verdicts of the lines in one chunk (runs in a worker process)."""
    path, begin, end, max_audio_bytes, max_record_bytes = task
    offsets: list[int] = []
    verdicts: list[Verdict] = []
    with open(path, "rb", buffering=1 << 20) as stream:
        for offset, line in _lines_of(stream, begin, end, max_record_bytes + 2):
            offsets.append(offset)
            if len(line) > max_record_bytes:
                verdicts.append(None)  # maybe too long (RT105): the slow road decides
                continue
            scanned = scan_append(line, max_audio_bytes)
            if scanned is not None:
                raw_id, nbytes, flags = scanned
                event_id = None if raw_id is None else raw_id.decode("ascii")
                verdicts.append((len(line), event_id, nbytes, flags))
                continue
            quiet = scan_quiet(line)
            verdicts.append(None if quiet is None else (len(line), *quiet))
    return ChunkVerdicts(offsets, verdicts, _runs(verdicts))


def _take_run(linter: Linter, statistics: Statistics, run: Run) -> bool:
    """Account for a run of appends at once, or return False to take them one by one."""
    session = linter.session
    if run.flags and session.audio_format == "pcm16":
        return False  # RT306 or RT308 somewhere in it
    if not run.unique or not session.event_ids.isdisjoint(run.ids):
        return False  # RT402 somewhere in it
    session.event_ids.update(run.ids)
    session.add_run(session.audio_format, run.total, run.smallest, run.largest)
    appends = run.end - run.start
    linter.fast_appends += appends
    linter.fast_bytes += run.total
    statistics.records += appends
    statistics.bytes += run.length
    return True


def _scan_forked(tasks: list[Task], jobs: int) -> Generator[ChunkVerdicts, None, None]:
    """Yield ``scan_chunk`` of each task, in order, from ``jobs`` forked workers.

    Worker k scans tasks k, k + jobs, ... and writes each result as one line of JSON into its
    own pipe (plain data: no pickle crosses the pipe); this process reads the pipes round
    robin, so results arrive in task order while the workers run ahead. Forking by hand costs
    about a millisecond where multiprocessing.Pool, its import, threads and queues cost about
    30: at these input sizes that is the difference.
    """
    import json
    import signal

    workers: list[tuple[int, BinaryIO]] = []
    try:
        for k in range(jobs):
            read_end, write_end = os.pipe()
            pid = os.fork()
            if pid == 0:  # the worker: scan, write, and leave without running any cleanup
                status = 1
                try:
                    os.close(read_end)
                    with os.fdopen(write_end, "wb") as out:
                        for task in tasks[k::jobs]:
                            out.write(json.dumps(scan_chunk(task)).encode("ascii") + b"\n")
                    status = 0
                finally:
                    os._exit(status)
            os.close(write_end)
            workers.append((pid, os.fdopen(read_end, "rb")))
        for index in range(len(tasks)):
            line = workers[index % jobs][1].readline()
            if not line.endswith(b"\n"):
                raise OSError(f"a worker process ended early (chunk {index})")
            offsets, verdicts, runs = json.loads(line)
            yield ChunkVerdicts(offsets, verdicts, [Run(*run) for run in runs])
    finally:
        for pid, pipe in workers:
            pipe.close()
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)  # done already, or no longer wanted
            os.waitpid(pid, 0)


def _scan_pool(tasks: list[Task], jobs: int) -> Generator[ChunkVerdicts, None, None]:
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
    """Yield the findings of a JSONL file as ``lint_records`` would, scanning in ``jobs``."""
    import time

    statistics.files += 1
    started = time.perf_counter()
    linter = Linter(options, statistics, source)
    tasks: list[Task] = [
        (path, begin, end, options.max_audio_bytes, options.max_record_bytes)
        for begin, end in chunk_bounds(path, jobs)
    ]
    line = 0
    try:
        scan = _scan_forked if hasattr(os, "fork") else _scan_pool
        chunks = scan(tasks, jobs)
        with (
            contextlib.closing(chunks),  # stops and reaps the workers however this ends
            open(path, "rb", buffering=1 << 13) as stream,  # re-reads a line here and there
        ):
            for task, chunk in zip(tasks, chunks, strict=True):
                if progress is not None:
                    progress(task[2])  # the chunk's end offset: bytes done
                runs = {run.start: run for run in chunk.runs} if options.fast else {}
                offsets, verdicts = chunk.offsets, chunk.verdicts
                index, count = 0, len(verdicts)
                while index < count:
                    run = runs.get(index)
                    if run is not None and _take_run(linter, statistics, run):
                        line += run.end - run.start
                        index = run.end
                        continue
                    offset, verdict = offsets[index], verdicts[index]
                    index += 1
                    line += 1
                    if verdict is not None and options.fast:
                        if len(verdict) == 4:
                            accepted = linter.accept(verdict[1], verdict[2], verdict[3])
                        else:
                            accepted = linter.accept_quiet(verdict[1], verdict[2])
                        if accepted:
                            statistics.records += 1
                            statistics.bytes += verdict[0]
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
