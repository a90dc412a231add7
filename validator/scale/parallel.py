"""``--jobs N``: a run's inputs over N processes, as tasks of one pool, findings in order.

Each input becomes tasks (``protocol``): a large local JSONL file is cut into chunks that
the workers scan and this process replays through the session (``replay``); any other input
(a small capture, a HAR, a JSON document, a gzip file, a URL) is one task that a worker
lints whole. All the tasks go to one executor (``pool.ordered``: this process and forked
workers; ``distributed``: a Dask cluster), in the order a sequential run reads the inputs,
and ``Executor.outcome`` gives each input's ``Outcome`` in that order: its findings, its
statistics and its read failure exactly as reading it here would have given them. Standard input is
never a task: it is read here, in its turn.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from typing import cast

from ..core.record import Record
from ..core.statistics import Statistics
from ..core.violation import Violation
from ..engine.driver import Linter
from ..engine.fastroad import Item
from ..engine.hearing import SIGNAL_CODES
from ..engine.linting import Outcome, raise_failure
from ..engine.options import Options
from ..sources.inputs import Input
from ..sources.jsonl import read_jsonl
from . import protocol
from .filebytes import FileBytes
from .protocol import (
    ChunkTask,
    FileBatch,
    FileTask,
    Result,
    Task,
    chunk_ranges,
    eligible,
)

Progress = Callable[[int], None]
"""Told the bytes of the input done so far."""

Stamp = tuple[int, int, int, int]
"""A file's size, modification time (ns), inode and device: what its chunks were cut from."""


def stamp(status: os.stat_result) -> Stamp:
    """Return the ``Stamp`` of a file's status."""
    return (status.st_size, status.st_mtime_ns, status.st_ino, status.st_dev)


class Changed(OSError):
    """A file split into chunks that changed before its chunks were all read: they no longer
    add up to one file (a capture cut short, rewritten, or still being written)."""

    def __str__(self) -> str:
        return f"it changed while it was linted ({self.args[0]}): lint it again"


class Executor:
    """Runs the tasks of a run's inputs and gives each input's findings in its turn.

    ``planned``: each input with its options, or None for one linted elsewhere (a broken
    configuration). Subclasses say how an input becomes tasks (``split``) and where the
    tasks run (``results``).
    """

    batch_bytes = 1 << 20
    """Small whole inputs are batched up to this many bytes in one task..."""
    batch_files = 16
    """...and this many inputs."""

    def __init__(
        self, planned: Sequence[tuple[Input, Options] | None], event_pointer: str | None
    ) -> None:
        self.tasks: list[Task] = []
        self.stamps: dict[str, Stamp] = {}  # each split file, as it was when cut
        # per input: its first task and how many (chunks), or its batch and its place there
        self.spans: list[tuple[int, int] | None] = []
        self.planned = planned
        batch: list[FileTask] = []
        batched = 0  # bytes in the batch
        for entry in planned:
            if entry is None or entry[0].path == "-":
                self.spans.append(None)
                continue
            inp, options = entry
            chunks = self.split(inp, options) if event_pointer is None else []
            if chunks:
                batch = []
                self.spans.append((len(self.tasks), len(chunks)))
                self.tasks.extend(chunks)
                continue
            size = inp.size()
            size = self.batch_bytes if size is None else size
            if not batch or batched + size > self.batch_bytes or len(batch) >= self.batch_files:
                batch, batched = [], 0
                self.tasks.append(FileBatch(batch))
            self.spans.append((len(self.tasks) - 1, -len(batch)))  # a place: 0, -1, -2...
            batch.append(FileTask(inp, options, event_pointer))
            batched += size
        self._results: Iterator[Result] | None = None
        self._outcomes: list[Outcome] = []  # of the batch being handed out
        self._batch = -1  # its task
        self._failed: str | None = None  # why the results ended early (a worker lost)

    def split(self, inp: Input, options: Options) -> list[ChunkTask]:
        """Return the chunks of an input worth splitting, else [] (one task, the whole)."""
        return []

    def results(self) -> Iterator[Result]:
        """Return the results of ``self.tasks``, in order."""
        raise NotImplementedError

    def start(self) -> None:
        """Start the tasks now rather than at the first input's turn."""
        if self._results is None:
            self._results = self.results()

    def runs(self, position: int) -> bool:
        """Return True when the input at ``position`` is linted by this executor."""
        return self.spans[position] is not None

    def outcome(self, position: int, progress: Progress | None = None) -> Outcome:
        """Return the ``Outcome`` of the input at ``position``, as linting it here gives it:
        its findings in order, its statistics (complete once they are read), and how reading
        it failed, raised after the findings of what was read. Nothing is waited for before
        its findings are read: a worker lost then is an error of reading this input. Inputs
        are taken in order, each once."""
        own = Statistics()
        return Outcome(self._found(position, own, progress), own)

    def _found(
        self, position: int, stats: Statistics, progress: Progress | None
    ) -> Iterator[Violation]:
        """Yield the findings of the input at ``position``, counting into ``stats`` (fresh);
        raise SourceError or OSError where reading it failed, after the findings."""
        span = self.spans[position]
        assert span is not None
        first, count = span
        tasks = self.tasks
        if type(tasks[first]) is FileBatch:
            if self._batch != first:  # the next batch: every task before it is taken
                self._outcomes = cast(list[Outcome], self._next())
                self._batch = first
            outcome = self._outcomes[-count]
            vars(stats).update(vars(outcome.statistics))  # the worker's counts: the input's
            yield from outcome.found
            if progress is not None:
                progress(cast(FileBatch, tasks[first]).files[-count].input.size() or 0)
            raise_failure(outcome.failure)
            return
        chunks = cast(list[ChunkTask], tasks[first : first + count])
        inp, options = cast(tuple[Input, Options], self.planned[position])
        done = (self._next() for _ in range(count))
        yield from replay(chunks, done, inp.name, options, stats, progress, self.stamps[inp.path])

    def _next(self) -> Result:
        """Return the next task's result. Once the results ended early (a worker lost, an
        error the pool raised), every input still to come fails with the same words: its
        tasks will not run."""
        if self._failed is None:
            if self._results is None:
                self._results = self.results()
            try:
                return next(self._results)
            except StopIteration:
                self._failed = "the workers' results ended early"
            except OSError as error:
                self._failed = str(error)
                raise
        raise OSError(self._failed)

    def close(self) -> None:
        """Stop the tasks still running and end the workers (however the run ends)."""
        results, self._results = self._results, None
        if results is not None and hasattr(results, "close"):
            results.close()


