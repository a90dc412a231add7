"""RT206's yes-or-no check written as Python source (check/predicate.py's PredicateWriter),
as setup.py writes it into the wheel: the same verdict as the closures the schema compiles
into (the reference, and a checkout's road) on every fixture event and on mutated and made-up
ones; the wheel's module used where it is current, the closures where it is not."""

from __future__ import annotations

import copy
import json
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT
from hypothesis import given, settings
from hypothesis import strategies as st
from test_spec_check import EVENTS, SCALARS, mutate

from validator.check import predicate as predicate_module
from validator.check import spec
from validator.check.predicate import PredicateWriter, compile_predicate, module_source

SOURCE: dict[str, Any] = json.loads((ROOT / "schemas" / "SOURCE.json").read_text("utf-8"))
ALL = sorted(
    (api, kind)
    for api, kinds in SOURCE["schemas"].items()
    for kind, entry in kinds.items()
    if "sha256" in entry
)


@cache
def written(api: str, kind: str) -> Any:
    """Return the ``check`` of the module setup.py would write for a shipped schema."""
    text = spec.spec_schema_text(api, kind)
    namespace: dict[str, Any] = {}
    exec(compile(module_source(text, "pin"), f"{api}/{kind}", "exec"), namespace)
    return namespace["check"]


@cache
def closures(api: str, kind: str) -> Any:
    return compile_predicate(json.loads(spec.spec_schema_text(api, kind)))


def _odd(kind: str) -> list[Any]:
    return [
        None,
        [],
        "x",
        1,
        {},
        {"type": kind},
        {"type": kind, "bogus": 1},
        {"type": kind, "event_id": 5},
        {"type": kind, "session": None, "item": [], "response": "x"},
    ]


@pytest.mark.parametrize(("api", "kind"), ALL, ids=[f"{a}/{k}" for a, k in ALL])
def test_every_schema_is_written_and_agrees_on_odd_values(api: str, kind: str) -> None:
    for value in _odd(kind):
        assert written(api, kind)(value) == closures(api, kind)(value), value


def test_the_written_code_agrees_on_every_fixture_event_in_every_version() -> None:
    assert len(EVENTS) > 60
    verdicts = set()
    for event in EVENTS:
        for api in spec.SPEC_APIS[event["type"]]:
            verdict = written(api, event["type"])(event)
            assert verdict == closures(api, event["type"])(event), (api, event)
            verdicts.add(verdict)
    assert verdicts == {True, False}  # the fixtures hold refused events too


@settings(max_examples=600, deadline=None)
@given(data=st.data())
def test_the_written_code_agrees_on_mutated_events(data: st.DataObject) -> None:
    original = data.draw(st.sampled_from(EVENTS))
    event = mutate(data, original, rounds=4, copying=True)
    for api in spec.SPEC_APIS[original["type"]]:
        assert written(api, original["type"])(event) == closures(api, original["type"])(event)


JSON = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["type", "rate", "role", "text", "x"]), inner, max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None)
@given(kind=st.sampled_from(sorted(spec.SPEC_APIS)), body=JSON)
def test_the_written_code_agrees_on_made_up_members(kind: str, body: Any) -> None:
    for member in ("session", "item", "response", "event_id", "item_id"):
        event = {"type": kind, member: body}
        for api in spec.SPEC_APIS[kind]:
            assert written(api, kind)(event) == closures(api, kind)(event), (api, event)


def test_the_writer_reads_what_the_compiler_reads() -> None:
    schema = {"type": "object", "patternProperties": {"^x": {}}}
    with pytest.raises(ValueError, match="patternProperties"):
        PredicateWriter(schema).source(schema)
    schema = {"$ref": "#/definitions/Missing"}
    with pytest.raises(ValueError, match="reference"):
        PredicateWriter(schema).source(schema)


def test_a_definition_that_refers_to_itself() -> None:
    schema = {
        "definitions": {
            "Node": {
                "type": "object",
                "properties": {"next": {"$ref": "#/definitions/Node"}, "n": {"type": "integer"}},
                "additionalProperties": False,
            }
        },
        "$ref": "#/definitions/Node",
    }
    namespace: dict[str, Any] = {}
    exec(module_source(json.dumps(schema), "pin"), namespace)
    for value in [{"n": 1, "next": {"n": 2.0, "next": {}}}, {"next": {"n": "2"}}, {"m": 1}]:
        assert namespace["check"](value) == compile_predicate(schema)(value)


def test_the_format_is_the_one_check_spec_reads() -> None:
    assert spec.PREDICATE_CODE_FORMAT == predicate_module.CODE_FORMAT


