"""The client event schemas generated from the official spec (tools/generate_schemas.py).

Valid draft-07 that fastjsonschema compiles; each file as ``SOURCE.json`` pins it (sha256;
regenerating them needs the spec, a manual run: schemas/README.md); the generator's
transformations on small made-up specs; accepting every real client event of the fixtures and
the spec's own examples; refusing what the live server refused, at the place the server named.
"""

from __future__ import annotations

import copy
import hashlib
import importlib.util
import json
import re
import sys
import tomllib
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import fastjsonschema
import jsonschema
import pytest
from conftest import FIXTURES, ROOT, value_paths
from hypothesis import given, settings
from hypothesis import strategies as st

SCHEMAS = ROOT / "schemas"
APIS = ("ga", "beta", "translation")
GENERATED = sorted(p for api in APIS for p in (SCHEMAS / api).glob("*.schema.json"))
SOURCE: dict[str, Any] = json.loads((SCHEMAS / "SOURCE.json").read_text(encoding="utf-8"))
APPENDS = {"input_audio_buffer.append", "session.input_audio_buffer.append"}


@cache
def tool() -> ModuleType:
    """Return tools/generate_schemas.py as a module."""
    spec = importlib.util.spec_from_file_location(
        "generate_schemas", ROOT / "tools" / "generate_schemas.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["generate_schemas"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


Validators = tuple[Any, jsonschema.Draft7Validator]


@cache
def validators(api: str, kind: str) -> Validators:
    """Return (fastjsonschema, jsonschema) validators of one event type's committed schema."""
    schema = json.loads((SCHEMAS / api / f"{kind}.schema.json").read_text(encoding="utf-8"))
    return fastjsonschema.compile(schema, use_default=False), jsonschema.Draft7Validator(schema)


def _pointer(fast_name: str) -> str:
    """Return the JSON pointer of a fastjsonschema error's ``name`` (``data.item.content[0]``)."""
    steps = re.findall(r"\.([^.\[\]]+)|\[(\d+)\]", fast_name.removeprefix("data"))
    return "".join(f"/{key or index}" for key, index in steps)


def errors(api: str, event: Any, kind: str | None = None) -> tuple[Any, Any]:
    """Return the first error of each validator as (pointer, message), or None where valid."""
    fast, slow = validators(api, kind or event["type"])
    try:
        fast(event)
        fast_error = None
    except fastjsonschema.JsonSchemaValueException as error:
        fast_error = (_pointer(error.name or "data"), error.message)
    best = jsonschema.exceptions.best_match(slow.iter_errors(event))
    slow_error = None if best is None else ("".join(f"/{p}" for p in best.path), best.message)
    return fast_error, slow_error


def has_schema(api: str, kind: str) -> bool:
    return (SCHEMAS / api / f"{kind}.schema.json").exists()


# ---------------------------------------------------------------------------------------------
# The files


@pytest.mark.parametrize("path", GENERATED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_schema_is_valid_draft7_and_compiles(path: Path) -> None:
    schema = json.loads(path.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    fastjsonschema.compile(schema, use_default=False)
    rel = path.relative_to(SCHEMAS).as_posix()
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert (
        schema["$id"] == f"https://github.com/realtime-validator/realtime-validator/schemas/{rel}"
    )
    assert schema["title"] and schema["description"]
    assert SOURCE["spec"]["commit"] in schema["$comment"]
    kind = path.name.removesuffix(".schema.json")
    assert schema["properties"]["type"]["const"] == kind
    assert SOURCE["schemas"][path.parent.name][kind]["file"] == rel


def _objects(node: Any) -> Iterator[dict[str, Any]]:
    """Yield every schema in ``node``, but not the conditions of ``if`` (tests, not shapes)."""
    if isinstance(node, dict):
        yield node
        for key, value in node.items():
            if key != "if":
                yield from _objects(value)
    elif isinstance(node, list):
        for value in node:
            yield from _objects(value)


@pytest.mark.parametrize("path", GENERATED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_listed_object_is_closed(path: Path) -> None:
    """The server answers unknown_parameter: an object that lists its properties is closed."""
    schema = json.loads(path.read_text(encoding="utf-8"))
    for node in _objects(schema):
        kinds = node.get("type")
        if "properties" in node and (
            kinds == "object" or (isinstance(kinds, list) and "object" in kinds)
        ):
            assert "additionalProperties" in node, node
        assert "nullable" not in node and "discriminator" not in node and "oneOf" not in node
        assert not any(isinstance(k, str) and k.startswith("x-") for k in node)


def test_the_index_names_every_file_and_the_appends_keep_theirs() -> None:
    files = {entry["file"] for api in SOURCE["schemas"].values() for entry in api.values()}
    assert files == {p.relative_to(SCHEMAS).as_posix() for p in GENERATED} | {
        "input_audio_buffer.append.schema.json",
        "session.input_audio_buffer.append.schema.json",
    }
    assert all((SCHEMAS / f).exists() for f in files)
    counts = {api: len(SOURCE["schemas"][api]) for api in APIS}
    assert counts == {"ga": 11, "beta": 12, "translation": 3}
    kinds = {kind for api in SOURCE["schemas"].values() for kind in api}
    assert len(kinds) == 14
    assert set(SOURCE["skipped"]) == {"RealtimeClientEventTranscriptionSessionUpdate"}


def test_the_wheel_ships_every_schema() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    # validator.schemas is the folder schemas/; validator.schemas.ga its ga/, and so on
    data = pyproject["tool"]["setuptools"]["package-data"]
    shipped = {
        path
        for package, patterns in data.items()
        if package.startswith("validator.schemas")
        for pattern in patterns
        for path in SCHEMAS.joinpath(*package.split(".")[2:]).glob(pattern)
    }
    packages = pyproject["tool"]["setuptools"]["packages"]
    assert {p for p in data if p.startswith("validator.schemas")} <= set(packages)
    assert set(GENERATED) | {SCHEMAS / "SOURCE.json"} <= shipped


# ---------------------------------------------------------------------------------------------
# What SOURCE.json pins


def test_every_generated_file_is_as_source_json_pins_it() -> None:
    """A hand edit of a generated file, or a file regenerated without its index, fails here."""
    pinned = {
        entry["file"]: entry["sha256"]
        for api in SOURCE["schemas"].values()
        for entry in api.values()
        if "sha256" in entry
    }
    on_disk = {
        p.relative_to(SCHEMAS).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in GENERATED
    }
    assert on_disk == pinned


def test_source_names_the_spec_and_its_commit() -> None:
    spec = SOURCE["spec"]
    assert spec["repository"] == "openai/openai-openapi"
    assert spec["path"] == "openapi.yaml"
    assert re.fullmatch(r"[0-9a-f]{40}", spec["commit"])
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", spec[k]) for k in ("date", "fetched"))
    assert spec["date"] <= spec["fetched"]
    assert SOURCE["generator"] == "tools/generate_schemas.py"


def test_source_lists_the_overrides_of_the_tool() -> None:
    assert SOURCE["overrides"] == tool().overrides_listed()


def test_nothing_of_the_spec_is_committed_but_the_schemas() -> None:
    """The spec is read from the path given to the tool; no copy of it lives in the repository."""
    copies = [
        p
        for p in ROOT.rglob("openapi*")
        if not any(part.startswith(".") for part in p.relative_to(ROOT).parts)
        and (p.name in ("openapi.yaml", "openapi.json") or "extract" in p.name)
    ]
    assert copies == []
    # the overrides hold fingerprints of what they replace, not the spec's text
    assert all(
        o.was is tool().ABSENT or re.fullmatch(r"[0-9a-f]{16}", o.was) for o in tool().OVERRIDES
    )


def test_overrides_name_their_evidence_and_the_readme_lists_them() -> None:
    readme = (SCHEMAS / "README.md").read_text(encoding="utf-8")
    for override in SOURCE["overrides"]:
        assert override["why"] and override["source"], override
        assert set(override["apis"]) <= set(APIS)
        assert f"| `{override['id']}` |" in readme


# ---------------------------------------------------------------------------------------------
# The four rejections of the live server


def test_ga_transcription_delay_bogus_is_invalid_value() -> None:
    """koguma-inc/nijimaku .plan/plan-mvp.md: a live probe answered invalid_value, param
    session.audio.input.transcription.delay, "Supported values are: 'minimal', 'low', 'medium',
    'high', and 'xhigh'." (the spec has the enum)."""
    transcription = {"model": "gpt-live-transcribe", "delay": "bogus"}
    session = {"type": "transcription", "audio": {"input": {"transcription": transcription}}}
    event = {"type": "session.update", "session": session}
    for pointer, message in errors("ga", event):
        assert pointer == "/session/audio/input/transcription/delay"
        for value in ("minimal", "low", "medium", "high", "xhigh"):
            assert f"'{value}'" in message
    transcription["delay"] = "low"
    assert errors("ga", event) == (None, None)


def test_beta_nested_unknown_parameter() -> None:
    """carhubcentralts-hue/prosaasil FIX_TEMPERATURE_PARAMETER_SUMMARY.md: "Unknown parameter:
    'session.input_audio_transcription.temperature'." (model and language were accepted)."""
    transcription = {"model": "gpt-4o-transcribe", "language": "he", "temperature": 0.0}
    event = {"type": "session.update", "session": {"input_audio_transcription": transcription}}
    for pointer, message in errors("beta", event):
        assert pointer == "/session/input_audio_transcription"
        assert "temperature" in message
    del transcription["temperature"]
    assert errors("beta", event) == (None, None)


@pytest.mark.parametrize(("api", "expected"), [("beta", "text"), ("ga", "output_text")])
def test_assistant_input_text_is_invalid_value(api: str, expected: str) -> None:
    """carhubcentralts-hue/prosaasil REALTIME_API_ERRORS_FIXED.md (beta): "Invalid value:
    'input_text'. Value must be 'text'."; GA assistant content is output_text/output_audio."""
    content = [{"type": "input_text", "text": "Hello"}]
    item = {"type": "message", "role": "assistant", "content": content}
    event = {"type": "conversation.item.create", "item": item}
    for pointer, message in errors(api, event):
        assert pointer == "/item/content/0/type"
        assert f"'{expected}'" in message or expected in message
    content[0]["type"] = expected
    assert errors(api, event) == (None, None)


def test_ga_output_pcm_without_rate_is_missing_required_parameter() -> None:
    """antoinedc/MantaUI PR #1196: missing_required_parameter
    'session.audio.output.format.rate'; with rate 24000, session.updated."""
    output_format: dict[str, Any] = {"type": "audio/pcm"}
    event = {
        "type": "session.update",
        "session": {"type": "realtime", "audio": {"output": {"format": output_format}}},
    }
    for pointer, message in errors("ga", event):
        assert pointer == "/session/audio/output/format"
        assert "rate" in message
    output_format["rate"] = 24000
    assert errors("ga", event) == (None, None)


@pytest.mark.parametrize("side", ["input", "output"])
def test_ga_null_format_is_invalid_type(side: str) -> None:
    """openai/openai-agents-python PR #2454: a null format is invalid_type (the spec agrees)."""
    audio = {side: {"format": None}}
    event = {"type": "session.update", "session": {"type": "realtime", "audio": audio}}
    for pointer, message in errors("ga", event):
        assert pointer == f"/session/audio/{side}/format"
        assert "object" in message


def test_ga_session_without_type_is_missing_required_parameter() -> None:
    event = {"type": "session.update", "session": {"audio": {"input": {}}}}
    for pointer, message in errors("ga", event):
        assert pointer == "/session"
        assert "type" in message


def test_compiling_writes_no_default_into_the_event() -> None:
    audio = {"input": {"turn_detection": {"type": "server_vad"}}}  # defaults to fill in
    event = {"type": "session.update", "session": {"type": "realtime", "audio": audio}}
    before = copy.deepcopy(event)
    assert errors("ga", event) == (None, None)
    assert event == before


# ---------------------------------------------------------------------------------------------
# The project's own captures and fixtures

# client events the fixtures hold on purpose, each refused by the schema of its session's API
KNOWN_BAD = {
    ("formats.jsonl", 19): ("ga", "/session/audio/input/format/rate"),  # RT403: 16 kHz
    ("formats.jsonl", 20): ("beta", "/session/input_audio_format"),  # RT403: pcm24
    ("realtime_ga_errors.jsonl", 25): ("ga", "/session"),  # bogus_field: server said so
    ("sessions.jsonl", 2): ("ga", "/session"),  # RT404: beta fields in a GA session
    ("sessions.jsonl", 5): ("ga", "/session"),  # RT201: no session.type
    ("sessions.jsonl", 10): ("beta", "/session"),  # RT404: audio in a beta session
    ("translation.jsonl", 15): ("translation", "/session"),  # RT404: server said so
    # the four live rejections (fixtures/logs/README.md): each refused as the server did
    ("spec_mismatch.jsonl", 2): ("ga", "/session/audio/input/transcription/delay"),
    ("spec_mismatch.jsonl", 7): ("ga", "/session/audio/output/format"),
    ("spec_mismatch.jsonl", 12): ("beta", "/session/input_audio_transcription"),
    ("spec_mismatch.jsonl", 16): ("beta", "/item/content/0/type"),
}


def _client_types() -> set[str]:
    return {kind for api in SOURCE["schemas"].values() for kind in api} - APPENDS


def _fixture_events() -> list[tuple[str, int, dict[str, Any]]]:
    found = []
    paths = sorted((FIXTURES / "logs").glob("*.jsonl")) + sorted(
        (FIXTURES / "events" / "valid").glob("*.json")
    )
    for path in paths:
        if path.name.endswith(".expected.jsonl"):
            continue
        if path.suffix == ".jsonl":
            records = []
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                try:
                    records.append((number, json.loads(line)))
                except ValueError:
                    continue
        else:
            value = json.loads(path.read_text(encoding="utf-8"))
            records = [(1, v) for v in (value if isinstance(value, list) else [value])]
        for number, event in records:
            if isinstance(event, dict) and event.get("type") in _client_types():
                found.append((path.name, number, event))
    return found


FIXTURE_EVENTS = _fixture_events()


@pytest.mark.parametrize(
    ("name", "line", "event"), FIXTURE_EVENTS, ids=[f"{n}:{i}" for n, i, _ in FIXTURE_EVENTS]
)
def test_fixture_client_events(name: str, line: int, event: dict[str, Any]) -> None:
    if (name, line) in KNOWN_BAD:
        api, pointer = KNOWN_BAD[name, line]
        fast, slow = errors(api, event)
        assert fast is not None and slow is not None
        assert fast[0] == slow[0] == pointer
    else:
        accepted = [
            api
            for api in APIS
            if has_schema(api, event["type"]) and errors(api, event) == (None, None)
        ]
        assert accepted, [errors(a, event) for a in APIS if has_schema(a, event["type"])]


def test_the_known_bad_fixtures_are_there() -> None:
    assert set(KNOWN_BAD) <= {(name, line) for name, line, _ in FIXTURE_EVENTS}
    assert len(FIXTURE_EVENTS) > 40


# ---------------------------------------------------------------------------------------------
# The spec's own examples (fixtures/spec/, see its README)


def lenient_values(text: str) -> list[Any]:
    """Return the JSON values of an example, its // comments and trailing commas taken out."""
    out, in_string, escaped, i = [], False, False, 0
    while i < len(text):
        ch = text[i]
        if in_string:
            escaped, in_string = (False, True) if escaped else (ch == "\\", ch != '"')
        elif ch == '"':
            in_string = True
        elif text.startswith("//", i):
            i = text.find("\n", i) if "\n" in text[i:] else len(text)
            continue
        out.append(ch)
        i += 1
    cleaned = re.sub(r",(\s*[}\]])", r"\1", "".join(out))
    values, position, decoder = [], 0, json.JSONDecoder()
    while position < len(cleaned):
        if cleaned[position].isspace():
            position += 1
            continue
        value, position = decoder.raw_decode(cleaned, position)
        values.append(value)
    return values


def _api_of(name: str) -> str:
    if name.startswith("RealtimeBeta"):
        return "beta"
    if name.startswith("RealtimeTranslation"):
        return "translation"
    # the GA-named transcription_session.update is the beta event's copy (SOURCE.json, skipped)
    return "beta" if name in SOURCE["skipped"] else "ga"


def _spec_examples() -> list[tuple[str, int, dict[str, Any]]]:
    found = []
    for path in sorted((FIXTURES / "spec").glob("Realtime*ClientEvent*.json")):
        for index, event in enumerate(lenient_values(path.read_text(encoding="utf-8"))):
            if event["type"] not in APPENDS:
                found.append((path.stem, index, event))
    return found


SPEC_EXAMPLES = _spec_examples()
# examples that fail the schemas even with the overrides: (example, index) -> where
EXAMPLES_FAILING = {
    # GA response.create input with {"type": "item_reference"}: no such item in the GA
    # schema (nor in openai-python); no server evidence either way
    ("RealtimeClientEventResponseCreate", 1): "/response/input/0/type",
    # the beta example is GA's, copied: output_modalities is GA's name (beta: modalities)
    ("RealtimeBetaClientEventResponseCreate", 1): "/response",
}


@pytest.mark.parametrize(
    ("name", "index", "event"), SPEC_EXAMPLES, ids=[f"{n}[{i}]" for n, i, _ in SPEC_EXAMPLES]
)
def test_spec_examples(name: str, index: int, event: dict[str, Any]) -> None:
    api = _api_of(name)
    fast, slow = errors(api, event)
    if (name, index) in EXAMPLES_FAILING:
        assert fast is not None and slow is not None
        assert fast[0] == slow[0] == EXAMPLES_FAILING[name, index]
    else:
        assert (fast, slow) == (None, None)


def test_spec_examples_are_all_read() -> None:
    assert len(SPEC_EXAMPLES) == 26
    assert {(n, i) for n, i, _ in SPEC_EXAMPLES} >= set(EXAMPLES_FAILING)


# ---------------------------------------------------------------------------------------------
# fastjsonschema and jsonschema agree


def _valid_events() -> list[tuple[str, dict[str, Any]]]:
    events = [(_api_of(n), e) for n, i, e in SPEC_EXAMPLES if (n, i) not in EXAMPLES_FAILING]
    for name, line, event in FIXTURE_EVENTS:
        if (name, line) not in KNOWN_BAD:
            api = next(a for a in APIS if has_schema(a, event["type"]))
            if errors(api, event) == (None, None):
                events.append((api, event))
    return events


VALID_EVENTS = _valid_events()
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 30000), st.floats(-2, 2), st.text(max_size=12)
)


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_fastjsonschema_and_jsonschema_agree_on_mutated_events(data: st.DataObject) -> None:
    api, original = data.draw(st.sampled_from(VALID_EVENTS))
    event = copy.deepcopy(original)
    places = [p for p in value_paths(event) if p and p != ("type",)]
    path = data.draw(st.sampled_from(places)) if places else ()
    parent: Any = event
    for step in path[:-1]:
        parent = parent[step]
    action = data.draw(st.sampled_from(["set", "delete", "add"]))
    if path and action == "set":
        parent[path[-1]] = data.draw(SCALARS)
    elif path and action == "delete" and isinstance(parent, dict):
        del parent[path[-1]]
    else:
        target = parent[path[-1]] if path else event
        if isinstance(target, dict):
            key = data.draw(st.sampled_from(["bogus", "rate", "type", "role"]))
            target["bogus" if target is event else key] = data.draw(SCALARS)
    fast, slow = errors(api, event, original["type"])
    assert (fast is None) == (slow is None), (event, fast, slow)


# ---------------------------------------------------------------------------------------------
# The conversion, on small made-up specs


def _convert(components: dict[str, Any], name: str = "Root") -> dict[str, Any]:
    converted: dict[str, Any] = tool().Converter(components).root(name)
    return converted


def test_a_nullable_reference_reports_errors_inside_it() -> None:
    components = {
        "Root": {
            "type": "object",
            "properties": {"inner": {"$ref": "#/components/schemas/Inner", "nullable": True}},
        },
        "Inner": {"type": "object", "properties": {"a": {"type": "string"}}},
    }
    schema = _convert(components)
    assert schema["properties"]["inner"] == {
        "if": {"type": "null"},
        "else": {"$ref": "#/definitions/Inner"},
    }
    assert schema["definitions"]["Inner"]["additionalProperties"] is False
    fast = fastjsonschema.compile(schema, use_default=False)
    fast({"inner": None})
    with pytest.raises(fastjsonschema.JsonSchemaValueException) as caught:
        fast({"inner": {"b": 1}})
    assert caught.value.name == "data.inner"


def test_overlapping_string_branches_are_one_string() -> None:
    components = {
        "Root": {"oneOf": [{"type": "string"}, {"type": "string", "enum": ["auto", "none"]}]}
    }
    assert _convert(components) == {"type": "string", "examples": ["auto", "none"]}


def test_objects_told_apart_by_constants_become_if_then_pairs() -> None:
    def message(role: str, content: str) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["type", "role"],
            "properties": {
                "type": {"type": "string", "enum": ["message"]},
                "role": {"type": "string", "enum": [role]},
                "object": {"type": "string", "enum": ["realtime.item"]},
                "content": {"type": "string", "enum": [content]},
            },
        }

    call = {
        "type": "object",
        "required": ["type"],
        "properties": {"type": {"type": "string", "enum": ["function_call"]}},
    }
    components = {"Root": {"anyOf": [message("user", "in"), message("assistant", "out"), call]}}
    schema = _convert(components)
    tests = [pair["if"] for pair in schema["allOf"] if "then" in pair]
    assert [t["required"] for t in tests] == [["role", "type"], ["role", "type"], ["type"]]
    fast = fastjsonschema.compile(schema, use_default=False)
    fast({"type": "message", "role": "user", "content": "in"})
    for event, where in [
        ({"type": "message", "role": "assistant", "content": "in"}, "data.content"),
        ({"type": "nope"}, "data.type"),
        ({"role": "user"}, "data"),
    ]:
        with pytest.raises(fastjsonschema.JsonSchemaValueException) as caught:
            fast(event)
        assert caught.value.name == where


def test_unknown_keywords_and_foreign_references_stop_the_tool() -> None:
    with pytest.raises(tool().SpecError, match="unknown keys"):
        _convert({"Root": {"type": "object", "patternProperties": {}}})
    with pytest.raises(tool().SpecError, match="outside the component schemas"):
        _convert({"Root": {"$ref": "other.yaml#/Thing"}})


def test_a_spec_from_before_ga_is_read_as_beta() -> None:
    event = {
        "type": "object",
        "properties": {"type": {"type": "string", "enum": ["session.update"]}},
    }
    selection, skipped = tool().select({"RealtimeClientEventSessionUpdate": event})
    assert selection == {"beta": {"session.update": "RealtimeClientEventSessionUpdate"}}
    assert skipped == {}


def _fast(schema: dict[str, Any]) -> Any:
    return fastjsonschema.compile(schema, use_default=False)


def _rejects(schema: dict[str, Any], value: Any) -> str:
    """Return the fastjsonschema error's place for a value ``schema`` refuses."""
    with pytest.raises(fastjsonschema.JsonSchemaValueException) as caught:
        _fast(schema)(value)
    return str(caught.value.name)


def test_references_become_definitions_of_the_file() -> None:
    components = {
        "Root": {"type": "object", "properties": {"a": {"$ref": "#/components/schemas/A"}}},
        "A": {"type": "object", "properties": {"b": {"$ref": "#/components/schemas/B"}}},
        "B": {"type": "integer"},
        "Unused": {"type": "string"},
    }
    schema = _convert(components)
    assert schema["properties"]["a"] == {"$ref": "#/definitions/A"}
    assert sorted(schema["definitions"]) == ["A", "B"]  # what Root reaches, and only that
    assert schema["definitions"]["A"]["properties"]["b"] == {"$ref": "#/definitions/B"}
    jsonschema.Draft7Validator.check_schema(schema)
    _fast(schema)({"a": {"b": 1}})
    assert _rejects(schema, {"a": {"b": "1"}}) == "data.a.b"


def test_a_reference_that_refers_back_to_itself_stays_a_reference() -> None:
    components = {
        "Root": {
            "type": "object",
            "properties": {
                "child": {"$ref": "#/components/schemas/Root"},
                "n": {"type": "integer"},
            },
        }
    }
    schema = _convert(components)
    assert schema["definitions"]["Root"]["properties"]["child"] == {"$ref": "#/definitions/Root"}
    _fast(schema)({"child": {"child": {"n": 1}}})
    assert _rejects(schema, {"child": {"child": {"n": "x"}}}) == "data.child.child.n"


@pytest.mark.parametrize(
    "node",
    [
        {"type": "string", "nullable": True},
        {"anyOf": [{"type": "string"}, {"type": "null"}]},
        {"oneOf": [{"type": "null"}, {"type": "string"}]},
    ],
    ids=["nullable", "anyOf-null", "oneOf-null"],
)
def test_null_is_added_to_the_type(node: dict[str, Any]) -> None:
    schema = _convert({"Root": {"type": "object", "properties": {"x": node}}})
    assert schema["properties"]["x"] == {"type": ["string", "null"]}
    _fast(schema)({"x": None})
    assert _rejects(schema, {"x": 1}) == "data.x"


def test_a_nullable_enum_gets_null_among_its_values() -> None:
    node = {"type": "string", "enum": ["a", "b"], "nullable": True}
    schema = _convert({"Root": node})
    assert schema == {"type": ["string", "null"], "enum": ["a", "b", None]}


def test_one_of_is_read_as_any_of() -> None:
    """Two branches that both accept a value: JSON Schema's oneOf would refuse it."""
    node = {
        "oneOf": [
            {"type": "object", "properties": {"a": {"type": "integer"}}},
            {"type": "object", "properties": {"b": {"type": "integer"}}},
        ]
    }
    schema = _convert({"Root": node})
    assert "oneOf" not in json.dumps(schema)
    _fast(schema)({})  # both branches accept it: oneOf would not
    _fast(schema)({"a": 1})
    _rejects(schema, {"a": 1, "b": 2})  # each branch is closed: neither takes both


def test_objects_that_list_properties_are_closed_and_the_others_stay_open() -> None:
    components = {
        "Root": {
            "type": "object",
            "properties": {
                "listed": {"type": "object", "properties": {"a": {"type": "string"}}},
                "parameters": {"type": "object"},  # a tool's parameters: any JSON Schema
                "metadata": {"type": "object", "additionalProperties": {"type": "string"}},
                "explicit": {
                    "type": "object",
                    "properties": {"a": {"type": "string"}},
                    "additionalProperties": True,
                },
            },
        }
    }
    schema = _convert(components)
    props = schema["properties"]
    assert schema["additionalProperties"] is False
    assert props["listed"]["additionalProperties"] is False
    assert "additionalProperties" not in props["parameters"]
    assert props["metadata"]["additionalProperties"] == {"type": "string"}
    assert props["explicit"]["additionalProperties"] is True
    _fast(schema)({"parameters": {"anything": 1}, "metadata": {"k": "v"}, "explicit": {"z": 1}})
    assert _rejects(schema, {"listed": {"z": 1}}) == "data.listed"
    assert _rejects(schema, {"metadata": {"k": 1}}) == "data.metadata.k"
    assert _rejects(schema, {"bogus": 1}) == "data"


def test_openapi_only_keys_are_dropped() -> None:
    node = {
        "type": "object",
        "properties": {"at": {"type": "integer", "format": "unixtime", "example": 1}},
        "x-oaiMeta": {"name": "x"},
        "discriminator": {"propertyName": "type"},
        "deprecated": False,
        "description": "  padded  ",
    }
    assert _convert({"Root": node}) == {
        "type": "object",
        "description": "padded",
        "properties": {"at": {"type": "integer"}},
        "additionalProperties": False,
    }


# ---------------------------------------------------------------------------------------------
# Overrides and the whole run, on small made-up specs


def _event(kind: str, session_ref: str) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["type"],
        "properties": {
            "type": {"type": "string", "enum": [kind]},
            "event_id": {"type": "string"},
            "session": {"$ref": f"#/components/schemas/{session_ref}"},
        },
    }


