"""Nothing lost, nothing silent: every input read or refused aloud, no capture overwritten,
exits and names as a user expects (issue #13), through the installed command."""

from __future__ import annotations

import gzip
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import zlib
from pathlib import Path

import pytest
from conftest import FIXTURES, b64

import validator
from validator.cli.argv import parse_lint

COMMAND = [shutil.which("realtime-validator") or "realtime-validator"]
APPEND = '{"type":"input_audio_buffer.append","event_id":"evt_%d","audio":"%s"}\n'
BAD = '{"type":"input_audio_buffer.append","audio":"AA-A"}\n'
GOOD = '{"type":"input_audio_buffer.append","audio":"' + b64(bytes(4800)) + '"}\n'


def run(
    *args: str | Path, cwd: Path | None = None, timeout: float = 60, **kwargs: object
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(  # type: ignore[call-overload, no-any-return]
        [*COMMAND, "lint", "--isolated", *map(str, args)],
        capture_output="stdout" not in kwargs,
        cwd=cwd,
        timeout=timeout,
        **kwargs,
    )


def errors(proc: subprocess.CompletedProcess[bytes]) -> list[str]:
    return [
        line for line in proc.stderr.decode("utf-8", "replace").splitlines() if "error:" in line
    ]


# -- no capture is ever overwritten -----------------------------------------------------------


@pytest.mark.parametrize("how", ["same", "symlink", "other-path", "hard-link"])
def test_output_over_an_input_is_refused(tmp_path: Path, how: str) -> None:
    capture = tmp_path / "in.jsonl"
    capture.write_text(BAD)
    before = capture.read_bytes()
    output = {
        "same": capture,
        "symlink": tmp_path / "link.jsonl",
        "other-path": tmp_path / "sub" / ".." / "in.jsonl",
        "hard-link": tmp_path / "hard.jsonl",
    }[how]
    (tmp_path / "sub").mkdir()
    if how == "symlink":
        output.symlink_to(capture)
    elif how == "hard-link":
        os.link(capture, output)
    proc = run(capture, "-o", output)
    assert proc.returncode == 2
    assert proc.stdout == b""
    assert errors(proc) == [
        f"realtime-validator: error: {output} is the input {capture}: the report would be "
        "written over the capture; write it elsewhere"
    ]
    assert capture.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".realtime-validator-")]


def test_output_over_an_input_found_in_a_directory_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text(GOOD)
    (tmp_path / "b.jsonl").write_text(BAD)
    proc = run(tmp_path, "--output", tmp_path / "b.jsonl")
    assert proc.returncode == 2 and "is the input" in errors(proc)[0]
    assert (tmp_path / "b.jsonl").read_text() == BAD


def test_standard_output_redirected_into_an_input_is_refused(tmp_path: Path) -> None:
    # `lint x.jsonl >> x.jsonl`: the report would be read back as the capture grows, forever
    capture = tmp_path / "x.jsonl"
    capture.write_text(BAD * 3)
    with capture.open("ab") as out:
        proc = run(capture, stdout=out, stderr=subprocess.PIPE, timeout=30)
    assert proc.returncode == 2
    assert b"standard output is the input" in proc.stderr
    assert capture.read_text() == BAD * 3


def test_output_to_another_file_still_works(tmp_path: Path) -> None:
    capture = tmp_path / "x.jsonl"
    capture.write_text(BAD)
    report = tmp_path / "report.txt"
    proc = run(capture, "-o", report)
    assert proc.returncode == 1
    assert report.read_text().startswith(f"{capture}:1:")


# -- nothing passes unread ------------------------------------------------------------------------


def test_an_empty_directory_is_no_input(tmp_path: Path) -> None:
    proc = run(tmp_path)
    assert proc.returncode == 2
    assert errors(proc) == [
        f"realtime-validator: error: no inputs found in {tmp_path}: looked for *.jsonl, "
        "*.ndjson, *.json, *.har (and .gz); name a file, or add --extend-include '*.log' for "
        "other names"
    ]


