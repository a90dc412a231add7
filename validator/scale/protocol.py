"""The work of a ``--jobs`` or Dask worker, and the plain JSON its results travel as.

Two kinds of task. A ``ChunkTask`` is a byte range of a large local JSONL file: the worker
``scan_chunk``s it, the expensive part (strict base64 over every byte, the content checks),
and sends back its items: runs of appends summed up, the other records one by one (offsets,
types, ids), bad appends already read (``Prepared``). The process that reads the results
replays the items in file order through the same ``Linter`` as one process, and a record that
the session refuses, or that the scan left for the slow road, is read again at its offset
(``parallel.replay``). A ``FileTask`` is a whole input (a small capture, a HAR, a gzip file,
a URL): the worker lints it as one process would and sends back its findings, its statistics
and how its reading failed, if it did: the ``engine.linting.Outcome`` that linting it in
this process gives, read to its end.

Results are JSON (``encode_result``/``decode_result``): no pickle crosses a pipe, and what a
Dask worker returns is a string of JSON, so that neither an input's bytes nor anything made
from them is ever unpickled. ``tests/test_parallel.py`` holds every result equal to what one
process finds, and ``decode(encode(x)) == x``.
"""

from __future__ import annotations

import io
import itertools
import json
import os
from collections import Counter
from collections.abc import Iterator
from typing import Any, BinaryIO, NamedTuple, cast

from ..core.record import SourceError
from ..core.statistics import FIELDS as STATISTICS_FIELDS
from ..core.statistics import Statistics
from ..core.violation import Violation
from ..engine.examine import prepare
from ..engine.fastroad import (
    ITEM_TYPES,
    TYPE_NAMES,
    Appends,
    Checked,
    Flagged,
    Item,
    Prepared,
    Quiets,
    Slow,
    scan,
)
from ..engine.linting import Outcome, lint_stream
from ..engine.options import Options
from ..sources.inputs import Input, reason
from ..sources.jsonl import BLOCK_BYTES, line_blocks

MIN_PARALLEL_BYTES = 16 * 2**20
"""Smaller inputs are linted in this process: starting workers would cost more."""
_CHUNK_BYTES = 8 * 2**20
_MAX_CHUNKS = 8192  # a 64 GB file still in 8 MiB chunks; beyond, larger ones
ChunkTask = tuple[str, int, int, int, int, bool, bool]
"""path, begin, end, max_audio_bytes, max_record_bytes, whether the audio-signal rules are
selected (the worker measures the level of each run's first append: ``Appends.level``), and
whether RT206 is (else the worker meets no client event with the spec's schemas)."""


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


def scan_chunk(task: ChunkTask, buffer: bytearray | None = None) -> list[Item]:
    """Return the items of the lines in one chunk, offsets in the file (in a worker process).

    ``buffer``: the block buffer of the previous chunk, filled again (fresh pages cost faults).
    """
    path, begin, end, max_audio_bytes, max_record_bytes, levels, spec = task
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
            kept: list[bytes] | None = [] if levels else None
            scanned = scan(data, 0, stop, max_audio_bytes, max_record_bytes, offset, kept, spec)
            if kept:
                scanned = _levelled(scanned, kept)
            items.extend(_prepared(scanned, data, offset, max_audio_bytes, max_record_bytes))
            offset += stop
    return items


def _levelled(items: list[Item], kept: list[bytes]) -> list[Item]:
    """Return ``items`` with the level of each run's first append (``kept``: its audio, as the
    scan decoded it) measured as pcm16, ``Appends.level``: what the session measures after
    each commit, measured here, where the audio is, rather than read again in the parent."""
    from ..check.signal import ceiling

    audio = iter(kept)
    out: list[Item] = []
    for item in items:
        kind = type(item)
        if kind is Appends:
            item = cast(Appends, item)._replace(level=ceiling(next(audio)))
        elif kind is Flagged:
            next(audio)  # never measured as pcm16: RT306, RT308
        out.append(item)
    return out


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


def encode_items(items: list[Item]) -> list[Any]:
    """Return a chunk's items as JSON values: a tag and the fields of each."""
    return [[_TAGS[type(item)], *item] for item in items]


def decode_items(encoded: list[Any]) -> list[Item]:
    """Return the items that ``encode_items`` gave."""
    items = []
    for tag, *values in encoded:
        item = ITEM_TYPES[tag]._make(values)
        if type(item) is Quiets:  # one string per type, as in the worker
            item = item._replace(types=[TYPE_NAMES.get(name, name) for name in item.types])
        elif type(item) is Checked:
            item = item._replace(records=[Prepared._make(fields) for fields in item.records])
        items.append(item)
    return items


# -- whole inputs ---------------------------------------------------------------------------


class FileTask(NamedTuple):
    """One whole input, linted as one process lints it (one session)."""

    input: Input
    options: Options
    event_pointer: str | None = None


