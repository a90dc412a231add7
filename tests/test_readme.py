"""README tells the truth: its commands run and print what it shows, its tables are the
catalogue, the command line's options and the configuration's keys, and it stays short.

Everything is checked through the public surface (`import validator` and the command line),
so that the tests hold whatever the package's modules are called.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT

from validator import RULES

README = (ROOT / "README.md").read_text(encoding="utf-8")
MAX_LINES = 450
REPO_URL = "https://github.com/realtime-validator/realtime-validator"
# Commands that need a bucket or a cluster the reader names: their options are checked
# against `lint --help`, but they are not run (tests/test_distributed.py runs both for real).
REMOTE = re.compile(r"\b(?:s3|gs)://|tcp://")
TIME = re.compile(r"in \d+\.\d\d s")


def section(title: str) -> str:
    """Return the text of the README's `## title` section, up to the next `## `."""
    return README.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """Return the finished `realtime-validator ARGS` run (this checkout's code)."""
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "validator", *args], cwd=cwd, env=env, capture_output=True, text=True
    )


def console_commands() -> list[tuple[str, str]]:
    """Return every `$ command` of the README's console blocks, with the output shown below it."""
    found: list[tuple[str, str]] = []
    for block in re.findall(r"```console\n(.*?)```", README, re.S):
        assert block.startswith("$ "), f"a console block starts with its command: {block[:60]}"
        for line in block.splitlines(keepends=True):
            if line.startswith("$ "):
                found.append((line[2:].rstrip("\n"), ""))
            else:
                command, output = found[-1]
                found[-1] = (command, output + line)
    return found


def help_flags(*command: str) -> list[str]:
    """Return the option flags that `realtime-validator COMMAND --help` lists, -h/--help aside."""
    text = cli(*command, "--help").stdout
    options = re.findall(r"^  (-\S.*?)(?:\s{2,}|$)", text, re.M)
    flags = [f for o in options for f in re.findall(r"(?<![\w-])(--?[a-z][a-z-]*)", o)]
    return [f for f in flags if f not in ("-h", "--help")]


# --- length and shape ---------------------------------------------------------------------


def test_readme_is_short() -> None:
    assert len(README.splitlines()) <= MAX_LINES


def test_sections_come_in_order() -> None:
    titles = re.findall(r"^## (.+)$", README, re.M)
    assert titles[:12] == [
        "Quick start",
        "What it checks",
        "Inputs",
        "Formats",
        "Options and configuration",
        "Fixing",
        "CI",
        "Library",
        "Live",
        "Data lakes",
        "Exit codes",
        "Bad input",
    ]


def test_quick_start_is_two_commands() -> None:
    commands = re.findall(r"^\$ (.+)$", section("Quick start"), re.M)
    assert commands == [
        "pip install . && realtime-validator lint fixtures/logs/session.jsonl",
        "pip install '.[test]' && pytest",
    ]


QUICK_START_COST = re.compile(
    r"second runs the tests as CI does: (\d+) packages \((\d+) MB, about (\d+) s from a warm pip "
    r"cache;[^)]*\), then about (\d+) minutes of tests on two cores"
)


def test_quick_start_names_python_a_venv_and_the_cost() -> None:
    """Python's version is pyproject's; the venv is made and entered by the commands shown; the
    test command's cost reads as numbers, and its packages and megabytes are those of what
    `pip install '.[test]'` installed here (within what other versions of them change)."""
    text = " ".join(section("Quick start").split())
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["requires-python"] == ">=3.11"
    assert "of Python 3.11 or newer (`python3 -m venv .venv && . .venv/bin/activate`):" in text
    cost = QUICK_START_COST.search(text)
    assert cost, text
    packages, megabytes = int(cost[1]), int(cost[2])
    installed = installed_for_tests()
    size = sum(_installed_bytes(dist) for dist in installed.values()) / 1e6
    # `pip list` shows pip too; `du -sh` of the venv counts pip, directories and blocks
    assert abs(len(installed) + 1 - packages) <= packages * 0.15, (len(installed), packages)
    assert abs(size - megabytes) <= megabytes * 0.25, (size, megabytes)


