"""The one-line summary of a run on standard error (records, appends, audio, bytes, time,
findings), and byte counts as people read them."""

from __future__ import annotations

from ..core.rules import RULES, Severity
from ..core.statistics import Statistics


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def summary(stats: Statistics) -> str:
    """Return the one-line summary: records, append events, audio, bytes, time, findings."""
    errors = sum(
        n for c, n in stats.findings_by_rule.items() if RULES[c].severity is Severity.ERROR
    )
    warnings = stats.findings - errors
    files = f" in {stats.files:,} files" if stats.files != 1 else ""
    # which rules they are, most first: 46 URL-safe appends read "46 RT301"
    by_rule = sorted(stats.findings_by_rule.items(), key=lambda item: (-item[1], item[0]))
    rules = ", ".join(f"{n:,} {code}" for code, n in by_rule if n)
    return (
        f"Checked {_count(stats.records, 'record')}{files}: "
        f"{_count(stats.append_events, 'append event')}, "
        f"{stats.audio_seconds:,.1f} s of audio, {human_bytes(stats.bytes)} in "
        f"{stats.seconds:.2f} s; {_count(stats.findings, 'finding')} "
        f"({_count(errors, 'error')}, {_count(warnings, 'warning')}"
        + (f"; {rules})" if rules else ")")
    )


def human_bytes(n: float) -> str:
    """Return a byte count the way people read it: "752 B", "120.2 kB", "2.0 GB"."""
    for unit in ("B", "kB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} GB"
