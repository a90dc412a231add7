"""Measure one append's raw audio bytes for the audio-signal rules (RT601-RT606).

Pure functions over the decoded bytes of ONE ``input_audio_buffer.append``: no state, no I/O,
standard library only (no numpy; not ``audioop``, which Python 3.13 removed). Nothing here
decides a rule: the session's evidence accumulator (``validator/engine/evidence.py``) adds the
features of many appends up, decides, and says what it needs measured of the next append.

The cost is bounded whatever the append's size, and grows with what is asked for (flags):

- ``LEVEL`` (always): the append's :func:`ceiling`, a bound on its peak: digital silence,
  within -42 dBFS, within -36 dBFS, or louder. A ``bytes.translate`` over the high bytes of
  ``PROBE_BYTES`` at the start, middle or end settles it for audible audio; a quiet append is
  read whole the same way (under a nanosecond a byte, never a Python loop over samples).
- ``WINDOW``: the sum of squares of one window of ``WINDOW_BYTES`` from the middle of the
  append, for the level a silence finding quotes.
- ``CLIP``: for a loud append, how many samples of the middle ``RAIL_BYTES`` sit on flat
  full-scale tops (``bytes.find`` and ``bytes.count``).
- ``SHAPE``: for a loud append, CLIP and how the window reads as little-endian and big-endian
  16-bit samples and as mu-law and A-law bytes (:class:`Shape`), with C-level loops only
  (``math.hypot``, ``math.dist``, ``bytes.translate``).

Each reading of a window is summarised by :class:`Sums`, so that windows add up: ``energy`` is
the centred sum of squares, ``lag1``/``lag2`` the sums of squared differences at lags 1 and 2,
and ``r(k) = 1 - lag_k / (2 * energy)`` the normalised autocorrelation: near 1 when the bytes are
read the way they were written (real audio is smooth), near 0 when they are read another way
(they look like white noise).
"""

from __future__ import annotations

import math
import sys
from array import array
from collections.abc import Callable
from typing import Final, NamedTuple

__all__ = [
    "ALAW",
    "CLIP",
    "FULL_SCALE",
    "LEVEL",
    "LOUD_PEAK",
    "PCM16",
    "PROBE_BYTES",
    "QUIET_PEAK",
    "RAIL_BYTES",
    "SHAPE",
    "ULAW",
    "UNBOUNDED",
    "WINDOW",
    "WINDOW_BYTES",
    "Features",
    "Shape",
    "Sums",
    "bytes_per_sample",
    "ceiling",
    "features",
    "rail_runs",
    "shape",
    "window_power",
]

PCM16: Final = "pcm16"
ULAW: Final = "g711_ulaw"
ALAW: Final = "g711_alaw"

# What ``features`` measures, as flags (the evidence accumulator's ``wants`` returns them). The
# level is always measured.
LEVEL: Final = 1
WINDOW: Final = 2
SHAPE: Final = 4
CLIP: Final = 8

FULL_SCALE: Final = 32768
# Peak bounds, on the 16-bit scale. A pcm16 sample within +/-256 (-42.1 dBFS) has a high byte
# of 0x00 or 0xFF, and one below 512 in magnitude (-36.1 dBFS) also 0x01 or 0xFE, so each test
# is one bytes.translate of the high bytes.
QUIET_PEAK: Final = 256
LOUD_PEAK: Final = 512
UNBOUNDED: Final = FULL_SCALE + 1
PROBE_BYTES: Final = 512
WINDOW_BYTES: Final = 512
RAIL_BYTES: Final = 2048  # clipping is rarer than the shape: counted over a wider span
_MIN_WINDOW_BYTES: Final = 64

_QUIET_HIGH_BYTES: Final = b"\x00\xff"
_LOUD_HIGH_BYTES: Final = b"\x00\x01\xfe\xff"


def _ulaw_value(code: int) -> int:
    """Return the linear 16-bit value of one G.711 mu-law code (ITU-T G.711, as sox decodes)."""
    u = ~code & 0xFF
    magnitude = ((((u & 0x0F) << 3) + 0x84) << ((u >> 4) & 7)) - 0x84
    return -magnitude if u & 0x80 else magnitude


def _alaw_value(code: int) -> int:
    """Return the linear 16-bit value of one G.711 A-law code (ITU-T G.711, as sox decodes)."""
    a = code ^ 0x55
    exponent, step = (a >> 4) & 7, ((a & 0x0F) << 4) + 8
    magnitude = step if exponent == 0 else (step + 0x100) << (exponent - 1)
    return magnitude if a & 0x80 else -magnitude


_DECODERS: Final[dict[str, Callable[[int], int]]] = {ULAW: _ulaw_value, ALAW: _alaw_value}
_LINEAR: Final = {law: [decode(code) for code in range(256)] for law, decode in _DECODERS.items()}


