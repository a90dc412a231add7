"""JSON documents: one event, or an array of events, each element a record with its place.

``read_document_stream`` reads the input in bounded pieces (see ``stream``): an array's
elements are yielded as soon as each is complete, an element over the record limit is an RT105
record, read to its end and dropped, and the elements after it are still read.
(The obvious reader of a document held whole, the tests' twin, is in ``tests/whole_readers.py``.)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from ..core.record import DEFAULT_MAX_RECORD_BYTES, Record
from ..core.violation import Violation
from .jsonl import too_large
from .sniff import stray_problem
from .stream import BAD, CHUNK, DEEP, ERROR, SKIPPED, Text

_EMPTY = "document is empty: a JSON document holds one event or an array of events"
_SYNTAX = "document is not valid JSON: {}; fix the syntax or the truncated document"
_SEPARATOR = "document is not valid JSON: expected ',' or ']' after an array element"
_EXTRA = "document is not valid JSON: extra data after the array; one document holds one array"
_DEEP = "document is not valid JSON for Realtime events: nested too deeply to parse"
_CUT = "it ends inside an element that was skipped"


def read_document_stream(
    stream: BinaryIO, max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES, chunk: int = CHUNK
) -> Iterator[Record]:
    """Yield the records of a JSON document: the document itself, or each array element.

    Reads ``chunk`` bytes at a time and holds at most one element (``max_record_bytes``) and
    the window around it. Syntax errors give RT101 where json places them, and end the
    document; bytes that are not UTF-8 give RT102 where they are, once the reader gets there.
    """
    text = Text(stream, chunk)
    c = text.peek()
    if not c:
        yield _ended(text) or Record(1, 0, b"", problem=Violation("RT101", _EMPTY))
        return
    line, column = text.place(text.offset)
    if c != "[":
        found = text.take_rest(max_record_bytes)
        if found.kind == SKIPPED:
            yield too_large(line, found.end, max_record_bytes)._replace(column=column)
            bad = _ended(text)
            if bad is not None:
                yield bad
        elif found.kind == BAD:
            yield _bad(text)
        else:
            record = _single(line, column, text.buf[text.i :])
            yield record if record.problem else record._replace(offset=text.offset + text.bom)
        return
    text.i += 1
    if text.peek() == "]":
        text.i += 1
        yield from _after_array(text)
        return
    index = 0
    while True:
        if not text.peek():
            yield _ended(text) or _problem(
                text, text.end_offset(), _SYNTAX.format("Expecting value")
            )
            return
        line, column = text.place(text.offset)
        kind, end, value = text.take(max_record_bytes)
        if kind == SKIPPED:
            yield too_large(line, end, max_record_bytes)._replace(
                column=column, pointer=f"/{index}"
            )
            if value:  # the text ended inside it
                yield _ended(text) or _problem(text, text.end_offset(), _SYNTAX.format(_CUT))
                return
        elif kind == ERROR:
            yield _problem(text, end, _SYNTAX.format(value))
            return
        elif kind == DEEP:
            yield Record(line, column, b"", problem=Violation("RT101", _DEEP))
            return
        elif kind == BAD:
            yield _bad(text)
            return
        else:
            del value  # the parsed element: the linter parses the record again
            data = text.buf[text.i : end]
            offset = text.offset + text.bom
            text.i = end
            yield Record(line, column, data, pointer=f"/{index}", offset=offset)
            del data
        c = text.peek()
        if c == ",":
            text.i += 1
            index += 1
            continue
        if c == "]":
            text.i += 1
            yield from _after_array(text)
            return
        yield _ended(text) or _problem(text, text.offset, _SEPARATOR)
        return


def _single(line: int, column: int, data: str) -> Record:
    """Return the record of a document that is one value, ``data`` (not empty): RT101 when it
    starts with a control character or whitespace JSON does not allow (``str.strip`` takes
    some for blank, and the record would pass unread)."""
    stray = stray_problem(data[0], "document")
    if stray is not None:
        return Record(line, column, b"", problem=stray)
    return Record(line, column, data)


def _problem(text: Text, offset: int, message: str) -> Record:
    """Return the RT101 record of ``message`` at text offset ``offset``."""
    line, column = text.place(offset)
    return Record(line, column, b"", problem=Violation("RT101", message))


def _bad(text: Text) -> Record:
    """Return the RT102 record where the text stopped at bytes that are not UTF-8."""
    assert text.bad is not None
    line, column = text.bad_record_place()
    return Record(line, column, b"", problem=text.bad)


def _ended(text: Text) -> Record | None:
    """Return the RT102 record where the text ended at bytes that are not UTF-8, else None."""
    return _bad(text) if text.bad is not None else None


def _after_array(text: Text) -> Iterator[Record]:
    """Yield RT101 when anything but whitespace follows the array (RT102 for bad bytes)."""
    if text.peek():
        yield _problem(text, text.offset, _EXTRA)
    elif text.bad is not None:
        yield _bad(text)
