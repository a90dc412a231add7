"""Fixing one event: each fixable finding's edit, kept only when linting the result again
(the linter's own stateless check, ``check.examine``) shows that finding gone and nothing new.

``fix_text`` is the core, over an event's JSON text; ``fix_event`` is the library's call.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

import pybase64

from ..check.audio import MAX_AUDIO_BYTES
from ..check.parse import Parsed, parse_record
from ..core.event_types import CLIENT_EVENT_TYPES
from ..core.formats import format_of, normalize_format
from ..core.jsontext import Places
from ..core.rules import RULES
from ..core.violation import Violation
from ..engine.examine import examine
from ..engine.session import KEPT_KEYS
from .audio import Converted, float32_as_pcm16, unwrapped
from .edits import (
    Edit,
    apply,
    bytes_repr_text,
    member_span,
    standard_base64,
    string_token,
    token_span,
)

SAFE = frozenset(code for code, rule in RULES.items() if rule.fix == "safe")
"""Rules whose fix gives the bytes the sender meant (``Rule.fix``, the one table)."""
UNSAFE = frozenset(code for code, rule in RULES.items() if rule.fix == "unsafe")
"""Rules whose fix changes what the server hears or what the event says (``--unsafe-fixes``)."""
REVEALED = frozenset(("RT304", "RT305", "RT306", "RT307", "RT308"))
"""What the decoded audio bytes say: a base64 fix that brings one up did not cause it (the
bytes are the sender's, now readable), so it is reported after the fix, and fixed in the same
run where its own fix is allowed (a WAV behind a ``data:`` prefix, RT307)."""
MAX_PASSES = 100
"""Fixes are applied, the result checked again, and again, until nothing changes (ruff's
loop, and its bound)."""


class Fix(NamedTuple):
    """One finding fixed: its rule, the pointer inside the event, and what was done."""

    rule: str
    pointer: str
    description: str


@dataclass(frozen=True, slots=True)
class FixResult:
    """What ``fix_event`` did: the event (of the type given), the fixes applied, the findings
    left; ``unsafe_available``: findings ``unsafe=True`` would also fix; ``notes``: why a
    fixable finding was left (a fix that would not remove it, an extra to install)."""

    event: dict[str, Any] | str | bytes
    fixes: list[Fix]
    violations: list[Violation]
    unsafe_available: int = 0
    notes: tuple[str, ...] = ()


class EventFix(NamedTuple):
    """``fix_text``'s answer: the fixed text, the edits that made it (each on the text the
    one before left), the fixes, the findings more with unsafe fixes, and notes."""

    text: str
    edits: list[Edit]
    fixes: list[Fix]
    unsafe_available: int
    notes: list[str]


Made = tuple[list[Edit], str] | str
"""A step's edits (each on the text the one before left) and what they do, or why none."""
Step = Callable[[str, Any, list[Violation], str], Made]


def _audio_of(value: Any) -> str | None:
    audio = value.get("audio") if isinstance(value, dict) else None
    return audio if isinstance(audio, str) else None


def _replace_string(text: str, pointer: str, new: str) -> Edit | None:
    span = token_span(Places(text), pointer)
    if span is None:
        return None
    start, end = span
    return Edit(start, end, string_token(new, text[start:end]))


def _what_base64(old: str, new: str) -> str:
    done = []
    text = bytes_repr_text(old)
    if text is not None:
        done.append("took the text out of Python's bytes repr b'...'")
    else:
        text = old
    if text.lower().startswith("data:"):
        done.append("dropped the data URI prefix")
        text = text[text.index(",") + 1 :]
    body = text.translate({ord(c): None for c in " \t\r\n\f\v"})
    if body != text:
        done.append("removed whitespace")
    if "-" in body or "_" in body:
        done.append("URL-safe alphabet to standard")
    if len(body) % 4 and not body.endswith("="):
        done.append("added '=' padding")
    if not done:
        done.append("re-encoded canonically (padding bits cleared)")
    return "base64: " + ", ".join(done) + "; the same audio bytes"