def _spec() -> dict[str, Any]:
    """Return a made-up spec: one GA and one beta client event, with a session object."""
    return {
        "RealtimeClientEvent": {"anyOf": [{"$ref": "#/components/schemas/RealtimeClientEventX"}]},
        "RealtimeClientEventX": _event("x.update", "Session"),
        "RealtimeBetaClientEventX": _event("x.update", "Session"),
        "Session": {
            "type": "object",
            "properties": {
                "rate": {"type": "integer"},
                "voice": {"type": "string", "description": "The spec's own words."},
            },
        },
    }


def _override(
    op: str, at: str, value: Any, was: Any = None, apis: tuple[str, ...] = ("ga",)
) -> Any:
    module = tool()
    return module.Override(
        id="test-override",
        apis=apis,
        op=op,
        at=(at,),
        value=value,
        why="a test",
        source="this test",
        was=module.ABSENT if was is None else was,
    )


def test_an_override_is_applied_to_its_api_only() -> None:
    module = tool()
    voice = _spec()["Session"]["properties"]["voice"]
    override = _override(
        "set", "Session#/properties/voice", {"enum": ["alloy"]}, module.fingerprint(voice)
    )
    ga = module.apply_overrides(_spec(), "ga", (override,))
    beta = module.apply_overrides(_spec(), "beta", (override,))
    # the value is the override's; the description is carried over from the spec
    assert ga["Session"]["properties"]["voice"] == {
        "enum": ["alloy"],
        "description": "The spec's own words.",
    }
    assert beta == _spec()


