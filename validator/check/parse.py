"""Strict parsing of one record: UTF-8, then JSON (RFC 8259), then duplicate keys.

Errors are values: ``parse_record`` returns the parsed value or the findings (RT101, RT102,
RT104) with offsets into the record's text, which the linter turns into line and column.
A syntax error is explained from the text around it (a prefix before the JSON, a Python
repr, a trailing comma), only once a record has failed to parse.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from ..core.jsontext import (
    JSON_WS,
    LENIENT_DECODER,
    escape_token,
    has_surrogate,
    parse_int,
    skip_ws,
    skip_ws_back,
)
from ..core.violation import MAX_PER_RULE, Violation

if TYPE_CHECKING:
    from .wide import WideParse

_UTF8_BOM = "\ufeff"
WIDE_MEMBERS = 100_000
"""A record with more commas than this (one before each member or element but the first) is
parsed by ``wide.py``, which keeps objects and arrays in part: json would hold them whole."""
# a \uD800-\uDFFF escape: the cheap sign that a lone surrogate may hide in the text
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
# every escape, left to right: an escaped backslash is consumed whole, so the 'u' after it
# starts no escape
_ESCAPE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|[^u])")


class _NonStandardConstant(ValueError):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def _reject_constant(name: str) -> Any:
    raise _NonStandardConstant(name)


class _Pairs:
    """An object_pairs_hook that builds dicts and remembers those that repeated a key."""

    __slots__ = ("duplicates", "more")

    def __init__(self) -> None:
        # the first of them (a few more than a record's findings of one rule are kept), and
        # how many more: a hostile record may repeat millions of keys
        self.duplicates: list[tuple[dict[str, Any], str]] = []
        self.more = 0

    def __call__(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result = dict(pairs)
        if len(result) != len(pairs):
            seen: set[str] = set()
            reported: set[str] = set()  # a key written three times is one finding, not two
            for key, _ in pairs:
                if key in seen and key not in reported:
                    if len(self.duplicates) <= MAX_PER_RULE:  # one more: where "more" starts
                        self.duplicates.append((result, key))
                    else:
                        self.more += 1
                    reported.add(key)
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
# the same, for the rare text with an integer too long for int(): a Python hook per integer
_STRICT_LONG_INTS = json.JSONDecoder(
    object_pairs_hook=_unique_pairs, parse_constant=_reject_constant, parse_int=parse_int
)


def _is_int_limit(exc: ValueError) -> bool:
    """Return True for int()'s digit limit, the one ValueError json lets through unwrapped."""
    return not isinstance(exc, (json.JSONDecodeError, _NonStandardConstant))


class Parsed(NamedTuple):
    """A parsed record: its text (None where it is not UTF-8), value, and findings."""

    text: str | None
    value: Any
    violations: list[Violation]
    more: int = 0  # RT104 beyond those in violations, counted only
    # members a wide record's objects counted but did not keep: (pointer of the object, count)
    dropped: tuple[tuple[str, int], ...] = ()


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
    from ..core.jsontext import scan_string

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
                    token = escape_token(key)
                    stack.append((child, f"{pointer}/{token}"))
        elif isinstance(node, list):
            indices = getattr(node, "indices", None)  # an array kept in part (wide.Kept)
            for index, child in zip(indices or range(len(node)), node, strict=True):
                if isinstance(child, (dict, list)):
                    stack.append((child, f"{pointer}/{index}"))
    return found


def _surrogate_offset(text: str) -> int | None:
    """Return the offset of the first lone surrogate in ``text``: an escape or a character."""
    pending = None  # offset of a high surrogate escape not yet followed by its low half
    previous_end = -1
    for m in _ESCAPE.finditer(text):
        code = int(m.group(1), 16) if m.group(1) else -1
        if pending is not None:
            if m.start() == previous_end and 0xDC00 <= code <= 0xDFFF:
                pending = None
                previous_end = m.end()
                continue
            return pending
        if 0xD800 <= code <= 0xDBFF:
            pending = m.start()
        elif 0xDC00 <= code <= 0xDFFF:
            return m.start()
        previous_end = m.end()
    if pending is not None:
        return pending
    for i, c in enumerate(text):  # a character itself, in text that did not come from bytes
        if "\ud800" <= c <= "\udfff":
            return i
    return None


def _lone_surrogate(text: str, value: Any) -> Violation | None:
    """Return RT101 when the parsed value holds a lone UTF-16 surrogate, else None.

    Python's json accepts "\\ud800" (an escape of half a surrogate pair) where strict parsers,
    the server's among them, reject it; such a string cannot even be encoded as UTF-8. Cheap
    on the common path: only text with a \\uD8xx-\\uDFxx escape, or non-ASCII text that did
    not come from UTF-8 bytes, is walked.
    """
    if not _may_hold_surrogate(text) or not has_surrogate(value):
        return None
    return _surrogate_problem(text)


