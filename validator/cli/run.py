"""One run of ``realtime-validator lint``: inputs -> lint -> reporter -> exit code.

Below the command line and free of click: it takes settled options, walks the inputs, lints
each as its own session, feeds the reporter, writes the summary and returns the exit code.
An input that cannot be read is reported on stderr and skipped (exit 2), the others are still
linted; ``--output`` is written to a temporary file and renamed only when the run completed,
so a full disk never leaves a partial report that looks whole.
"""

from __future__ import annotations

import contextlib
import io
import os
import stat
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, TextIO

from ..core.record import SourceError
from ..core.rules import RULES, Severity
from ..core.statistics import Statistics
from ..core.violation import Violation
from ..core.violation import printable as display
from ..engine.linting import Outcome, counted, lint_stream
from ..engine.options import Options
from ..report import REPORTER_BY_NAME
from ..report.base import statistics_lines
from ..report.summary import summary, wrapped_hints
from ..sources.detect import SUFFIXES
from ..sources.inputs import Input, reason
from ..sources.walk import walk_inputs
from .config import ConfigError
from .output import Report
from .run_settings import RunSettings

if TYPE_CHECKING:
    from ..fix.marks import Marks
    from ..scale.parallel import Executor
    from .fixing import FixOutcome
    from .progress import Progress

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports a process killed by Ctrl-C


def inputs(settings: RunSettings, stats: Statistics, err: TextIO) -> list[Input]:
    """Return the inputs of a run, directories walked and URLs listed; one that cannot be
    listed goes to ``err`` (and ``stats.unreadable``)."""

    def unlistable(path: str, reason: str) -> None:
        stats.unreadable.append(path)
        _tell(err, f"realtime-validator: error: cannot read {display(path)}: {reason}")

    return list(
        walk_inputs(
            settings.paths or ("-",),
            unlistable,
            settings.extend_include,
            settings.exclude,
            settings.exclude_base,
            settings.respect_gitignore,
            settings.stdin_name,
        )
    )


def findings(
    settings: RunSettings,
    stats: Statistics,
    err: TextIO,
    note_source: Callable[[str], None] | None = None,
    paths: list[Input] | None = None,
    note_stream: Callable[[str], None] | None = None,
    stdin: bytes | None = None,
) -> Iterator[Violation]:
    """Yield the findings of every input in order; unreadable inputs go to ``err``.

    Each input is counted in a Statistics of its own (``stats.by_file``), added to ``stats``.
    ``paths``: the run's ``inputs``, when they are known already; ``stdin``: what standard
    input held, where it was read already (``--fix``). With ``--jobs`` or
    ``--dask`` the inputs are linted by an executor (``parallel``, ``distributed``), which
    gives each one's findings, statistics and failure as linting it here would.
    """
    found_inputs = inputs(settings, stats, err) if paths is None else paths
    planned: list[tuple[Input, Options] | None] = []
    broken: dict[int, str] = {}  # a configuration near the input that cannot be read
    for position, inp in enumerate(found_inputs):
        try:
            options = (
                settings.options if settings.options_for is None else settings.options_for(inp.name)
            )
        except ConfigError as exc:
            broken[position] = str(exc)
            planned.append(None)
            continue
        planned.append((inp, options))
    try:
        executor = _executor(settings, planned)
    except OSError as exc:  # no cluster to run on: nothing is linted, every input unread
        _tell(err, f"realtime-validator: error: --dask {display(str(settings.dask))}: {exc}")
        stats.unreadable.extend(inp.name for inp in found_inputs)
        return
    bar = _run_progress(settings, err, found_inputs) if executor is not None else None
    done = 0
    buffer: bytearray | None = None
    try:
        for position, inp in enumerate(found_inputs):
            name = inp.name
            if note_source is not None:
                note_source(name)
            if inp.path == "-" and note_stream is not None:
                note_stream(name)
            entry = planned[position]
            if entry is None:
                stats.unreadable.append(name)
                _tell(err, f"realtime-validator: error: {display(broken[position])}")
                continue
            if executor is not None and executor.runs(position):
                advance = None if bar is None else _advanced(bar, done)
                outcome = executor.outcome(position, advance)
                own = outcome.statistics
                found = _one_input(outcome.findings(), name, own, err, bar)
                yield from counted(name, stats, Outcome(found, own))
                done += (inp.size() or 0) if bar is not None else 0
            else:
                if buffer is None:
                    from ..sources.jsonl import BLOCK_BYTES

                    buffer = bytearray(BLOCK_BYTES)  # one for the run: reused by each input
                own = Statistics()
                here = _one_input_here(settings, inp, entry[1], err, buffer, stdin, own)
                yield from counted(name, stats, Outcome(here, own))
    finally:
        if executor is not None:
            executor.close()
        if bar is not None:
            bar.close()


