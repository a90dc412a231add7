"""The scale-out measures (``run.py --scale``): many captures, a gzip capture, a cluster.

- ``many``: the mixed capture cut into 2,000 sessions of a few lines, three copies: 6,000
  files, about 600 MB (``--many-files``, ``--many-copies`` to change). ``lint --jobs 1``,
  ``--jobs 2`` and ``--dask local`` (when dask is installed), whole processes, interleaved;
  ``--jobs 2`` against ``--jobs 1`` is shown (SPEC's ``--jobs`` bar is ``ceiling.py``'s).
- ``gz``: the first 100 MB of the mixed capture (``--gz-mb``), gzip-compressed (level 6).
  ``lint`` against ``zcat FILE > /dev/null``; the bar: lint in at most 0.6x zcat's time.

Every ratio is taken round by round (the two ran side by side), as in ``run.py``.
"""

from __future__ import annotations

import argparse
import gzip
import shutil
import subprocess
from pathlib import Path

import run
from run import Bar, Contender, Corpus, Setup, note

MANY, GZ = "many", "gz"
JOBS0, DASK, ZCAT = "jobs0", "dask", "zcat"


def add_arguments(add: object) -> None:
    """Add the scale options to run.py's parser (``add`` is its ``add_argument``)."""
    add_argument = add  # type: ignore[assignment]
    add_argument(
        "--scale",
        action="store_true",
        help="also run the scale-out measures: 6,000 captures (--jobs 1, 2, --dask local) "
        "and a 100 MB .jsonl.gz against zcat",
    )
    add_argument("--many-files", type=int, default=2000, metavar="N",
                 help="sessions the mixed capture is cut into (default 2000)")  # fmt: skip
    add_argument("--many-copies", type=int, default=3, metavar="N",
                 help="copies of those sessions (default 3: 6,000 files)")  # fmt: skip
    add_argument("--gz-mb", type=float, default=100.0, metavar="MB",
                 help="megabytes of mixed in the gzip capture (default 100)")  # fmt: skip


def make_many(mixed: Path, files: int, copies: int) -> Path:
    """Return a directory of ``files`` x ``copies`` captures cut from ``mixed`` (cached)."""
    folder = run.CACHE / f"many-{mixed.stem}-{files}x{copies}"
    done = folder / ".complete"
    if done.is_file():
        return folder
    note(f"making {folder} from {mixed} ...")
    shutil.rmtree(folder, ignore_errors=True)
    with mixed.open("rb") as source:  # counted, then read again: never held whole
        count = sum(1 for _ in source)
    for copy in range(copies):
        target = folder / f"copy{copy}"
        target.mkdir(parents=True)
        with mixed.open("rb") as source:
            for k in range(files):
                take = count * (k + 1) // files - count * k // files
                part = [source.readline() for _ in range(take)]
                (target / f"session-{k:05d}.jsonl").write_bytes(b"".join(part))
    done.write_text("")
    return folder


def make_gz(mixed: Path, megabytes: float) -> Path:
    """Return the first ``megabytes`` of ``mixed`` (whole lines), gzip-compressed (cached)."""
    path = run.CACHE / f"{mixed.stem}-{megabytes:g}mb.jsonl.gz"
    if path.is_file():
        return path
    note(f"making {path} from {mixed} ...")
    limit = int(megabytes * run.MB)
    partial = path.with_suffix(".partial")
    with mixed.open("rb") as source, gzip.open(partial, "wb", compresslevel=6) as target:
        written = 0
        for line in source:
            if written + len(line) > limit:
                break
            target.write(line)
            written += len(line)
    partial.replace(path)
    return path


def _describe_tree(name: str, folder: Path) -> Corpus:
    files = [p for p in folder.rglob("*.jsonl") if p.is_file()]
    lines = sum(p.read_bytes().count(b"\n") for p in files)  # also warms the page cache

    return Corpus(name, folder, sum(p.stat().st_size for p in files), lines, 0)


def _describe_gz(name: str, path: Path) -> Corpus:
    lines = 0
    with gzip.open(path, "rb") as f:
        while piece := f.read(1 << 18):  # small: children inherit this process's RSS peak
            lines += piece.count(b"\n")
    return Corpus(name, path, path.stat().st_size, lines, 0)


def _has_dask(python: str) -> bool:
    probe = "import dask, distributed"
    return subprocess.run([python, "-c", probe], capture_output=True, check=False).returncode == 0


