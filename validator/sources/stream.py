"""A JSON text read in bounded pieces: where each value ends, and where everything is.

``Text`` decodes the input 1 MiB at a time and keeps a window ``buf`` of it with a cursor
``i``. Values that end inside the window are decoded in place by ``json`` (C speed, no copy);
one that goes on past the window is followed piece by piece by ``Scan``, an incremental scanner
that tracks only string and escape state and bracket depth, and that jumps with ``str.find``
and compiled patterns, never character by character over a long string. A value is held whole
up to a limit; past it, the rest of it is read and dropped (RT105 for a record). Lines are
counted as the window moves on, so the place of anything read stays exact, whatever was
dropped before it.
"""

from __future__ import annotations

import json
import re
from typing import Any, BinaryIO, NamedTuple

from ..core.jsontext import JSON_WS_RUN, LENIENT_DECODER
from ..core.violation import Violation

CHUNK = 1 << 20
"""Bytes read from the input at a time."""

SKIP_HOLD = 1 << 20
"""Bytes of a value that is only skipped (a HAR body) held whole so that json checks it."""

# results of Text.take
OK, ERROR, DEEP, SKIPPED, BAD = range(5)
# what Text.capture returns instead of an end index
_ENDED, _SKIPPED, _SKIPPED_ENDED = -1, -2, -3

_STRUCTURAL = re.compile(r'["\[\]{}]')
# the rest of a string's body, escapes included: stops at its closing quote, or at a backslash
# that is the piece's last character
_STRING_BODY = re.compile(r'[^"\\]*+(?:\\(?s:.)[^"\\]*+)*+')
# a number or a literal goes on while these follow (json's number pattern stops earlier)
_TOKEN = re.compile(r"[0-9A-Za-z.+\-]*+")
_VALUE_OPEN = frozenset('{["')


DECODER = LENIENT_DECODER
"""Checks values as the whole-document readers do (NaN and Infinity pass: RT101 later)."""


def utf8_size(text: str) -> int:
    """Return the size of ``text`` in UTF-8 bytes."""
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


def json_error(prefix: str, rest: str) -> tuple[str, int]:
    """Return json's message for ``prefix + rest`` and its offset relative to ``rest``.

    ``prefix`` is a minimal text in the state the reader is in (``'{"k"'``: a key read); the
    offset is negative where json places the error inside it (a trailing comma, Python 3.13).
    """
    try:
        json.loads(prefix + rest)
    except json.JSONDecodeError as exc:
        return exc.msg, exc.pos - len(prefix)
    return "Expecting value", 0  # not reached: the callers pass broken texts


class Scan:
    """Finds the end of one JSON value fed in pieces: string, escape and bracket state only.

    It checks nothing (the value is decoded by ``json`` when it is held whole, or not at all
    when it is skipped); it only has to agree with ``json`` on where a well-formed value ends.
    """

    __slots__ = ("depth", "escaped", "in_string", "token")

    def __init__(self, first: str) -> None:
        self.token = first not in _VALUE_OPEN  # a number, a literal, or garbage
        self.depth = 1 if first in "{[" else 0
        self.in_string = first == '"'
        self.escaped = False

    def feed(self, s: str, j: int) -> int:
        """Scan ``s`` from ``j``; return the index just past the value, or -1 if it goes on."""
        n = len(s)
        if self.token:
            end = _TOKEN.match(s, j).end()  # type: ignore[union-attr]
            return end if end < n else -1
        find = s.find
        while True:
            if self.in_string:
                if self.escaped:
                    if j >= n:
                        return -1
                    j += 1
                    self.escaped = False
                quote = find('"', j)
                if find("\\", j, n if quote < 0 else quote) >= 0:
                    quote = _STRING_BODY.match(s, j).end()  # type: ignore[union-attr]
                    if quote >= n:
                        return -1
                    if s[quote] == "\\":  # the piece's last character: its escape goes on
                        self.escaped = True
                        return -1
                elif quote < 0:
                    return -1
                self.in_string = False
                j = quote + 1
                if self.depth == 0:
                    return j
            else:
                m = _STRUCTURAL.search(s, j)
                if m is None:
                    return -1
                c = m.group()
                j = m.end()
                if c == '"':
                    self.in_string = True
                elif c == "{" or c == "[":
                    self.depth += 1
                else:
                    self.depth -= 1
                    if self.depth == 0:
                        return j


