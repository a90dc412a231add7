"""What a lint run read and found: ``Statistics``, counted by the linter, read by reporters."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any, ClassVar

from .shape import LazyFields, shown

if TYPE_CHECKING:
    from dataclasses import Field

WRAPPED_MIN = 2
"""The fewest records holding their event under one key that make ``wrapped_pointer`` say so."""


FIELDS = ("files", "records", "blank_lines", "bytes", "events_by_type", "append_events",
          "audio_bytes", "audio_seconds_by_format", "rejected_audio_bytes",
          "rejected_audio_seconds", "shortest_chunk_ms", "longest_chunk_ms",
          "largest_append_bytes", "records_with_findings", "findings_by_rule", "escalated",
          "server_errors", "server_errors_predicted", "wrapped_events", "unreadable", "seconds",
          "by_file")  # fmt: skip
"""``Statistics``' fields, in order (what ``dataclasses.fields`` gives)."""


class Statistics:
    """What a lint run read and found.

    A dataclass to ``dataclasses`` (``fields``, ``replace``, ``asdict``), written out by hand:
    ``dataclasses`` costs more start-up than a bare interpreter (``core.shape``).
    """

    if TYPE_CHECKING:
        __dataclass_fields__: ClassVar[dict[str, Field[Any]]]
    else:
        __dataclass_fields__ = LazyFields(lambda: _twin())
    __match_args__ = ("files", "records", "blank_lines", "bytes", "events_by_type",
                      "append_events", "audio_bytes", "audio_seconds_by_format",
                      "rejected_audio_bytes", "rejected_audio_seconds", "shortest_chunk_ms",
                      "longest_chunk_ms", "largest_append_bytes", "records_with_findings",
                      "findings_by_rule", "escalated", "server_errors",
                      "server_errors_predicted", "wrapped_events", "unreadable", "seconds",
                      "by_file")  # fmt: skip

    def __init__(
        self,
        files: int = 0,
        records: int = 0,
        blank_lines: int = 0,
        bytes: int = 0,
        events_by_type: Counter[str] | None = None,
        append_events: int = 0,
        audio_bytes: int = 0,
        audio_seconds_by_format: dict[str, float] | None = None,
        rejected_audio_bytes: int = 0,
        rejected_audio_seconds: float = 0.0,
        shortest_chunk_ms: float | None = None,
        longest_chunk_ms: float | None = None,
        largest_append_bytes: int = 0,
        records_with_findings: int = 0,
        findings_by_rule: Counter[str] | None = None,
        escalated: int = 0,
        server_errors: int = 0,
        server_errors_predicted: int = 0,
        wrapped_events: dict[str, int] | None = None,
        unreadable: list[str] | None = None,
        seconds: float = 0.0,
        by_file: dict[str, Statistics] | None = None,
    ) -> None:
        self.files = files
        self.records = records
        self.blank_lines = blank_lines
        self.bytes = bytes
        self.events_by_type: Counter[str] = Counter() if events_by_type is None else events_by_type
        self.append_events = append_events
        self.audio_bytes = audio_bytes  # decoded, of the appends the server accepts
        self.audio_seconds_by_format: dict[str, float] = (  # accepted too
            {} if audio_seconds_by_format is None else audio_seconds_by_format
        )
        self.rejected_audio_bytes = rejected_audio_bytes  # of the appends it rejects: apart
        self.rejected_audio_seconds = rejected_audio_seconds
        self.shortest_chunk_ms = shortest_chunk_ms
        self.longest_chunk_ms = longest_chunk_ms
        self.largest_append_bytes = largest_append_bytes
        self.records_with_findings = records_with_findings
        self.findings_by_rule: Counter[str] = (
            Counter() if findings_by_rule is None else findings_by_rule
        )
        # findings reported as errors whose rule is a warning by default: their evidence was
        # stronger (``Rule.graded``, the audio-signal rules)
        self.escalated = escalated
        self.server_errors = server_errors  # server error events in the log
        self.server_errors_predicted = server_errors_predicted  # those answering a finding
        # records with no type that hold a Realtime event under a wrapper's key ("event",
        # "data", ...), by key: the hint to --event-pointer (``wrapped_pointer``)
        self.wrapped_events: dict[str, int] = {} if wrapped_events is None else wrapped_events
        self.unreadable: list[str] = [] if unreadable is None else unreadable
        self.seconds = seconds
        self.by_file: dict[str, Statistics] = {} if by_file is None else by_file

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in FIELDS)

    __hash__ = None  # type: ignore[assignment]  # mutable, as a dataclass with eq

    def __repr__(self) -> str:
        return shown(self, FIELDS)

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


def _twin() -> type:
    """The dataclass ``Statistics`` was: its fields are ``Statistics``'."""
    from dataclasses import dataclass, field

    @dataclass
    class Statistics:
        files: int = 0
        records: int = 0
        blank_lines: int = 0
        bytes: int = 0
        events_by_type: Counter[str] = field(default_factory=Counter)
        append_events: int = 0
        audio_bytes: int = 0
        audio_seconds_by_format: dict[str, float] = field(default_factory=dict)
        rejected_audio_bytes: int = 0
        rejected_audio_seconds: float = 0.0
        shortest_chunk_ms: float | None = None
        longest_chunk_ms: float | None = None
        largest_append_bytes: int = 0
        records_with_findings: int = 0
        findings_by_rule: Counter[str] = field(default_factory=Counter)
        escalated: int = 0
        server_errors: int = 0
        server_errors_predicted: int = 0
        wrapped_events: dict[str, int] = field(default_factory=dict)
        unreadable: list[str] = field(default_factory=list)
        seconds: float = 0.0
        by_file: dict[str, Statistics] = field(default_factory=dict)

    return Statistics