def test_require_and_derive_overrides() -> None:
    module = tool()
    overrides = (
        _override("derive", "SessionOut", "Session"),
        _override("require", "SessionOut#", ["rate"]),
        _override(
            "set",
            "RealtimeClientEventX#/properties/session/$ref",
            "#/components/schemas/SessionOut",
            module.fingerprint("#/components/schemas/Session"),
        ),
    )
    patched = module.apply_overrides(_spec(), "ga", overrides)
    assert patched["SessionOut"]["required"] == ["rate"]
    assert "required" not in patched["Session"]
    schema = module.Converter(patched).root("RealtimeClientEventX")
    _fast(schema)({"type": "x.update", "session": {"rate": 1}})
    assert _rejects(schema, {"type": "x.update", "session": {}}) == "data.session"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda spec: spec["Session"]["properties"].pop("voice"), "the spec has nothing there"),
        (
            lambda spec: spec["Session"]["properties"]["voice"].update(enum=["a", "b"]),
            'the spec has {"type": "string", "enum": ["a", "b"]} there now',
        ),
        (lambda spec: spec.pop("Session"), "no such place in the spec"),
    ],
    ids=["removed", "changed", "component gone"],
)
def test_a_stale_override_stops_the_run(change: Any, message: str) -> None:
    module = tool()
    voice = _spec()["Session"]["properties"]["voice"]
    override = _override(
        "set", "Session#/properties/voice", {"enum": ["alloy"]}, module.fingerprint(voice)
    )
    spec = _spec()
    change(spec)
    with pytest.raises(module.SpecError, match="test-override") as caught:
        module.apply_overrides(spec, "ga", (override,))
    assert message in str(caught.value)


