"""The audio-signal rules (RT601-RT606) through the linter: the session drives the evidence on
every road, findings are placed on the append where they became conclusive, timestamps of
wrapped records and HAR messages reach it, and the roads, ``--jobs`` and one process agree.

The synthetic fixtures (``fixtures/make_signal_fixtures.py``) need nothing installed; the
real-speech cases through the installed command are in ``test_signal_cli.py``.
"""

from __future__ import annotations

import base64
import functools
import json
import random
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES, assert_roads_agree, capture_bytes

import validator
from validator.core.rules import Severity
from validator.core.statistics import Statistics
from validator.engine import fastroad, heard
from validator.engine.driver import Linter
from validator.engine.options import build_options

sys.path.insert(0, str(FIXTURES))

import make_signal_fixtures as synth

INVALID = FIXTURES / "events" / "invalid"
SIGNAL_FIXTURES = sorted(p for code in range(601, 607) for p in (INVALID / f"RT{code}").glob("*"))
APPEND = "input_audio_buffer.append"


def test_every_audio_signal_rule_has_a_synthetic_fixture() -> None:
    assert sorted({p.parent.name for p in SIGNAL_FIXTURES}) == [f"RT{c}" for c in range(601, 607)]


@pytest.mark.parametrize("path", SIGNAL_FIXTURES, ids=lambda p: p.name)
def test_a_fixture_raises_its_rule_once_on_an_append_audio_string(path: Path) -> None:
    found = [v for v in validator.lint(str(path)) if v.rule.startswith("RT6")]
    (finding,) = found
    assert finding.rule == path.parent.name
    assert (finding.pointer, finding.event_type, finding.source) == ("/audio", APPEND, str(path))
    line = capture_bytes(path).decode().splitlines()[(finding.line or 0) - 1]
    assert json.loads(line)["type"] == APPEND
    assert finding.column == line.index('"audio":') + len('"audio":') + 1  # its opening quote
    assert finding.event_id == json.loads(line)["event_id"]
    expected = Severity.ERROR if finding.rule in ("RT602", "RT603", "RT604") else Severity.WARNING
    assert finding.severity is expected


@pytest.mark.parametrize("path", SIGNAL_FIXTURES, ids=lambda p: p.name)
def test_the_roads_agree_on_each_fixture(path: Path) -> None:
    assert_roads_agree(capture_bytes(path))


def test_the_same_sound_sent_right_is_clean() -> None:
    assert list(validator.lint(str(FIXTURES / "events" / "valid" / "voice_24k_20ms.json"))) == []


@pytest.mark.parametrize("native", [True, False], ids=["native", "python"])
def test_the_fast_road_decodes_an_append_again_only_where_it_is_measured_mid_run(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, native: bool
) -> None:
    """The scan's Python loop decodes every append it reads once; the first of a run (the one
    measured after each commit) is measured from that decode, and only the few others the
    evidence asks for (a shape or clipping window) are decoded again, from the block. The
    native half (``_fastscan``) checks the rest of a run in place, decoding none of them."""
    if not native:
        monkeypatch.setattr(fastroad, "_EXTEND", None)
    voice = json.loads((FIXTURES / "events" / "valid" / "voice_24k_20ms.json").read_text())
    events: list[dict[str, object]] = [
        {"type": "session.update", "session": {"turn_detection": None}}
    ]
    for turn in range(20):
        part = voice[(turn % 3) * 10 : (turn % 3) * 10 + 10]
        events += [e | {"event_id": f"t{turn}-{n}"} for n, e in enumerate(part)]
        events.append({"type": "input_audio_buffer.commit"})
    path = tmp_path / "turns.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in events))
    decoded, again = [], []
    decode, read_again = fastroad._b64decode, heard.append_audio

    def counted(*args: object) -> bytes:
        decoded.append(1)
        return decode(*args)  # type: ignore[arg-type]

    def counted_again(line: bytes) -> object:
        again.append(1)
        return read_again(line)

    monkeypatch.setattr(fastroad, "_b64decode", counted)
    monkeypatch.setattr(heard, "append_audio", counted_again)
    result = validator.lint(str(path))
    assert list(result) == []
    appends = result.statistics.append_events
    assert appends == 200
    assert 0 < len(again) <= 10  # the settling windows; none of the 20 measured after commits
    if native:  # the 20 runs' first appends, and a line the native half left to Python
        assert 20 <= len(decoded) - len(again) <= 40
    else:  # once each, and once more where read again
        assert len(decoded) == appends + len(again)


def test_without_the_rules_the_session_does_not_listen() -> None:
    path = INVALID / "RT604" / "big_endian.jsonl"
    linter = Linter(build_options(ignore=("RT6",)), Statistics(), "x")
    assert not linter.session.hearing.active
    assert list(validator.lint(str(path), ignore="RT6")) == []
    assert [v.rule for v in validator.lint(str(path), select="RT604")] == ["RT604"]
    assert list(validator.lint(str(path), select="RT605")) == []


