"""``lint --fix --unsafe-fixes`` on a session's audio (RT601-RT604): every append of the session
repaired, before the one the finding is placed on too, and nothing else.

The sound is the synthetic voice of ``fixtures/make_signal_fixtures.py``, so that what the fix
gives back can be compared with the audio as it should have been sent.
"""

from __future__ import annotations

import base64
import builtins
import io
import json
import sys
from typing import Any

import pytest
from conftest import FIXTURES

import validator
from validator.engine.options import Options
from validator.fix.inputs import fix_input
from validator.fix.session_audio import SESSION_FIXES

sys.path.insert(0, str(FIXTURES))

import make_signal_fixtures as synth

INVALID = FIXTURES / "events" / "invalid"
APPEND = "input_audio_buffer.append"
CREATED = {"type": "session.created", "event_id": "s", "session": {}}


def jsonl(events: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(e, separators=(",", ":")) + "\n" for e in events).encode()


def audio_of(data: bytes) -> list[bytes]:
    """Return the decoded audio of each append of a JSONL capture (or its wrapped events)."""
    out = []
    for line in data.splitlines():
        value = json.loads(line)
        value = value.get("event", value)
        if value.get("type") == APPEND:
            out.append(base64.b64decode(value["audio"]))
    return out


def rules(data: bytes, name: str = "x.jsonl", **kwargs: Any) -> list[str]:
    return [v.rule for v in validator.lint(data.decode().splitlines(), **kwargs)]


def test_the_catalogue_says_which_fixes_are_a_session_s() -> None:
    assert {code for code, rule in validator.RULES.items() if rule.fix} >= SESSION_FIXES
    assert all(validator.RULES[code].fix == "unsafe" for code in SESSION_FIXES)


def test_big_endian_samples_are_swapped_in_every_append() -> None:
    data = (INVALID / "RT604" / "big_endian.jsonl").read_bytes()
    done = fix_input(data, "x.jsonl", Options(), True)
    assert [f.fix.rule for f in done.fixes] == ["RT604"]
    assert done.fixes[0].line == 1  # told at the session's first append, fixed in all
    assert b"".join(audio_of(done.data)) == synth.pcm16(synth.voice(0.7, 24000))
    assert rules(done.data) == []
    assert len(audio_of(done.data)) == len(audio_of(data))


def test_stereo_is_downmixed_and_the_chunks_halve() -> None:
    data = (INVALID / "RT603" / "stereo_dual_mono.jsonl").read_bytes()
    done = fix_input(data, "x.jsonl", Options(), True)
    assert [f.fix.rule for f in done.fixes] == ["RT603"]
    assert b"".join(audio_of(done.data)) == synth.pcm16(synth.voice(0.45, 24000))
    assert {len(a) for a in audio_of(done.data)[:-1]} == {960}  # 20 ms of stereo: of mono
    assert rules(done.data) == []


def test_g711_in_a_pcm16_session_is_decoded_and_resampled_to_24khz() -> None:
    data = (INVALID / "RT602" / "ulaw_in_pcm16.jsonl").read_bytes()
    done = fix_input(data, "x.jsonl", Options(), True)
    assert [f.fix.rule for f in done.fixes] == ["RT602"]
    before, after = audio_of(data), audio_of(done.data)
    assert len(after) == len(before)
    assert {len(a) for a in after[:-1]} == {960}  # 20 ms at 8 kHz, 20 ms at 24 kHz
    assert sum(map(len, after)) == 6 * sum(map(len, before))
    assert rules(done.data) == []
    assert "decoded the g711_ulaw codes" in done.fixes[0].fix.description


def _timed_16khz() -> list[tuple[float, dict[str, Any]]]:
    """16 kHz audio in 640-byte appends, each sent when it was captured."""
    audio = synth.pcm16(synth.voice(1.0, 16000)) * 8
    return [
        (1_765_000_000.0 + (i + 1) * 0.02,
         {"type": APPEND, "event_id": f"e{i}", "audio": base64.b64encode(p).decode()})
        for i, p in enumerate(audio[at : at + 640] for at in range(0, len(audio), 640))
    ]  # fmt: skip


