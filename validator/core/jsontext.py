"""Find where things are in raw JSON text: the offset of the value at a JSON pointer, of a key,
of the n-th character inside a string value. Used only to place findings, never on the hot path.

The scanner is iterative (no recursion), so a record nested 100,000 deep does not overflow the
stack; it assumes the text parsed, except where said.
"""

from __future__ import annotations

import json
import re
from array import array
from bisect import bisect_left
from collections.abc import Iterator
from typing import Any

JSON_WS = " \t\n\r"
"""The four characters JSON allows between tokens (RFC 8259); ``str.isspace`` takes more."""
JSON_WS_RUN = re.compile(r"[ \t\n\r]*")
"""A run of JSON whitespace, empty included: ``JSON_WS_RUN.match(text, i).end()``."""
_WS_CHARACTERS = frozenset(JSON_WS)
_LITERAL_END = re.compile(r"[,\]}\s]|$")
_CONTAINER = re.compile(r'[{}\[\]"]')


def skip_ws_back(text: str, i: int) -> int:
    """Return the index of the last character at or before ``i`` that is not JSON whitespace."""
    while i >= 0 and text[i] in _WS_CHARACTERS:
        i -= 1
    return i


def skip_ws(text: str, i: int) -> int:
    """Return the index of the first non-whitespace character at or after ``i``."""
    c = text[i : i + 1]
    if c and c not in _WS_CHARACTERS:
        return i  # compact JSON has no whitespace: no regular expression for it
    m = JSON_WS_RUN.match(text, i)
    return m.end() if m else i


def scan_string(text: str, quote: int) -> int:
    """Return the index just past the string whose opening quote is at ``quote``.

    ``str.find`` skips the long runs (base64 audio) at memchr speed, where a regular
    expression reads a character at a time (15 us for 20 kB of audio, 1 us this way): a quote
    ends the string when an even number of backslashes precedes it.
    """
    find = text.find
    j = quote
    while True:
        j = find('"', j + 1)
        if j < 0:
            return len(text)
        k = j - 1
        while k > quote and text[k] == "\\":
            k -= 1
        if (j - 1 - k) % 2 == 0:
            return j + 1


def skip_value(text: str, i: int) -> int:
    """Return the index just past the JSON value that starts at ``i`` (the text's end where
    it runs out). Strings (the audio) are skipped with ``str.find``; ``tests/jsontext_twin.py``
    holds the obvious character loop it is compared with."""
    if i >= len(text):
        return len(text)
    c = text[i]
    if c == '"':
        return scan_string(text, i)
    if c not in "[{":
        m = _LITERAL_END.search(text, i)
        return m.start() if m else len(text)
    depth = 0
    search = _CONTAINER.search
    while True:
        m = search(text, i)
        if m is None:
            return len(text)
        j = m.start()
        c = text[j]
        if c == '"':
            i = scan_string(text, j)
            continue
        depth += 1 if c in "[{" else -1
        if depth == 0:
            return j + 1
        i = j + 1


def escape_token(key: str) -> str:
    """Return ``key`` as one reference token of a JSON pointer (RFC 6901: ``~0``, ``~1``)."""
    return key.replace("~", "~0").replace("/", "~1")


def unescape_token(token: str) -> str:
    """Return the key that one reference token of a JSON pointer names."""
    return token.replace("~1", "/").replace("~0", "~")


def pointer_tokens(pointer: str) -> list[str]:
    """Return the keys (and array indices, as text) that a JSON pointer names, in order."""
    return [unescape_token(t) for t in pointer.split("/")[1:]]


def _member_offsets(text: str, obj: int) -> Iterator[tuple[str, int, int]]:
    """Yield (raw key text, key offset, value offset) for each member of the object at ``obj``."""
    i = skip_ws(text, obj + 1)
    n = len(text)
    while i < n and text[i] == '"':
        key_end = scan_string(text, i)
        key = text[i + 1 : key_end - 1]
        j = skip_ws(text, key_end)
        if j >= n or text[j] != ":":
            break
        value = skip_ws(text, j + 1)
        yield key, i, value
        end = skip_ws(text, skip_value(text, value))
        if end >= n or text[end] != ",":
            break
        i = skip_ws(text, end + 1)


