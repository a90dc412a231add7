"""Input audio formats: the names the API accepts, in both API shapes, and their byte rates."""

from typing import Any, NamedTuple

from .event_types import TRANSLATION_APPEND
from .jsontext import json_type

ODD_SIZE = 1
"""A content flag: the audio is an odd number of bytes (RT306 where samples are 2 bytes)."""
FLOAT32_LOOK = 2
"""A content flag: the bytes look like 32-bit float samples (RT308 where pcm16 is expected)."""


class AudioFormat(NamedTuple):
    """An input audio format: its beta name, bytes per second, and bytes per sample."""

    name: str
    bytes_per_second: int
    sample_width: int

    @property
    def content_flags(self) -> int:
        """Return the content flags that are findings in this format: an odd size where a
        sample is two bytes, a float32 look where samples are 16-bit integers."""
        return ODD_SIZE | FLOAT32_LOOK if self.sample_width == 2 else 0


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


def _supported(values: list[str]) -> str:
    quoted = [repr(v) for v in values]
    return ", ".join(quoted[:-1]) + ", and " + quoted[-1]


_USE = "use pcm16 at 24 kHz, G.711 u-law or A-law"


def _unsupported(reason: str, fix: str = f"({_USE})", side: str = "input") -> str:
    """Return the RT403 message for ``reason``, ending with how to fix it."""
    return f"unsupported {side} audio format: {reason}; the update changes nothing {fix}"


def format_from_ga(value: Any, side: str = "input") -> tuple[str | None, str | None]:
    """Return (beta name, None) for a GA format object of ``side`` ("input" or "output"),
    or (None, RT403 message) when the server refuses it.

    The spec makes ``type`` optional; an object without it is ``audio/pcm``'s shape, the
    only one with a ``rate``, and the session's default format. On output the live server
    requires the rate of ``audio/pcm`` (antoinedc/MantaUI PR #1196); on input no such answer
    is known, so there it may be left out, as the spec has it.
    """
    param = f"session.audio.{side}.format"
    if not isinstance(value, dict):
        return None, _unsupported(
            f"the server answers invalid_type (\"Invalid type for '{param}': "
            f'expected an object, but got {json_type(value)} instead.")',
            side=side,
        )
    kind = value.get("type", "audio/pcm")
    if kind not in GA_TYPES:
        return None, _unsupported(
            f'the server answers invalid_value ("Invalid value: {kind!r}. Supported values '
            f'are: {_supported(list(GA_TYPES))}.")'
            if isinstance(kind, str)
            else f"{side} format type is {json_type(kind)}, not a string",
            side=side,
        )
    if kind == "audio/pcm" and "rate" in value:
        rate = value["rate"]
        if not isinstance(rate, (int, float)) or isinstance(rate, bool):
            return None, _unsupported(
                f"'rate' is {json_type(rate)}, not a number: the server answers invalid_type "
                f"(\"Invalid type for '{param}.rate': expected an integer, "
                f'but got {json_type(rate)} instead.")',
                f'(write "rate": {PCM_RATE}, a number)',
                side,
            )
        if rate != PCM_RATE:
            return None, _unsupported(
                f"audio/pcm at rate {rate!r}: only {PCM_RATE} Hz is supported", side=side
            )
    elif kind == "audio/pcm" and side == "output":
        return None, _unsupported(
            "audio/pcm without 'rate': the server answers missing_required_parameter "
            f"(\"Missing required parameter: '{param}.rate'.\")",
            f'(add "rate": {PCM_RATE})',
            side,
        )
    return GA_TYPES[kind], None


def format_from_beta(value: Any, side: str = "input") -> tuple[str | None, str | None]:
    """Return (beta name, None) for a beta ``input_audio_format`` (``output_audio_format``
    with ``side`` "output"), or (None, RT403 message)."""
    if isinstance(value, str) and value in FORMATS:
        return value, None
    if isinstance(value, str):
        return None, _unsupported(
            f'the server answers invalid_value ("Invalid value: {value!r}. Supported values '
            f'are: {_supported(list(FORMATS))}.")',
            side=side,
        )
    return None, _unsupported(f"{side}_audio_format is {json_type(value)}, not a string", side=side)


def format_of(event_type: object, session_format: str) -> str:
    """Return the format an append of ``event_type`` is judged by in a session whose input
    format is ``session_format``: a translation session's append is always pcm16 at 24 kHz."""
    return "pcm16" if event_type == TRANSLATION_APPEND else session_format
