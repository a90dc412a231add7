"""validate_event's straight path for a canonical append dict against its slow twin.

The straight path (one decode, inline checks) only ever accepts; whatever it does not accept
goes to ``validate_event_slow``. These tests hold the two equal on every event of the fixtures
and on hypothesis' appends made near the edge of each check (padding, alphabet, canonical
last character, size, containers, odd sizes, float32), and prove that the straight path is
the one taken for a valid append.
"""

from __future__ import annotations

import base64
import json
import math
import struct
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from validator import validate_event
from validator.check import event as event_module
from validator.check.event import validate_event_slow

ROOT = Path(__file__).parent.parent
AUDIO = ROOT / "fixtures" / "audio"


def _fixture_values() -> list[Any]:
    values: list[Any] = []
    for path in sorted((ROOT / "fixtures").rglob("*")):
        if path.suffix not in (".json", ".jsonl") or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        try:
            values.append(json.loads(text))
            continue
        except ValueError:
            pass
        for line in text.splitlines():
            try:
                values.append(json.loads(line))
            except ValueError:
                continue
    events: list[Any] = []
    for value in values:  # a file may hold a list of events or one event
        events.extend(value if isinstance(value, list) else [value])
    return [e for e in events if isinstance(e, dict)]


FIXTURE_EVENTS = _fixture_values()
SETTINGS: list[dict[str, Any]] = [
    {},
    {"audio_format": "g711_ulaw"},
    {"audio_format": "pcm16", "max_audio_bytes": 100},
]


def _same(event: Any, **options: Any) -> None:
    assert validate_event(event, **options) == validate_event_slow(event, **options)


def test_fixture_events_agree() -> None:
    appends = [e for e in FIXTURE_EVENTS if e.get("type") == "input_audio_buffer.append"]
    assert len(FIXTURE_EVENTS) > 100 and len(appends) > 20  # the fixtures are read
    for event in FIXTURE_EVENTS:
        for options in SETTINGS:
            _same(event, **options)


def _pcm16(samples: int, amplitude: int, seed: int) -> bytes:
    return b"".join(
        struct.pack("<h", int(amplitude * math.sin(seed + i * 0.07))) for i in range(samples)
    )


def _float32(samples: int) -> bytes:
    return b"".join(struct.pack("<f", 0.4 * math.sin(i * 0.05)) for i in range(samples))


def _raw(name: str, size: int) -> bytes:
    return (AUDIO / name).read_bytes()[:size]


AUDIO_BYTES = st.one_of(
    st.binary(max_size=1200),
    st.builds(_pcm16, st.integers(0, 600), st.integers(0, 32767), st.integers(0, 99)),
    st.builds(_float32, st.integers(0, 300)),
    st.builds(
        _raw,
        st.sampled_from(
            [
                "speech.wav",
                "speech_id3.mp3",
                "speech_bare.mp3",
                "speech.flac",
                "speech.m4a",
                "speech.aac",
                "speech_f32le_24k.raw",
                "speech_pcm16_24k.raw",
                "speech_ulaw_8k.raw",
            ]
        ),
        st.integers(0, 12000),
    ),
)


@st.composite
def _audio_text(draw: st.DrawFn) -> Any:
    text = base64.b64encode(draw(AUDIO_BYTES)).decode()
    change = draw(
        st.sampled_from(
            ["none"] * 6
            + ["unpad", "noncanonical", "urlsafe", "space", "newline", "unicode", "pad", "cut"]
            + ["join", "bytes", "not-str"]
        )
    )
    if change == "unpad":
        text = text.rstrip("=")
    elif change == "noncanonical" and text.endswith("="):
        keep = 3 if text.endswith("==") else 2
        text = text[:-keep] + "B" if keep == 2 else text[:-3] + "B=="
        text = text + "=" if not text.endswith("=") else text
    elif change == "urlsafe":
        text = text.replace("+", "-").replace("/", "_") + "-_"
    elif change == "space":
        at = draw(st.integers(0, len(text)))
        text = text[:at] + " " + text[at:]
    elif change == "newline":
        text = text + "\n"
    elif change == "unicode":
        at = draw(st.integers(0, len(text)))
        text = text[:at] + "é" + text[at:]
    elif change == "pad":
        text = text + "="
    elif change == "cut" and text:
        text = text[: draw(st.integers(0, len(text) - 1))]
    elif change == "join":
        text = text + text
    elif change == "bytes":
        return text.encode()
    elif change == "not-str":
        return draw(st.sampled_from([None, 1, [text], {"a": text}]))
    return text


@st.composite
def _append(draw: st.DrawFn) -> dict[Any, Any]:
    event: dict[Any, Any] = {}
    kind = draw(st.sampled_from(["append"] * 6 + ["translation", "other", "typo", "not-str"]))
    event["type"] = {
        "append": "input_audio_buffer.append",
        "translation": "session.input_audio_buffer.append",
        "other": "input_audio_buffer.commit",
        "typo": "input_audio_buffer.apend",
        "not-str": 7,
    }[kind]
    if draw(st.booleans()) or draw(st.booleans()):
        event["audio"] = draw(_audio_text())
    id_kind = draw(st.sampled_from(["none", "short", "512", "513", "not-str", "empty"]))
    if id_kind != "none":
        event["event_id"] = {
            "short": "evt_1",
            "512": "e" * 512,
            "513": "e" * 513,
            "not-str": 12,
            "empty": "",
        }[id_kind]
    if draw(st.integers(0, 5)) == 0:
        event[draw(st.sampled_from(["data", "Audio", "extra", 1]))] = "x"
    if draw(st.integers(0, 7)) == 0:  # other orders of the keys
        event = dict(reversed(list(event.items())))
    return event


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_append(), st.sampled_from(SETTINGS))
def test_straight_path_equals_slow_twin(event: dict[Any, Any], options: dict[str, Any]) -> None:
    _same(event, **options)


def test_valid_append_takes_the_straight_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """A valid 20 ms append never reaches the slow twin; anything with a finding does."""
    calls: list[object] = []

    def counting(event: Any, **options: Any) -> Any:
        calls.append(event)
        return validate_event_slow(event, **options)

    monkeypatch.setattr(event_module, "validate_event_slow", counting)
    audio = base64.b64encode(_pcm16(480, 3000, 1)).decode()
    for event in (
        {"type": "input_audio_buffer.append", "audio": audio},
        {"type": "input_audio_buffer.append", "audio": audio, "event_id": "evt_1"},
        {"event_id": "e" * 512, "audio": audio, "type": "input_audio_buffer.append"},
    ):
        assert event_module.validate_event(event) == []
    assert calls == []
    odd = base64.b64encode(_pcm16(480, 3000, 1)[:-1]).decode()
    floats = base64.b64encode(_float32(240)).decode()
    wav = base64.b64encode(_raw("speech.wav", 960)).decode()
    for bad in (odd, floats, wav, audio.rstrip("=") + "A", ""):
        found = event_module.validate_event({"type": "input_audio_buffer.append", "audio": bad})
        assert found and found == validate_event_slow(
            {"type": "input_audio_buffer.append", "audio": bad}
        )
    assert len(calls) == 5
