"""A ruff user's day-one conventions (issue #14), through the installed command: --exit-zero,
rule selection that names nothing, excludes and .gitignore, --stdin-filename, configuration
found from each input, --statistics never dropped, rule --all --format json."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

import validator
from validator.cli.options import SPECS

COMMAND = [shutil.which("realtime-validator") or "realtime-validator"]
BAD = '{"type":"input_audio_buffer.append","audio":"AA-A"}\n'
EMPTY = '{"type":"input_audio_buffer.append","audio":""}\n'  # RT305, a warning


def run(
    *args: str | Path, cwd: Path | None = None, stdin: bytes | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*COMMAND, "lint", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        input=stdin.decode() if stdin is not None else None,
        timeout=60,
    )


def sources(proc: subprocess.CompletedProcess[str]) -> list[str]:
    return [line.split(":", 1)[0] for line in proc.stdout.splitlines()]


def test_exit_zero(tmp_path: Path) -> None:
    (tmp_path / "bad.jsonl").write_text(BAD)
    assert run("--isolated", tmp_path / "bad.jsonl").returncode == 1
    proc = run("--isolated", "--exit-zero", tmp_path / "bad.jsonl")
    assert proc.returncode == 0 and "RT301" in proc.stdout
    # reading errors still exit 2
    assert run("--isolated", "--exit-zero", tmp_path / "missing.jsonl").returncode == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--select", ""], "--select '' names no rule"),
        (["--select", ",,"], "--select ',,' names no rule"),
        (["--ignore", " "], "--ignore ' ' names no rule"),
        (["--select", "RT999"], "no rule matches RT999"),
        (["--extend-select", "RT9"], "no rule matches RT9"),
    ],
)
def test_a_selection_of_nothing_is_a_usage_error(
    tmp_path: Path, args: list[str], message: str
) -> None:
    (tmp_path / "bad.jsonl").write_text(BAD)
    proc = run("--isolated", *args, tmp_path / "bad.jsonl")
    assert proc.returncode == 2
    assert message in proc.stderr
    assert proc.stdout == ""


def test_the_library_reads_select_as_the_command_line_does() -> None:
    lines = [BAD, EMPTY, "[1]"]
    assert [v.rule for v in validator.lint(lines, select="RT301")] == ["RT301"]
    assert [v.rule for v in validator.lint(lines, select=["RT3,RT1"])] == [
        "RT301",
        "RT305",
        "RT103",
    ]
    assert [v.rule for v in validator.lint(lines, ignore="RT3")] == ["RT103"]
    with pytest.raises(ValueError, match="no rule matches 'RT999'"):
        validator.lint(lines, select=["RT999"])
    with pytest.raises(ValueError, match="names no rule"):
        validator.lint(lines, select=",")


def test_extend_select_and_extend_ignore(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text(BAD + EMPTY)
    proc = run("--isolated", "--select", "RT1", "--extend-select", "RT305", path)
    assert [line.split()[1] for line in proc.stdout.splitlines()] == ["RT305"]
    proc = run("--isolated", "--extend-ignore", "RT301", path)
    assert [line.split()[1] for line in proc.stdout.splitlines()] == ["RT305"]
    (tmp_path / "pyproject.toml").write_text(
        '[tool.realtime-validator]\nselect = ["RT1"]\nextend-select = ["RT3"]\n'
        'extend-ignore = ["RT305"]\n'
    )
    proc = run(path, cwd=tmp_path)
    assert [line.split()[1] for line in proc.stdout.splitlines()] == ["RT301"]


def _tree(root: Path) -> None:
    for name in ("a.jsonl", "old/b.jsonl", "build/c.jsonl", "logs/d.jsonl", "logs/keep.jsonl"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(BAD)


def test_exclude_and_extend_exclude(tmp_path: Path) -> None:
    _tree(tmp_path)
    everything = run("--isolated", ".", cwd=tmp_path)
    assert len(sources(everything)) == 5
    proc = run(
        "--isolated", "--exclude", "old", "--extend-exclude", "logs/d.jsonl", ".", cwd=tmp_path
    )
    assert sorted(sources(proc)) == ["./a.jsonl", "./build/c.jsonl", "./logs/keep.jsonl"]
    # from the configuration; --exclude replaces the file's list, --extend-exclude adds
    (tmp_path / "pyproject.toml").write_text(
        '[tool.realtime-validator]\nexclude = ["build"]\nextend-exclude = ["keep.jsonl"]\n'
    )
    proc = run(".", cwd=tmp_path)
    assert sorted(sources(proc)) == ["./a.jsonl", "./logs/d.jsonl", "./old/b.jsonl"]
    proc = run("--exclude", "old", ".", cwd=tmp_path)
    assert sorted(sources(proc)) == ["./a.jsonl", "./build/c.jsonl", "./logs/d.jsonl"]
    # a file named on the command line is linted, excluded or not
    assert sources(run("build/c.jsonl", cwd=tmp_path)) == ["build/c.jsonl"]


def test_gitignore_is_respected_in_a_repository(tmp_path: Path) -> None:
    _tree(tmp_path)
    (tmp_path / ".git").mkdir()
    (tmp_path / ".gitignore").write_text("build/\n*.jsonl\n!a.jsonl\n")
    (tmp_path / "logs" / ".gitignore").write_text("!keep.jsonl\n")
    proc = run("--isolated", ".", cwd=tmp_path)
    assert sorted(sources(proc)) == ["./a.jsonl", "./logs/keep.jsonl"]
    proc = run("--isolated", "--no-respect-gitignore", ".", cwd=tmp_path)
    assert len(sources(proc)) == 5
    (tmp_path / "pyproject.toml").write_text(
        "[tool.realtime-validator]\nrespect-gitignore = false\n"
    )
    assert len(sources(run(".", cwd=tmp_path))) == 5
    # outside a git repository a .gitignore is only a file
    shutil.rmtree(tmp_path / ".git")
    (tmp_path / "pyproject.toml").unlink()
    assert len(sources(run("--isolated", ".", cwd=tmp_path))) == 5


def test_stdin_filename(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        "[tool.realtime-validator]\n[tool.realtime-validator.per-file-ignores]\n"
        '"legacy/*" = ["RT301"]\n'
    )
    proc = run("--stdin-filename", "captures/today.jsonl", "-", cwd=tmp_path, stdin=BAD.encode())
    assert proc.stdout.startswith("captures/today.jsonl:1:")
    proc = run("--stdin-filename", "legacy/old.jsonl", cwd=tmp_path, stdin=BAD.encode())
    assert proc.returncode == 0 and proc.stdout == ""


def test_configuration_is_found_from_each_input(tmp_path: Path) -> None:
    project = tmp_path / "proj"
    (project / "fixtures").mkdir(parents=True)
    (project / "pyproject.toml").write_text(
        '[tool.realtime-validator]\nignore = ["RT305"]\n'
        '[tool.realtime-validator.per-file-ignores]\n"fixtures/legacy*" = ["RT301"]\n'
    )
    (project / "fixtures" / "legacy.jsonl").write_text(BAD + EMPTY)
    (project / "fixtures" / "new.jsonl").write_text(BAD + EMPTY)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    proc = run(project / "fixtures", cwd=elsewhere)
    assert [(src.rsplit("/", 1)[1], line.split()[1]) for src, line in
            zip(sources(proc), proc.stdout.splitlines(), strict=True)] == [
        ("new.jsonl", "RT301")
    ]  # fmt: skip
    # --config names one file for every input; --isolated none
    assert len(run("--isolated", project / "fixtures", cwd=elsewhere).stdout.splitlines()) == 4


def test_a_broken_configuration_near_an_input_is_reported(tmp_path: Path) -> None:
    (tmp_path / "good.jsonl").write_text(BAD)
    broken = tmp_path / "sub"
    broken.mkdir()
    (broken / "pyproject.toml").write_text('[tool.realtime-validator]\nselect = ["RT999"]\n')
    (broken / "x.jsonl").write_text(BAD)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    proc = run(tmp_path / "good.jsonl", broken / "x.jsonl", cwd=elsewhere)
    assert proc.returncode == 2
    assert "no rule matches 'RT999'" in proc.stderr
    assert sources(proc) == [str(tmp_path / "good.jsonl")]


@pytest.mark.parametrize("fmt", ["jsonl", "github", "junit"])
def test_statistics_are_never_dropped(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text(BAD)
    proc = run("--isolated", "--statistics", "--format", fmt, path)
    assert "       1 RT301 [error] base64-invalid-character" in proc.stderr
    assert "RT301 [error]" not in proc.stdout


def test_event_pointer_and_jobs_from_the_configuration(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.realtime-validator]\nevent-pointer = "/event"\njobs = 2\n'
    )
    (tmp_path / "w.jsonl").write_text('{"ts": 1, "event": ' + BAD.strip() + "}\n")
    proc = run("w.jsonl", cwd=tmp_path)
    assert proc.returncode == 1 and " RT301 " in proc.stdout


def test_rule_catalogue_as_json() -> None:
    proc = subprocess.run(
        [*COMMAND, "rule", "--all", "--format", "json"], capture_output=True, text=True
    )
    rules = json.loads(proc.stdout)
    assert [r["code"] for r in rules] == list(validator.RULES)
    assert set(rules[0]) == {
        "code", "name", "severity", "summary", "explanation", "failing", "passing",
        "rejected_by_server", "fix", "sources", "severity_by_evidence",
    }  # fmt: skip
    one = subprocess.run(
        [*COMMAND, "rule", "RT404", "--format", "json"], capture_output=True, text=True
    )
    assert json.loads(one.stdout)["name"] == "api-version-mismatch"
    pages = subprocess.run([*COMMAND, "rule", "--all"], capture_output=True, text=True).stdout
    assert pages.count("Fails:") == len(validator.RULES)


def test_the_summary_says_which_rules_the_findings_are(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text(BAD * 46 + EMPTY)
    proc = run("--isolated", path)
    assert proc.stderr.rstrip().endswith("47 findings (46 errors, 1 warning; 46 RT301, 1 RT305)")


def test_every_option_is_in_the_help() -> None:
    proc = subprocess.run([*COMMAND, "lint", "--help"], capture_output=True, text=True)
    for spec in SPECS:
        assert spec.flags[0] in proc.stdout


def test_full_does_not_read_the_file_stdin_filename_names(tmp_path: Path) -> None:
    (tmp_path / "named.jsonl").write_text('{"type": "something else entirely"}\n')
    proc = run("--isolated", "--format", "full", "--stdin-filename", "named.jsonl",
               cwd=tmp_path, stdin=BAD.encode())  # fmt: skip
    assert proc.stdout.splitlines() == [
        "named.jsonl:1:48: RT301 " + proc.stdout.split(" RT301 ", 1)[1].splitlines()[0]
    ]
