#!/usr/bin/env python3
"""Count the instructions ``validator.lint()`` executes on each corpus, with callgrind.

    python benchmarks/instructions.py FILE [FILE...] [--runs N]
    python benchmarks/instructions.py --build 58497eb --build main --build . --rich FILE...

Each count is a whole process (``peers/lint_library.py FILE``: start-up, imports and the
lint) under ``valgrind --tool=callgrind``, minus the same process linting an empty file
(printed too, as ``start-up``), so that what a change costs the lint itself shows as a share
of it. Instruction counts hardly move between runs (a few parts per million: hash seeds),
unlike times on a shared machine; ``--runs`` takes the median. Needs valgrind.

``--build REF`` (repeatable) measures a git revision of this repository instead of the
installed package, ``.`` the working tree as it is: each is installed the regular way
(``pip install --no-deps --no-build-isolation --target``, so that its bytecode is compiled
and ``setup.py``'s build step runs) into ``benchmarks/.data/builds``, once per commit or
state of the working tree, and put first on ``PYTHONPATH``; the table then has a column per
build and its change against the first. Its
rows: ``import validator``, the start-up, a lint of one append and of one GA
``session.update`` (whole processes), then each file's lint without the start-up.
``--rich`` adds the capture of ``rich_corpus.py`` (2,000 turns, 15 MB), written once into
the cache. ``--ignore RULES`` is passed to ``lint()`` (``RT6``: the audio-signal rules, to
compare against builds older than them; ``RT6,RT206``: what RT206 itself costs); repeated,
each build gets a column per rule set.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
LINT = HERE / "peers" / "lint_library.py"
COLLECTED = re.compile(r"Collected\s*:\s*(\d+)")
CACHE = HERE / ".data" / "builds"


def instructions(*args: str, site: Path | None = None, cwd: Path | None = None) -> int:
    """Return the instructions one Python process with ``args`` executes, under callgrind."""
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    if site is not None:
        env["PYTHONPATH"] = str(site)
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
            env=env,
            cwd=cwd or tmp,  # never the checkout: `python -c` imports from its folder
            check=True,
        )
    found = COLLECTED.search(done.stderr)
    if found is None:
        raise SystemExit(f"no count from callgrind:\n{done.stderr[-2000:]}")
    return int(found.group(1))


def _git(*args: str) -> bytes:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, check=True).stdout


def build(ref: str) -> Path:
    """Return the folder where ``ref`` (a revision, or ``.``: the working tree) is installed
    non-editable, installing it first where it is not."""
    if ref == ".":
        files = _git("ls-files", "-co", "--exclude-standard", "-z").split(b"\0")
        archive = BytesIO()
        with tarfile.open(fileobj=archive, mode="w") as tar:
            for name in filter(None, files):
                path = ROOT / name.decode()
                if path.is_file() and not name.startswith((b"tests/", b"fixtures/")):
                    tar.add(path, arcname=name.decode())
        data = archive.getvalue()
        key = "worktree-" + hashlib.sha256(data).hexdigest()[:12]  # its files' state
    else:
        key = _git("rev-parse", "--short=12", ref + "^{commit}").decode().strip()
        data = b""
    target = CACHE / key
    if (target / "site" / "validator").is_dir():
        return target / "site"
    shutil.rmtree(target, ignore_errors=True)
    (target / "src").mkdir(parents=True)
    if not data:
        data = _git("archive", "--format=tar", key)
    with tarfile.open(fileobj=BytesIO(data)) as tar:
        tar.extractall(target / "src", filter="data")
    subprocess.run(
        [
            sys.executable,
            *["-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", "--target"],
            str(target / "site"),
            str(target / "src"),
        ],
        check=True,
    )
    return target / "site"


def _small_files(folder: Path) -> tuple[Path, Path, Path]:
    """Write an empty file, one append and one GA session.update (from rich_corpus.py)."""
    sys.path.insert(0, str(HERE))
    import rich_corpus

    lines = list(rich_corpus.lines(2))
    update = next(line for line in lines if '"session.update"' in line)
    append = next(line for line in lines if '"input_audio_buffer.append"' in line)
    files = (folder / "empty.jsonl", folder / "one_append.jsonl", folder / "one_update.jsonl")
    for path, text in zip(files, ("", append + "\n", update + "\n"), strict=True):
        path.write_text(text, encoding="utf-8")
    return files


def _rich(folder: Path) -> Path:
    path = folder / "rich.jsonl"
    if not path.is_file():
        subprocess.run([sys.executable, str(HERE / "rich_corpus.py"), str(path)], check=True)
    return path


def _change(new: float, old: float) -> str:
    return f"{(new - old) / old * 100:+.1f}%" if old else "n/a"


def compare(refs: list[str], files: list[Path], runs: int, ignores: list[str]) -> None:
    """Print a Markdown table: each row's count for each build (and each rule set ignored,
    where several are given), and its change against the first column."""
    CACHE.mkdir(parents=True, exist_ok=True)
    sites = {ref: build(ref) for ref in refs}
    empty, append, update = _small_files(CACHE)
    columns = [(ref, ignore) for ref in refs for ignore in ignores or [""]]
    names = [f"{ref} --ignore {ignore}" if len(ignores) > 1 else ref for ref, ignore in columns]
    table: dict[str, dict[str, float]] = {}

    def count(ref: str, ignore: str, *args: str) -> float:
        extra = [ignore] if ignore else []
        return statistics.median(instructions(*args, *extra, site=sites[ref]) for _ in range(runs))

    for (ref, ignore), name in zip(columns, names, strict=True):
        row = table.setdefault("import validator", {})
        row[name] = statistics.median(
            instructions("-c", "import validator", site=sites[ref]) for _ in range(runs)
        )
        base = count(ref, ignore, str(LINT), str(empty))
        table.setdefault("start-up (lint of an empty file)", {})[name] = base
        table.setdefault("lint of one append (whole process)", {})[name] = count(
            ref, ignore, str(LINT), str(append)
        )
        table.setdefault("lint of one GA session.update (whole process)", {})[name] = count(
            ref, ignore, str(LINT), str(update)
        )
        for path in files:
            work = count(ref, ignore, str(LINT), str(path)) - base
            table.setdefault(f"`{path.name}` ({path.stat().st_size / 1e6:.1f} MB)", {})[name] = work
        print(f"measured {name}: {json.dumps({k: v[name] for k, v in table.items()})}", flush=True)
    head = "| instructions |" + "".join(f" `{n}` |" for n in names)
    head += "".join(f" `{n}` vs `{names[0]}` |" for n in names[1:])
    print("\n" + head)
    print("|---|" + "---:|" * (2 * len(names) - 1))
    for label, row in table.items():
        cells = "".join(f" {row[n] / 1e6:,.1f} M |" for n in names)
        cells += "".join(f" {_change(row[n], row[names[0]])} |" for n in names[1:])
        print(f"| {label} |{cells}")


def main() -> int:
    """Print the start-up's count, then each file's lint count without it (or, with
    ``--build``, the table comparing the builds)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--build", action="append", default=[], metavar="REF")
    parser.add_argument("--rich", action="store_true", help="add rich_corpus.py's capture")
    parser.add_argument(
        "--ignore",
        action="append",
        default=[],
        help="rules for lint() to ignore (RT6: audio-signal; RT6,RT206); repeated: a column each",
    )
    args = parser.parse_args()
    files = list(args.files)
    if args.rich:
        CACHE.mkdir(parents=True, exist_ok=True)
        files.append(_rich(CACHE))
    if args.build:
        compare(args.build, files, args.runs, args.ignore)
        return 0
    extra = args.ignore[-1:]
    with tempfile.TemporaryDirectory() as tmp:
        empty = Path(tmp) / "empty.jsonl"
        empty.write_bytes(b"")
        base = statistics.median(
            instructions(str(LINT), str(empty), *extra) for _ in range(args.runs)
        )
    print(f"start-up (an empty file)  {base:>15,.0f}")
    for path in files:
        total = statistics.median(
            instructions(str(LINT), str(path), *extra) for _ in range(args.runs)
        )
        print(f"{path.name:<25} {total - base:>15,.0f}  (whole process {total:,.0f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
