"""RT206 (check/spec.py): the spec's schemas in the linter, as the live server judges events.

The yes-or-no twin (check/predicate.py) against fastjsonschema on every real and mutated
event; the findings' words, places and the version chosen; what RT206 leaves to RT403/RT404;
the roads equal on logs rich in client events; the command line's schema and rule pages.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import fastjsonschema
import pytest
from conftest import FIXTURES, ROOT, roads, value_paths
from hypothesis import given, settings
from hypothesis import strategies as st

import validator
from validator.check import spec
from validator.check.predicate import compile_predicate
from validator.check.schema import SCHEMA_FILES
from validator.core.violation import Violation

SOURCE: dict[str, Any] = json.loads((ROOT / "schemas" / "SOURCE.json").read_text("utf-8"))
SCHEMAS = sorted(
    (api, kind)
    for api, kinds in SOURCE["schemas"].items()
    for kind in kinds
    if kind in spec.SPEC_APIS
)


@cache
def fast(api: str, kind: str) -> Any:
    """Return fastjsonschema's validator of a shipped schema, as it stands in the file."""
    # a copy: fastjsonschema rewrites the $refs of the dict it is given
    schema = copy.deepcopy(spec.load_spec_schema(api, kind))
    return fastjsonschema.compile(schema, use_default=False)


def fast_verdict(api: str, event: Any) -> bool:
    try:
        fast(api, event["type"])(event)
    except fastjsonschema.JsonSchemaValueException:
        return False
    return True


def test_the_types_and_versions_are_those_of_source_json() -> None:
    index = {
        kind: tuple(api for api in spec.APIS if kind in SOURCE["schemas"].get(api, {}))
        for kinds in SOURCE["schemas"].values()
        for kind in kinds
        if kind not in SCHEMA_FILES
    }
    assert index == spec.SPEC_APIS


@pytest.mark.parametrize(("api", "kind"), SCHEMAS, ids=[f"{a}/{k}" for a, k in SCHEMAS])
def test_every_schema_compiles_into_the_twin(api: str, kind: str) -> None:
    check = compile_predicate(spec.load_spec_schema(api, kind))
    assert check({"type": kind}) == fast_verdict(api, {"type": kind})
    assert not check([]) and not check({"type": kind, "bogus": 1})


def test_the_twin_refuses_a_keyword_it_does_not_read() -> None:
    with pytest.raises(ValueError, match="patternProperties"):
        compile_predicate({"type": "object", "patternProperties": {"^x": {}}})
    with pytest.raises(ValueError, match="reference"):
        compile_predicate({"$ref": "#/definitions/Missing"})


# ---------------------------------------------------------------------------------------------
# The twin and fastjsonschema agree


def _client_events() -> list[dict[str, Any]]:
    """Every client event of a spec type in the fixtures (logs, valid events, spec examples)."""
    sys.path.insert(0, str(ROOT / "tests"))
    from test_spec_schemas import FIXTURE_EVENTS, SPEC_EXAMPLES

    events = [e for _, _, e in FIXTURE_EVENTS] + [e for _, _, e in SPEC_EXAMPLES]
    for path in sorted((FIXTURES / "logs").glob("*.jsonl")) + sorted(
        (FIXTURES / "events").rglob("*.jsonl")
    ):
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                value = json.loads(line)
            except ValueError:
                continue
            if isinstance(value, dict) and value.get("type") in spec.SPEC_APIS:
                events.append(value)
    return [e for e in events if e.get("type") in spec.SPEC_APIS]


EVENTS = _client_events()


def test_the_twin_agrees_on_every_fixture_event_in_every_version() -> None:
    assert len(EVENTS) > 60
    for event in EVENTS:
        for api in spec.SPEC_APIS[event["type"]]:
            assert spec.predicate(api, event["type"])(event) == fast_verdict(api, event), (
                api,
                event,
            )


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 30000),
    st.floats(-2, 2),
    st.sampled_from(["", "text", "audio/pcm", "message", "user", "assistant", "server_vad"]),
    st.text(max_size=8),
    st.builds(list),  # a fresh one each time: st.just would share one that a later step fills
    st.builds(dict),
)


