"""Parsing a record too wide to hold whole: an object of millions of members, kept in part.

json builds every member of an object (a list of pairs, then a dict) and every element of an
array before anyone looks at them: a 24 MB record of 2,000,000 unknown keys took 585 MB, one
key written 4,000,000 times 730 MB, an array of 12,000,000 zeros 189 MB. A record with more
than ``parse.WIDE_MEMBERS`` commas is parsed here instead, member by member and element by
element (json's own string scanner and value parser; only objects and arrays are read here).
An array keeps its first ``KEEP`` elements, and any later one that holds a repeated key to be
shown; the others are parsed and dropped (no rule reads an array's length). Each object
keeps:

- every member whose key a rule reads (the ``keep`` it is given), and the first ``KEEP`` others, in
  order; past them an unknown member is counted (``Parsed.dropped``, by object), not kept:
  the findings of one rule are capped at 50 a record, so the first 256 say all that is shown,
  and the count says how many more;
- repeated keys found as json would find them, in bounded memory: an open-addressing table of
  the keys' offsets in the text (4 bytes a key), compared by decoding the key again.

Findings, their order and their counts are those of ``parse.parse_text`` on the same record:
``tests/test_wide.py`` holds the two equal with the thresholds lowered.
"""

from __future__ import annotations

import json
import json.scanner
from array import array
from collections.abc import Callable
from typing import Any

from ..core.jsontext import JSON_WS_RUN, has_surrogate
from ..core.violation import MAX_PER_RULE

KEEP = 256
"""The unknown members an object keeps, in order, before it only counts them."""


def _ws_end(s: str, i: int) -> int:
    """Return the index past the JSON whitespace at ``i`` (the pattern matches always)."""
    return JSON_WS_RUN.match(s, i).end()  # type: ignore[union-attr]


scanstring: Callable[[str, int, bool], tuple[str, int]] = json.decoder.scanstring  # type: ignore[attr-defined]
_WS_STR = " \t\n\r"