def test_a_rate_the_timestamps_showed_is_resampled_in_a_har_capture() -> None:
    """HAR messages carry their time (--fix takes no --event-pointer: a wrapped capture is
    linted, not rewritten)."""
    messages = [
        {"type": "send", "time": t, "opcode": 1, "data": json.dumps(e)} for t, e in _timed_16khz()
    ]
    har = json.dumps({"log": {"version": "1.2", "entries": [{"_webSocketMessages": messages}]}})
    done = fix_input(har.encode(), "x.har", Options(), True)
    assert [f.fix.rule for f in done.fixes] == ["RT601"]
    assert "resampled from 16 kHz to 24 kHz" in done.fixes[0].fix.description
    fixed = [
        base64.b64decode(json.loads(m["data"])["audio"])
        for m in json.loads(done.data)["log"]["entries"][0]["_webSocketMessages"]
    ]
    assert {len(a) for a in fixed} == {960}  # 640 bytes at 16 kHz: 960 at 24 kHz
    assert [v.rule for v in validator.lint(io.BytesIO(done.data))] == []


def test_a_rate_from_chunk_sizes_alone_is_not_repaired() -> None:
    bare = jsonl([e for _, e in _timed_16khz()])
    done = fix_input(bare, "x.jsonl", Options(), True)
    assert done.fixes == [] and done.data == bare  # a warning: not certain
    assert "RT601" in rules(bare)


def test_only_the_session_with_the_finding_is_repaired() -> None:
    wrong = (INVALID / "RT604" / "big_endian.jsonl").read_bytes()
    right = jsonl([CREATED]) + jsonl(
        json.loads((FIXTURES / "events" / "valid" / "voice_24k_20ms.json").read_text())
    )
    data = right + jsonl([CREATED]) + wrong + right
    done = fix_input(data, "x.jsonl", Options(), True)
    assert [(f.line, f.fix.rule) for f in done.fixes] == [(len(right.splitlines()) + 2, "RT604")]
    lines_before, lines_after = data.splitlines(), done.data.splitlines()
    changed = [i for i, (a, b) in enumerate(zip(lines_before, lines_after, strict=True)) if a != b]
    first = len(right.splitlines()) + 1
    assert changed == list(range(first, first + len(wrong.splitlines())))
    assert rules(done.data) == []


def test_without_unsafe_fixes_they_are_counted_not_made() -> None:
    data = (INVALID / "RT604" / "big_endian.jsonl").read_bytes()
    done = fix_input(data, "x.jsonl", Options(), False)
    assert done.fixes == [] and done.data == data and done.unsafe_available == 1


def test_a_document_of_events_is_repaired_in_place() -> None:
    events = json.loads((FIXTURES / "events" / "valid" / "voice_24k_20ms.json").read_text())
    swapped = []
    for event in events:
        samples = bytearray(base64.b64decode(event["audio"]))
        samples[0::2], samples[1::2] = samples[1::2], samples[0::2]
        swapped.append(event | {"audio": base64.b64encode(bytes(samples)).decode()})
    data = json.dumps(swapped, indent=1).encode()
    done = fix_input(data, "x.json", Options(), True)
    assert [f.fix.rule for f in done.fixes] == ["RT604"]
    assert json.loads(done.data) == events


def test_without_the_audio_extra_a_note_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = builtins.__import__

    def refuse(name: str, *args: Any, **kwargs: Any) -> Any:
        if name in ("numpy", "soxr"):
            raise ImportError(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", refuse)
    data = (INVALID / "RT603" / "stereo_dual_mono.jsonl").read_bytes()
    done = fix_input(data, "x.jsonl", Options(), True)
    assert done.fixes == [] and done.data == data
    assert [note.text for note in done.notes] == [
        "RT603 not fixed: repairing the audio needs the [audio] extra: pip install '.[audio]' in "
        "a clone, or pip install 'realtime-validator[audio] @ "
        "git+https://github.com/realtime-validator/realtime-validator'"
    ]
