"""Add up one session's audio-signal evidence and decide RT601-RT606, once per session.

A :class:`SignalEvidence` is fed every append of one session, in order: its decoded byte
count, the session's input format, the wall-clock time it was captured at (when the capture
has one) and, when it asked for them, the features ``validator/check/signal.py`` measured of
that append. At each commit and at the end of the session it returns the findings that are
conclusive, as plain :class:`Finding` values; each rule is reported at most once per session,
placed at the append where its evidence became conclusive.

Standard library only, and nothing of the rest of ``validator``: the features are read through
the :class:`FeaturesLike` protocol, which ``signal.Features`` satisfies.

The driver, per append (``audio``: its decoded bytes; ``detail`` starts at ``FIRST``)::

    features = signal.features(audio, audio_format, detail) if detail else None
    detail = evidence.feed(len(audio), audio_format, features, timestamp)
    if detail & FOUND:
        ...  # a finding became conclusive here: remember this append's location
    # at input_audio_buffer.commit: evidence.commit(); at a clear (client or server) or a
    # server-side commit: evidence.clear(); at the end of the session: evidence.end()

Cost: :meth:`SignalEvidence.feed` returns what the next append needs measured, so that most
appends cost a comparison or two and are not measured at all. Shape windows are asked for at
least ``PROBE_GAP_S`` of audio apart until ``SETTLE_WINDOWS`` informative ones are in and have
shown how the bytes read (or ``MAX_SETTLE_WINDOWS`` could not); then only the clipping, after
waits of audio that double from ``FIRST_INTERVAL_S`` up to ``CLIP_INTERVAL_S``. Levels are
asked for while the current commit's audio has not yet proved audible, at least every
``PROBE_GAP_S`` of audio.

Memory: a fixed set of numbers per session whatever the number of appends, at most
``_MAX_SIZES`` example chunk sizes, and at most one pending finding per rule. ``MEMORY_BOUND``
(12 KiB) bounds the accumulator with everything it holds: about 4 KiB in use, plus six
findings of under 1 KiB each (``tests/test_signal.py`` measures it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final, Protocol

__all__ = [
    "CLIP",
    "ERROR",
    "FIRST",
    "FOUND",
    "LEVEL",
    "MEMORY_BOUND",
    "NONE",
    "SHAPE",
    "WARNING",
    "WINDOW",
    "FeaturesLike",
    "Finding",
    "ShapeLike",
    "SignalEvidence",
    "SumsLike",
]

# What the next append needs measured: flags, as ``signal.features`` takes them; LEVEL is
# implied by the others.
NONE: Final = 0
LEVEL: Final = 1
WINDOW: Final = 2
SHAPE: Final = 4
CLIP: Final = 8
FIRST: Final = LEVEL | SHAPE  # what the first append of a session needs measured
FOUND: Final = 16  # in what ``feed`` returns: a finding became conclusive at this append

ERROR: Final = "error"
WARNING: Final = "warning"

MEMORY_BOUND: Final = 12_288

PCM16: Final = "pcm16"
_RATE: Final = {"pcm16": 24000, "g711_ulaw": 8000, "g711_alaw": 8000}
_WIDTH: Final = {"pcm16": 2, "g711_ulaw": 1, "g711_alaw": 1}
_LAW_NAME: Final = {"g711_ulaw": "mu-law", "g711_alaw": "A-law"}
_LAWS: Final = ("g711_ulaw", "g711_alaw")

# --- schedule -----------------------------------------------------------------------------
SETTLE_WINDOWS: Final = 6
MAX_SETTLE_WINDOWS: Final = 48
FIRST_INTERVAL_S: Final = 0.5
MAX_INTERVAL_S: Final = 60.0
CLIP_INTERVAL_S: Final = 20.0
PROBE_GAP_S: Final = 0.1
QUIET_WINDOW_GAP_S: Final = 1.0

# --- levels (the ceilings signal.ceiling returns) --------------------------------------------
_ZERO: Final = 1
_QUIET_PEAK: Final = 256  # -42.1 dBFS: a commit within it is silent
_LOUD_PEAK: Final = 512  # -36.1 dBFS: a session within it is silent
_DBFS: Final = {_QUIET_PEAK: -42, _LOUD_PEAK: -36}
_MIN_SECONDS: Final = 0.1  # less than that in a commit is RT401's business

# --- shape thresholds (as measured: python tools/signal_table.py --stats) ------------------
_INFORMATIVE_RMS: Final = 100.0  # -50 dBFS: quieter windows say little about the shape
_SMOOTH: Final = 0.5  # lag-1 correlation of the right reading of real speech, at least
_G711_SMOOTH: Final = 0.3  # G.711 bytes read as G.711: onsets and fricatives are rough
_MARGIN: Final = 0.2  # how much smoother the right reading is than every other
_STEREO_ASYMMETRY: Final = 1.5  # |ln(within-pair / between-pair differences)|, 6.5 dB
_STEREO_IMBALANCE: Final = 0.7  # |ln(even / odd sample energy)|, 3 dB
_STEREO_LAG: Final = 0.3  # r(2) - r(1) when neighbours come from the other channel
_CLIPPED_SHARE: Final = 0.005  # samples on flat full-scale tops, in the loud spans measured

# --- RT601 ----------------------------------------------------------------------------------
_CANDIDATE_RATES: Final = (16000, 8000, 44100, 22050, 48000, 24000)
_MIN_CHUNKS: Final = 8
_CHUNK_SHARE: Final = 0.9
_MAX_SIZES: Final = 8
_CLOCK_SEGMENT_S: Final = 3.0
_CLOCK_SEGMENTS: Final = 2
_CLOCK_TOLERANCE: Final = 0.04
_NEVER: Final = 1 << 62


@dataclass(frozen=True, slots=True)
class Finding:
    """One conclusive audio-signal finding of a session: plain data for the engine to place.

    ``index``: the 0-based number, among the session's appends, of the append at which the
    evidence became conclusive. ``severity``: "error" or "warning", by the strength of the
    evidence (RT601 from chunk sizes alone is a warning, confirmed by timestamps an error).
    """

    code: str
    severity: str
    message: str
    index: int


class SumsLike(Protocol):
    """Second-order sums of one reading of a window (``signal.Sums``)."""

    @property
    def samples(self) -> int: ...
    @property
    def energy(self) -> float: ...
    @property
    def lag1(self) -> float: ...
    @property
    def lag2(self) -> float: ...


class ShapeLike(Protocol):
    """How one window reads (``signal.Shape``)."""

    @property
    def le(self) -> SumsLike: ...
    @property
    def be(self) -> SumsLike: ...
    @property
    def ulaw(self) -> SumsLike: ...
    @property
    def alaw(self) -> SumsLike: ...
    @property
    def even_power(self) -> float: ...
    @property
    def odd_power(self) -> float: ...
    @property
    def pair_lag1(self) -> float: ...


class FeaturesLike(Protocol):
    """What one append measured (``signal.Features``)."""

    @property
    def samples(self) -> int: ...
    @property
    def ceiling(self) -> int: ...
    @property
    def window(self) -> int: ...
    @property
    def power(self) -> float: ...
    @property
    def rail_samples(self) -> int: ...
    @property
    def rail_runs(self) -> int: ...
    @property
    def shape(self) -> ShapeLike | None: ...


# --- RT601: chunk sizes -----------------------------------------------------------------------


_IGNORED: Final = 0  # a chunk size that says nothing (or not a pcm16 one)
_SESSION_RATE: Final = 1  # whole milliseconds at 24 kHz
_NO_RATE: Final = 2  # whole milliseconds at no common rate
ChunkKind = int | tuple[int, ...]  # or: the other rates it is whole milliseconds at


def _kind(nbytes: int) -> ChunkKind:
    """Return what a pcm16 chunk of ``nbytes`` says about the rate its audio was made at.

    Multiples of 128 samples (Web Audio's render quantum; 4,096-sample ScriptProcessor frames
    and every power of two from 128 up) are whole milliseconds at 16 and 8 kHz whatever the
    rate, and round numbers of bytes (a file read in 4,000-byte blocks) are chosen in bytes, not
    milliseconds: they say nothing.
    """
    samples, odd = divmod(nbytes, 2)
    if odd or not samples or samples % 128 == 0 or samples & (samples - 1) == 0:
        return _IGNORED
    if nbytes % 1000 == 0:
        return _IGNORED
    if samples % 24 == 0:
        return _SESSION_RATE
    return tuple(rate for rate in _CANDIDATE_RATES[:-1] if samples * 1000 % rate == 0) or _NO_RATE


class _Chunks:
    """RT601 evidence from pcm16 chunk sizes: whole milliseconds at another rate.

    ``SignalEvidence`` counts the chunks at the session's rate by difference; the others come
    here.
    """

    __slots__ = ("by_rate", "examples", "foreign", "found", "other")

    def __init__(self) -> None:
        self.other = 0  # chunks whole milliseconds at no common rate
        self.foreign = 0  # chunks whole milliseconds at another rate, not the session's
        self.by_rate: dict[int, int] = {}
        self.examples: dict[int, tuple[int, ...]] = {}  # foreign sizes seen, a few
        self.found = False  # conclusive

    def add(self, nbytes: int, kind: ChunkKind, native: int) -> None:
        """Count a chunk of ``nbytes`` that is not at the session's rate (``native`` are)."""
        if not isinstance(kind, tuple):
            self.other += 1
            return
        self.foreign += 1
        for rate in kind:
            self.by_rate[rate] = self.by_rate.get(rate, 0) + 1
        if len(self.examples) < _MAX_SIZES:
            self.examples.setdefault(nbytes, kind)
        if not self.found:
            judged = native + self.other + self.foreign
            self.found = self.foreign >= max(_MIN_CHUNKS, _CHUNK_SHARE * judged)

    def rates(self) -> tuple[int, ...]:
        """Return the rates that explain the most foreign chunks."""
        best = max(self.by_rate.values(), default=0)
        return tuple(rate for rate in _CANDIDATE_RATES if self.by_rate.get(rate, -1) == best)

    def describe(self, native: int) -> str:
        """Return the chunk-size evidence, in words (``native``: chunks at the session's rate)."""
        rates = self.rates()
        size = next((n for n, kind in self.examples.items() if set(rates) <= set(kind)), 0)
        samples = size // 2
        at = ", ".join(f"{_ms(samples, rate)} at {_khz(rate)}" for rate in rates)
        what = f"{size} bytes: {at}, {_ms(samples, 24000)} at 24 kHz"
        judged = native + self.other + self.foreign
        if judged == self.foreign and len(self.examples) == 1:
            return f"every chunk is {what}"
        return (
            f"{self.foreign} of {judged} chunks are whole milliseconds at {_khz(rates[0])} ({what})"
        )


