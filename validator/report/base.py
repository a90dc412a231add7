"""The reporter interface: start, one call per finding, finish with the statistics."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from ..core.statistics import Statistics
    from ..core.violation import Violation


class Reporter:
    """Writes findings to ``out``; subclasses override what they need."""

    statistics_in_output: bool = False
    """Whether ``--statistics`` has a place in this format's output: True when the reporter
    writes the statistics itself (text lines after the findings, a ``statistics`` object in
    the document); False when they would break the format (one JSON object a line, workflow
    commands, XML, a JSON array), and the command writes the text lines to standard error."""

    marks: Callable[[Violation], bool] | None = None
    """Whether a finding's fix would apply (ruff's ``[*]``), for the formats that show it:
    set by the command when it asks the fixer (None: no mark, as in every machine format)."""

    def __init__(self, out: TextIO, *, show_statistics: bool = False) -> None:
        self.out = out
        self.show_statistics = show_statistics

    def marked(self, violation: Violation) -> bool:
        """Return True where ``violation`` gets the ``[*]`` mark."""
        return self.marks is not None and self.marks(violation)

    def note_stream(self, name: str) -> None:
        """Take note that the input ``name`` was a stream (standard input, ``--stdin-filename``
        naming it): it cannot be read again, whatever file the name may also be."""

    def note_source(self, name: str) -> None:
        """Take note of an input about to be linted (a clean file is a passing JUnit case)."""

    def start(self) -> None:
        """Write whatever comes before the first finding."""

    def report(self, violation: Violation) -> None:
        """Write (or keep) one finding."""
        raise NotImplementedError

    def finish(self, statistics: Statistics) -> None:
        """Write whatever comes after the last finding."""


def clean(text: str) -> str:
    """Return ``text`` with lone surrogates (undecodable file-name bytes) as ``\\udcxx`` text:
    in a JSON string that is the same code point, and the output stays valid UTF-8."""
    if text.isascii():
        return text
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def statistics_lines(statistics: Statistics) -> list[str]:
    """Return the --statistics lines: findings by rule, audio, chunk sizes, and per file."""
    from ..core.rules import RULES
    from .summary import audio, duration

    lines = []
    for code, count in sorted(statistics.findings_by_rule.items()):
        rule = RULES[code]
        lines.append(f"{count:>8,} {code} [{rule.severity.value}] {rule.name}\n")
    for fmt, seconds in sorted(statistics.audio_seconds_by_format.items()):
        lines.append(f"{duration(seconds):>12} of {fmt} audio\n")
    if statistics.rejected_audio_bytes:
        rejected = duration(statistics.rejected_audio_seconds)
        lines.append(f"{rejected:>12} of audio in appends the server rejects\n")
    if statistics.shortest_chunk_ms is not None and statistics.longest_chunk_ms is not None:
        lines.append(
            f"{_count(statistics.append_events, 'append')} of "
            f"{statistics.shortest_chunk_ms:,.0f}-{statistics.longest_chunk_ms:,.0f} ms, "
            f"the largest {statistics.largest_append_bytes:,} byte"
            f"{_s(statistics.largest_append_bytes)}\n"
        )
    if statistics.server_errors:
        lines.append(
            f"{_count(statistics.server_errors, 'server error')}, "
            f"{statistics.server_errors_predicted:,} of them on a line where a rule had found "
            "something\n"
        )
    if len(statistics.by_file) > 1:
        for name, own in statistics.by_file.items():
            lines.append(
                f"{_count(own.records, 'record')}, {own.findings:,} finding{_s(own.findings)}, "
                f"{audio(own)}: {name}\n"
            )
    return lines


def _count(count: int, noun: str) -> str:
    """Return ``count`` right-aligned in eight columns with thousands separators, and ``noun``
    in the plural unless the count is one: ``"       1 append"``, ``"  36,800 appends"``."""
    return f"{count:>8,} {noun}{_s(count)}"


def _s(count: int) -> str:
    return "" if count == 1 else "s"
