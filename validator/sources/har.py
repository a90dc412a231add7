"""HAR exports (Chrome DevTools): each websocket message is a record, placed where its data is.

Chrome writes a websocket session as one entry with ``_resourceType: "websocket"`` and
``_webSocketMessages``: ``{"type": "send"|"receive"|"error", "time": seconds, "opcode": 1|2|-1,
"data": "..."}``. For text frames (opcode 1) ``data`` is the message; for binary frames
(opcode 2) it is the base64 of the payload; ``error`` frames (opcode -1) hold DevTools' own
error text, not a message, and are skipped. Both directions are records: the linter tells
client from server events by ``type``.

Where findings point: the HAR holds each message as an escaped JSON string
(``"{\\"type\\":...}"``), so offsets inside the decoded message are not offsets in the file.
The record's ``data`` is therefore not the decoded message verbatim but an *aligned* text: the
same JSON value, padded with JSON whitespace so that each of its characters sits at the column
of the file character it came from (the leading space is the opening quote of ``data``). A
finding's position is then exact, except inside a message string after an escape in that same
string (``\\n``, ``\\"``, ``\\uXXXX`` inside a message's string value): there it is left of the
true column by the escapes' extra width, and exact again after the string's closing quote.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from ..locate import line_col, value_offset
from ..parse import decode_text, strip_bom
from ..violation import Violation
from .base import DEFAULT_MAX_RECORD_BYTES, Record
from .jsonl import too_large

# a JSON string, or a character that opens, separates or closes a container; numbers and
# literals are skipped (the document already parsed, so nothing between tokens can surprise)
_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[{}\[\],]', re.DOTALL)
_ESCAPE = re.compile(r"\\(?:u[0-9a-fA-F]{4}|.)", re.DOTALL)
_SIMPLE_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n",
                   "r": "\r", "t": "\t"}
_JSON_WS = " \t\n\r"
_STRUCTURAL = "{}[],:"
_OPCODE_TEXT, _OPCODE_BINARY = 1, 2
_CONTROL_OPCODES = range(8, 16)  # close, ping, pong: not messages


def _data_offsets(text: str) -> dict[tuple[int, int], int]:
    """Return, for each (entry, message) index pair, the offset of the quote of its "data".

    One forward pass over the tokens with the path kept on a stack; a repeated key leaves
    the last value, as ``json.loads`` does.
    """
    found: dict[tuple[int, int], int] = {}
    # each frame is [is_object, key (object) or index (array)]
    stack: list[list[Any]] = []
    expect_key = False
    for m in _TOKEN.finditer(text):
        start = m.start()
        c = text[start]
        if c == '"':
            if expect_key:
                key = text[start + 1 : m.end() - 1]
                if "\\" in key:
                    key = json.loads(text[start : m.end()])
                stack[-1][1] = key
                expect_key = False
            elif (
                len(stack) == 6
                and stack[5][1] == "data"
                and stack[3][1] == "_webSocketMessages"
                and stack[1][1] == "entries"
                and stack[0][1] == "log"
                and not stack[2][0]
                and not stack[4][0]
            ):
                found[(stack[2][1], stack[4][1])] = start
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
    return found


def _decode_escape(esc: str) -> str:
    if esc[1] == "u":
        return chr(int(esc[2:], 16))
    return _SIMPLE_ESCAPES.get(esc[1], esc[1])


def aligned_message(raw: str) -> str | None:
    """Return the message whose escaped form in the file is ``raw``, aligned to the file.

    ``raw`` is the file's text between the quotes of a ``data`` string. The result parses to
    the same JSON value as the message (or fails to parse as it does), and its character
    ``k`` sits at file offset ``quote + k``. Returns None where no such padding exists (an
    escaped letter or digit outside the message's strings); the caller falls back then.
    """
    parts: list[str] = [" "]  # the opening quote of "data"
    state = 0  # 0: outside a message string, 1: inside one, 2: inside, after a backslash
    drift = 0  # characters the current message string is short of the file's
    pos = 0
    escapes = list(_ESCAPE.finditer(raw))
    n = len(escapes)
    k = 0
    while k < n:
        m = escapes[k]
        start, end = m.span()
        if start > pos:
            parts.append(raw[pos:start])
            if state == 2:
                state = 1  # a plain character ends the message's own escape
        esc = m.group()
        c = _decode_escape(esc)
        if "\ud800" <= c <= "\udbff" and k + 1 < n and escapes[k + 1].start() == end:
            low = _decode_escape(escapes[k + 1].group())
            if "\udc00" <= low <= "\udfff":
                # json.loads joins a surrogate pair into one character
                c = chr(0x10000 + ((ord(c) - 0xD800) << 10) + (ord(low) - 0xDC00))
                end = escapes[k + 1].end()
                k += 1
        width = end - start
        if state == 0:
            if c == '"':
                parts.append(" " * (width - 1) + '"')
                state = 1
            elif c in _JSON_WS:
                parts.append(" " * width)
            elif c in _STRUCTURAL:
                parts.append(c + " " * (width - 1))
            else:
                return None
        elif state == 1:
            if c == '"':
                parts.append('"' + " " * (width - 1 + drift))
                drift = 0
                state = 0
            else:
                parts.append(c)
                drift += width - 1
                if c == "\\":
                    state = 2
        else:
            parts.append(c)
            drift += width - 1
            state = 1
        pos = end
        k += 1
    parts.append(raw[pos:])
    return "".join(parts)


def _problem_at(text: str, offset: int, problem: Violation, pointer: str = "") -> Record:
    line, col = line_col(text, offset)
    return Record(line + 1, col, b"", pointer=pointer, problem=problem)


def _binary(opcode: object) -> Violation:
    return Violation(
        "RT106",
        f"websocket message is a binary frame (opcode {opcode}); the Realtime server accepts "
        "text frames only: send each event as JSON text, with the audio base64-encoded in "
        "the 'audio' string of an input_audio_buffer.append event",
    )


def _entries(text: str, value: Any) -> list[Any] | Record:
    """Return ``log.entries``, or the RT101 record that says which part is missing."""
    problem = None
    at = value_offset(text, "")
    if not isinstance(value, dict):
        problem = "the file is not a JSON object"
    else:
        log = value.get("log")
        if not isinstance(log, dict):
            problem = "it has no 'log' object"
        else:
            at = value_offset(text, "/log")
            entries = log.get("entries")
            if isinstance(entries, list):
                return entries
            problem = "its 'log' has no 'entries' array"
            if "entries" in log:
                at = value_offset(text, "/log/entries")
    return _problem_at(text, at or 0, Violation(
        "RT101",
        f"not a HAR file: {problem}; a HAR export is {{\"log\": {{\"entries\": [...]}}}} with "
        "websocket messages in each entry's '_webSocketMessages' (DevTools: Network panel, "
        "'Export HAR')",
    ))


def read_har(data: bytes, max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES) -> Iterator[Record]:
    """Yield one record per websocket message of a HAR file, in file order."""
    decoded, bad = decode_text(data)
    if bad is not None:
        prefix = data.decode("utf-8", "replace")
        line, col = line_col(prefix, bad.offset or 0)
        yield Record(line + 1, col, b"", problem=Violation(bad.rule, bad.message))
        return
    assert decoded is not None
    text = strip_bom(decoded)
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        if exc.pos >= len(text.rstrip()):
            reason = ("it ends before the document is complete (was the export cut short, "
                      "or the file still being written?)")
        else:
            reason = f"{exc.msg}; export the HAR again"
        yield _problem_at(text, exc.pos, Violation("RT101", f"HAR file is not valid JSON: {reason}"))
        return
    except RecursionError:
        yield Record(1, 0, b"", problem=Violation(
            "RT101", "HAR file is not valid JSON for a HAR: nested too deeply to parse"))
        return
    entries = _entries(text, value)
    if isinstance(entries, Record):
        yield entries
        return
    offsets: dict[tuple[int, int], int] | None = None
    line, last = 1, 0  # the line of file offset ``last``: offsets only grow, so count forward
    for i, entry in enumerate(entries):
        messages = entry.get("_webSocketMessages") if isinstance(entry, dict) else None
        if not isinstance(messages, list):
            continue
        for j, message in enumerate(messages):
            pointer = f"/log/entries/{i}/_webSocketMessages/{j}"
            if not isinstance(message, dict):
                yield _malformed(text, pointer, "is not an object")
                continue
            if message.get("type") == "error":
                continue  # DevTools' note of a websocket error, not a frame on the wire
            opcode = message.get("opcode", _OPCODE_TEXT)
            if opcode in _CONTROL_OPCODES:
                continue
            payload = message.get("data")
            if not isinstance(payload, str):
                yield _malformed(text, pointer, "has no 'data' string")
                continue
            if offsets is None:
                offsets = _data_offsets(text)
            quote = offsets.get((i, j))
            if quote is None:  # not seen by the scan: cannot happen for a parsed document
                quote = value_offset(text, pointer + "/data") or 0
            if quote >= last:
                line += text.count("\n", last, quote)
            else:
                line = text.count("\n", 0, quote) + 1
            last = quote
            column = quote - text.rfind("\n", 0, quote) - 1
            if opcode != _OPCODE_TEXT:
                yield Record(line, column, b"", pointer=pointer, problem=_binary(opcode))
                continue
            if len(payload) > max_record_bytes // 4:
                size = len(payload.encode("utf-8", "surrogatepass"))
                if size > max_record_bytes:
                    record = too_large(line, size, max_record_bytes)
                    yield record._replace(column=column, pointer=pointer)
                    continue
            if not payload.strip():
                yield Record(line, column, b"", pointer=pointer, problem=Violation(
                    "RT101",
                    "websocket message is empty: every Realtime event is a JSON object; "
                    "do not send empty or blank text frames",
                ))
                continue
            aligned = None
            string = _TOKEN.match(text, quote)
            if string is not None:
                aligned = aligned_message(text[quote + 1 : string.end() - 1])
            yield Record(line, column, aligned if aligned is not None else " " + payload,
                         pointer=pointer)


def _malformed(text: str, pointer: str, what: str) -> Record:
    return _problem_at(text, value_offset(text, pointer) or 0, Violation(
        "RT101",
        f"HAR websocket message {what}; DevTools writes each as {{\"type\", \"time\", "
        "\"opcode\", \"data\"}: export the HAR again",
    ), pointer)
