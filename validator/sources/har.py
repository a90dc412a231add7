"""HAR exports (Chrome DevTools): each websocket message is a record, placed where its data is.

Chrome writes a websocket session as one entry with ``_resourceType: "websocket"`` and
``_webSocketMessages``: ``{"type": "send"|"receive"|"error", "time": seconds, "opcode": 1|2|-1,
"data": "..."}``. For text frames (opcode 1) ``data`` is the message; for binary frames
(opcode 2) it is the base64 of the payload; ``error`` frames (opcode -1) hold DevTools' own
error text, not a message, and are skipped. Both directions are records: the linter tells
client from server events by ``type``. What DevTools never writes is a finding where it is: an
entry's ``_webSocketMessages`` that is not an array (RT101), a message that is not an object
or has no ``data`` string (RT101), an ``opcode`` that is not an integer (RT202: ``"1"`` or
``true`` is no frame kind); an entry without ``_webSocketMessages`` is an HTTP request.

Where findings point: the HAR holds each message as an escaped JSON string
(``"{\\"type\\":...}"``), so offsets inside the decoded message are not offsets in the file.
The record's ``data`` is therefore not the decoded message verbatim but an *aligned* text: the
same JSON value, written so that each of its characters sits at the column of the file
character it came from; the record starts just inside the quotes. Outside the message's
strings, an escape's extra width becomes JSON whitespace: after a structural character, before
the quote of ``\\"`` (a string opens at its quote), after a number or literal that holds an
escape (no space may go inside it). Inside them, the file's escape is also one of the
message's (``\\/``, ``\\u0041``, a surrogate pair), as wide and of the same value, and is
written as it is. So a character of the text sits at its file column (an escaped character
at its escape's backslash) except where no JSON text of the same value is as wide as the
file's: after one of the message's own escapes inside the same string (the message's ``\\n``
is ``\\\\n`` in the file, three characters for one: instructions or event ids, not the
base64 that ``JSON.stringify`` or ``json.dumps`` writes), and after an escape inside a number
or literal (``\\u0074rue``; no exporter writes one), up to the string's closing quote or the
token's end. For those the record carries its ``shifts`` (``align``), which placing adds: every
finding's column is the file's. (A control character or a lone surrogate escaped
inside a message string is written as itself: RT101 is placed on it.)

Reading: ``read_har_stream`` walks the file in bounded pieces (see ``stream``): the objects
and arrays on the way to ``log.entries[]._webSocketMessages[]`` are followed key by key, in
any order; every other value is skipped (checked by json when it fits the 1 MiB window, else
only scanned to its end: a response body of any size is never held whole); each message
object is held (up to the record limit and an envelope) and decoded alone. So records come
out as the file is read, and a syntax error after them ends the file with RT101 there.
(The obvious reader of a HAR held whole, the tests' twin, is in ``tests/whole_readers.py``.)
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any, BinaryIO

from ..core.jsontext import JSON_WS, Places, json_type, member_values, scan_string
from ..core.record import DEFAULT_MAX_RECORD_BYTES, Record, Shifts, capture_time
from ..core.violation import Violation
from .jsonl import too_large
from .stream import BAD, CHUNK, DEEP, ERROR, OK, SKIP_HOLD, SKIPPED, Text, json_error, utf8_size

_NEXT = re.compile(r'[{}\[\],"]')
_SIMPLE_ESCAPES = {
    '"': '"',
    "\\": "\\",
    "/": "/",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
}
# what goes on a number or literal (a run between escapes holds neither \\ nor ")
_TOKEN_PART = re.compile(r"[^ \t\n\r{}\[\],:]*+")
_STRUCTURAL = "{}[],:"
_OPCODE_TEXT = 1
_CONTROL_OPCODES = range(8, 16)  # close, ping, pong: not messages


def align(raw: str, start: int = 0, stop: int | None = None) -> tuple[str, Shifts]:
    """Return the message whose escaped form in the file is ``raw``, aligned to the file, and
    where its characters sit left of the file's (``Shifts``).

    ``raw[start:stop]`` is the file's text between the quotes of a ``data`` string (a window
    on the file is not copied). The text parses to the same JSON value as the message (or
    fails to parse as it does), and its character ``k`` sits at file offset ``quote + 1 + k``,
    but for the characters no JSON text can place (see the module's docstring): those sit at
    ``quote + 1 + shifted(shifts, k)``.
    """
    if stop is None:
        stop = len(raw)
    parts: list[str] = []
    size = 0  # characters of the text so far
    shifts: list[tuple[int, int]] = []
    state = 0  # 0: outside a message string, 1: inside one, 2: inside, after a backslash
    drift = 0  # characters the current message string is short of the file's
    owed = 0  # spaces owed once the number or literal being written ends (outside strings)
    digits = 0  # hex digits still to come of the message's own \u escape: written as such
    pos = start  # raw[pos:i] is yet to be written
    find = raw.find
    i = find("\\", pos, stop)
    while i >= 0:
        if i > pos:
            if state == 2:
                state = 1  # a plain character ends the message's own escape
                if raw[pos] == "u":
                    digits = max(0, 4 - (i - pos - 1))
            elif digits:
                digits = max(0, digits - (i - pos))
            elif owed:
                cut = _TOKEN_PART.match(raw, pos, i).end()  # type: ignore[union-attr]
                if cut < i:
                    parts.append(raw[pos:cut] + " " * owed)
                    size += cut - pos
                    shifts.append((size, 0))  # the spaces owed: aligned again
                    size += owed
                    owed, pos = 0, cut
            parts.append(raw[pos:i])
            size += i - pos
        kind = raw[i + 1 : i + 2]
        if kind == "u":
            code = int(raw[i + 2 : i + 6], 16)
            end = i + 6
            if 0xD800 <= code <= 0xDBFF and raw.startswith("\\u", end, stop):
                low = int(raw[end + 2 : end + 6], 16)
                if 0xDC00 <= low <= 0xDFFF:
                    # json.loads joins a surrogate pair into one character
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    end += 6
            c = chr(code)
        else:
            c = _SIMPLE_ESCAPES.get(kind, kind)
            end = i + 2
        width = end - i
        pos = end
        if state == 1:
            if c == '"':
                parts.append('"' + " " * (width - 1 + drift))
                size += 1
                if drift:
                    shifts.append((size, 0))  # the drift made up: aligned again
                size += width - 1 + drift
                drift = 0
                state = 0
            elif digits or c == "\\" or c < " " or "\ud800" <= c <= "\udfff" or end == stop:
                # in the message's own escape (no text as wide has its value); or json must
                # fail as on the message: at a control character, at half a surrogate pair (an
                # escape could pair up with one the message escapes), at the text's end (where
                # a \u escape is "invalid", not "unterminated")
                parts.append(c)
                size += 1
                drift += width - 1
                shifts.append((size, drift))
                if digits:
                    digits -= 1
                elif c == "\\":
                    state = 2
            else:
                pos = i  # the file's escape is one of the message's: as wide, the same value
        elif state == 2:
            parts.append(c)
            size += 1
            drift += width - 1
            shifts.append((size, drift))
            state = 1
            if c == "u":
                digits = 4
        elif c == '"':
            parts.append(" " * (owed + width - 1) + '"')
            if owed:
                shifts.append((size, 0))
            size += owed + width
            owed = 0
            state = 1
        elif c in JSON_WS:
            parts.append(" " * (owed + width))
            if owed:
                shifts.append((size, 0))
            size += owed + width
            owed = 0
        elif c in _STRUCTURAL:
            parts.append(" " * owed + c + " " * (width - 1))
            if owed:
                shifts.append((size, 0))
            size += owed + width
            owed = 0
        else:  # inside a number or literal, where no space may go: after it, then
            parts.append(c)
            size += 1
            owed += width - 1
            shifts.append((size, owed))
        i = find("\\", end, stop)
    if owed:
        cut = _TOKEN_PART.match(raw, pos, stop).end()  # type: ignore[union-attr]
        parts.append(raw[pos:cut] + " " * owed)
        shifts.append((size + cut - pos, 0))  # the spaces owed: aligned again
        pos = cut
    parts.append(raw[pos:stop])
    return "".join(parts), tuple(shifts)


def _binary(opcode: object) -> Violation:
    return Violation(
        "RT106",
        f"websocket message is a binary frame (opcode {opcode}); the Realtime server accepts "
        "text frames only: send each event as JSON text, with the audio base64-encoded in "
        "the 'audio' string of an input_audio_buffer.append event",
    )


def _not_a_har(problem: str) -> Violation:
    """Return RT101 for a JSON file that is not a HAR: ``problem`` says what is missing."""
    return Violation(
        "RT101",
        f'not a HAR file: {problem}; a HAR export is {{"log": {{"entries": [...]}}}} with '
        "websocket messages in each entry's '_webSocketMessages' (DevTools: Network panel, "
        "'Export HAR')",
    )


def _invalid(reason: str | None) -> Violation:
    """Return RT101 for a HAR that is not JSON: json's ``reason``, or None where it is cut."""
    reason = _CUT_SHORT if reason is None else f"{reason}; export the HAR again"
    return Violation("RT101", f"HAR file is not valid JSON: {reason}")


_CUT_SHORT = (
    "it ends before the document is complete: was the export cut short, "
    "or the file copied while it was being written?"
)
_TOO_DEEP = "HAR file is nested too deeply to parse; it is not a DevTools export"
_EMPTY = (
    "websocket message is empty: every Realtime event is a JSON object; "
    "do not send empty or blank text frames"
)


def _message_problem(what: str) -> Violation:
    """Return RT101 for a websocket message that is not a frame as DevTools writes it."""
    return Violation(
        "RT101",
        f'HAR websocket message {what}; DevTools writes each as {{"type", "time", '
        '"opcode", "data"}: export the HAR again',
    )


def _not_an_array(kind: str) -> Violation:
    """Return RT101 for an entry whose ``_webSocketMessages`` is ``kind`` ('a string')."""
    return Violation(
        "RT101",
        f"HAR entry's '_webSocketMessages' is {kind}, not an array; DevTools writes an entry's "
        'websocket messages as an array of {"type", "time", "opcode", "data"} objects: '
        "export the HAR again",
    )


def _opcode_type(opcode: object) -> Violation:
    """Return RT202 for a websocket message whose ``opcode`` is not an integer."""
    what = (
        f"{opcode!r}, not an integer"
        if isinstance(opcode, float)
        else f"{json_type(opcode)}, not a number"
    )
    return Violation(
        "RT202",
        f"websocket message 'opcode' is {what}: DevTools writes 1 for text frames and 2 for "
        "binary; export the HAR again",
    )


# -- the streaming reader --------------------------------------------------------------------

_ENVELOPE = 64 * 2**10
"""Bytes a message object may hold beyond the record limit: its keys and the data's escapes."""

# a value of the JSON type of the one that starts with this character (else a number: a digit,
# '-', NaN or Infinity), for the type's name where the value itself is skipped, not held
_FIRST: dict[str, Any] = {"{": {}, "[": [], '"': "", "t": True, "f": False, "n": None}


def read_har_stream(
    stream: BinaryIO, max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES, chunk: int = CHUNK
) -> Iterator[Record]:
    """Yield one record per websocket message of a HAR file, in file order, as it is read.

    Text frames are records of the message (aligned to the file) placed at the first
    character inside the quotes of their ``data`` (and ``offset`` there);
    binary frames are RT106, payloads over ``max_record_bytes`` RT105 and empty ones RT101,
    placed at the opening quote; an ``opcode`` that is not an integer is RT202, placed at
    it; a ``_webSocketMessages`` that is not an array, or a message not as DevTools writes
    it, RT101 placed at it. A message object too large to hold is RT105 at its start. A
    file that is not JSON gives RT101 where it breaks (after the records before that point);
    one without ``log.entries``, one RT101 record; one without websocket messages, none.
    """
    reader = _HarReader(Text(stream, chunk), max_record_bytes)
    try:
        yield from reader.records()
    except _Stop as stop:
        yield stop.record


class _Stop(Exception):
    """The file cannot be read on: ``record`` says why (RT101 or RT102)."""

    def __init__(self, record: Record) -> None:
        super().__init__(record)
        self.record = record


class _HarReader:
    """Walks one HAR text: the path to the messages key by key, everything else skipped."""

    __slots__ = (
        "comma",
        "entries_at",
        "entries_ok",
        "log_at",
        "max_record_bytes",
        "message_limit",
        "text",
    )

    def __init__(self, text: Text, max_record_bytes: int) -> None:
        self.text = text
        self.max_record_bytes = max_record_bytes
        self.message_limit = max_record_bytes + max_record_bytes // 8 + _ENVELOPE
        self.comma = (1, 0)  # the place of the last comma between members or elements
        self.log_at: tuple[int, int] | None = None  # the last "log" object's place
        self.entries_ok = False  # the last "log" object has an "entries" array
        self.entries_at: tuple[int, int] | None = None  # else where its "entries" is

    def records(self) -> Iterator[Record]:
        """Yield the records of the file; raise _Stop where it cannot be read on."""
        text = self.text
        c = text.peek()
        if not c:
            raise self._syntax("", c)
        root = text.place(text.offset)
        is_object = c == "{"
        if is_object:
            for key in self._members():
                if key == "log":
                    if text.buf[text.i] == "{":
                        yield from self._log()
                        continue
                    self.log_at = None
                self._skip()
        else:
            self._skip()
        c = text.peek()
        if c:
            raise self._syntax("0", c)  # json's "Extra data"
        if text.bad is not None:
            raise _Stop(self._bad())
        problem = self._not_a_har(root, is_object)
        if problem is not None:
            yield problem

    def _not_a_har(self, root: tuple[int, int], is_object: bool) -> Record | None:
        """Return the RT101 record of a file without ``log.entries``, or None."""
        if not is_object:
            problem, (line, column) = "the file is not a JSON object", root
        elif self.log_at is None:
            problem, (line, column) = "it has no 'log' object", root
        elif self.entries_ok:
            return None
        else:
            problem = "its 'log' has no 'entries' array"
            line, column = self.entries_at or self.log_at
        return Record(line, column, b"", problem=_not_a_har(problem))

    def _log(self) -> Iterator[Record]:
        """Yield the records of the ``log`` object at the cursor."""
        text = self.text
        self.log_at = text.place(text.offset)
        self.entries_ok, self.entries_at = False, None
        for key in self._members():
            if key == "entries":
                if text.buf[text.i] == "[":
                    self.entries_ok, self.entries_at = True, None
                    yield from self._entries()
                    continue
                self.entries_ok, self.entries_at = False, text.place(text.offset)
            self._skip()

    def _entries(self) -> Iterator[Record]:
        """Yield the records of the ``entries`` array at the cursor."""
        text = self.text
        for i in self._items():
            if text.buf[text.i] != "{":
                self._skip()
                continue
            for key in self._members():
                if key != "_webSocketMessages":
                    self._skip()
                elif text.buf[text.i] == "[":
                    for j in self._items():
                        yield from self._message(i, j)
                else:
                    at = text.place(text.offset)
                    kind = json_type(_FIRST.get(text.buf[text.i], 0))
                    self._skip()  # a broken value stops the file here: RT101 for it, not this
                    yield Record(
                        *at,
                        b"",
                        pointer=f"/log/entries/{i}/_webSocketMessages",
                        problem=_not_an_array(kind),
                    )

    def _message(self, i: int, j: int) -> Iterator[Record]:
        """Yield the record of message ``j`` of entry ``i`` at the cursor (none for some frames)."""
        text = self.text
        pointer = f"/log/entries/{i}/_webSocketMessages/{j}"
        is_object = text.buf[text.i] == "{"
        at = text.place(text.offset)
        kind, end, message = text.take(self.message_limit)
        if kind == SKIPPED:
            if is_object:
                yield too_large(at[0], end, self.max_record_bytes)._replace(
                    column=at[1], pointer=pointer
                )
            else:
                yield Record(
                    *at, b"", pointer=pointer, problem=_message_problem("is not an object")
                )
            if message:
                raise self._cut()
            return
        self._check(kind, end, message)
        start = text.i
        text.i = end
        if not isinstance(message, dict):
            yield Record(*at, b"", pointer=pointer, problem=_message_problem("is not an object"))
            return
        if message.get("type") == "error":
            return  # DevTools' note of a websocket error, not a frame on the wire
        opcode = message.get("opcode", _OPCODE_TEXT)
        payload = message.get("data")
        time = capture_time(message)
        del message
        if type(opcode) is not int:  # not bool either: True == 1
            where = Places(text.buf).value_offset("/opcode", start)
            line, column = at if where is None else text.place(text.base + where)
            yield Record(
                line,
                column,
                b"",
                pointer=pointer,
                problem=_opcode_type(opcode),
                size=len(payload) if isinstance(payload, str) else 0,
            )
            return
        if opcode in _CONTROL_OPCODES:
            return
        if not isinstance(payload, str):
            yield Record(
                *at, b"", pointer=pointer, problem=_message_problem("has no 'data' string")
            )
            return
        buf = text.buf
        datas = member_values(buf, start, "data")
        last = len(datas) - 1
        for index, (key_at, quote) in enumerate(datas):
            # a repeated 'data' (parsers disagree on which one is the message): RT104 at the
            # key, and each message checked, not only the last one that json keeps
            notes = (self._repeated(key_at, pointer),) if index else ()
            if index == last:
                sized = self._sized(payload)
                del payload  # the record is written from the file's text
            elif buf[quote] == '"':
                sized = self._sized(json.loads(buf[quote : scan_string(buf, quote)]))
            else:
                if notes:  # a value that is no message: the repeat is all there is to say
                    yield notes[0]
                continue
            yield self._frame(quote, sized, opcode, pointer, notes, time)

    def _sized(self, payload: str) -> tuple[int, bool]:
        """Return the size of a ``data`` string (UTF-8 bytes where it matters: over a quarter
        of the record limit; else characters), and whether it is blank."""
        if len(payload) > self.max_record_bytes // 4:
            return utf8_size(payload), False
        return len(payload), not payload.strip()

    def _repeated(self, key_at: int, pointer: str) -> Record:
        """Return the RT104 record of a message's ``data`` key at ``key_at`` repeated: where
        the key is (the linter places its finding there, as any record's problem)."""
        problem = Violation(
            "RT104",
            "key 'data' appears more than once in the same HAR websocket message; parsers "
            "disagree on which one is the message (each is checked here): keep one",
            pointer=f"{pointer}/data",
        )
        return Record(*self.text.place(self.text.base + key_at), b"", problem=problem)

    def _frame(
        self,
        quote: int,
        sized: tuple[int, bool],
        opcode: int,
        pointer: str,
        notes: tuple[Record, ...],
        time: float | None,
    ) -> Record:
        """Return the record of the ``data`` string at ``quote`` of the buffer (``sized``:
        ``_sized`` of its value), in a frame of ``opcode``, with its message's ``notes`` and
        ``time``."""
        text = self.text
        size, blank = sized
        line, column = text.place(text.base + quote)
        if opcode != _OPCODE_TEXT:
            return Record(line, column, b"", pointer, _binary(opcode), size, notes=notes, time=time)
        if size > self.max_record_bytes:
            found = too_large(line, size, self.max_record_bytes)
            return found._replace(column=column, pointer=pointer, notes=notes, time=time)
        if blank:
            problem = Violation("RT101", _EMPTY)
            return Record(line, column, b"", pointer, problem, notes=notes, time=time)
        buf = text.buf  # the record is written from the file's text
        data, shifts = align(buf, quote + 1, scan_string(buf, quote) - 1)
        offset = text.base + quote + 1 + text.bom
        return Record(
            line,
            column + 1,
            data,
            pointer=pointer,
            offset=offset,
            shifts=shifts,
            notes=notes,
            time=time,
        )

    # -- the path: objects and arrays, followed a member or an element at a time --------------

    def _members(self) -> Iterator[str | None]:
        """Yield each key of the object at the cursor (None: too long), the cursor on its value.

        The caller reads the value (or skips it) before taking the next key.
        """
        text = self.text
        text.i += 1
        prefix = "{"
        c = text.peek()
        if c == "}":
            text.i += 1
            return
        while True:
            if c != '"':
                raise self._syntax(prefix, c)
            found = text.take(SKIP_HOLD)
            self._check(found.kind, found.end, found.value)
            key = None
            if found.kind == OK:
                key = found.value
                text.i = found.end
            elif found.value:
                raise self._cut()
            c = text.peek()
            if c != ":":
                raise self._syntax('{"k"', c)
            text.i += 1
            c = text.peek()
            if not c:
                raise self._syntax('{"k":', c)
            yield key
            c = text.peek()
            if c == "}":
                text.i += 1
                return
            if c != ",":
                raise self._syntax('{"k":0', c)
            self.comma = text.place(text.offset)
            text.i += 1
            prefix = '{"k":0,'
            c = text.peek()

    def _items(self) -> Iterator[int]:
        """Yield the index of each element of the array at the cursor, the cursor on it."""
        text = self.text
        text.i += 1
        c = text.peek()
        if c == "]":
            text.i += 1
            return
        index = 0
        while True:
            if not c or (c == "]" and index):
                raise self._syntax("[0," if index else "[", c)
            yield index
            c = text.peek()
            if c == "]":
                text.i += 1
                return
            if c != ",":
                raise self._syntax("[0", c)
            self.comma = text.place(text.offset)
            text.i += 1
            index += 1
            c = text.peek()

    def _skip(self) -> None:
        """Read past the value at the cursor: checked by json where it fits the window."""
        text = self.text
        found = text.take(SKIP_HOLD, sized=False)
        if found.kind == SKIPPED:
            if found.value:
                raise self._cut()
            return
        self._check(found.kind, found.end, found.value)
        text.i = found.end

    # -- where it breaks -------------------------------------------------------------------

    def _check(self, kind: int, end: int, message: Any) -> None:
        """Raise _Stop for a value that json rejects, nests too deeply, or is cut by bad bytes."""
        if kind == ERROR:
            text = self.text
            line, column = text.place(end)
            text.i = end - text.base
            raise _Stop(
                Record(
                    line, column, b"", problem=_invalid(None if text.rest_is_space() else message)
                )
            )
        if kind == DEEP:
            raise _Stop(Record(1, 0, b"", problem=Violation("RT101", _TOO_DEEP)))
        if kind == BAD:
            raise _Stop(self._bad())

    def _syntax(self, prefix: str, c: str) -> _Stop:
        """Return _Stop for the character ``c`` at the cursor ('' at the end) after ``prefix``."""
        text = self.text
        if not c and text.bad is not None:
            return _Stop(self._bad())
        message, offset = json_error(prefix, c)
        line, column = self.comma if offset < 0 else text.place(text.offset)
        cut = not c or text.rest_is_space()
        return _Stop(Record(line, column, b"", problem=_invalid(None if cut else message)))

    def _cut(self) -> _Stop:
        """Return _Stop for a text that ended inside a value too large to hold."""
        text = self.text
        if text.bad is not None:
            return _Stop(self._bad())
        line, column = text.place(text.end_offset())
        return _Stop(Record(line, column, b"", problem=_invalid(None)))

    def _bad(self) -> Record:
        """Return the RT102 record where the text stopped at bytes that are not UTF-8."""
        text = self.text
        assert text.bad is not None
        line, column = text.bad_record_place()
        return Record(line, column, b"", problem=Violation(text.bad.rule, text.bad.message))
