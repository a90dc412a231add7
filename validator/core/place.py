"""Placing findings: the one way a finding gets its input, line and column.

The core reports a finding as a JSON pointer inside the event (and a character index inside a
string, for base64); ``place`` makes it the line and column in the input, through the record's
raw text (``jsontext.Places``). A finding about a record as a whole (a source's ``problem``,
or one of its ``notes``) is placed where the record is (``place_problem``); a finding whose
place is known already (a ``--jobs`` worker placed it within its line, the audio-signal rules
at an append's audio string) is placed there (``located``). ``located`` is the only
constructor of a placed finding in the package (``tests/test_locate.py`` holds that). Used
only for records with findings, never on the hot path.
"""

from __future__ import annotations

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
    return located(v, source, line, column + 1, event_id, event_type)


def located(
    v: Violation,
    source: str | None,
    line: int | None,
    column: int | None,
    event_id: str | None,
    event_type: str | None,
    pointer: str | None = None,
) -> Violation:
    """Return ``v`` placed: in ``source`` at ``line`` and ``column`` (1-based), in the event
    ``event_id`` of ``event_type``; ``pointer`` where the record's is meant (a problem)."""
    return Violation(
        v.rule,
        v.message,
        v.pointer if pointer is None else pointer,
        source,
        line,
        column,
        event_id,
        event_type,
        v.offset,
        v.level,
    )


def place_problem(record: Record, source: str | None) -> Violation:
    """Return the ``problem`` of a record that its source found (RT101, RT105...), placed
    where the record is: the record's pointer, where the finding has none of its own."""
    problem = record.problem
    assert problem is not None
    return located(
        problem,
        source,
        record.line,
        record.column + 1,
        problem.event_id,
        problem.event_type,
        problem.pointer or record.pointer,
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
