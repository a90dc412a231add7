"""The text, json and jsonl formats."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from ..rules import RULES
from .base import Reporter

if TYPE_CHECKING:
    from ..lint import Statistics
    from ..violation import Violation


class TextReporter(Reporter):
    """``file:line:col: CODE message``, one finding per line, like ruff and flake8."""

    def report(self, violation: Violation) -> None:
        """Write one finding as a line."""
        self.out.write(f"{violation.location()}: {violation.rule} {violation.message}\n")

    def finish(self, statistics: Statistics) -> None:
        """Write the counts by rule when --statistics asked for them."""
        if not self.show_statistics:
            return
        for code, count in sorted(statistics.findings_by_rule.items()):
            rule = RULES[code]
            self.out.write(f"{count:>8} {code} [{rule.severity.value}] {rule.name}\n")
        for fmt, seconds in sorted(statistics.audio_seconds_by_format.items()):
            self.out.write(f"{seconds:>10.1f} s of {fmt} audio\n")
        if statistics.shortest_chunk_ms is not None and statistics.longest_chunk_ms is not None:
            self.out.write(
                f"{statistics.append_events:>8} appends of {statistics.shortest_chunk_ms:.0f}-"
                f"{statistics.longest_chunk_ms:.0f} ms, the largest "
                f"{statistics.largest_append_bytes:,} bytes\n"
            )


class JsonLinesReporter(Reporter):
    """One JSON object per finding, with SPEC's keys."""

    def report(self, violation: Violation) -> None:
        """Write one finding as a JSON line."""
        self.out.write(json.dumps(violation.to_dict(), ensure_ascii=False) + "\n")


class JsonReporter(Reporter):
    """``{"findings": [...], "statistics": {...}}`` in one document, written at the end."""

    def start(self) -> None:
        """Open the findings list."""
        self._findings: list[dict[str, object]] = []

    def report(self, violation: Violation) -> None:
        """Keep one finding for the document."""
        self._findings.append(violation.to_dict())

    def finish(self, statistics: Statistics) -> None:
        """Write the whole document."""
        document = {"findings": self._findings, "statistics": statistics.to_dict()}
        json.dump(document, self.out, ensure_ascii=False, indent=2)
        self.out.write("\n")
