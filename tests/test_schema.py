"""The shipped schemas: valid draft-07, and fastjsonschema agrees with jsonschema on every event."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import fastjsonschema
import jsonschema
import pytest
from conftest import FIXTURES, ROOT
from hypothesis import given, settings
from hypothesis import strategies as st

import validator
from validator.check.event import passes_schema
from validator.check.schema import SCHEMA_FILES, compiled, load_schema, structural_schema

SCHEMA_PATHS = sorted((ROOT / "schemas").glob("*.schema.json"))


_CACHE: dict[str, tuple[Any, jsonschema.Draft7Validator]] = {}


def _agree(schema: dict[str, Any], event: Any) -> None:
    key = schema["$id"]
    if key not in _CACHE:
        _CACHE[key] = (
            fastjsonschema.compile(schema, use_default=False, fast_fail=False),
            jsonschema.Draft7Validator(schema),
        )
    fast, slow = _CACHE[key]
    try:
        fast(event)
        fast_ok = True
    except fastjsonschema.JsonSchemaException:
        fast_ok = False
    assert fast_ok == slow.is_valid(event), event


@pytest.mark.parametrize("path", SCHEMA_PATHS, ids=lambda p: p.name)
def test_schema_is_valid_draft7(path: Path) -> None:
    schema = json.loads(path.read_text())
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert schema["$id"].endswith(path.name)
    assert schema["title"] and schema["description"]
    jsonschema.Draft7Validator.check_schema(schema)
    kind = schema["properties"]["type"]["const"]
    assert path.name == f"{kind}.schema.json"
    # the appends carry audio; the input buffer's commit and clear only the envelope
    assert schema["required"] == (["type", "audio"] if kind.endswith(".append") else ["type"])
    assert schema["additionalProperties"] is False
    assert schema["properties"]["event_id"] == {
        "description": schema["properties"]["event_id"]["description"],
        "type": "string",
        "maxLength": 512,
    }


def test_schema_files_are_the_shipped_ones() -> None:
    assert sorted(SCHEMA_FILES.values()) == [p.name for p in SCHEMA_PATHS]
    append = ROOT / "schemas" / SCHEMA_FILES["input_audio_buffer.append"]
    assert json.loads(append.read_text()) == validator.SCHEMA


def test_compile_does_not_write_defaults_into_the_event() -> None:
    event = {"type": "input_audio_buffer.append", "audio": "AAAA"}
    compiled()(event)
    assert event == {"type": "input_audio_buffer.append", "audio": "AAAA"}


def _fixture_events() -> list[Any]:
    out = []
    for path in sorted((FIXTURES / "events").rglob("*.json")):
        try:
            value = json.loads(path.read_bytes())
        except ValueError:
            continue
        out.extend(value if isinstance(value, list) else [value])
    return out


@pytest.mark.parametrize("event_type", sorted(SCHEMA_FILES))
def test_agree_on_fixtures(event_type: str) -> None:
    schema = load_schema(event_type)
    events = _fixture_events()
    assert len(events) > 20
    for event in events:
        _agree(schema, event)


_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=5,
)
_audio = st.one_of(
    st.text(alphabet="ABCDabcd0189+/=-_ \n", max_size=12),
    st.binary(max_size=9).map(lambda b: __import__("base64").b64encode(b).decode()),
    _values,
)
_events = st.fixed_dictionaries(
    {},
    optional={
        "type": st.sampled_from(
            [
                "input_audio_buffer.append",
                "session.input_audio_buffer.append",
                "input_audio_buffer.commit",
                "input_audio_buffer.clear",
                1,
                None,
            ]
        ),
        "audio": _audio,
        "event_id": st.one_of(st.text(max_size=3), st.just("e" * 512), st.just("e" * 513), _values),
        "extra": _values,
    },
)


@settings(max_examples=3000, deadline=None)
@given(_events)
def test_agree_on_generated_events(event: dict[str, Any]) -> None:
    _agree(load_schema(), event)


@settings(max_examples=300, deadline=None)
@given(_values)
def test_agree_on_any_value(value: Any) -> None:
    _agree(load_schema(), value)


_FULL = {t: jsonschema.Draft7Validator(load_schema(t)) for t in SCHEMA_FILES}


@settings(max_examples=1500, deadline=None)
@given(_events)
def test_schema_verdict_matches_validate_event(event: dict[str, Any]) -> None:
    """No schema error exactly when validate_event reports no error of the schema's kinds
    (appends, and the envelope of the input buffer's commit and clear)."""
    event_type = event.get("type")
    if event_type not in SCHEMA_FILES:
        return
    schema_ok = _FULL[event_type].is_valid(event)
    codes = {v.rule for v in validator.validate_event(event)}
    assert schema_ok == (
        not codes & {"RT201", "RT202", "RT203", "RT204", "RT301", "RT302", "RT304"}
    )


_STRUCTURAL = {t: jsonschema.Draft7Validator(structural_schema(t)) for t in SCHEMA_FILES}


@settings(max_examples=3000, deadline=None)
@given(_events)
def test_passes_schema_twin_agrees_with_the_compiled_schema(event: dict[str, Any]) -> None:
    event_type = event.get("type")
    if event_type not in SCHEMA_FILES:
        return
    try:
        compiled(event_type)(event)
        compiled_ok = True
    except fastjsonschema.JsonSchemaException:
        compiled_ok = False
    assert passes_schema(event) == compiled_ok == _STRUCTURAL[event_type].is_valid(event)