class _Keys:
    """The keys of one object, as offsets into the text (just past each key's opening quote).

    Linear probing from the key's hash; a slot holds the offset, negated once the key has been
    reported as repeated. The key at a slot is decoded again to compare: no str kept.
    """

    __slots__ = ("count", "mask", "slots", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.slots = array("i" if len(text) < 2**31 else "q", [0]) * 8
        self.mask = 7
        self.count = 0

    def add(self, key: str, at: int) -> int:
        """Return 0 for a new key (now held), 1 for the first repeat of one, 2 for a later one."""
        slots, mask, text = self.slots, self.mask, self.text
        i = hash(key) & mask
        while True:
            held = slots[i]
            if held == 0:
                slots[i] = at
                self.count += 1
                if self.count * 3 >= len(slots) * 2:
                    self._grow()
                return 0
            if scanstring(text, abs(held), True)[0] == key:
                if held < 0:
                    return 2
                slots[i] = -held
                return 1
            i = (i + 1) & mask

    def _grow(self) -> None:
        old = self.slots
        slots = array(old.typecode, [0]) * (len(old) * 2)
        mask = len(slots) - 1
        text = self.text
        for held in old:
            if held:
                i = hash(scanstring(text, abs(held), True)[0]) & mask
                while slots[i]:
                    i = (i + 1) & mask
                slots[i] = held
        self.slots, self.mask = slots, mask


class WideParse:
    """One wide record's parse: the value kept, the repeated keys found, the members counted.

    ``duplicates`` and ``more`` are those of ``parse._Pairs`` (objects in the order they
    close); ``dropped`` the (object, count) of each object that counted members past ``KEEP``;
    ``dropped_surrogate`` is True when a member not kept held a lone surrogate.
    """

    def __init__(
        self,
        text: str,
        parse_int: Any,
        parse_constant: Any,
        surrogates: bool,
        keep: frozenset[str],
    ) -> None:
        self.text = text
        self.keep = keep  # the keys a rule reads: kept wherever they stand
        self.duplicates: list[tuple[dict[str, Any], str]] = []
        self.more = 0
        self.dropped: list[tuple[dict[str, Any], int]] = []
        self.surrogates = surrogates  # whether a dropped member must be looked at for one
        self.dropped_surrogate = False
        decoder = json.JSONDecoder(parse_int=parse_int, parse_constant=parse_constant)
        decoder.parse_object = self._object  # type: ignore[attr-defined]
        decoder.parse_array = self._array  # type: ignore[attr-defined]
        # the pure-Python scanner: the C one would call json's own object parser
        self._scan_once = json.scanner.py_make_scanner(decoder)  # type: ignore[attr-defined]

    def decode(self) -> Any:
        """Return the record's value, as ``json.JSONDecoder.decode`` would (its errors too)."""
        text = self.text
        idx = _ws_end(text, 0)
        try:
            value, end = self._scan_once(text, idx)
        except StopIteration as err:
            raise json.JSONDecodeError("Expecting value", text, err.value) from None
        end = _ws_end(text, end)
        if end != len(text):
            raise json.JSONDecodeError("Extra data", text, end)
        return value

    def _object(
        self,
        s_and_end: tuple[str, int],
        strict: bool,
        scan_once: Any,
        object_hook: Any,
        object_pairs_hook: Any,
        memo: Any = None,
    ) -> tuple[dict[str, Any], int]:
        """``json.decoder.JSONObject``, its errors word for word, keeping members in part."""
        s, end = s_and_end
        kept: dict[str, Any] = {}
        nextchar = s[end : end + 1]
        if nextchar != '"':
            if nextchar in _WS_STR:
                end = _ws_end(s, end)
                nextchar = s[end : end + 1]
            if nextchar == "}":
                return kept, end + 1
            if nextchar != '"':
                raise json.JSONDecodeError(
                    "Expecting property name enclosed in double quotes", s, end
                )
        end += 1
        keys = _Keys(s)
        unknown = dropped = extra = 0
        repeated: list[str] = []
        while True:
            at = end
            key, end = scanstring(s, end, strict)
            if s[end : end + 1] != ":":
                end = _ws_end(s, end)
                if s[end : end + 1] != ":":
                    raise json.JSONDecodeError("Expecting ':' delimiter", s, end)
            end += 1
            try:
                if s[end] in _WS_STR:
                    end += 1
                    if s[end] in _WS_STR:
                        end = _ws_end(s, end + 1)
            except IndexError:
                pass
            try:
                value, end = scan_once(s, end)
            except StopIteration as err:
                raise json.JSONDecodeError("Expecting value", s, err.value) from None
            seen = keys.add(key, at)
            if seen == 1:  # a key written three times is one finding, not two
                if len(repeated) <= MAX_PER_RULE:
                    repeated.append(key)
                else:
                    extra += 1
            if seen == 0 and key not in self.keep and unknown >= KEEP:
                dropped += 1
                if self.surrogates and not self.dropped_surrogate:
                    self.dropped_surrogate = has_surrogate(key) or has_surrogate(value)
            elif seen == 0 or key in kept:  # the last value wins, as in a dict of the pairs
                if seen == 0 and key not in self.keep:
                    unknown += 1
                kept[key] = value
            try:
                nextchar = s[end]
                if nextchar in _WS_STR:
                    end = _ws_end(s, end + 1)
                    nextchar = s[end]
            except IndexError:
                nextchar = ""
            end += 1
            if nextchar == "}":
                break
            if nextchar != ",":
                raise json.JSONDecodeError("Expecting ',' delimiter", s, end - 1)
            end = _ws_end(s, end)
            nextchar = s[end : end + 1]
            end += 1
            if nextchar != '"':
                raise json.JSONDecodeError(
                    "Expecting property name enclosed in double quotes", s, end - 1
                )
        duplicates = self.duplicates
        for key in repeated:
            if len(duplicates) <= MAX_PER_RULE:
                duplicates.append((kept, key))
            else:
                self.more += 1
        self.more += extra
        if dropped:
            self.dropped.append((kept, dropped))
        return kept, end

    def _array(self, s_and_end: tuple[str, int], scan_once: Any) -> tuple[list[Any], int]:
        """``json.decoder.JSONArray``, its errors word for word, keeping elements in part:
        the first ``KEEP``, and after them only one that holds a repeated key that is to be
        shown (its pointer is found through the value); the others are checked and dropped
        (no rule reads them: an array's findings are those of its elements)."""
        s, end = s_and_end
        values: list[Any] = []
        nextchar = s[end : end + 1]
        if nextchar in _WS_STR:
            end = _ws_end(s, end + 1)
            nextchar = s[end : end + 1]
        if nextchar == "]":
            return values, end + 1
        count = 0
        indices: list[int] | None = None
        while True:
            shown, wide = len(self.duplicates), len(self.dropped)
            try:
                value, end = scan_once(s, end)
            except StopIteration as err:
                raise json.JSONDecodeError("Expecting value", s, err.value) from None
            if count < KEEP or len(self.duplicates) != shown:
                if count >= KEEP:  # past dropped ones: its index is not its place here
                    indices = indices or list(range(KEEP))
                    indices.append(count)
                values.append(value)
            else:
                del self.dropped[wide:]  # its objects' counts: no finding of it is shown
                if self.surrogates and not self.dropped_surrogate:
                    self.dropped_surrogate = has_surrogate(value)
            count += 1
            nextchar = s[end : end + 1]
            if nextchar in _WS_STR:
                end = _ws_end(s, end + 1)
                nextchar = s[end : end + 1]
            end += 1
            if nextchar == "]":
                break
            if nextchar != ",":
                raise json.JSONDecodeError("Expecting ',' delimiter", s, end - 1)
            try:
                if s[end] in _WS_STR:
                    end += 1
                    if s[end] in _WS_STR:
                        end = _ws_end(s, end + 1)
            except IndexError:
                pass
        if indices is not None:
            kept = Kept(values)
            kept.indices = indices
            return kept, end
        return values, end


class Kept(list[Any]):
    """An array kept in part: ``indices`` holds each element's index in the array."""

    indices: list[int]
