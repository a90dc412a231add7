"""The whole-input readers: the obvious twins of the streaming document and HAR readers.

``read_document_whole`` and ``read_har_whole`` decode the whole input and parse it with json;
``tests/test_stream.py`` holds the streaming readers (``validator.sources.document`` and
``validator.sources.har``) equal to them. They live here, not in the package: only tests call
them.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from test_only import iter_json_array

from validator.check.parse import decode_text, strip_bom
from validator.core.jsontext import Places, json_type, line_col, scan_string, skip_ws, value_offset
from validator.core.record import DEFAULT_MAX_RECORD_BYTES, Record, capture_time
from validator.core.violation import Violation
from validator.sources.document import _EMPTY as _EMPTY_DOCUMENT
from validator.sources.document import _single
from validator.sources.har import (
    _CONTROL_OPCODES,
    _EMPTY,
    _OPCODE_TEXT,
    _TOO_DEEP,
    _binary,
    _invalid,
    _message_problem,
    _not_a_har,
    _not_an_array,
    _opcode_type,
    align,
    read_har_stream,
)
from validator.sources.jsonl import too_large

_NEXT = re.compile(r'[{}\[\],"]')

# -- the whole-document reader -------------------------------------------------------------


def _at(text: str, offset: int, problem: Violation) -> Record:
    """Return the record of ``problem`` at ``offset`` of the whole ``text``."""
    line, col = line_col(text, offset)
    return Record(line + 1, col, b"", problem=problem)


def read_document_whole(data: bytes) -> Iterator[Record]:
    """Yield the records of a JSON document held whole: the document, or each array element."""
    text, bad = decode_text(data)
    if bad is not None:
        # locate the bad byte in the part that did decode
        prefix = data.decode("utf-8", "replace")
        yield _at(prefix, bad.offset or 0, replace(bad, offset=None))
        return
    assert text is not None
    bom = len(text) - len(strip_bom(text))  # offsets count the byte order mark
    text = strip_bom(text)
    start = skip_ws(text, 0)
    if start >= len(text):
        yield Record(1, 0, b"", problem=Violation("RT101", _EMPTY_DOCUMENT))
        return
    if text[start] != "[":
        line, col = line_col(text, start)
        record = _single(line + 1, col, text[start:])
        yield record if record.problem else record._replace(offset=start + bom)
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
        yield Record(
            line + 1, begin - line_start, text[begin:end], pointer=f"/{index}", offset=begin + bom
        )


# -- the whole-HAR reader ----------------------------------------------------------------


DataMember = tuple[int, tuple[int, int] | None]
"""Where a message's "data" key is, and the span of its value where that is a string."""


def data_spans(text: str) -> dict[tuple[int, int], list[DataMember]]:
    """Return, for each (entry, message) index pair, each of its "data" members in ``text``.

    One forward pass over the parsed document's structural characters and strings, keeping
    the path on a stack; a repeated key gives each of its members, in order.
    """
    found: dict[tuple[int, int], list[DataMember]] = {}
    stack: list[list[Any]] = []  # [is_object, key (object) or index (array)]
    expect_key = False
    search = _NEXT.search
    i = 0

    def in_message() -> bool:
        return (
            len(stack) == 6
            and stack[3][1] == "_webSocketMessages"
            and stack[1][1] == "entries"
            and stack[0][1] == "log"
            and not stack[2][0]
            and not stack[4][0]
        )

    while True:
        m = search(text, i)
        if m is None:
            return found
        start = m.start()
        c = text[start]
        i = start + 1
        if c == '"':
            i = scan_string(text, start)
            if expect_key:
                key = text[start + 1 : i - 1]
                if "\\" in key:
                    key = json.loads(text[start:i])
                stack[-1][1] = key
                expect_key = False
                if key == "data" and in_message():
                    found.setdefault((stack[2][1], stack[4][1]), []).append((start, None))
            elif stack and stack[-1][1] == "data" and in_message():
                members = found[(stack[2][1], stack[4][1])]
                members[-1] = (members[-1][0], (start, i))
        elif c == "{":
            stack.append([True, None])
            expect_key = True
        elif c == "[":
            stack.append([False, 0])
            expect_key = False
        elif c == ",":
            top = stack[-1]
            if top[0]:
                expect_key = True
            else:
                top[1] += 1
        else:
            stack.pop()
            expect_key = False


def _problem_at(text: str, offset: int, problem: Violation) -> Record:
    line, col = line_col(text, offset)
    return Record(line + 1, col, b"", problem=problem)