# --- RT601: timestamps ------------------------------------------------------------------------


class _Clock:
    """RT601 evidence from timestamps: seconds of audio appended per wall-clock second."""

    __slots__ = ("last", "matched", "prev", "rate", "span", "streak", "volume")

    def __init__(self, rate: int) -> None:
        self.rate = rate  # the session's
        self.prev = math.nan
        self.span = 0.0
        self.volume = 0.0  # seconds of audio at the session's rate, within ``span``
        self.last = 0  # the rate the last closed segment's pace matched (0: none)
        self.streak = 0
        self.matched = 0  # the rate the pace matched conclusively (0: not yet)

    def add(self, timestamp: float, seconds: float) -> bool:
        """Count ``seconds`` of audio captured at ``timestamp``; return whether the pace
        became conclusive at it."""
        gap = timestamp - self.prev
        self.prev = timestamp
        # Longer gaps are pauses between turns, not the pace of the audio: even 8 kHz audio
        # labelled 24 kHz arrives within 3x its labelled duration.
        if not 0.0 <= gap <= 5.0 * seconds + 0.05:
            return False
        self.span += gap
        self.volume += seconds
        return self.span >= _CLOCK_SEGMENT_S and self._close()

    def finish(self) -> None:
        """Close the last segment, if it is long enough to count (at the end of the session)."""
        if self.span >= _CLOCK_SEGMENT_S / 2:
            self._close()

    def _close(self) -> bool:
        """Close a segment of streaming, match its pace to a rate; return whether conclusive."""
        pace = self.volume / self.span
        self.span = self.volume = 0.0
        rates = (self.rate, *_CANDIDATE_RATES)
        rate = next((r for r in rates if abs(pace * self.rate / r - 1.0) <= _CLOCK_TOLERANCE), 0)
        self.streak = self.streak + 1 if rate == self.last else 1
        self.last = rate
        if self.matched or not rate or self.streak < _CLOCK_SEGMENTS:
            return False
        self.matched = rate
        return True

    def describe(self) -> str:
        """Return the timestamp evidence, in words."""
        words = (
            f"the capture's timestamps show {self.matched / self.rate:.2f} s of "
            f"{_khz(self.rate)} audio appended per wall-clock second"
        )
        if self.rate == 8000 and self.matched == 16000:
            words += " (or 16-bit samples, not 8-bit G.711)"
        return words


