"""Helpers that only tests call: kept out of the package, which holds what it runs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import BinaryIO

from validator.cli.progress import Progress
from validator.core.jsontext import parse_int
from validator.core.record import Record
from validator.core.statistics import Statistics
from validator.core.violation import Violation
from validator.engine.options import Options
from validator.scale.parallel import Pooled
from validator.sources.detect import opened, records_of
from validator.sources.inputs import LocalFile

ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
"""The standard base64 alphabet (RFC 4648), '=' aside."""


def records(stream: BinaryIO, name: str, max_record_bytes: int) -> Iterator[Record]:
    """Yield the records of one open binary stream, choosing the reader by suffix and content.

    Errors as for ``opened``.
    """
    with opened(stream, name) as (kind, reader):
        yield from records_of(kind, reader, max_record_bytes)


def lint_parallel(
    path: str,
    options: Options,
    statistics: Statistics,
    source: str,
    jobs: int,
    progress: Progress | None = None,
) -> Iterator[Violation]:
    """Yield the findings of one local file as ``lint_stream`` would, in ``jobs`` processes."""
    executor = Pooled([(LocalFile(path, source), options)], None, jobs)
    outcome = executor.outcome(0, progress)
    try:
        yield from outcome.findings()
    finally:
        statistics.merge(outcome.statistics)
        executor.close()


def iter_json_array(text: str, start: int) -> Iterator[tuple[int, int] | Violation]:
    """Yield the (start, end) offsets of each element of the array at ``start``, or RT101."""
    decoder = json.JSONDecoder(parse_int=parse_int)  # only the offsets are kept
    ws = " \t\r\n"
    i = start + 1
    n = len(text)
    while i < n and text[i] in ws:
        i += 1
    if i < n and text[i] == "]":
        yield from _after_array(text, i + 1)  # "[]" may be followed by more, as in "[][]"
        return
    while True:
        while i < n and text[i] in ws:
            i += 1
        try:
            _, end = decoder.raw_decode(text, i)
        except json.JSONDecodeError as exc:
            yield Violation(
                "RT101",
                f"document is not valid JSON: {exc.msg}; fix the syntax or the truncated document",
                offset=exc.pos,
            )
            return
        except RecursionError:
            yield Violation(
                "RT101",
                "document is not valid JSON for Realtime events: nested too deeply to parse",
                offset=i,
            )
            return
        yield (i, end)
        i = end
        while i < n and text[i] in ws:
            i += 1
        if i < n and text[i] == ",":
            i += 1
            continue
        if i < n and text[i] == "]":
            yield from _after_array(text, i + 1)
            return
        yield Violation(
            "RT101",
            "document is not valid JSON: expected ',' or ']' after an array element",
            offset=min(i, n),
        )
        return


def _after_array(text: str, i: int) -> Iterator[Violation]:
    """Yield RT101 when anything but whitespace follows the array that ends before ``i``."""
    n = len(text)
    while i < n and text[i] in " \t\r\n":
        i += 1
    if i < n:
        yield Violation(
            "RT101",
            "document is not valid JSON: extra data after the array; one document holds one array",
            offset=i,
        )