def _companded_table(law: str) -> bytes:
    """Return a translate table mapping each G.711 code to 128 +/- the rank of its magnitude.

    The companded (log-domain) value keeps the waveform's shape, so its autocorrelation tells
    G.711 bytes from anything else as well as the linear value does, at byte-string speed.
    """
    values = _LINEAR[law]
    rank = {magnitude: i for i, magnitude in enumerate(sorted({abs(v) for v in values}))}
    return bytes(128 + (rank[abs(v)] if v > 0 else -rank[abs(v)]) for v in values)


def _codes(law: str, bound: int) -> bytes:
    """Return the codes of a G.711 law whose magnitude is at most ``bound``."""
    return bytes(code for code, value in enumerate(_LINEAR[law]) if abs(value) <= bound)


_COMPANDED: Final = {law: _companded_table(law) for law in _DECODERS}
_ZERO: Final = {law: _codes(law, 0) for law in _DECODERS}
_QUIET: Final = {law: _codes(law, QUIET_PEAK) for law in _DECODERS}
_LOUD: Final = {law: _codes(law, LOUD_PEAK - 1) for law in _DECODERS}
# Two consecutive samples on the same full-scale rail, as bytes: a flat, clipped top. pcm16,
# little-endian: +32767 (ff 7f), -32768 (00 80) and -32767 (01 80, what JavaScript's
# `s * 0x7fff` gives); G.711: the largest code of each sign.
_RAIL_PAIRS: Final = {
    PCM16: (b"\xff\x7f\xff\x7f", b"\x00\x80\x00\x80", b"\x01\x80\x01\x80"),
    ULAW: (b"\x80\x80", b"\x00\x00"),
    ALAW: (b"\xaa\xaa", b"\x2a\x2a"),
}


class Sums(NamedTuple):
    """Second-order sums of one reading of a window; they add up over windows."""

    samples: int
    energy: float  # sum of (x - mean) ** 2
    lag1: float  # sum of (x[i] - x[i + 1]) ** 2
    lag2: float  # sum of (x[i] - x[i + 2]) ** 2; 0.0 where not measured


class Shape(NamedTuple):
    """How one window reads: the evidence for RT602, RT603 and RT604.

    ``le``: the bytes as 16-bit little-endian samples; ``be``, ``ulaw``, ``alaw``: the first half
    of the window as big-endian samples and as companded G.711 codes (the wrong readings only
    have to lose to the right one, so half the window does). ``even_power``/``odd_power``: sums of
    squares of the even- and odd-indexed little-endian samples, and ``pair_lag1`` the part of
    ``le.lag1`` within each (even, odd) pair: for interleaved stereo, the two channels and their
    difference.
    """

    le: Sums
    be: Sums
    ulaw: Sums
    alaw: Sums
    even_power: float
    odd_power: float
    pair_lag1: float


class Features(NamedTuple):
    """What one append measured, at the detail asked for (a NamedTuple: cheap to make).

    ``ceiling``: a bound on the peak (see :func:`ceiling`). ``window``/``power``: samples in the
    measured window and their sum of squares on the 16-bit scale, G.711 decoded (0 and 0.0 when
    not measured). ``rail_samples``/``rail_runs``: see :func:`rail_runs` (0 and 0 when not
    measured). ``shape``: None unless asked for. Clipping and shape are measured of loud
    appends only: a quiet window says nothing about them.
    """

    samples: int
    ceiling: int
    window: int
    power: float
    rail_samples: int
    rail_runs: int
    shape: Shape | None


def bytes_per_sample(audio_format: str) -> int:
    """Return the bytes one sample takes in ``audio_format`` (2 for pcm16, 1 for G.711)."""
    return 1 if audio_format in _DECODERS else 2


def ceiling(data: bytes, audio_format: str = PCM16) -> int:
    """Return a bound on the peak magnitude of ``data``: 1 (digital silence), ``QUIET_PEAK``
    (every sample within +/-256, -42 dBFS), ``LOUD_PEAK`` (every sample below 512 in magnitude,
    -36 dBFS) or ``UNBOUNDED`` (louder)."""
    if audio_format in _LINEAR:
        loud, quiet, zero = _LOUD[audio_format], _QUIET[audio_format], _ZERO[audio_format]
        if data[:PROBE_BYTES].translate(None, loud) or _loud_probe(data, loud, 0):
            return UNBOUNDED
        if data.translate(None, loud):
            return UNBOUNDED
        rest = data.translate(None, quiet)
    else:
        high_bytes = _LOUD_HIGH_BYTES
        if data[1:PROBE_BYTES:2].translate(None, high_bytes) or _loud_probe(data, high_bytes, 1):
            return UNBOUNDED
        high = data[1::2]
        if high.translate(None, high_bytes):
            return UNBOUNDED
        rest, zero = high.translate(None, _QUIET_HIGH_BYTES), b"\x00"
    if rest:
        return LOUD_PEAK
    return QUIET_PEAK if data.strip(zero) else 1


