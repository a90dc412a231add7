"""Strict parsing of one record: UTF-8, then JSON (RFC 8259), then duplicate keys.

Errors are values: ``parse_record`` returns the parsed value or the findings (RT101, RT102,
RT104) with offsets into the record's text, which the linter turns into line and column.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, NamedTuple

from .violation import Violation

_UTF8_BOM = "\ufeff"


class _NonStandardConstant(ValueError):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def _reject_constant(name: str) -> Any:
    raise _NonStandardConstant(name)


class _Pairs:
    """An object_pairs_hook that builds dicts and remembers those that repeated a key."""

    __slots__ = ("duplicates",)

    def __init__(self) -> None:
        self.duplicates: list[tuple[dict[str, Any], str]] = []

    def __call__(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result = dict(pairs)
        if len(result) != len(pairs):
            seen: set[str] = set()
            for key, _ in pairs:
                if key in seen:
                    self.duplicates.append((result, key))
                seen.add(key)
        return result


class _Duplicate(Exception):
    """A key repeated: the first, stateless pass stops and the collecting pass takes over."""


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise _Duplicate
    return result


# Built once: json.loads(text, **hooks) would build a decoder and its scanner on every call.
# The hook keeps no state, so sharing the decoder keeps parse_text pure.
_STRICT = json.JSONDecoder(object_pairs_hook=_unique_pairs, parse_constant=_reject_constant)


class Parsed(NamedTuple):
    """A parsed record: its text (None where it is not UTF-8), value, and findings."""

    text: str | None
    value: Any
    violations: list[Violation]


_MISSING = object()


def decode_text(raw: bytes | bytearray | memoryview) -> tuple[str | None, Violation | None]:
    """Return the record's text, or an RT102 finding with the character offset of the bad byte."""
    try:
        return bytes(raw).decode("utf-8"), None
    except UnicodeDecodeError as exc:
        data = bytes(raw)
        offset = len(data[: exc.start].decode("utf-8", "replace"))
        bad = data[exc.start : exc.start + 1].hex().upper()
        return None, Violation(
            "RT102",
            f"record is not valid UTF-8: byte 0x{bad} at byte offset {exc.start} "
            f"({exc.reason}); write the log as UTF-8 (JSON text on a websocket is UTF-8)",
            offset=offset,
        )


def _find_constant(text: str, name: str) -> int:
    """Return the offset of the bare constant ``name`` outside strings (best effort)."""
    from .locate import scan_string

    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c == '"':
            i = scan_string(text, i)
            continue
        if text.startswith(name, i):
            return i
        i += 1
    return 0


def _walk_pointers(value: Any, targets: set[int]) -> dict[int, str]:
    """Return the JSON pointer of each container whose id() is in ``targets``."""
    found: dict[int, str] = {}
    stack: list[tuple[Any, str]] = [(value, "")]
    while stack and len(found) < len(targets):
        node, pointer = stack.pop()
        if id(node) in targets:
            found[id(node)] = pointer
        if isinstance(node, dict):
            for key, child in node.items():
                if isinstance(child, (dict, list)):
                    token = key.replace("~", "~0").replace("/", "~1")
                    stack.append((child, f"{pointer}/{token}"))
        elif isinstance(node, list):
            for index, child in enumerate(node):
                if isinstance(child, (dict, list)):
                    stack.append((child, f"{pointer}/{index}"))
    return found


def parse_text(text: str) -> tuple[Any, list[Violation]]:
    """Return the JSON value of ``text`` and its findings (RT101, RT104); MISSING on RT101."""
    hook = _Pairs()
    try:
        try:
            return _STRICT.decode(text), []
        except _Duplicate:
            value = json.loads(text, object_pairs_hook=hook, parse_constant=_reject_constant)
    except _NonStandardConstant as exc:
        offset = _find_constant(text, exc.name)
        return _MISSING, [
            Violation(
                "RT101",
                f"record is not valid JSON: {exc.name} is not a JSON value (Python's json writes "
                "it unless allow_nan=False); send a number or null",
                offset=offset,
            )
        ]
    except json.JSONDecodeError as exc:
        if exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string"):
            message = (
                f"record is not valid JSON: it ends before the value is complete "
                f"({exc.msg}); the record was cut short: was the capture written "
                "while it was being read?"
            )
        else:
            message = (
                f"record is not valid JSON: {exc.msg} (line {exc.lineno} column "
                f"{exc.colno} of the record); fix the syntax"
            )
        return _MISSING, [Violation("RT101", message, offset=exc.pos)]
    except RecursionError:
        return _MISSING, [
            Violation(
                "RT101",
                "record is not valid JSON for a Realtime event: nested too deeply to parse; no "
                "event nests more than a few levels",
                offset=0,
            )
        ]
    violations = []
    if hook.duplicates:
        pointers = _walk_pointers(value, {id(d) for d, _ in hook.duplicates})
        for obj, key in hook.duplicates:
            base = pointers.get(id(obj), "")
            token = key.replace("~", "~0").replace("/", "~1")
            violations.append(
                Violation(
                    "RT104",
                    f"key {key!r} appears more than once in the same object; parsers disagree on "
                    "which value wins: keep one",
                    pointer=f"{base}/{token}",
                )
            )
    return value, violations


def parse_record(raw: bytes | bytearray | memoryview | str) -> Parsed:
    """Return the record's text, value (``MISSING`` on failure) and parse findings."""
    if isinstance(raw, str):
        text: str | None = raw
    else:
        text, bad = decode_text(raw)
        if bad is not None:
            return Parsed(None, _MISSING, [bad])
    assert text is not None
    value, violations = parse_text(text)
    return Parsed(text, value, violations)


MISSING = _MISSING
"""The value of a record that did not parse."""


def iter_json_array(text: str, start: int) -> Iterator[tuple[int, int] | Violation]:
    """Yield the (start, end) offsets of each element of the array at ``start``, or RT101."""
    decoder = json.JSONDecoder()
    ws = " \t\r\n"
    i = start + 1
    n = len(text)
    while i < n and text[i] in ws:
        i += 1
    if i < n and text[i] == "]":
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
            i += 1
            while i < n and text[i] in ws:
                i += 1
            if i < n:
                yield Violation(
                    "RT101",
                    "document is not valid JSON: extra data after the "
                    "array; one document holds one array",
                    offset=i,
                )
            return
        yield Violation(
            "RT101",
            "document is not valid JSON: expected ',' or ']' after an array element",
            offset=min(i, n),
        )
        return


def strip_bom(text: str) -> str:
    """Return ``text`` without a leading UTF-8 byte order mark."""
    return text[1:] if text.startswith(_UTF8_BOM) else text
