"""Linting on a Dask cluster: one task per capture, findings back in a sequential run's order.

``--dask tcp://scheduler:8786`` (an existing cluster) or ``--dask local`` (a ``LocalCluster``
of this machine's cores) sends each input to the cluster as one task (``protocol.FileTask``),
which a worker opens itself (a local path on a shared file system, or a URL read through
fsspec with the worker's own credentials) and lints whole, as one process would; the task
returns its findings and statistics as a string of JSON (``protocol.encode_result``), so
that nothing an input holds is ever unpickled here. The results are taken in the inputs'
order, each released once read: the findings print as a sequential run prints them, and the
statistics merge as they do there. Inputs are not split: a capture is one session, most are
megabytes, and splitting one would have this process read its slow-road lines again over
the network (``--jobs`` does that for local files); across thousands of captures, whole
files keep every worker busy. A worker lost mid-run: the scheduler runs its tasks again
elsewhere. An input that cannot be read is reported (exit 2) and the rest are linted.

For the library: ``lint(paths, client)`` is ``validator.lint`` over a cluster, and
``findings_bag(paths)`` a ``dask.bag`` of findings (dicts, as the json format writes them)
for those who continue in Dask (filter, ``to_dataframe``, parquet).

Dask, distributed and fsspec are imported only here, and this module only when a run names
a scheduler or calls it (the ``[dask]`` extra).
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, cast

from ..core.install import install_hint
from ..core.record import DEFAULT_MAX_RECORD_BYTES
from ..core.statistics import Statistics
from ..core.violation import Violation
from ..engine.linting import LintResult, Outcome, counted, lint_options
from ..engine.options import Options
from ..sources.inputs import Input
from .parallel import Executor
from .protocol import (
    FileBatch,
    FileTask,
    Result,
    decode_result,
    encode_result,
    run_task,
)

_NEEDS = f"--dask needs dask and distributed: {install_hint('dask')}"


def lint_task(task: FileBatch) -> str:
    """Return what linting whole inputs gives, as JSON text (run on a Dask worker)."""
    return encode_result(0, run_task(task), batch=True).decode("ascii")


@contextlib.contextmanager
def sigint_deferred() -> Iterator[None]:
    """Take a Ctrl-C (SIGINT) that comes while the block runs when it ends, as
    KeyboardInterrupt: a cluster is not left half started or half closed (an interrupted
    start left it to distributed's exit hook, whose AssertionError was printed). Only in the
    main thread, where Python takes signals, and not where SIGINT is ignored."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    came: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: came.append(signum))
    if previous == signal.SIG_IGN:
        signal.signal(signal.SIGINT, previous)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.SIG_DFL if previous is None else previous)
    if came:
        raise KeyboardInterrupt


def _deaf_fork_server() -> str:
    """Start multiprocessing's fork server ignoring SIGINT, and return the start method for
    the workers: a worker forked from it ignores Ctrl-C too. The workers share the terminal's
    process group, and a Ctrl-C made each print a traceback, or a nanny fail to start; only
    an ignored signal outlives the exec that starts a process. Where there is no fork
    server, the default ("spawn")."""
    import multiprocessing
    from multiprocessing import forkserver, resource_tracker

    if "forkserver" not in multiprocessing.get_all_start_methods():
        return "spawn"
    if threading.current_thread() is not threading.main_thread():
        forkserver.ensure_running()  # signals are the main thread's to set
        return "forkserver"
    # the fork server starts it, and unblocks SIGINT when it has: started first, it is not
    resource_tracker.ensure_running()
    # held back (blocked), a Ctrl-C meanwhile stays pending, also while ignored (Linux), and
    # reaches the handler put back; one pending already would be dropped by SIG_IGN: taken
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        pending = signal.SIGINT in signal.sigpending()
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            forkserver.ensure_running()
        finally:
            signal.signal(signal.SIGINT, previous)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
    if pending:
        signal.raise_signal(signal.SIGINT)
    return "forkserver"


def connect(address: str) -> tuple[Any, Any]:
    """Return (client, cluster) for ``address``: a scheduler's, or "local" for a
    ``LocalCluster`` of this machine's cores (then also returned, to be closed)."""
    try:
        import logging

        from distributed import Client, LocalCluster
    except ImportError as exc:
        raise OSError(_NEEDS) from exc
    if address == "local":
        import dask.config

        from .pool import cpu_count

        method = _deaf_fork_server()
        with dask.config.set({"distributed.worker.multiprocessing-method": method}):
            cluster = LocalCluster(
                n_workers=cpu_count(),
                threads_per_worker=1,  # the linter holds the GIL: one task per process
                processes=True,
                dashboard_address=None,
                # its HTTP routes on a free port of loopback: on 8787, taken by another
                # cluster, distributed warned on stderr that it took another
                scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
                # a worker told to stop by Ctrl-C may log its lost heartbeat at ERROR, with a
                # traceback: not ours to print (a task's failure reaches us as its result)
                silence_logs=logging.CRITICAL,
            )
        return Client(cluster), cluster
    return Client(address), None