def installed_for_tests() -> dict[str, Any]:
    """Return the installed distributions `realtime-validator[test]` needs, by name: itself,
    its requirements, theirs, and so on (markers evaluated, extras followed)."""
    from importlib import metadata

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    found: dict[str, Any] = {}
    wanted: dict[str, frozenset[str]] = {}
    todo = [("realtime-validator", frozenset({"test"}))]
    while todo:
        name, extras = todo.pop()
        key = canonicalize_name(name)
        if key in wanted and extras <= wanted[key]:
            continue
        wanted[key] = wanted.get(key, frozenset()) | extras
        found[key] = dist = metadata.distribution(name)
        for requirement in map(Requirement, dist.requires or []):
            marker = requirement.marker
            if marker is None or any(marker.evaluate({"extra": e}) for e in {"", *wanted[key]}):
                todo.append((requirement.name, frozenset(requirement.extras)))
    return found


def _installed_bytes(dist: Any) -> int:
    size = 0
    for file in dist.files or []:
        try:
            size += Path(file.locate()).stat().st_size
        except OSError:
            continue
    return size


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    assert "pip install '.[test]'" in ci or 'pip install ".[test]"' in ci
    assert "pytest" in ci


def test_internals_stay_out() -> None:
    """The README is for users: no module paths, one link to the architecture page."""
    assert not re.search(r"(?<![\w-])validator(?:/\w|\.(?!\w+\()[a-z_]+)", README)
    assert README.count("docs/architecture.md") == 2  # the link's text and its target
    assert not re.search(r"\*\*(PASS|FAIL)\*\*|^\| contender \|", README, re.M)


# --- every command runs, and prints what is shown ------------------------------------------


COMMANDS = console_commands()


def test_console_blocks_hold_commands_we_can_check() -> None:
    assert len(COMMANDS) >= 10
    assert all(c.startswith(("pip install ", "realtime-validator ", "cat ")) for c, _ in COMMANDS)


@pytest.mark.parametrize(("command", "shown"), COMMANDS, ids=[c for c, _ in COMMANDS])
def test_command_runs_as_shown(command: str, shown: str, tmp_path: Path) -> None:
    """Run the command from a copy of the repository's fixtures (a fix never touches them);
    where output is shown, it is the command's standard output then its standard error."""
    install, _, command = command.rpartition(" && ")
    for part in (install, command):
        if part.startswith("pip install"):
            assert_installable(part)
    if command.startswith("pip install") or command == "pytest":
        return  # installs are checked above; pytest is what .ci/run runs
    words = shlex.split(command.split("|")[-1])
    assert words[0] == "realtime-validator", command
    flags = {w.split("=")[0] for w in words if w.startswith("-") and w != "-"}
    assert flags <= set(help_flags(words[1])), command
    if REMOTE.search(command):
        return
    if "--dask" in words:
        pytest.importorskip("distributed")
    shutil.copytree(ROOT / "fixtures", tmp_path / "fixtures")
    shim = tmp_path / "bin" / "realtime-validator"
    shim.parent.mkdir()
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m validator "$@"\n')
    shim.chmod(0o755)
    env = {**os.environ, "PATH": f"{shim.parent}{os.pathsep}{os.environ['PATH']}"}
    proc = subprocess.run(
        ["bash", "-c", command], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert proc.returncode in (0, 1) and "Traceback" not in proc.stderr, proc.stderr
    if shown:
        assert TIME.sub("in X s", proc.stdout + proc.stderr) == TIME.sub("in X s", shown)


def test_examples_exit_as_the_readme_says() -> None:
    assert "so it exits 1" in section("Quick start")
    assert cli("lint", "fixtures/logs/session.jsonl").returncode == 1
    assert "it exits 1 when there is something to fix" in section("Fixing")
    assert cli("lint", "--diff", "fixtures/fix/session.jsonl").returncode == 1
    assert cli("lint", "--diff", "fixtures/events/valid/").returncode == 0


def assert_installable(command: str) -> None:
    """Fail unless the pip command installs from this clone or from git, naming real extras."""
    extras = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    )
    (target,) = shlex.split(command)[2:]
    local = re.fullmatch(r"\.(?:\[([a-z0-9,]+)\])?", target)
    remote = re.fullmatch(
        rf"(?:realtime-validator(?:\[([a-z0-9,]+)\])? @ )?git\+{REPO_URL}", target
    )
    match = local or remote
    assert match, command
    assert set(filter(None, (match.group(1) or "").split(","))) <= extras, command


def test_every_pip_install_works_from_a_clone_or_git() -> None:
    """The package is not published: every install names the clone or the git URL."""
    installs = re.findall(r"pip install [^`\n]+?(?=`|$| &&)", README, re.M)
    assert len(installs) >= 6
    for command in installs:
        assert_installable(command.strip())


