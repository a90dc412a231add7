"""validate_event, check_event, is_valid over the fixtures and the edges."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, b64

import validator
from validator import InvalidEventError, Violation, check_event, is_valid, validate_event

VALID = sorted((FIXTURES / "events" / "valid").glob("*.json"))
INVALID = sorted(p for p in (FIXTURES / "events" / "invalid").glob("*/*") if p.is_file())
AUDIO = b64(bytes(960))


def _events_of(path: Path) -> list[Any]:
    value = json.loads(path.read_bytes())
    return value if isinstance(value, list) else [value]


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.name)
def test_valid_fixture_events(path: Path) -> None:
    for event in _events_of(path):
        assert validate_event(event) == []
        assert validate_event(json.dumps(event)) == []
        assert is_valid(event)
        check_event(event)
    assert list(validator.lint(str(path))) == []


@pytest.mark.parametrize("path", INVALID, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_invalid_fixture_raises_its_rule(path: Path) -> None:
    """Each file under events/invalid/CODE/ raises CODE when linted, as any input kind
    (one event, an array, a log, a HAR file, gzip); a single event also through the pure core,
    for the rules it can see (not the session's, RT4xx and RT5xx)."""
    code = path.parent.name
    assert code in [v.rule for v in validator.lint(str(path))]
    raw = path.read_bytes()
    if path.suffix == ".json" and not raw.lstrip().startswith(b"[") and code < "RT400":
        assert code in [v.rule for v in validate_event(raw)]


def test_every_rule_in_the_catalogue_has_a_failing_fixture() -> None:
    codes = {p.parent.name for p in INVALID}
    assert codes == set(validator.RULES)


def test_violation_fields() -> None:
    (v,) = validate_event({"type": "input_audio_buffer.append", "event_id": "e1", "audio": "AAA-"})
    assert v == Violation(
        rule="RT301",
        message=v.message,
        pointer="/audio",
        event_id="e1",
        event_type="input_audio_buffer.append",
        offset=3,
    )
    assert v.name == "base64-invalid-character"
    assert v.severity.value == "error"
    with pytest.raises(AttributeError):
        v.rule = "RT302"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("event", "codes"),
    [
        ({"type": "input_audio_buffer.append", "audio": AUDIO}, []),
        ({"type": "input_audio_buffer.append"}, ["RT201"]),
        ({"audio": AUDIO}, ["RT201"]),
        ({}, ["RT201"]),
        ({"type": None, "audio": AUDIO}, ["RT202"]),
        ({"type": "input_audio_buffer.append", "audio": 5}, ["RT202"]),
        ({"type": "input_audio_buffer.append", "audio": AUDIO, "event_id": None}, ["RT202"]),
        ({"type": "input_audio_buffer.append", "audio": AUDIO, "x": 1, "y": 2}, ["RT203", "RT203"]),
        ({"type": "input_audio_buffer.append", "audio": AUDIO, "event_id": "e" * 512}, []),
        ({"type": "input_audio_buffer.append", "audio": AUDIO, "event_id": "e" * 513}, ["RT204"]),
        ({"type": "input_audio.append", "audio": AUDIO}, ["RT205"]),
        ({"type": "response.audio.delta", "delta": "not base64!!"}, []),
        ({"type": "session.input_audio_buffer.append", "audio": "A-A="}, ["RT301"]),
        ({"type": "input_audio_buffer.append", "audio": None, "z": 0}, ["RT202", "RT203"]),
    ],
)
def test_table(event: dict[str, Any], codes: list[str]) -> None:
    assert sorted(v.rule for v in validate_event(event)) == sorted(codes)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ('{"type": "input_audio_buffer.append", "audio": "AAAA"', "RT101"),
        ("", "RT101"),
        ("NaN", "RT101"),
        ('{"a": Infinity}', "RT101"),
        (b'{"type": "\xff"}', "RT102"),
        (b"\xfe\xff\x00{", "RT102"),
        ("[]", "RT103"),
        ("null", "RT103"),
        ('"input_audio_buffer.append"', "RT103"),
        ('{"type": "input_audio_buffer.append", "type": "x", "audio": "AAAA"}', "RT104"),
        ('{"type": "session.update", "session": {"a": 1, "a": 2}}', "RT104"),
    ],
)
def test_text_events(text: str | bytes, code: str) -> None:
    assert code in [v.rule for v in validate_event(text)]


def test_duplicate_key_pointer_is_nested() -> None:
    found = validate_event('{"type": "session.update", "session": {"a": 1, "a": 2}}')
    (v,) = [v for v in found if v.rule == "RT104"]  # RT206 also: 'session.a' is unknown
    assert (v.rule, v.pointer) == ("RT104", "/session/a")


def test_rt205_suggests_the_closest_type() -> None:
    (v,) = validate_event({"type": "input_audio_buffer.appened", "audio": AUDIO})
    assert v.message == (
        "'type' 'input_audio_buffer.appened' is not a Realtime event type; "
        "did you mean 'input_audio_buffer.append'?"
    )
    (v,) = validate_event({"type": "response.create.now"})
    assert "did you mean 'response.create'?" in v.message


def test_check_event_raises_with_violations() -> None:
    with pytest.raises(InvalidEventError) as info:
        check_event({"type": "input_audio_buffer.append", "audio": None, "x": 1})
    assert [v.rule for v in info.value.violations] == ["RT202", "RT203"]
    assert str(info.value).startswith("RT202 'audio' is null")
    check_event({"type": "input_audio_buffer.append", "audio": ""})  # RT305 is a warning
    assert is_valid({"type": "input_audio_buffer.append", "audio": "YR=="})


def test_validate_event_is_pure() -> None:
    event = {"type": "input_audio_buffer.append", "audio": AUDIO, "event_id": "e"}
    before = json.dumps(event)
    assert validate_event(event) == validate_event(event) == []
    assert json.dumps(event) == before


def test_a_dict_from_code_with_other_keys_is_a_finding_not_a_crash() -> None:
    # JSON text has string keys only; a dict built in Python may not (json.dumps writes "2")
    event: dict[Any, Any] = {"type": "input_audio_buffer.append", "audio": AUDIO, 2: 3, (1,): 0}
    found = [(v.rule, v.pointer) for v in validate_event(event)]
    assert found == [("RT203", "/2"), ("RT203", "/(1,)")]
    assert validate_event({1: "x"})[0].rule == "RT201"


def test_max_audio_bytes_option() -> None:
    event = {"type": "input_audio_buffer.append", "audio": b64(bytes(100))}
    assert validate_event(event, max_audio_bytes=100) == []
    assert [v.rule for v in validate_event(event, max_audio_bytes=99)] == ["RT304"]


def test_unknown_audio_format_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="unknown audio format 'mp3'"):
        validate_event({"type": "input_audio_buffer.append", "audio": AUDIO}, audio_format="mp3")
    assert (
        validate_event(
            {"type": "input_audio_buffer.append", "audio": AUDIO}, audio_format="audio/pcmu"
        )
        == []
    )


def test_public_names() -> None:
    assert set(validator.__all__) >= {
        "validate_event",
        "check_event",
        "is_valid",
        "lint",
        "Violation",
        "InvalidEventError",
        "SCHEMA",
        "RULES",
    }
    assert validator.SCHEMA["title"].startswith("OpenAI Realtime")