def mutate(
    data: st.DataObject, original: dict[str, Any], rounds: int = 3, copying: bool = False
) -> dict[str, Any]:
    """Return a copy of ``original`` changed in 1 to ``rounds`` places: a value set to a
    scalar, a member deleted, a member or item added, or (``copying``) a value from elsewhere
    in the same event put there: a shape the schema knows, misplaced."""
    event = copy.deepcopy(original)
    actions = ["set", "delete", "add", "copy"] if copying else ["set", "delete", "add"]
    for _ in range(data.draw(st.integers(1, rounds))):
        places = [p for p in value_paths(event) if p and p != ("type",)]
        if not places:
            break
        path = data.draw(st.sampled_from(places))
        parent: Any = event
        for step in path[:-1]:
            parent = parent[step]
        action = data.draw(st.sampled_from(actions))
        if action == "set":
            parent[path[-1]] = data.draw(SCALARS)
        elif action == "delete" and isinstance(parent, dict):
            del parent[path[-1]]
        elif action == "copy":
            source = data.draw(st.sampled_from(places))
            value: Any = event
            for step in source:
                value = value[step]
            parent[path[-1]] = copy.deepcopy(value)
        else:
            target = parent[path[-1]]
            key = data.draw(
                st.sampled_from(["bogus", "rate", "type", "role", "format", "text", "name"])
            )
            if isinstance(target, dict):
                target[key] = data.draw(SCALARS)
            elif isinstance(target, list):
                target.append(data.draw(SCALARS))
    return event


@settings(max_examples=400, deadline=None)
@given(data=st.data())
def test_the_twin_agrees_with_fastjsonschema_on_mutated_events(data: st.DataObject) -> None:
    original = data.draw(st.sampled_from(EVENTS))
    api = data.draw(st.sampled_from(spec.SPEC_APIS[original["type"]]))
    event = mutate(data, original, rounds=3)
    assert spec.predicate(api, original["type"])(event) == fast_verdict(api, event), event


# ---------------------------------------------------------------------------------------------
# The findings, in the server's words


def _found(event: dict[str, Any], api: str | None = None) -> list[tuple[str, str]]:
    return [
        (v.pointer, v.message)
        for v in spec.spec_findings(event, spec.candidates(event["type"], api))
    ]


def test_invalid_value_lists_the_supported_values() -> None:
    transcription = {"model": "gpt-live-transcribe", "delay": "bogus"}
    session = {"type": "transcription", "audio": {"input": {"transcription": transcription}}}
    assert _found({"type": "session.update", "session": session}, "ga") == [
        (
            "/session/audio/input/transcription/delay",
            "'session.audio.input.transcription.delay' is 'bogus': the server answers "
            "invalid_value (\"Invalid value: 'bogus'. Supported values are: 'minimal', 'low', "
            "'medium', 'high', and 'xhigh'.\") and refuses the event",
        )
    ]


def test_unknown_parameter_is_named_as_the_server_names_it() -> None:
    transcription = {"model": "gpt-4o-transcribe", "language": "he", "temperature": 0.0}
    event = {"type": "session.update", "session": {"input_audio_transcription": transcription}}
    expected = [
        (
            "/session/input_audio_transcription/temperature",
            "unknown parameter 'session.input_audio_transcription.temperature': the server "
            'answers unknown_parameter ("Unknown parameter: '
            "'session.input_audio_transcription.temperature'.\") and refuses the event; "
            "remove it",
        )
    ]
    assert _found(event, "beta") == expected
    assert _found(event) == expected  # before the session is known: the nearer version


def test_a_constant_says_what_the_value_must_be() -> None:
    item = {"type": "message", "role": "assistant", "content": [{"type": "input_text"}]}
    event = {"type": "conversation.item.create", "item": item}
    assert _found(event, "beta") == [
        (
            "/item/content/0/type",
            "'item.content[0].type' is 'input_text': the server answers invalid_value "
            "(\"Invalid value: 'input_text'. Value must be 'text'.\") and refuses the event; "
            "write 'text'",
        )
    ]
    ((pointer, message),) = _found(event, "ga")
    assert pointer == "/item/content/0/type"
    assert "Supported values are: 'output_text' and 'output_audio'." in message