def member_values(text: str, obj: int, key: str) -> list[tuple[int, int]]:
    """Return (key offset, value offset) of each member ``key`` of the object at ``obj``, in
    order: a key repeated, every one (``json.loads`` keeps the last value)."""
    return [
        (at, value) for raw, at, value in _member_offsets(text, obj) if _unescape_key(raw) == key
    ]


def _unescape_key(raw: str) -> str:
    if "\\" not in raw:
        return raw
    import json

    try:
        result = json.loads(f'"{raw}"')
    except ValueError:
        return raw
    return result if isinstance(result, str) else raw


class Places:
    """Offsets in one record's text, each object's members and each array's elements scanned
    once: a record with a finding for each of its thousands of properties is placed in
    linear time (scanning the object again for each took 23 s for 4,000 of them)."""

    __slots__ = ("_elements", "_members", "_newlines", "keys", "text")

    def __init__(self, text: str, keys: frozenset[str] | None = None) -> None:
        self.text = text
        # only these keys are indexed, where given: the ones findings point at, so that an
        # object of millions of members costs a scan, not an index of them all
        self.keys = keys
        self._members: dict[int, dict[str, list[tuple[int, int]]]] = {}
        self._elements: dict[int, list[int]] = {}
        self._newlines: array[int] | None = None

    def line_col(self, offset: int) -> tuple[int, int]:
        """Return ``line_col(text, offset)``: counting the newlines before each of thousands
        of findings would be quadratic too; they are found once, then bisected."""
        newlines = self._newlines
        if newlines is None:
            text = self.text
            newlines = array("q")
            at = text.find("\n")
            while at >= 0:
                newlines.append(at)
                at = text.find("\n", at + 1)
            self._newlines = newlines
        line = bisect_left(newlines, offset)
        return line, offset - (newlines[line - 1] if line else -1) - 1

    def members(self, obj: int) -> dict[str, list[tuple[int, int]]]:
        """Return, for the object at ``obj``, each key's (key offset, value offset) pairs: its
        first, its second and its last occurrence, all that placing needs (the first key, the
        first repeat, the value that wins), however many times a hostile record repeats it."""
        found = self._members.get(obj)
        if found is None:
            found = {}
            keys = self.keys
            for raw, key_at, value_at in _member_offsets(self.text, obj):
                key = _unescape_key(raw)
                if keys is None or key in keys:
                    entries = found.setdefault(key, [])
                    if len(entries) < 3:
                        entries.append((key_at, value_at))
                    else:
                        entries[2] = (key_at, value_at)
            self._members[obj] = found
        return found

    def elements(self, array: int) -> list[int]:
        """Return the offsets of the elements of the array at ``array`` (an empty array: the
        offset of its ``]``, where a first element would be)."""
        found = self._elements.get(array)
        if found is None:
            text = self.text
            n = len(text)
            i = skip_ws(text, array + 1)
            found = [i]
            while True:
                i = skip_ws(text, skip_value(text, i))
                if i >= n or text[i] != ",":
                    break
                i = skip_ws(text, i + 1)
                found.append(i)
            self._elements[array] = found
        return found

    def value_offset(self, pointer: str, start: int = 0) -> int | None:
        """Return the offset of the value at ``pointer`` (RFC 6901), or None where absent."""
        text = self.text
        i = skip_ws(text, start)
        if not pointer:
            return i
        for token in (unescape_token(t) for t in pointer.split("/")[1:]):
            if i >= len(text):
                return None
            if text[i] == "{":
                entries = self.members(i).get(token)
                if not entries:
                    return None
                i = entries[-1][1]  # the last one wins, as in json.loads
            elif text[i] == "[" and token.isdigit():
                elements = self.elements(i)
                index = int(token)
                if index >= len(elements):
                    return None
                i = elements[index]
            else:
                return None
        return i

    def key_offsets(self, pointer: str, key: str, start: int = 0) -> list[int]:
        """Return the offsets of ``key`` in the object at ``pointer``: its first, second and
        last occurrence (``members``)."""
        obj = self.value_offset(pointer, start)
        if obj is None or obj >= len(self.text) or self.text[obj] != "{":
            return []
        return [key_at for key_at, _ in self.members(obj).get(key, ())]


