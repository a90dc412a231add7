"""Session-aware linting: the format follows the session, buffer accounting, RT306-RT308 and
RT401-RT403, and no false positive on real speech, silence and noise."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, b64

from validator import lint, validate_event

AUDIO = FIXTURES / "audio"
APPEND = "input_audio_buffer.append"


def _codes(lines: list[dict[str, Any]], **kwargs: Any) -> list[tuple[int, str]]:
    return [(v.line or 0, v.rule) for v in lint([json.dumps(e) for e in lines], **kwargs)]


def _append(data: bytes, **extra: Any) -> dict[str, Any]:
    return {"type": APPEND, "audio": b64(data), **extra}


# -- no false positives on real audio ---------------------------------------------------------

RAW = {
    "speech_pcm16_24k.raw": "pcm16",
    "speech_loud_clipped_pcm16_24k.raw": "pcm16",
    "silence_pcm16.raw": "pcm16",
    "noise_pcm16.raw": "pcm16",
    "noise_quiet_pcm16.raw": "pcm16",
    "noise_loud_pcm16.raw": "pcm16",
    "speech_ulaw_8k.raw": "g711_ulaw",
    "speech_alaw_8k.raw": "g711_alaw",
}


@pytest.mark.parametrize(("name", "fmt"), sorted(RAW.items()))
def test_real_audio_in_20ms_chunks_raises_nothing(name: str, fmt: str) -> None:
    data = (AUDIO / name).read_bytes()
    chunk = 960 if fmt == "pcm16" else 160  # 20 ms
    for start in range(0, len(data) - chunk + 1, chunk):
        assert validate_event(_append(data[start : start + chunk]), audio_format=fmt) == []
    assert validate_event(_append(data), audio_format=fmt) == []


@pytest.mark.parametrize("name", ["speech_ulaw_8k.raw", "speech_alaw_8k.raw"])
def test_g711_odd_byte_counts_are_fine(name: str) -> None:
    data = (AUDIO / name).read_bytes()[:161]
    assert validate_event(_append(data), audio_format="g711_ulaw") == []
    assert [v.rule for v in validate_event(_append(data))] == ["RT306"]


CONTAINERS = {
    "speech.wav": "WAV/RIFF",
    "speech_rf64.wav": "WAV/RIFF",
    "speech_id3.mp3": "MP3",
    "speech_bare.mp3": "MP3",
    "speech.flac": "FLAC",
    "speech_vorbis.ogg": "Ogg",
    "speech.opus": "Ogg",
    "speech.webm": "WebM/Matroska",
    "speech.m4a": "MP4/M4A",
}


@pytest.mark.parametrize(("name", "container"), sorted(CONTAINERS.items()))
@pytest.mark.parametrize("fmt", ["pcm16", "g711_ulaw", "g711_alaw"])
def test_containers_raise_rt307_only(name: str, container: str, fmt: str) -> None:
    violations = validate_event(_append((AUDIO / name).read_bytes()), audio_format=fmt)
    assert [v.rule for v in violations] == ["RT307"]
    assert f" {container} file, not raw samples" in violations[0].message


def test_float32_raises_rt308_for_pcm16_only() -> None:
    data = (AUDIO / "speech_f32le_24k.raw").read_bytes()
    audible = 0
    for start in range(0, len(data) - 1920, 1920):
        codes = [v.rule for v in validate_event(_append(data[start : start + 1920]))]
        assert codes in ([], ["RT308"])
        audible += codes == ["RT308"]
        assert validate_event(_append(data[start : start + 1920]), audio_format="g711_ulaw") == []
    assert audible >= 0.7 * (len(data) // 1920 - 1)


# -- the format follows the session -----------------------------------------------------------


def test_format_changes_midway_in_both_shapes() -> None:
    odd = bytes(161)
    events = [
        _append(odd),  # pcm16 by default: RT306
        {"type": "session.update", "session": {"input_audio_format": "g711_ulaw"}},
        _append(odd),  # fine
        {
            "type": "session.updated",
            "session": {"audio": {"input": {"format": {"type": "audio/pcm", "rate": 24000}}}},
        },
        _append(odd),  # pcm16 again: RT306
        {
            "type": "session.created",
            "session": {"audio": {"input": {"format": {"type": "audio/pcma"}}}},
        },
        _append(odd),  # fine
        {"type": "session.input_audio_buffer.append", "audio": b64(odd)},  # always pcm16
    ]
    assert _codes(events) == [(1, "RT306"), (5, "RT306"), (8, "RT306")]
    assert _codes(events, audio_format="audio/pcmu") == [(5, "RT306"), (8, "RT306")]


@pytest.mark.parametrize(
    ("session", "pointer"),
    [
        ({"input_audio_format": "pcm24"}, "/session/input_audio_format"),
        ({"input_audio_format": None}, "/session/input_audio_format"),
        (
            {"audio": {"input": {"format": {"type": "audio/pcm", "rate": 16000}}}},
            "/session/audio/input/format",
        ),
        ({"audio": {"input": {"format": {"type": "audio/mp3"}}}}, "/session/audio/input/format"),
        ({"audio": {"input": {"format": "pcm16"}}}, "/session/audio/input/format"),
    ],
)
def test_rt403(session: dict[str, Any], pointer: str) -> None:
    (v,) = lint([json.dumps({"type": "session.update", "session": session})])
    assert (v.rule, v.pointer) == ("RT403", pointer)


def test_unsupported_format_from_the_server_is_not_the_clients_fault() -> None:
    events = [{"type": "session.updated", "session": {"input_audio_format": "pcm24"}}]
    assert _codes(events) == []


# -- buffer accounting ------------------------------------------------------------------------


def _ms(ms: int) -> dict[str, Any]:
    return _append(bytes(48 * ms))


OFF = {"type": "session.update", "session": {"turn_detection": None}}
OFF_GA = {"type": "session.update", "session": {"audio": {"input": {"turn_detection": None}}}}
ON = {"type": "session.update", "session": {"turn_detection": {"type": "server_vad"}}}
COMMIT = {"type": "input_audio_buffer.commit"}


@pytest.mark.parametrize(
    ("events", "expected"),
    [
        ([OFF, _ms(99), COMMIT], [(3, "RT401")]),
        ([OFF, _ms(100), COMMIT], []),
        ([OFF, _ms(60), _ms(40), COMMIT], []),
        ([OFF_GA, _ms(40), COMMIT], [(3, "RT401")]),
        ([_ms(40), COMMIT], []),  # server VAD is the default
        ([OFF, _ms(40), ON, COMMIT], []),
        ([OFF, _ms(200), COMMIT, COMMIT], [(4, "RT401")]),
        ([OFF, _ms(200), {"type": "input_audio_buffer.clear"}, COMMIT], [(4, "RT401")]),
        ([OFF, _ms(200), {"type": "input_audio_buffer.committed"}, COMMIT], [(4, "RT401")]),
        ([OFF, _ms(200), {"type": "input_audio_buffer.cleared"}, COMMIT], [(4, "RT401")]),
        ([OFF, COMMIT], [(2, "RT401")]),
    ],
)
def test_commit_too_small(events: list[dict[str, Any]], expected: list[tuple[int, str]]) -> None:
    assert _codes(events) == expected


def test_rt401_message_gives_milliseconds() -> None:
    (v,) = lint([json.dumps(e) for e in [OFF, _ms(40), COMMIT]])
    assert v.message.startswith(
        "commit with 40 ms of audio buffered: the server fails it "
        "(input_audio_buffer_commit_empty: expected at least 100ms"
    )


def test_g711_byte_rate_counts_for_the_buffer() -> None:
    g711 = {
        "type": "session.update",
        "session": {"input_audio_format": "g711_alaw", "turn_detection": None},
    }
    events = [g711, _append(bytes(799)), COMMIT, _append(bytes(800)), COMMIT]
    assert _codes(events) == [(3, "RT401")]


def test_duplicate_event_ids() -> None:
    events = [
        _ms(20) | {"event_id": "a"},
        {"type": "response.create", "event_id": "a"},
        {"type": "session.created", "event_id": "a"},
        _ms(20) | {"event_id": "b"},
    ]
    assert _codes(events) == [(2, "RT402")]  # server event ids are the server's own


# -- fixtures and statistics ------------------------------------------------------------------


def test_formats_log_statistics() -> None:
    result = lint(FIXTURES / "logs" / "formats.jsonl")
    rules = [v.rule for v in result]
    assert rules == ["RT308", "RT307", "RT306", "RT401", "RT403", "RT403", "RT306", "RT402"]
    stats = result.statistics
    assert {k: round(v, 3) for k, v in stats.audio_seconds_by_format.items()} == {
        "pcm16": 0.79,
        "g711_ulaw": 0.3,
        "g711_alaw": 0.2,
    }
    assert (stats.shortest_chunk_ms, stats.largest_append_bytes) == (40.0, 4801)
    assert stats.longest_chunk_ms == pytest.approx(100.125)


def test_statistics_text(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from validator.cli import cli

    result = CliRunner().invoke(
        cli, ["lint", "--statistics", "-q", str(FIXTURES / "logs" / "formats.jsonl")]
    )
    assert result.stdout.splitlines()[-4:] == [
        "       0.2 s of g711_alaw audio",
        "       0.3 s of g711_ulaw audio",
        "       0.8 s of pcm16 audio",
        "      14 appends of 40-100 ms, the largest 4,801 bytes",
    ]
