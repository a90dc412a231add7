"""The official spec's example of every Realtime event, linted as the server would judge it."""

from __future__ import annotations

import json

import pytest
from conftest import FIXTURES, ROOT

import validator
from validator.core.event_types import EVENT_TYPES

SPEC = FIXTURES / "spec"


def test_spec_examples_lint_as_expected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    from validator.sources.walk import walk_paths

    found = []
    for path in walk_paths(["fixtures/spec"]):
        found.extend(v.to_dict() for v in validator.lint(path))
    expected = [
        json.loads(line)
        for line in (FIXTURES / "spec.expected.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert found == expected
    # what each finding is, and why the server would refuse the example too: fixtures/spec/README
    assert {row["rule"] for row in found} == {"RT101", "RT302", "RT401", "RT501"}


def test_every_parseable_example_has_a_known_type() -> None:
    examples = sorted(SPEC.glob("Realtime*.json"))
    assert len(examples) == 120
    types = set()
    for path in examples:
        try:
            event = json.loads(path.read_bytes())
        except ValueError:
            continue  # the spec's own typos: RT101 in spec.expected.jsonl
        types.add(event["type"])
    assert len(types) > 60
    assert types <= EVENT_TYPES