def test_captures_under_other_names_need_extend_include(tmp_path: Path) -> None:
    (tmp_path / "session.log").write_text(BAD)
    (tmp_path / "notes.txt").write_text("not a capture\n")
    (tmp_path / "deep").mkdir()
    (tmp_path / "deep" / "other.log").write_text(BAD)
    assert run(tmp_path).returncode == 2
    proc = run(tmp_path, "--extend-include", "*.log")
    assert proc.returncode == 1
    sources = {line.split(":")[0] for line in proc.stdout.decode().splitlines()}
    assert sources == {str(tmp_path / "session.log"), str(tmp_path / "deep" / "other.log")}
    proc = run(tmp_path, "--extend-include", "deep/*.log")  # a glob with '/': the path below
    assert {line.split(":")[0] for line in proc.stdout.decode().splitlines()} == {
        str(tmp_path / "deep" / "other.log")
    }
    # a file named on the command line is linted whatever its name
    assert run(tmp_path / "session.log").returncode == 1


def test_extend_include_from_the_configuration(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.realtime-validator]\nextend-include = ["*.log"]\n'
    )
    (tmp_path / "captures").mkdir()
    (tmp_path / "captures" / "a.log").write_text(BAD)
    proc = subprocess.run(
        [*COMMAND, "lint", "captures"], cwd=tmp_path, capture_output=True, timeout=60
    )
    assert proc.returncode == 1
    assert proc.stdout.decode().startswith("captures/a.log:1:")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("empty.jsonl", b""),
        ("blank.jsonl", b"\n\n  \n"),
        (
            "http-only.har",
            json.dumps({"log": {"version": "1.2", "entries": [{"request": {}}]}}).encode(),
        ),
    ],
)
def test_an_input_with_no_event_is_said_so(tmp_path: Path, name: str, content: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    proc = run(path)
    assert proc.returncode == 2
    assert errors(proc) == [
        f"realtime-validator: error: nothing to lint: no event in {path} (empty, blank lines "
        "only, or a HAR without websocket messages)"
    ]
    # one input with events is enough
    (tmp_path / "good.jsonl").write_text(GOOD)
    assert run(path, tmp_path / "good.jsonl").returncode == 0


def test_a_fifo_in_a_walk_is_skipped_and_a_named_one_is_read(tmp_path: Path) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    (tmp_path / "a.jsonl").write_text(BAD)
    fifo = tmp_path / "b.jsonl"
    os.mkfifo(fifo)
    proc = run(tmp_path, timeout=30)  # read, the FIFO would block forever
    assert proc.returncode == 1
    assert proc.stdout.decode().count("RT301") == 1

    def feed() -> None:
        with fifo.open("w") as writer:
            writer.write(BAD * 2)

    writer = threading.Thread(target=feed)
    writer.start()
    proc = run(fifo, timeout=30)
    writer.join(timeout=30)
    assert proc.returncode == 1
    assert proc.stdout.decode().count("RT301") == 2


def test_an_input_that_cannot_be_read_does_not_stop_the_others(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # the quick reader and click both leave an unreadable path to the run (exit 2, the others
    # linted), where click's readable check used to stop everything with a usage error
    secret = tmp_path / "secret.jsonl"
    secret.write_text(BAD)
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, m, **k: p != str(secret) and real_access(p, m))
    parsed = parse_lint(["lint", str(secret), str(tmp_path)])
    assert parsed is not None and parsed.values["paths"] == (str(secret), str(tmp_path))
    from validator.cli.app import lint_command

    (paths,) = [p for p in lint_command.params if p.name == "paths"]
    assert paths.type.readable is False  # type: ignore[attr-defined]
    proc = run(tmp_path / "missing.jsonl", secret)
    assert proc.returncode == 2
    assert errors(proc) == [
        f"realtime-validator: error: cannot read {tmp_path / 'missing.jsonl'}: "
        "No such file or directory"
    ]
    assert proc.stdout.decode().startswith(f"{secret}:1:")


# -- exits ----------------------------------------------------------------------------------------


def test_ctrl_c_exits_130_and_the_workers_end(tmp_path: Path) -> None:
    capture = tmp_path / "big.jsonl"
    line = (APPEND % (0, b64(bytes(range(256)) * 40))).encode()
    with capture.open("wb") as out:
        for _ in range(200):
            out.write(line.replace(b"evt_0", b"evt_x") * 300)  # RT402: the slow road, slowly
    proc = subprocess.Popen(
        [*COMMAND, "lint", "--isolated", "--jobs", "2", "-q", str(capture)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # a group of its own, as a terminal's Ctrl-C reaches
    )
    time.sleep(1.5)
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert b"Traceback" not in err
    assert err.endswith(b"Aborted!\n")
    time.sleep(0.5)
    with pytest.raises(ProcessLookupError):
        os.killpg(proc.pid, 0)  # nothing of the group is left running


# -- names that are not UTF-8, or hold a newline ----------------------------------------------


def test_file_names_that_are_not_utf8_or_hold_a_newline(tmp_path: Path) -> None:
    odd = os.fsdecode(b"caf\xe9\nlog.jsonl")
    path = tmp_path / odd
    path.write_text(BAD)
    raw = os.fsencode(str(path))
    proc = subprocess.run(
        [*COMMAND, "lint", "--isolated", "--format", "jsonl", raw],
        capture_output=True,
        timeout=60,
    )
    (row,) = [json.loads(line) for line in proc.stdout.decode("utf-8").splitlines()]
    assert row["source"] == str(path)  # '\udce9' escaped as JSON writes it: valid UTF-8
    proc = subprocess.run(
        [*COMMAND, "lint", "--isolated", "--format", "json", raw], capture_output=True, timeout=60
    )
    assert json.loads(proc.stdout.decode("utf-8"))["findings"][0]["source"] == str(path)
    # text: one line per finding, the newline written as \n, the byte as it is on disk
    proc = subprocess.run([*COMMAND, "lint", "--isolated", raw], capture_output=True, timeout=60)
    (line,) = proc.stdout.splitlines()
    assert line.startswith(os.fsencode(str(tmp_path)) + b"/caf\xe9\\nlog.jsonl:1:")
    # github: the real file, its newline escaped as the Actions toolkit does
    proc = subprocess.run(
        [*COMMAND, "lint", "--isolated", "--format", "github", raw],
        capture_output=True,
        timeout=60,
    )
    assert b"caf\xe9%0Alog.jsonl" in proc.stdout and b"\\udce9" not in proc.stdout


def test_an_event_pointer_that_is_not_utf8_gives_valid_json(tmp_path: Path) -> None:
    path = tmp_path / "wrapped.jsonl"
    path.write_text('{"ts": 1}\n')
    proc = subprocess.run(
        [*COMMAND, "lint", "--isolated", "--format", "jsonl", "--event-pointer", b"/ev\xff", path],
        capture_output=True,
        timeout=60,
    )
    (row,) = [json.loads(line) for line in proc.stdout.decode("utf-8").splitlines()]
    assert row["rule"] == "RT201" and "\udcff" in row["message"]


# -- the library ----------------------------------------------------------------------------------


def test_lint_takes_a_path_in_bytes(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text(BAD)
    assert [v.rule for v in validator.lint(os.fsencode(str(path)))] == ["RT301"]


def test_lint_refuses_what_it_cannot_read_at_the_call() -> None:
    with pytest.raises(TypeError, match=r"these bytes look like JSON text: pass io.BytesIO"):
        validator.lint(BAD.encode())
    with pytest.raises(TypeError, match="not int"):
        validator.lint(42)  # type: ignore[arg-type]
    result = validator.lint([BAD, None])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="line 2 of the iterable is NoneType, not str or bytes"):
        list(result)


def test_lint_walks_a_directory_as_the_command_line_does(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text(BAD)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.jsonl").write_text(BAD + BAD)
    (tmp_path / "notes.txt").write_text("x\n")
    result = validator.lint(tmp_path)
    assert [(v.source, v.line) for v in result] == [
        (str(tmp_path / "a.jsonl"), 1),
        (str(tmp_path / "sub" / "b.jsonl"), 1),
        (str(tmp_path / "sub" / "b.jsonl"), 2),
    ]
    assert (result.statistics.files, result.statistics.records) == (2, 3)


# -- a gzip that fails midway ---------------------------------------------------------------------


def _recoverable(data: bytes) -> bytes:
    """Return what zcat recovers of a damaged gzip stream: every byte it can inflate."""
    inflate = zlib.decompressobj(wbits=31)
    return inflate.decompress(data)


@pytest.mark.parametrize("damage", ["truncated", "junk-after"])
def test_a_gzip_that_fails_midway_keeps_what_was_read(tmp_path: Path, damage: str) -> None:
    lines = []
    for i in range(20_000):
        audio = b64(bytes([i % 256]) * 960)
        if i % 50 == 7:
            audio = audio[:-4] + "AA-A"  # RT301 now and then
        lines.append(APPEND % (i, audio))
    data = "".join(lines).encode()
    packed = gzip.compress(data, compresslevel=1, mtime=0)
    broken = packed[: len(packed) * 3 // 4] if damage == "truncated" else packed + b"\x00junk"
    path = tmp_path / "capture.jsonl.gz"
    path.write_bytes(broken)
    recovered = _recoverable(broken)
    complete = recovered.count(b"\n")
    result = validator.lint(path)
    found = []
    with pytest.raises((EOFError, OSError)):
        for violation in result:
            found.append(violation)
    stats = result.statistics
    assert stats.records >= complete - 1  # every complete line, and maybe the cut one
    assert len(found) == sum(1 for line in lines[:complete] if "AA-A" in line)
    assert stats.append_events == stats.records
    assert stats.audio_seconds == pytest.approx(stats.audio_bytes / 48_000)
    assert stats.audio_seconds > 0
    proc = run(path)
    assert proc.returncode == 2
    assert proc.stdout.decode().count("RT301") == len(found)
    assert errors(proc)[0].startswith(f"realtime-validator: error: cannot read {path}: ")
    assert f"Checked {stats.records:,} records" in proc.stderr.decode()


def test_library_statistics_are_whole_when_iteration_stops_early() -> None:
    data = "".join(GOOD for _ in range(1000)) + BAD
    result = validator.lint(io.BytesIO(data.encode()))
    for _ in result:
        break
    result._findings.close()  # type: ignore[attr-defined]
    assert result.statistics.append_events == 1001
    assert result.statistics.audio_seconds == pytest.approx(1000 * 0.1)


def test_the_fixtures_still_lint_the_same(tmp_path: Path) -> None:
    # the refusal of an output over an input must not touch ordinary runs
    proc = run(FIXTURES / "logs" / "session.jsonl", "-o", tmp_path / "report.txt")
    assert proc.returncode == 1
    assert len((tmp_path / "report.txt").read_text().splitlines()) == 7


if sys.platform == "win32":  # pragma: no cover
    pytestmark = pytest.mark.skip("POSIX file names and signals")


# -- one record's findings are capped -------------------------------------------------------------


def test_the_findings_of_one_record_are_capped_per_rule() -> None:
    from validator.core.violation import MAX_PER_RULE

    twice = ",".join(f'"d{k}":0,"d{k}":1' for k in range(1000))
    unknown = ",".join(f'"u{k}":0' for k in range(700))
    line = '{"type":"input_audio_buffer.append","audio":"AAAAAA==",' + twice + "," + unknown + "}"
    found = list(validator.lint([line]))
    rules = [v.rule for v in found]
    assert rules.count("RT104") == rules.count("RT203") == MAX_PER_RULE + 1
    more = [v for v in found if v.message.startswith("and ")]
    # the d keys are unknown too: 1,000 + 700 RT203; where the first left out is, d50
    assert [(v.rule, v.message.split(" in this record")[0], v.column) for v in more] == [
        ("RT203", "and 1,650 more RT203 findings", line.index('"d50":0') + 1),
        ("RT104", "and 950 more RT104 findings", line.index('"d50":1') + 1),
    ]
    # the pure core caps the same way
    core = validator.validate_event(line)
    assert sorted(v.rule for v in core) == sorted(rules)
    assert validator.lint([line]).statistics is not None


def test_a_walk_takes_gzip_inside_gzip(tmp_path: Path) -> None:
    (tmp_path / "x.jsonl.gz.gz").write_bytes(gzip.compress(gzip.compress(BAD.encode())))
    proc = run(tmp_path)
    assert proc.returncode == 1 and b"RT301" in proc.stdout
