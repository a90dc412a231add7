"""Add up one session's audio-signal evidence and decide RT601-RT606, once per session.

A :class:`SignalEvidence` is fed every accepted append of one session, in order: its decoded
byte count, the session's input format, the wall-clock time it was captured at (when the
capture has one) and, when it asked for them, the features ``check/signal.py`` measured of
that append. The findings that became conclusive (:meth:`SignalEvidence.take`) are plain
:class:`Finding` values; each rule is reported at most once per session, placed at the append
where its evidence became conclusive (the last one fed when it was reported).

Standard library only: the features are read through the protocols of ``signal_types``,
which ``check.signal``'s types satisfy; ``pace`` holds RT601's evidence from chunk sizes and
timestamps, ``signal_messages`` the words. ``hearing.Hearing`` drives it for the session.

The driver, per append (``audio``: its decoded bytes)::

    detail = evidence.want  # FIRST for the first append of a session
    features = signal.features(audio, audio_format, detail) if detail else None
    evidence.feed(len(audio), audio_format, features, timestamp)
    found = evidence.take()  # conclusive at this append
    # at input_audio_buffer.commit: evidence.commit(); at a clear (client or server) or a
    # server-side commit: evidence.clear(); at the end of the session: evidence.end()

and for a run of appends whose bytes are not at hand, ``evidence.skip(sizes, start, format)``
counts those that need nothing measured (most of them) up to the first that does.

Cost: what the next append needs measured is decided by the state, so that most appends cost a
comparison or two and are not measured at all. Shape windows are asked for at least
``PROBE_GAP_S`` of audio apart until ``SETTLE_WINDOWS`` informative ones are in and have shown
how the bytes read (or ``MAX_SETTLE_WINDOWS`` could not); then only the clipping, after waits of
audio that double from ``FIRST_INTERVAL_S`` up to ``CLIP_INTERVAL_S``. Levels are asked for
while the current commit's audio has not yet proved audible, at least every ``PROBE_GAP_S`` of
audio.

Memory: a fixed set of numbers per session whatever the number of appends, at most
``pace.MAX_SIZES`` example chunk sizes, and at most one pending finding per rule.
``MEMORY_BOUND`` (12 KiB) bounds the accumulator with everything it holds: about 4 KiB in use,
plus six findings of under 1 KiB each (``tests/test_signal.py`` measures it).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Sequence
from itertools import accumulate
from typing import TYPE_CHECKING, Final

from ..check.signal import LOUD_PEAK, QUIET_PEAK
from .measures import LAWS, Level, ShapeSums
from .pace import IGNORED, SESSION_RATE, Chunks, Clock, chunk_kind
from .signal_messages import (
    UNCONFIRMED,
    big_endian,
    clipped,
    dbfs,
    g711_in_pcm16,
    pcm16_in_g711,
    rate_message,
    silent,
    stereo_imbalance,
    stereo_lags,
    stereo_pairs,
)

if TYPE_CHECKING:
    from .signal_types import FeaturesLike, ShapeLike

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
    "Finding",
    "SignalEvidence",
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
_QUIET_PEAK: Final = QUIET_PEAK  # -42.1 dBFS: a commit within it is silent
_LOUD_PEAK: Final = LOUD_PEAK  # -36.1 dBFS: a session within it is silent
_DBFS: Final = {_QUIET_PEAK: -42, _LOUD_PEAK: -36}
_MIN_SECONDS: Final = 0.1  # less than that in a commit is RT401's business
_MIN_SESSION_SECONDS: Final = 1.0  # a shorter session is a fixture or a probe, not a talk

# --- shape thresholds (as measured: python tools/signal_table.py --stats) ------------------
_INFORMATIVE_RMS: Final = 100.0  # -50 dBFS: quieter windows say little about the shape
_SMOOTH: Final = 0.5  # lag-1 correlation of the right reading of real speech, at least
_G711_SMOOTH: Final = 0.3  # G.711 bytes read as G.711: onsets and fricatives are rough
_MARGIN: Final = 0.2  # how much smoother the right reading is than every other
_STEREO_ASYMMETRY: Final = 1.5  # |ln(within-pair / between-pair differences)|, 6.5 dB
_STEREO_IMBALANCE: Final = 0.7  # |ln(even / odd sample energy)|, 3 dB
_STEREO_LAG: Final = 0.3  # r(2) - r(1) when neighbours come from the other channel
_CLIPPED_SHARE: Final = 0.005  # samples on flat full-scale tops, in the loud spans measured

_NEVER: Final = 1 << 62

# chunk sizes seen that say nothing of a rate (``pace.chunk_kind``'s IGNORED): ``skip`` counts
# them without a look; a cache for every session of the process, bounded
_SILENT: set[int] = set()
_KNOWN_SIZES: Final = 1024


def _first_gcd(*values: int) -> int:
    """Return ``math.gcd(*values)``, importing math now (a lint of one event never needs it)
    and binding ``_gcd`` to it for every later call."""
    global _gcd
    from math import gcd

    _gcd = gcd
    return gcd(*values)


_gcd: Callable[..., int] = _first_gcd


def _size_kind(nbytes: int) -> object:
    """Return ``pace.chunk_kind`` of a pcm16 chunk of ``nbytes``, keeping the sizes that say
    nothing in ``_SILENT`` (up to ``_KNOWN_SIZES``)."""
    kind = chunk_kind(nbytes)
    if kind == IGNORED and len(_SILENT) < _KNOWN_SIZES:
        _SILENT.add(nbytes)
    return kind


class Finding:
    """One conclusive audio-signal finding of a session: plain data for the engine to place.

    ``at``: the 0-based number, among the session's appends, of the append at which the
    evidence became conclusive. ``severity``: "error" or "warning", by the strength of the
    evidence (RT601 from chunk sizes alone is a warning, confirmed by timestamps an error).
    ``repair``: what ``lint --fix --unsafe-fixes`` may do about it where the evidence leaves no
    doubt: ``"swap"`` (RT604), ``"downmix"`` (RT603), ``"g711_ulaw"``/``"g711_alaw"`` (RT602:
    G.711 in a pcm16 session, to decode), the rate in Hz the timestamps showed (RT601); None.
    A class of slots, not a NamedTuple: making one of those costs a millisecond at import.
    """

    __slots__ = ("at", "code", "message", "repair", "severity")

    def __init__(
        self, code: str, severity: str, message: str, at: int, repair: str | int | None = None
    ) -> None:
        self.code = code
        self.severity = severity
        self.message = message
        self.at = at
        self.repair = repair

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Finding) and (
            (self.code, self.severity, self.message, self.at, self.repair)
            == (other.code, other.severity, other.message, other.at, other.repair)
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (
            f"Finding({self.code!r}, {self.severity!r}, {self.message!r}, {self.at!r}, "
            f"{self.repair!r})"
        )


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
        "_next_shape",
        "_quiet_window_at",
        "_rate_bytes",
        "_reported",
        "_segment",
        "_session",
        "_shape",
        "_voided",
        "_width",
        "pending",
        "want",
    )

    def __init__(self, audio_format: str = PCM16) -> None:
        self._index = 0
        self._bytes = 0
        self.pending: list[Finding] = []  # conclusive, not yet taken (``take``)
        self._reported: set[str] = set()
        self._found_at = -1  # the append at which the last finding became conclusive
        self.want = FIRST  # what the next append needs measured (``feed``'s answer)
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
        self._ignored = 0  # chunks whose size says nothing
        self._chunks = Chunks()
        self._clock = Clock(_RATE[self._format])
        self._shape = ShapeSums()
        self._segment = Level(self._bytes)
        self._session = Level(self._bytes)
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
        if nbytes % 48:  # else whole ms at 24 kHz: counted by difference (``_native``)
            self._odd_chunk(nbytes)
        if timestamp is not None and self._clock.add(timestamp, nbytes / self._rate_bytes):
            self._decide_rate(final=False)
        if features is not None:
            self._observe(features)
        self.want = want = NONE if self._bytes < self._due else self._plan(nbytes)
        return want | FOUND if self._found_at == index else want

    def feed_level(self, nbytes: int, audio_format: str, ceiling: int) -> None:
        """``feed`` one append of which the level alone was measured (``signal.ceiling``, what
        LEVEL asks: the first append after each commit), with no ``Features`` made."""
        if audio_format != self._given:
            self._reset(audio_format)
        self._index += 1
        self._bytes = end = self._bytes + nbytes
        if nbytes % 48:
            self._odd_chunk(nbytes)
        self._probed(end, ceiling)
        if not self._voided and end >= self._next_shape:  # no shape or rails in a level
            self._next_shape = end + self._gap
        self._due = 0
        self.want = self._plan(nbytes)

    def skip(self, sizes: Sequence[int], start: int, audio_format: str = PCM16) -> int:
        """Count appends of ``sizes[start:]`` bytes as ``feed`` counts them without features or
        timestamps, while the next one needs nothing measured; stop after one at which a
        finding became conclusive. Return the index of the next append to feed."""
        if audio_format != self._given:
            self._reset(audio_format)
        end = len(sizes)
        index = start
        while index < end and not self.want:
            # the appends that stay short of the next measurement are counted at once (most
            # runs whole), their sizes classified only where one is not plainly whole
            # milliseconds at 24 kHz
            stretch = sizes[index:] if index else sizes
            total = sum(stretch)
            room = self._due - self._bytes
            if total >= room:
                stretch = stretch[: bisect_left(list(accumulate(stretch)), room)]
                total = sum(stretch)
            if self._width == 2 and _gcd(*stretch) % 48:  # not all whole ms at 24 kHz
                stretch = self._count_sizes(stretch)
                total = sum(stretch)
            index += len(stretch)
            self._index += len(stretch)
            self._bytes += total
            if index == end:
                break
            if self.feed(sizes[index], audio_format) & FOUND:
                return index + 1
            index += 1
        return index

    def _count_sizes(self, stretch: Sequence[int]) -> Sequence[int]:
        """Count the chunks of ``stretch`` whose size says nothing of the rate (``_odd_chunk``'s
        IGNORED), up to the first one of another rate; return the chunks up to there (all of
        ``stretch`` if none is): ``feed`` counts the next one."""
        odd = [nbytes for nbytes in stretch if nbytes % 48]
        if _SILENT.issuperset(odd):  # sizes known to say nothing: counted, nothing more
            self._ignored += len(odd)
            return stretch
        stop = len(stretch)
        for nbytes in set(odd):  # a size not seen before, or one of another rate
            if _size_kind(nbytes) != IGNORED:  # feed() counts it, and decides
                stop = min(stop, stretch.index(nbytes))
        stretch = stretch[:stop]
        self._ignored += sum(1 for nbytes in stretch if nbytes % 48 and nbytes in _SILENT)
        return stretch

    def counts_quietly(self, nbytes: int, audio_format: str = PCM16) -> bool:
        """Return whether an append of ``nbytes`` would only be counted (``skip``): nothing
        measured of it, nothing concluded at it, in the format the evidence is in."""
        if self.want or audio_format != self._given or self._bytes + nbytes >= self._due:
            return False
        return self._width != 2 or not nbytes % 48 or _size_kind(nbytes) == IGNORED

    @property
    def audio_format(self) -> str:
        """Return the format name the evidence is gathered in (as the session gave it)."""
        return self._given

    def take(self) -> list[Finding]:
        """Return the findings that became conclusive since the last call, and forget them."""
        found, self.pending = self.pending, []
        return found

    def _odd_chunk(self, nbytes: int) -> None:
        """Count a chunk that is not whole milliseconds at 24 kHz, or is a round size.

        The chunks that are (most of them, in a sound session) are counted by difference: every
        pcm16 append is one of them unless it came here.
        """
        if self._width != 2:
            return
        kind = chunk_kind(nbytes)
        if kind == IGNORED:
            self._ignored += 1
        elif kind != SESSION_RATE:
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
        segment = self._segment
        # heard: loud enough for the silence rule (``_heard``, written out: once a commit)
        if segment.ceiling > (_QUIET_PEAK if self._session.ceiling > _LOUD_PEAK else _LOUD_PEAK):
            self._due = self._next_shape
            return want
        if segment.probed_to < 0:
            return want | LEVEL
        if self._bytes + nbytes - segment.probed_to < self._gap:
            return want
        return want | (WINDOW if self._bytes >= self._quiet_window_at else LEVEL)

    def _probed(self, end: int, ceiling: int) -> None:
        """Note that the commit's and the session's audio were measured up to ``end`` bytes,
        their level at least ``ceiling`` (``Level.add``'s, written out)."""
        segment, session = self._segment, self._session
        segment.probed_to = session.probed_to = end
        if ceiling > segment.ceiling:
            segment.ceiling = ceiling
        if ceiling > session.ceiling:
            session.ceiling = ceiling

    def _observe(self, features: FeaturesLike) -> None:
        """Take in what one append measured (``Level.add`` of the commit's and the session's
        levels, written out: this runs once a commit)."""
        segment, session = self._segment, self._session
        self._probed(self._bytes, features.ceiling)
        if features.window:
            segment.power += features.power
            session.power += features.power
            segment.window += features.window
            session.window += features.window
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

    def _informative(self, shape: ShapeLike) -> bool:
        """Return whether a window is loud enough (read as pcm16, above -50 dBFS) to count."""
        le = shape.le
        return le.samples > 0 and le.energy >= _INFORMATIVE_RMS**2 * le.samples

    # --- commits and the end -------------------------------------------------------------

    def commit(self) -> list[Finding]:
        """Return the findings conclusive at a commit of the audio appended since the last."""
        if self._segment.ceiling <= _QUIET_PEAK:  # else heard: not silent
            self._decide_silence(self._segment, "committed here", _QUIET_PEAK)
        self.clear()
        return self.take() if self.pending else []

    def clear(self) -> None:
        """Forget the uncommitted audio (a clear, or a commit by the server's VAD); the next
        append's level is measured, as ``_plan`` would ask for a stretch not yet probed."""
        self._segment = Level(self._bytes)
        self._due = 0
        self.want |= LEVEL

    def end(self) -> list[Finding]:
        """Return the findings conclusive at the end of the session."""
        self._clock.finish()
        self._decide_rate(final=True)
        self._decide_silence(self._session, "of the whole session", _LOUD_PEAK)
        return self.take()

    def _report(
        self, code: str, severity: str, message: str, repair: str | int | None = None
    ) -> None:
        """Keep a finding, placed at the last append fed, unless the rule was reported in this
        session already (``repair``: see ``Finding``)."""
        if code not in self._reported:
            index = max(self._index - 1, 0)
            self._reported.add(code)
            self.pending.append(Finding(code, severity, message, index, repair))
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
        law = max(LAWS, key=readings.__getitem__)
        g711 = readings[law]
        if g711 >= _G711_SMOOTH and g711 >= max(le, be) + _MARGIN:
            self._void("RT602", g711_in_pcm16(law, g711, le), law)
        elif be >= _SMOOTH and be >= max(le, g711) + _MARGIN:
            self._void("RT604", big_endian(be, le), "swap")
        elif le >= _SMOOTH and le >= max(be, g711) + _MARGIN:
            self._confirmed = True
            self._decide_stereo()

    def _decide_g711(self, readings: dict[str, float]) -> None:
        """Decide whether a G.711 session's bytes are pcm16 (RT602)."""
        le, g711 = readings["le"], readings[self._format]
        if le >= _SMOOTH and le >= g711 + _MARGIN:
            self._void("RT602", pcm16_in_g711(self._format, le, g711))
        elif g711 >= _G711_SMOOTH and g711 >= le + _MARGIN:
            self._confirmed = True

    def _void(self, code: str, message: str, repair: str | None = None) -> None:
        """Report that the bytes do not read as the format says; the other rules stand down."""
        self._voided = True
        self._report(code, ERROR, message, repair)

    def _decide_stereo(self) -> None:
        """Decide RT603 from the channel pattern of the little-endian samples."""
        shape = self._shape
        between = shape.le[1] - shape.pair
        from math import log  # decided once a session: imported then

        asymmetry = log((shape.pair + 1.0) / (between + 1.0))
        imbalance = log((shape.even + 1.0) / (shape.odd + 1.0))
        r1, r2 = shape.r(shape.le), shape.r(shape.le, 2)
        if abs(asymmetry) >= _STEREO_ASYMMETRY:
            message = stereo_pairs(asymmetry)
        elif abs(imbalance) >= _STEREO_IMBALANCE:
            message = stereo_imbalance(imbalance)
        elif r2 >= _SMOOTH and r2 - r1 >= _STEREO_LAG:
            message = stereo_lags(r1, r2)
        else:
            return
        self._report("RT603", ERROR, message, "downmix")

    def _decide_clipping(self) -> None:
        """Decide RT606 from the flat full-scale tops in the spans measured."""
        shape = self._shape
        if shape.clip_windows < SETTLE_WINDOWS:
            return
        share = shape.rails / shape.rail_samples
        if share >= _CLIPPED_SHARE:
            self._report("RT606", WARNING, clipped(share))

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
            message = rate_message(clock.matched, rate, evidence)
            self._report("RT601", ERROR, message, clock.matched)
        elif chunks.found and not clock.matched and (final or clock.prev != clock.prev):
            message = rate_message(chunks.rates()[0], rate, chunks.describe(self._native()))
            if not self._confirmed:
                message += UNCONFIRMED
            self._report("RT601", WARNING, message)

    def _decide_silence(self, level: Level, where: str, bound: int) -> None:
        """Decide RT605 for one stretch of audio: silent when its peak stays within ``bound``."""
        if self._voided or level.probed_to < 0 or level.ceiling > bound:
            return
        seconds = (self._bytes - level.start) / self._rate_bytes
        if seconds < (_MIN_SESSION_SECONDS if level is self._session else _MIN_SECONDS):
            return
        if level.ceiling <= _ZERO:
            what = "is digital silence (every sample measured is 0)"
        else:
            rms = dbfs(level.power, level.window)
            measured = f"; {rms:.0f} dBFS RMS" if rms > -1e9 else ""  # -inf: nothing measured
            what = (
                f"never reaches {_DBFS[bound]} dBFS peak (every sample within ±{bound}{measured})"
            )
        self._report("RT605", WARNING, silent(seconds, where, what))
