"""``lint()``: the library's entry; one input of any kind to ``Linter``, with statistics.

``lint_stream`` opens an input (JSONL, JSON, HAR, gzip of any) and gives its records to a
``Linter`` (``driver.py``); ``lint_records`` takes records already read; ``lint`` takes what a
library user has (a path, a directory, a file object, lines) and checks its arguments at the
call.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Iterator
from typing import IO, BinaryIO, NamedTuple, cast

from ..check.audio import MAX_AUDIO_BYTES
from ..core.jsontext import is_pointer
from ..core.record import DEFAULT_MAX_RECORD_BYTES, Record, SourceError
from ..core.statistics import Statistics
from ..core.violation import Violation
from ..sources.detect import InputKind, opened, records_of
from .driver import Linter
from .options import Codes, OptionError, Options, build_options

__all__ = [
    "LintResult",
    "Outcome",
    "ReadFailure",
    "lint",
    "lint_options",
    "lint_path",
    "lint_records",
    "lint_stream",
]


class LintResult(Iterator[Violation]):
    """The findings of a lint run, lazily: a one-pass iterator (the input is read as it is
    iterated; ``list(result)`` keeps them). ``statistics`` is complete once it is exhausted,
    and counts what was read when iteration stops early or a read fails."""

    def __init__(self, findings: Iterator[Violation], statistics: Statistics) -> None:
        self._findings = findings
        self.statistics = statistics

    def __iter__(self) -> LintResult:
        return self

    def __next__(self) -> Violation:
        return next(self._findings)


def lint_options(
    audio_format: str,
    max_audio_bytes: int | None,
    max_record_bytes: int,
    select: Codes,
    ignore: Codes,
) -> Options:
    """Return the ``Options`` that ``lint()``'s keyword arguments say (``scale.distributed.lint``
    takes the same), from the one builder; its errors name ``lint()``."""
    try:
        return build_options(audio_format, max_audio_bytes, max_record_bytes, select, ignore)
    except OptionError as exc:
        if exc.option == "audio_format":
            raise
        raise ValueError(f"lint(): {exc}") from None
    except TypeError as exc:
        raise TypeError(f"lint(): {exc}") from None


def _line_records(lines: Iterable[str | bytes]) -> Iterator[Record]:
    for number, line in enumerate(lines, 1):
        if isinstance(line, str):
            yield Record(number, 0, line.encode("utf-8", "surrogatepass"))
        elif isinstance(line, (bytes, bytearray)):
            yield Record(number, 0, bytes(line))
        else:
            raise TypeError(
                f"lint(): line {number:,} of the iterable is {type(line).__name__}, not str or "
                "bytes; give lines of JSON text (one event a line)"
            )


def lint_records(
    records: Iterable[Record], options: Options, statistics: Statistics, source: str | None
) -> Iterator[Violation]:
    """Yield the findings of already-read records of one input (one session)."""
    statistics.files += 1
    started = time.perf_counter()
    try:
        yield from Linter(options, statistics, source).run(records)
    finally:
        statistics.seconds += time.perf_counter() - started


def lint_stream(
    stream: BinaryIO,
    name: str,
    options: Options,
    statistics: Statistics,
    event_pointer: str | None = None,
    buffer: bytearray | None = None,
) -> Iterator[Violation]:
    """Yield the findings of one open binary input of any kind (one session).

    ``buffer``: a block buffer (``jsonl.BLOCK_BYTES``) reused across inputs: a fresh one
    costs 30 us of zeroing, a fifth of linting a 100 kB capture.

    JSONL is read a block at a time and scanned whole; other inputs, and records wrapped in
    another object (``event_pointer``), are read record by record. Reading errors as for
    ``sources.detect.opened``.
    """
    statistics.files += 1
    started = time.perf_counter()
    linter = Linter(options, statistics, name)
    try:
        with opened(stream, name) as (kind, reader):
            if kind == InputKind.LINES and event_pointer is None and options.fast:
                yield from linter.run_stream(reader, buffer)
                return
            records: Iterable[Record] = records_of(kind, reader, options.max_record_bytes, name)
            if event_pointer is not None:
                from ..sources.wrapped import unwrap

                records = unwrap(records, event_pointer)
            yield from linter.run(records)
    finally:
        statistics.seconds += time.perf_counter() - started


Source = str | os.PathLike[str] | IO[bytes] | IO[str] | Iterable[str | bytes]
"""What ``lint`` reads: a path (a directory is walked), a file object, or lines."""


def lint(
    source: Source | bytes,
    *,
    audio_format: str = "pcm16",
    max_audio_bytes: int = MAX_AUDIO_BYTES,
    max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES,
    select: Iterable[str] | str | None = None,
    ignore: Iterable[str] | str | None = None,
    event_pointer: str | None = None,
) -> LintResult:
    """Return the findings of a path, binary or text file object, or iterable of lines.

    Iterating yields Violations in file order; ``result.statistics`` holds the counts (records,
    events by type, append events, seconds of audio, bytes) once iteration has ended.
    ``event_pointer`` (e.g. "/event") reads the event inside each wrapping record.
    """
    source = _checked(source)
    options = lint_options(audio_format, max_audio_bytes, max_record_bytes, select, ignore)
    if event_pointer is not None and not is_pointer(event_pointer):
        raise ValueError(f"event_pointer {event_pointer!r} is not a JSON pointer ('/event')")
    stats = Statistics()
    return LintResult(_lint_source(source, options, stats, event_pointer), stats)


def _checked(source: object) -> Source:
    """Return ``source`` as ``lint`` reads it (a bytes path decoded); raise TypeError for
    anything it cannot read, at the call rather than at the first finding."""
    if isinstance(source, (bytes, bytearray)):
        head = bytes(source[:64]).lstrip()
        if b"\n" in source or head[:1] in (b"{", b"["):
            raise TypeError(
                "lint() takes a path, a file object or an iterable of lines, and these bytes "
                "look like JSON text: pass io.BytesIO(data), or validate_event() for one event"
            )
        return os.fsdecode(bytes(source))  # a path in bytes, as open() takes it
    if isinstance(source, (str, os.PathLike)) or hasattr(source, "read"):
        return cast(Source, source)
    if not hasattr(source, "__iter__"):
        raise TypeError(
            "lint() takes a path, a file object or an iterable of lines, not "
            f"{type(source).__name__}"
        )
    return cast(Source, source)


class Outcome(NamedTuple):
    """What linting one input gives, however it ran (in this process, under ``--jobs``, on
    Dask): its findings in order, its statistics (its own), and how reading it failed where
    that was noted rather than raised: ("open", message) when it could not be opened at all,
    ("read", reason) when a read failed after the findings of what was read.

    Linted here, ``found`` is lazy (the input is read as it is iterated) and a failure is
    raised as it happens; linted by a worker, ``found`` is a list and the failure is noted,
    and ``scale.protocol`` sends the three as plain JSON. ``findings`` reads either the same.
    """

    found: Iterable[Violation]
    statistics: Statistics
    failure: tuple[str, str] | None = None

    def findings(self) -> Iterator[Violation]:
        """Yield the findings in order, then raise the failure noted, as reading the input
        in this process would have raised it (``SourceError``, ``ReadFailure``)."""
        yield from self.found
        raise_failure(self.failure)


def raise_failure(failure: tuple[str, str] | None) -> None:
    """Raise what an ``Outcome``'s noted failure says, as reading the input here would."""
    if failure is None:
        return
    kind, message = failure
    if kind == "open":
        raise SourceError(message)
    raise ReadFailure(message)