def test_the_wheels_code_is_used_where_current_and_the_closures_elsewhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # an installed wheel has the written code (CI installs the wheel); a checkout has none
    shipped = (Path(spec.__file__).parent / "_compiled").is_dir()
    expected = "written" if shipped else "compiled"
    assert spec.predicate_origin("ga", "session.update") == expected
    text = spec.spec_schema_text("ga", "response.create")
    pin = SOURCE["schemas"]["ga"]["response.create"]["sha256"]
    package = tmp_path / "written"  # not the name test_spec_check's own package takes
    (package / "_compiled").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "_compiled" / "__init__.py").write_text("")
    target = package / "_compiled" / f"{spec.predicate_module_name('ga', 'response.create')}.py"
    target.write_text(module_source(text, pin), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(spec, "COMPILED_PACKAGE", "written._compiled")
    monkeypatch.setattr(spec, "COMPILED_FOLDER", str(package / "_compiled"))
    for name in ("written", "written._compiled"):  # imported here, forgotten after
        sys.modules.pop(name, None)
    loaded = spec._written("ga", "response.create")
    assert loaded is not None and spec.predicate_origin("ga", "response.create") == "written"
    event = {"type": "response.create", "response": {"output_modalities": ["text"]}}
    assert loaded.check(event) and not loaded.check({**event, "bogus": 1})
    monkeypatch.setattr(loaded, "CODE_FORMAT", 0)
    assert spec._written("ga", "response.create") is None  # another writer's
    monkeypatch.setattr(loaded, "CODE_FORMAT", spec.PREDICATE_CODE_FORMAT)
    monkeypatch.setattr(loaded, "SCHEMA_SIZE", loaded.SCHEMA_SIZE + 1)
    assert spec._written("ga", "response.create") is None  # another schema's
    for name in [n for n in sys.modules if n.split(".")[0] == "written"]:
        del sys.modules[name]


def test_each_shipped_module_was_written_from_the_shipped_schema() -> None:
    """In an installed wheel (CI's), every written module records its schema's sha256; the
    run-time check compares sizes only."""
    import hashlib
    from importlib import import_module

    if not (Path(spec.__file__).parent / "_compiled").is_dir():
        pytest.skip("a checkout: no written code (the closures are compiled at first use)")
    for api, kind in ALL:
        module = import_module(f"{spec.COMPILED_PACKAGE}.{spec.predicate_module_name(api, kind)}")
        text = spec.spec_schema_text(api, kind)
        assert hashlib.sha256(text.encode("utf-8")).hexdigest() == module.SCHEMA_SHA256
        assert SOURCE["schemas"][api][kind]["sha256"] == module.SCHEMA_SHA256
        assert spec.predicate_origin(api, kind) == "written"


# ---------------------------------------------------------------------------------------------
# The fast road's memory: a line's verdict with the values no schema reads blanked


def test_the_bound_names_are_those_the_schemas_read() -> None:
    from validator.check.predicate import free_names

    schemas = [
        json.loads(spec.spec_schema_text(a, k)) for k, apis in spec.SPEC_APIS.items() for a in apis
    ]
    free = free_names(schemas, spec.FREE_LENGTH)
    assert free  # no schema reads every name's string (an additionalProperties that would)
    assert spec.SPEC_KEYS - free == spec.BOUND_NAMES
    # a bound below FREE_LENGTH would make its name bound: event_id's 512 is the schemas' least
    assert "event_id" in free and "event_id" not in free_names(schemas, spec.FREE_LENGTH + 1)


def _blank(value: Any) -> Any:
    """Return ``value`` with what free_pattern blanks replaced by "" (as the test sees it)."""
    if isinstance(value, dict):
        return {
            key: (
                ""
                if isinstance(sub, str)
                and key not in spec.BOUND_NAMES
                and _plain(key)
                and not {",", ":"} & set(key)
                and _plain(sub)
                and len(sub.encode("utf-8")) <= spec.FREE_LENGTH
                else _blank(sub)
            )
            for key, sub in value.items()
        }
    if isinstance(value, list):
        return [_blank(sub) for sub in value]
    return value


def _plain(text: str) -> bool:
    """Return True for a string json.dumps writes without an escape (ensure_ascii=False)."""
    return json.dumps(text, ensure_ascii=False)[1:-1] == text


TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
LINE_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | TEXT | st.sampled_from(["type", 'x"y', "\\"]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            TEXT | st.sampled_from(["type", "role", "text", "event_id"]), inner, max_size=3
        )
    ),
    max_leaves=12,
)


@settings(max_examples=400, deadline=None)
@given(
    value=st.dictionaries(TEXT | st.just("text"), LINE_JSON, max_size=4),
    spacing=st.sampled_from([(",", ":"), (", ", ": ")]),
)
def test_the_pattern_blanks_member_values_only(
    value: dict[str, Any], spacing: tuple[str, str]
) -> None:
    line = json.dumps(value, ensure_ascii=False, separators=spacing).encode("utf-8")
    blanked = b"".join(spec.free_pattern().split(line))
    assert json.loads(blanked) == _blank(value)


FREE_TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"), exclude_characters='"\\'),
    max_size=40,
) | st.text(st.sampled_from("ab_9"), min_size=400, max_size=512)