def _base64(text: str, value: Any, targets: list[Violation], fmt: str) -> Made:
    audio = _audio_of(value)
    new = standard_base64(audio) if audio is not None else None
    if audio is None or new is None:
        return "the base64 cannot be repaired without doubt (a lost character, joined strings)"
    edit = _replace_string(text, "/audio", new)
    if edit is None:
        return "the audio string was not found in the text"
    return [edit], _what_base64(audio, new)


def _audio_step(convert: Callable[[bytes, str], Converted]) -> Step:
    def step(text: str, value: Any, targets: list[Violation], fmt: str) -> Made:
        audio = _audio_of(value)
        if audio is None:
            return "no audio string"
        converted = convert(pybase64.b64decode(audio, validate=True), fmt)
        if converted.data is None:
            return converted.how
        edit = _replace_string(text, "/audio", pybase64.b64encode(converted.data).decode("ascii"))
        if edit is None:
            return "the audio string was not found in the text"
        return [edit], converted.how

    return step


def _unknown(text: str, value: Any, targets: list[Violation], fmt: str) -> Made:
    edits = []
    names = []
    for v in targets:
        span = member_span(Places(text), v.pointer)
        if span is None:
            return f"the member at {v.pointer} was not found in the text"
        edit = Edit(span[0], span[1], "")
        edits.append(edit)
        text = apply(text, [edit])
        names.append(repr(v.pointer[1:]))
    return edits, f"removed unknown propert{'y' if len(names) == 1 else 'ies'} {', '.join(names)}"


_STEPS: tuple[tuple[frozenset[str], Step], ...] = (
    (SAFE, _base64),
    (frozenset(("RT307",)), _audio_step(unwrapped)),
    (frozenset(("RT308",)), _audio_step(lambda data, fmt: float32_as_pcm16(data))),
    (frozenset(("RT203",)), _unknown),
)


def _keys(found: Iterable[Violation]) -> Counter[tuple[str, str]]:
    return Counter((v.rule, v.pointer) for v in found)


def _verified(
    before: list[Violation],
    after: list[Violation],
    targets: list[Violation],
    revealed: frozenset[str] = frozenset(),
) -> bool:
    """Return True when ``after`` holds none of ``targets`` and nothing ``before`` did not,
    but for findings of the ``revealed`` rules (what the fix made readable, not what it made)."""
    left = _keys(after)
    if any(left[(v.rule, v.pointer)] for v in targets):
        return False
    return all(rule in revealed for rule, _ in left - _keys(before))


def _check(text: str, fmt: str, max_audio_bytes: int) -> tuple[Parsed, list[Violation]]:
    parsed = parse_record(text, KEPT_KEYS)
    if not isinstance(parsed.value, dict):  # nothing to fix: the linter says what it is
        return parsed, list(parsed.violations)
    return parsed, examine(parsed, fmt, max_audio_bytes)