# --- the shape of the audio -------------------------------------------------------------------


class _Shape:
    """Sums over the informative shape windows: RT602, RT603 and RT604; and the clipping
    measured (RT606)."""

    __slots__ = (
        "be",
        "clip_windows",
        "even",
        "laws",
        "le",
        "odd",
        "pair",
        "rail_samples",
        "rails",
        "windows",
    )

    def __init__(self) -> None:
        self.windows = 0
        self.clip_windows = 0
        self.rail_samples = 0
        self.le = [0.0, 0.0, 0.0]  # energy, lag1, lag2
        self.be = [0.0, 0.0]
        self.laws = {law: [0.0, 0.0] for law in _LAWS}
        self.even = self.odd = self.pair = 0.0
        self.rails = 0

    def add(self, shape: ShapeLike) -> None:
        """Add one window's sums."""
        self.windows += 1
        _add(self.le, shape.le.energy, shape.le.lag1, shape.le.lag2)
        _add(self.be, shape.be.energy, shape.be.lag1)
        _add(self.laws["g711_ulaw"], shape.ulaw.energy, shape.ulaw.lag1)
        _add(self.laws["g711_alaw"], shape.alaw.energy, shape.alaw.lag1)
        self.even += shape.even_power
        self.odd += shape.odd_power
        self.pair += shape.pair_lag1

    def add_rails(self, samples: int, runs: int) -> None:
        """Add one span's clipping count."""
        self.clip_windows += 1
        self.rail_samples += samples
        self.rails += runs

    @staticmethod
    def r(sums: list[float], lag: int = 1) -> float:
        """Return the lag-``lag`` correlation of a reading from its summed sums."""
        return 1.0 - sums[lag] / (2.0 * sums[0]) if sums[0] > 0.0 else 0.0

    def readings(self) -> dict[str, float]:
        """Return the lag-1 correlation of each reading; for pcm16 little-endian, the better of
        lags 1 and 2 (interleaved stereo is smooth at lag 2)."""
        out = {law: self.r(sums) for law, sums in self.laws.items()}
        out["le"] = max(self.r(self.le), self.r(self.le, 2))
        out["be"] = self.r(self.be)
        return out


