"""The progress line: on a terminal for large inputs only, erased before findings and the end."""

from __future__ import annotations

import io
import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import pytest

from validator.cli import progress as progress_module
from validator.cli.run import run
from validator.cli.run_settings import RunSettings
from validator.engine.options import Options

BAD = '{"type":"input_audio_buffer.append","event_id":"evt_x","audio":"AA-A"}\n'


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _slow_capture(path: Path, lines: int) -> None:
    # escaped slashes keep every line off the fast road: about 25 us a line
    audio = "AAAA\\/AA" * 120
    line = f'{{"type":"input_audio_buffer.append","audio":"{audio}"}}\n'
    with path.open("w") as out:
        for i in range(lines):
            out.write(line if i != lines // 2 else BAD)


def test_wanted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    assert progress_module.wanted(Terminal(), quiet=False)
    assert not progress_module.wanted(Terminal(), quiet=True)
    assert not progress_module.wanted(io.StringIO(), quiet=False)
    monkeypatch.setenv("CI", "true")
    assert not progress_module.wanted(Terminal(), quiet=False)


@pytest.mark.parametrize("jobs", [1, 2])
def test_progress_line_is_drawn_and_erased(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    from validator.scale import protocol

    monkeypatch.setattr(progress_module, "MIN_PROGRESS_BYTES", 1)
    monkeypatch.setattr(progress_module, "_FIRST_DRAW_SECONDS", 0.0)
    monkeypatch.setattr(progress_module, "_REDRAW_SECONDS", 0.0)
    monkeypatch.setattr(protocol, "MIN_PARALLEL_BYTES", 1)
    monkeypatch.setattr(protocol, "_CHUNK_BYTES", 65536)
    path = tmp_path / "capture.jsonl"
    _slow_capture(path, 3000)
    err, out = Terminal(), io.StringIO()
    settings = RunSettings(paths=(str(path),), options=Options(), progress=True, jobs=jobs)
    assert run(settings, out, err) == 1
    text = err.getvalue()
    assert "\r\x1b[K" + str(path) in text
    assert " / 3.0 MB  (" in text and "/s" in text
    # the finding and the summary start on clean lines
    assert out.getvalue().startswith(f"{path}:1501:")
    assert text.split("\n")[-2].split("\r\x1b[K")[-1].startswith("Checked 3,000 records")


def test_no_progress_when_not_wanted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress_module, "MIN_PROGRESS_BYTES", 1)
    path = tmp_path / "capture.jsonl"
    _slow_capture(path, 100)
    err = Terminal()
    run(RunSettings(paths=(str(path),), options=Options(), progress=False), io.StringIO(), err)
    assert "\r" not in err.getvalue()


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_installed_command_on_a_terminal(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    _slow_capture(path, 70_000)  # about 68 MB, over a second of linting
    assert path.stat().st_size >= progress_module.MIN_PROGRESS_BYTES
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "validator", "lint", str(path)],
        stdout=subprocess.DEVNULL,
        stderr=slave,
        env=env,
    )
    os.close(slave)
    seen = b""
    while True:
        ready, _, _ = select.select([master], [], [], 30)
        if not ready:
            break
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    proc.wait(timeout=60)
    os.close(master)
    assert proc.returncode == 1
    assert b"MB/s" in seen and b"s left" in seen
    assert b"Checked 70,000 records" in seen


def test_one_progress_line_follows_the_tasks_of_many_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(progress_module, "MIN_PROGRESS_BYTES", 1)
    monkeypatch.setattr(progress_module, "_FIRST_DRAW_SECONDS", 0.0)
    monkeypatch.setattr(progress_module, "_REDRAW_SECONDS", 0.0)
    for k in range(6):
        _slow_capture(tmp_path / f"s{k}.jsonl", 500)
    total = sum(p.stat().st_size for p in tmp_path.glob("*.jsonl"))
    err, out = Terminal(), io.StringIO()
    settings = RunSettings(paths=(str(tmp_path),), options=Options(), progress=True, jobs=2)
    assert run(settings, out, err) == 1
    text = err.getvalue()
    assert "\r\x1b[K6 files  " in text  # the run's line, not one per file
    assert f" / {progress_module.human_bytes(total)}  (" in text
    # every finding starts on a clean line, and the summary too
    assert out.getvalue().count("\n") == 6
    assert all(line.startswith(str(tmp_path)) for line in out.getvalue().splitlines())
    assert text.split("\n")[-2].split("\r\x1b[K")[-1].startswith("Checked 3,000 records")