def test_missing_required_parameter_and_invalid_type() -> None:
    session = {"type": "realtime", "audio": {"output": {"format": {"type": "audio/pcm"}}}}
    assert _found({"type": "session.update", "session": session}, "ga") == [
        (
            "/session/audio/output/format",
            "'session.audio.output.format' has no 'rate': the server answers "
            'missing_required_parameter ("Missing required parameter: '
            "'session.audio.output.format.rate'.\") and refuses the event; add it",
        )
    ]
    session = {"type": "realtime", "instructions": 5, "audio": {"output": {"format": None}}}
    found = dict(_found({"type": "session.update", "session": session}, "ga"))
    assert found["/session/instructions"] == (
        "'session.instructions' is a number, not a string: the server answers invalid_type "
        "(\"Invalid type for 'session.instructions': expected a string, but got a number "
        'instead.") and refuses the event'
    )
    assert "expected an object, but got null instead" in found["/session/audio/output/format"]
    assert _found({"type": "response.cancel", "event_id": "e" * 513}, "ga") == [
        (
            "/event_id",
            "'event_id' is out of bounds: the server answers string_above_max_length "
            "(\"Invalid 'event_id': string too long. Expected a string with maximum length "
            '512, but got a string with length 513 instead.") and refuses the event',
        )
    ]


def test_a_typo_gets_a_did_you_mean() -> None:
    session = {"type": "realtime", "instructons": "Be brief.", "outputModalities": ["audio"]}
    found = _found({"type": "session.update", "session": session}, "ga")
    assert [p for p, _ in found] == ["/session/instructons", "/session/outputModalities"]
    assert found[0][1].endswith("did you mean 'session.instructions'?")
    assert found[1][1].endswith("did you mean 'session.output_modalities'?")


def test_which_version_judges() -> None:
    assert spec.candidates("response.create", None) == ("ga", "beta")
    assert spec.candidates("response.create", "beta") == ("beta",)
    assert spec.candidates("response.create", "translation") == ("ga",)
    assert spec.candidates("session.update", "translation") == ("translation",)
    assert spec.candidates("session.close", "ga") == ("translation",)
    beta_shaped = {"type": "response.create", "response": {"modalities": ["text"]}}
    assert _found(beta_shaped) == []  # either version will do before the session is known
    assert _found(beta_shaped, "beta") == []
    ((pointer, message),) = _found(beta_shaped, "ga")
    assert pointer == "/response/modalities"
    assert message.endswith("did you mean 'response.output_modalities'?")


def test_rt206_gives_way_where_rt403_and_rt404_speak() -> None:
    def v(rule: str, pointer: str) -> Violation:
        return Violation(rule, "m", pointer=pointer)

    found = [
        v("RT403", "/session/audio/input/format"),
        v("RT206", "/session/audio/input/format/rate"),  # inside RT403's: gone
        v("RT404", "/session/input_audio_format"),
        v("RT206", "/session/input_audio_format"),  # RT404's own: gone
        v("RT201", "/session"),
        v("RT206", "/session"),  # the same place as RT201: gone
        v("RT206", "/session/instructions"),  # nobody else's: kept
        v("RT402", "/event_id"),
        v("RT206", "/event_id"),  # RT402 says something else of it: kept
    ]
    assert [(x.rule, x.pointer) for x in spec.without_covered(found)] == [
        ("RT403", "/session/audio/input/format"),
        ("RT404", "/session/input_audio_format"),
        ("RT201", "/session"),
        ("RT206", "/session/instructions"),
        ("RT402", "/event_id"),
        ("RT206", "/event_id"),
    ]


# ---------------------------------------------------------------------------------------------
# In the linter


