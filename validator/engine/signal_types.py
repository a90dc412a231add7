"""The audio-signal rules' types: what the evidence reads of a measurement (protocols that
``check.signal``'s ``Sums``, ``Shape`` and ``Features`` satisfy: ``tests/test_signal.py``
holds them so), what ``hearing.Hearing`` asks of a step's appends (``Heard``), and what
``heard.ScannedHeard`` walks a scanned run's lines in (``Block``).

Imported for type checking only (and by the tests): making Protocol classes costs start-up.
"""

from __future__ import annotations

from typing import Protocol

Place = tuple[int, int, "str | None", "str | None"]
"""Where an append's audio string is: line, column (1-based), event id, event type."""


class Block(Protocol):
    """Bytes a scanned run's lines are in, at the run's offsets: the block the scan read (a
    ``bytes`` or ``bytearray``), or the file a ``--jobs`` worker scanned (``scale.filebytes``)."""

    def find(self, byte: bytes, start: int, end: int, /) -> int: ...
    def index(self, byte: bytes, start: int, end: int, /) -> int: ...
    def rfind(self, byte: bytes, start: int, end: int, /) -> int: ...
    def __getitem__(self, where: slice, /) -> bytes | bytearray: ...


class Heard(Protocol):
    """The appends of one step, as the road that read them has them."""

    def audio(self, index: int) -> bytes | None:
        """Return the decoded audio of the step's append ``index``, None where it must not be
        measured (it has findings of its own about its content)."""
        ...

    def level(self, index: int, audio_format: str) -> int:
        """Return the level of append ``index`` (``signal.ceiling``) where it was measured
        already, in ``audio_format``; 0 where it was not."""
        ...

    def place(self, index: int) -> Place:
        """Return where append ``index``'s audio string is; for the step's last append this
        stays valid after the step (the session places findings at commits there)."""
        ...

    def settle(self) -> None:
        """Let go of what only the step needed (its audio, its block, its parsed event): the
        step is taken."""
        ...


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
