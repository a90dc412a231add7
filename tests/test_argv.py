"""The click-free reading of a ``lint`` line (argv.py) against its twin, the click command.

Whatever ``parse_lint`` returns must be what click hands to ``settle``: the same values and
the same options given. Where the two could differ, ``parse_lint`` must give None, and the
line goes to click.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner
from conftest import ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import validator.cli.app
from validator.cli.app import cli, lint_command
from validator.cli.argv import COMPLETION_VARIABLE, DEFAULTS, LONG, SHORT, LintArgs, parse_lint

LOG = "fixtures/logs/session.jsonl"


class _Settled(Exception):
    """Raised by the stand-in for ``settle``: click read the line and handed this over."""

    def __init__(self, values: dict[str, Any], given: frozenset[str]) -> None:
        super().__init__()
        self.args_read = LintArgs(dict(values), frozenset(given))


def click_reads(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> LintArgs | None:
    """Return what the click command hands to ``settle`` for ``argv``, or None if it does
    not get that far (help, version, a usage error)."""

    def stand_in(values: dict[str, Any], given: frozenset[str]) -> None:
        raise _Settled(values, given)

    with monkeypatch.context() as patch:
        patch.setattr(validator.cli.app, "settle", stand_in)
        result = CliRunner().invoke(cli, argv)
    if isinstance(result.exception, _Settled):
        return result.exception.args_read
    assert isinstance(result.exception, SystemExit | None), result.exception
    return None


@pytest.fixture(autouse=True)
def _in_a_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.jsonl").write_text("")
    (tmp_path / "folder").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(COMPLETION_VARIABLE, raising=False)


def test_the_table_is_the_click_commands() -> None:
    """Every option of the click command is in the table, with its names and kind (the
    defaults are compared below, as what each reading of a bare ``lint`` gives)."""
    table = {**LONG, **SHORT}
    seen = set()
    for param in lint_command.params:
        assert param.name is not None
        if isinstance(param, click.Argument):
            assert param.name == "paths"
            continue
        assert isinstance(param, click.Option)
        if param.name == "help":
            assert not (set(param.opts) & set(table))  # help is click's to give
            continue
        seen.add(param.name)
        for flag in param.opts + param.secondary_opts:
            assert table[flag].name == param.name, flag
            assert (table[flag].convert is None) == param.is_flag, flag
            assert table[flag].multiple == param.multiple, flag
    assert seen == {option.name for option in table.values()}
    assert set(DEFAULTS) == seen | {"paths"}


VALUES = [
    "json", "jsonl", "sarif", "text", "xml", "JSON", "warning", "error", "info",
    "0", "1", "2", "-1", "+3", " 7", "1_0", "٣", "x", "", "=x",
    "RT301", "RT3,base64", "/event", "event", "audio/pcmu",
    "a.jsonl", "folder", "missing.jsonl", "-", "--", "-q", "--jobs",
]  # fmt: skip
ODD = [
    "a.jsonl", "folder", "missing.jsonl", "-", "--", "lint", "rule", "",
    "-q", "-qq", "-qj2", "-qj", "-jq", "-q=1", "-qx", "-x", "-h", "--help", "--version",
    "--nope", "--form", "--quiet=1", "--statistics=", "--isolated=",
]  # fmt: skip


# values each option takes, and the nearest it refuses
CLOSE = {
    "output_format": ["json", "jsonl", "sarif", "text", "JSON"],
    "fail_on": ["warning", "error", "info"],
    "jobs": ["1", "2", " 7", "+3", "1_0", "٣", "0"],
    "max_audio_bytes": ["0", "1", "1_0", "-1"],
    "max_record_bytes": ["1", "2", "0"],
    "output": ["a.jsonl", "missing.jsonl", "-", "--", "=x", "", "folder"],
    "config_path": ["a.jsonl", "missing.jsonl", "", "-", "folder"],
}


@st.composite
def _fragment(draw: st.DrawFn) -> list[str]:
    """An option with a value, written one of the ways a line may write it, or a token."""
    if draw(st.integers(0, 3)) == 0:
        return [draw(st.sampled_from(ODD))]
    flag = draw(st.sampled_from([*LONG, *SHORT]))
    option = {**LONG, **SHORT}[flag]
    if option.convert is None:
        return [flag]
    close = CLOSE.get(option.name, VALUES)
    value = draw(st.sampled_from(close) if draw(st.integers(0, 3)) else st.sampled_from(VALUES))
    if draw(st.booleans()):
        return [flag, value]
    return [f"{flag}={value}"] if flag in LONG else [flag + value]


@settings(
    max_examples=500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    first=st.sampled_from(["lint", "lint", "lint", "lint", "rule", "--help", "-h", "lin"]),
    fragments=st.lists(_fragment(), max_size=6),
)
def test_parse_lint_reads_as_click_does(
    first: str, fragments: list[list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    argv = [first, *(token for fragment in fragments for token in fragment)]
    quick = parse_lint(argv)
    if quick is not None:
        assert quick == click_reads(argv, monkeypatch), argv


@pytest.mark.parametrize(
    ("argv", "values", "given"),
    [
        (["lint"], {}, set()),
        (["lint", "a.jsonl", "-"], {"paths": ("a.jsonl", "-")}, set()),
        (
            ["lint", "--format", "jsonl", "a.jsonl", "-q", "--jobs=2"],
            {"paths": ("a.jsonl",), "output_format": "jsonl", "quiet": True, "jobs": 2},
            {"output_format", "quiet", "jobs"},
        ),
        (["lint", "-qj2"], {"quiet": True, "jobs": 2}, {"quiet", "jobs"}),
        (["lint", "-qj", "3"], {"quiet": True, "jobs": 3}, {"quiet", "jobs"}),
        (["lint", "-o=x"], {"output": "=x"}, {"output"}),
        (["lint", "--output", "--", "b"], {"output": "--", "paths": ("b",)}, {"output"}),
        (["lint", "--", "-q", "--jobs"], {"paths": ("-q", "--jobs")}, set()),
        (
            ["lint", "--select", "RT3", "--select=RT401,RT402", "--ignore", ""],
            {"select": ("RT3", "RT401,RT402"), "ignore": ("",)},
            {"select", "ignore"},
        ),
        (["lint", "--jobs", "2", "-j", "3"], {"jobs": 3}, {"jobs"}),  # the last one wins
        (["lint", "--max-audio-bytes", "0", "--max-record-bytes", "1"],
         {"max_audio_bytes": 0, "max_record_bytes": 1}, {"max_audio_bytes", "max_record_bytes"}),
        (["lint", "--fail-on", "error"], {}, {"fail_on"}),  # given, though it is the default
        (["lint", "--event-pointer", "/event", "--isolated", "--statistics"],
         {"event_pointer": "/event", "isolated": True, "statistics": True},
         {"event_pointer", "isolated", "statistics"}),
        (["lint", "--config", "a.jsonl", "--audio-format", "audio/pcmu"],
         {"config_path": "a.jsonl", "audio_format": "audio/pcmu"}, {"config_path", "audio_format"}),
    ],
)  # fmt: skip
def test_plain_lines_are_read_without_click(
    argv: list[str], values: dict[str, Any], given: set[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = LintArgs({**DEFAULTS, **values}, frozenset(given))
    assert parse_lint(argv) == expected
    assert click_reads(argv, monkeypatch) == expected


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["rule"],
        ["--version"],
        ["lint", "--help"],
        ["lint", "-h"],
        ["lint", "-qh"],
        ["lint", "--jobs"],  # the value is missing
        ["lint", "--jobs", "-1"],
        ["lint", "--jobs=two"],
        ["lint", "--max-audio-bytes", "-1"],
        ["lint", "--format", "xml"],
        ["lint", "--format", "JSON"],  # click's choices are case-sensitive
        ["lint", "--fail-on", "info"],
        ["lint", "--quiet=yes"],
        ["lint", "--nope"],
        ["lint", "--form", "json"],  # click does not take prefixes of long options
        ["lint", "-x"],
        ["lint", "--output", "folder"],
        ["lint", "--config", "folder"],
        ["lint", "-o"],
    ],
)
def test_other_lines_are_left_to_click(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    assert parse_lint(argv) is None
    assert click_reads(argv, monkeypatch) is None


def test_thousands_of_paths_are_read_in_order() -> None:
    """A pre-commit hook passes every staged file at once."""
    paths = [f"missing-{n}.jsonl" for n in range(20_000)]
    parsed = parse_lint(["lint", "-q", *paths[:10_000], "--", *paths[10_000:]])
    assert parsed is not None and parsed.values["paths"] == tuple(paths)


def test_shell_completion_is_left_to_click(monkeypatch: pytest.MonkeyPatch) -> None:
    assert parse_lint(["lint", "a.jsonl"]) is not None
    monkeypatch.setenv(COMPLETION_VARIABLE, "bash_complete")
    assert parse_lint(["lint", "a.jsonl"]) is None


def test_an_unreadable_path_is_the_runs_to_report(monkeypatch: pytest.MonkeyPatch) -> None:
    """Not a usage error that stops the other inputs: both readings take it, and the run
    says it cannot read it (exit 2) and lints the rest (tests/test_nothing_lost.py)."""
    Path("secret.jsonl").write_text("")
    monkeypatch.setattr(os, "access", lambda *args, **kwargs: False)
    expected = LintArgs({**DEFAULTS, "paths": ("secret.jsonl",)}, frozenset())
    assert parse_lint(["lint", "secret.jsonl"]) == expected
    assert click_reads(["lint", "secret.jsonl"], monkeypatch) == expected


# --- the whole command, both ways --------------------------------------------------------

QUICK = "import sys; from validator.cli.main import main; main(sys.argv[1:])"
CLICK = "import sys; from validator.cli.app import main; main(sys.argv[1:])"


def _run(program: str, *args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", program, *args], capture_output=True, text=True, cwd=cwd
    )


def _timeless(text: str) -> str:
    import re

    return re.sub(r" in \d+\.\d\d s;", " in T s;", text)


@pytest.mark.parametrize(
    "args",
    [
        ["lint", LOG],
        ["lint", "--format", "jsonl", "--statistics", LOG, "fixtures/logs"],
        ["lint", "-q", "--select", "RT3", "--fail-on=warning", LOG],
        ["lint", "--format", "sarif", "--ignore", "RT301", "-j2", LOG],
        ["lint", "--select", "RT999", LOG],  # a usage error: click speaks
        ["lint", "--audio-format", "mp3", LOG],
        ["lint", "--event-pointer", "event", LOG],
        ["lint", "no-such-file.jsonl"],
        ["lint", "--format", "xml", LOG],
    ],
)
def test_the_command_is_the_same_run_either_way(args: list[str]) -> None:
    quick, slow = _run(QUICK, *args), _run(CLICK, *args)
    assert (quick.returncode, quick.stdout, _timeless(quick.stderr)) == (
        slow.returncode,
        slow.stdout,
        _timeless(slow.stderr),
    )
    assert "Traceback" not in quick.stderr


def test_a_configuration_file_is_read_either_way(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.realtime-validator]\nformat = "jsonl"\nignore = ["RT301"]\nfail-on = "warning"\n'
    )
    log = tmp_path / "log.jsonl"
    log.write_bytes((ROOT / LOG).read_bytes())
    for args in (["lint", "log.jsonl"], ["lint", "--format", "text", "log.jsonl"]):
        quick, slow = _run(QUICK, *args, cwd=tmp_path), _run(CLICK, *args, cwd=tmp_path)
        assert quick.returncode == slow.returncode == 1
        assert quick.stdout == slow.stdout
        assert ("RT301" in quick.stdout) is False
    bad = tmp_path / "pyproject.toml"
    bad.write_text('[tool.realtime-validator]\nformat = "xml"\n')
    quick = _run(QUICK, "lint", "log.jsonl", cwd=tmp_path)
    slow = _run(CLICK, "lint", "log.jsonl", cwd=tmp_path)
    assert quick.returncode == slow.returncode == 2
    assert quick.stderr == slow.stderr
    # the file is to blame, not the command line: no usage banner (SPEC: exit 2)
    assert "Usage:" not in quick.stderr
    assert quick.stderr.startswith("realtime-validator: error: [tool.realtime-validator] in ")


def test_a_plain_lint_does_not_import_click() -> None:
    program = (
        "import sys\nfrom validator.cli.main import main\n"
        "try:\n    main(['lint', '-q', sys.argv[1]])\n"
        "except SystemExit as exit:\n    print(exit.code, 'click' in sys.modules)\n"
    )
    proc = _run(program, LOG)
    assert proc.stdout.split("\n")[-2] == "1 False"


def test_an_interrupted_lint_says_aborted_and_exits_130() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", QUICK, "lint", "-q", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert proc.stdin is not None
    proc.stdin.write('{"type":"input_audio_buffer.clear"}\n')
    proc.stdin.flush()
    _wait_until_reading(proc.pid)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert (proc.returncode, err) == (130, "\nAborted!\n")  # 128 + SIGINT, as shells say


def _wait_until_reading(pid: int) -> None:
    """Wait until the process has opened standard input's pipe for reading its records,
    i.e. it is past its imports and blocked in read()."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
            wchan = Path(f"/proc/{pid}/wchan").read_text()
        except OSError:
            time.sleep(0.5)  # no /proc here: give it time to start
            return
        if stat.split(") ")[1][0] == "S" and "pipe" in wchan:
            return
        time.sleep(0.01)