def _lint(*events: dict[str, Any]) -> list[tuple[int, str, str]]:
    lines = [json.dumps(e, separators=(",", ":")) for e in events]
    return [(v.line or 0, v.rule, v.pointer) for v in validator.lint(lines)]


CREATED_GA = {"type": "session.created", "session": {"type": "realtime"}}
CREATED_BETA = {"type": "session.created", "session": {"modalities": ["text", "audio"]}}
GA_RESPONSE = {"type": "response.create", "response": {"output_modalities": ["audio"]}}
BETA_RESPONSE = {"type": "response.create", "response": {"modalities": ["text", "audio"]}}


def test_the_session_chooses_the_version() -> None:
    assert _lint(GA_RESPONSE, BETA_RESPONSE) == []  # not known yet: either will do
    assert _lint(CREATED_GA, GA_RESPONSE, BETA_RESPONSE) == [(3, "RT206", "/response/modalities")]
    assert _lint(CREATED_BETA, BETA_RESPONSE, GA_RESPONSE) == [
        (3, "RT206", "/response/output_modalities")
    ]
    # a new connection in the same log starts afresh
    assert _lint(CREATED_BETA, BETA_RESPONSE, CREATED_GA, GA_RESPONSE, BETA_RESPONSE) == [
        (5, "RT206", "/response/modalities")
    ]


def test_an_unknown_name_is_placed_at_its_key() -> None:
    line = '{"type":"response.create","response":{"modalities":["text"]}}'
    (v,) = validator.lint([json.dumps(CREATED_GA), line])
    assert (v.line, v.column) == (2, line.index('"modalities"') + 1)


def test_a_refused_update_changes_nothing() -> None:
    ulaw = {"type": "audio/pcmu"}
    update = {
        "type": "session.update",
        "session": {"type": "realtime", "audio": {"input": {"format": ulaw}}, "bogus": 1},
    }
    append = {"type": "input_audio_buffer.append", "audio": "AAAA" * 200}  # 600 bytes
    commit = {"type": "input_audio_buffer.commit"}
    off = {
        "type": "session.update",
        "session": {"type": "realtime", "audio": {"input": {"turn_detection": None}}},
    }
    # refused: still pcm16, so 600 bytes are 12.5 ms (RT401); taken, they would be 75 ms of u-law
    assert _lint(CREATED_GA, off, update, append, commit) == [
        (3, "RT206", "/session/bogus"),
        (5, "RT401", ""),
    ]


def test_select_and_ignore() -> None:
    lines = [json.dumps(CREATED_GA), json.dumps(BETA_RESPONSE)]
    assert [v.rule for v in validator.lint(lines, select="RT206")] == ["RT206"]
    assert [v.rule for v in validator.lint(lines, ignore="RT206")] == []
    assert [v.rule for v in validator.lint(lines, select="spec-mismatch")] == ["RT206"]


def _rich_log() -> bytes:
    """A log of both versions' client events, valid and not, among appends and server events."""
    events: list[dict[str, Any]] = []
    item = {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "hi"}]}
    for created, good, bad in (
        (CREATED_GA, GA_RESPONSE, BETA_RESPONSE),
        (CREATED_BETA, BETA_RESPONSE, GA_RESPONSE),
    ):
        events.append(created)
        for n in range(3):
            events += [
                {"type": "input_audio_buffer.append", "event_id": f"a{n}", "audio": "AAAA" * 600},
                {"type": "conversation.item.create", "event_id": f"i{n}", "item": item},
                good,
                {"type": "response.done", "response": {"status": "completed"}},
                bad,
                {"type": "response.cancel", "event_id": f"c{n}"},
                {"type": "conversation.item.delete", "item_id": 5},
            ]
    return "".join(json.dumps(e) + "\n" for e in events).encode()


def test_the_roads_agree_on_a_log_rich_in_client_events() -> None:
    outcomes = roads(_rich_log())
    first = next(iter(outcomes.values()))
    codes = [row for row in first[0] if row[0] == "RT206"]
    assert len(codes) == 12  # 6 of the other version, 6 item_id numbers
    for name, outcome in outcomes.items():
        assert outcome == first, name


