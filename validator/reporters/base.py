"""The reporter interface: start, one call per finding, finish with the statistics."""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from ..statistics import Statistics
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


def clean(text: str) -> str:
    """Return ``text`` with lone surrogates (undecodable file-name bytes) as ``\\udcxx`` text:
    in a JSON string that is the same code point, and the output stays valid UTF-8."""
    if text.isascii():
        return text
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def statistics_lines(statistics: Statistics) -> list[str]:
    """Return the --statistics lines: findings by rule, audio, chunk sizes, and per file."""
    from ..rules import RULES

    lines = []
    for code, count in sorted(statistics.findings_by_rule.items()):
        rule = RULES[code]
        lines.append(f"{count:>8} {code} [{rule.severity.value}] {rule.name}\n")
    for fmt, seconds in sorted(statistics.audio_seconds_by_format.items()):
        lines.append(f"{seconds:>10.1f} s of {fmt} audio\n")
    if statistics.shortest_chunk_ms is not None and statistics.longest_chunk_ms is not None:
        lines.append(
            f"{statistics.append_events:>8} appends of {statistics.shortest_chunk_ms:.0f}-"
            f"{statistics.longest_chunk_ms:.0f} ms, the largest "
            f"{statistics.largest_append_bytes:,} bytes\n"
        )
    if statistics.server_errors:
        lines.append(
            f"{statistics.server_errors:>8,} server error{_s(statistics.server_errors)}, "
            f"{statistics.server_errors_predicted:,} of them on a line where a rule had found "
            "something\n"
        )
    if len(statistics.by_file) > 1:
        for name, own in statistics.by_file.items():
            lines.append(
                f"{own.records:>8} records, {own.findings:,} findings, "
                f"{own.audio_seconds:,.1f} s of audio: {name}\n"
            )
    return lines


def _s(count: int) -> str:
    return "" if count == 1 else "s"
