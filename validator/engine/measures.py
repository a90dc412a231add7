"""What a session's evidence adds up of the appends it measured: sums that add over windows.

``ShapeSums`` holds the second-order sums of every reading of the informative windows (RT602,
RT603, RT604) and the clipping counted (RT606); ``Level`` the level of one stretch of audio
(RT605). The features are read through the protocols of ``signal_types``, which
``check.signal``'s types satisfy, so that the engine's evidence needs nothing of the check but
its numbers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from .signal_types import ShapeLike

LAWS: Final = ("g711_ulaw", "g711_alaw")


class ShapeSums:
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
        self.laws = {law: [0.0, 0.0] for law in LAWS}
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


class Level:
    """RT605 evidence of one stretch of audio (a commit's, or the whole session's).

    Positions are byte offsets into the session's audio, so that appends nobody measured cost
    nothing here. ``SignalEvidence._observe`` adds a measurement to it.
    """

    __slots__ = ("ceiling", "power", "probed_to", "start", "window")

    def __init__(self, start: int) -> None:
        self.start = start  # byte offset the stretch starts at
        self.probed_to = -1  # byte offset after the last append measured (-1: none yet)
        self.ceiling = 0  # the highest peak bound measured
        self.power = 0.0
        self.window = 0
