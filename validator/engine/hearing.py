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

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from ..core.place import located
from ..core.rules import Severity
from ..core.violation import Violation

if TYPE_CHECKING:
    from ..check.signal import Features
    from .evidence import Finding, SignalEvidence
    from .signal_types import Heard, Place

LEVEL = 1  # what ``evidence.SignalEvidence.want`` says when an append's level alone is asked

SIGNAL_CODES = frozenset(("RT601", "RT602", "RT603", "RT604", "RT605", "RT606"))


Repair = tuple[int, str, str, "str | int"]
"""What ``lint --fix --unsafe-fixes`` may do to one session's appends (``Finding.repair``):
(the session's number in the input, the format of its appends concerned, rule, repair). A
plain tuple: a NamedTuple class costs start-up."""


class Hearing:
    """One input's audio-signal evidence, a session at a time; see the module's docstring."""

    __slots__ = (
        "active",
        "evidence",
        "found",
        "heard",
        "last",
        "last_counted",
        "level",
        "measure",
        "repairs",
        "session",
        "source",
    )

    def __init__(self, audio_format: str, source: str | None = None, active: bool = True) -> None:
        self.active = active  # False when no audio-signal rule is selected: it costs nothing
        self.source = source
        # made at the session's first append (``_listening``): a log without audio, or a
        # one-event lint, imports none of the signal modules
        self.evidence: SignalEvidence | None = None
        self.measure: Callable[[bytes, str, int], Features] = _unmeasured  # check.signal's
        self.level: Callable[[bytes, str], int] = _unlevelled  # and its ceiling
        # placed, for the driver to report (``drain``): each group with whether its record
        # has findings counted already
        self.found: list[tuple[list[Violation], bool]] = []
        self.last: tuple[Heard, int] | None = None  # the last append counted
        self.last_counted = False  # whether that append's record has findings reported
        self.session = 0  # which session of the input is heard: 0, 1, ... (``start``)
        self.heard = 0  # appends counted, all sessions
        # where asked for (``lint --fix``): each finding's repair, as (session, the format the
        # evidence was gathered in, rule, ``Finding.repair``)
        self.repairs: list[Repair] | None = None

    # -- steps ------------------------------------------------------------------------------

    def appends(
        self, sizes: Sequence[int], audio_format: str, heard: Heard, time: float | None = None
    ) -> None:
        """Count a run of accepted appends of ``sizes`` bytes, measuring what is asked for;
        ``time``: when a run of one was sent, where the capture says."""
        if not self.active or not sizes:
            return
        evidence = self.evidence or self._listening()
        count = len(sizes)
        self.heard += count
        self.last, self.last_counted = (heard, count - 1), False
        if time is not None and count == 1:
            evidence.feed(sizes[0], audio_format, self._measured(heard, 0, audio_format), time)
            if evidence.pending:
                self._place(evidence.take(), heard, 0)
            heard.settle()
            return
        measure = self.measure
        index = 0
        while index < count:
            detail = evidence.want
            if detail == LEVEL:  # the level alone: after each commit
                level = heard.level(index, audio_format)
                audio = None if level else heard.audio(index)
                if audio:
                    level = self.level(audio, audio_format)
                if level:
                    evidence.feed_level(sizes[index], audio_format, level)
                else:
                    evidence.feed(sizes[index], audio_format)
                if evidence.pending:
                    self._place(evidence.take(), heard, index)
                index += 1
                continue
            if detail:  # this append is to be measured
                audio = heard.audio(index)
                features = measure(audio, audio_format, detail) if audio else None
                evidence.feed(sizes[index], audio_format, features)
                if evidence.pending:
                    self._place(evidence.take(), heard, index)
                index += 1
                continue
            index = evidence.skip(sizes, index, audio_format)
            if evidence.pending:
                self._place(evidence.take(), heard, index - 1)
        heard.settle()  # its first append's audio and its block: not held past the run

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
        evidence = self.evidence or self._listening()
        self.heard += 1
        features = self._measured(heard, 0, audio_format) if nbytes else None
        evidence.feed(nbytes, audio_format, features, time)
        heard.settle()
        self.last, self.last_counted = (heard, 0), flagged
        found = evidence.take()
        if found:
            self.last_counted = True
            self._keep_repairs(found)
        return [_violation(f) for f in found]

    def quiet_append(self, nbytes: int, audio_format: str) -> bool:
        """Return whether an append of ``nbytes`` would be counted alone: nothing to measure
        of it and nothing concluded at it (a fast road with no audio at hand may take it)."""
        evidence = self.evidence
        return not self.active or (
            evidence is not None and evidence.counts_quietly(nbytes, audio_format)
        )

    def quiet_commit(self) -> bool:
        """Return whether a commit now would conclude nothing (no audio heard yet)."""
        return self.evidence is None

    def commit(self) -> None:
        """A commit the server takes: judge what it commits."""
        if self.evidence is not None:
            found = self.evidence.commit()
            if found:
                self._place_last(found)

    def clear(self) -> None:
        """A clear, or a commit by the server: forget the uncommitted audio."""
        if self.evidence is not None:
            self.evidence.clear()

    def start(self, audio_format: str) -> None:
        """A new session: judge the one that ends, and start afresh in ``audio_format``."""
        self.end()
        self.evidence = None
        self.last, self.last_counted = None, False
        self.session += 1

    def end(self) -> None:
        """The end of the session: judge it whole (once; a second call finds nothing)."""
        if self.evidence is not None and self.last is not None:
            self._place_last(self.evidence.end())

    def drain(self) -> list[tuple[list[Violation], bool]]:
        """Return the placed findings waiting to be reported, grouped by the append they are
        on, each with whether that append's record has findings reported already."""
        found, self.found = self.found, []
        return found

    # -- measuring and placing ----------------------------------------------------------------

    def _listening(self) -> SignalEvidence:
        """Return the session's evidence, made now (the session's first append), and import
        what measures the samples."""
        from ..check.signal import ceiling, features
        from .evidence import SignalEvidence

        self.measure = features
        self.level = ceiling
        self.evidence = evidence = SignalEvidence()
        return evidence

    def _measured(self, heard: Heard, index: int, audio_format: str) -> Features | None:
        """Return what the evidence asks of ``heard``'s append ``index``, or None."""
        assert self.evidence is not None
        detail = self.evidence.want
        if not detail:
            return None
        audio = heard.audio(index)
        return self.measure(audio, audio_format, detail) if audio else None

    def _keep_repairs(self, found: list[Finding]) -> None:
        """Keep the repairs of ``found`` where they are asked for."""
        if self.repairs is not None and self.evidence is not None:
            given = self.evidence.audio_format
            self.repairs += ((self.session, given, f.code, f.repair) for f in found if f.repair)

    def _place(self, found: list[Finding], heard: Heard, index: int) -> None:
        """Place findings conclusive at ``heard``'s append ``index``."""
        self._keep_repairs(found)
        self._placed(found, heard.place(index), counted=False)  # a fast append: no findings
        if self.last is not None and self.last[0] is heard and self.last[1] == index:
            self.last_counted = True

    def _place_last(self, found: list[Finding]) -> None:
        """Place findings conclusive at a commit or the end, at the last append counted."""
        if found and self.last is not None:
            self._keep_repairs(found)
            heard, index = self.last
            self._placed(found, heard.place(index), counted=self.last_counted)
            self.last_counted = True

    def _placed(self, found: list[Finding], place: Place, counted: bool) -> None:
        """Keep ``found`` placed at ``place`` for the driver (``counted``: see ``drain``)."""
        line, column, event_id, event_type = place
        source = self.source
        self.found.append(
            (
                [located(_violation(f), source, line, column, event_id, event_type) for f in found],
                counted,
            )
        )


def _unmeasured(data: bytes, audio_format: str, detail: int) -> Features:
    """Stand for ``check.signal.features`` before the first append imports it (never called:
    nothing is measured before the evidence is made)."""
    raise AssertionError("measured before listening")


def _unlevelled(data: bytes, audio_format: str) -> int:
    """Stand for ``check.signal.ceiling`` before the first append imports it (never called)."""
    raise AssertionError("measured before listening")


def _violation(finding: Finding) -> Violation:
    """Return an audio-signal finding as an unplaced ``Violation`` at the append's audio."""
    return Violation(finding.code, finding.message, "/audio", level=Severity(finding.severity))
