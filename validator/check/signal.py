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

import sys
from array import array
from typing import Final

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
    "g711_linear",
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


_DECODERS: Final = (ULAW, ALAW)


def _little(data: bytes) -> array[int]:
    """Return ``data`` read as 16-bit little-endian samples."""
    samples = array("h")
    samples.frombytes(data)
    if sys.byteorder == "big":
        samples.byteswap()
    return samples


# ITU-T G.711 as sox decodes it, written out (``tests/test_signal.py`` derives every table from
# the standard's formulas and holds them equal): each code's linear 16-bit value, little-endian
# pairs; the companded value (128 +/- the rank of the code's magnitude), whose autocorrelation
# tells G.711 bytes from anything else as well as the linear value does, at byte-string speed;
# and the codes within each peak bound. Literals: computing them cost a millisecond at import.
_LINEAR_HEX: Final = {
    ULAW: (
        "84828486848a848e84928496849a849e84a284a684aa84ae84b284b684ba84be84c184c384c584c7"
        "84c984cb84cd84cf84d184d384d584d784d984db84dd84df04e104e204e304e404e504e604e704e8"
        "04e904ea04eb04ec04ed04ee04ef04f0c4f044f1c4f144f2c4f244f3c4f344f4c4f444f5c4f544f6"
        "c4f644f7c4f744f8a4f8e4f824f964f9a4f9e4f924fa64faa4fae4fa24fb64fba4fbe4fb24fc64fc"
        "94fcb4fcd4fcf4fc14fd34fd54fd74fd94fdb4fdd4fdf4fd14fe34fe54fe74fe8cfe9cfeacfebcfe"
        "ccfedcfeecfefcfe0cff1cff2cff3cff4cff5cff6cff7cff88ff90ff98ffa0ffa8ffb0ffb8ffc0ff"
        "c8ffd0ffd8ffe0ffe8fff0fff8ff00007c7d7c797c757c717c6d7c697c657c617c5d7c597c557c51"
        "7c4d7c497c457c417c3e7c3c7c3a7c387c367c347c327c307c2e7c2c7c2a7c287c267c247c227c20"
        "fc1efc1dfc1cfc1bfc1afc19fc18fc17fc16fc15fc14fc13fc12fc11fc10fc0f3c0fbc0e3c0ebc0d"
        "3c0dbc0c3c0cbc0b3c0bbc0a3c0abc093c09bc083c08bc075c071c07dc069c065c061c06dc059c05"
        "5c051c05dc049c045c041c04dc039c036c034c032c030c03ec02cc02ac028c026c024c022c020c02"
        "ec01cc01ac018c0174016401540144013401240114010401f400e400d400c400b400a40094008400"
        "7800700068006000580050004800400038003000280020001800100008000000"
    ),
    ALAW: (
        "80ea80eb80e880e980ee80ef80ec80ed80e280e380e080e180e680e780e480e540f5c0f540f4c0f4"
        "40f7c0f740f6c0f640f1c0f140f0c0f040f3c0f340f2c0f200aa00ae00a200a600ba00be00b200b6"
        "008a008e00820086009a009e0092009600d500d700d100d300dd00df00d900db00c500c700c100c3"
        "00cd00cf00c900cba8feb8fe88fe98fee8fef8fec8fed8fe28fe38fe08fe18fe68fe78fe48fe58fe"
        "a8ffb8ff88ff98ffe8fff8ffc8ffd8ff28ff38ff08ff18ff68ff78ff48ff58ffa0fae0fa20fa60fa"
        "a0fbe0fb20fb60fba0f8e0f820f860f8a0f9e0f920f960f950fd70fd10fd30fdd0fdf0fd90fdb0fd"
        "50fc70fc10fc30fcd0fcf0fc90fcb0fc80158014801780168011801080138012801d801c801f801e"
        "80198018801b801ac00a400ac00b400bc0084008c0094009c00e400ec00f400fc00c400cc00d400d"
        "00560052005e005a00460042004e004a00760072007e007a00660062006e006a002b0029002f002d"
        "0023002100270025003b0039003f003d003300310037003558014801780168011801080138012801"
        "d801c801f801e80198018801b801a80158004800780068001800080038002800d800c800f800e800"
        "98008800b800a80060052005e005a00560042004e004a00460072007e007a00760062006e006a006"
        "b0029002f002d0023002100270025002b0039003f003d0033003100370035003"
    ),
}
_LINEAR: Final = {law: tuple(_little(bytes.fromhex(text))) for law, text in _LINEAR_HEX.items()}
_COMPANDED: Final = {
    ULAW: bytes.fromhex(
        "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728"
        "292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f50"
        "5152535455565758595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f707172737475767778"
        "797a7b7c7d7e7f80fffefdfcfbfaf9f8f7f6f5f4f3f2f1f0efeeedecebeae9e8e7e6e5e4e3e2e1e0"
        "dfdedddcdbdad9d8d7d6d5d4d3d2d1d0cfcecdcccbcac9c8c7c6c5c4c3c2c1c0bfbebdbcbbbab9b8"
        "b7b6b5b4b3b2b1b0afaeadacabaaa9a8a7a6a5a4a3a2a1a09f9e9d9c9b9a99989796959493929190"
        "8f8e8d8c8b8a89888786858483828180"
    ),
    ALAW: bytes.fromhex(
        "2b2c292a2f302d2e23242122272825263b3c393a3f403d3e33343132373835360b0c090a0f100d0e"
        "03040102070805061b1c191a1f201d1e13141112171815166b6c696a6f706d6e6364616267686566"
        "7b7c797a7f807d7e73747172777875764b4c494a4f504d4e43444142474845465b5c595a5f605d5e"
        "5354515257585556d5d4d7d6d1d0d3d2dddcdfded9d8dbdac5c4c7c6c1c0c3c2cdcccfcec9c8cbca"
        "f5f4f7f6f1f0f3f2fdfcfffef9f8fbfae5e4e7e6e1e0e3e2edecefeee9e8ebea9594979691909392"
        "9d9c9f9e99989b9a85848786818083828d8c8f8e89888b8ab5b4b7b6b1b0b3b2bdbcbfbeb9b8bbba"
        "a5a4a7a6a1a0a3a2adacafaea9a8abaa"
    ),
}
_ZERO: Final = {
    ULAW: bytes.fromhex("7fff"),
    ALAW: b"",  # A-law has no code for 0: its smallest are +-8
}
_QUIET: Final = {
    ULAW: bytes.fromhex(
        "68696a6b6c6d6e6f707172737475767778797a7b7c7d7e7fe8e9eaebecedeeeff0f1f2f3f4f5f6f7"
        "f8f9fafbfcfdfeff"
    ),
    ALAW: bytes.fromhex("505152535455565758595a5b5c5d5e5fd0d1d2d3d4d5d6d7d8d9dadbdcdddedf"),
}
_LOUD: Final = {
    ULAW: bytes.fromhex(
        "5c5d5e5f606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7fdcdddedf"
        "e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff"
    ),
    ALAW: bytes.fromhex(
        "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5fc0c1c2c3c4c5c6c7"
        "c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf"
    ),
}
# Two consecutive samples on the same full-scale rail, as bytes: a flat, clipped top. pcm16,
# little-endian: +32767 (ff 7f), -32768 (00 80) and -32767 (01 80, what JavaScript's
# `s * 0x7fff` gives); G.711: the largest code of each sign.
_RAIL_PAIRS: Final = {
    PCM16: (b"\xff\x7f\xff\x7f", b"\x00\x80\x00\x80", b"\x01\x80\x01\x80"),
    ULAW: (b"\x80\x80", b"\x00\x00"),
    ALAW: (b"\xaa\xaa", b"\x2a\x2a"),
}


