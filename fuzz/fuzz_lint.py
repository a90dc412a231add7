"""Coverage-guided fuzzing of validate_event() and lint() with atheris (outside CI).

Each input is fed to ``validate_event`` (as bytes, and as text holding lone surrogates) and
to ``lint`` (as a nameless stream, the reader chosen by content, and as JSONL records on both
roads). Any exception is a finding; so is a record that is not accounted for, or a fast road
that disagrees with the slow one. See fuzz/README.md for how to run it.
"""

from __future__ import annotations

import io
import sys
from typing import Any

import atheris  # type: ignore[import-untyped]

with atheris.instrument_imports():
    import validator
    from validator.core.record import DEFAULT_MAX_RECORD_BYTES, Record
    from validator.core.rules import RULES
    from validator.core.statistics import Statistics
    from validator.engine.linting import lint_records
    from validator.engine.options import Options
    from validator.sources.jsonl import read_jsonl

GZIP_MAGIC = b"\x1f\x8b"
BOM = b"\xef\xbb\xbf"


def _roads(records: list[Record], fast: bool) -> tuple[list[Any], dict[str, Any]]:
    stats = Statistics()
    found = [
        (v.rule, v.message, v.line, v.column, v.pointer, v.event_id, v.event_type)
        for v in lint_records(records, Options(fast=fast), stats, "x")
    ]
    out = stats.to_dict()
    out.pop("seconds")
    return found, out


def _lines(data: bytes) -> tuple[int, set[int]]:
    """Return the number of lines and the numbers of those that are records (not blank)."""
    lines = data.split(b"\n")
    if data.endswith(b"\n") or not data:
        lines.pop()
    records = set()
    for number, line in enumerate(lines, 1):
        body = line[len(BOM) :] if number == 1 and line.startswith(BOM) else line
        if body.strip():
            records.add(number)
    return len(lines), records


def check_input(data: bytes) -> None:
    """Check one input; raise on any broken promise."""
    for event in (data, data.decode("utf-8", "surrogateescape")):
        for v in validator.validate_event(event):
            assert v.rule in RULES, v

    result = validator.lint(io.BytesIO(data))
    try:
        found = list(result)
    except (OSError, EOFError):
        if not data.startswith(GZIP_MAGIC):
            raise
        return  # a corrupt gzip stream is an unreadable input (exit 2), not a crash
    assert result.statistics.findings == len(found)
    assert result.statistics.records_with_findings <= result.statistics.records

    if data.startswith(GZIP_MAGIC):
        return
    records = list(read_jsonl(io.BytesIO(data), DEFAULT_MAX_RECORD_BYTES))
    fast = _roads(records, True)
    slow = _roads(records, False)
    assert fast == slow, (fast, slow)
    findings, stats = fast
    lines, record_lines = _lines(data)
    with_findings = {f[2] for f in findings}
    assert with_findings <= record_lines, (with_findings, record_lines)
    assert stats["records"] == len(record_lines), stats
    assert stats["records"] + stats["blank_lines"] == lines, stats
    assert stats["records_with_findings"] == len(with_findings), stats


def main() -> None:
    """Run the fuzzer with libFuzzer's command line (corpus directories, -max_total_time=...)."""
    atheris.Setup(sys.argv, check_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
