"""benchmarks/run.py: it says why it cannot run and exits 2 (no traceback) without the shared
peers, the --jobs ceiling's side-by-side command keeps both lints' exit codes, and its bar
reads the share of the ceiling the right way up."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent


def test_without_the_shared_peers_it_exits_2(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", "--peers", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert proc.returncode == 2
    assert "ref_envelope.py" in proc.stderr and "--peers DIR" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_side_by_side_exit_code() -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import ceiling
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    for first, second, code in ((0, 0, 0), (1, 0, 1), (0, 1, 1), (3, 1, 3), (1, 2, 2)):
        argv = ceiling.side_by_side(("sh", "-c", f"exit {first}"), ("sh", "-c", f"exit {second}"))
        assert subprocess.run(argv, check=False).returncode == code


def test_event_timing_measures_every_contender() -> None:
    script = str(ROOT / "benchmarks" / "event_timing.py")
    proc = subprocess.run(
        [sys.executable, script, "--rounds", "2", "--loops", "10"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    found = json.loads(proc.stdout)
    assert found["rounds"] == 2 and found["loops"] == 10
    assert len(found["us"]["validate_event"]) == 2
    assert all(value > 0 for values in found["us"].values() for value in values)


def test_the_ceiling_bar_is_the_share_of_the_ceilings_speed_up() -> None:
    """--jobs 1 in 0.30 s, the halves side by side in 0.16 s (1.88x), --jobs 2 in 0.21 s
    (1.43x): --jobs 2 reaches 76% of the ceiling's speed-up, a FAIL; and the other way round
    (--jobs 2 faster than the halves) is a PASS over 100%."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import ceiling
        import run
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))

    def outcomes(jobs1: float, jobs2: float, halves: float) -> dict[str, run.Outcome]:
        made = {}
        for key, seconds in ((run.JOBS1, jobs1), (run.JOBS2, jobs2), (ceiling.HALVES, halves)):
            made[key] = run.Outcome(run.Contender(key, key, ()), [seconds] * 3)
        return made

    slow = ceiling.judge("jsonl", outcomes(0.30, 0.21, 0.16))
    assert slow.verdict == "FAIL" and "76% of it" in slow.text, slow
    fast = ceiling.judge("jsonl", outcomes(0.30, 0.15, 0.16))
    assert fast.verdict == "PASS" and "107% of it" in fast.text, fast