def _add(into: list[float], *values: float) -> None:
    """Add ``values`` to ``into``, element by element."""
    for i, value in enumerate(values):
        into[i] += value


# --- levels -----------------------------------------------------------------------------------


class _Level:
    """RT605 evidence of one stretch of audio (a commit's, or the whole session's).

    Positions are byte offsets into the session's audio, so that appends nobody measured cost
    nothing here.
    """

    __slots__ = ("ceiling", "power", "probed_to", "start", "window")

    def __init__(self, start: int) -> None:
        self.start = start  # byte offset the stretch starts at
        self.probed_to = -1  # byte offset after the last append measured (-1: none yet)
        self.ceiling = 0  # the highest peak bound measured
        self.power = 0.0
        self.window = 0

    def add(self, end: int, features: FeaturesLike) -> None:
        """Take in the level of the append that ends at byte offset ``end``."""
        self.probed_to = end
        self.ceiling = max(self.ceiling, features.ceiling)
        self.power += features.power
        self.window += features.window


# --- the session ------------------------------------------------------------------------------


class SignalEvidence:
    """The audio-signal evidence of one session; see the module's docstring."""

    __slots__ = (
        "_bytes",
        "_chunks",
        "_clock",
        "_confirmed",
        "_due",
        "_first",
        "_format",
        "_found_at",
        "_gap",
        "_given",
        "_ignored",
        "_index",
        "_interval",
        "_kind",
        "_next_shape",
        "_pending",
        "_quiet_window_at",
        "_rate_bytes",
        "_reported",
        "_segment",
        "_session",
        "_shape",
        "_size",
        "_voided",
        "_width",
    )

    def __init__(self, audio_format: str = PCM16) -> None:
        self._index = 0
        self._bytes = 0
        self._pending: list[Finding] = []
        self._reported: set[str] = set()
        self._found_at = -1  # the append at which the last finding became conclusive
        self._reset(audio_format)

    def _reset(self, audio_format: str) -> None:
        """Start the evidence afresh for ``audio_format`` (a session.update changed it); a name
        other than "pcm16", "g711_ulaw" and "g711_alaw" counts as pcm16."""
        self._given = audio_format
        self._format = audio_format if audio_format in _RATE else PCM16
        self._width = _WIDTH[self._format]
        self._rate_bytes = _RATE[self._format] * self._width
        self._gap = int(PROBE_GAP_S * self._rate_bytes)
        self._first = self._index  # the appends before were in another format
        self._size = -1  # the last odd chunk's size, and what it said about the rate
        self._kind: ChunkKind = _IGNORED
        self._ignored = 0  # chunks whose size says nothing
        self._chunks = _Chunks()
        self._clock = _Clock(_RATE[self._format])
        self._shape = _Shape()
        self._segment = _Level(self._bytes)
        self._session = _Level(self._bytes)
        self._interval = FIRST_INTERVAL_S
        self._next_shape = self._bytes
        self._due = 0  # byte offset before which no append needs measuring
        self._quiet_window_at = self._bytes
        self._confirmed = False  # the bytes read the way the format says: decisions may rely on it
        self._voided = False  # they do not (RT602, RT604): the other rules stand down

    # --- feeding -------------------------------------------------------------------------

    def feed(
        self,
        nbytes: int,
        audio_format: str = PCM16,
        features: FeaturesLike | None = None,
        timestamp: float | None = None,
    ) -> int:
        """Count one append of ``nbytes`` decoded bytes, with what was measured of it.

        Return what the next append needs measured (NONE, or LEVEL, WINDOW, CLIP and SHAPE
        flags for ``signal.features``), plus FOUND when a finding became conclusive at this
        append. The first append of a session needs ``FIRST``.
        """
        if audio_format != self._given:
            self._reset(audio_format)
        index = self._index
        self._index = index + 1
        self._bytes += nbytes
        if nbytes % 48 or not nbytes % 256 or not nbytes % 1000:  # else whole ms at 24 kHz
            self._odd_chunk(nbytes)
        if timestamp is not None and self._clock.add(timestamp, nbytes / self._rate_bytes):
            self._decide_rate(final=False)
        if features is not None:
            self._observe(features)
        want = NONE if self._bytes < self._due else self._plan(nbytes)
        return want | FOUND if self._found_at == index else want

    def _odd_chunk(self, nbytes: int) -> None:
        """Count a chunk that is not whole milliseconds at 24 kHz, or is a round size.

        The chunks that are (most of them, in a sound session) are counted by difference: every
        pcm16 append is one of them unless it came here.
        """
        if self._width != 2:
            return
        if nbytes != self._size:
            self._size, self._kind = nbytes, _kind(nbytes)
        kind = self._kind
        if kind == _IGNORED:
            self._ignored += 1
        elif kind != _SESSION_RATE:
            self._chunks.add(nbytes, kind, self._native())
            self._decide_rate(final=False)

    def _native(self) -> int:
        """Return the pcm16 chunks whole milliseconds at 24 kHz since the format was set."""
        chunks = self._chunks
        return self._index - self._first - self._ignored - chunks.other - chunks.foreign

    def _plan(self, nbytes: int) -> int:
        """Return what the next append needs measured, taking it to be ``nbytes`` long."""
        want = NONE
        if self._bytes >= self._next_shape:
            want = CLIP if self._confirmed else SHAPE
        if self._heard():
            self._due = self._next_shape
            return want
        segment = self._segment
        if segment.probed_to < 0:
            return want | LEVEL
        if self._bytes + nbytes - segment.probed_to < self._gap:
            return want
        return want | (WINDOW if self._bytes >= self._quiet_window_at else LEVEL)

    def _observe(self, features: FeaturesLike) -> None:
        """Take in what one append measured."""
        self._segment.add(self._bytes, features)
        self._session.add(self._bytes, features)
        if features.window and features.ceiling <= _LOUD_PEAK:
            self._quiet_window_at = self._bytes + int(QUIET_WINDOW_GAP_S * self._rate_bytes)
        if not self._voided and self._bytes >= self._next_shape:
            self._next_shape = self._bytes + self._measured(features)
        self._due = 0  # ``_plan`` works the next one out

    def _measured(self, features: FeaturesLike) -> int:
        """Take in a measurement that was due; return the bytes of audio to wait for the next."""
        if features.rail_samples:
            self._shape.add_rails(features.rail_samples, features.rail_runs)
            if self._confirmed:
                self._decide_clipping()
                return self._later(CLIP_INTERVAL_S)
        shape = features.shape
        if shape is None or not self._informative(shape):
            return self._gap  # quiet: ask again a little later
        self._shape.add(shape)
        self._decide_shape()
        if self._voided:
            return _NEVER
        if self._confirmed:
            return self._later(CLIP_INTERVAL_S)
        if self._shape.windows < MAX_SETTLE_WINDOWS:
            return self._gap  # no verdict yet: keep looking
        return self._later(MAX_INTERVAL_S)

    def _later(self, longest: float) -> int:
        """Return the bytes of audio to the next measurement: twice the last wait, at most
        ``longest`` seconds."""
        seconds, self._interval = self._interval, min(self._interval * 2.0, longest)
        return int(seconds * self._rate_bytes)

    def _heard(self) -> bool:
        """Return whether the current commit's audio is loud enough for its silence rule:
        -42 dBFS for a commit, -36 dBFS until the session has proved that much."""
        enough = _QUIET_PEAK if self._session.ceiling > _LOUD_PEAK else _LOUD_PEAK
        return self._segment.ceiling > enough

    def _informative(self, shape: ShapeLike) -> bool:
        """Return whether a window is loud enough (read as pcm16, above -50 dBFS) to count."""
        le = shape.le
        return le.samples > 0 and le.energy >= _INFORMATIVE_RMS**2 * le.samples

    # --- commits and the end -------------------------------------------------------------

    def commit(self) -> list[Finding]:
        """Return the findings conclusive at a commit of the audio appended since the last."""
        self._decide_silence(self._segment, "committed here", _QUIET_PEAK)
        self.clear()
        return self._take()

    def clear(self) -> None:
        """Forget the uncommitted audio (a clear, or a commit by the server's VAD)."""
        self._segment = _Level(self._bytes)
        self._due = 0

    def end(self) -> list[Finding]:
        """Return the findings conclusive at the end of the session."""
        self._clock.finish()
        self._decide_rate(final=True)
        self._decide_silence(self._session, "of the whole session", _LOUD_PEAK)
        return self._take()

    def _take(self) -> list[Finding]:
        """Return the pending findings and forget them."""
        found, self._pending = self._pending, []
        return found

    def _report(self, code: str, severity: str, message: str) -> None:
        """Keep a finding, placed at the last append fed, unless the rule was reported in this
        session already."""
        if code not in self._reported:
            index = max(self._index - 1, 0)
            self._reported.add(code)
            self._pending.append(Finding(code, severity, message, index))
            self._found_at = index

    # --- decisions -----------------------------------------------------------------------

    def _decide_shape(self) -> None:
        """Decide from the windows so far, once ``SETTLE_WINDOWS`` are in."""
        shape = self._shape
        if shape.windows < SETTLE_WINDOWS:
            return
        readings = shape.readings()
        if self._format == PCM16:
            self._decide_pcm16(readings)
        else:
            self._decide_g711(readings)
        if self._confirmed:
            self._decide_rate(final=False)
            self._decide_clipping()

    def _decide_pcm16(self, readings: dict[str, float]) -> None:
        """Decide how a pcm16 session's bytes read: G.711 (RT602), big-endian (RT604), or
        little-endian as they should, then whether as two channels (RT603)."""
        le, be = readings["le"], readings["be"]
        law = max(_LAWS, key=readings.__getitem__)
        g711 = readings[law]
        if g711 >= _G711_SMOOTH and g711 >= max(le, be) + _MARGIN:
            self._void("RT602", _g711_in_pcm16(law, g711, le))
        elif be >= _SMOOTH and be >= max(le, g711) + _MARGIN:
            self._void("RT604", _big_endian(be, le))
        elif le >= _SMOOTH and le >= max(be, g711) + _MARGIN:
            self._confirmed = True
            self._decide_stereo()

    def _decide_g711(self, readings: dict[str, float]) -> None:
        """Decide whether a G.711 session's bytes are pcm16 (RT602)."""
        le, g711 = readings["le"], readings[self._format]
        if le >= _SMOOTH and le >= g711 + _MARGIN:
            self._void("RT602", _pcm16_in_g711(self._format, le, g711))
        elif g711 >= _G711_SMOOTH and g711 >= le + _MARGIN:
            self._confirmed = True

    def _void(self, code: str, message: str) -> None:
        """Report that the bytes do not read as the format says; the other rules stand down."""
        self._voided = True
        self._report(code, ERROR, message)

    def _decide_stereo(self) -> None:
        """Decide RT603 from the channel pattern of the little-endian samples."""
        shape = self._shape
        between = shape.le[1] - shape.pair
        asymmetry = math.log((shape.pair + 1.0) / (between + 1.0))
        imbalance = math.log((shape.even + 1.0) / (shape.odd + 1.0))
        r1, r2 = shape.r(shape.le), shape.r(shape.le, 2)
        if abs(asymmetry) >= _STEREO_ASYMMETRY:
            message = _stereo_pairs(asymmetry)
        elif abs(imbalance) >= _STEREO_IMBALANCE:
            message = _stereo_imbalance(imbalance)
        elif r2 >= _SMOOTH and r2 - r1 >= _STEREO_LAG:
            message = _stereo_lags(r1, r2)
        else:
            return
        self._report("RT603", ERROR, message)

    def _decide_clipping(self) -> None:
        """Decide RT606 from the flat full-scale tops in the spans measured."""
        shape = self._shape
        if shape.clip_windows < SETTLE_WINDOWS:
            return
        share = shape.rails / shape.rail_samples
        if share >= _CLIPPED_SHARE:
            self._report("RT606", WARNING, _clipped(share))

    def _decide_rate(self, *, final: bool) -> None:
        """Decide RT601 from the timestamps and the chunk sizes.

        While the session goes on, only once the shape windows confirmed that the bytes read
        as the format says (G.711 bytes in a pcm16 session come in chunk sizes of another
        rate, too); at its end, unless they proved they do not.
        """
        if "RT601" in self._reported or self._voided or not (self._confirmed or final):
            return
        clock, chunks = self._clock, self._chunks
        rate = _RATE[self._format]
        if clock.matched and clock.matched != rate:
            evidence = clock.describe()
            if chunks.found:
                evidence += "; and " + chunks.describe(self._native())
            message = _rate_message(clock.matched, rate, evidence)
            self._report("RT601", ERROR, message)
        elif chunks.found and not clock.matched and (final or math.isnan(clock.prev)):
            message = _rate_message(chunks.rates()[0], rate, chunks.describe(self._native()))
            if not self._confirmed:
                message += _UNCONFIRMED
            self._report("RT601", WARNING, message)

    def _decide_silence(self, level: _Level, where: str, bound: int) -> None:
        """Decide RT605 for one stretch of audio: silent when its peak stays within ``bound``."""
        if self._voided or level.probed_to < 0 or level.ceiling > bound:
            return
        seconds = (self._bytes - level.start) / self._rate_bytes
        if seconds < _MIN_SECONDS:
            return
        if level.ceiling <= _ZERO:
            what = "is digital silence (every sample is 0)"
        else:
            rms = _dbfs(level.power, level.window)
            measured = f"; {rms:.0f} dBFS RMS" if math.isfinite(rms) else ""
            what = (
                f"never reaches {_DBFS[bound]} dBFS peak (every sample within ±{bound}{measured})"
            )
        self._report("RT605", WARNING, _silent(seconds, where, what))