def value_offset(text: str, pointer: str, start: int = 0) -> int | None:
    """Return the offset of the value at ``pointer`` (RFC 6901), or None where it is absent."""
    return Places(text).value_offset(pointer, start)


def key_offsets(text: str, pointer: str, key: str, start: int = 0) -> list[int]:
    """Return the offsets of ``key`` in the object at ``pointer``: first, second and last."""
    return Places(text).key_offsets(pointer, key, start)


def string_char_offset(text: str, quote: int, index: int) -> int:
    """Return the raw offset of character ``index`` of the string whose quote is at ``quote``.

    Escapes count as one character of the value (a surrogate pair escape as one).
    """
    i = quote + 1
    n = len(text)
    count = 0
    stop = -1
    while i < n and count < index:
        # plain characters up to the next escape or quote are one each: jump over them at once
        if stop < i:  # found again only once passed (an escaped quote): linear, not quadratic
            stop = text.find('"', i)
            stop = n if stop < 0 else stop
        escape = text.find("\\", i, stop)
        plain = (stop if escape < 0 else escape) - i
        if plain >= index - count:
            return i + (index - count)
        count += plain
        i += plain
        if i >= n or text[i] == '"':
            break
        if i + 1 < n:
            if text[i + 1] == "u":
                width = 6
                if (
                    text[i + 2 : i + 4].lower() in ("d8", "d9", "da", "db")
                    and text[i + 6 : i + 8] == "\\u"
                    and text[i + 8 : i + 10].lower() in ("dc", "dd", "de", "df")
                ):
                    width = 12
                i += width
            else:
                i += 2
        else:
            i += 1
        count += 1
    return i


def line_col(text: str, offset: int) -> tuple[int, int]:
    """Return the 0-based line and 0-based column of ``offset`` in ``text``."""
    line = text.count("\n", 0, offset)
    last = text.rfind("\n", 0, offset)
    return line, offset - last - 1


_JSON_TYPES: dict[type, str] = {
    dict: "an object",
    list: "an array",
    tuple: "an array",  # json.dumps writes a tuple as an array
    str: "a string",
    bool: "a boolean",  # before int: True is an int too
    int: "a number",
    float: "a number",
    type(None): "null",
}


def json_type(value: Any) -> str:
    """Return the JSON type name of a value, with its article ('an object', 'null').

    Never Python's name for a JSON value (a subclass of dict or str is still an object or a
    string); a value JSON cannot hold at all, from a dict built in Python, is named as such.
    """
    return json_kind(value) or f"a Python {type(value).__name__} object"


def json_kind(value: Any) -> str | None:
    """Return the JSON type name of ``value``, or None where JSON cannot hold it (bytes)."""
    name = _JSON_TYPES.get(type(value))
    if name is not None:
        return name
    for kind, name in _JSON_TYPES.items():
        if isinstance(value, kind):
            return name
    return None


def has_surrogate(value: Any) -> bool:
    """Return True when a string or key anywhere in ``value`` holds a lone surrogate."""
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            strings = [node]
        elif isinstance(node, dict):
            strings = list(node)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
            continue
        else:
            continue
        for s in strings:
            if not s.isascii():
                try:
                    s.encode("utf-8")
                except UnicodeEncodeError:
                    return True
    return False


def parse_int(digits: str) -> int | float:
    """Return the integer, or a float (inf) past Python's int limit of 4,300 digits."""
    try:
        return int(digits)
    except ValueError:  # valid JSON all the same; a number still stands in for it
        return float(digits)


LENIENT_DECODER = json.JSONDecoder(parse_int=parse_int)
"""json's decoder, but reading integers past Python's digit limit as floats (valid JSON)."""


def loads_any(text: str) -> Any:
    """Return ``json.loads(text)``, reading integers past Python's digit limit as floats."""
    return LENIENT_DECODER.decode(text)


def is_pointer(text: str) -> bool:
    """Return True when ``text`` is a JSON pointer to a member (RFC 6901: it starts with '/')."""
    return text.startswith("/")