def _loud_probe(data: bytes, quiet: bytes, offset: int) -> bool:
    """Return whether ``PROBE_BYTES`` from the middle or the end of ``data`` hold a byte outside
    ``quiet`` (every other byte from ``offset`` for pcm16's high bytes, else every byte): speech
    has pauses, and a loud probe spares reading the whole append."""
    if len(data) <= 3 * PROBE_BYTES:
        return False
    step = 2 if offset else 1
    middle = (len(data) // 2) & ~1
    end = (len(data) - PROBE_BYTES) & ~1
    for start in (middle, end):
        if data[start + offset : start + PROBE_BYTES : step].translate(None, quiet):
            return True
    return False


def _window(data: bytes, size: int = WINDOW_BYTES) -> bytes:
    """Return up to ``size`` bytes from the middle of ``data``: even offset, whole pairs."""
    size = min(len(data), size) & ~3
    start = ((len(data) - size) // 2) & ~1
    return data[start : start + size]


def _little(window: bytes) -> array[int]:
    """Return ``window`` read as 16-bit little-endian samples."""
    samples = array("h")
    samples.frombytes(window)
    if sys.byteorder == "big":
        samples.byteswap()
    return samples


def _swapped(samples: array[int]) -> tuple[int, ...]:
    """Return ``samples`` with the two bytes of each swapped (the big-endian reading)."""
    swapped = array("h", samples)
    swapped.byteswap()
    return tuple(swapped)


def window_power(data: bytes, audio_format: str = PCM16) -> tuple[int, float]:
    """Return the samples of the middle window of ``data`` and their sum of squares."""
    window = _window(data)
    if audio_format in _LINEAR:
        values: tuple[int, ...] = tuple(map(_LINEAR[audio_format].__getitem__, window))
    else:
        values = tuple(_little(window))
    return len(values), math.hypot(*values) ** 2


def rail_runs(data: bytes, audio_format: str = PCM16) -> tuple[int, int]:
    """Return the samples in the middle ``RAIL_BYTES`` of ``data`` and about how many of them
    sit in runs of the same full-scale value (flat, clipped tops).

    ``bytes.count`` finds non-overlapping pairs of rail samples, so a run of n samples counts
    n // 2 pairs: twice the pairs is the run's length, give or take one. A pcm16 pair found at
    an odd offset would need a -129 between two quiet samples: rare enough to ignore.
    """
    span = _window(data, RAIL_BYTES)
    if audio_format in _LINEAR:
        return len(span), 2 * sum(map(span.count, _RAIL_PAIRS[audio_format]))
    high = span[1::2]
    if 0x7F not in high and 0x80 not in high:  # nothing near full scale: the usual case
        return len(span) // 2, 0
    return len(span) // 2, 2 * sum(map(span.count, _RAIL_PAIRS[PCM16]))


def _sums(x: tuple[int, ...], power: float | None = None, *, lag2: bool = False) -> Sums:
    """Return the second-order sums of one reading ``x`` (``power``: its sum of squares)."""
    n = len(x)
    if power is None:
        power = math.hypot(*x) ** 2
    energy = max(power - sum(x) ** 2 / n, 0.0)
    second = math.dist(x[:-2], x[2:]) ** 2 if lag2 else 0.0
    return Sums(n, energy, math.dist(x[:-1], x[1:]) ** 2, second)


def shape(data: bytes, audio_format: str = PCM16) -> Shape | None:
    """Return how the middle window of ``data`` reads, or None when it is too short."""
    window = _window(data)
    if len(window) < _MIN_WINDOW_BYTES:
        return None
    samples = _little(window)
    little = tuple(samples)
    even, odd = little[0::2], little[1::2]
    even_power, odd_power = math.hypot(*even) ** 2, math.hypot(*odd) ** 2
    half = window[: len(window) // 2]
    return Shape(
        le=_sums(little, even_power + odd_power, lag2=True),
        be=_sums(_swapped(samples[: len(samples) // 2])),
        ulaw=_sums(tuple(half.translate(_COMPANDED[ULAW]))),
        alaw=_sums(tuple(half.translate(_COMPANDED[ALAW]))),
        even_power=even_power,
        odd_power=odd_power,
        pair_lag1=math.dist(even, odd) ** 2,
    )


def features(
    data: bytes, audio_format: str = PCM16, detail: int = LEVEL | WINDOW | SHAPE
) -> Features:
    """Return the features of one append's decoded audio ``data``; ``detail``: LEVEL, WINDOW,
    CLIP and SHAPE flags (SHAPE measures the clipping too)."""
    bound = ceiling(data, audio_format)
    window, power = window_power(data, audio_format) if detail & WINDOW else (0, 0.0)
    loud = bound == UNBOUNDED
    rails, runs = rail_runs(data, audio_format) if loud and detail & (CLIP | SHAPE) else (0, 0)
    return Features(
        samples=len(data) // bytes_per_sample(audio_format),
        ceiling=bound,
        window=window,
        power=power,
        rail_samples=rails,
        rail_runs=runs,
        shape=shape(data, audio_format) if loud and detail & SHAPE else None,
    )