# --- words ------------------------------------------------------------------------------------


def _dbfs(power: float, samples: int) -> float:
    """Return the RMS level of ``samples`` whose sum of squares is ``power``, in dBFS."""
    if samples == 0 or power <= 0.0:
        return -math.inf
    return 20.0 * math.log10(math.sqrt(power / samples) / 32768.0)


def _khz(rate: int) -> str:
    """Return ``rate`` in kHz as people write it: 16 kHz, 44.1 kHz."""
    return f"{rate / 1000:g} kHz"


def _ms(samples: int, rate: int) -> str:
    """Return the duration of ``samples`` at ``rate``, in ms, with two decimals where needed."""
    return f"{samples * 1000 / rate:.2f}".rstrip("0").rstrip(".") + " ms"


def _rate_message(found: int, rate: int, evidence: str) -> str:
    """Return an RT601 message: audio made at ``found`` Hz in a session at ``rate`` Hz."""
    speed = rate / found
    how = f"plays {speed:.2g}x too fast" if speed > 1 else f"plays at {speed:.2g}x speed"
    return (
        f"audio made at {_khz(found)} is sent as {_khz(rate)} ({evidence}); it {how}, and "
        f"transcription and VAD fail without an error; resample it to {_khz(rate)} before "
        f"sending (e.g. soxr.resample(samples, {found}, {rate})), or capture at {_khz(rate)}"
    )


