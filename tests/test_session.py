"""Session-aware linting: the format follows the session, buffer accounting, RT306-RT308 and
RT401-RT403, and no false positive on real speech, silence and noise.

The audio here is mostly zeros, which the audio-signal rules rightly call silent (RT605): they
have their own tests (test_signal.py, test_signal_lint.py) and are left out here."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, b64, deep_state

import validator
from validator import validate_event
from validator.core.event_types import CLIENT_EVENT_TYPES, EVENT_TYPES
from validator.engine.session import STATEFUL_TYPES, Session

AUDIO = FIXTURES / "audio"
APPEND = "input_audio_buffer.append"


def lint(source: Any, **kwargs: Any) -> validator.LintResult:
    """Return ``validator.lint`` of ``source`` without the audio-signal rules (RT6xx)."""
    ignore = kwargs.pop("ignore", [])
    return validator.lint(source, ignore=[*ignore, "RT6"], **kwargs)


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
OFF_GA = {
    "type": "session.update",
    "session": {"type": "realtime", "audio": {"input": {"turn_detection": None}}},
}
ON = {"type": "session.update", "session": {"turn_detection": {"type": "server_vad"}}}
COMMIT = {"type": "input_audio_buffer.commit"}


COMMITTED = {"type": "input_audio_buffer.committed", "item_id": "item_1"}
URLSAFE_200MS = {"type": APPEND, "audio": b64(bytes(9600)).replace("A", "-", 1)}


@pytest.mark.parametrize(
    ("events", "expected"),
    [
        ([OFF, _ms(99), COMMIT], [(3, "RT401")]),
        ([OFF, _ms(100), COMMIT], []),
        ([OFF, _ms(60), _ms(40), COMMIT], []),
        ([OFF_GA, _ms(40), COMMIT], [(3, "RT401")]),
        # RT401 whatever the turn detection; with server VAD (the default) a commit of
        # enough audio is RT405, the warning
        ([_ms(40), COMMIT], [(2, "RT401")]),
        ([OFF, _ms(40), ON, COMMIT], [(4, "RT401")]),
        ([_ms(200), COMMIT], [(2, "RT405")]),
        ([OFF, _ms(200), ON, COMMIT], [(4, "RT405")]),
        ([OFF, _ms(200), COMMIT, COMMIT], [(4, "RT401")]),
        ([OFF, _ms(200), {"type": "input_audio_buffer.clear"}, COMMIT], [(4, "RT401")]),
        ([OFF, _ms(200), COMMITTED, COMMIT], [(4, "RT401")]),
        ([OFF, _ms(200), {"type": "input_audio_buffer.cleared"}, COMMIT], [(4, "RT401")]),
        ([OFF, COMMIT], [(2, "RT401")]),
        # the server committed by itself (VAD): the client's commit right after has 0 ms
        ([_ms(300), COMMITTED, COMMIT], [(3, "RT401")]),
        ([_ms(300), COMMITTED, _ms(150), COMMIT], [(4, "RT405")]),
        # an append the server rejects adds nothing; one with warnings only is taken
        ([OFF, URLSAFE_200MS, COMMIT], [(2, "RT301"), (3, "RT401")]),
        ([URLSAFE_200MS, COMMIT], [(1, "RT301"), (2, "RT401")]),  # VAD on: RT401, not RT405
        ([_ms(60), URLSAFE_200MS, _ms(60), COMMIT], [(2, "RT301"), (4, "RT405")]),
        ([OFF, _ms(200) | {"sample_rate": 24000}, COMMIT], [(2, "RT203"), (3, "RT401")]),
        ([OFF, _ms(200) | {"event_id": 7}, COMMIT], [(2, "RT202"), (3, "RT401")]),
        ([OFF, _append(bytes(9601)), COMMIT], [(2, "RT306")]),
        ([OFF, _ms(100) | {"event_id": "a"}, _ms(100) | {"event_id": "a"}, COMMIT], [(3, "RT402")]),
        # a commit that fails empties nothing; a commit the server rejects neither
        ([OFF, _ms(40), COMMIT, _ms(80), COMMIT], [(3, "RT401")]),
        ([OFF, _ms(200), COMMIT | {"session": {}}, COMMIT], [(3, "RT203")]),
        ([OFF, _ms(200), {"type": "input_audio_buffer.clear", "x": 1}, COMMIT], [(3, "RT203")]),
    ],
)
def test_commit_too_small(events: list[dict[str, Any]], expected: list[tuple[int, str]]) -> None:
    assert _codes(events) == expected


def test_rt401_message_gives_milliseconds_and_quotes_the_server() -> None:
    (v,) = lint([json.dumps(e) for e in [OFF, _ms(40), COMMIT]])
    assert v.message == (
        "commit with 40 ms of audio in the server's buffer: the server fails it "
        '(input_audio_buffer_commit_empty: "buffer too small. Expected at least 100ms of '
        'audio, but buffer only has 40.00ms of audio."); append at least 100 ms before '
        "committing, or skip the commit"
    )
    (v,) = lint([json.dumps(e) for e in [_ms(300), COMMITTED, COMMIT]])
    assert v.message.startswith("commit with 0 ms of audio in the server's buffer")
    assert "turn detection is on, so the server commits by itself" in v.message


def test_rt405_message() -> None:
    (v,) = lint([json.dumps(e) for e in [_ms(250), COMMIT]])
    assert (v.rule, v.severity.value) == ("RT405", "warning")
    assert v.message.startswith("manual commit with 250 ms appended while server VAD is on")


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
    assert rules == [
        "RT308",
        "RT307",
        "RT306",
        "RT401",
        "RT403",
        "RT403",
        "RT401",  # 99.9 ms of G.711 A-law, with server VAD on: still too little
        "RT306",
        "RT402",
    ]
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

    from validator.cli.app import cli

    result = CliRunner().invoke(
        cli, ["lint", "--statistics", "-q", str(FIXTURES / "logs" / "formats.jsonl")]
    )
    assert result.stdout.splitlines()[-4:] == [
        "      200 ms of g711_alaw audio",
        "      300 ms of g711_ulaw audio",
        "      790 ms of pcm16 audio",
        "      14 appends of 40-100 ms, the largest 4,801 bytes",
    ]


# -- sessions in one log, API versions, transcription and translation -------------------------

CREATED_GA = {
    "type": "session.created",
    "event_id": "event_1",
    "session": {
        "type": "realtime",
        "object": "realtime.session",
        "audio": {
            "input": {"format": {"type": "audio/pcm", "rate": 24000}, "turn_detection": None}
        },
    },
}
CREATED_BETA = {
    "type": "session.created",
    "event_id": "event_1",
    "session": {
        "object": "realtime.session",
        "modalities": ["text", "audio"],
        "input_audio_format": "pcm16",
        "turn_detection": None,
    },
}


def test_session_created_starts_a_new_session() -> None:
    ulaw = {"type": "session.update", "session": {"input_audio_format": "g711_ulaw"}}
    events = [
        ulaw,
        OFF,
        _ms(40) | {"event_id": "a"},  # 40 ms of pcm16 bytes, read as u-law: 240 ms
        {"type": "session.created", "session": {"object": "realtime.session"}},
        _ms(40) | {"event_id": "a"},  # a new session: the id is fresh, the format pcm16 again
        COMMIT,  # with VAD on again (the default), and 40 ms in the buffer
    ]
    assert _codes(events) == [(6, "RT401")]
    (v,) = lint([json.dumps(e) for e in events])
    assert "turn detection is on" in v.message
    # without the new session: the id repeats, and the commit finds 480 ms of u-law
    assert _codes(events[:3] + events[4:]) == [(4, "RT402")]


def test_beta_transcription_session_moves_the_format_and_turn_detection() -> None:
    created = {
        "type": "transcription_session.created",
        "event_id": "event_1",
        "session": {
            "id": "sess_1",
            "object": "realtime.transcription_session",
            "input_audio_format": "g711_ulaw",
            "turn_detection": None,
        },
    }
    events = [created, _append(bytes(400)), COMMIT]  # 50 ms of u-law, VAD off
    assert _codes(events) == [(3, "RT401")]
    events = [created, _append(bytes(1600)), COMMIT]  # 200 ms
    assert _codes(events) == []
    update = {
        "type": "transcription_session.update",
        "session": {"input_audio_format": "pcm16", "turn_detection": {"type": "server_vad"}},
    }
    assert _codes([created, update, _append(bytes(1600)), COMMIT]) == [(4, "RT401")]  # 16.7 ms


def test_ga_transcription_session() -> None:
    created = {
        "type": "session.created",
        "session": {
            "type": "transcription",
            "object": "realtime.transcription_session",
            "audio": {"input": {"format": {"type": "audio/pcmu"}, "turn_detection": None}},
        },
    }
    assert _codes([created, _append(bytes(1600)), COMMIT]) == []
    update = {
        "type": "session.update",
        "session": {"type": "transcription", "audio": {"input": {"format": {"type": "audio/pcm"}}}},
    }
    assert _codes([created, update, _append(bytes(1600)), COMMIT]) == [(4, "RT401")]
    # a GA update needs session.type: the server answers missing_required_parameter
    untyped = {"type": "session.update", "session": {"audio": {"input": {"turn_detection": None}}}}
    (v,) = lint([json.dumps(e) for e in [created, untyped]])
    assert (v.rule, v.line, v.pointer) == ("RT201", 2, "/session")
    assert v.message.endswith('add "type": "transcription"')


def test_translation_session_events_are_known_and_always_pcm16() -> None:
    events = [
        {"type": "session.created", "session": {"type": "translation", "audio": {}}},
        {"type": "session.update", "session": {"audio": {"output": {"language": "es"}}}},
        {"type": "session.input_audio_buffer.append", "audio": b64(bytes(9600))},
        {"type": "session.input_transcript.delta", "delta": "Hola"},
        {"type": "session.output_transcript.delta", "delta": "Hello"},
        {"type": "session.output_audio.delta", "delta": b64(bytes(9600))},
        {"type": "session.close"},
        {"type": "session.closed"},
    ]
    assert _codes(events) == []  # a translation update needs no session.type
    events[1] = {"type": "session.update", "session": {"input_audio_format": "g711_ulaw"}}
    assert _codes(events) == [(2, "RT404")]


@pytest.mark.parametrize(
    ("events", "expected"),
    [
        # a GA session answers beta fields with unknown_parameter, and changes nothing
        (
            [
                CREATED_GA,
                {
                    "type": "session.update",
                    "session": {"type": "realtime", "input_audio_format": "g711_ulaw"},
                },
                _ms(100),
                COMMIT,
            ],
            [(2, "RT404")],
        ),
        (
            [
                CREATED_GA,
                {
                    "type": "session.update",
                    "session": {"type": "realtime", "turn_detection": {"type": "server_vad"}},
                },
                _ms(100),
                COMMIT,
            ],
            [(2, "RT404")],  # VAD stays off: no RT405
        ),
        # and a beta session the GA fields
        (
            [
                CREATED_BETA,
                {
                    "type": "session.update",
                    "session": {"audio": {"input": {"format": {"type": "audio/pcmu"}}}},
                },
                _ms(100),
                COMMIT,
            ],
            [(2, "RT404")],
        ),
        (
            [CREATED_BETA, {"type": "session.update", "session": {"type": "realtime"}}],
            [(2, "RT404")],
        ),
        # the version is shown by the server's session events, not guessed from updates
        (
            [
                {"type": "session.update", "session": {"input_audio_format": "g711_ulaw"}},
                {
                    "type": "session.update",
                    "session": {"type": "realtime", "audio": {"input": {"turn_detection": None}}},
                },
            ],
            [],
        ),
        # without session.type the GA update fails both versions' schemas: RT206, not RT404
        (
            [
                {"type": "session.update", "session": {"input_audio_format": "g711_ulaw"}},
                {
                    "type": "session.update",
                    "session": {"audio": {"input": {"turn_detection": None}}},
                },
            ],
            [(2, "RT206")],
        ),
        # an update shows its own version: session.type makes it GA
        (
            [{"type": "session.update", "session": {"type": "realtime", "voice": "alloy"}}],
            [(1, "RT404")],
        ),
        # GA fields mixed into a beta-shaped update
        (
            [
                {
                    "type": "session.update",
                    "session": {"modalities": ["audio"], "output_modalities": ["audio"]},
                }
            ],
            [(1, "RT404")],
        ),
        # a GA session does not take transcription_session.update at all
        (
            [CREATED_GA, {"type": "transcription_session.update", "session": {}}],
            [(2, "RT404")],
        ),
        # GA fields in a (beta) transcription_session.update
        (
            [{"type": "transcription_session.update", "session": {"audio": {}}}],
            [(1, "RT404")],
        ),
        # a right update in a known GA session
        (
            [
                CREATED_GA,
                {
                    "type": "session.update",
                    "session": {
                        "type": "realtime",
                        "audio": {"input": {"format": {"type": "audio/pcmu"}}},
                    },
                },
                _append(bytes(800)),
                COMMIT,
            ],
            [],
        ),
    ],
)
def test_api_version_mismatch(
    events: list[dict[str, Any]], expected: list[tuple[int, str]]
) -> None:
    assert _codes(events) == expected


def test_rt404_points_at_the_field_and_names_the_other() -> None:
    update = {
        "type": "session.update",
        "session": {"type": "realtime", "input_audio_format": "g711_ulaw"},
    }
    (v,) = lint([json.dumps(CREATED_GA), json.dumps(update)])
    assert (v.rule, v.pointer, v.line) == ("RT404", "/session/input_audio_format", 2)
    assert v.column == json.dumps(update).index('"input_audio_format"') + 1
    assert v.message == (
        "'session.input_audio_format' is a beta field, but this session is GA (the server's "
        'session event on line 1): the server answers unknown_parameter ("Unknown parameter: '
        "'session.input_audio_format'.\") and the update changes nothing; use "
        "session.audio.input.format"
    )


@pytest.mark.parametrize(
    "fmt",
    [{"rate": 24000}, {}, {"type": "audio/pcm"}],
)
def test_ga_format_without_type_or_rate_is_pcm(fmt: dict[str, Any]) -> None:
    ulaw = {"type": "session.update", "session": {"input_audio_format": "g711_ulaw"}}
    update = {
        "type": "session.update",
        "session": {"type": "realtime", "audio": {"input": {"format": fmt}}},
    }
    assert _codes([ulaw, update, _append(bytes(161))]) == [(3, "RT306")]  # pcm16 again


def test_rt403_quotes_the_server() -> None:
    update = {"type": "session.update", "session": {"input_audio_format": "g711-ulaw"}}
    (v,) = lint([json.dumps(update)])
    assert v.message.startswith(
        'unsupported input audio format: the server answers invalid_value ("Invalid value: '
        "'g711-ulaw'. Supported values are: 'pcm16', 'g711_ulaw', and 'g711_alaw'.\")"
    )
    ga = {"type": "session.update", "session": {"audio": {"input": {"format": "pcm16"}}}}
    (v,) = lint([json.dumps(ga)])
    assert (
        "Invalid type for 'session.audio.input.format': expected an object, but got a "
        "string instead." in v.message
    )


def test_a_refused_update_changes_nothing() -> None:
    update = {
        "type": "session.update",
        "session": {"input_audio_format": "pcm24", "turn_detection": None},
    }
    # the turn detection stays on: the commit of 200 ms is RT405, not silent
    assert _codes([update, _ms(200), COMMIT]) == [(1, "RT403"), (3, "RT405")]


# -- server errors --------------------------------------------------------------------------------


def _error(code: str, event_id: str | None, param: str | None = None) -> dict[str, Any]:
    return {
        "type": "error",
        "event_id": "event_9",
        "error": {
            "type": "invalid_request_error",
            "code": code,
            "message": "Error committing input audio buffer: buffer too small.",
            "param": param,
            "event_id": event_id,
        },
    }


def test_server_error_names_the_client_line_it_answers() -> None:
    events = [
        OFF,
        _ms(40) | {"event_id": "a1"},
        COMMIT | {"event_id": "c1"},
        _error("input_audio_buffer_commit_empty", "c1"),
        _ms(200) | {"event_id": "a2"},
        _error("invalid_value", "a2", "audio"),
        _error("server_error", None),
        _error("invalid_event", "nope"),
    ]
    result = lint([json.dumps(e) for e in events])
    found = [(v.line, v.rule, v.message) for v in result]
    assert [(line, rule) for line, rule, _ in found] == [
        (3, "RT401"),
        (4, "RT501"),
        (6, "RT501"),
        (7, "RT501"),
        (8, "RT501"),
    ]
    assert found[1][2] == (
        "the server answered with an error: invalid_request_error "
        'input_audio_buffer_commit_empty "Error committing input audio buffer: buffer too '
        "small.\"; it answers event_id 'c1' on line 3, where this linter reported a finding too"
    )
    assert found[2][2].endswith(
        "(param \"audio\"); it answers event_id 'a2' on line 5, which this linter passed"
    )
    assert found[3][2].endswith(
        "it names no client event (send an event_id with every client "
        "event to trace errors to their cause)"
    )
    assert "'nope', which no client event of this session has" in found[4][2]
    stats = result.statistics
    assert (stats.server_errors, stats.server_errors_predicted) == (4, 1)
    assert stats.to_dict()["server_errors"] == 4


def test_server_errors_are_counted_when_rt501_is_ignored() -> None:
    events = [OFF, COMMIT | {"event_id": "c1"}, _error("input_audio_buffer_commit_empty", "c1")]
    result = lint([json.dumps(e) for e in events], ignore=["RT501"])
    assert [v.rule for v in result] == ["RT401"]
    assert (result.statistics.server_errors, result.statistics.server_errors_predicted) == (1, 1)


def test_statistics_text_counts_server_errors(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from validator.cli.app import cli

    log = tmp_path / "errors.jsonl"
    events = [
        OFF,
        COMMIT | {"event_id": "c1"},
        _error("input_audio_buffer_commit_empty", "c1"),
        _error("server_error", None),
    ]
    log.write_text("".join(json.dumps(e) + "\n" for e in events))
    result = CliRunner().invoke(cli, ["lint", "--statistics", "-q", str(log)])
    assert "       2 server errors, 1 of them on a line where a rule had found something\n" in (
        result.stdout
    )


# -- the input buffer's other client events ------------------------------------------------------


@pytest.mark.parametrize(
    ("event", "codes"),
    [
        ({"type": "input_audio_buffer.commit"}, []),
        ({"type": "input_audio_buffer.commit", "event_id": "e" * 512}, []),
        ({"type": "input_audio_buffer.commit", "event_id": "e" * 513}, ["RT204"]),
        ({"type": "input_audio_buffer.commit", "session": {}}, ["RT203"]),
        ({"type": "input_audio_buffer.clear", "event_id": 1}, ["RT202"]),
        ({"type": "input_audio_buffer.clear", "audio": ""}, ["RT203"]),
    ],
)
def test_commit_and_clear_envelope(event: dict[str, Any], codes: list[str]) -> None:
    assert [v.rule for v in validate_event(event)] == codes


# -- the quiet road is the slow road for every quiet type -----------------------------------------


def _state(session: Any) -> object:
    return deep_state(session)


@pytest.mark.parametrize("event_type", sorted(EVENT_TYPES - STATEFUL_TYPES))
@pytest.mark.parametrize("history", ["fresh", "vad_off_40ms", "vad_on_200ms", "id_seen"])
def test_quiet_types_are_judged_by_type_and_id_alone(event_type: str, history: str) -> None:
    """Every type the fast road may take quietly gets the same verdict and the same state from
    ``take_quiet`` as from ``observe``: a type that needs more must be in STATEFUL_TYPES."""
    sessions = [Session(), Session()]
    for session in sessions:
        if history == "vad_off_40ms":
            session.observe(OFF, 1, None)
            session.observe(_ms(40), 2, 1920)
        elif history == "vad_on_200ms":
            session.observe(_ms(200), 1, 9600)
        elif history == "id_seen":
            session.observe({"type": "response.create", "event_id": "e1"}, 1, None)
    client = event_type in CLIENT_EVENT_TYPES
    quiet, slow = sessions
    taken = quiet.take_quiet(event_type, "e1" if client else None, 5)
    found = slow.observe({"type": event_type, "event_id": "e1"}, 5, None)
    assert taken == (found == [])
    if taken:
        assert _state(quiet) == _state(slow)