class DaskExecutor(Executor):
    """The inputs of a run as tasks of a Dask cluster: one task per capture, or per run of
    small captures (``batch_bytes``, ``batch_files``): the scheduler costs about a
    millisecond a task, several times what linting a 100 kB capture costs."""

    batch_bytes = 32 << 20
    batch_files = 256

    def __init__(
        self,
        planned: Sequence[tuple[Input, Options] | None],
        event_pointer: str | None,
        cluster: str | Any,
    ) -> None:
        """``cluster``: a ``distributed.Client``, a scheduler's address, or "local"."""
        super().__init__(planned, event_pointer)
        self._cluster = cluster
        self._owned: list[Any] = []  # the client and cluster this executor started
        self._client: Any = None
        self._futures: list[Any] = []

    def results(self) -> Iterator[Result]:
        """Return the tasks' results in order, submitting every task at once; raise OSError
        when the cluster cannot be reached."""
        client = self._cluster
        if isinstance(client, str):
            with sigint_deferred():  # a Ctrl-C waits until the cluster is ours to close
                try:
                    client, cluster = connect(client)
                except OSError:
                    raise
                except Exception as exc:  # distributed's own errors: a bad address, a refusal
                    raise OSError(str(exc) or type(exc).__name__) from exc
                self._owned = [c for c in (client, cluster) if c is not None]
        self._client = client
        self._futures = client.map(lint_task, self.tasks, pure=False)
        return self._gathered()

    def _gathered(self) -> Iterator[Result]:
        for index, future in enumerate(self._futures):
            text = future.result()
            future.release()  # read: the worker may forget it
            self._futures[index] = None
            yield decode_result(text)

    def close(self) -> None:
        """Cancel what is still running, and stop the client and cluster started here (a
        second Ctrl-C waits until they are stopped)."""
        pending = [f for f in self._futures if f is not None]
        self._futures = []
        with sigint_deferred():
            try:
                if pending and self._client is not None:
                    self._client.cancel(pending)
            finally:
                super().close()
                owned, self._owned = self._owned, []
                for thing in owned:
                    thing.close()


def lint(
    paths: str | Iterable[str],
    client: Any,
    *,
    audio_format: str = "pcm16",
    max_audio_bytes: int | None = None,
    max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES,
    select: Iterable[str] | str | None = None,
    ignore: Iterable[str] | str | None = None,
    event_pointer: str | None = None,
) -> LintResult:
    """Return the findings of files, directories and URLs linted on a Dask cluster.

    ``client``: a ``distributed.Client`` (or a scheduler's address, or "local"). As
    ``validator.lint``: iterating yields the findings in the order one process gives them,
    each input its own session; ``result.statistics`` holds the counts once it is exhausted
    (``unreadable`` lists the inputs that could not be read: they raise no error).
    """
    options = lint_options(audio_format, max_audio_bytes, max_record_bytes, select, ignore)
    found = _inputs([paths] if isinstance(paths, str) else list(paths))
    stats = Statistics()
    return LintResult(_findings(found, options, event_pointer, client, stats), stats)


def _inputs(paths: list[str]) -> list[Input]:
    from ..sources.walk import walk_inputs

    unlisted: list[str] = []
    found = list(walk_inputs(paths, lambda path, why: unlisted.append(f"{path}: {why}")))
    if unlisted:
        raise OSError(f"cannot list {'; '.join(unlisted)}")
    return found


def _findings(
    found: list[Input],
    options: Options,
    event_pointer: str | None,
    client: Any,
    stats: Statistics,
) -> Iterator[Violation]:

    executor = DaskExecutor([(inp, options) for inp in found], event_pointer, client)
    try:
        for position, inp in enumerate(found):
            yield from counted(inp.name, stats, _noted(executor.outcome(position), inp.name))
    finally:
        executor.close()


def _noted(outcome: Outcome, name: str) -> Outcome:
    """Return ``outcome`` with a failure to read the input noted in its statistics
    (``unreadable``), not raised: the library's Dask run lints the others."""
    from ..core.record import SourceError

    own = outcome.statistics

    def found() -> Iterator[Violation]:
        try:
            yield from outcome.findings()
        except (SourceError, OSError, EOFError):
            own.unreadable.append(name)

    return Outcome(found(), own)


def findings_bag(
    paths: str | Iterable[str],
    *,
    audio_format: str = "pcm16",
    max_audio_bytes: int | None = None,
    max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES,
    select: Iterable[str] | str | None = None,
    ignore: Iterable[str] | str | None = None,
    event_pointer: str | None = None,
) -> Any:
    """Return a ``dask.bag.Bag`` of the findings of files and URLs, one partition per input:
    each finding a dict, as the json format writes it (``bag.to_dataframe()`` takes them).

    It runs on whichever scheduler Dask uses (a ``distributed.Client`` once made).
    """
    try:
        import dask.bag
    except ImportError as exc:
        raise OSError(_NEEDS) from exc
    options = lint_options(audio_format, max_audio_bytes, max_record_bytes, select, ignore)
    found = _inputs([paths] if isinstance(paths, str) else list(paths))
    tasks = [FileBatch([FileTask(inp, options, event_pointer)]) for inp in found]
    return dask.bag.from_sequence(tasks, partition_size=1).map_partitions(_finding_dicts)


def _finding_dicts(tasks: Sequence[FileBatch]) -> list[dict[str, Any]]:
    """Return the findings of each task as dicts (on a worker: plain data back)."""
    rows: list[dict[str, Any]] = []
    for task in tasks:
        for outcome in cast(list[Outcome], decode_result(lint_task(task))):
            rows.extend(v.to_dict() for v in outcome.found)
    return rows