# ---------------------------------------------------------------------------------------------
# The installed command


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the installed console script (``python -m validator`` where there is none)."""
    script = Path(sys.executable).parent / "realtime-validator"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "validator"]
    return subprocess.run([*command, *args], capture_output=True, text=True, cwd=ROOT)


def test_schema_prints_a_client_events_schema() -> None:
    append = run("schema")
    assert append.returncode == 0
    assert json.loads(append.stdout)["properties"]["type"]["const"] == "input_audio_buffer.append"
    translation = run("schema", "--translation")
    assert json.loads(translation.stdout)["properties"]["type"]["const"] == (
        "session.input_audio_buffer.append"
    )
    ga = run("schema", "session.update")
    assert ga.stdout == (ROOT / "schemas" / "ga" / "session.update.schema.json").read_text("utf-8")
    beta = run("schema", "response.create", "--api", "beta")
    assert beta.stdout == (ROOT / "schemas" / "beta" / "response.create.schema.json").read_text(
        "utf-8"
    )
    close = run("schema", "session.close")  # the translation session's only
    assert json.loads(close.stdout)["properties"]["type"]["const"] == "session.close"
    assert run("schema", "input_audio_buffer.commit").stdout == (
        ROOT / "schemas" / "input_audio_buffer.commit.schema.json"
    ).read_text("utf-8")


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("response.creat",), "did you mean 'response.create'?"),
        (("transcription_session.update", "--api", "ga"), "has no GA schema"),
        (("session.update", "--api", "gamma"), "'gamma' is not one of"),
        (("response.done",), "server event"),
    ],
)
def test_schema_refuses_what_it_has_not(args: tuple[str, ...], said: str) -> None:
    proc = run("schema", *args)
    assert proc.returncode == 2 and said in proc.stderr and "Traceback" not in proc.stderr


def test_the_four_live_rejections_from_the_installed_command() -> None:
    log = FIXTURES / "logs" / "spec_mismatch.jsonl"
    proc = run("lint", "--format", "jsonl", str(log.relative_to(ROOT)))
    found = [json.loads(line) for line in proc.stdout.splitlines()]
    mine = [(f["line"], f["rule"]) for f in found if f["rule"] != "RT501"]
    assert mine == [(2, "RT206"), (7, "RT403"), (12, "RT206"), (16, "RT206")]
    server = [f["message"] for f in found if f["rule"] == "RT501"]
    for finding, answer in zip([f for f in found if f["rule"] != "RT501"], server, strict=True):
        quoted = answer.split('"')[1]  # the server's message, as the error event has it
        assert quoted in finding["message"], (quoted, finding["message"])
        assert "where this linter reported a finding too" in answer


def test_rule_page_lists_the_sources() -> None:
    page = run("rule", "RT206").stdout
    assert page.startswith("RT206 spec-mismatch (error)")
    for source in ("koguma-inc/nijimaku", "prosaasil", "MantaUI PR #1196", "PR #2454"):
        assert source in page


def _errors(validate: Any, event: Any) -> list[tuple[str, Any]]:
    try:
        validate(event)
    except (fastjsonschema.JsonSchemaValueException, fastjsonschema.JsonSchemaException) as exc:
        return [(e.rule, e.path) for e in getattr(exc, "errors", None) or [exc]]
    return []


def test_the_precompiled_code_is_fastjsonschemas_and_a_stale_one_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What setup.py writes into the wheel, loaded as the wheel's module would be."""
    from validator.check import spec_code

    text = spec.spec_schema_text("beta", "response.create")
    # an installed wheel has the precompiled code; an editable checkout has none
    shipped = (Path(spec.__file__).parent / "_compiled").is_dir()
    expected = "precompiled" if shipped else "compiled"
    assert spec.compiled_origin("beta", "response.create") == expected
    package = tmp_path / "pre"
    (package / "_compiled").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "_compiled" / "__init__.py").write_text("")
    target = package / "_compiled" / f"{spec_code.module_name('beta', 'response.create')}.py"
    target.write_text(spec_code.module_source(text), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(spec, "COMPILED_PACKAGE", "pre._compiled")
    loaded = spec._precompiled("beta", "response.create", text)
    assert loaded is not None
    compiled_here = fastjsonschema.compile(
        spec_code.without_annotations(json.loads(text)), use_default=False, fast_fail=False
    )
    for event in [
        {"type": "response.create", "response": {"modalities": ["text"], "voice": 5}},
        {"type": "response.create", "response": {"output_modalities": ["text"]}, "x": None},
        {"type": "response.create"},
    ]:
        assert _errors(loaded.validate, event) == _errors(compiled_here, event)
    assert _errors(loaded.validate, {"type": "response.create", "response": []}) != []
    assert spec._precompiled("beta", "response.create", text + " ") is None  # other schema
    monkeypatch.setattr(loaded, "FASTJSONSCHEMA", "0.0")
    assert spec._precompiled("beta", "response.create", text) is None  # other version


@pytest.mark.parametrize(
    ("value", "said"),
    [
        (b"bytes", "is a Python bytes object, not a string"),
        (float("nan"), "is a number, not a string"),  # the type, and not also the enum
        ("x" * 500, "is '" + "x" * 74 + "...'"),
        ("it's", 'is "it\'s"'),
    ],
)
def test_odd_values_are_named_without_a_traceback(value: Any, said: str) -> None:
    transcription = {"model": "gpt-live-transcribe", "delay": value}
    session = {"type": "transcription", "audio": {"input": {"transcription": transcription}}}
    (v,) = validator.validate_event({"type": "session.update", "session": session})
    assert v.rule == "RT206" and v.pointer == "/session/audio/input/transcription/delay"
    assert said in v.message


def test_millions_of_unknown_names_are_capped() -> None:
    session = {"type": "realtime", **{f"k{i}": i for i in range(20_000)}}
    found = validator.validate_event({"type": "session.update", "session": session})
    assert len(found) == 51
    assert found[-1].message.startswith("and 19,950 more RT206 findings in this record")


@pytest.mark.parametrize(
    ("session", "expected"),
    [
        # the live server on output: rate required (MantaUI #1196), null refused (#2454)
        ({"type": "realtime", "audio": {"output": {"format": {"type": "audio/pcm"}}}}, "RT403"),
        ({"type": "realtime", "audio": {"output": {"format": None}}}, "RT403"),
        ({"type": "realtime", "audio": {"output": {"format": {"type": "audio/pcmu"}}}}, None),
        (
            {
                "type": "realtime",
                "audio": {"output": {"format": {"type": "audio/pcm", "rate": 24000}}},
            },
            None,
        ),
        # on input no such answer is known: the rate may be left out, as the spec has it
        ({"type": "realtime", "audio": {"input": {"format": {"type": "audio/pcm"}}}}, None),
        ({"output_audio_format": "pcm24"}, "RT403"),
        ({"output_audio_format": "g711_alaw"}, None),
    ],
)
def test_rt403_judges_output_formats_and_rt206_gives_way(
    session: dict[str, Any], expected: str | None
) -> None:
    created = CREATED_GA if "type" in session else CREATED_BETA
    found = _lint(created, {"type": "session.update", "session": session})
    assert [rule for _, rule, _ in found] == ([expected] if expected else [])
    if expected:
        ((_, _, pointer),) = found
        assert pointer.startswith(("/session/audio/output/format", "/session/output_audio_format"))


def test_spec_keys_are_every_property_name_of_the_schemas() -> None:
    names: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "properties" and isinstance(value, dict):
                    names.update(value)
                    for sub in value.values():
                        walk(sub)
                elif key not in ("enum", "const", "examples", "default"):
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for api, kind in SCHEMAS:
        walk(spec.load_spec_schema(api, kind))
    assert names == spec.SPEC_KEYS
    from validator.engine.session import KEPT_KEYS

    assert spec.SPEC_KEYS <= KEPT_KEYS
