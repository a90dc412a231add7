"""The ``--jobs`` executor: tasks run in this process and ``jobs - 1`` forked workers.

``ordered(tasks, jobs)`` yields the result of every task (``protocol.run_task``) in the
tasks' order, whichever process ran it. The task numbers wait in a pipe, and each process
claims the next one when it is free (a 4-byte read from a pipe is atomic), so the work
divides itself: this process also consumes every result (replays a chunk, reports a file's
findings), and claims fewer. This process feeds the pipe a window ahead of the result it
waits for, so that the results that arrive early, held here until their turn, stay bounded
however many files a run has. A worker writes each result as a line of JSON into its own
pipe (plain data: no pickle crosses a pipe). Forking by hand costs about a millisecond where
multiprocessing.Pool, its import, threads and queues cost about 30: for a run of a few
hundred milliseconds that is the difference. Where a platform cannot fork, a
multiprocessing pool runs the same tasks (``_pool``), its results JSON too.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Generator, Sequence

from ..sources.jsonl import BLOCK_BYTES
from .protocol import Result, Task, decode_result, encode_task_result, result_index, run_task

AHEAD_PER_JOB = 16
"""Tasks claimable beyond the one whose result is awaited, per process."""


def cpu_count() -> int:
    """Return the cores this process may run on (``--jobs 0``)."""
    counted = getattr(os, "process_cpu_count", None)  # Python 3.13
    if counted is not None:
        return int(counted() or 1)
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on every platform
        return os.cpu_count() or 1


def ordered(tasks: Sequence[Task], jobs: int) -> Generator[Result, None, None]:
    """Yield the result of each task, in order, from this process and ``jobs - 1`` others."""
    if hasattr(os, "fork"):
        return _forked(tasks, jobs)
    return _pool(tasks, jobs)


def _forked(tasks: Sequence[Task], jobs: int) -> Generator[Result, None, None]:
    import select
    import signal

    claims, fill = os.pipe()
    os.set_blocking(claims, False)  # this process must never wait for a claim
    workers: dict[int, int] = {}  # read end of its results pipe -> pid
    fed = 0  # tasks whose numbers are in the pipe

    def feed(upto: int) -> int:
        nonlocal fill
        upto = min(upto, len(tasks))
        if fed < upto:
            os.write(fill, b"".join(i.to_bytes(4, "little") for i in range(fed, upto)))
        if upto == len(tasks) and fill >= 0:
            os.close(fill)  # every number given: an empty pipe now reads as the end
            fill = -1
        return max(fed, upto)

    jobs = min(jobs, len(tasks))  # no worker without a task to claim
    try:
        ahead = AHEAD_PER_JOB * jobs  # at most 16 KiB of numbers: a write never blocks
        fed = feed(ahead)
        for _ in range(1, jobs):
            read_end, write_end = os.pipe()
            _widen(write_end)
            pid = os.fork()
            if pid == 0:  # the worker: run, write, and leave without running any cleanup
                _work(tasks, claims, fill, read_end, write_end)
            os.close(write_end)
            workers[read_end] = pid
        # run here, or a worker's result still as JSON: decoded in its turn, so that the
        # results that arrive early hold little memory
        results: dict[int, Result | bytes] = {}
        pending = {fd: bytearray() for fd in workers}  # a result's first part, per worker
        buffer = bytearray(BLOCK_BYTES)
        claimed_all = False
        for index in range(len(tasks)):
            if fed - index < ahead // 2:
                fed = feed(index + ahead)  # half a window at a time: fewer writes
            while index not in results:
                # what the workers sent, then a task of our own if one is left, else wait
                if pending:
                    for fd in select.select(list(pending), [], [], 0)[0]:
                        _take(fd, pending, results, workers, index)
                    if index in results:
                        break
                claim = b""
                if not claimed_all:
                    try:
                        claim = os.read(claims, 4)
                    except BlockingIOError:  # the workers have them all, for now
                        claim = b"-"
                if len(claim) == 4:
                    mine = int.from_bytes(claim, "little")
                    results[mine] = run_task(tasks[mine], buffer)
                    continue
                claimed_all = claimed_all or not claim  # closed and empty: the rest is theirs
                if not pending:
                    raise OSError(f"a worker process ended early (task {index})")
                for fd in select.select(list(pending), [], [])[0]:
                    _take(fd, pending, results, workers, index)
            result = results.pop(index)
            yield decode_result(result) if isinstance(result, bytes) else result
    finally:
        os.close(claims)
        if fill >= 0:
            os.close(fill)
        for fd, pid in workers.items():
            os.close(fd)
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)  # done already, or no longer wanted
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)


def _work(tasks: Sequence[Task], claims: int, fill: int, read_end: int, write_end: int) -> None:
    """A worker's life: claim a task, run it, write its result; never return."""
    import gc
    import select

    status = 1
    try:
        # what this worker inherited, the collector leaves alone: walking it would copy
        # every page it touches (copy-on-write), for garbage that is not there
        gc.freeze()
        os.close(read_end)
        if fill >= 0:
            os.close(fill)  # this worker never feeds: the end comes when the parent closes
        buffer = bytearray(BLOCK_BYTES)
        with os.fdopen(write_end, "wb") as out:
            while True:
                try:
                    claim = os.read(claims, 4)
                except BlockingIOError:  # another process took it: wait for the next
                    select.select([claims], [], [])
                    continue
                if len(claim) != 4:
                    break  # the pipe is closed and empty: every task is claimed
                index = int.from_bytes(claim, "little")
                task = tasks[index]
                out.write(encode_task_result(index, task, run_task(task, buffer)))
                out.flush()  # now: a small result would wait in the buffer
        status = 0
    finally:
        os._exit(status)


def _take(
    fd: int,
    pending: dict[int, bytearray],
    results: dict[int, Result | bytes],
    workers: dict[int, int],
    index: int,
) -> None:
    """Take what a worker sent; once it has ended, reap it (an error unless it ended well)."""
    if not _take_results(fd, pending, results):
        del pending[fd]
        os.close(fd)
        _reap(workers.pop(fd), index)


def _reap(pid: int, index: int) -> None:
    """Wait for a worker whose results pipe has ended; raise OSError unless it ended well."""
    _, status = os.waitpid(pid, 0)
    if status != 0:
        raise OSError(f"a worker process ended early (task {index})")


def _widen(fd: int) -> None:
    """Let a results pipe hold a megabyte, where the platform allows it (Linux).

    A worker blocks when its pipe is full, and this process reads only between its own
    tasks: with 64 KiB, the results of a chunk of findings (a few hundred kB of JSON) kept
    the worker waiting for most of a chunk's time.
    """
    try:
        import fcntl

        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, 1 << 20)
    except (ImportError, AttributeError, OSError):
        pass  # the default size: slower with many findings, the same results


def _take_results(
    fd: int, pending: dict[int, bytearray], results: dict[int, Result | bytes]
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
            results[result_index(line)] = line
        del part[:end]
    return True


def _encoded(numbered: tuple[int, Task]) -> bytes:
    index, task = numbered
    return encode_task_result(index, task, run_task(task))


def _pool(tasks: Sequence[Task], jobs: int) -> Generator[Result, None, None]:
    """The same with multiprocessing, where this platform cannot fork: JSON results too."""
    import multiprocessing

    with multiprocessing.get_context().Pool(processes=jobs) as pool:
        for line in pool.imap(_encoded, enumerate(tasks), chunksize=1):
            yield decode_result(line)
