"""README tells the truth: its rule table is the catalogue, its quick start is two commands."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
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


def _yaml_blocks() -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", README, re.S)


def test_config_table_lists_every_key() -> None:
    from validator.cli.config import KEYS

    section = README.split("### Configuration", 1)[1].split("\n## ", 1)[0]
    keys = re.findall(r"^\| `([a-z-]+)` \|", section, re.M)
    assert keys == list(KEYS)


def test_option_table_lists_every_option() -> None:
    from validator.cli.options import SPECS

    section = README.split("`realtime-validator lint [OPTIONS] [PATH]...`", 1)[1]
    table = section.split("| option | meaning |", 1)[1].split("\n\n", 1)[0]
    shown = set(re.findall(r"`(--?[a-z][a-z-]*)", table))
    flags = {flag for spec in SPECS for flag in (*spec.flags, spec.off) if flag is not None}
    assert shown == flags


def test_config_example_is_accepted(tmp_path: Path) -> None:
    from validator.cli.config import load_config

    example = re.findall(r"```toml\n(.*?)```", README, re.S)[0]
    (tmp_path / "pyproject.toml").write_text(example)
    config = load_config(tmp_path)
    assert config.get("ignore") == ("RT402",) and config.get("fail_on") == "warning"


def test_workflow_commands_run(tmp_path: Path) -> None:
    yaml = pytest.importorskip("yaml")
    workflow = yaml.safe_load(_yaml_blocks()[0])
    steps = workflow["jobs"]["lint-events"]["steps"]
    commands = [s["run"] for s in steps if "run" in s and s["run"].startswith("realtime-validator")]
    assert [c.split()[2:4] for c in commands] == [["--format", "github"], ["--format", "sarif"]]
    uploaded = [
        s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif")
    ]
    sarif_file = uploaded[0]["with"]["sarif_file"]
    (tmp_path / "fixtures").mkdir()
    (tmp_path / "fixtures" / "bad.jsonl").write_text(
        '{"type":"input_audio_buffer.append","audio":"AA-A"}\n'
    )
    for command in commands:
        proc = subprocess.run(
            [sys.executable, "-m", "validator", *shlex.split(command)[1:]],
            cwd=tmp_path,
            capture_output=True,
            text=True,
        )
        assert proc.returncode == 1, proc.stderr
    assert json.loads((tmp_path / sarif_file).read_text())["version"] == "2.1.0"


def test_gitlab_snippet_writes_a_report_gitlab_reads(tmp_path: Path) -> None:
    yaml = pytest.importorskip("yaml")
    (block,) = [b for b in _yaml_blocks() if "codequality" in b]
    job = yaml.safe_load(block)["realtime-validator"]
    command = next(c for c in job["script"] if c.startswith("realtime-validator"))
    report = job["artifacts"]["reports"]["codequality"]
    (tmp_path / "fixtures").mkdir()
    (tmp_path / "fixtures" / "bad.jsonl").write_text(
        '{"type":"input_audio_buffer.append","audio":"AA-A"}\n'
    )
    proc = subprocess.run(
        [sys.executable, "-m", "validator", *shlex.split(command)[1:]],
        cwd=tmp_path, capture_output=True, text=True,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    assert json.loads((tmp_path / report).read_text())[0]["check_name"].startswith("RT301")


def test_pre_commit_snippet_names_our_hook() -> None:
    yaml = pytest.importorskip("yaml")
    (block,) = [b for b in _yaml_blocks() if "repos:" in b]
    config = yaml.safe_load(block)
    (hook,) = config["repos"][0]["hooks"]
    manifest = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] in [h["id"] for h in manifest]


def test_library_examples_run_as_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    import doctest

    monkeypatch.chdir(ROOT)
    section = README.split("## Library", 1)[1].split("\n## ", 1)[0]
    example = re.findall(r"```python\n(.*?)```", section, re.S)[0]
    test = doctest.DocTestParser().get_doctest(example, {}, "README", "README.md", 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    assert runner.failures == 0 and runner.tries >= 4


def test_command_line_example_is_real_output() -> None:
    section = README.split("## Command line", 1)[1].split("\n## ", 1)[0]
    shown = re.findall(r"```\n\$ realtime-validator lint (\S+)\n(.*?)```", section, re.S)[0]
    path, output = shown
    proc = subprocess.run(
        [sys.executable, "-m", "validator", "lint", path], cwd=ROOT, capture_output=True, text=True
    )
    lines = output.splitlines()
    assert proc.stdout.splitlines() == lines[:-1]
    summary = re.sub(r"in \d+\.\d\d s", "in X s", lines[-1])
    assert re.sub(r"in \d+\.\d\d s", "in X s", proc.stderr.strip()) == summary


def test_install_commands_work_from_a_clone_or_git() -> None:
    """The package is not published: no bare `pip install realtime-validator`, no tag to pin
    that does not exist, and one spelling of the repository."""
    assert not re.search(r"pip install realtime-validator\b", README)
    hooks = (ROOT / ".pre-commit-hooks.yaml").read_text()
    urls = set(re.findall(r"https://github\.com/[\w.-]+/[\w.-]+", README + hooks))
    urls |= set(
        re.findall(r"https://github\.com/[\w.-]+/[\w.-]+", (ROOT / "pyproject.toml").read_text())
    )
    assert urls == {"https://github.com/realtime-validator/realtime-validator"}
    tags = subprocess.run(["git", "tag"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    for rev in re.findall(r"^\s*#?\s*rev: (\S+)", README + hooks, re.M):
        assert rev == "main" or rev in tags, rev
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")


def test_har_pointer_text_is_what_findings_carry() -> None:
    rows = [
        json.loads(line)
        for line in (ROOT / "fixtures" / "har" / "session.expected.jsonl").read_text().splitlines()
    ]
    pointers = {row["rule"]: row["pointer"] for row in rows}
    assert pointers["RT301"] == "/audio" and "`/audio`" in README
    assert f"`{pointers['RT106']}`" in README


def test_full_format_example_is_real_output() -> None:
    section = README.split("### Output formats", 1)[1].split("\n### ", 1)[0]
    shown = re.findall(
        r"```\n\$ realtime-validator lint --format full (\S+)\n(.*?)```", section, re.S
    )
    ((path, output),) = shown
    proc = subprocess.run(
        [sys.executable, "-m", "validator", "lint", "--format", "full", path],
        cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    assert proc.stdout.startswith(output)


def test_format_table_lists_every_format() -> None:
    from validator.cli.options import FORMAT_NAMES

    section = README.split("### Output formats", 1)[1].split("\n### ", 1)[0]
    assert set(re.findall(r"^\| `([a-z]+)`", section, re.M)) == set(FORMAT_NAMES)