class ReadFailure(OSError):
    """A read that failed elsewhere (a worker), raised again here with its words."""

    def __str__(self) -> str:
        return str(self.args[0])


def counted(name: str, stats: Statistics, outcome: Outcome) -> Iterator[Violation]:
    """Yield the findings of one input, whose own statistics are added to ``stats`` (and
    kept as ``stats.by_file[name]``), also when reading it fails halfway.

    The one loop body over inputs: ``lint()``, the command line and Dask each call it, with
    an ``Outcome`` however the input was linted."""
    own = outcome.statistics
    try:
        yield from outcome.findings()
    finally:
        stats.merge(own)
        stats.by_file[name] = own


def lint_path(path: str, options: Options, event_pointer: str | None = None) -> Outcome:
    """Return the ``Outcome`` of the file at ``path``, linted in this process as its
    findings are iterated (a failure to open or read it raised, as ``open`` raises it)."""
    own = Statistics()

    def found() -> Iterator[Violation]:
        with open(path, "rb", buffering=1 << 20) as stream:
            yield from lint_stream(stream, path, options, own, event_pointer)

    return Outcome(found(), own)


def _lint_source(
    source: str | os.PathLike[str] | IO[bytes] | IO[str] | Iterable[str | bytes],
    options: Options,
    stats: Statistics,
    event_pointer: str | None,
) -> Iterator[Violation]:
    if isinstance(source, (str, os.PathLike)):
        name = os.fspath(source)
        if os.path.isdir(name):  # as on the command line: each file its own session
            from ..sources.walk import walk_paths

            for path in walk_paths([name]):
                yield from counted(path, stats, lint_path(path, options, event_pointer))
            return
        with open(name, "rb", buffering=1 << 20) as stream:
            yield from lint_stream(stream, name, options, stats, event_pointer)
        return

    given = getattr(source, "name", None)
    display = given if isinstance(given, str) else "<stream>"
    buffer = getattr(source, "buffer", None)
    if buffer is not None and hasattr(source, "encoding"):
        source = buffer  # a text file: read its bytes
    if hasattr(source, "readline") and hasattr(source, "read"):
        probe = source.read(0)
        if isinstance(probe, bytes):
            yield from lint_stream(cast(BinaryIO, source), display, options, stats, event_pointer)
            return
    records: Iterable[Record] = _line_records(cast(Iterable[str | bytes], source))
    if event_pointer is not None:
        from ..sources.wrapped import unwrap

        records = unwrap(records, event_pointer)
    yield from lint_records(records, options, stats, display)
