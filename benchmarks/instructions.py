#!/usr/bin/env python3
"""Count the instructions ``validator.lint()`` executes on each corpus, with callgrind.

    python benchmarks/instructions.py FILE [FILE...] [--runs N]

Each count is a whole process (``peers/lint_library.py FILE``: start-up, imports and the
lint) under ``valgrind --tool=callgrind``, minus the same process importing ``validator``
and linting nothing (printed too, as ``start-up``), so that what a change costs the lint
itself shows as a share of it. Instruction counts hardly move between runs (a few parts per
million: hash seeds), unlike times on a shared machine; ``--runs`` takes the median.
Needs valgrind. SPEC's bar: RT206 costs a log of appends nothing (within 1%).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
LINT = HERE / "peers" / "lint_library.py"
COLLECTED = re.compile(r"Collected\s*:\s*(\d+)")


def instructions(*args: str) -> int:
    """Return the instructions one Python process with ``args`` executes, under callgrind."""
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                f"--callgrind-out-file={tmp}/out",
                sys.executable,
                *args,
            ],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONHASHSEED": "0"},
            check=True,
        )
    found = COLLECTED.search(done.stderr)
    if found is None:
        raise SystemExit(f"no count from callgrind:\n{done.stderr[-2000:]}")
    return int(found.group(1))


def main() -> int:
    """Print the start-up's count, then each file's lint count without it."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        empty = Path(tmp) / "empty.jsonl"
        empty.write_bytes(b"")
        base = statistics.median(instructions(str(LINT), str(empty)) for _ in range(args.runs))
    print(f"start-up (an empty file)  {base:>15,.0f}")
    for path in args.files:
        total = statistics.median(instructions(str(LINT), str(path)) for _ in range(args.runs))
        print(f"{path.name:<25} {total - base:>15,.0f}  (whole process {total:,.0f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