def _executor(
    settings: RunSettings, planned: list[tuple[Input, Options] | None]
) -> Executor | None:
    """Return what lints the inputs in other processes, or None: all of them here."""
    if settings.dask is not None:
        from ..scale.distributed import DaskExecutor

        executor: Executor = DaskExecutor(planned, settings.event_pointer, settings.dask)
        try:
            executor.start()  # connects, and sends every task: a cluster out of reach says so
        except BaseException:  # now; Ctrl-C too: the cluster started is closed
            executor.close()
            raise
        return executor
    jobs = settings.jobs
    if jobs == 0:
        from ..scale.pool import cpu_count

        jobs = cpu_count()
    if jobs < 2 or sum(entry is not None for entry in planned) == 0:
        return None
    from ..scale.parallel import Pooled

    pooled = Pooled(planned, settings.event_pointer, jobs)
    return pooled if len(pooled.tasks) >= 2 else None  # one whole input: no use


def _run_progress(settings: RunSettings, err: TextIO, found: list[Input]) -> Progress | None:
    """Return the progress line of a run whose inputs other processes read, or None."""
    if not settings.progress:
        return None
    from .progress import MIN_PROGRESS_BYTES, Progress

    total = sum(inp.size() or 0 for inp in found)
    if total < MIN_PROGRESS_BYTES:
        return None
    name = found[0].name if len(found) == 1 else f"{len(found):,} files"
    return Progress(err, name, total)


def _advanced(bar: Progress, base: int) -> Callable[[int], None]:
    def advance(done: int) -> None:
        bar.update(base + done)

    return advance


def _one_input(
    found: Iterator[Violation],
    name: str,
    stats: Statistics,
    err: TextIO,
    bar: Progress | None = None,
) -> Iterator[Violation]:
    """Yield the findings of one input, however it is linted; a failure to open or read it
    goes to ``err`` (and ``stats.unreadable``) after the findings of what was read."""
    try:
        if bar is None:
            yield from found
        else:
            for violation in found:
                bar.close()  # the finding gets a clean line; the next update redraws
                yield violation
    except SourceError as exc:
        stats.unreadable.append(name)
        _tell(err, f"realtime-validator: error: {display(str(exc))}")
    except (OSError, EOFError) as exc:
        if bar is not None:
            bar.close()
        stats.unreadable.append(name)
        _tell(err, f"realtime-validator: error: cannot read {display(name)}: {reason(exc)}")


def _one_input_here(
    settings: RunSettings,
    inp: Input,
    options: Options,
    err: TextIO,
    buffer: bytearray | None,
    stdin: bytes | None,
    stats: Statistics,
) -> Iterator[Violation]:
    """Yield the findings of one input read in this process, with a progress line where
    one is wanted (``progress.counted``)."""
    bar = None
    try:
        stream = inp.open() if inp.path != "-" or stdin is None else io.BytesIO(stdin)
    except SourceError as exc:
        stats.unreadable.append(inp.name)
        _tell(err, f"realtime-validator: error: {display(str(exc))}")
        return
    try:
        if settings.progress and inp.path != "-":
            from .progress import counted

            stream, bar = counted(stream, inp, err)
        found = lint_stream(stream, inp.name, options, stats, settings.event_pointer, buffer)
        yield from _one_input(found, inp.name, stats, err, bar)
    finally:
        if inp.path != "-":
            stream.close()
        if bar is not None:
            bar.close()


def _tell(err: TextIO, line: str) -> None:
    """Write one line to ``err``; if even that fails (stderr on a full disk), the exit code
    still tells: an error must not become a traceback and exit 1."""
    with contextlib.suppress(OSError):
        err.write(line + "\n")


def _identity(fd_or_path: int | str) -> tuple[int, int] | None:
    """Return (device, inode) of a regular file, or None (not one, or not there)."""
    try:
        st = os.fstat(fd_or_path) if isinstance(fd_or_path, int) else os.stat(fd_or_path)
    except (OSError, ValueError):
        return None
    return (st.st_dev, st.st_ino) if stat.S_ISREG(st.st_mode) else None


