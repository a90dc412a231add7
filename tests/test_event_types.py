"""The event-type table is the official spec's: tools/check_event_types.py against the pin."""

from __future__ import annotations

import importlib.util
import json
from types import ModuleType

import pytest
from conftest import ROOT

from validator.core import event_types

PINNED = ROOT / "tests" / "data" / "openapi_event_types.json"


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "check_event_types", ROOT / "tools" / "check_event_types.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_table_is_the_pinned_spec() -> None:
    pinned = json.loads(PINNED.read_text(encoding="utf-8"))
    assert pinned["source"] == "openai/openai-openapi"
    assert len(pinned["commit"]) == 40
    assert _tool().differences(pinned) == []
    assert _tool().main([]) == 0


def test_a_type_missing_from_the_table_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    pinned = json.loads(PINNED.read_text(encoding="utf-8"))
    monkeypatch.setattr(
        event_types, "SERVER_EVENT_TYPES", event_types.SERVER_EVENT_TYPES - {"session.closed"}
    )
    assert _tool().differences(pinned) == [
        "server type 'session.closed' is in the spec, not in the table"
    ]
    pinned["client"].append("session.open")
    assert "client type 'session.open' is in the spec, not in the table" in (
        _tool().differences(pinned)
    )


def test_extract_reads_event_schemas_and_unions() -> None:
    schemas = {
        "RealtimeClientEventSessionUpdate": {
            "properties": {"type": {"type": "string", "enum": ["session.update"]}}
        },
        "RealtimeServerEventError": {
            "properties": {"type": {"const": "error"}},
        },
        "RealtimeTranslationServerEvent": {
            "anyOf": [{"$ref": "#/components/schemas/TranslationClosed"}]
        },
        "TranslationClosed": {
            "allOf": [
                {"properties": {"type": {"x-stainless-const": True, "default": "session.closed"}}}
            ]
        },
    }
    found = _tool().extract({"components": {"schemas": schemas}})
    assert found["client"] == ["session.update"]
    assert found["server"] == ["error", "session.closed"]
    assert found["schemas"]["session.closed"] == ["TranslationClosed"]


def test_translation_and_transcription_types_are_known() -> None:
    assert {
        "session.close",
        "session.input_audio_buffer.append",
    } <= event_types.CLIENT_EVENT_TYPES
    assert {
        "session.closed",
        "session.input_transcript.delta",
        "session.output_transcript.delta",
        "session.output_audio.delta",
        "transcription_session.created",
    } <= event_types.SERVER_EVENT_TYPES
