"""Nothing lost, part two (issue #21), through the installed command: a HAR message that
repeats its ``data``, a HAR that escapes its quotes as ``\\u0022`` under ``--fix``, the
summary's audio (what the server rejected apart, a precision that fits), its time, and the
order of an error and the summary."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

COMMAND = [shutil.which("realtime-validator") or "realtime-validator"]
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