def fix_text(
    text: str,
    *,
    audio_format: str = "pcm16",
    max_audio_bytes: int = MAX_AUDIO_BYTES,
    unsafe: bool = False,
    enabled: frozenset[str] = frozenset(RULES),
    repeated: Callable[[str], bool] | None = None,
    fresh: Callable[[str], str] | None = None,
) -> EventFix:
    """Return the fixes of one event's JSON ``text`` judged in ``audio_format``.

    ``repeated(event_id)``: whether the session has seen a client event id (RT402), and
    ``fresh(event_id)`` the id to rename it to; without them RT402 is not looked at.
    Fixes of ``UNSAFE`` rules are applied only with ``unsafe``; otherwise they are counted
    (``unsafe_available``) when they would pass the check.
    """
    parsed, found = _check(text, audio_format, max_audio_bytes)
    value = parsed.value
    if not isinstance(value, dict):
        return EventFix(text, [], [], 0, [])
    edits: list[Edit] = []
    fixes: list[Fix] = []
    available = 0
    notes: list[str] = []
    steps = list(_STEPS)
    event_id = value.get("event_id")
    event_type = value.get("type")
    if (
        repeated is not None
        and fresh is not None
        and isinstance(event_id, str)
        and event_type in CLIENT_EVENT_TYPES
        and repeated(event_id)
        and "RT402" in enabled
    ):
        new_id = fresh(event_id)

        def rename(text: str, value: Any, targets: list[Violation], fmt: str) -> Made:
            span = token_span(Places(text), "/event_id")
            if span is None:
                return "the event_id string was not found in the text"
            end = span[1]
            # the suffix is plain ASCII: the rest of the token stays as it was written
            return [Edit(end - 1, end - 1, new_id[len(event_id) :])], (
                f"renamed the repeated event_id {event_id!r} to {new_id!r}"
            )

        found = [*found, Violation("RT402", "", pointer="/event_id")]
        steps.insert(0, (frozenset(("RT402",)), rename))  # first: the others drop it from found
    for _ in range(MAX_PASSES):
        # each pass tries every step on what the passes before left; the last one, which
        # changes nothing, says what is left: its notes and its count of unsafe fixes
        notes, available, changed = [], 0, False
        for rules, step in steps:
            targets = [v for v in found if v.rule in rules and v.rule in enabled]
            if not targets:
                continue
            wanted = rules <= SAFE or unsafe  # else only counted: no note for it
            made = step(text, value, targets, audio_format)
            if isinstance(made, str):
                if wanted:
                    notes.append(f"{targets[0].rule} not fixed: {made}")
                continue
            step_edits, description = made
            new_text = text
            for edit in step_edits:
                new_text = apply(new_text, [edit])
            new_parsed, new_found = _check(new_text, audio_format, max_audio_bytes)
            revealed = REVEALED if rules <= SAFE else frozenset()
            before = [v for v in found if v.rule != "RT402"]
            if not _verified(before, new_found, targets, revealed):
                if wanted:
                    left = sorted(set(_keys(new_found)) - {(v.rule, v.pointer) for v in found})
                    why = f"it would raise {left[0][0]}" if left else "the finding would remain"
                    notes.append(f"{targets[0].rule} not fixed: {why}")
                continue
            if not wanted:
                available += len(targets)
                continue
            edits.extend(step_edits)
            fixes.extend(Fix(v.rule, v.pointer, description) for v in targets)
            text, value = new_text, new_parsed.value
            found = new_found
            changed = True
        if not changed:
            break
    else:
        notes.append(f"the fixes did not settle after {MAX_PASSES} passes")
    return EventFix(text, edits, fixes, available, notes)


def fix_event(
    event: dict[str, Any] | str | bytes, *, unsafe: bool = False, audio_format: str = "pcm16"
) -> FixResult:
    """Return ``event`` fixed (a dict, or JSON text as str or bytes: the type given), the
    fixes applied and the findings left, as ``validate_event`` reports them."""
    from ..check.event import validate_event

    fmt = normalize_format(audio_format)
    if isinstance(event, dict):
        text = json.dumps(event, ensure_ascii=False)
    elif isinstance(event, bytes):
        text = event.decode("utf-8", "surrogatepass")
    elif isinstance(event, str):
        text = event
    else:
        raise TypeError(f"fix_event() takes a dict or JSON text, not {type(event).__name__}")
    parsed = parse_record(text, KEPT_KEYS)
    kind = parsed.value.get("type") if isinstance(parsed.value, dict) else None
    done = fix_text(text, audio_format=format_of(kind, fmt), unsafe=unsafe)
    fixed: dict[str, Any] | str | bytes
    if not done.fixes:
        fixed = event
    elif isinstance(event, dict):
        fixed = json.loads(done.text)
    elif isinstance(event, bytes):
        fixed = done.text.encode("utf-8", "surrogatepass")
    else:
        fixed = done.text
    left = validate_event(fixed, audio_format=fmt)
    return FixResult(fixed, done.fixes, left, done.unsafe_available, tuple(done.notes))
