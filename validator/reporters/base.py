"""The reporter interface: start, one call per finding, finish with the statistics."""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from ..lint import Statistics
    from ..violation import Violation


class Reporter:
    """Writes findings to ``out``; subclasses override what they need."""

    def __init__(self, out: TextIO, *, show_statistics: bool = False) -> None:
        self.out = out
        self.show_statistics = show_statistics

    def note_source(self, name: str) -> None:
        """Take note of an input about to be linted (a clean file is a passing JUnit case)."""

    def start(self) -> None:
        """Write whatever comes before the first finding."""

    def report(self, violation: Violation) -> None:
        """Write (or keep) one finding."""
        raise NotImplementedError

    def finish(self, statistics: Statistics) -> None:
        """Write whatever comes after the last finding."""
