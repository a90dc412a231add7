"""Placing findings: the file line and column of what a finding's pointer names in a record.

The core reports a finding as a JSON pointer inside the event (and a character index inside a
string, for base64); here it becomes the line and column in the input, through the record's
raw text (``locate.Places``). Used only for records with findings, never on the hot path.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from .jsontext import Places, pointer_tokens, skip_ws, string_char_offset, unescape_token
from .record import Record, shifted
from .violation import Violation

KEY_RULES = frozenset(("RT104", "RT203", "RT404"))
"""Rules whose mistake is a key, not a value: their finding points at the key."""

UNKNOWN_PARAMETER = "unknown parameter "
"""How an RT206 message about a member's name starts (``check.spec`` writes it): that
finding points at the key too."""


def place(
    v: Violation, places: Places | None, record: Record, value: Any, source: str | None
) -> Violation:
    """Return ``v`` with its input ``source``, line and column in ``record``, and the event's
    id and type (``value`` the parsed record, where it parsed)."""
    offset = offset_of(v, places)
    line, column = record.line, record.column
    if offset is not None and places is not None:
        if record.shifts:  # a HAR message: where the file's escapes are wider than the text's
            offset = shifted(record.shifts, offset)
        dl, dc = places.line_col(offset)
        line += dl
        column = dc if dl else column + dc
    event_id = event_type = None
    if isinstance(value, dict):
        eid, etype = value.get("event_id"), value.get("type")
        event_id = eid if isinstance(eid, str) else None
        event_type = etype if isinstance(etype, str) else None
    return replace(
        v,
        source=source,
        line=line,
        column=column + 1,
        event_id=event_id,
        event_type=event_type,
        offset=v.offset,
    )


def keys_of(found: list[Violation], *more: str) -> frozenset[str]:
    """Return the keys the pointers of ``found`` go through: all that placing them needs."""
    keys = set(more)
    for v in found:
        if v.pointer:
            keys.update(pointer_tokens(v.pointer))
    return frozenset(keys)


def position(v: Violation) -> tuple[int, int]:
    """Return a placed finding's (line, column), for sorting a record's findings."""
    return (v.line or 0, v.column or 0)


def offset_of(v: Violation, places: Places | None) -> int | None:
    """Return the character offset in the record's text where ``v`` points."""
    if places is None:
        return v.offset
    text = places.text
    if v.pointer == "":
        return v.offset if v.offset is not None else skip_ws(text, 0)
    if v.rule in KEY_RULES or (v.rule == "RT206" and v.message.startswith(UNKNOWN_PARAMETER)):
        parent, _, token = v.pointer.rpartition("/")
        key = unescape_token(token)
        keys = places.key_offsets(parent, key)
        if keys:
            return keys[1] if v.rule == "RT104" and len(keys) > 1 else keys[0]
        return skip_ws(text, 0)
    at = places.value_offset(v.pointer)
    if at is None:
        return skip_ws(text, 0)
    if v.offset is not None and at < len(text) and text[at] == '"':
        return string_char_offset(text, at, v.offset)
    return at
