"""``validate_event``: the schema and audio checks of one event. Pure: no I/O, no state."""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import chain, islice
from typing import Any

import pybase64

from ..core.event_types import APPEND_TYPES, EVENT_TYPES, TRANSLATION_APPEND, closest_event_type
from ..core.formats import format_of
from ..core.jsontext import escape_token, json_kind, json_type
from ..core.media import CONTAINER_FIRST_BYTES, CONTENT_WINDOW, sniff_container
from ..core.violation import MAX_PER_RULE, InvalidEventError, Violation, capped
from .audio import (
    _B64_ERRORS,
    _CANONICAL_BEFORE_1,
    _CANONICAL_BEFORE_2,
    _VALIDATE_CHARS,
    FLOAT32_WINDOW,
    MAX_AUDIO_BYTES,
    audio_problems,
)
from .content import AUDIO_EXPONENT, MIN_EXPONENTS, looks_like_float32
from .parse import MISSING, parse_record
from .schema import SCHEMA_FILES, SCHEMA_KEYS, compiled, load_schema
from .spec import SPEC_APIS, candidates, spec_findings

AUDIO_FORMATS = ("pcm16", "g711_ulaw", "g711_alaw")
"""The input audio formats, by their beta names."""

# fastjsonschema keyword -> rule code: the table is data
KEYWORD_RULES = {
    "required": "RT201",
    "type": "RT202",
    "additionalProperties": "RT203",
    "maxLength": "RT204",
    "const": "RT205",
}


def not_an_object(value: Any) -> Violation:
    """Return RT103 for a record whose JSON value is not an object."""
    return Violation(
        "RT103",
        f"the record is {json_type(value)}, not a JSON object; every Realtime event is an "
        "object with a 'type'",
    )


def _pointer(path: list[str]) -> str:
    # fastjsonschema paths start with the root name "data"
    return "".join("/" + escape_token(str(p)) for p in path[1:])


def _type_problems(event: dict[str, Any]) -> Iterator[Violation]:
    """Check ``type``: present, a string, a known event type."""
    if "type" not in event:
        hint = (
            ' (it has \'audio\': add "type": "input_audio_buffer.append")'
            if "audio" in event
            else ""
        )
        yield Violation(
            "RT201", f"event has no 'type'{hint}; every Realtime event names its type", pointer=""
        )
        return
    value = event["type"]
    if not isinstance(value, str):
        yield Violation(
            "RT202",
            f"'type' is {json_type(value)}, not a string; use "
            '"input_audio_buffer.append" for audio',
            pointer="/type",
        )
        return
    if value not in EVENT_TYPES:
        guess = closest_event_type(value)
        hint = f"; did you mean {guess!r}?" if guess else ""
        yield Violation(
            "RT205", f"'type' {value!r} is not a Realtime event type{hint}", pointer="/type"
        )


_APPEND = "input_audio_buffer.append"
_MAX_EVENT_ID = 512  # the schemas' maxLength of event_id (RT204)
_STRAIGHT_CHARS = _VALIDATE_CHARS  # longer audio is validated a piece at a time, slowly
_b64decode = pybase64.b64decode
# bytes that cannot be a float32 exponent byte: deleting them leaves the ones that can
_NOT_EXPONENT = bytes(value for value in range(256) if not AUDIO_EXPONENT[value])
_APPEND_KEYS = frozenset(("type", "audio", "event_id"))
_ENVELOPE_KEYS = frozenset(("type", "event_id"))


def passes_schema(event: dict[str, Any]) -> bool:
    """Return True when an event with a schema (its type already checked) meets it.

    The obvious twin of the compiled schema, for the common case: when it says yes there is
    nothing to report and fastjsonschema need not even be imported; when it says no, the
    compiled schema finds the errors. tests/test_schema.py holds the two verdicts equal.
    """
    if event["type"] in APPEND_TYPES:
        if not _APPEND_KEYS.issuperset(event) or not isinstance(event.get("audio"), str):
            return False
    elif not _ENVELOPE_KEYS.issuperset(event):
        return False
    if "event_id" not in event:
        return True
    event_id = event["event_id"]
    return isinstance(event_id, str) and len(event_id) <= 512


