"""The audio edits (unsafe: they change what the server hears): a file's samples out of its
container (RT307), float32 samples as 16-bit (RT308). Pure functions over bytes.

A WAV file whose data is already what the session expects (16-bit mono PCM at 24 kHz, or
G.711 at 8 kHz) only loses its header. Anything else is decoded with ``soundfile``
(libsndfile: WAV, FLAC, Ogg, MP3) and resampled with ``soxr``, from the optional ``[audio]``
extra, imported only here and only then.
"""

from __future__ import annotations

import io
import math
import struct
import sys
from array import array
from typing import Any, NamedTuple

from ..core.install import install_hint

EXTRA = install_hint("audio")
_PCM, _ALAW, _ULAW, _EXTENSIBLE = 1, 6, 7, 0xFFFE
_SESSION_WAV = {  # session format -> (WAV format tag, bits per sample, rate)
    "pcm16": (_PCM, 16, 24000),
    "g711_alaw": (_ALAW, 8, 8000),
    "g711_ulaw": (_ULAW, 8, 8000),
}
PCM16_RATE = 24000
SESSION_FORMATS = frozenset(_SESSION_WAV)
"""The session formats a file's audio can be unwrapped to."""


class Converted(NamedTuple):
    """The audio bytes the session expects, and what was done; or, with ``data`` None, why
    nothing could be."""

    data: bytes | None
    how: str


def _wav_parts(data: bytes) -> tuple[tuple[int, int, int, int], bytes] | None:
    """Return ((format tag, channels, rate, bits), sample bytes) of a RIFF/WAVE file."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        return None
    fmt = None
    pos = 12
    while pos + 8 <= len(data):
        chunk, size = data[pos : pos + 4], struct.unpack_from("<I", data, pos + 4)[0]
        body = pos + 8
        if chunk == b"fmt " and size >= 16:
            tag, channels, rate = struct.unpack_from("<HHI", data, body)
            bits = struct.unpack_from("<H", data, body + 14)[0]
            if tag == _EXTENSIBLE and size >= 40:
                tag = struct.unpack_from("<H", data, body + 24)[0]  # the sub-format's GUID
            fmt = (tag, channels, rate, bits)
        elif chunk == b"data":
            if fmt is None:
                return None
            return fmt, data[body : body + min(size, len(data) - body)]
        pos = body + size + (size & 1)
    return None


def installed(*modules: str) -> bool:
    """Return True where every one of ``modules`` can be imported (looked for, not imported:
    numpy and its kin load only for a repair)."""
    from importlib.util import find_spec

    return all(find_spec(module) is not None for module in modules)


_SNDFILE_READS = ("WAV", "FLAC", "Ogg", "MP3")
"""The containers (``core.media.sniff_container``'s names) that libsndfile decodes."""


def can_unwrap(data: bytes, audio_format: str) -> bool:
    """Return True where ``unwrapped`` gives the samples of this file, judged without decoding
    it (``[*]`` marks a finding without loading numpy): a WAV already in the session's format,
    or, in a pcm16 session with the [audio] extra installed, a container libsndfile reads."""
    from ..core.media import CONTENT_WINDOW, sniff_container

    parts = _wav_parts(data)
    tag, bits, rate = _SESSION_WAV[audio_format]
    if parts is not None and parts[0] == (tag, 1, rate, bits):
        return True
    if audio_format != "pcm16" or not installed("numpy", "soundfile", "soxr"):
        return False
    return (sniff_container(data[:CONTENT_WINDOW]) or "").startswith(_SNDFILE_READS)


def unwrapped(data: bytes, audio_format: str) -> Converted:
    """Return the raw samples of an audio file (RT307) in the session's ``audio_format``."""
    parts = _wav_parts(data)
    tag, bits, rate = _SESSION_WAV[audio_format]
    if parts is not None and parts[0] == (tag, 1, rate, bits):
        return Converted(parts[1], "dropped the WAV header (its data is already the session's)")
    if audio_format != "pcm16":
        return Converted(None, f"only a WAV file already in {audio_format} is unwrapped")
    try:
        import numpy as np
        import soundfile  # type: ignore[import-untyped]
        import soxr  # type: ignore[import-untyped]
    except ImportError:
        return Converted(None, f"decoding and resampling the file needs the [audio] extra: {EXTRA}")
    try:
        samples, found_rate = soundfile.read(io.BytesIO(data), dtype="float32", always_2d=True)
    except (RuntimeError, ValueError, TypeError, soundfile.LibsndfileError) as exc:
        return Converted(None, f"soundfile cannot decode it ({exc})")
    mono: Any = samples.mean(axis=1)
    if found_rate != PCM16_RATE:
        mono = soxr.resample(mono, found_rate, PCM16_RATE)
    scaled = np.rint(np.clip(mono, -1.0, 1.0) * 32767.0).astype("<i2")
    return Converted(
        scaled.tobytes(),
        f"decoded the file ({found_rate} Hz, {samples.shape[1]} channels) to pcm16",
    )


def float32_as_pcm16(data: bytes) -> Converted:
    """Return float32 little-endian samples (RT308) as 16-bit: clipped to [-1, 1], scaled by
    32767, rounded to the nearest (NaN: silence)."""
    if len(data) % 4:
        return Converted(None, "its size is not a whole number of float32 samples")
    floats = array("f", data)
    if sys.byteorder == "big":
        floats.byteswap()
    out = array(
        "h", (0 if math.isnan(x) else round(min(1.0, max(-1.0, x)) * 32767) for x in floats)
    )
    if sys.byteorder == "big":
        out.byteswap()
    return Converted(out.tobytes(), "converted float32 samples to 16-bit")
