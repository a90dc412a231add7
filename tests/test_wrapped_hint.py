"""The hint to ``--event-pointer``: a capture whose records hold their events under one key
(``{"ts": ..., "event": {...}}``) is told once where the events are."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import b64

from validator import lint
from validator.cli.app import cli
from validator.core.statistics import WRAPPED_MIN, Statistics
from validator.report.summary import wrapped_hints

HINT = "realtime-validator: hint: events seem to be under /event: use --event-pointer /event"
AUDIO = b64(bytes(960))  # 20 ms of pcm16 silence


def _append(n: int) -> dict[str, object]:
    return {"type": "input_audio_buffer.append", "event_id": f"evt_{n}", "audio": AUDIO}


def _write(path: Path, records: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def _wrapped(n: int, key: str = "event") -> dict[str, object]:
    return {"ts": 1700000000.0 + n / 50, "direction": "client", key: _append(n)}


def run(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["lint", "--isolated", *map(str, args)])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_a_wrapped_capture_is_told_where_its_events_are(tmp_path: Path) -> None:
    capture = _write(tmp_path / "wrapped.jsonl", [_wrapped(n) for n in range(10)])
    code, out, err = run(capture)
    assert code == 1 and out.count(" RT201 ") == 10
    assert err.count("hint:") == 1
    assert err.splitlines()[-1] == HINT
    # the hint's advice works: the same file is clean with it, and nothing is hinted then
    code, out, err = run("--event-pointer", "/event", capture)
    assert (code, out) == (0, "")
    assert "hint:" not in err and "0 findings" in err


@pytest.mark.parametrize("key", ["data", "message", "payload"])
def test_the_hint_names_the_key_found(tmp_path: Path, key: str) -> None:
    capture = _write(tmp_path / "wrapped.jsonl", [_wrapped(n, key) for n in range(4)])
    _, _, err = run(capture)
    assert err.splitlines()[-1] == (
        f"realtime-validator: hint: events seem to be under /{key}: use --event-pointer /{key}"
    )
    assert run("--event-pointer", f"/{key}", capture)[0] == 0


def test_a_normal_capture_gets_no_hint(tmp_path: Path) -> None:
    capture = _write(tmp_path / "bare.jsonl", [_append(n) for n in range(10)])
    code, _, err = run(capture)
    assert code == 0 and "hint:" not in err


def test_a_few_wrapped_records_in_a_log_of_bare_events_get_no_hint(tmp_path: Path) -> None:
    records = [_append(n) for n in range(10)]
    records[3] = _wrapped(3)
    records[7] = _wrapped(7)
    code, out, err = run(_write(tmp_path / "mixed.jsonl", records))
    assert code == 1 and out.count(" RT201 ") == 2
    assert "hint:" not in err


def test_half_is_not_most(tmp_path: Path) -> None:
    records = [_append(0), _wrapped(1), _append(2), _wrapped(3)]
    assert "hint:" not in run(_write(tmp_path / "half.jsonl", records))[2]
    records.append(_wrapped(4))  # three of five
    assert run(_write(tmp_path / "most.jsonl", records))[2].splitlines()[-1] == HINT


def test_one_wrapped_record_is_not_yet_a_shape(tmp_path: Path) -> None:
    assert WRAPPED_MIN == 2
    assert "hint:" not in run(_write(tmp_path / "one.jsonl", [_wrapped(0)]))[2]
    assert run(_write(tmp_path / "two.jsonl", [_wrapped(0), _wrapped(1)]))[2].endswith(HINT + "\n")


def test_wrapped_objects_that_hold_no_realtime_event_get_no_hint(tmp_path: Path) -> None:
    records = [{"ts": n, "event": {"type": "click", "x": n}} for n in range(5)]
    assert "hint:" not in run(_write(tmp_path / "other.jsonl", records))[2]
    records = [{"ts": n, "data": [_append(n)]} for n in range(5)]  # not an object there
    assert "hint:" not in run(_write(tmp_path / "list.jsonl", records))[2]


def test_said_once_a_run_naming_the_inputs_when_only_some_are_wrapped(tmp_path: Path) -> None:
    a = _write(tmp_path / "a.jsonl", [_wrapped(n) for n in range(3)])
    b = _write(tmp_path / "b.jsonl", [_wrapped(n) for n in range(3)])
    bare = _write(tmp_path / "bare.jsonl", [_append(n) for n in range(3)])
    err = run(a, b)[2]
    assert err.count("hint:") == 1 and err.splitlines()[-1] == HINT
    err = run(a, b, bare, "--jobs", "2")[2]
    assert err.count("hint:") == 1
    assert err.splitlines()[-1] == (
        f"realtime-validator: hint: events seem to be under /event in {a}, {b}: "
        "use --event-pointer /event"
    )


def test_quiet_and_wrapped_documents(tmp_path: Path) -> None:
    capture = _write(tmp_path / "wrapped.jsonl", [_wrapped(n) for n in range(3)])
    assert "hint:" not in run("--quiet", capture)[2]
    document = tmp_path / "events.json"  # a JSON array of wrapped events
    document.write_text(json.dumps([_wrapped(n) for n in range(3)]))
    assert run(document)[2].splitlines()[-1] == HINT
    assert run("--event-pointer", "/event", document)[0] == 0


def test_the_library_counts_what_the_hint_reads(tmp_path: Path) -> None:
    capture = _write(tmp_path / "wrapped.jsonl", [_wrapped(n) for n in range(3)])
    result = lint(capture)
    list(result)
    assert result.statistics.wrapped_events == {"event": 3}
    assert result.statistics.wrapped_pointer() == "/event"
    assert wrapped_hints(result.statistics) == [
        "events seem to be under /event: use --event-pointer /event"
    ]
    assert wrapped_hints(Statistics()) == []