def _schema_problems(event: dict[str, Any], event_type: str) -> Iterator[Violation]:
    """Run the compiled schema and turn its errors into findings."""
    if passes_schema(event):
        return
    from fastjsonschema import JsonSchemaValueException
    from fastjsonschema.exceptions import JsonSchemaValuesException

    allowed = list(load_schema(event_type)["properties"])
    probe = event
    if len(event) > len(allowed) + MAX_PER_RULE:
        # a hostile event of millions of unknown properties: the schema sees the known ones
        # and a few unknown (its error for them is one; the loop below names them all)
        known = [name for name in allowed if name in event]
        probe = {name: event[name] for name in known}
        probe.update((name, event[name]) for name in islice(event, len(known) + 1))
    try:
        compiled(event_type)(probe)
        return
    except (JsonSchemaValueException, JsonSchemaValuesException) as exc:
        errors = list(getattr(exc, "errors", None) or [exc])
    for error in errors:
        rule = KEYWORD_RULES.get(error.rule or "", "RT202")
        pointer = _pointer(list(error.path or ["data"]))
        if rule == "RT201":
            for name in load_schema(event_type)["required"]:
                if name not in event:
                    yield Violation("RT201", _missing_message(name, event_type), pointer="")
        elif rule == "RT203":
            unknown = 0
            for name in event:
                if name not in allowed:
                    # a hostile event may hold millions: only the findings kept get a guess
                    unknown += 1
                    guess = (
                        _closest_property(name, allowed, event) if unknown <= MAX_PER_RULE else None
                    )
                    fix = f"did you mean {guess!r}?" if guess else "remove it"
                    yield Violation(
                        "RT203",
                        f"unknown property {name!r}: the server answers unknown_parameter "
                        f"(\"Unknown parameter: '{name}'.\"); {event_type} takes only "
                        f"{_names(allowed)}: {fix}",
                        # str(): a dict from Python code may have other keys (json.dumps
                        # writes 2 as "2"); JSON text has only strings
                        pointer="/" + escape_token(str(name)),
                    )
        elif rule == "RT204":
            length = len(event.get("event_id", ""))
            yield Violation(
                "RT204",
                f"'event_id' is {length:,} characters long, over the limit of "
                "512; use a short unique id",
                pointer="/event_id",
            )
        elif rule == "RT202":
            name = pointer.lstrip("/") or "event"
            value = event.get(name) if name != "event" else event
            want = error.rule_definition if isinstance(error.rule_definition, str) else "string"
            kind = json_kind(value)
            said = (
                f"the server answers invalid_type (\"Invalid type for '{name}': expected a "
                f'{want}, but got {kind} instead.")'
                if kind is not None
                else "JSON has no such type (json.dumps refuses it)"
            )
            yield Violation(
                "RT202",
                f"{name!r} is {json_type(value)}, not a {want}: {said}" + _type_hint(name),
                pointer=pointer,
            )
        elif rule == "RT205":
            continue  # the type was checked before the schema was chosen


# what people call a property of these events, normalised as _normalise does -> its name
_ALIASES = {
    "data": "audio",
    "payload": "audio",
    "chunk": "audio",
    "audio_data": "audio",
    "audio_chunk": "audio",
    "audio_bytes": "audio",
    "audio_base64": "audio",
    "base64": "audio",
    "b64": "audio",
    "bytes": "audio",
    "buffer": "audio",
    "pcm": "audio",
    "delta": "audio",  # the server's audio events carry it in 'delta'
    "id": "event_id",
    "eventid": "event_id",
    "evt_id": "event_id",
    "client_event_id": "event_id",
    "event_type": "type",
    "eventtype": "type",
    "kind": "type",
}
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def _normalise(name: str) -> str:
    """Return a property name as the API would spell it: snake_case, lower case."""
    return _CAMEL.sub("_", name.strip()).replace("-", "_").replace(" ", "_").lower()