def test_install_commands_work_from_a_clone_or_git() -> None:
    """No bare `pip install realtime-validator`, no tag to pin that does not exist, and one
    spelling of the repository."""
    assert not re.search(r"pip install '?realtime-validator\b(?!\[[a-z0-9,]+\] @ git\+)", README)
    hooks = (ROOT / ".pre-commit-hooks.yaml").read_text()
    urls = set(re.findall(r"https://github\.com/[\w.-]+/[\w.-]+", README + hooks))
    urls |= set(
        re.findall(r"https://github\.com/[\w.-]+/[\w.-]+", (ROOT / "pyproject.toml").read_text())
    )
    assert urls == {REPO_URL}
    tags = subprocess.run(["git", "tag"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    for rev in re.findall(r"^\s*#?\s*rev: (\S+)", README + hooks, re.M):
        assert rev == "main" or rev in tags, rev
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")


# --- tables --------------------------------------------------------------------------------


def test_rule_table_is_the_catalogue() -> None:
    rows = re.findall(
        r"^\| (RT\d{3}) \| `([a-z0-9-]+)` \| (error|warning) \| (safe|unsafe|) ?\| (.+) \|$",
        section("What it checks"),
        re.M,
    )
    fixes = {
        r["code"]: r["fix"] for r in json.loads(cli("rule", "--all", "--format", "json").stdout)
    }
    expected = [
        (
            r.code,
            r.name,
            r.severity.value,
            "" if fixes[r.code] is None else ("safe" if fixes[r.code]["safe"] else "unsafe"),
            r.summary,
        )
        for r in RULES.values()
    ]
    assert rows == expected


def test_option_table_is_lint_help() -> None:
    section_text = section("Options and configuration")
    table = section_text.split("| option | meaning |", 1)[1].split("\n\n", 1)[0]
    shown = [
        f
        for row in re.findall(r"^\| (.+?) \| ", table, re.M)
        for f in re.findall(r"`(--?[a-z][a-z-]*)", row)
    ]
    assert sorted(shown) == sorted(help_flags("lint"))


def test_format_table_is_every_format() -> None:
    help_text = cli("lint", "--help").stdout
    choices = re.search(r"--format(?:, --output-format)? \[([a-z|]+)\]", help_text)
    assert choices
    shown = re.findall(r"^\| `([a-z]+)` \|", section("Formats"), re.M)
    assert sorted(shown) == sorted(choices.group(1).split("|"))


def test_config_table_is_every_key(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.realtime-validator]\nbogus = 1\n")
    (tmp_path / "a.jsonl").write_text('{"type":"input_audio_buffer.append","audio":"AAAA"}\n')
    proc = cli("lint", "a.jsonl", cwd=tmp_path)
    assert proc.returncode == 2
    valid = re.search(r"valid keys: (.+)$", proc.stderr, re.M)
    assert valid
    keys = section("Options and configuration").split("The keys are", 1)[1].split("\n\n", 1)[0]
    assert re.findall(r"`([a-z-]+)`", keys) == valid.group(1).split(", ")


def test_config_example_does_what_it_says(tmp_path: Path) -> None:
    (example,) = re.findall(r"```toml\n(.*?)```", README, re.S)
    (tmp_path / "pyproject.toml").write_text(example)
    (tmp_path / "fixtures" / "legacy").mkdir(parents=True)
    (tmp_path / "fixtures" / "legacy" / "old.json").write_text(
        '{"type":"input_audio_buffer.append","audio":"AAAAAA==","timestamp":1}\n'
    )  # RT203, ignored for this folder
    (tmp_path / "capture.jsonl").write_text(
        '{"type":"input_audio_buffer.append","event_id":"e1","audio":"AAAAAA=="}\n'
        '{"type":"input_audio_buffer.append","event_id":"e1","audio":""}\n'
    )  # RT402 (ignored) and RT305, a warning that fails the run
    proc = cli("lint", "--format", "jsonl", ".", cwd=tmp_path)
    found = [(f["source"], f["rule"]) for f in map(json.loads, proc.stdout.splitlines())]
    assert found == [("./capture.jsonl", "RT305")] and proc.returncode == 1, proc.stderr
    assert cli("lint", "--isolated", "fixtures", cwd=tmp_path).returncode == 1


def test_dependencies_are_pyproject_s() -> None:
    """Each dependency is named with its lower bound; each extra's packages on its line."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    text = section("Dependencies")

    def spec(requirement: str) -> str:
        return requirement.split(";")[0].strip()

    for requirement in project["dependencies"]:
        assert f"`{spec(requirement)}`" in text, requirement
    extras = project["optional-dependencies"]
    elsewhere = {spec(r) for name, rs in extras.items() if name != "test" for r in rs}
    for name, requirements in extras.items():
        (line,) = re.findall(rf"^- `\[{name}\]`:.*(?:\n  .*)*", text, re.M)
        for requirement in requirements:
            if name != "test" or spec(requirement) not in elsewhere:
                assert f"`{spec(requirement)}`" in line, requirement


# --- snippets -------------------------------------------------------------------------------


def _yaml_blocks() -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", README, re.S)


def _bad_fixture(tmp_path: Path) -> None:
    (tmp_path / "fixtures").mkdir()
    (tmp_path / "fixtures" / "bad.jsonl").write_text(
        '{"type":"input_audio_buffer.append","audio":"AA-A"}\n'
    )


def test_workflow_commands_run(tmp_path: Path) -> None:
    yaml = pytest.importorskip("yaml")
    workflow = yaml.safe_load(_yaml_blocks()[0])
    steps = workflow["jobs"]["lint-events"]["steps"]
    commands = [s["run"] for s in steps if "run" in s and s["run"].startswith("realtime-validator")]
    assert [c.split()[2:4] for c in commands] == [["--format", "github"], ["--format", "sarif"]]
    for step in steps:
        if step.get("run", "").startswith("pip install"):
            assert_installable(step["run"])
    uploaded = [
        s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif")
    ]
    sarif_file = uploaded[0]["with"]["sarif_file"]
    _bad_fixture(tmp_path)
    for command in commands:
        proc = cli(*shlex.split(command)[1:], cwd=tmp_path)
        assert proc.returncode == 1, proc.stderr
    assert json.loads((tmp_path / sarif_file).read_text())["version"] == "2.1.0"


def test_gitlab_snippet_writes_a_report_gitlab_reads(tmp_path: Path) -> None:
    yaml = pytest.importorskip("yaml")
    (block,) = [b for b in _yaml_blocks() if "codequality" in b]
    job = yaml.safe_load(block)["realtime-validator"]
    assert_installable(job["script"][0])
    command = next(c for c in job["script"] if c.startswith("realtime-validator"))
    report = job["artifacts"]["reports"]["codequality"]
    _bad_fixture(tmp_path)
    proc = cli(*shlex.split(command)[1:], cwd=tmp_path)
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
    example = re.findall(r"```python\n(.*?)```", section("Library"), re.S)[0]
    test = doctest.DocTestParser().get_doctest(example, {}, "README", "README.md", 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    assert runner.failures == 0 and runner.tries >= 5


def test_library_names_are_public() -> None:
    import validator

    named = set(re.findall(r"^- `(\w+)[`(]", section("Library"), re.M))
    named |= set(re.findall(r"`([A-Z][A-Za-z]+)`", section("Library")))
    assert named and named <= set(validator.__all__), named - set(validator.__all__)


def test_har_pointer_text_is_what_findings_carry() -> None:
    rows = [
        json.loads(line)
        for line in (ROOT / "fixtures" / "har" / "session.expected.jsonl").read_text().splitlines()
    ]
    pointers = {row["rule"]: row["pointer"] for row in rows}
    assert pointers["RT301"] == "/audio" and "`/audio`" in README
    assert f"`{pointers['RT106']}`" in README


# --- benchmarks/README.md ------------------------------------------------------------------


BENCH_README = (ROOT / "benchmarks" / "README.md").read_text(encoding="utf-8")


def test_benchmark_commands_are_ones_run_py_accepts() -> None:
    """Every `python benchmarks/run.py ...` line there parses (run.py's own parser says so)."""
    commands = re.findall(r"python benchmarks/run\.py([^`\n]*)", BENCH_README)
    assert len(commands) >= 4
    sys.path.insert(0, str(ROOT / "benchmarks"))  # run.py imports scale.py from there
    try:
        import run  # type: ignore[import-not-found]

        for args in commands:
            run.parse_args(shlex.split(args))
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))


def test_benchmark_results_keep_ratios_and_the_machine() -> None:
    results = BENCH_README.split("\n## Results", 1)[1]
    assert "| contender | median s |" in results and "vs naive" in results
    assert "### Machine" in results or "#### Machine" in results
    assert "realtime-validator lint --format jsonl" in BENCH_README
