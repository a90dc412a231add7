"""The exact map through a HAR message's escapes: each character of the message (the JSON
text inside a ``data`` string) at the offset of the file text it came from.

DevTools writes each websocket message as a JSON string, so the message's ``"`` is ``\\"`` in
the file and its ``\\n`` is ``\\\\n``. ``Escaped`` decodes the file's text and keeps an anchor
at each escape; between two escapes the map is a shift. A fix of the message is written back
through it, re-escaped the way the file escapes (``\\/``, ``\\u`` for what is not ASCII, and
``\\u0022`` for ``"`` or any other character the file writes only as a ``\\u`` escape), and
refused unless the new ``data`` string decodes to exactly the fixed message.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right

_SIMPLE = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_TOKEN = re.compile(r"\\(?:u[0-9a-fA-F]{4}|.)", re.DOTALL)  # one escape of json.dumps' output
_IN_ESCAPES = frozenset('\\"/0123456789abcdefABCDEFbfnrtu')  # what an escape is made of


class Escaped:
    """The message inside one ``data`` string, and where each of its characters is."""

    __slots__ = ("_file", "_message", "_u", "message", "raw")

    def __init__(self, raw: str) -> None:
        """Decode ``raw``, the file's text between the quotes of a ``data`` string."""
        self.raw = raw
        parts: list[str] = []
        message = [0]  # anchors: message offsets ...
        file = [0]  # ... and the file offsets they sit at
        find = raw.find
        pos = at = 0
        self._u: dict[str, str] = {}  # an ASCII character the file escapes as \\uXXXX: how
        while (i := find("\\", pos)) >= 0:
            parts.append(raw[pos:i])
            at += i - pos
            kind = raw[i + 1 : i + 2]
            end = i + 2
            if kind == "u":
                code = int(raw[i + 2 : i + 6], 16)
                end = i + 6
                if 0xD800 <= code <= 0xDBFF and raw.startswith("\\u", end):
                    low = int(raw[end + 2 : end + 6], 16)
                    if 0xDC00 <= low <= 0xDFFF:  # a surrogate pair is one character
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        end += 6
                if code < 0x80:
                    self._u.setdefault(chr(code), raw[i:end])
                parts.append(chr(code))
            else:
                parts.append(_SIMPLE.get(kind, kind))
            message += (at, at + 1)
            file += (i, end)
            at += 1
            pos = end
        parts.append(raw[pos:])
        self.message = "".join(parts)
        self._message = message
        self._file = file

    def file_offset(self, index: int) -> int:
        """Return the offset in ``raw`` of the message's character ``index``."""
        k = bisect_right(self._message, index) - 1
        return self._file[k] + index - self._message[k]

    def exact(self) -> bool:
        """Return True when the map decoded ``raw`` as json does (no malformed escape)."""
        try:
            decoded: object = json.loads(f'"{self.raw}"')
        except ValueError:
            return False
        return decoded == self.message

    def escape(self, text: str) -> str:
        """Return ``text`` (a part of the message) written the way ``raw`` writes it."""
        out = json.dumps(text, ensure_ascii="\\u" in self.raw)[1:-1]
        if "\\/" in self.raw:
            out = out.replace("/", "\\/")
        escapes, plain = self._styles()
        if escapes:  # each escape json wrote, as a token: "\\\\n" is no "\\n"
            out = _TOKEN.sub(lambda m: escapes.get(m[0], m[0]), out)
        for char, written in plain.items():
            out = out.replace(char, written)
        return out

    def _styles(self) -> tuple[dict[str, str], dict[str, str]]:
        """Return how ``raw`` writes what it writes only as a ``\\u`` escape: by the escape
        json writes for it (``\\"`` as ``\\u0022``), and by the character itself (``+``
        as ``\\u002B``, where no escape holds it)."""
        escapes: dict[str, str] = {}
        plain: dict[str, str] = {}
        for char, written in self._u.items():
            token = json.dumps(char)[1:-1]
            if not token.startswith("\\"):
                if char not in _IN_ESCAPES and char not in self.raw:
                    plain[char] = written
            elif token == "\\\\":
                if token not in self.raw:
                    escapes[token] = written
            elif token not in self.raw.replace("\\\\", ""):  # "\\\\n" holds no "\\n"
                escapes[token] = written
        return escapes, plain

    def replaced(self, start: int, end: int, new: str) -> Escaped | None:
        """Return the map of ``raw`` with message characters ``start:end`` replaced by
        ``new``, or None where the result would not decode to that message."""
        first, last = self.file_offset(start), self.file_offset(end)
        result = Escaped(self.raw[:first] + self.escape(new) + self.raw[last:])
        expected = self.message[:start] + new + self.message[end:]
        return result if result.message == expected and result.exact() else None
