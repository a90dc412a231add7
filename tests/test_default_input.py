"""``lint`` with no path: ``.`` on a terminal (ruff's behaviour), standard input from a pipe
or a file; ``-`` always reads standard input. Run through the installed command, with a
pseudo-terminal as its standard input where a terminal is meant."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from conftest import COMMAND

BAD = b'{"type":"input_audio_buffer.append","event_id":"evt_2","audio":"AA-A"}\n'
PIPED = b'{"type":"input_audio_buffer.append","event_id":"evt_9","audio":"AA_A"}\n'

pytestmark = pytest.mark.skipif(not hasattr(os, "openpty"), reason="no pseudo-terminals")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A folder holding one capture, and a pyproject.toml whose table excludes another."""
    (tmp_path / "capture.jsonl").write_bytes(BAD)
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "skipped.jsonl").write_bytes(BAD)
    (tmp_path / "pyproject.toml").write_text(
        '[tool.realtime-validator]\nextend-exclude = ["old"]\n'
    )
    return tmp_path


def _run(
    cwd: Path, *args: str, stdin: int | None = None, data: bytes | None = None
) -> tuple[int, str, str]:
    proc = subprocess.run(
        [*COMMAND, "lint", *args],
        cwd=cwd,
        stdin=stdin,
        input=data,
        capture_output=True,
        timeout=120,
    )
    return proc.returncode, proc.stdout.decode(), proc.stderr.decode()


def test_no_path_on_a_terminal_lints_the_working_directory(project: Path) -> None:
    primary, secondary = os.openpty()
    try:
        assert os.isatty(secondary)
        code, out, err = _run(project, stdin=secondary)
    finally:
        os.close(primary)
        os.close(secondary)
    assert code == 1, err
    # the walk of '.', its configuration's exclude respected: old/ is not linted
    assert out.splitlines() == [
        "./capture.jsonl:1:67: RT301 [*] audio is not valid base64: '-' at index 2; this looks "
        "like URL-safe base64 ('-' and '_'): use the standard alphabet (base64.b64encode, "
        "not urlsafe_b64encode), or replace '-' with '+' and '_' with '/'"
    ]
    assert "Checked 1 record:" in err


def test_no_path_with_a_pipe_reads_standard_input(project: Path) -> None:
    code, out, err = _run(project, data=PIPED)
    assert code == 1, err
    assert out.startswith("<stdin>:1:67: RT301 audio is not valid base64: '_' at index 2")
    assert "capture.jsonl" not in out


def test_no_path_with_a_file_on_standard_input_reads_it(project: Path, tmp_path: Path) -> None:
    piped = tmp_path / "piped.txt"  # no capture suffix: never walked
    piped.write_bytes(PIPED)
    with piped.open("rb") as stream:
        code, out, _ = _run(project, stdin=stream.fileno())
    assert code == 1
    assert out.startswith("<stdin>:1:67: RT301 ") and "capture.jsonl" not in out


def test_dash_reads_standard_input_even_on_a_terminal(project: Path) -> None:
    code, out, _ = _run(project, "-", data=PIPED)
    assert code == 1 and out.startswith("<stdin>:1:67: RT301 ")
    primary, secondary = os.openpty()
    try:
        os.write(primary, PIPED + b"\x04")  # the line, then end of input (Ctrl-D)
        code, out, _ = _run(project, "-", stdin=secondary)
    finally:
        os.close(primary)
        os.close(secondary)
    assert out.startswith("<stdin>:1:67: RT301 ")
    assert "capture.jsonl" not in out


def test_no_path_on_a_terminal_in_a_folder_without_captures(tmp_path: Path) -> None:
    primary, secondary = os.openpty()
    try:
        code, out, err = _run(tmp_path, "--isolated", stdin=secondary)
    finally:
        os.close(primary)
        os.close(secondary)
    assert (code, out) == (2, "")
    assert "no inputs found in .: looked for" in err


def test_no_path_with_dev_null_on_standard_input_lints_the_working_directory(
    project: Path,
) -> None:
    """/dev/null (cron's, a CI runner's) is no capture: as on a terminal, '.' is linted."""
    code, out, _ = _run(project, stdin=subprocess.DEVNULL)
    assert code == 1 and out.startswith("./capture.jsonl:1:67: RT301 ")
