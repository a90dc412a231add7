"""README tells the truth: its rule table is the catalogue, its quick start is two commands."""

from __future__ import annotations

import re

from conftest import ROOT

from validator import RULES

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_rule_table_matches_catalogue() -> None:
    rows = re.findall(r"^\| (RT\d{3}) \| `?([a-z0-9-]+)`? \| (error|warning) \|", README, re.M)
    assert rows == [(r.code, r.name, r.severity.value) for r in RULES.values()]


def test_quick_start_is_two_commands() -> None:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"^\$ (.+)$", section, re.M)
    assert commands == [
        "pip install . && realtime-validator lint fixtures/logs/session.jsonl",
        "pip install '.[test]' && pytest",
    ]


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    assert "pip install '.[test]'" in ci or 'pip install ".[test]"' in ci
    assert "pytest" in ci
