"""What one input's reading counted: records, bytes, events and findings, and the fast road's
records taken against the session.

The one place that counts what was read (``read``) and what was found (``selected``), so that
the statistics hold at any failure point. The fast road's appends are summed here and added to
the statistics at the end (``finish``), with the session's own counts: the audio is the
session's, which knows the appends the server rejects.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from ..core.event_types import APPEND, APPEND_TYPES, EVENT_TYPES
from ..core.place import position
from ..core.rules import RULES, Severity
from ..core.statistics import Statistics
from ..core.violation import Violation
from .fastroad import Appends, Flagged, Item, Quiets
from .session import Session

if TYPE_CHECKING:
    from .signal_types import Heard


class Ledger:
    """Counts one input's records and findings into ``statistics``; takes the fast road's
    scanned items against ``session``."""

    def __init__(self, statistics: Statistics, session: Session, enabled: frozenset[str]) -> None:
        self.stats = statistics
        self.session = session
        self.enabled = enabled
        self.fast_appends = 0  # counted here, added to the statistics at the end
        self.finished = False

    def take(
        self, item: Item, line: int, heard: Heard | None = None, time: float | None = None
    ) -> bool:
        """Account for one scanned record (not ``Slow``) on ``line`` and return True, or
        return False where the session objects to it (and it must take the slow road).
        ``heard``: an append's audio, ``time`` when it was sent (the audio-signal rules)."""
        kind = type(item)
        if kind is Appends:
            return self.take_appends(cast(Appends, item), line, heard, time)
        if kind is Flagged:
            one = cast(Flagged, item)
            nbytes = one.nbytes
            event_id = one.event_id
            ids = [] if event_id is None else [event_id]
            if not self.session.take_appends(
                ids, 1, nbytes, nbytes, nbytes, line, (nbytes,), heard, time, one.flags
            ):
                return False
            self.fast_appends += 1
            return True
        if kind is Quiets and cast(Quiets, item).lines == 1:
            quiet = cast(Quiets, item)
            return self.take_quiet(quiet.types[0], quiet.ids[0], line)
        return False

    def take_quiet(self, event_type: str, event_id: str | None, line: int) -> bool:
        """Account for a quiet record; False where the session objects (RT401, RT402, RT405)."""
        if not self.session.take_quiet(event_type, event_id, line):
            return False
        self.stats.events_by_type[event_type] += 1
        return True

    def take_appends(
        self, run: Appends, line: int, heard: Heard | None = None, time: float | None = None
    ) -> bool:
        """Account for a run of scanned appends starting on ``line`` at once, or return False
        (no change) where the session objects (RT402 somewhere: taken line by line)."""
        if not self.session.take_appends(
            run.ids, run.lines, run.total, run.smallest, run.largest, line, run.sizes, heard, time
        ):
            return False
        self.fast_appends += run.lines
        return True

    def read(self, records: int, nbytes: int, blank: bool = False) -> None:
        """Count what was read: ``records`` records (or one blank line) of ``nbytes`` bytes."""
        stats = self.stats
        stats.records += records
        stats.bytes += nbytes
        if blank:
            stats.blank_lines += 1

    def count_event(self, event_type: str) -> None:
        """Count a slow-road event by type, and an append (its audio: the session's)."""
        stats = self.stats
        stats.events_by_type[event_type if event_type in EVENT_TYPES else "<unknown>"] += 1
        if event_type in APPEND_TYPES:
            stats.append_events += 1

    def count_untyped(self, record: dict[str, Any]) -> None:
        """Count a record with no ``type`` that holds a Realtime event under a wrapper's key
        (``Statistics.wrapped_events``); only such records pay for the look."""
        from ..sources.wrapped import wrapper_key

        key = wrapper_key(record)
        if key is not None:
            wrapped = self.stats.wrapped_events
            wrapped[key] = wrapped.get(key, 0) + 1

    def heard(self) -> list[Violation]:
        """Return the audio-signal findings the session placed since the last call (at
        appends before the record being read), selected and counted."""
        found: list[Violation] = []
        for group, counted in self.session.hearing.drain():
            found += self.selected(group, counted)
        return found

    def selected(self, found: list[Violation], counted: bool = False) -> list[Violation]:
        """Return a record's findings of the enabled rules, in place order, counted
        (``counted``: the record has findings counted already)."""
        enabled = self.enabled
        found = [v for v in found if v.rule in enabled]
        if found:
            found.sort(key=position)
            stats = self.stats
            if not counted:
                stats.records_with_findings += 1
            for v in found:
                stats.findings_by_rule[v.rule] += 1
                if v.level is Severity.ERROR and RULES[v.rule].severity is Severity.WARNING:
                    stats.escalated += 1
        return found

    def finish(self) -> None:
        """Add what the fast road and the session counted to the statistics (once)."""
        if self.finished:
            return
        self.finished = True
        stats = self.stats
        if self.fast_appends:
            stats.events_by_type[APPEND] += self.fast_appends
        stats.append_events += self.fast_appends
        session = self.session
        stats.audio_bytes += sum(session.bytes_by_format.values())
        stats.rejected_audio_bytes += sum(session.rejected_by_format.values())
        stats.rejected_audio_seconds += session.rejected_seconds
        stats.server_errors += session.server_errors
        stats.server_errors_predicted += session.server_errors_predicted
        span = session.chunk_range_ms()
        stats.add_audio(
            session.seconds_by_format,
            span[0] if span else None,
            span[1] if span else None,
            session.largest_bytes,
        )