def _closest_property(name: object, allowed: list[str], event: dict[str, Any]) -> str | None:
    """Return the property that the unknown ``name`` most likely means, if the event lacks it.

    An alias table for the usual other names ('data' for audio, 'id' for event_id), then
    difflib for typos and spellings ('Audio', 'eventId', 'event-id', 'adio').
    """
    if not isinstance(name, str):
        return None
    import difflib

    key = _normalise(name)
    missing = [known for known in allowed if known not in event]
    if key in missing:
        return key
    alias = _ALIASES.get(key)
    if alias is not None:
        return alias if alias in missing else None
    matches = difflib.get_close_matches(key, missing, n=1, cutoff=0.75)
    return matches[0] if matches else None


def _names(names: list[str]) -> str:
    quoted = [repr(n) for n in sorted(names, key=("type", "audio", "event_id").index)]
    return ", ".join(quoted[:-1]) + " and " + quoted[-1] if len(quoted) > 1 else quoted[0]


def _missing_message(name: str, event_type: str) -> str:
    said = (
        f"the server answers missing_required_parameter (\"Missing required parameter: '{name}'.\")"
    )
    if name == "audio":
        return (
            f"{event_type} has no 'audio': {said}; add the base64-encoded audio bytes, or do "
            "not send the event"
        )
    return f"{event_type} has no {name!r}: {said}"


def _type_hint(name: str) -> str:
    if name == "audio":
        return (
            "; send the audio bytes base64-encoded as one string (skip the append when "
            "there is no audio)"
        )
    if name == "event_id":
        return '; omit event_id or make it a string such as "evt_123"'
    return ""


def check_object(
    event: dict[str, Any],
    *,
    audio_format: str = "pcm16",
    max_audio_bytes: int = MAX_AUDIO_BYTES,
    api: str | None = None,
    spec: bool = True,
) -> Iterator[Violation]:
    """Yield the findings of a parsed event object (no parse checks); ``api``, the session's
    API version where known, chooses the spec's schema (RT206) of a client event; ``spec``:
    False where RT206 is not selected."""
    problems = list(_type_problems(event))
    if problems:
        yield from problems
        return
    event_type = event["type"]
    if event_type not in SCHEMA_FILES:
        if spec and event_type in SPEC_APIS:
            yield from spec_findings(event, candidates(event_type, api))
        return
    yield from _schema_problems(event, event_type)
    if event_type not in APPEND_TYPES:
        return
    audio = event.get("audio")
    if isinstance(audio, str):
        for rule, message, offset in audio_problems(
            audio, format_of(event_type, audio_format), max_audio_bytes
        ):
            yield Violation(rule, message, pointer="/audio", offset=offset)


def _with_context(violations: list[Violation], value: Any) -> list[Violation]:
    if not isinstance(value, dict) or not violations:
        return violations
    from dataclasses import replace

    event_id = value.get("event_id")
    event_type = value.get("type")
    return [
        replace(
            v,
            event_id=event_id if isinstance(event_id, str) else None,
            event_type=event_type if isinstance(event_type, str) else None,
        )
        for v in violations
    ]