class Pooled(Executor):
    """``--jobs N``: this process and N - 1 forked workers (``pool.ordered``)."""

    def __init__(
        self,
        planned: Sequence[tuple[Input, Options] | None],
        event_pointer: str | None,
        jobs: int,
    ) -> None:
        self.jobs = jobs
        super().__init__(planned, event_pointer)

    def split(self, inp: Input, options: Options) -> list[ChunkTask]:
        """Return the chunks of a large local JSONL file (``protocol.eligible``)."""
        if not inp.local:
            return []
        size = inp.size()  # a small file is not looked at any further: one stat
        if size is None or size < protocol.MIN_PARALLEL_BYTES or not eligible(inp.path, self.jobs):
            return []
        try:
            status = os.stat(inp.path)
        except OSError:
            return []  # linted whole: the read says why
        self.stamps[inp.path] = stamp(status)
        levels = not SIGNAL_CODES.isdisjoint(options.enabled)
        spec = "RT206" in options.enabled  # as the driver's: an unselected RT206 reads no schema
        limits = (options.max_audio_bytes, options.max_record_bytes)
        return [
            (inp.path, begin, end, *limits, levels, spec)
            for begin, end in chunk_ranges(status.st_size, self.jobs)
        ]

    def results(self) -> Iterator[Result]:
        """Return the results from this process and the forked workers."""
        from .pool import ordered

        return ordered(self.tasks, self.jobs)


def replay(
    chunks: Sequence[ChunkTask],
    results: Iterable[Result],
    source: str,
    options: Options,
    statistics: Statistics,
    progress: Progress | None = None,
    cut_from: Stamp | None = None,
) -> Iterator[Violation]:
    """Yield the findings of a JSONL file from the scanned items of its chunks, in order, as
    ``lint_stream`` would give them: the session's half here, re-reading at its offset each
    line that takes the slow road. ``cut_from``: the file as the chunks were cut from it;
    raise ``Changed`` (after the findings) when it is no longer that file."""
    path = chunks[0][0]
    statistics.files += 1
    started = time.perf_counter()
    linter = Linter(options, statistics, source)
    line = 1
    try:
        # re-reads a line here and there, in bounded pieces (a line may be huge)
        with open(path, "rb", buffering=1 << 13) as stream:

            def records_at(start: int, end: int, count: int, line: int) -> Iterable[Record]:
                stream.seek(start)
                records = islice(read_jsonl(stream, options.max_record_bytes, line), count)
                return _all_of(records, count, line)

            # the lines the audio-signal rules ask for again, walked to in the file
            block = FileBytes(stream, Changed)
            for task, items in zip(chunks, results, strict=True):
                if progress is not None:
                    progress(task[2])  # the chunk's end offset: bytes done
                line = yield from linter.replay(
                    cast(list[Item], items), line, records_at, block=block
                )
            yield from linter.ended()
        if cut_from is not None:
            _unchanged(path, cut_from)
    finally:
        linter.finish()  # what was read, also when a read failed halfway
        statistics.seconds += time.perf_counter() - started


def _all_of(records: Iterable[Record], count: int, line: int) -> Iterator[Record]:
    """Yield ``records``, the ``count`` lines from ``line`` on; raise ``Changed`` where one
    is missing: a worker scanned it, and it is no longer where the worker found it."""
    read = 0
    for record in records:
        read += 1
        yield record
    if read < count:
        raise Changed(f"line {line + read:,} is gone")


def _unchanged(path: str, cut_from: Stamp) -> None:
    """Raise ``Changed`` unless the file at ``path`` is still the one its chunks were cut
    from: its size, modification time and inode as they were."""
    try:
        now = stamp(os.stat(path))
    except OSError as exc:
        raise Changed(exc.strerror or str(exc)) from exc
    if now[0] != cut_from[0]:
        raise Changed(f"{cut_from[0]:,} bytes when it was split, {now[0]:,} now")
    if now != cut_from:
        raise Changed("written to, or replaced, after it was split")
