"""What a lint run read and found: ``Statistics``, counted by the linter, read by reporters."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

WRAPPED_MIN = 2
"""The fewest records holding their event under one key that make ``wrapped_pointer`` say so."""


@dataclass
class Statistics:
    """What a lint run read and found."""

    files: int = 0
    records: int = 0
    blank_lines: int = 0
    bytes: int = 0
    events_by_type: Counter[str] = field(default_factory=Counter)
    append_events: int = 0
    audio_bytes: int = 0  # decoded, of the appends the server accepts
    audio_seconds_by_format: dict[str, float] = field(default_factory=dict)  # accepted too
    rejected_audio_bytes: int = 0  # of the appends it rejects (an error finding): apart
    rejected_audio_seconds: float = 0.0
    shortest_chunk_ms: float | None = None
    longest_chunk_ms: float | None = None
    largest_append_bytes: int = 0
    records_with_findings: int = 0
    findings_by_rule: Counter[str] = field(default_factory=Counter)
    # findings reported as errors whose rule is a warning by default: their evidence was
    # stronger (``Rule.graded``, the audio-signal rules)
    escalated: int = 0
    server_errors: int = 0  # server error events in the log
    server_errors_predicted: int = 0  # of them, those answering an event with findings
    # records with no type that hold a Realtime event under a wrapper's key ("event", "data",
    # ...), by key: the hint to --event-pointer (``wrapped_pointer``)
    wrapped_events: dict[str, int] = field(default_factory=dict)
    unreadable: list[str] = field(default_factory=list)
    seconds: float = 0.0
    by_file: dict[str, Statistics] = field(default_factory=dict)

    @property
    def audio_seconds(self) -> float:
        """Return the seconds of audio appended and accepted, all formats together."""
        return sum(self.audio_seconds_by_format.values())

    @property
    def findings(self) -> int:
        """Return the number of findings reported."""
        return sum(self.findings_by_rule.values())

    def wrapped_pointer(self) -> str | None:
        """Return the pointer ("/event") under which most of these records hold their event,
        with no type of their own, or None.

        Most: more than half of the records read, and at least ``WRAPPED_MIN``: one record
        is not yet a capture's shape, and a log where a few records are wrapped is a log of
        bare events with a few mistakes, which --event-pointer would break.
        """
        if not self.wrapped_events:
            return None
        key, n = max(self.wrapped_events.items(), key=lambda item: item[1])
        if n >= WRAPPED_MIN and 2 * n > self.records:
            return "/" + key
        return None

    def merge(self, other: Statistics) -> None:
        """Add another run's counts to these."""
        self.files += other.files
        self.records += other.records
        self.blank_lines += other.blank_lines
        self.bytes += other.bytes
        self.events_by_type.update(other.events_by_type)
        self.append_events += other.append_events
        self.audio_bytes += other.audio_bytes
        self.rejected_audio_bytes += other.rejected_audio_bytes
        self.rejected_audio_seconds += other.rejected_audio_seconds
        self.add_audio(
            other.audio_seconds_by_format,
            other.shortest_chunk_ms,
            other.longest_chunk_ms,
            other.largest_append_bytes,
        )
        self.records_with_findings += other.records_with_findings
        self.findings_by_rule.update(other.findings_by_rule)
        self.escalated += other.escalated
        self.server_errors += other.server_errors
        self.server_errors_predicted += other.server_errors_predicted
        for key, n in other.wrapped_events.items():
            self.wrapped_events[key] = self.wrapped_events.get(key, 0) + n
        self.unreadable.extend(other.unreadable)
        self.seconds += other.seconds

    def add_audio(
        self,
        seconds_by_format: dict[str, float],
        shortest_ms: float | None,
        longest_ms: float | None,
        largest_bytes: int,
    ) -> None:
        """Add one session's audio: seconds per format, chunk duration range, largest append."""
        for fmt, seconds in seconds_by_format.items():
            self.audio_seconds_by_format[fmt] = self.audio_seconds_by_format.get(fmt, 0.0) + seconds
        if shortest_ms is not None and (
            self.shortest_chunk_ms is None or shortest_ms < self.shortest_chunk_ms
        ):
            self.shortest_chunk_ms = shortest_ms
        if longest_ms is not None and (
            self.longest_chunk_ms is None or longest_ms > self.longest_chunk_ms
        ):
            self.longest_chunk_ms = longest_ms
        self.largest_append_bytes = max(self.largest_append_bytes, largest_bytes)

    def to_dict(self) -> dict[str, Any]:
        """Return the statistics as the JSON object the json format writes."""
        result = self._counts()
        if self.by_file:
            result["by_file"] = {name: s._counts() for name, s in self.by_file.items()}
        return result

    def _counts(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "records": self.records,
            "blank_lines": self.blank_lines,
            "bytes": self.bytes,
            "events_by_type": dict(sorted(self.events_by_type.items())),
            "append_events": self.append_events,
            "audio_bytes": self.audio_bytes,
            "audio_seconds": round(self.audio_seconds, 3),
            "audio_seconds_by_format": {
                k: round(v, 3) for k, v in sorted(self.audio_seconds_by_format.items())
            },
            "rejected_audio_bytes": self.rejected_audio_bytes,
            "rejected_audio_seconds": round(self.rejected_audio_seconds, 3),
            "shortest_chunk_ms": _round(self.shortest_chunk_ms),
            "longest_chunk_ms": _round(self.longest_chunk_ms),
            "largest_append_bytes": self.largest_append_bytes,
            "records_with_findings": self.records_with_findings,
            "findings": self.findings,
            "findings_by_rule": dict(sorted(self.findings_by_rule.items())),
            "server_errors": self.server_errors,
            "server_errors_predicted": self.server_errors_predicted,
            "unreadable": list(self.unreadable),
            "seconds": round(self.seconds, 3),
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)
