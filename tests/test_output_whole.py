"""Output written whole or not at all (issue #21): a report, a diff or standard input's
fixed stream that a full disk cuts short is an error (exit 2, "cannot write ..."), never a
run that exits 0 over a truncated output; a reader that goes away early stays quiet.

A short write is staged for real: the child's file size limit (``RLIMIT_FSIZE``, with
``SIGXFSZ`` ignored) lets ``write(2)`` take part of a buffer and refuse the rest (EFBIG), as a
full disk takes what fits and then says ENOSPC; ``/dev/full`` refuses every write at once.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import COMMAND, b64

from validator.report import REPORTER_BY_NAME

FORMATS = sorted(REPORTER_BY_NAME)
DEV_FULL = Path("/dev/full")
LIMIT = 20_000  # bytes a child may write to a file: less than any output below
# 100 appends in URL-safe base64: 100 RT301 findings, all fixable (1.3 MB)
URL_SAFE = b64(bytes(range(256)) * 38).replace("+", "-").replace("/", "_")
CAPTURE = "".join(
    f'{{"type":"input_audio_buffer.append","event_id":"evt_{i}","audio":"{URL_SAFE}"}}\n'
    for i in range(100)
).encode()


def _limited() -> None:
    """In the child: files stop growing at LIMIT bytes; a write past it is cut short."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT, LIMIT))


def _environment(unbuffered: bool) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    if unbuffered:
        env["PYTHONUNBUFFERED"] = "1"  # standard output unbuffered, as in many containers
    return env


def lint(
    *args: str | Path,
    stdout: int,
    stdin: bytes = b"",
    unbuffered: bool = True,
    limit: Callable[[], None] | None = None,
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [*COMMAND, "lint", "--isolated", *map(str, args)],
        input=stdin,
        stdout=stdout,
        stderr=subprocess.PIPE,
        env=_environment(unbuffered),
        preexec_fn=limit,
        timeout=120,
    )


def _refused(proc: subprocess.CompletedProcess[bytes], where: str, why: str) -> None:
    """Exit 2, the one error line, no traceback, nothing claimed fixed."""
    err = proc.stderr.decode()
    assert proc.returncode == 2, err
    assert "Traceback" not in err
    assert [line for line in err.splitlines() if "error:" in line] == [
        f"realtime-validator: error: cannot write {where}: {why}"
    ]
    assert "Fixed" not in err and "Would fix" not in err


@pytest.fixture
def capture(tmp_path: Path) -> Path:
    path = tmp_path / "capture.jsonl"
    path.write_bytes(CAPTURE)
    return path


def _no_temp_files(directory: Path) -> None:
    assert not [p.name for p in directory.iterdir() if p.name.startswith(".realtime-validator")]


# -- a write cut short --------------------------------------------------------------------------


@pytest.mark.parametrize("unbuffered", [True, False], ids=["unbuffered", "buffered"])
@pytest.mark.parametrize("output_format", FORMATS)
def test_a_report_cut_short_on_standard_output_is_an_error(
    tmp_path: Path, capture: Path, output_format: str, unbuffered: bool
) -> None:
    sink = tmp_path / "out"
    with sink.open("wb") as out:
        proc = lint(
            "--format", output_format, capture, stdout=out.fileno(), unbuffered=unbuffered,
            limit=_limited,
        )  # fmt: skip
    _refused(proc, "standard output", "File too large")
    assert sink.stat().st_size == LIMIT  # the disk took what fit, and the run said so


@pytest.mark.parametrize("output_format", FORMATS)
def test_a_report_cut_short_in_an_output_file_is_an_error(
    tmp_path: Path, capture: Path, output_format: str
) -> None:
    report = tmp_path / "report.txt"
    report.write_text("previous report\n")
    proc = lint(
        "--format", output_format, "--output", report, capture, stdout=subprocess.DEVNULL,
        limit=_limited,
    )  # fmt: skip
    _refused(proc, str(report), "File too large")
    assert report.read_text() == "previous report\n"
    _no_temp_files(tmp_path)


@pytest.mark.parametrize("unbuffered", [True, False], ids=["unbuffered", "buffered"])
@pytest.mark.parametrize("how", ["--fix -", "--diff", "--diff --output"])
def test_a_fixed_stream_or_diff_cut_short_is_an_error(
    tmp_path: Path, capture: Path, how: str, unbuffered: bool
) -> None:
    before = capture.read_bytes()
    sink = tmp_path / "out"
    report = tmp_path / "diff.txt"
    args: list[str | Path] = {
        "--fix -": ["--fix", "-"],
        "--diff": ["--diff", capture],
        "--diff --output": ["--diff", "--output", report, capture],
    }[how]
    with sink.open("wb") as out:
        proc = lint(*args, stdin=before, stdout=out.fileno(), unbuffered=unbuffered, limit=_limited)
    _refused(proc, str(report) if "--output" in how else "standard output", "File too large")
    assert capture.read_bytes() == before
    assert not report.exists()
    _no_temp_files(tmp_path)


# -- a device that refuses every write ------------------------------------------------------------


@pytest.mark.skipif(not DEV_FULL.exists(), reason="no /dev/full")
@pytest.mark.parametrize("how", ["--fix -", "--diff", "--diff --output", "--fix - --output"])
def test_fix_and_diff_to_dev_full(capture: Path, how: str) -> None:
    before = capture.read_bytes()
    args: list[str | Path] = {
        "--fix -": ["--fix", "-"],
        "--diff": ["--diff", capture],
        "--diff --output": ["--diff", "--output", DEV_FULL, capture],
        "--fix - --output": ["--fix", "--output", DEV_FULL, "-"],
    }[how]
    with DEV_FULL.open("wb") as full:
        proc = lint(*args, stdin=before, stdout=full.fileno())
    where = "/dev/full" if how.startswith("--diff --output") else "standard output"
    _refused(proc, where, "No space left on device")
    assert capture.read_bytes() == before


def test_the_diff_goes_to_the_output_file(tmp_path: Path, capture: Path) -> None:
    report = tmp_path / "diff.txt"
    proc = lint("--diff", "--output", report, capture, stdout=subprocess.PIPE)
    assert proc.returncode == 1 and proc.stdout == b""
    shown = lint("--diff", capture, stdout=subprocess.PIPE)
    assert report.read_bytes() == shown.stdout
    assert shown.stdout.startswith(f"--- {capture}\n".encode())


# -- a reader that goes away --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("how", "code"), [("--fix -", 0), ("--diff", 1), ("--format text", 1), ("--format json", 1)]
)
def test_a_reader_gone_early_is_no_error(
    tmp_path: Path, capture: Path, how: str, code: int
) -> None:
    """``| head -c 100``: no traceback, no error line; the exit code is the run's. Each
    output is larger than a pipe holds, so the run is still writing when the reader goes."""
    many = tmp_path / "many.jsonl"
    many.write_text('{"type":"input_audio_buffer.append","audio":"AA-A"}\n' * 5000)
    args = {
        "--fix -": ["--fix", "-"],
        "--diff": ["--diff", capture],
        "--format text": ["--format", "text", many],
        "--format json": ["--format", "json", many],
    }[how]
    proc = subprocess.Popen(
        [*COMMAND, "lint", "--isolated", *map(str, args)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_environment(True),
    )
    assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
    if how == "--fix -":
        proc.stdin.write(CAPTURE)
    proc.stdin.close()
    assert len(proc.stdout.read(100)) == 100
    proc.stdout.close()  # the reader goes away with most of the output unread
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == code, err
    assert "Traceback" not in err and "error:" not in err and "Exception" not in err