def _written_input(target: str | None, out: TextIO, paths: list[Input]) -> str | None:
    """Return the input that the report would be written over (``--output``, or standard
    output redirected into it), or None: a capture is never overwritten, and a redirection
    into an input would feed the report back to the linter."""
    if target is not None:
        output = _identity(target)
    else:
        fileno = getattr(out, "fileno", None)
        try:
            output = _identity(fileno()) if fileno is not None else None
        except (OSError, ValueError):  # a stream without a file (io.StringIO)
            output = None
    if output is None:
        return None
    for inp in paths:
        if not inp.local and inp.path != "-":
            continue  # a URL: never this machine's file
        path = inp.path
        if (_identity(0) if path == "-" else _identity(path)) == output:
            return "<stdin>" if path == "-" else path
    return None


def _nothing_linted(settings: RunSettings, paths: list[Input]) -> str:
    """Return why a run linted no record at all: no input found, or inputs without events."""
    if not paths:
        named = ", ".join(display(p) for p in settings.paths)
        suffixes = ", ".join(f"*{s}" for s in SUFFIXES)
        return (
            f"no inputs found in {named}: looked for {suffixes} (and .gz); name a file, or "
            "add --extend-include '*.log' for other names"
        )
    names = [display("<stdin>" if p.path == "-" else p.path) for p in paths[:3]]
    more = f" and {len(paths) - 3:,} more" if len(paths) > 3 else ""
    return (
        f"nothing to lint: no event in {', '.join(names)}{more} (empty, blank lines only, or "
        "a HAR without websocket messages)"
    )


MARKED_FORMATS = frozenset(("text", "full", "grouped"))
"""The formats that mark what ``--fix`` would fix with ``[*]``, as ruff's concise, full and
grouped do; the machine formats stay as they are."""


class _Marks:
    """Ruff's ``[*]``: the fixer asked, per finding of a rule with a fix, whether it has an
    edit (``fix.marks``, imported at the first such finding: a clean run never loads it)."""

    def __init__(self, settings: RunSettings, paths: list[Input]) -> None:
        self.settings = settings
        self.paths = paths
        self.marks: Marks | None = None

    def __call__(self, violation: Violation) -> bool:
        if RULES[violation.rule].fix is None:
            return False
        if self.marks is None:
            self.marks = self._made()
        return self.marks(violation)

    def _made(self) -> Marks:
        from ..fix.marks import Marks

        settings = self.settings
        files = {inp.name: inp.path for inp in self.paths if inp.local and inp.path != "-"}
        for inp in self.paths:
            if inp.path == "-":
                files.pop(inp.name, None)  # standard input cannot be read again
        if settings.event_pointer is not None:
            files = {}  # --fix does not rewrite wrapped records: nothing to mark
        options_for = settings.options_for

        def options(name: str) -> Options:
            return settings.options if options_for is None else options_for(name)

        return Marks(files, options, settings.unsafe_fixes)

    def counts(self) -> tuple[int, int]:
        """Return how many findings were marked: fixes that apply, and hidden ones."""
        return (0, 0) if self.marks is None else (self.marks.applies, self.marks.hidden)

    def close(self) -> None:
        if self.marks is not None:
            self.marks.close()


def fixable(applies: int, hidden: int, unsafe: bool) -> str:
    """Return ruff's line on what ``--fix`` would fix: "[*] 3 fixable with the `--fix`
    option (1 hidden fix can be enabled with the `--unsafe-fixes` option)."; "No fixes
    available (...)" where only ``--unsafe-fixes`` would fix."""
    es = "" if hidden == 1 else "es"
    hint = f"{hidden:,} hidden fix{es} can be enabled with the `--unsafe-fixes` option"
    if applies and hidden and not unsafe:
        return f"[*] {applies:,} fixable with the `--fix` option ({hint})."
    if applies:
        return f"[*] {applies:,} fixable with the `--fix` option."
    return f"No fixes available ({hint})."


def _tell_fixes(settings: RunSettings, fixing: FixOutcome, err: TextIO, diff: bool) -> None:
    """Say what the fixes did: ``--show-fixes``' list (asked for: said even with ``--quiet``,
    as ruff does), then the one line (ruff's: nothing said of nothing)."""
    if settings.show_fixes:
        for line in fixing.fix_list(diff):
            _tell(err, line)
    if not settings.quiet and fixing.summary(diff):
        _tell(err, fixing.summary(diff))


