"""Wrapped records (``--event-pointer /event``): the event is one value inside each record.

Capture tools often log ``{"ts": ..., "direction": "client", "event": {...}}``; the time
goes with the record (``core.record.capture_time``) for the audio-signal rules. ``unwrap``
turns each such record into a record of the raw text of the value at the pointer, placed where
that text starts, so that findings point into the file and the linter reads the event exactly
as it was written (re-serializing would lose positions, duplicate keys and number spelling).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from ..core.event_types import EVENT_TYPES
from ..core.jsontext import line_col, loads_any, pointer_tokens, scan_string, skip_value, skip_ws
from ..core.record import Record, capture_time
from ..core.violation import Violation

_MISSING = object()

WRAPPER_KEYS = ("event", "data", "message", "payload")
"""The keys capture tools put the event under (``{"ts": ..., "event": {...}}``), in the order
``wrapper_key`` tries them."""


def wrapper_key(record: dict[str, Any]) -> str | None:
    """Return the key of ``WRAPPER_KEYS`` under which ``record`` holds a Realtime event (an
    object whose ``type`` is one), or None: the hint to ``--event-pointer``."""
    for key in WRAPPER_KEYS:
        inner = record.get(key)
        if type(inner) is dict:
            event_type = inner.get("type")
            if type(event_type) is str and event_type in EVENT_TYPES:
                return key
    return None


def _is_index(token: str) -> bool:
    # ASCII digits without a leading zero ('²' is a digit to str.isdigit, not to int)
    return token.isascii() and token.isdigit() and (token == "0" or token[0] != "0")


def _resolve(value: Any, tokens: list[str]) -> Any:
    """Return the value at ``tokens`` (RFC 6901), or ``_MISSING``."""
    for token in tokens:
        if isinstance(value, dict):
            if token not in value:
                return _MISSING
            value = value[token]
        elif isinstance(value, list):
            # '-' (past the end) is never there
            if not _is_index(token):
                return _MISSING
            index = int(token)
            if index >= len(value):
                return _MISSING
            value = value[index]
        else:
            return _MISSING
    return value


def _text(data: bytes | str) -> str | None:
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def value_span(text: str, tokens: list[str]) -> tuple[int, int] | None:
    """Return the span of the value at ``tokens`` in JSON text that parsed, or None.

    The fast twin of ``locate.value_offset`` and ``scan_value``; a repeated key gives the
    last value, as ``json.loads`` does.
    """
    i = skip_ws(text, 0)
    for token in tokens:
        c = text[i]
        if c == "{":
            found = None
            i = skip_ws(text, i + 1)
            while text[i] == '"':
                end = scan_string(text, i)
                key = text[i + 1 : end - 1]
                if "\\" in key:
                    key = json.loads(text[i:end])
                value = skip_ws(text, skip_ws(text, end) + 1)  # past the ':'
                if key == token:
                    found = value
                i = skip_ws(text, skip_value(text, value))
                if text[i] != ",":
                    break
                i = skip_ws(text, i + 1)
            if found is None:
                return None
            i = found
        elif c == "[" and _is_index(token):
            i = skip_ws(text, i + 1)
            for _ in range(int(token)):
                if text[i] == "]":
                    return None
                i = skip_ws(text, skip_ws(text, skip_value(text, i)) + 1)  # past the ','
            if text[i] == "]":
                return None
        else:
            return None
    return i, skip_value(text, i)


def _missing(record: Record, text: str, pointer: str) -> Record:
    dl, dc = line_col(text, len(text) - len(text.lstrip(" \t\r\n")))
    problem = Violation(
        "RT201",
        f"record has no value at {pointer}; with --event-pointer {pointer} every record must "
        "hold its event there (check the pointer, or lint without --event-pointer if the "
        "records are bare events)",
    )
    return Record(
        record.line + dl,
        dc if dl else record.column + dc,
        b"",
        pointer=record.pointer,
        problem=problem,
    )


def _unwrap_one(record: Record, pointer: str, tokens: list[str]) -> Record:
    if record.problem is not None:
        return record
    text = _text(record.data)
    if text is None or not text.strip():
        return record  # not UTF-8 (RT102) or a blank line: the linter says so
    # a BOM is not counted in columns, as the linter does for the first record
    bom = text.startswith("\ufeff")
    if bom:
        text = text[1:]
    try:
        wrapper = loads_any(text)
    except (ValueError, RecursionError):
        return record  # the linter reports RT101 on the whole record
    if _resolve(wrapper, tokens) is _MISSING:
        return _missing(record, text, pointer)
    span = value_span(text, tokens)
    if span is None:  # cannot happen once the pointer resolved on the parsed value
        return _missing(record, text, pointer)
    start, end = span
    dl, dc = line_col(text, start)
    data: bytes | str = text[start:end]
    if not bom and isinstance(record.data, bytes) and len(record.data) == len(text):
        data = record.data[start:end]  # ASCII: offsets are byte offsets; bytes keep the fast road
    return Record(
        record.line + dl,
        dc if dl else record.column + dc,
        data,
        pointer=record.pointer + pointer,
        time=capture_time(wrapper),
    )


def unwrap(records: Iterable[Record], pointer: str) -> Iterator[Record]:
    """Return the records of the events at ``pointer`` inside each of ``records``.

    A record without a value there becomes an RT201 record; records that are not JSON (or not
    UTF-8, or blank) and records the source already found a problem in pass through unchanged.
    Raises ValueError at once for a pointer that is neither empty nor starts with '/'.
    """
    if pointer and not pointer.startswith("/"):
        raise ValueError(f"{pointer!r} is not a JSON pointer: it must start with '/', e.g. /event")
    tokens = pointer_tokens(pointer)
    return (_unwrap_one(record, pointer, tokens) for record in records)
