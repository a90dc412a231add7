"""The hand-written classes that were dataclasses (``core.shape``) behave as their dataclass
twins did: the same fields, ``repr``, equality, hash, immutability, ``dataclasses.replace``,
``asdict`` and ``fields``, pickling; and a lint imports no ``dataclasses`` (nor ``threading``)."""

from __future__ import annotations

import copy
import dataclasses
import pickle
import threading
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from conftest import modules_after_lint
from hypothesis import given
from hypothesis import strategies as st

from validator.cli.config import Config
from validator.cli.interrupts import terminate_as_interrupt
from validator.core import statistics as statistics_module
from validator.core import violation as violation_module
from validator.core.rules import RULES, Severity
from validator.core.statistics import Statistics
from validator.core.violation import Violation

VIOLATION_TWIN = violation_module._twin()
STATISTICS_TWIN = statistics_module._twin()

optional_text = st.none() | st.text(max_size=8)
optional_int = st.none() | st.integers(min_value=0, max_value=10**6)
violation_args = st.fixed_dictionaries(
    {
        "rule": st.sampled_from(sorted(RULES)),
        "message": st.text(max_size=20),
        "pointer": st.text(max_size=8),
        "source": optional_text,
        "line": optional_int,
        "column": optional_int,
        "event_id": optional_text,
        "event_type": optional_text,
        "offset": optional_int,
        "level": st.none() | st.sampled_from(list(Severity)) | st.sampled_from(["error"]),
    }
)


def _twin_violation(args: dict[str, Any]) -> Any:
    """What the frozen dataclass made of ``args`` (its ``__post_init__``, as it was)."""
    made = VIOLATION_TWIN(**args)
    rule = RULES[args["rule"]]
    object.__setattr__(made, "name", rule.name)
    level = args["level"]
    if level is None:
        object.__setattr__(made, "severity", rule.severity)
    else:
        object.__setattr__(made, "level", Severity(level))
        object.__setattr__(made, "severity", Severity(level))
    return made


def _plain(text: str) -> str:
    return text.replace("_twin.<locals>.", "")


def test_violation_has_the_twins_fields() -> None:
    ours = [(f.name, f.init, f.repr, f.default) for f in dataclasses.fields(Violation)]
    twin = [(f.name, f.init, f.repr, f.default) for f in dataclasses.fields(VIOLATION_TWIN)]
    assert ours == twin
    assert Violation.__slots__ == tuple(name for name, *_ in twin)
    assert Violation.__match_args__ == VIOLATION_TWIN.__match_args__
    assert dataclasses.is_dataclass(Violation)


@given(violation_args, violation_args)
def test_violation_behaves_as_its_twin(args: dict[str, Any], other: dict[str, Any]) -> None:
    ours, twin = Violation(**args), _twin_violation(args)
    assert repr(ours) == _plain(repr(twin))
    assert dataclasses.asdict(ours) == dataclasses.asdict(twin)
    assert (ours == Violation(**other)) == (twin == _twin_violation(other))
    assert ours == Violation(**args) and hash(ours) == hash(Violation(**args))
    assert hash(ours) == hash(twin)  # the same tuple of fields
    changed = dataclasses.replace(ours, line=7, message="m")
    assert (changed.line, changed.message, changed.rule) == (7, "m", ours.rule)
    assert changed == Violation(**{**args, "line": 7, "message": "m"})
    assert pickle.loads(pickle.dumps(ours)) == ours
    assert copy.deepcopy(ours) == ours
    assert ours != twin  # another class: not equal, as two dataclasses
    match ours:
        case Violation(rule, message):
            assert (rule, message) == (args["rule"], args["message"])


def test_violation_is_immutable() -> None:
    v = Violation("RT301", "m")
    with pytest.raises(AttributeError):
        v.rule = "RT302"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del v.message
    with pytest.raises(ValueError):  # init=False fields, as with the dataclass
        dataclasses.replace(v, name="x")  # type: ignore[call-arg]
    with pytest.raises(AttributeError):
        v.other = 1  # type: ignore[attr-defined]


def test_statistics_behaves_as_its_twin() -> None:
    assert [f.name for f in dataclasses.fields(Statistics)] == list(statistics_module.FIELDS)
    assert [f.name for f in dataclasses.fields(STATISTICS_TWIN)] == list(statistics_module.FIELDS)
    assert Statistics.__match_args__ == STATISTICS_TWIN.__match_args__
    values: dict[str, Any] = {
        "files": 2,
        "records": 7,
        "events_by_type": Counter({"input_audio_buffer.append": 3}),
        "shortest_chunk_ms": 20.0,
        "unreadable": ["x.jsonl"],
        "by_file": {"a.jsonl": Statistics(records=1)},
    }
    twin_values = {**values, "by_file": {"a.jsonl": STATISTICS_TWIN(records=1)}}
    ours, twin = Statistics(**values), STATISTICS_TWIN(**twin_values)
    assert repr(ours) == _plain(repr(twin))
    assert repr(Statistics()) == _plain(repr(STATISTICS_TWIN()))
    assert dataclasses.asdict(ours) == dataclasses.asdict(twin)
    assert ours == Statistics(**copy.deepcopy(values)) and ours != Statistics()
    assert dataclasses.replace(ours, files=3).files == 3
    a, b = Statistics(), Statistics()
    a.events_by_type["x"] += 1
    assert b.events_by_type == Counter() and a != b  # no default shared between instances
    with pytest.raises(TypeError):
        hash(ours)


def test_config_is_immutable_and_compared_by_value() -> None:
    assert Config() == Config(values={}) and Config() != Config(path=Path("p"))
    assert repr(Config()) == "Config(values={}, per_file_ignores=None, path=None)"
    with pytest.raises(AttributeError):
        Config().path = Path("p")  # type: ignore[misc]


def test_terminate_as_interrupt_outside_the_main_thread_changes_nothing() -> None:
    ran: list[bool] = []

    def body() -> None:
        with terminate_as_interrupt():
            ran.append(True)

    thread = threading.Thread(target=body)
    thread.start()
    thread.join()
    assert ran == [True]


def test_a_lint_imports_neither_dataclasses_nor_threading(tmp_path: Path) -> None:
    """Start-up (SPEC: a one-event lint within 2x a bare interpreter): ``dataclasses`` costs
    more instructions than the interpreter's own start, ``threading`` 4 M."""
    one = tmp_path / "one.jsonl"
    one.write_text('{"type":"input_audio_buffer.append","event_id":"evt_1","audio":"AAAAAAAA"}\n')
    loaded = modules_after_lint(
        ["lint", "--isolated", "--format", "jsonl", str(one)],
        ("dataclasses", "inspect", "threading"),
    )
    assert loaded == []