def _may_hold_surrogate(text: str) -> bool:
    """Return True when ``text`` may hold a lone surrogate: a \\uD8xx-\\uDFxx escape, or
    non-ASCII text that did not come from UTF-8 bytes."""
    return (
        # a one-character needle is a memchr; "\\u" alone costs 13 us on 16 kB of audio
        ("\\" in text and "\\u" in text and _SURROGATE_ESCAPE.search(text) is not None)
        or (not text.isascii() and not _encodes(text))
    )


def _surrogate_problem(text: str) -> Violation:
    """Return RT101 at the first lone surrogate of ``text``."""
    offset = _surrogate_offset(text)
    return Violation(
        "RT101",
        "record is not valid JSON: a string holds a lone UTF-16 surrogate (a \\uD800-\\uDBFF "
        "escape must be followed by a \\uDC00-\\uDFFF one, and a low one never stands alone); "
        "strict parsers, the server's among them, reject it: escape the character as a whole "
        "surrogate pair, or write it as UTF-8",
        offset=offset if offset is not None else 0,
    )


def _encodes(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


_PYTHON_CONSTANTS = {"True": "true", "False": "false", "None": "null"}
_PREFIX_SHOWN = 40
"""Characters of a text prefix quoted in a message; a longer one is shortened."""


def _syntax_problem(text: str, exc: json.JSONDecodeError) -> Violation:
    """Return RT101 for ``text`` that json could not parse, naming the likely cause.

    Built only for a record that failed to parse: the checks read the text around the error
    (a prefix before the JSON, a Python repr, a trailing comma) and fall back on json's reason.
    """
    if exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string"):
        return Violation(
            "RT101",
            f"record is not valid JSON: it ends before the value is complete "
            f"({exc.msg}); the record was cut short: was the capture written "
            "while it was being read?",
            offset=exc.pos,
        )
    found = _text_prefix(text, exc.pos) or _python_repr(text, exc) or _trailing_comma(text, exc.pos)
    if found is not None:
        message, offset = found
        return Violation("RT101", f"record is not valid JSON: {message}", offset=offset)
    return Violation(
        "RT101",
        f"record is not valid JSON: {exc.msg} (line {exc.lineno} column "
        f"{exc.colno} of the record); fix the syntax",
        offset=exc.pos,
    )


def _where(text: str, offset: int) -> str:
    """Return "column C" of ``offset`` in a one-line text, else "line L column C of the record"."""
    start = text.rfind("\n", 0, offset) + 1
    column = offset - start + 1
    if start == 0 and "\n" not in text:
        return f"column {column}"
    line = text.count("\n", 0, offset) + 1
    return f"line {line} column {column} of the record"


def _text_prefix(text: str, pos: int) -> tuple[str, int] | None:
    """Explain a line of a text log: a prefix (a time, a level, a word) before a JSON object.

    Only when the error lies in that prefix, the prefix holds no line break (a document with a
    comment line above is not a log line), and the object after it parses whole.
    """
    brace = text.find("{")
    start = skip_ws(text, 0)
    if brace <= start or pos > brace:
        return None
    prefix = text[start:brace]
    if "\n" in prefix or "\r" in prefix or not prefix.strip(" \t\ufeff"):
        return None
    try:
        value, end = LENIENT_DECODER.raw_decode(text, brace)
    except (ValueError, RecursionError):
        return None
    if not isinstance(value, dict) or text[end:].strip(JSON_WS):
        return None
    shown = prefix if len(prefix) <= _PREFIX_SHOWN else prefix[: _PREFIX_SHOWN - 3] + "..."
    return (
        f"text comes before the JSON at {_where(text, brace)} ({shown!r}); each record must be "
        "one JSON event: strip the prefix, e.g. sed 's/^[^{]*//' capture.log | "
        "realtime-validator lint -",
        start,
    )


def _python_repr(text: str, exc: json.JSONDecodeError) -> tuple[str, int] | None:
    """Explain text that Python's repr() or str() of a dict (or list) wrote: single quotes,
    True, False, None."""
    pos = exc.pos
    if text[pos] == "'" and exc.msg.startswith("Expecting property name"):
        what = f"a single-quoted key at {_where(text, pos)}"
    elif text[pos] == "'" and exc.msg == "Expecting value":
        what = f"a single-quoted string at {_where(text, pos)}"
    elif exc.msg == "Expecting value" and (name := _constant_at(text, pos)) is not None:
        what = f"{name} at {_where(text, pos)} (JSON writes {_PYTHON_CONSTANTS[name]})"
    else:
        return None
    kind = "list" if text.startswith("[", skip_ws(text, 0)) else "dict"
    return (
        f"{what}; this looks like a Python {kind} (repr/str), not JSON: write it with json.dumps",
        pos,
    )


def _constant_at(text: str, pos: int) -> str | None:
    """Return the Python constant (True, False, None) written at ``pos``, else None."""
    for name in _PYTHON_CONSTANTS:
        if text.startswith(name, pos):
            after = text[pos + len(name) : pos + len(name) + 1]
            if not (after.isalnum() or after == "_"):
                return name
    return None


def _trailing_comma(text: str, pos: int) -> tuple[str, int] | None:
    """Explain a comma right before a closing '}' or ']' (json places the error on the
    bracket; newer Pythons on the comma)."""
    if text[pos] == ",":
        comma = pos
        close = skip_ws(text, pos + 1)
    else:
        comma = skip_ws_back(text, pos - 1)
        close = pos
    if comma < 0 or text[comma] != "," or close >= len(text) or text[close] not in "}]":
        return None
    before = skip_ws_back(text, comma - 1)
    if before < 0 or text[before] in "{[,":  # "{,}" is no trailing comma
        return None
    return (
        f"a trailing comma before {text[close]!r} at {_where(text, comma)}: JSON allows none; "
        "remove it",
        comma,
    )


def parse_text(
    text: str, keep: frozenset[str] = frozenset()
) -> tuple[Any, list[Violation], int, tuple[tuple[str, int], ...]]:
    """Return the JSON value of ``text``, its findings (RT101, RT104; MISSING on RT101), how
    many more RT104 there are than the findings hold (``violation.capped`` counts them), and
    the members a wide record's objects counted without keeping them (``wide.py``, which keeps
    every member named in ``keep`` wherever it stands)."""
    hook: _Pairs | WideParse | None = None
    try:
        try:
            if text.count(",") > WIDE_MEMBERS:
                from .wide import WideParse

                hook = WideParse(text, parse_int, _reject_constant, _may_hold_surrogate(text), keep)
                value = hook.decode()
                if hook.dropped_surrogate:
                    return _MISSING, [_surrogate_problem(text)], 0, ()
            else:
                try:
                    value = _STRICT.decode(text)
                except ValueError as exc:
                    if not _is_int_limit(exc):
                        raise
                    value = _STRICT_LONG_INTS.decode(text)
                lone = _lone_surrogate(text, value)
                return (value, [], 0, ()) if lone is None else (_MISSING, [lone], 0, ())
        except _Duplicate:
            hook = _Pairs()
            value = json.loads(
                text, object_pairs_hook=hook, parse_constant=_reject_constant, parse_int=parse_int
            )
    except _NonStandardConstant as exc:
        offset = _find_constant(text, exc.name)
        return (
            _MISSING,
            [
                Violation(
                    "RT101",
                    f"record is not valid JSON: {exc.name} is not a JSON value (Python's json "
                    "writes it unless allow_nan=False); send a number or null",
                    offset=offset,
                )
            ],
            0,
            (),
        )
    except json.JSONDecodeError as exc:
        return _MISSING, [_syntax_problem(text, exc)], 0, ()
    except RecursionError:
        return (
            _MISSING,
            [
                Violation(
                    "RT101",
                    "record is not valid JSON for a Realtime event: nested too deeply to parse; no "
                    "event nests more than a few levels",
                    offset=0,
                )
            ],
            0,
            (),
        )
    lone = _lone_surrogate(text, value)
    if lone is not None:
        return _MISSING, [lone], 0, ()
    violations = []
    dropped: tuple[tuple[str, int], ...] = ()
    assert hook is not None  # the plain parse returned above
    wide_objects = [] if type(hook) is _Pairs else cast("WideParse", hook).dropped
    if hook.duplicates or wide_objects:
        pointers = _walk_pointers(
            value, {id(d) for d, _ in hook.duplicates} | {id(d) for d, _ in wide_objects}
        )
        dropped = tuple((pointers.get(id(obj), ""), count) for obj, count in wide_objects)
        for obj, key in hook.duplicates:
            base = pointers.get(id(obj), "")
            token = escape_token(key)
            violations.append(
                Violation(
                    "RT104",
                    f"key {key!r} appears more than once in the same object; parsers disagree on "
                    "which value wins: keep one",
                    pointer=f"{base}/{token}",
                )
            )
    return value, violations, hook.more, dropped


def parse_record(
    raw: bytes | bytearray | memoryview | str, keep: frozenset[str] = frozenset()
) -> Parsed:
    """Return the record's text, value (``MISSING`` on failure) and parse findings; a record too
    wide to hold whole keeps the members named in ``keep`` (the keys its reader's rules read)."""
    if isinstance(raw, str):
        text: str | None = raw
    else:
        text, bad = decode_text(raw)
        if bad is not None:
            return Parsed(None, _MISSING, [bad])
    assert text is not None
    value, violations, more, dropped = parse_text(text, keep)
    return Parsed(text, value, violations, more, dropped)


MISSING = _MISSING
"""The value of a record that did not parse."""


def strip_bom(text: str) -> str:
    """Return ``text`` without a leading UTF-8 byte order mark."""
    return text[1:] if text.startswith(_UTF8_BOM) else text
