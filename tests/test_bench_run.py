"""benchmarks/run.py: it says why it cannot run and exits 2 (no traceback) without the shared
peers, and the --jobs ceiling's side-by-side command keeps both lints' exit codes."""

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