def test_annotations_do_not_make_an_override_stale() -> None:
    module = tool()
    voice = _spec()["Session"]["properties"]["voice"]
    reworded = {**voice, "description": "Reworded.", "x-oaiMeta": {}, "example": "alloy"}
    assert module.fingerprint(reworded) == module.fingerprint(voice)
    assert module.fingerprint({**voice, "maxLength": 9}) != module.fingerprint(voice)


def test_an_override_that_adds_what_the_spec_now_has_is_stale() -> None:
    module = tool()
    spec = _spec()
    override = _override("set", "Session#/properties/speed", {"type": "number"})
    module.apply_overrides(spec, "ga", (override,))  # absent, as the override expects
    spec["Session"]["properties"]["speed"] = {"type": "number"}
    with pytest.raises(module.SpecError, match="review the override"):
        module.apply_overrides(spec, "ga", (override,))
    require = _override("require", "Session#", ["rate"])
    spec["Session"]["required"] = ["rate"]
    with pytest.raises(module.SpecError, match="requires"):
        module.apply_overrides(spec, "ga", (require,))


def test_the_whole_run_on_a_made_up_spec(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Write from a spec file, --check it byte for byte, and see a hand edit found."""
    module = tool()
    spec_file = tmp_path / "openapi.json"
    spec_file.write_text(json.dumps({"components": {"schemas": _spec()}}), encoding="utf-8")
    out = tmp_path / "schemas"
    monkeypatch.setattr(module, "SCHEMAS", out)
    monkeypatch.setattr(module, "OVERRIDES", ())
    commit = "0123456789abcdef0123456789abcdef01234567"
    dates = ["--date", "2026-01-02", "--fetched", "2026-01-03"]
    assert module.main([str(spec_file), "--commit", commit, *dates]) == 0
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.json"))
    assert written == ["SOURCE.json", "beta/x.update.schema.json", "ga/x.update.schema.json"]
    source = json.loads((out / "SOURCE.json").read_text(encoding="utf-8"))
    assert source["spec"]["commit"] == commit
    ga_file = out / "ga" / "x.update.schema.json"
    entry = source["schemas"]["ga"]["x.update"]
    assert entry["sha256"] == hashlib.sha256(ga_file.read_bytes()).hexdigest()
    assert commit in json.loads(ga_file.read_text(encoding="utf-8"))["$comment"]
    capsys.readouterr()
    assert module.main(["--check", str(spec_file)]) == 0
    assert "byte for byte" in capsys.readouterr().out
    ga_file.write_text(ga_file.read_text(encoding="utf-8").replace("rate", "Rate"))
    (out / "ga" / "stray.schema.json").write_text("{}\n", encoding="utf-8")
    assert module.main(["--check", str(spec_file)]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "schemas/ga/x.update.schema.json differs",
        "schemas/ga/stray.schema.json is not generated any more",
    ]
    assert module.main(["--check", str(tmp_path / "missing.yaml")]) == 2
    with pytest.raises(SystemExit):
        module.main([str(spec_file), "--commit", "abc", *dates])