class _Values:
    """A few named numbers, compared and shown by value: what a NamedTuple gives, without the
    millisecond that making a NamedTuple class costs at import."""

    __slots__: tuple[str, ...] = ()

    def _values(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and self._values() == other._values()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        values = ", ".join(
            f"{n}={v!r}" for n, v in zip(self.__slots__, self._values(), strict=True)
        )
        return f"{type(self).__name__}({values})"


class Sums(_Values):
    """Second-order sums of one reading of a window; they add up over windows.

    ``energy``: sum of (x - mean) ** 2; ``lag1``, ``lag2``: sums of (x[i] - x[i + 1]) ** 2 and
    (x[i] - x[i + 2]) ** 2 (0.0 where not measured).
    """

    __slots__ = ("energy", "lag1", "lag2", "samples")

    def __init__(self, samples: int, energy: float, lag1: float, lag2: float) -> None:
        self.samples = samples
        self.energy = energy
        self.lag1 = lag1
        self.lag2 = lag2


class Shape(_Values):
    """How one window reads: the evidence for RT602, RT603 and RT604.

    ``le``: the bytes as 16-bit little-endian samples; ``be``, ``ulaw``, ``alaw``: the first half
    of the window as big-endian samples and as companded G.711 codes (the wrong readings only
    have to lose to the right one, so half the window does). ``even_power``/``odd_power``: sums of
    squares of the even- and odd-indexed little-endian samples, and ``pair_lag1`` the part of
    ``le.lag1`` within each (even, odd) pair: for interleaved stereo, the two channels and their
    difference.
    """

    __slots__ = ("alaw", "be", "even_power", "le", "odd_power", "pair_lag1", "ulaw")

    def __init__(
        self,
        le: Sums,
        be: Sums,
        ulaw: Sums,
        alaw: Sums,
        even_power: float,
        odd_power: float,
        pair_lag1: float,
    ) -> None:
        self.le = le
        self.be = be
        self.ulaw = ulaw
        self.alaw = alaw
        self.even_power = even_power
        self.odd_power = odd_power
        self.pair_lag1 = pair_lag1


class Features(_Values):
    """What one append measured, at the detail asked for.

    ``ceiling``: a bound on the peak (see :func:`ceiling`). ``window``/``power``: samples in the
    measured window and their sum of squares on the 16-bit scale, G.711 decoded (0 and 0.0 when
    not measured). ``rail_samples``/``rail_runs``: see :func:`rail_runs` (0 and 0 when not
    measured). ``shape``: None unless asked for. Clipping and shape are measured of loud
    appends only: a quiet window says nothing about them.
    """

    __slots__ = ("ceiling", "power", "rail_runs", "rail_samples", "samples", "shape", "window")

    def __init__(
        self,
        samples: int,
        ceiling: int,
        window: int,
        power: float,
        rail_samples: int,
        rail_runs: int,
        shape: Shape | None,
    ) -> None:
        self.samples = samples
        self.ceiling = ceiling
        self.window = window
        self.power = power
        self.rail_samples = rail_samples
        self.rail_runs = rail_runs
        self.shape = shape


def g711_linear(law: str) -> tuple[int, ...]:
    """Return the linear 16-bit value of each of the 256 codes of a G.711 ``law``."""
    return _LINEAR[law]


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
    from math import hypot  # only loud audio is measured this far: imported when it is

    return len(values), hypot(*values) ** 2


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
    from math import dist, hypot

    n = len(x)
    if power is None:
        power = hypot(*x) ** 2
    energy = max(power - sum(x) ** 2 / n, 0.0)
    second = dist(x[:-2], x[2:]) ** 2 if lag2 else 0.0
    return Sums(n, energy, dist(x[:-1], x[1:]) ** 2, second)


def shape(data: bytes, audio_format: str = PCM16) -> Shape | None:
    """Return how the middle window of ``data`` reads, or None when it is too short."""
    window = _window(data)
    if len(window) < _MIN_WINDOW_BYTES:
        return None
    samples = _little(window)
    little = tuple(samples)
    even, odd = little[0::2], little[1::2]
    from math import dist, hypot

    even_power, odd_power = hypot(*even) ** 2, hypot(*odd) ** 2
    half = window[: len(window) // 2]
    return Shape(
        le=_sums(little, even_power + odd_power, lag2=True),
        be=_sums(_swapped(samples[: len(samples) // 2])),
        ulaw=_sums(tuple(half.translate(_COMPANDED[ULAW]))),
        alaw=_sums(tuple(half.translate(_COMPANDED[ALAW]))),
        even_power=even_power,
        odd_power=odd_power,
        pair_lag1=dist(even, odd) ** 2,
    )


def features(
    data: bytes, audio_format: str = PCM16, detail: int = LEVEL | WINDOW | SHAPE
) -> Features:
    """Return the features of one append's decoded audio ``data``; ``detail``: LEVEL, WINDOW,
    CLIP and SHAPE flags (SHAPE measures the clipping too)."""
    bound = ceiling(data, audio_format)
    samples = len(data) // (1 if audio_format in _DECODERS else 2)
    if detail == LEVEL:  # the most asked for: once a commit, made positionally
        return Features(samples, bound, 0, 0.0, 0, 0, None)
    window, power = window_power(data, audio_format) if detail & WINDOW else (0, 0.0)
    loud = bound == UNBOUNDED
    rails, runs = rail_runs(data, audio_format) if loud and detail & (CLIP | SHAPE) else (0, 0)
    return Features(
        samples=samples,
        ceiling=bound,
        window=window,
        power=power,
        rail_samples=rails,
        rail_runs=runs,
        shape=shape(data, audio_format) if loud and detail & SHAPE else None,
    )