def test_a_finding_at_a_commit_counts_its_append_once() -> None:
    path = INVALID / "RT605" / "commit_of_digital_silence.jsonl"
    result = validator.lint(str(path))
    (finding,) = result
    assert finding.line == 11 and finding.message.startswith("the 0.20 s of audio committed here")
    assert result.statistics.records_with_findings == 1
    assert result.statistics.findings_by_rule == {"RT605": 1}


# -- timestamps ------------------------------------------------------------------------------


@functools.cache
def _sixteen_khz() -> bytes:
    """Eight seconds of the synthetic voice at 16 kHz (a second of it, eight times)."""
    return synth.pcm16(synth.voice(1.0, 16000)) * 8


def _timed_appends() -> list[tuple[float, dict[str, object]]]:
    """16 kHz audio in 20 ms appends (640 bytes), each sent when it was captured."""
    audio = _sixteen_khz()
    return [
        (
            1_765_000_000.0 + (i + 1) * 0.02,
            {"type": APPEND, "event_id": f"e{i}", "audio": base64.b64encode(chunk).decode()},
        )
        for i, chunk in enumerate(audio[at : at + 640] for at in range(0, len(audio), 640))
    ]


def test_the_capture_time_of_wrapped_records_makes_rt601_an_error(tmp_path: Path) -> None:
    path = tmp_path / "timed.jsonl"
    lines = [{"time": t, "direction": "client", "event": e} for t, e in _timed_appends()]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    (timed,) = validator.lint(str(path), event_pointer="/event")
    assert timed.rule == "RT601" and timed.severity is Severity.ERROR
    assert "timestamps show 0.67 s of 24 kHz audio appended per wall-clock second" in (
        timed.message
    )
    bare = tmp_path / "bare.jsonl"
    bare.write_text("".join(json.dumps(e) + "\n" for _, e in _timed_appends()))
    (sizes,) = validator.lint(str(bare))
    assert sizes.rule == "RT601" and sizes.severity is Severity.WARNING
    assert sizes.line < timed.line  # chunk sizes alone are conclusive sooner, and weaker


def test_the_time_of_har_messages_reaches_the_evidence(tmp_path: Path) -> None:
    messages = [
        {"type": "send", "time": t, "opcode": 1, "data": json.dumps(e)} for t, e in _timed_appends()
    ]
    har = {"log": {"version": "1.2", "entries": [{"_webSocketMessages": messages}]}}
    path = tmp_path / "timed.har"
    path.write_text(json.dumps(har))
    (finding,) = validator.lint(str(path))
    assert finding.rule == "RT601" and finding.severity is Severity.ERROR
    assert finding.pointer == "/audio"


def test_the_evidence_starts_afresh_with_each_session(tmp_path: Path) -> None:
    one = (INVALID / "RT604" / "big_endian.jsonl").read_bytes()
    created = b'{"type":"session.created","event_id":"s","session":{}}\n'
    path = tmp_path / "two.jsonl"
    path.write_bytes(one + created + one)
    found = list(validator.lint(str(path)))
    lines = len(one.splitlines())
    assert [(v.rule, v.line) for v in found] == [("RT604", 31), ("RT604", lines + 1 + 31)]


@pytest.mark.parametrize("path", SIGNAL_FIXTURES, ids=lambda p: p.name)
def test_a_guard_taking_records_one_at_a_time_finds_what_lint_finds(path: Path) -> None:
    """``Linter.accept`` (the live guard's fast road, with no audio at hand) leaves to the
    slow road every append the evidence wants measured and every commit it could judge."""
    from validator.core.record import Record

    linter = Linter(build_options(), Statistics(), str(path))
    found = []
    for number, line in enumerate(capture_bytes(path).splitlines(keepends=True), 1):
        record = Record(number, 0, line)
        if not linter.accept(record):
            found += linter.road.slow(record)
    found += linter.ended()
    assert [(v.rule, v.line, v.column) for v in found] == [
        (v.rule, v.line, v.column) for v in validator.lint(str(path))
    ]
    assert any(v.rule.startswith("RT6") for v in found)


@pytest.mark.parametrize("seed", range(4))
def test_a_run_s_line_is_found_in_its_block_from_either_end(seed: int) -> None:
    """``ScannedHeard`` finds the line of a run's append ``k`` in the block it was scanned in,
    walking from the nearer end of the run (the last line with or without its newline)."""
    from validator.engine.fastroad import Appends, scan
    from validator.engine.heard import ScannedHeard

    rng = random.Random(seed)
    for _ in range(50):
        count = rng.randint(1, 12)
        lines = [
            b'{"type":"%s","event_id":"e%d","audio":"%s"}\n'
            % (APPEND.encode(), i, base64.b64encode(bytes(rng.randint(1, 40) * 48)))
            for i in range(count)
        ]
        if rng.random() < 0.3:
            lines[-1] = lines[-1][:-1]  # the input's last line, without its newline
        data = b'{"type":"input_audio_buffer.commit"}\n' * rng.randint(0, 2) + b"".join(lines)
        (run,) = [
            item for item in scan(data, 0, len(data), 1 << 30, 1 << 30) if type(item) is Appends
        ]
        heard = ScannedHeard(run, 1, None, lambda *a: (), data)
        assert [heard._line(k) for k in range(count)] == lines