def many_contenders(corpus: Corpus, setup: Setup) -> list[Contender]:
    """Return --jobs 1, --jobs 2, --jobs 0 and --dask local on the directory."""
    # the cache folder is git-ignored, and a walk respects .gitignore by default
    *command, path = run.lint_argv(setup.python, corpus.path)
    argv = (*command, "--no-respect-gitignore", path)
    err = setup.cli_error
    dask_error = err or ("" if _has_dask(setup.python) else "n/a: pip install '.[dask]'")
    with_option = argv[:-1]
    return [
        Contender(run.JOBS1, "lint --jobs 1", (*with_option, "--jobs", "1", argv[-1]), err),
        Contender(run.JOBS2, "lint --jobs 2", (*with_option, "--jobs", "2", argv[-1]), err),
        Contender(JOBS0, "lint --jobs 0 (all cores)", (*with_option, "--jobs", "0", argv[-1]), err),
        Contender(DASK, "lint --dask local", (*with_option, "--dask", "local", argv[-1]),
                  dask_error),
    ]  # fmt: skip


def gz_contenders(corpus: Corpus, setup: Setup) -> list[Contender]:
    """Return lint of the gzip capture and zcat inflating it."""
    zcat = shutil.which("zcat")
    return [
        Contender(run.OURS, "realtime-validator lint", run.lint_argv(setup.python, corpus.path),
                  setup.cli_error),
        Contender(ZCAT, "zcat FILE > /dev/null", (zcat or "zcat", str(corpus.path)),
                  "" if zcat else "n/a: zcat not found"),
    ]  # fmt: skip


def _ours(contender: Contender) -> bool:
    return contender.key in (run.JOBS1, run.JOBS2, JOBS0, DASK, run.OURS)


def print_table(corpus: Corpus, outcomes: dict[str, run.Outcome], repeat: int, base: str,
                markdown: bool) -> None:  # fmt: skip
    """Print one scale corpus's table: time, MB/s, and each contender against ``base``."""
    header = ["contender", "median s", "MB/s", f"vs {outcomes[base].contender.label}",
              "peak RSS MB", "spread"]  # fmt: skip
    rows = [header]
    for outcome in outcomes.values():
        if not outcome.ok or not outcome.times:
            rows.append([outcome.contender.label, outcome.status or "not run"])
            continue
        median = outcome.median
        spread = (max(outcome.times) - min(outcome.times)) / median * 50
        value = run.ratio(outcomes, base, outcome.contender.key)
        rows.append([
            outcome.contender.label, f"{median:.3f}", f"{corpus.size / run.MB / median:,.0f}",
            "-" if value is None else f"{value:.2f}x",
            f"{outcome.peak_rss_kib * 1024 / run.MB:,.0f}", f"±{spread:.0f}%",
        ])  # fmt: skip
    files = len(list(corpus.path.rglob("*.jsonl"))) if corpus.path.is_dir() else 1
    title = (
        f"{corpus.name}: {run.shown_path(corpus.path)}, {files:,} files, "
        f"{run.human_bytes(corpus.size)}, {corpus.lines:,} lines, median of {repeat} runs"
    )
    table = run.render_markdown(rows) if markdown else run.render_text(rows)
    print(f"\n### {title}\n\n{table}" if markdown else f"\n{title}\n{table}")


def bench(args: argparse.Namespace, setup: Setup, mixed: Path) -> list[Bar]:
    """Run the scale measures on corpora made from ``mixed``; print them; return the bars."""
    run.OURS_CLI = (*run.OURS_CLI, JOBS0, DASK)  # exit 1 for findings is a success
    many = _describe_tree(MANY, make_many(mixed, args.many_files, args.many_copies))
    outcomes = run.run_rounds(many_contenders(many, setup), args.repeat, MANY)
    print_table(many, outcomes, args.repeat, run.JOBS1, args.markdown)
    # information: SPEC's --jobs bar is the two-core ceiling's (ceiling.py)
    value = run.ratio(outcomes, run.JOBS1, run.JOBS2)
    text = f"{MANY}: lint --jobs 2 vs --jobs 1"
    missing = run.why_missing(outcomes, (run.JOBS1, run.JOBS2))
    bars = [Bar("info", f"{text}: {value:.2f}x") if value is not None
            else Bar("n/a", f"{text}: {missing}")]  # fmt: skip
    packed = _describe_gz(GZ, make_gz(mixed, args.gz_mb))
    outcomes = run.run_rounds(gz_contenders(packed, setup), args.repeat, GZ)
    print_table(packed, outcomes, args.repeat, ZCAT, args.markdown)
    value = run.ratio(outcomes, run.OURS, ZCAT)  # lint's time over zcat's
    text = f"{GZ}: lint of a {args.gz_mb:g} MB capture (.gz) vs zcat inflating it"
    if value is None:
        bars.append(Bar("n/a", f"{text}: {run.why_missing(outcomes, (run.OURS, ZCAT))}"))
    else:
        verdict = "PASS" if value <= 0.6 else "FAIL"
        bars.append(Bar(verdict, f"{text}: {value:.2f}x zcat's time (needs <= 0.6x)"))
    return bars
