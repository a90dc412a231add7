"""The command line through click's CliRunner and through the installed command."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, ROOT, b64

import validator
from validator.cli.app import cli

LOG = "fixtures/logs/session.jsonl"
GOOD = '{"type":"input_audio_buffer.append","event_id":"evt_1","audio":"' + b64(bytes(960)) + '"}\n'
BAD = '{"type":"input_audio_buffer.append","event_id":"evt_2","audio":"AA-A"}\n'
WARN = '{"type":"input_audio_buffer.append","event_id":"evt_3","audio":"AAAAYR=="}\n'


@pytest.fixture(autouse=True)
def _in_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def run(*args: str, input: str | bytes | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), input=input)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_text_output_on_the_example_log() -> None:
    code, out, err = run("lint", LOG)
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith(
        "fixtures/logs/session.jsonl:16:184: RT301 [*] audio is not valid base64: '_' at index 116;"
    )
    assert len(lines) == 7
    assert err.splitlines()[1].startswith(
        "Checked 39 records: 18 append events, 1.4 s of audio (and 240 ms rejected), 120.2 kB in "
    )
    fixable, summary = err.splitlines()
    assert summary.endswith(
        "7 findings (6 errors, 1 warning; 2 RT301, 1 RT101, 1 RT203, 1 RT205, 1 RT401, 1 RT402)"
    )
    assert fixable == (  # ruff's words: RT301 safe, RT203 and RT402 with --unsafe-fixes
        "[*] 2 fixable with the `--fix` option (2 hidden fixes can be enabled with the "
        "`--unsafe-fixes` option)."
    )


def test_jsonl_output_keys_are_specs() -> None:
    code, out, _ = run("lint", "--format", "jsonl", LOG)
    assert code == 1
    rows = [json.loads(line) for line in out.splitlines()]
    assert [list(r) for r in rows] == [
        [
            "rule",
            "name",
            "severity",
            "message",
            "source",
            "line",
            "column",
            "pointer",
            "event_id",
            "event_type",
        ]
    ] * 7
    assert out == (FIXTURES / "logs" / "session.expected.jsonl").read_text()


def test_json_output() -> None:
    _, out, _ = run("lint", "--format", "json", LOG)
    document = json.loads(out)
    assert list(document) == ["findings", "statistics"]
    assert len(document["findings"]) == 7
    stats = document["statistics"]
    assert stats["records"] == 39 and stats["append_events"] == 18
    assert stats["findings_by_rule"]["RT301"] == 2


def test_clean_input_exits_zero() -> None:
    code, out, err = run("lint", "-", input=GOOD)
    assert (code, out) == (0, "")
    assert "Checked 1 record: 1 append event, 20 ms of audio," in err
    assert "0 findings (0 errors, 0 warnings)" in err


def test_no_path_reads_stdin() -> None:
    code, out, _ = run("lint", input=GOOD + BAD)
    assert code == 1
    assert out.startswith("<stdin>:2:67: RT301 ")


def test_fail_on() -> None:
    assert run("lint", "-", input=WARN)[0] == 0
    assert run("lint", "--fail-on", "warning", "-", input=WARN)[0] == 1
    assert run("lint", "--fail-on", "error", "-", input=BAD)[0] == 1


def test_select_and_ignore() -> None:
    code, out, _ = run("lint", "--select", "RT303", "-", input=BAD + WARN)
    assert [line.split()[1] for line in out.splitlines()] == ["RT303"]
    assert code == 0
    code, out, _ = run("lint", "--ignore", "RT3", "-", input=BAD + WARN)
    assert (code, out) == (0, "")
    code, out, _ = run("lint", "--select", "RT301,base64-non-canonical", "-", input=BAD + WARN)
    assert len(out.splitlines()) == 2


def test_unknown_rule_is_usage_error() -> None:
    code, _, err = run("lint", "--select", "RT999", "-", input=GOOD)
    assert code == 2
    assert "no rule matches RT999" in err


def test_max_audio_bytes() -> None:
    assert run("lint", "--max-audio-bytes", "960", "-", input=GOOD)[0] == 0
    code, out, _ = run("lint", "--max-audio-bytes", "959", "-", input=GOOD)
    assert code == 1 and " RT304 audio decodes to 960 bytes, over the limit of 959" in out


def test_statistics_flag() -> None:
    _, out, _ = run("lint", "--statistics", LOG)
    assert "       2 RT301 [error] base64-invalid-character" in out.splitlines()


def test_quiet() -> None:
    assert run("lint", "--quiet", "-", input=GOOD)[2] == ""


def test_missing_input_exits_two_and_others_are_linted(tmp_path: Path) -> None:
    good = tmp_path / "good.jsonl"
    good.write_text(BAD)
    code, out, err = run("lint", str(tmp_path / "missing.jsonl"), str(good))
    assert code == 2
    assert "realtime-validator: error: cannot read " in err and "missing.jsonl" in err
    assert " RT301 " in out


def test_directory_is_walked(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.jsonl").write_text(BAD)
    (tmp_path / "b.json").write_text(BAD)
    (tmp_path / "notes.txt").write_text("not linted")
    code, out, err = run("lint", str(tmp_path))
    assert code == 1
    assert [Path(line.split(":")[0]).name for line in out.splitlines()] == ["x.jsonl", "b.json"]
    assert "in 2 files" in err


def test_output_file(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    code, out, _ = run("lint", "--output", str(target), "-", input=BAD)
    assert code == 1 and out == ""
    assert target.read_text().startswith("<stdin>:1:67: RT301")


def test_output_unwritable_exits_two(tmp_path: Path) -> None:
    code, _, err = run(
        "lint", "--output", str(tmp_path / "no" / "such" / "dir.txt"), "-", input=GOOD
    )
    assert code == 2
    assert "cannot write" in err


def test_audio_format_option() -> None:
    assert run("lint", "--audio-format", "audio/pcmu", "-", input=GOOD)[0] == 0
    code, _, err = run("lint", "--audio-format", "mp3", "-", input=GOOD)
    assert code == 2 and "unknown audio format 'mp3'" in err


def test_rule_command() -> None:
    code, out, _ = run("rule", "RT301")
    assert code == 0
    assert out.startswith("RT301 base64-invalid-character (error)\n")
    assert "Fails:" in out and "Passes:" in out
    assert run("rule", "base64-invalid-character")[1] == out
    code, out, _ = run("rule")
    assert len(out.splitlines()) == len(validator.RULES)
    assert run("rule", "RT999")[0] == 2


def test_schema_command() -> None:
    _, out, _ = run("schema")
    assert json.loads(out) == validator.SCHEMA
    _, out, _ = run("schema", "--translation")
    assert json.loads(out)["properties"]["type"]["const"] == "session.input_audio_buffer.append"


def test_version() -> None:
    code, out, _ = run("--version")
    assert (code, out) == (0, f"realtime-validator, version {validator.__version__}\n")


def test_version_matches_pyproject() -> None:
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["version"] == validator.__version__


@pytest.mark.skipif(shutil.which("realtime-validator") is None, reason="not installed")
def test_installed_command_and_module() -> None:
    for command in (["realtime-validator"], [sys.executable, "-m", "validator"]):
        proc = subprocess.run([*command, "lint", LOG], capture_output=True, text=True, cwd=ROOT)
        assert proc.returncode == 1
        assert proc.stdout.splitlines()[0].startswith("fixtures/logs/session.jsonl:16:184: RT301")
        assert proc.stderr.splitlines()[-1].startswith("Checked 39 records")


def _project(tmp_path: Path, table: str) -> Path:
    (tmp_path / "pyproject.toml").write_text(f"[tool.realtime-validator]\n{table}\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "log.jsonl").write_text(BAD + WARN)
    return tmp_path / "sub"


def test_config_is_found_walking_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sub = _project(tmp_path, 'select = ["RT303"]\nfail-on = "warning"')
    monkeypatch.chdir(sub)
    code, out, _ = run("lint", "log.jsonl")
    assert code == 1
    assert [line.split()[1] for line in out.splitlines()] == ["RT303"]


def test_command_line_wins_over_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sub = _project(tmp_path, 'select = ["RT303"]\nfail-on = "warning"\nformat = "jsonl"')
    monkeypatch.chdir(sub)
    code, out, _ = run("lint", "--fail-on", "error", "--format", "text", "log.jsonl")
    assert code == 0
    assert out.startswith("log.jsonl:2:")
    code, out, _ = run("lint", "--isolated", "log.jsonl")
    assert code == 1 and len(out.splitlines()) == 2


def test_per_file_ignores(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sub = _project(
        tmp_path, '[tool.realtime-validator.per-file-ignores]\n"sub/*.jsonl" = ["RT301"]'
    )
    monkeypatch.chdir(sub)
    code, out, _ = run("lint", "log.jsonl")
    assert code == 0
    assert [line.split()[1] for line in out.splitlines()] == ["RT303"]


def test_bad_config_is_exit_two(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sub = _project(tmp_path, 'fail_on = "error"')
    monkeypatch.chdir(sub)
    code, _, err = run("lint", "log.jsonl")
    assert code == 2
    assert "unknown key 'fail_on'; did you mean 'fail-on'?" in err
    explicit = tmp_path / "other.toml"
    explicit.write_text('ignore = ["RT3"]\n')
    assert run("lint", "--config", str(explicit), "log.jsonl")[0] == 0


def test_output_is_replaced_only_when_complete(tmp_path: Path) -> None:
    target = tmp_path / "report.txt"
    target.write_text("previous report\n")
    code, _, _ = run(
        "lint", "--output", str(target), str(tmp_path / "missing.jsonl"), "-", input=BAD
    )
    assert code == 2
    assert target.read_text().startswith("<stdin>:1:67: RT301")
    assert [p.name for p in tmp_path.iterdir()] == ["report.txt"]


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")
def test_full_disk_is_exit_two_with_a_message() -> None:
    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            [sys.executable, "-m", "validator", "lint", LOG],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
    assert proc.returncode == 2
    assert "cannot write standard output: No space left on device" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_statistics_per_file_and_in_total(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text(GOOD + BAD)
    (tmp_path / "b.jsonl").write_text(BAD.replace("evt_2", "evt_9"))
    _, out, _ = run("lint", "--format", "json", str(tmp_path))
    stats = json.loads(out)["statistics"]
    by_file = stats["by_file"]
    assert [Path(name).name for name in by_file] == ["a.jsonl", "b.jsonl"]
    assert [s["records"] for s in by_file.values()] == [2, 1]
    assert [s["findings"] for s in by_file.values()] == [1, 1]
    assert stats["records"] == 3 and stats["findings"] == 2 and stats["files"] == 2
    _, out, _ = run("lint", "--statistics", str(tmp_path))
    assert out.splitlines()[-1].startswith(
        "       1 record, 1 finding, 0 ms of audio (and 0.1 ms rejected): "
    )


def test_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    """`realtime-validator lint big.jsonl | head -1`: no traceback, no error line."""
    log = tmp_path / "many.jsonl"
    log.write_text(BAD * 20_000)  # far more output than a pipe buffer holds
    proc = subprocess.Popen(
        [sys.executable, "-m", "validator", "lint", "-q", str(log)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read()
    proc.wait(timeout=60)
    assert first.startswith(str(log).encode() + b":1:67: RT301")
    assert proc.returncode == 1
    assert err == b""