_UNCONFIRMED: Final = (
    "; the samples did not read as smooth pcm16 either: if they are 8-bit G.711, set the "
    "session's input format to g711_ulaw or g711_alaw instead"
)


def _g711_in_pcm16(law: str, g711: float, le: float) -> str:
    """Return an RT602 message for G.711 bytes in a pcm16 session."""
    name = _LAW_NAME[law]
    ga = "audio/pcmu" if law == "g711_ulaw" else "audio/pcma"
    return (
        f"the audio is G.711 {name}, not pcm16: read as 8-bit {name} samples the bytes form a "
        f"waveform (lag-1 correlation {g711:.2f}), read as 16-bit samples they are noise "
        f"({le:.2f}); set the session's input format to {law} (GA: "
        f'{{"type": "{ga}"}}), or decode it to pcm16 at 24 kHz before sending'
    )


def _pcm16_in_g711(audio_format: str, le: float, g711: float) -> str:
    """Return an RT602 message for pcm16 bytes in a G.711 session."""
    name = _LAW_NAME[audio_format]
    return (
        f"the audio is 16-bit pcm, not G.711 {name}: read as 16-bit little-endian samples the "
        f"bytes form a smooth waveform (lag-1 correlation {le:.2f}), read as {name} they are "
        f'noise ({g711:.2f}); set the input format to pcm16 (GA: {{"type": "audio/pcm", '
        f'"rate": 24000}}), or encode it to 8 kHz {name} before sending'
    )