class FileBatch(NamedTuple):
    """Whole inputs linted one after the other by one worker: small captures, whose task
    would otherwise cost about as much to hand out and take back as to lint."""

    files: list[FileTask]


def lint_file(task: FileTask, buffer: bytearray | None = None) -> Outcome:
    """Return what linting one whole input gives (in a worker, or here), read to its end:
    the findings a list, a failure noted; ``buffer``: the block buffer of the previous input,
    reused."""
    inp = task.input
    stats = Statistics()
    found: list[Violation] = []
    try:
        stream = inp.open()
    except SourceError as exc:
        return Outcome(found, stats, ("open", str(exc)))
    failure = None
    try:
        options, pointer = task.options, task.event_pointer
        for violation in lint_stream(stream, inp.name, options, stats, pointer, buffer):
            found.append(violation)
    except (OSError, EOFError) as exc:
        failure = ("read", reason(exc))
    finally:
        if inp.path != "-":
            stream.close()
    return Outcome(found, stats, failure)


_FINDING_FIELDS = ("rule", "message", "pointer", "source", "line", "column", "event_id",
                   "event_type", "offset", "level")  # fmt: skip
_STATISTICS_FIELDS = tuple(name for name in STATISTICS_FIELDS if name != "by_file")
_COUNTERS = ("events_by_type", "findings_by_rule")


def encode_statistics(stats: Statistics) -> list[Any]:
    """Return every count of ``stats`` (not ``by_file``) as JSON values, floats exact."""
    return [getattr(stats, name) for name in _STATISTICS_FIELDS]


def decode_statistics(encoded: list[Any]) -> Statistics:
    """Return the Statistics that ``encode_statistics`` gave.

    Made without ``__init__``: this process decodes one per input of a run, and for a run
    of small files the constructor and ``Counter.update`` were a fifth of its share.
    """
    stats = Statistics.__new__(Statistics)
    values = vars(stats)
    values.update(zip(_STATISTICS_FIELDS, encoded, strict=True))
    for name in _COUNTERS:
        counter: Counter[str] = Counter()
        dict.update(counter, values[name])
        values[name] = counter
    values["by_file"] = {}
    return stats


def encode_outcome(outcome: Outcome) -> list[Any]:
    """Return a worker's ``Outcome`` (its findings a list) as JSON values."""
    found = [[getattr(v, name) for name in _FINDING_FIELDS] for v in outcome.found]
    return [found, encode_statistics(outcome.statistics), outcome.failure]


def decode_outcome(encoded: list[Any]) -> Outcome:
    """Return the ``Outcome`` that ``encode_outcome`` gave."""
    found, stats, failure = encoded
    return Outcome(
        [Violation(*values) for values in found],
        decode_statistics(stats),
        None if failure is None else (failure[0], failure[1]),
    )


# -- either ---------------------------------------------------------------------------------

Task = ChunkTask | FileBatch
Result = list[Item] | list[Outcome]


def run_task(task: Task, buffer: bytearray | None = None) -> Result:
    """Return the result of one task: a chunk's items, or each whole input's outcome."""
    if type(task) is FileBatch:
        if buffer is None:  # one for the batch: a fresh one per input costs page faults
            buffer = bytearray(BLOCK_BYTES)
        return [lint_file(file, buffer) for file in task.files]
    return scan_chunk(cast(ChunkTask, task), buffer)


def encode_result(index: int, result: Result, batch: bool) -> bytes:
    """Return one line of JSON: the task's number, then its result (``batch``: the
    outcomes of a ``FileBatch``, else a chunk's items)."""
    if batch:
        outcomes = cast(list[Outcome], result)
        body: list[Any] = [index, 1, [encode_outcome(outcome) for outcome in outcomes]]
    else:
        body = [index, 0, encode_items(cast(list[Item], result))]
    return json.dumps(body).encode("ascii") + b"\n"


def encode_task_result(index: int, task: Task, result: Result) -> bytes:
    """Return ``encode_result`` of the result of ``task``."""
    return encode_result(index, result, type(task) is FileBatch)


def decode_result(line: bytes | str) -> Result:
    """Return the result that ``encode_result`` wrote."""
    _, kind, body = json.loads(line)
    return [decode_outcome(outcome) for outcome in body] if kind else decode_items(body)


def result_index(line: bytes) -> int:
    """Return the task number of an encoded result without decoding the rest."""
    return int(line[1 : line.index(b",")])


def eligible(path: str, jobs: int) -> bool:
    """Return True when ``path`` is worth scanning in ``jobs`` processes: a large JSONL file."""
    if jobs < 2 or path == "-":
        return False
    from ..sources.detect import InputKind, input_kind

    try:
        if not os.path.isfile(path) or os.path.getsize(path) < MIN_PARALLEL_BYTES:
            return False
        with open(path, "rb") as stream:
            head = stream.read(1 << 16)
    except OSError:
        return False  # the sequential road reports it
    return input_kind(path, head) == InputKind.LINES