class _Rest(Scan):
    """A scan that never ends: everything to the end of the text is the value."""

    __slots__ = ()

    def feed(self, s: str, j: int) -> int:
        """Return -1: the value goes on to the end of the text."""
        return -1


class Taken(NamedTuple):
    """What ``Text.take`` found: ``kind`` (OK, ERROR, DEEP, SKIPPED, BAD) and its details.

    OK: ``end`` is the index in ``buf`` just past the value, ``value`` the parsed value (the
    cursor is still at its start). ERROR: ``end`` is the text offset of the syntax error and
    ``value`` json's message. DEEP: nested too deeply for json. SKIPPED: over the limit, read
    and dropped, ``end`` its size in bytes, ``value`` True where the text ended inside it.
    BAD: the text ended inside the value at bytes that are not UTF-8 (``Text.bad``).
    """

    kind: int
    end: int = 0
    value: Any = None


class Text:
    """A JSON text decoded from a binary stream in bounded pieces, with a window and cursor."""

    __slots__ = (
        "_bytes",
        "_carry",
        "_counted",
        "_first",
        "_line",
        "_line_start",
        "_near_end",
        "_pending",
        "_read",
        "_size",
        "bad",
        "base",
        "bom",
        "buf",
        "ended",
        "i",
        "skipped",
    )

    def __init__(self, stream: BinaryIO, chunk: int = CHUNK) -> None:
        self._read = stream.read
        self._size = chunk
        self._near_end = chunk // 16  # 64 KiB: a value that starts closer to the end is scanned
        self.buf = ""  # the window: text offsets base .. base + len(buf)
        self.i = 0  # the cursor, an index in buf
        self.base = 0
        self.ended = False  # the input's end has been read (``_pending`` may remain)
        self.bad: Violation | None = None  # RT102: the text stops short at bytes not UTF-8
        self.bom = False
        self.skipped = 0
        self._carry = b""
        self._first = True  # no text yet: a BOM may come
        self._pending = ""  # text read but not yet in the window: what followed a value
        self._bytes = 0  # bytes decoded so far
        self._line = 0  # newlines before offset _counted
        self._line_start = 0
        self._counted = 0

    # -- reading ----------------------------------------------------------------------------

    def piece(self) -> str:
        """Return the next decoded piece of the input; '' once the text has ended."""
        if self._pending:
            piece, self._pending = self._pending, ""
            return piece
        while not self.ended:
            data = self._read(self._size)
            final = not data
            data = self._carry + data
            self._carry = b""
            try:
                piece = data.decode("utf-8")
            except UnicodeDecodeError as exc:
                piece = data[: exc.start].decode("utf-8")
                if exc.reason == "unexpected end of data" and not final:
                    self._carry = data[exc.start :]  # a character cut by the piece's end
                else:
                    self._stop_at(data, exc)
            self._bytes += len(data) - len(self._carry)
            if final:
                self.ended = True
            if self._first and piece:
                self._first = False
                if piece.startswith("\ufeff"):
                    self.bom = True
                    piece = piece[1:]
            if piece:
                return piece
        return ""

    def _stop_at(self, data: bytes, exc: UnicodeDecodeError) -> None:
        """End the text at the bytes that are not UTF-8, with the RT102 finding for them."""
        offset = self._bytes + exc.start
        byte = data[exc.start : exc.start + 1].hex().upper()
        self.bad = Violation(
            "RT102",
            f"record is not valid UTF-8: byte 0x{byte} at byte offset {offset} "
            f"({exc.reason}); write the log as UTF-8 (JSON text on a websocket is UTF-8)",
        )
        self.ended = True
        self._carry = b""

    def more(self) -> bool:
        """Drop the window before the cursor and add the next piece; False at the text's end."""
        i = self.i
        if i:
            self._count(self.buf, self.base, self.base + i)
            self.buf = self.buf[i:]
            self.base += i
            self.i = 0
        piece = self.piece()
        if not piece:
            return False
        self.buf = self.buf + piece if self.buf else piece
        return True

    def peek(self) -> str:
        """Move the cursor over JSON whitespace; return the next character, '' at the end."""
        while True:
            buf = self.buf
            i = JSON_WS_RUN.match(buf, self.i).end()  # type: ignore[union-attr]
            self.i = i
            if i < len(buf):
                return buf[i]
            if not self.more():
                return ""

    @property
    def at_end(self) -> bool:
        """Return True once the window holds all the text that is left."""
        return self.ended and not self._pending

    @property
    def offset(self) -> int:
        """Return the text offset of the cursor."""
        return self.base + self.i

    def end_offset(self) -> int:
        """Return the text offset of the end of the window (the text's end, once it ended)."""
        return self.base + len(self.buf)

    def rest_is_space(self) -> bool:
        """Return True if only whitespace (``str.isspace``) follows the cursor; reads it."""
        while True:
            rest = self.buf[self.i :]
            if rest and not rest.isspace():
                return False
            self.i = len(self.buf)
            if not self.more():
                return True

    # -- places ----------------------------------------------------------------------------

    def _count(self, s: str, s_base: int, upto: int) -> None:
        """Count the newlines of ``s`` (at text offset ``s_base``) up to offset ``upto``."""
        start = self._counted - s_base
        end = upto - s_base
        if end <= start:
            return
        newlines = s.count("\n", start, end)
        if newlines:
            self._line += newlines
            self._line_start = s_base + s.rfind("\n", start, end) + 1
        self._counted = upto

    def place(self, offset: int) -> tuple[int, int]:
        """Return the 1-based line and 0-based column of ``offset``, in the window.

        Offsets must come in order: the lines before the last one asked are already counted.
        """
        self._count(self.buf, self.base, offset)
        return self._line + 1, offset - self._line_start

    def bad_record_place(self) -> tuple[int, int]:
        """Return where the bytes that are not UTF-8 start (the window holds the text's end)."""
        line, column = self.place(self.end_offset())
        if line == 1 and self.bom:
            column += 1  # the whole-document readers count the BOM as a character there
        return line, column

    # -- values ----------------------------------------------------------------------------

    def take(self, limit: int, *, sized: bool = True) -> Taken:
        """Read the JSON value at the cursor (a non-whitespace character), see ``Taken``.

        Up to ``limit`` UTF-8 bytes of it are held and decoded; a longer one is read to its
        end and dropped (SKIPPED). With ``sized`` False, a value that fits the window is
        decoded whatever its size (the caller only skips it).
        """
        buf, i = self.buf, self.i
        if buf[i] in _VALUE_OPEN:
            # near the window's end a value likely goes on: then the scan tells, where a failed
            # raw_decode would cost a parse, and a count of the window's lines for its error
            if len(buf) - i > self._near_end or self.at_end:
                try:
                    value, end = DECODER.raw_decode(buf, i)
                except json.JSONDecodeError:
                    pass  # broken, or going on past the window: the scan tells which
                except RecursionError:
                    return Taken(DEEP, self.base + i)
                else:
                    return self._sized(end, value, limit) if sized else Taken(OK, end, value)
        elif _TOKEN.match(buf, i).end() < len(buf):  # type: ignore[union-attr]
            return self._decode(limit, sized)
        elif self.at_end:  # a number or literal at the text's end
            return Taken(BAD) if self.bad is not None else self._decode(limit, sized)
        del buf  # the window is replaced by the value: do not keep it alive here
        end = self.capture(limit)
        if end in (_SKIPPED, _SKIPPED_ENDED):
            return Taken(SKIPPED, self.skipped, end == _SKIPPED_ENDED)
        if end == _ENDED and self.bad is not None:
            return Taken(BAD)
        return self._decode(limit, sized)

    def take_rest(self, limit: int) -> Taken:
        """Read everything from the cursor to the end of the text as one value (not decoded)."""
        end = self.capture(limit, _Rest(""))
        if end == _SKIPPED_ENDED:
            return Taken(SKIPPED, self.skipped, True)
        if self.bad is not None:
            return Taken(BAD)
        return Taken(OK, len(self.buf))

    def _decode(self, limit: int, sized: bool) -> Taken:
        """Decode the value at the cursor, which the window holds whole."""
        try:
            value, end = DECODER.raw_decode(self.buf, self.i)
        except json.JSONDecodeError as exc:
            return Taken(ERROR, self.base + exc.pos, exc.msg)
        except RecursionError:
            return Taken(DEEP, self.base + self.i)
        return self._sized(end, value, limit) if sized else Taken(OK, end, value)

    def _sized(self, end: int, value: Any, limit: int) -> Taken:
        """Return OK for the decoded value, or SKIPPED where it is over ``limit`` bytes."""
        i = self.i
        if end - i > limit // 4:
            buf = self.buf
            size = end - i if buf.isascii() else utf8_size(buf[i:end])
            if size > limit:
                self.i = end
                return Taken(SKIPPED, size, False)
        return Taken(OK, end, value)

    def capture(self, limit: int, scan: Scan | None = None) -> int:
        """Find the end of the value at the cursor, reading on; return its end index in buf.

        Up to ``limit`` bytes are held: then the window becomes the value alone (from index
        0; what followed it is read next). Or -1 (_ENDED): the text ended inside the value,
        the window holds all of it; -2 (_SKIPPED): the value was longer than ``limit``, read
        and dropped, its size in ``skipped``, the cursor just past it; -3 (_SKIPPED_ENDED):
        likewise, but the text ended inside it.
        """
        buf, i = self.buf, self.i
        if scan is None:
            scan = Scan(buf[i])
        end = scan.feed(buf, i if scan.token else i + 1)
        if end >= 0:
            if end - i > limit // 4:
                size = end - i if buf.isascii() else utf8_size(buf[i:end])
                if size > limit:  # not decoded: too large, whether it would parse or not
                    self.i, self.skipped = end, size
                    return _SKIPPED
            return end
        start = self.base + i
        self._count(buf, self.base, start)
        first = buf[i:]
        size = utf8_size(first)
        at = self.base + len(buf)  # the text offset of the next piece
        self.buf = buf = ""  # the window before the value is done with: free it now
        held = size <= limit
        pieces = [first] if held else []
        if not held:
            self._count(first, start, at)
        while True:
            piece = self.piece()
            if not piece:
                if held:
                    self.buf, self.base, self.i = "".join(pieces), start, 0
                    return _ENDED
                self.buf, self.base, self.i = "", at, 0
                self.skipped = size
                return _SKIPPED_ENDED
            end = scan.feed(piece, 0)
            if end >= 0:
                size += end if piece.isascii() else utf8_size(piece[:end])
                if held and size <= limit:
                    pieces.append(piece[:end])
                    self._pending = piece[end:]
                    del piece
                    self.buf, self.base, self.i = "".join(pieces), start, 0
                    return len(self.buf)
                if held:
                    self._count_pieces(pieces, start)
                self._count(piece, at, at + end)
                self.buf, self.base, self.i = piece, at, end
                self.skipped = size
                return _SKIPPED
            size += utf8_size(piece)
            if held:
                pieces.append(piece)
                if size > limit:
                    self._count_pieces(pieces, start)
                    pieces = []
                    held = False
            else:
                self._count(piece, at, at + len(piece))
            at += len(piece)

    def _count_pieces(self, pieces: list[str], start: int) -> None:
        """Count the newlines of consecutive ``pieces`` that start at text offset ``start``."""
        for piece in pieces:
            self._count(piece, start, start + len(piece))
            start += len(piece)
