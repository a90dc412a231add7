"""The one-line summary of a run on standard error (records, appends, audio, bytes, time,
findings), and byte counts and durations as people read them."""

from __future__ import annotations

from ..core.rules import RULES, Severity
from ..core.statistics import Statistics
from ..core.violation import printable


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def summary(stats: Statistics) -> str:
    """Return the one-line summary: records, append events, audio, bytes, time, findings."""
    errors = stats.escalated + sum(
        n for c, n in stats.findings_by_rule.items() if RULES[c].severity is Severity.ERROR
    )
    warnings = stats.findings - errors
    files = f" in {stats.files:,} files" if stats.files != 1 else ""
    # which rules they are, most first: 46 URL-safe appends read "46 RT301"
    by_rule = sorted(stats.findings_by_rule.items(), key=lambda item: (-item[1], item[0]))
    rules = ", ".join(f"{n:,} {code}" for code, n in by_rule if n)
    return (
        f"Checked {_count(stats.records, 'record')}{files}: "
        f"{_count(stats.append_events, 'append event')}, {audio(stats)}, "
        f"{human_bytes(stats.bytes)} in "
        f"{stats.seconds:.2f} s; {_count(stats.findings, 'finding')} "
        f"({_count(errors, 'error')}, {_count(warnings, 'warning')}"
        + (f"; {rules})" if rules else ")")
    )


def audio(stats: Statistics) -> str:
    """Return the audio the server accepted, and apart what it rejected: "1.0 s of audio
    (and 300 ms rejected)"; an append with an error finding adds nothing to its buffer."""
    said = f"{duration(stats.audio_seconds)} of audio"
    if stats.rejected_audio_bytes:
        said += f" (and {duration(stats.rejected_audio_seconds)} rejected)"
    return said


def duration(seconds: float) -> str:
    """Return a duration with the precision that fits: "1.7 s", "40 ms", "2.5 ms"."""
    if seconds >= 0.9995:
        return f"{seconds:,.1f} s"
    ms = seconds * 1000
    if ms >= 9.95:
        return f"{ms:.0f} ms"
    if ms >= 0.05 or ms == 0:
        return f"{ms:.1f} ms".replace("0.0 ms", "0 ms")
    return "<0.1 ms"


def human_bytes(n: float) -> str:
    """Return a byte count the way people read it: "752 B", "120.2 kB", "2.0 GB"."""
    for unit in ("B", "kB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} GB"


def wrapped_hints(stats: Statistics) -> list[str]:
    """Return the hint to ``--event-pointer`` for a run whose inputs hold their events under
    a key (``Statistics.wrapped_pointer``, judged input by input): one line a pointer, once
    in a run, since the option is the run's; naming the inputs where only some of them are."""
    inputs = stats.by_file or {"": stats}
    where: dict[str, list[str]] = {}
    for name, own in inputs.items():
        pointer = own.wrapped_pointer()
        if pointer is not None:
            where.setdefault(pointer, []).append(name)
    hints = []
    for pointer, names in where.items():
        some = ""
        if len(names) < len(inputs):
            shown = ", ".join(printable(name) for name in names[:3])
            some = f" in {shown}" + (f" and {len(names) - 3:,} more" if len(names) > 3 else "")
        hints.append(f"events seem to be under {pointer}{some}: use --event-pointer {pointer}")
    return hints
