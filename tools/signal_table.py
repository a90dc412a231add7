"""Print the audio-signal rules' detections and false alarms over every generated case.

    python tools/signal_table.py           # the table of cases (Markdown)
    python tools/signal_table.py --stats   # and what each case measures, window by window

Each case of ``tests/signal_cases.py`` is made from espeak-ng speech by sox, written as the
capture a client leaves (the proxy's timed records for a case with a pace) and linted by the
installed ``realtime-validator`` command; "line" is where each finding is placed. ``--stats``
adds the statistics the decisions rest on, summed over every window of the case (not only the
sampled ones): the lag-1 correlation of each reading, lag 2 of the little-endian one, the
stereo asymmetry and imbalance, and the share of samples on flat full-scale tops.

docs/audio-rules.md holds the table; ``tests/test_signal_cli.py`` holds it to what the command
finds.
"""

from __future__ import annotations

import math
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import signal_cases as cases

from validator.engine.measures import ShapeSums


def verdict(expected: frozenset[str], found: frozenset[str]) -> str:
    """Return how a case went: detected, missed, false alarm, or clean."""
    if found - expected:
        return "FALSE ALARM"
    if expected - found:
        return "missed"
    return "detected" if expected else "clean"


def table(speech: Path, directory: Path) -> tuple[list[str], dict[str, int]]:
    """Return the table's lines and the totals by verdict, from the installed command."""
    lines = [
        "| case | format | chunk | timed | expected | found | verdict | line | note |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    totals: dict[str, int] = {}
    audio = {case.name: cases.build(case, speech, directory) for case in cases.CASES}
    paths = {
        case.name: cases.write_capture(case, audio[case.name], directory) for case in cases.CASES
    }
    found: dict[str, list[dict[str, object]]] = {}
    for timed in (False, True):
        group = [paths[c.name] for c in cases.CASES if bool(c.pace) is timed]
        found.update(cases.lint_captures(group, timed))
    for case in cases.CASES:
        findings = [f for f in found[case.name] if str(f["rule"]).startswith("RT6")]
        codes = frozenset(str(f["rule"]) for f in findings)
        result = verdict(case.expected, codes)
        totals[result] = totals.get(result, 0) + 1
        said = ", ".join(f"{f['rule']} {f['severity']}" for f in findings) or "-"
        where = ", ".join(str(f["line"]) for f in findings) or "-"
        chunk = case.chunk if isinstance(case.chunk, int) else "mixed"
        lines.append(
            f"| {case.name} | {case.audio_format} | {chunk} | {'yes' if case.pace else '-'} | "
            f"{', '.join(sorted(case.expected)) or '-'} | {said} | {result} | {where} | "
            f"{case.note} |"
        )
    return lines, totals


def stats(speech: Path, directory: Path) -> list[str]:
    """Return a table of what each case measures over all of its windows."""
    lines = [
        "| case | le r1 | le r2 | be r1 | mu r1 | A r1 | asym | imbal | flat tops |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for case in cases.CASES:
        data = cases.build(case, speech, directory)
        summed = ShapeSums()
        for piece in cases.chunks(data, case.chunk):
            shape = cases.signal.shape(piece, case.audio_format)
            if shape is not None and shape.le.energy >= 100.0**2 * shape.le.samples:
                summed.add(shape)
            summed.add_rails(*cases.signal.rail_runs(piece, case.audio_format))
        r = summed.r
        between = summed.le[1] - summed.pair
        asym = math.log((summed.pair + 1) / (between + 1))
        imbalance = math.log((summed.even + 1) / (summed.odd + 1))
        share = summed.rails / summed.rail_samples if summed.rail_samples else 0.0
        laws = summed.laws
        lines.append(
            f"| {case.name} | {r(summed.le):.2f} | {r(summed.le, 2):.2f} | {r(summed.be):.2f} | "
            f"{r(laws['g711_ulaw']):.2f} | {r(laws['g711_alaw']):.2f} | {asym:.2f} | "
            f"{imbalance:.2f} | {share:.2%} |"
        )
    return lines


def main(argv: list[str]) -> int:
    missing = cases.tools_missing()
    if missing:
        print(f"needs {', '.join(missing)}: apt-get install -y espeak-ng sox libsox-fmt-all")
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        speech = cases.make_speech(directory)
        lines, totals = table(speech, directory)
        print("\n".join(lines))
        bad = sum(1 for c in cases.CASES if c.expected)
        print(
            f"\n{totals.get('detected', 0)} of {bad} faulty cases detected, "
            f"{totals.get('missed', 0)} missed; {totals.get('FALSE ALARM', 0)} false alarms "
            f"({totals.get('clean', 0)} of {len(cases.CASES) - bad} sound cases clean)"
        )
        if "--stats" in argv:
            print("\n" + "\n".join(stats(speech, directory)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
