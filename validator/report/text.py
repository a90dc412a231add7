"""The text, json and jsonl formats."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from .base import Reporter, clean, statistics_lines

if TYPE_CHECKING:
    from ..core.statistics import Statistics
    from ..core.violation import Violation


FIXABLE = "[*] "
"""Ruff's mark of a finding that ``--fix`` would fix, between its code and its message."""


def finding_line(violation: Violation, marked: bool = False) -> str:
    """Return the text format's line of one finding, ``file:line:col: CODE message\\n``
    (``marked``: ``CODE [*] message``, as ruff marks what ``--fix`` would fix)."""
    mark = FIXABLE if marked else ""
    return f"{violation.location()}: {violation.rule} {mark}{violation.message}\n"


class TextReporter(Reporter):
    """``file:line:col: CODE message``, one finding per line, like ruff and flake8."""

    statistics_in_output = True

    def report(self, violation: Violation) -> None:
        """Write one finding as a line."""
        self.out.write(finding_line(violation, self.marked(violation)))

    def finish(self, statistics: Statistics) -> None:
        """Write the counts by rule and the audio totals when --statistics asked for them."""
        if self.show_statistics:
            self.out.writelines(statistics_lines(statistics))


class JsonLinesReporter(Reporter):
    """One JSON object per finding, with SPEC's keys."""

    statistics_in_output = False

    def report(self, violation: Violation) -> None:
        """Write one finding as a JSON line."""
        self.out.write(clean(json.dumps(violation.to_dict(), ensure_ascii=False)) + "\n")


class JsonReporter(Reporter):
    """``{"findings": [...], "statistics": {...}}`` in one document, written at the end."""

    statistics_in_output = True

    def start(self) -> None:
        """Open the findings list."""
        self._findings: list[dict[str, object]] = []

    def report(self, violation: Violation) -> None:
        """Keep one finding for the document."""
        self._findings.append(violation.to_dict())

    def finish(self, statistics: Statistics) -> None:
        """Write the whole document."""
        document = {"findings": self._findings, "statistics": statistics.to_dict()}
        self.out.write(clean(json.dumps(document, ensure_ascii=False, indent=2)) + "\n")
