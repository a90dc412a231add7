"""Nothing lost, part two (issue #21), through the installed command: a HAR message that
repeats its ``data``, a HAR that escapes its quotes as ``\\u0022`` under ``--fix``, the
summary's audio (what the server rejected apart, a precision that fits), its time, and the
order of an error and the summary."""

from __future__ import annotations

import json
import re
import subprocess
import time
from pathlib import Path

import pytest
from conftest import COMMAND, b64

APPEND = "input_audio_buffer.append"


def run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``realtime-validator lint --isolated ARGS``; text out."""
    return subprocess.run(
        [*COMMAND, "lint", "--isolated", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )


def place(text: str, offset: int) -> tuple[int, int]:
    """Return the 1-based line and column of ``offset`` in ``text``."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


# -- E: a HAR message with two data keys -----------------------------------------------------


def _message(event: dict[str, str]) -> str:
    """Return the JSON string token that a HAR's ``data`` holds for ``event``."""
    return json.dumps(json.dumps(event, separators=(",", ":")))


def test_a_repeated_data_key_is_rt104_there_and_both_events_are_checked(tmp_path: Path) -> None:
    first = _message({"type": APPEND, "event_id": "a", "audio": "AA-A"})
    second = _message({"type": APPEND, "event_id": "b", "audio": "AA_A"})
    text = (
        '{"log": {"entries": [{"_webSocketMessages": [\n'
        '  {"type": "send", "time": 1.5, "opcode": 1,\n'
        f'   "data": {first},\n'
        f'   "data": {second}}}\n'
        "]}]}}\n"
    )
    path = tmp_path / "capture.har"
    path.write_text(text)
    proc = run("--format", "jsonl", path)
    assert proc.returncode == 1
    found = [json.loads(line) for line in proc.stdout.splitlines()]
    second_key = text.index('"data"', text.index('"data"') + 1)
    expected = [
        ("RT301", place(text, text.index("-A", text.index(first)))),
        ("RT104", place(text, second_key)),
        ("RT301", place(text, text.index("_A", text.index(second)))),
    ]
    assert [(f["rule"], (f["line"], f["column"])) for f in found] == expected
    assert [f["event_id"] for f in found] == ["a", None, "b"]
    assert found[1]["pointer"] == "/log/entries/0/_webSocketMessages/0/data"
    line, column = expected[1][1]
    assert f"{path}:{line}:{column}: RT104 key 'data' appears more than once" in run(path).stdout
    assert "Checked 2 records: 2 append events" in proc.stderr


# -- F: a HAR that escapes its quotes as \u0022, under --fix -----------------------------------

AUDIO = b64(bytes([0xFB, 0xFF, 0xBF, 0x00, 0x10, 0x83]) * 20)  # "+/+/ABCD" 20 times
STYLES = {
    "quotes": {'"': "\\u0022"},
    # System.Text.Json's default: HTML-sensitive characters and '+' as \u escapes too
    "dotnet": {'"': "\\u0022", "+": "\\u002B", "<": "\\u003C", "'": "\\u0027"},
}


@pytest.mark.parametrize("style", sorted(STYLES))
def test_fix_keeps_the_har_s_own_escapes(tmp_path: Path, style: str) -> None:
    escapes = STYLES[style]
    urlsafe = AUDIO.replace("+", "-").replace("/", "_")  # RT301, fixed to AUDIO
    event = {"type": APPEND, "event_id": "evt_<1>'s+", "audio": urlsafe}
    message = json.dumps(event, separators=(",", ":"))
    written = "".join(escapes.get(c, c) for c in message)
    text = (
        '{"log": {"entries": [{"_webSocketMessages": [\n'
        f'  {{"type": "send", "time": 1.5, "opcode": 1, "data": "{written}"}}\n'
        "]}]}}\n"
    )
    path = tmp_path / "capture.har"
    path.write_text(text)
    diff = run("--diff", path)
    assert diff.returncode == 1 and "Would fix 1 finding" in diff.stderr
    fixed = run("--fix", path)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    after = path.read_text()
    data = after[after.index('"data": "') + 9 : after.rindex('"}')]
    for char, escape in escapes.items():
        assert char not in data and escape in data  # written as the file writes it
    assert "\\" not in data.replace("\\u", "")  # no other escape: no \" among them
    sent = json.loads(json.loads(after)["log"]["entries"][0]["_webSocketMessages"][0]["data"])
    assert sent == {**event, "audio": AUDIO}
    assert after == text.replace(
        written, "".join(escapes.get(c, c) for c in json.dumps(sent, separators=(",", ":")))
    )
    # --diff showed the very same line
    assert [
        line[1:]
        for line in diff.stdout.splitlines()
        if line.startswith("+{") or line.startswith("+  {")
    ] == [after.splitlines()[1]]
    assert run(path).returncode == 0  # and the lint of the fixed file is clean


# -- G: the summary's audio ---------------------------------------------------------------------


def _append(audio: str, **more: str) -> str:
    return json.dumps({"type": APPEND, "audio": audio, **more}) + "\n"


