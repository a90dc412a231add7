"""RT601's evidence apart from the samples: the sizes of the chunks, and the capture's clock.

``Chunks`` counts pcm16 chunks that are whole milliseconds at another common rate but not at
the session's; ``Clock`` compares the seconds of audio appended with the wall-clock seconds
they took, where the capture has timestamps. ``evidence.SignalEvidence`` feeds both.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Final

from .signal_messages import khz, ms

_NO_TIME: Final = float("nan")  # before the first timestamp: every gap from it is no gap
CANDIDATE_RATES: Final = (16000, 8000, 44100, 22050, 48000, 24000)
MIN_CHUNKS: Final = 8
CHUNK_SHARE: Final = 0.9
MAX_SIZES: Final = 8
CLOCK_SEGMENT_S: Final = 3.0
CLOCK_SEGMENTS: Final = 2
CLOCK_TOLERANCE: Final = 0.04


IGNORED: Final = 0  # a chunk size that says nothing (or not a pcm16 one)
SESSION_RATE: Final = 1  # whole milliseconds at 24 kHz
NO_RATE: Final = 2  # whole milliseconds at no common rate
ChunkKind = int | tuple[int, ...]  # or: the other rates it is whole milliseconds at


@lru_cache(maxsize=512)  # a capture uses a few sizes; a random one costs half a microsecond
def chunk_kind(nbytes: int) -> ChunkKind:
    """Return what a pcm16 chunk of ``nbytes`` says about the rate its audio was made at.

    Whole milliseconds at 24 kHz (24 samples, 48 bytes, and their multiples) are the session's
    rate, whatever else they are: such a chunk never argues for another. Of the rest, multiples
    of 128 samples (Web Audio's render quantum; 4,096-sample ScriptProcessor frames and every
    power of two from 128 up) are whole milliseconds at 16 and 8 kHz whatever the rate, and
    round numbers of bytes (a file read in 4,000-byte blocks) are chosen in bytes, not
    milliseconds: they say nothing.
    """
    samples, odd = divmod(nbytes, 2)
    if odd or not samples:
        return IGNORED
    if samples % 24 == 0:
        return SESSION_RATE
    if samples % 128 == 0 or samples & (samples - 1) == 0 or nbytes % 1000 == 0:
        return IGNORED
    return tuple(rate for rate in CANDIDATE_RATES[:-1] if samples * 1000 % rate == 0) or NO_RATE


class Chunks:
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
        if len(self.examples) < MAX_SIZES:
            self.examples.setdefault(nbytes, kind)
        if not self.found:
            judged = native + self.other + self.foreign
            self.found = self.foreign >= max(MIN_CHUNKS, CHUNK_SHARE * judged)

    def rates(self) -> tuple[int, ...]:
        """Return the rates that explain the most foreign chunks."""
        best = max(self.by_rate.values(), default=0)
        return tuple(rate for rate in CANDIDATE_RATES if self.by_rate.get(rate, -1) == best)

    def describe(self, native: int) -> str:
        """Return the chunk-size evidence, in words (``native``: chunks at the session's rate)."""
        rates = self.rates()
        size = next((n for n, kind in self.examples.items() if set(rates) <= set(kind)), 0)
        samples = size // 2
        at = ", ".join(f"{ms(samples, rate)} at {khz(rate)}" for rate in rates)
        what = f"{size} bytes: {at}, {ms(samples, 24000)} at 24 kHz"
        judged = native + self.other + self.foreign
        if judged == self.foreign and len(self.examples) == 1:
            return f"every chunk is {what}"
        return (
            f"{self.foreign} of {judged} chunks are whole milliseconds at {khz(rates[0])} ({what})"
        )


class Clock:
    """RT601 evidence from timestamps: seconds of audio appended per wall-clock second."""

    __slots__ = ("last", "matched", "prev", "rate", "span", "streak", "volume")

    def __init__(self, rate: int) -> None:
        self.rate = rate  # the session's
        self.prev = _NO_TIME
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
        return self.span >= CLOCK_SEGMENT_S and self._close()

    def finish(self) -> None:
        """Close the last segment, if it is long enough to count (at the end of the session)."""
        if self.span >= CLOCK_SEGMENT_S / 2:
            self._close()

    def _close(self) -> bool:
        """Close a segment of streaming, match its pace to a rate; return whether conclusive."""
        pace = self.volume / self.span
        self.span = self.volume = 0.0
        rates = (self.rate, *CANDIDATE_RATES)
        rate = next((r for r in rates if abs(pace * self.rate / r - 1.0) <= CLOCK_TOLERANCE), 0)
        self.streak = self.streak + 1 if rate == self.last else 1
        self.last = rate
        if self.matched or not rate or self.streak < CLOCK_SEGMENTS:
            return False
        self.matched = rate
        return True

    def describe(self) -> str:
        """Return the timestamp evidence, in words."""
        words = (
            f"the capture's timestamps show {self.matched / self.rate:.2f} s of "
            f"{khz(self.rate)} audio appended per wall-clock second"
        )
        if self.rate == 8000 and self.matched == 16000:
            words += " (or 16-bit samples, not 8-bit G.711)"
        return words