def _free_places(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(node, dict):
        for key, sub in node.items():
            if isinstance(sub, str) and key not in spec.BOUND_NAMES:
                yield (*path, key)
            yield from _free_places(sub, (*path, key))
    elif isinstance(node, list):
        for index, sub in enumerate(node):
            yield from _free_places(sub, (*path, index))


def redrawn(data: st.DataObject, event: dict[str, Any]) -> dict[str, Any]:
    """Return a copy of ``event`` with every free value (no schema reads it) drawn again."""
    other = copy.deepcopy(event)
    for path in list(_free_places(other)):
        parent: Any = other
        for step in path[:-1]:
            parent = parent[step]
        parent[path[-1]] = data.draw(FREE_TEXT)
    return other


@settings(max_examples=400, deadline=None)
@given(data=st.data())
def test_a_free_value_never_changes_a_verdict(data: st.DataObject) -> None:
    """Two events alike but for free values (mutated first, so that refused ones are seen
    too) have the same verdict in every version: what the fast road's memory relies on."""
    original = data.draw(st.sampled_from(EVENTS))
    mutated = data.draw(st.booleans())
    event = mutate(data, original, rounds=4, copying=True) if mutated else copy.deepcopy(original)
    other = redrawn(data, event)
    for api in spec.SPEC_APIS[original["type"]]:
        check = closures(api, original["type"])
        assert check(event) == check(other), (api, event, other)


def test_the_fast_road_remembers_a_shape_and_judges_the_rest() -> None:
    from validator.engine import fastroad

    def scan(event: dict[str, Any]) -> Any:
        return fastroad.scan_quiet(json.dumps(event, separators=(",", ":")).encode() + b"\n")

    fastroad._MET.clear()
    content = [{"type": "input_text", "text": "hi"}]
    item = {"type": "message", "role": "user", "content": content}
    base = {"type": "conversation.item.create", "event_id": "e1", "item": item}
    first = scan(base)
    assert first is not None and first[1] == "e1"
    again = dict(base, event_id="e2", item=dict(item, content=[dict(content[0], text="why?")]))
    assert scan(again) == (first[0], "e2", first[2])
    assert len(fastroad._MET) == 1  # one shape
    wrong = dict(base, item=dict(item, role="assistant"))  # a bound name's value: walked
    assert scan(wrong) is None
    assert len(fastroad._MET) == 2


@pytest.fixture
def walked(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Every (version, type) whose schema is walked from now on (the fast road's memory
    emptied first, so that nothing is remembered from another test)."""
    from validator.engine import fastroad

    seen: list[tuple[str, str]] = []
    real = spec.predicate

    def counted(api: str, event_type: str) -> Any:
        seen.append((api, event_type))
        return real(api, event_type)

    monkeypatch.setattr(spec, "predicate", counted)
    fastroad._MET.clear()
    return seen


@pytest.mark.parametrize("fast", [True, False])
def test_an_unselected_rt206_reads_no_schema(
    tmp_path: Path, walked: list[tuple[str, str]], fast: bool
) -> None:
    """With RT206 ignored neither road walks a schema (what it costs: nothing); selected, the
    same log gets its finding."""
    import validator
    from validator.engine.options import build_options

    events = [
        {"type": "session.update", "event_id": "e1", "session": {"modalities": ["text"]}},
        {"type": "response.create", "event_id": "e2", "response": {"modalities": ["text"]}},
        {"type": "conversation.item.truncate", "event_id": "e3", "item_id": "i1"}
        | {"content_index": 0, "audio_end_ms": 10},
        {"type": "response.cancel", "event_id": "e4", "bogus": 1},  # RT206 where selected
    ]
    log = tmp_path / "log.jsonl"
    log.write_text("".join(json.dumps(e, separators=(",", ":")) + "\n" for e in events))

    def rules(ignore: str) -> list[str]:
        from validator.core.statistics import Statistics
        from validator.engine.linting import lint_stream

        options = build_options(ignore=ignore)._replace(fast=fast)
        with log.open("rb") as stream:
            return [v.rule for v in lint_stream(stream, str(log), options, Statistics())]

    assert "RT206" not in rules("RT206")
    assert walked == []
    assert "RT206" in rules("RT6")
    assert walked
    walked.clear()
    assert "RT206" not in [v.rule for v in validator.lint(str(log), ignore="RT206")]
    assert walked == []


@pytest.mark.parametrize("selected", [True, False])
def test_a_jobs_worker_walks_no_schema_for_an_unselected_rt206(
    tmp_path: Path, walked: list[tuple[str, str]], selected: bool
) -> None:
    """A --jobs worker scans its chunk with the run's RT206 selection (``ChunkTask``'s last
    field), as the driver scans its blocks: ignored, no client event is walked there either."""
    from validator.scale import protocol

    event = {"type": "response.create", "event_id": "e", "response": {"instructions": "hi"}}
    log = tmp_path / "log.jsonl"
    log.write_text(json.dumps(event) + "\n")
    size = log.stat().st_size
    protocol.scan_chunk((str(log), 0, size, 15 * 2**20, 2**20, False, selected))
    assert bool(walked) is selected