def validate_event(
    event: dict[str, Any] | str | bytes | bytearray,
    *,
    audio_format: str = "pcm16",
    max_audio_bytes: int = MAX_AUDIO_BYTES,
) -> list[Violation]:
    """Return every finding for one event (a dict, or JSON text as str or bytes); empty if valid."""
    # The straight path: a canonical append dict ({"type": "input_audio_buffer.append",
    # "audio": str, optional "event_id": str}) that passes every check the slow path makes
    # (schema, strict base64 with its padding and alphabet, canonical last character, decoded
    # size, container magic, odd byte count, float32 look) is accepted here with one decode
    # and a few tests, inline (a call costs as much as a check). It only ever accepts: any
    # doubt and any finding go to validate_event_slow, which explains. tests/test_events.py
    # holds the two equal (hypothesis and every fixture event).
    if type(event) is dict and audio_format == "pcm16":
        size = len(event)
        if size == 2 or (
            size == 3
            and type(event_id := event.get("event_id")) is str
            and len(event_id) <= _MAX_EVENT_ID
        ):
            event_type = event.get("type")
            audio = event.get("audio")
            if (
                type(event_type) is str
                and event_type == _APPEND
                and type(audio) is str
                and 0 < len(audio) <= _STRAIGHT_CHARS
            ):
                try:
                    decoded = _b64decode(audio, None, True)  # positional: keywords cost 0.3 us
                except _B64_ERRORS:
                    decoded = b""
                nbytes = len(decoded)
                if (
                    nbytes
                    and nbytes <= max_audio_bytes
                    and not nbytes & 1  # RT306
                    and (
                        audio[-1] != "="  # RT303: the unused bits before the padding are zero
                        or (
                            audio[-3] in _CANONICAL_BEFORE_2
                            if audio[-2] == "="
                            else audio[-2] in _CANONICAL_BEFORE_1
                        )
                    )
                    and (
                        (
                            decoded[0] not in CONTAINER_FIRST_BYTES
                            and not decoded.startswith(b"ftyp", 4)
                        )
                        or sniff_container(decoded[:CONTENT_WINDOW]) is None  # RT307
                    )
                    and (
                        # looks_like_float32's own first test (RT308), without its slice
                        len(decoded[1:FLOAT32_WINDOW:2].translate(None, _NOT_EXPONENT))
                        < MIN_EXPONENTS
                        or not looks_like_float32(decoded[:FLOAT32_WINDOW])
                    )
                ):
                    return []
    return validate_event_slow(event, audio_format=audio_format, max_audio_bytes=max_audio_bytes)


def validate_event_slow(
    event: dict[str, Any] | str | bytes | bytearray,
    *,
    audio_format: str = "pcm16",
    max_audio_bytes: int = MAX_AUDIO_BYTES,
) -> list[Violation]:
    """Return every finding for one event, the obvious way: parse, type, schema, audio checks.

    The twin that ``validate_event``'s straight path is held equal to, and what explains any
    event that path does not accept.
    """
    if audio_format not in AUDIO_FORMATS:
        from ..core.formats import normalize_format

        audio_format = normalize_format(audio_format)
    if isinstance(event, (str, bytes, bytearray)):
        parsed = parse_record(event, SCHEMA_KEYS)
        if parsed.value is MISSING:
            return parsed.violations
        violations = parsed.violations
        value = parsed.value
    else:
        violations = []
        value = event
    if not isinstance(value, dict):
        violations.append(not_an_object(value))
        return violations
    more = parsed.more if isinstance(event, (str, bytes, bytearray)) else 0
    found = capped(
        chain(
            violations,
            check_object(value, audio_format=audio_format, max_audio_bytes=max_audio_bytes),
        ),
        {"RT104": more},
    )
    return _with_context(found, value)


def check_event(
    event: dict[str, Any] | str | bytes | bytearray,
    *,
    audio_format: str = "pcm16",
    max_audio_bytes: int = MAX_AUDIO_BYTES,
) -> None:
    """Return None for an event without errors; raise InvalidEventError (with .violations) else."""
    violations = validate_event(event, audio_format=audio_format, max_audio_bytes=max_audio_bytes)
    errors = [v for v in violations if v.severity.value == "error"]
    if errors:
        raise InvalidEventError(violations)


def is_valid(
    event: dict[str, Any] | str | bytes | bytearray,
    *,
    audio_format: str = "pcm16",
    max_audio_bytes: int = MAX_AUDIO_BYTES,
) -> bool:
    """Return True when the event has no error (warnings allowed)."""
    return not any(
        v.severity.value == "error"
        for v in validate_event(event, audio_format=audio_format, max_audio_bytes=max_audio_bytes)
    )


__all__ = ["TRANSLATION_APPEND", "check_event", "is_valid", "validate_event"]