def _big_endian(be: float, le: float) -> str:
    """Return an RT604 message."""
    return (
        "the samples are big-endian: read byte-swapped they form a smooth waveform (lag-1 "
        f"correlation {be:.2f}), read little-endian as pcm16 requires they are noise "
        f"({le:.2f}); swap the two bytes of each sample (array.byteswap(), or numpy "
        ".astype('<i2')) before sending"
    )


_DOWNMIX: Final = "downmix to mono before sending (average the two channels, or keep one)"


def _stereo_pairs(asymmetry: float) -> str:
    """Return an RT603 message for pairs of nearly equal samples."""
    return (
        "the audio is interleaved two-channel (stereo): each even sample and the odd one after "
        f"it are nearly equal (their differences are {abs(asymmetry) * 4.343:.0f} dB below "
        f"those between pairs), the same signal in two channels; {_DOWNMIX}"
    )


def _stereo_imbalance(imbalance: float) -> str:
    """Return an RT603 message for even and odd samples of different loudness."""
    which = "even" if imbalance > 0 else "odd"
    return (
        f"the audio is interleaved two-channel (stereo): the {which}-numbered samples carry "
        f"{abs(imbalance) * 4.343:.1f} dB more energy than the others, one channel louder than "
        f"(or instead of) the other; {_DOWNMIX}"
    )


def _stereo_lags(r1: float, r2: float) -> str:
    """Return an RT603 message for samples more alike two apart than next to each other."""
    return (
        "the audio is interleaved two-channel (stereo): samples two apart are more alike "
        f"(lag-2 correlation {r2:.2f}) than neighbours ({r1:.2f}), so neighbours come from "
        f"different channels; {_DOWNMIX}"
    )


def _clipped(share: float) -> str:
    """Return an RT606 message."""
    return (
        f"the audio is clipped: {share:.1%} of the samples measured sit on flat full-scale "
        "tops; lower the capture gain, or scale float audio into [-1, 1) before converting it "
        "to 16-bit (and clip once, after any gain)"
    )


def _silent(seconds: float, where: str, what: str) -> str:
    """Return an RT605 message."""
    return (
        f"the {seconds:.2f} s of audio {where} {what}: below what voice activity detection or "
        "transcription hears; check the microphone (muted track, permission, device) and any "
        "gain or resampling step on the way, or do not send silence"
    )
