"""What the server hears of a session: the samples of its appends, judged by RT601-RT606.

The session (``session.Session``) owns one ``Hearing`` and tells it each step the server
takes: the appends it accepts (a run at once from the fast road, one at a time from the slow
road), commits, clears, a new session, the end of the input. The ``Hearing`` counts them into
the session's ``evidence.SignalEvidence``, which says what the next append needs measured;
only then does it ask the step for that append's decoded bytes (``Heard.audio``: the fast
road's, kept from its scan; a line a ``--jobs`` worker scanned, read again here; the slow
road's string, decoded), so that most appends cost a count and the findings do not depend on
who scanned what. A finding is placed at the append where its evidence became conclusive.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from ..check import signal
from ..core.rules import Severity
from ..core.violation import Violation
from .evidence import Finding, SignalEvidence

SIGNAL_CODES = frozenset(("RT601", "RT602", "RT603", "RT604", "RT605", "RT606"))

Place = tuple[int, int, "str | None", "str | None"]
"""Where an append's audio string is: line, column (1-based), event id, event type."""


class Heard(Protocol):
    """The appends of one step, as the road that read them has them."""

    def audio(self, index: int) -> bytes | None:
        """Return the decoded audio of the step's append ``index``, None where it must not be
        measured (it has findings of its own about its content)."""
        ...

    def place(self, index: int) -> Place:
        """Return where append ``index``'s audio string is; for the step's last append this
        stays valid after the step (the session places findings at commits there)."""
        ...

    def settle(self) -> None:
        """Let go of what only the step needed (its audio): the step is taken."""
        ...


class Hearing:
    """One input's audio-signal evidence, a session at a time; see the module's docstring."""

    __slots__ = ("active", "evidence", "found", "last", "last_counted", "source")

    def __init__(self, audio_format: str, source: str | None = None, active: bool = True) -> None:
        self.active = active  # False when no audio-signal rule is selected: it costs nothing
        self.source = source
        self.evidence = SignalEvidence(audio_format)
        # placed, for the driver to report (``drain``): each group with whether its record
        # has findings counted already
        self.found: list[tuple[list[Violation], bool]] = []
        self.last: tuple[Heard, int] | None = None  # the last append counted
        self.last_counted = False  # whether that append's record has findings reported

    # -- steps ------------------------------------------------------------------------------

    def appends(
        self, sizes: Sequence[int], audio_format: str, heard: Heard, time: float | None = None
    ) -> None:
        """Count a run of accepted appends of ``sizes`` bytes, measuring what is asked for;
        ``time``: when a run of one was sent, where the capture says."""
        if not self.active or not sizes:
            return
        evidence = self.evidence
        count = len(sizes)
        self.last, self.last_counted = (heard, count - 1), False
        if time is not None and count == 1:
            evidence.feed(sizes[0], audio_format, self._measured(heard, 0, audio_format), time)
            self._place(evidence.take(), heard, 0)
            heard.settle()
            return
        index = 0
        while True:
            index = evidence.skip(sizes, index, audio_format)
            if index > 0:
                self._place(evidence.take(), heard, index - 1)
            if index >= count:
                break
            evidence.feed(sizes[index], audio_format, self._measured(heard, index, audio_format))
            self._place(evidence.take(), heard, index)
            index += 1
        heard.settle()

    def append(
        self,
        nbytes: int,
        audio_format: str,
        heard: Heard,
        time: float | None,
        flagged: bool,
    ) -> list[Violation]:
        """Count one accepted append read whole (the slow road) and return the findings that
        became conclusive at it, unplaced (pointer ``/audio``); ``flagged``: it has findings
        of its own."""
        if not self.active:
            return []
        evidence = self.evidence
        features = self._measured(heard, 0, audio_format) if nbytes else None
        evidence.feed(nbytes, audio_format, features, time)
        heard.settle()
        self.last, self.last_counted = (heard, 0), flagged
        found = evidence.take()
        if found:
            self.last_counted = True
        return [_violation(f) for f in found]

    def commit(self) -> None:
        """A commit the server takes: judge what it commits."""
        if self.active:
            self._place_last(self.evidence.commit())

    def clear(self) -> None:
        """A clear, or a commit by the server: forget the uncommitted audio."""
        if self.active:
            self.evidence.clear()

    def start(self, audio_format: str) -> None:
        """A new session: judge the one that ends, and start afresh in ``audio_format``."""
        self.end()
        self.evidence = SignalEvidence(audio_format)
        self.last, self.last_counted = None, False

    def end(self) -> None:
        """The end of the session: judge it whole (once; a second call finds nothing)."""
        if self.active and self.last is not None:
            self._place_last(self.evidence.end())

    def drain(self) -> list[tuple[list[Violation], bool]]:
        """Return the placed findings waiting to be reported, grouped by the append they are
        on, each with whether that append's record has findings reported already."""
        found, self.found = self.found, []
        return found

    # -- measuring and placing ----------------------------------------------------------------

    def _measured(self, heard: Heard, index: int, audio_format: str) -> signal.Features | None:
        """Return what the evidence asks of ``heard``'s append ``index``, or None."""
        detail = self.evidence.wanted()
        if not detail:
            return None
        audio = heard.audio(index)
        if not audio:
            return None
        return signal.features(audio, audio_format, detail)

    def _place(self, found: list[Finding], heard: Heard, index: int) -> None:
        """Place findings conclusive at ``heard``'s append ``index``."""
        if found:
            self._placed(found, heard.place(index), counted=False)  # a fast append: no findings
            if self.last is not None and self.last[0] is heard and self.last[1] == index:
                self.last_counted = True

    def _place_last(self, found: list[Finding]) -> None:
        """Place findings conclusive at a commit or the end, at the last append counted."""
        if found and self.last is not None:
            heard, index = self.last
            self._placed(found, heard.place(index), counted=self.last_counted)
            self.last_counted = True

    def _placed(self, found: list[Finding], place: Place, counted: bool) -> None:
        """Keep ``found`` placed at ``place`` for the driver (``counted``: see ``drain``)."""
        line, column, event_id, event_type = place
        source = self.source
        self.found.append(
            (
                [
                    Violation(
                        f.code,
                        f.message,
                        "/audio",
                        source,
                        line,
                        column,
                        event_id,
                        event_type,
                        level=Severity(f.severity),
                    )
                    for f in found
                ],
                counted,
            )
        )


def _violation(finding: Finding) -> Violation:
    """Return an audio-signal finding as an unplaced ``Violation`` at the append's audio."""
    return Violation(finding.code, finding.message, "/audio", level=Severity(finding.severity))