class _Places:
    """Turns offsets into (1-based line, 0-based column), counting forward from the last one."""

    __slots__ = ("line", "line_start", "offset", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.offset = 0
        self.line = 1
        self.line_start = 0

    def at(self, offset: int) -> tuple[int, int]:
        """Return the line and column of ``offset``; cheap when offsets grow."""
        text = self.text
        if offset < self.offset:
            self.offset, self.line, self.line_start = 0, 1, 0
        newlines = text.count("\n", self.offset, offset)
        if newlines:
            self.line += newlines
            self.line_start = text.rfind("\n", self.offset, offset) + 1
        self.offset = offset
        return self.line, offset - self.line_start


def _entries(text: str, value: Any) -> list[Any] | Record:
    """Return ``log.entries``, or the RT101 record that says which part is missing."""
    pointer = ""
    if not isinstance(value, dict):
        problem = "the file is not a JSON object"
    elif not isinstance(value.get("log"), dict):
        problem = "it has no 'log' object"
    elif isinstance(value["log"].get("entries"), list):
        return list(value["log"]["entries"])
    else:
        problem = "its 'log' has no 'entries' array"
        pointer = "/log/entries" if "entries" in value["log"] else "/log"
    return _problem_at(text, value_offset(text, pointer) or 0, _not_a_har(problem))


def read_har_whole(
    data: bytes, max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES
) -> Iterator[Record]:
    """Yield one record per websocket message of a HAR file held whole, in file order.

    Text frames become records of the message (aligned to the file, see the module's
    docstring) placed at the first character inside the quotes of their ``data``; binary
    frames become RT106, messages over ``max_record_bytes`` RT105 and empty ones RT101
    records, placed at the opening quote; an ``opcode`` that is not an integer is RT202,
    placed at it; a ``_webSocketMessages`` that is not an array, or a message not as DevTools
    writes it, RT101 placed at it. A file that is not JSON, or has no ``log.entries``, gives
    one RT101 record; one without websocket messages, none.
    """
    decoded, bad = decode_text(data)
    if bad is not None:
        prefix = data.decode("utf-8", "replace")
        line, col = line_col(prefix, bad.offset or 0)
        yield Record(line + 1, col, b"", problem=Violation(bad.rule, bad.message))
        return
    assert decoded is not None
    del data  # a HAR can be hundreds of MB: keep one copy of it, not two
    text = strip_bom(decoded)
    bom = len(decoded) - len(text)
    del decoded
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        cut = exc.pos >= len(text.rstrip())
        yield _problem_at(text, exc.pos, _invalid(None if cut else exc.msg))
        return
    except RecursionError:
        yield Record(1, 0, b"", problem=Violation("RT101", _TOO_DEEP))
        return
    entries = _entries(text, value)
    if isinstance(entries, Record):
        yield entries
        return
    spans: dict[tuple[int, int], list[DataMember]] | None = None
    places = _Places(text)
    values = Places(text)  # where the value at a pointer is: each container scanned once

    def problem(at: str, pointer: str, found: Violation, size: int = 0) -> Record:
        line, column = places.at(values.value_offset(at) or 0)
        return Record(line, column, b"", pointer=pointer, problem=found, size=size)

    for i, entry in enumerate(entries):
        if not isinstance(entry, dict) or "_webSocketMessages" not in entry:
            continue  # an HTTP request, not a websocket
        messages = entry["_webSocketMessages"]
        if not isinstance(messages, list):
            pointer = f"/log/entries/{i}/_webSocketMessages"
            yield problem(pointer, pointer, _not_an_array(json_type(messages)))
            continue
        for j, message in enumerate(messages):
            pointer = f"/log/entries/{i}/_webSocketMessages/{j}"
            if not isinstance(message, dict):
                yield problem(pointer, pointer, _message_problem("is not an object"))
                continue
            if message.get("type") == "error":
                continue  # DevTools' note of a websocket error, not a frame on the wire
            opcode = message.get("opcode", _OPCODE_TEXT)
            payload = message.get("data")
            if type(opcode) is not int:  # not bool either: True == 1
                yield problem(
                    pointer + "/opcode",
                    pointer,
                    _opcode_type(opcode),
                    len(payload) if isinstance(payload, str) else 0,
                )
                continue
            if opcode in _CONTROL_OPCODES:
                continue
            if not isinstance(payload, str):
                yield problem(pointer, pointer, _message_problem("has no 'data' string"))
                continue
            if spans is None:
                spans = data_spans(text)
            members = spans[(i, j)]  # the scan sees every message of a parsed file
            for index, (key_at, span) in enumerate(members):
                notes: tuple[Record, ...] = ()
                if index:  # a repeated 'data': RT104 at the key, each message checked
                    line, column = places.at(key_at)
                    repeated = Violation(
                        "RT104",
                        "key 'data' appears more than once in the same HAR websocket "
                        "message; parsers disagree on which one is the message (each is "
                        "checked here): keep one",
                        pointer=f"{pointer}/data",
                    )
                    notes = (Record(line, column, b"", problem=repeated),)
                if span is None:
                    if notes:
                        yield notes[0]
                    continue
                value = json.loads(text[span[0] : span[1]])
                yield _frame(
                    text, span, value, opcode, pointer, notes, places, bom, max_record_bytes
                )._replace(time=capture_time(message))


def _frame(
    text: str,
    span: tuple[int, int],
    payload: str,
    opcode: int,
    pointer: str,
    notes: tuple[Record, ...],
    places: _Places,
    bom: int,
    max_record_bytes: int,
) -> Record:
    """Return the record of one message's ``data`` string at ``span``."""
    quote, end = span
    line, column = places.at(quote)
    if opcode != _OPCODE_TEXT:
        return Record(
            line,
            column,
            b"",
            pointer=pointer,
            problem=_binary(opcode),
            size=len(payload),
            notes=notes,
        )
    if len(payload) > max_record_bytes // 4:
        size = len(payload.encode("utf-8", "surrogatepass"))
        if size > max_record_bytes:
            return too_large(line, size, max_record_bytes)._replace(
                column=column, pointer=pointer, notes=notes
            )
    if not payload.strip():
        return Record(
            line, column, b"", pointer=pointer, problem=Violation("RT101", _EMPTY), notes=notes
        )
    data, shifts = align(text[quote + 1 : end - 1])
    return Record(
        line,
        column + 1,
        data,
        pointer=pointer,
        offset=quote + 1 + bom,
        shifts=shifts,
        notes=notes,
    )


def read_har(data: bytes, max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES) -> Iterator[Record]:
    """Yield the records of a HAR file held in ``data``: ``read_har_stream`` over it."""
    return read_har_stream(io.BytesIO(data), max_record_bytes)


def aligned_message(raw: str) -> str:
    """Return ``har.align``'s text alone (the tables of aligned texts compare it)."""
    return align(raw)[0]
