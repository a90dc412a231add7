"""JSON documents: one event, or an array of events, each element a record with its place."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from ..locate import line_col, skip_ws
from ..parse import decode_text, iter_json_array, strip_bom
from ..violation import Violation
from .base import Record


def _at(text: str, offset: int, problem: Violation) -> Record:
    line, col = line_col(text, offset)
    return Record(line + 1, col, b"", problem=problem)


def read_document(data: bytes) -> Iterator[Record]:
    """Yield the records of a JSON document: the document itself, or each array element."""
    text, bad = decode_text(data)
    if bad is not None:
        # locate the bad byte in the part that did decode
        prefix = data.decode("utf-8", "replace")
        yield _at(prefix, bad.offset or 0, replace(bad, offset=None))
        return
    assert text is not None
    text = strip_bom(text)
    start = skip_ws(text, 0)
    if start >= len(text):
        yield Record(
            1,
            0,
            b"",
            problem=Violation(
                "RT101", "document is empty: a JSON document holds one event or an array of events"
            ),
        )
        return
    if text[start] != "[":
        line, col = line_col(text, start)
        yield Record(line + 1, col, text[start:])
        return
    # lines are counted from the previous element on, not from the start: O(n) in all
    line, line_start, counted = 0, 0, 0
    for index, item in enumerate(iter_json_array(text, start)):
        if isinstance(item, Violation):
            yield _at(text, item.offset or 0, replace(item, offset=None))
            return
        begin, end = item
        newlines = text.count("\n", counted, begin)
        if newlines:
            line += newlines
            line_start = text.rfind("\n", counted, begin) + 1
        counted = begin
        yield Record(line + 1, begin - line_start, text[begin:end], pointer=f"/{index}")