def run(settings: RunSettings, out: TextIO, err: TextIO) -> int:
    """Lint, report to ``out`` (or ``settings.output``), summarise on ``err``; return exit code."""
    started = time.perf_counter()
    stats = Statistics()
    threshold = Severity(settings.fail_on).rank
    failed = False
    target = settings.output if settings.output not in (None, "-") else None
    paths = inputs(settings, stats, err)
    overwritten = _written_input(target, out, paths)
    if overwritten is not None:
        where = display(target) if target is not None else "standard output"
        _tell(
            err,
            f"realtime-validator: error: {where} is the input {display(overwritten)}: the "
            "report would be written over the capture; write it elsewhere",
        )
        return EXIT_ERROR
    try:
        report = Report(target, out)
    except OSError as exc:
        _tell(err, f"realtime-validator: error: cannot write {display(str(target))}: {reason(exc)}")
        return EXIT_ERROR
    fixing = None
    marks: _Marks | None = None
    try:
        stream = report.stream
        if settings.fix or settings.diff:
            from .fixing import fix_inputs, send_stdin

            fixing = fix_inputs(settings, paths, stream, err)  # --diff: the diffs to the report
            stats.unreadable.extend(fixing.unwritten)
            if settings.diff:
                report.commit()
                _tell_fixes(settings, fixing, err, diff=True)
                if not settings.quiet and fixing.left_line():
                    _tell(err, fixing.left_line())
                if fixing.unwritten:
                    return EXIT_ERROR
                left = any(
                    Severity(severity).rank >= threshold and count
                    for severity, count in fixing.left.items()
                )
                if fixing.fixed or (left and not settings.exit_zero):
                    return EXIT_FINDINGS
                return EXIT_OK
            if fixing.stdin is not None and any(inp.path == "-" for inp in paths):
                # standard output carries the fixed stream: the findings go to standard error
                if not send_stdin(fixing.stdin, out, err):
                    return EXIT_ERROR
                stream = err if target is None else stream
        reporter = REPORTER_BY_NAME[settings.output_format](
            stream, show_statistics=settings.statistics
        )
        if fixing is None and settings.output_format in MARKED_FORMATS:
            marks = _Marks(settings, paths)
            reporter.marks = marks
        reporter.start()
        for violation in findings(
            settings,
            stats,
            err,
            reporter.note_source,
            paths,
            reporter.note_stream,
            fixing.stdin if fixing is not None else None,
        ):
            failed = failed or violation.severity.rank >= threshold
            reporter.report(violation)
        # the run's own time, a cluster's start included: not the sum of its inputs' times
        stats.seconds = time.perf_counter() - started
        reporter.finish(stats)
        stream.flush()
        if settings.statistics and not reporter.statistics_in_output:
            # a format with no place for them (jsonl, github, junit): never dropped silently
            for line in statistics_lines(stats):
                _tell(err, line.rstrip("\n"))
        report.commit()
    except BrokenPipeError:
        # whoever read standard output went away (`| head`): stop quietly, as grep does
        return EXIT_FINDINGS if failed or settings.diff else EXIT_OK
    except OSError as exc:
        _tell(err, f"realtime-validator: error: cannot write {report.where}: {reason(exc)}")
        return EXIT_ERROR
    finally:
        report.discard()
        if marks is not None:
            marks.close()
    # errors first, then the summary, whichever error: an input unread, or nothing linted
    nothing = not stats.unreadable and not stats.records
    if nothing:
        _tell(err, f"realtime-validator: error: {_nothing_linted(settings, paths)}")
    if not settings.quiet:
        # ruff's line on what --fix would fix, then the summary: still the last line
        applies, hidden = (0, 0) if marks is None else marks.counts()
        if applies or hidden:
            _tell(err, fixable(applies, hidden, settings.unsafe_fixes))
        _tell(err, summary(stats))
        if settings.event_pointer is None:
            for hint in wrapped_hints(stats):
                _tell(err, f"realtime-validator: hint: {hint}")
    if fixing is not None:
        _tell_fixes(settings, fixing, err, diff=False)
    if stats.unreadable or nothing:
        return EXIT_ERROR
    return EXIT_FINDINGS if failed and not settings.exit_zero else EXIT_OK