def _summary_and_statistics(path: Path) -> tuple[str, dict[str, object]]:
    """Return the summary line of a lint of ``path``, and the json format's statistics."""
    text = run(path).stderr.splitlines()[-1]
    document = json.loads(run("--format", "json", path).stdout)
    return text, document["statistics"]


SECOND = b64(bytes(48_000))  # one second of pcm16
CASES = {
    # every append rejected: no audio reached the server
    "all rejected": (
        [_append("-" + SECOND[1:]), _append(SECOND, rate="24000")],
        "0 ms of audio (and 2.0 s rejected)",
    ),
    "accepted and rejected": (
        [_append(SECOND), _append("-" + b64(bytes(14_400))[1:])],
        "1.0 s of audio (and 300 ms rejected)",
    ),
    "40 ms": ([_append(b64(bytes(1_920)))], "40 ms of audio"),
    "2.5 ms": ([_append(b64(bytes(120)))], "2.5 ms of audio"),
    "none": (['{"type": "input_audio_buffer.commit"}\n'], "0 ms of audio"),
    # a warning is no rejection: RT306's odd byte is sent
    "a warning": ([_append(b64(bytes(48_001)))], "1.0 s of audio"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_summary_counts_the_audio_the_server_accepts(tmp_path: Path, case: str) -> None:
    lines, said = CASES[case]
    path = tmp_path / "capture.jsonl"
    path.write_text("".join(lines))
    summary, stats = _summary_and_statistics(path)
    appends = sum(APPEND in line for line in lines)
    assert f" {appends} append event{'' if appends == 1 else 's'}, {said}, " in summary
    rejected = "(and" in said
    assert (stats["rejected_audio_bytes"] > 0) == rejected  # type: ignore[operator]
    assert stats["audio_seconds"] == round(stats["audio_bytes"] / 48_000, 3)  # type: ignore[operator]


def test_a_chunk_over_15_mib_is_audio_rejected(tmp_path: Path) -> None:
    path = tmp_path / "capture.jsonl"
    path.write_text(_append(b64(bytes(16 * 2**20))))  # RT304: the server refuses it
    summary, stats = _summary_and_statistics(path)
    assert ", 0 ms of audio (and 349.5 s rejected), " in summary
    assert stats["audio_seconds"] == 0
    assert stats["rejected_audio_seconds"] == round(16 * 2**20 / 48_000, 3)
    assert stats["rejected_audio_bytes"] == 16 * 2**20


# -- H: the time of a run ------------------------------------------------------------------------


def _seconds(summary: str) -> float:
    """Return the time a summary line says the run took."""
    found = re.search(r" in ([0-9.]+) s; ", summary)
    assert found is not None, summary
    return float(found.group(1))


@pytest.mark.parametrize("how", [["--dask", "local"], ["--jobs", "2"], []])
def test_the_summary_times_the_whole_run(tmp_path: Path, how: list[str]) -> None:
    if how[:1] == ["--dask"]:
        pytest.importorskip("distributed")
    for k in range(40):
        (tmp_path / f"s{k:02d}.jsonl").write_text(_append(SECOND) * 20)
    started = time.perf_counter()
    proc = run(*how, "--format", "json", tmp_path)
    wall = time.perf_counter() - started
    said = _seconds(proc.stderr.splitlines()[-1])
    statistics = json.loads(proc.stdout)["statistics"]
    # the summary rounds the run's seconds to 10 ms, the json statistics to 1 ms: the two
    # roundings of one figure differ by at most half of each
    assert abs(said - statistics["seconds"]) <= 0.005 + 0.0005 + 1e-9, (said, statistics)
    assert said <= wall  # all of it but the interpreter's start and exit
    if not how:  # one process: each input's time within it, one after the other
        inputs = sum(own["seconds"] for own in statistics["by_file"].values())
        assert inputs <= said + 0.005 + 1e-9  # the summary rounds to 10 ms
    if how[:1] == ["--dask"]:
        assert said >= 0.6 * wall, (said, wall)  # the cluster's start: most of the run


# -- I: an error, then the summary -----------------------------------------------------------------


@pytest.mark.parametrize("case", ["empty directory", "missing file", "no event", "one unread"])
def test_an_error_comes_before_the_summary(tmp_path: Path, case: str) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "blank.jsonl").write_text("\n\n")
    (tmp_path / "good.jsonl").write_text(_append(SECOND))
    paths = {
        "empty directory": ["empty"],
        "missing file": ["missing.jsonl"],
        "no event": ["blank.jsonl"],
        "one unread": ["missing.jsonl", "good.jsonl"],
    }[case]
    proc = run(*paths, cwd=tmp_path)
    assert proc.returncode == 2
    lines = proc.stderr.splitlines()
    assert len(lines) == 2
    error, summary = lines
    assert error.startswith("realtime-validator: error: ")
    assert summary.startswith("Checked ")
    quiet = run("-q", *paths, cwd=tmp_path)
    assert (quiet.returncode, quiet.stderr.splitlines()) == (2, [error])
