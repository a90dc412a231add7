"""What the audio-signal rules (RT601-RT606) cost: whole processes, interleaved, as ratios.

    python benchmarks/signal.py CAPTURE [--rounds N] [--baseline PYTHON] [--jobs N] [--callgrind]

Runs ``realtime-validator lint --format jsonl CAPTURE`` as a whole process, with every rule
and with ``--ignore RT6`` (the same build without the rules), and with ``--baseline`` also the
command of another Python environment (a build from before the rules), in interleaved
rounds; prints each one's median wall and CPU time and the median of the per-round ratios.
``--jobs N`` adds both builds' runs with ``--jobs N`` (the parent replays what the workers
scanned: the rules' share of its work).
``--callgrind`` adds the instructions valgrind counts for ``lint()`` of the capture minus an
``import validator`` run (steadier than times on a shared machine), and for a one-event lint
(the start-up bar). Install the package the regular way first (compiled bytecode).
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ONE_EVENT = (
    '{"type":"input_audio_buffer.append","event_id":"evt_startup",'
    '"audio":"' + "AAAA" * 1600 + '"}\n'
)  # the start-up bar's event (benchmarks/run.py): 100 ms of silence


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # use the compiled bytecode
    env.pop("PYTHONPATH", None)
    return env


# every process runs from here: never from a checkout, whose ``validator/`` would be imported
# instead of the environment's
_CWD = tempfile.gettempdir()


def _lint(python: str, *args: str) -> list[str]:
    return [python, "-m", "validator", "lint", "-q", "--format", "jsonl", *args]


def _timed(command: list[str]) -> tuple[float, float]:
    """Return the wall and CPU seconds of one run of ``command``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, env=_env(), cwd=_CWD, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu


def rounds(commands: dict[str, list[str]], count: int) -> dict[str, list[tuple[float, float]]]:
    """Return the (wall, CPU) of each command in ``count`` interleaved rounds."""
    out: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(count):
        for name, command in commands.items():
            out[name].append(_timed(command))
    return out


def instructions(python: str, code: str) -> int:
    """Return the instructions valgrind's callgrind counts for ``python -c code``."""
    with tempfile.TemporaryDirectory() as folder:
        proc = subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                f"--callgrind-out-file={folder}/out",
                python,
                "-c",
                code,
            ],
            capture_output=True,
            text=True,
            env=_env(),
            cwd=_CWD,
            check=False,
        )
    found = re.search(r"Collected : (\d+)", proc.stderr)
    if found is None:
        raise SystemExit(f"valgrind gave no count: {proc.stderr[-500:]}")
    return int(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("capture")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--baseline", help="the python of an environment with another build")
    parser.add_argument("--jobs", type=int, help="also compare runs with --jobs N")
    parser.add_argument("--callgrind", action="store_true")
    args = parser.parse_args()
    python = sys.executable
    capture = str(Path(args.capture).resolve())
    commands = {
        "rules": _lint(python, capture),
        "no RT6": _lint(python, "--ignore", "RT6", capture),
    }
    if args.baseline:
        commands["baseline"] = _lint(args.baseline, capture)
    pairs = [("rules", other) for other in commands if other != "rules"]
    if args.jobs:
        jobs = ("--jobs", str(args.jobs))
        commands[f"jobs {args.jobs}"] = _lint(python, *jobs, capture)
        commands[f"jobs {args.jobs} no RT6"] = _lint(python, *jobs, "--ignore", "RT6", capture)
        pairs.append((f"jobs {args.jobs}", f"jobs {args.jobs} no RT6"))
    timed = rounds(commands, args.rounds)
    print(f"{args.capture}: {args.rounds} interleaved rounds, whole processes")
    for name, runs in timed.items():
        wall = statistics.median(w for w, _ in runs)
        cpu = statistics.median(c for _, c in runs)
        print(f"  {name:16s} wall {wall:.3f} s  cpu {cpu:.3f} s")
    for name, other in pairs:
        walls = [r[0] / o[0] for r, o in zip(timed[name], timed[other], strict=True)]
        cpus = [r[1] / o[1] for r, o in zip(timed[name], timed[other], strict=True)]
        print(
            f"  {name} / {other}: wall {statistics.median(walls):.3f}, "
            f"cpu {statistics.median(cpus):.3f} (medians of the per-round ratios)"
        )
    if not args.callgrind:
        return
    lint = "import validator,collections; collections.deque(validator.lint({!r}{}), maxlen=0)"
    pythons = {"rules": python} | ({"baseline": args.baseline} if args.baseline else {})
    print("callgrind instructions (lint minus import; one-event lint of the command)")
    with tempfile.TemporaryDirectory() as folder:
        one = Path(folder) / "one-event.jsonl"
        one.write_text(ONE_EVENT, encoding="ascii")
        for name, py in pythons.items():
            imported = instructions(py, "import validator")
            work = instructions(py, lint.format(capture, "")) - imported
            line = f"  {name:9s} work {work:,}"
            if name == "rules":
                off = instructions(py, lint.format(capture, ", ignore='RT6'")) - imported
                line += f"  (no RT6: {off:,}, ratio {work / off:.3f})"
            start = instructions(
                py,
                f"import sys; sys.argv=['v','lint','-q',{str(one)!r}]; "
                "from validator.cli.main import main; main()",
            )
            print(f"{line}  import {imported:,}  one-event lint {start:,}")


if __name__ == "__main__":
    main()
