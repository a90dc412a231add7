"""Input audio formats: the names the API accepts, in both API shapes, and their byte rates."""

from __future__ import annotations

from typing import Any, NamedTuple


class AudioFormat(NamedTuple):
    """An input audio format: its beta name, bytes per second, and bytes per sample."""

    name: str
    bytes_per_second: int
    sample_width: int


FORMATS: dict[str, AudioFormat] = {
    "pcm16": AudioFormat("pcm16", 48_000, 2),  # 16-bit little-endian mono at 24 kHz
    "g711_ulaw": AudioFormat("g711_ulaw", 8_000, 1),  # 8-bit at 8 kHz
    "g711_alaw": AudioFormat("g711_alaw", 8_000, 1),
}

# GA `session.audio.input.format.type` -> beta name
GA_TYPES = {"audio/pcm": "pcm16", "audio/pcmu": "g711_ulaw", "audio/pcma": "g711_alaw"}
PCM_RATE = 24_000

ACCEPTED_SPELLINGS = (*FORMATS, *GA_TYPES)


def normalize_format(name: str) -> str:
    """Return the beta name of a format given in either spelling; raise ValueError if unknown."""
    key = name.strip().lower()
    if key in FORMATS:
        return key
    if key in GA_TYPES:
        return GA_TYPES[key]
    raise ValueError(f"unknown audio format {name!r}: use one of {', '.join(ACCEPTED_SPELLINGS)}")


def format_from_ga(value: Any) -> tuple[str | None, str | None]:
    """Return (beta name, None) for a GA format object, or (None, reason) when unsupported."""
    if not isinstance(value, dict):
        return None, f"the GA input format is {type(value).__name__}, not an object"
    kind = value.get("type")
    if kind not in GA_TYPES:
        return None, f"input format type {kind!r} is not one of {', '.join(GA_TYPES)}"
    if kind == "audio/pcm" and "rate" in value and value["rate"] != PCM_RATE:
        return None, f"audio/pcm at rate {value['rate']!r}: only {PCM_RATE} Hz is supported"
    return GA_TYPES[kind], None


def format_from_beta(value: Any) -> tuple[str | None, str | None]:
    """Return (beta name, None) for a beta ``input_audio_format``, or (None, reason)."""
    if isinstance(value, str) and value in FORMATS:
        return value, None
    return None, f"input_audio_format {value!r} is not one of {', '.join(FORMATS)}"
