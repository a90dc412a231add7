#!/usr/bin/env python3
"""Benchmark realtime-validator against reference peers: whole processes, interleaved.

Every contender is a separate process run on the same file; the contenders take turns
(A B C ... A B C ...) --repeat times and the median wall time of each is reported, with
ratios against the peers and each process's peak RSS. Then the --jobs ceiling (ceiling.py),
validate_event against the openai SDK (event_timing.py) and the start-up are measured, and
every bar of SPEC.md is printed with PASS or FAIL. By default realtime-validator is first
installed from this checkout into a temporary folder, the regular way, its bytecode compiled,
and that copy is what runs. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
OWN_PEERS = HERE / "peers"
SHARED_BENCH = REPO.parent / "shared" / "bench"
CACHE = HERE / ".data"

CORPORA = ("mixed", "small", "big", "findings")
GENERATED = ("mixed", "small", "big")  # made by the shared generator; findings from mixed
DEFAULT_MIXED_MB = 200.0
GENERATOR_SIZES = {"small": ("--small-mb", "20"), "big": ("--big-count", "20")}
MB = 1_000_000  # every "MB" printed is 10**6 bytes
SPEC_MIXED_BYTES = int(0.95 * DEFAULT_MIXED_MB * MB)
JOBS_MIN_BYTES = 64 * 2**20  # --jobs is meant for inputs over 64 MB
TRACEBACK = "Traceback (most recent call last)"
NOT_AVAILABLE = 4  # a peer exiting 4 with "n/a: ..." on stderr is skipped, not failed
STDERR_KEEP = 16_384

# Contender keys; the bars look contenders up by these.
OURS, JOBS1, JOBS2, LIB = "ours", "jobs1", "jobs2", "lib"
NAIVE, FASTJSONSCHEMA, OPENAI, TUNED = "naive", "fastjsonschema", "openai", "tuned"
ENVELOPE, FLOOR_BLOCK = "envelope", "floor_block"
FLOOR_READ, FLOOR_B64 = "floor_read", "floor_b64"
SHARED_PEERS = ("ref_naive.py", "ref_tuned.py", "ref_envelope.py", "floor_block.py")
SCRIPTS: Path | None = None  # where the installed copy's console script is, when built here
OURS_CLI = (OURS, JOBS1, JOBS2)

ONE_EVENT = (
    '{"type":"input_audio_buffer.append","event_id":"evt_startup",'
    '"audio":"' + "AAAA" * 1600 + '"}\n'
)  # 100 ms of pcm16 silence

PROBE_VERSIONS = """
import importlib.metadata as md
for dist in ("realtime-validator", "msgspec", "pybase64", "jsonschema", "fastjsonschema",
             "openai", "pydantic", "numpy"):
    try:
        print(f"{dist} {md.version(dist)}")
    except md.PackageNotFoundError:
        print(f"{dist} -")
try:
    import pybase64
    print("pybase64-simd", pybase64.get_version())
except ImportError:
    print("pybase64-simd", "pybase64 not installed")
"""

NO_MAIN = 5
PROBE_VALIDATOR = f"""
import importlib.util, sys
import validator
sys.exit(0 if importlib.util.find_spec("validator.__main__") else {NO_MAIN})
"""


class SetupError(Exception):
    """The benchmark cannot run: no corpora, or they could not be generated."""


# --- command line ------------------------------------------------------------------------


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _non_negative_int(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be more than 0")
    return value


def _corpus_list(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = sorted(set(names) - set(CORPORA))
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"choose from {','.join(CORPORA)} (got {text!r})")
    return list(dict.fromkeys(names))


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Return the parsed command line."""
    parser = argparse.ArgumentParser(
        prog="python benchmarks/run.py",
        description=(__doc__ or "").split("\n\n")[0],
    )
    add = parser.add_argument
    add(
        "--data",
        type=Path,
        metavar="DIR",
        help="read pre-made corpora (mixed.jsonl, small.jsonl, big.jsonl) from DIR "
        "instead of generating them into benchmarks/.data/ (findings is made from mixed)",
    )
    add(
        "--corpora",
        type=_corpus_list,
        default=list(CORPORA),
        metavar="LIST",
        help="comma-separated corpora to run (default: mixed,small,big,findings)",
    )
    add(
        "--repeat",
        type=_positive_int,
        default=5,
        metavar="N",
        help="interleaved rounds per corpus; the median is reported (default: 5)",
    )
    add(
        "--mixed-mb",
        type=_positive_float,
        default=DEFAULT_MIXED_MB,
        metavar="MB",
        help="size of the generated mixed capture (default: 200; ignored with --data)",
    )
    add(
        "--jobs-check",
        action="store_true",
        help="also run realtime-validator with --jobs 1 and --jobs 2 on inputs over 64 MB",
    )
    add("--markdown", action="store_true", help="print the results as Markdown")
    add(
        "--generator",
        type=Path,
        default=SHARED_BENCH / "make_corpus.py",
        metavar="PATH",
        help="corpus generator (default: <repo>/../shared/bench/make_corpus.py)",
    )
    add(
        "--peers",
        type=Path,
        default=SHARED_BENCH,
        metavar="DIR",
        help="folder holding ref_naive.py and ref_tuned.py (default: <repo>/../shared/bench)",
    )
    add(
        "--startup-runs",
        type=_non_negative_int,
        default=15,
        metavar="N",
        help="interleaved runs for the start-up bar; 0 skips it (default: 15)",
    )
    add("--regenerate", action="store_true", help="regenerate cached corpora")
    add(
        "--quick",
        action="store_true",
        help="a quick check with small inputs: mixed 20 MB and small only, 3 rounds, a tree "
        "of 600 captures, a 100 MB JSONL for --jobs, fewer start-up and validate_event rounds",
    )
    add(
        "--in-place",
        action="store_true",
        help="run the realtime-validator installed in this environment instead of building "
        "a regular install of this checkout into a temporary folder",
    )
    add(
        "--tree-files",
        type=_positive_int,
        default=6000,
        metavar="N",
        help="captures in the --jobs ceiling's tree (default: 6000)",
    )
    add(
        "--jobs-mb",
        type=_positive_float,
        default=1000.0,
        metavar="MB",
        help="size of the mixed capture for the --jobs ceiling on one JSONL (default: 1000)",
    )
    add("--no-ceiling", action="store_true", help="skip the --jobs ceiling measures")
    add(
        "--event-rounds",
        type=_non_negative_int,
        default=200,
        metavar="N",
        help="rounds of 2,000 calls for the validate_event bar; 0 skips it (default: 200)",
    )
    import scale  # the scale-out measures' own options

    scale.add_arguments(add)
    args = parser.parse_args(argv)
    if args.quick:
        for name, default, quick in (
            ("mixed_mb", DEFAULT_MIXED_MB, 20.0),
            ("corpora", list(CORPORA), ["mixed", "small"]),
            ("repeat", 5, 3),
            ("startup_runs", 15, 7),
            ("tree_files", 6000, 600),
            ("jobs_mb", 1000.0, 100.0),
            ("event_rounds", 200, 50),
        ):
            if getattr(args, name) == default:
                setattr(args, name, quick)
    return args


def note(message: str) -> None:
    """Print progress on stderr, so stdout holds only the report."""
    print(message, file=sys.stderr, flush=True)


# --- corpora -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Corpus:
    """One benchmark input and the facts the report needs about it."""

    name: str
    path: Path
    size: int
    lines: int
    longest: int  # bytes in the longest line, without its newline


def cache_path(name: str, mixed_mb: float) -> Path:
    """Return where the generated corpus `name` is cached."""
    if name in ("mixed", "findings") and mixed_mb != DEFAULT_MIXED_MB:
        return CACHE / f"{name}-{mixed_mb:g}mb.jsonl"
    return CACHE / f"{name}.jsonl"


APPEND_LINE = b'"type":"input_audio_buffer.append"'
URL_SAFE = bytes.maketrans(b"+/", b"-_")


def derive_findings(mixed: Path, out: Path) -> None:
    """Write the mixed capture with every append's base64 made URL-safe ('-' and '_').

    A client bug seen in the wild, and the worst case for a linter: every append is a
    finding (RT301), so every one takes the slow road, is parsed, checked and located.
    """
    note(f"making {out} from {mixed} ...")
    partial = out.with_suffix(".partial")
    with mixed.open("rb") as source, partial.open("wb") as target:
        for line in source:
            target.write(line.translate(URL_SAFE) if APPEND_LINE in line else line)
    partial.replace(out)


def generator_argv(generator: Path, out: Path, names: Iterable[str], mixed_mb: float) -> list[str]:
    """Return the generator's command line, shrinking the corpora that are not wanted to nothing."""
    wanted = set(names)
    argv = [sys.executable, str(generator), "--out", str(out)]
    argv += ["--mixed-mb", f"{mixed_mb:g}" if "mixed" in wanted else "0"]
    for name, (option, default) in GENERATOR_SIZES.items():
        argv += [option, default if name in wanted else "0"]
    return argv


def generate(generator: Path, names: list[str], mixed_mb: float) -> None:
    """Run the generator once and move the wanted corpora into the cache."""
    if not generator.is_file():
        raise SetupError(
            f"the corpus generator is not at {generator}; it only exists in a development "
            "checkout. Pass --data DIR with pre-made corpora (mixed.jsonl, small.jsonl, "
            "big.jsonl), or --generator PATH to make_corpus.py."
        )
    CACHE.mkdir(parents=True, exist_ok=True)
    out = Path(tempfile.mkdtemp(prefix="generating-", dir=CACHE))
    try:
        note(f"generating {', '.join(names)} into {CACHE} with {generator} ...")
        proc = subprocess.run(
            generator_argv(generator, out, names, mixed_mb), stdout=sys.stderr, check=False
        )
        if proc.returncode != 0:
            raise SetupError(
                f"{generator} failed with exit {proc.returncode} (it needs numpy: "
                "pip install -r benchmarks/requirements.txt)"
            )
        for name in names:
            (out / f"{name}.jsonl").replace(cache_path(name, mixed_mb))
    finally:
        shutil.rmtree(out, ignore_errors=True)


def scan_lines(path: Path) -> tuple[int, int]:
    """Return the file's line count and its longest line in bytes (this also warms the cache)."""
    lines = longest = current = 0
    with path.open("rb") as f:
        while chunk := f.read(1 << 18):  # small: children inherit our RSS peak
            start = 0
            while (end := chunk.find(b"\n", start)) >= 0:
                longest = max(longest, current + end - start)
                current, lines, start = 0, lines + 1, end + 1
            current += len(chunk) - start
    if current:
        lines, longest = lines + 1, max(longest, current)
    return lines, longest


def describe(name: str, path: Path) -> Corpus:
    """Return the corpus at path with its size and line facts."""
    lines, longest = scan_lines(path)
    return Corpus(name, path, path.stat().st_size, lines, longest)


def prepare_corpora(args: argparse.Namespace) -> list[Corpus]:
    """Return the corpora to run: read from --data, or generated once into the cache."""
    if args.data is not None:
        if args.mixed_mb != DEFAULT_MIXED_MB:
            note("--mixed-mb is ignored with --data")
        return read_data_dir(args.data, args.corpora)
    paths = {name: cache_path(name, args.mixed_mb) for name in args.corpora}
    missing = [n for n, p in paths.items() if args.regenerate or not p.is_file()]
    mixed = cache_path("mixed", args.mixed_mb)
    wanted = [n for n in missing if n in GENERATED]
    if "findings" in missing and "mixed" not in wanted and (args.regenerate or not mixed.is_file()):
        wanted.append("mixed")
    if wanted:
        generate(args.generator, wanted, args.mixed_mb)
    if "findings" in missing:
        derive_findings(mixed, paths["findings"])
    return [describe(name, path) for name, path in paths.items()]


def read_data_dir(data: Path, names: list[str]) -> list[Corpus]:
    """Return the corpora found in data, skipping (with a note) those that are absent."""
    if not data.is_dir():
        raise SetupError(f"--data {data}: no such directory")
    corpora = []
    for name in names:
        path = data / f"{name}.jsonl"
        if name == "findings" and not path.is_file() and (data / "mixed.jsonl").is_file():
            CACHE.mkdir(parents=True, exist_ok=True)
            path = CACHE / "findings-from-data.jsonl"
            derive_findings(data / "mixed.jsonl", path)
        if path.is_file():
            corpora.append(describe(name, path))
        else:
            note(f"skipping {name}: {path} not found")
    if not corpora:
        raise SetupError(f"--data {data}: none of {', '.join(n + '.jsonl' for n in names)}")
    return corpora


# --- contenders --------------------------------------------------------------------------


@dataclass(frozen=True)
class Contender:
    """One whole-process command run on a corpus."""

    key: str
    label: str
    argv: tuple[str, ...]
    unavailable: str = ""  # why it is not run: "n/a: ..." or "error: ..."

    @property
    def ours(self) -> bool:
        """Whether this is realtime-validator's CLI, which exits 1 when it has findings."""
        return self.key in OURS_CLI


@dataclass(frozen=True)
class Setup:
    """What the contenders need, found once per run."""

    python: str
    peers: Path
    import_error: str  # "" when `import validator` works
    cli_error: str  # "" when `python -m validator` can run


def make_setup(python: str, peers: Path) -> Setup:
    """Return the setup, with why the validator contenders cannot run ("" when they can)."""
    proc = subprocess.run(
        [python, "-c", PROBE_VALIDATOR], capture_output=True, text=True, check=False
    )
    if proc.returncode == 0:
        return Setup(python, peers, "", "")
    if proc.returncode == NO_MAIN:
        cli_error = "error: validator has no __main__, so `python -m validator` cannot run"
        return Setup(python, peers, "", cli_error)
    last = (proc.stderr.strip().splitlines() or ["import failed"])[-1]
    error = f"error: validator is not importable ({last})"
    return Setup(python, peers, error, error)


def lint_argv(python: str, path: Path, jobs: int | None = None) -> tuple[str, ...]:
    """Return `realtime-validator lint --format jsonl PATH`: the console script installed
    beside this interpreter, as users run it (else `python -m validator`)."""
    jobs_option = ("--jobs", str(jobs)) if jobs else ()
    script = (SCRIPTS or Path(python).parent) / "realtime-validator"
    command = (str(script),) if script.is_file() else (python, "-m", "validator")
    return (*command, "lint", "--format", "jsonl", *jobs_option, str(path))


def script(
    key: str, label: str, setup: Setup, path: Path, file: Path, unavailable: str = ""
) -> Contender:
    """Return a contender that runs a Python script on path."""
    if not unavailable and not file.is_file():
        unavailable = f"n/a: {file.name} not found in {file.parent} (pass --peers DIR)"
    return Contender(key, label, (setup.python, str(file), str(path)), unavailable)


def contenders_for(corpus: Corpus, setup: Setup, jobs_check: bool) -> list[Contender]:
    """Return the contenders for one corpus, in the order they take turns."""
    path, err = corpus.path, setup.cli_error
    ours = [Contender(OURS, "realtime-validator lint", lint_argv(setup.python, path), err)]
    if jobs_check and corpus.size > JOBS_MIN_BYTES:
        ours += [
            Contender(
                key, f"realtime-validator lint --jobs {n}", lint_argv(setup.python, path, n), err
            )
            for key, n in ((JOBS1, 1), (JOBS2, 2))
        ]
    return [
        *ours,
        script(
            LIB, "lint() in-process", setup, path, OWN_PEERS / "lint_library.py", setup.import_error
        ),
        script(NAIVE, "straightforward (ref_naive.py)", setup, path, setup.peers / "ref_naive.py"),
        script(
            FASTJSONSCHEMA,
            "fastjsonschema + json + base64",
            setup,
            path,
            OWN_PEERS / "fastjsonschema_peer.py",
        ),
        script(
            OPENAI, "openai SDK pydantic + base64", setup, path, OWN_PEERS / "openai_sdk_peer.py"
        ),
        script(TUNED, "hand-tuned (ref_tuned.py)", setup, path, setup.peers / "ref_tuned.py"),
        script(
            ENVELOPE,
            "envelope regex (ref_envelope.py)",
            setup,
            path,
            setup.peers / "ref_envelope.py",
        ),
        script(
            FLOOR_BLOCK, "floor: blocks + pybase64", setup, path, setup.peers / "floor_block.py"
        ),
        script(FLOOR_READ, "floor: read lines", setup, path, OWN_PEERS / "floor_read.py"),
        script(FLOOR_B64, "floor: read + pybase64", setup, path, OWN_PEERS / "floor_b64.py"),
    ]


# --- running -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    """One finished process."""

    seconds: float
    exit_code: int  # negative: killed by that signal
    max_rss_kib: int
    stderr: str


def spawn(argv: Sequence[str]) -> Sample:
    """Run argv with stdout to /dev/null; return its wall time, exit code, peak RSS and stderr.

    ru_maxrss comes from os.wait4 on the child itself. Linux counts the parent's RSS high-water
    mark into a child's at exec, so this harness keeps its own memory small.
    """
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err
        )
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        size = err.seek(0, os.SEEK_END)
        err.seek(max(0, size - STDERR_KEEP))
        text = err.read().decode("utf-8", "replace")
    return Sample(seconds, proc.returncode, usage.ru_maxrss, text)


@dataclass
class Outcome:
    """The samples of one contender on one corpus, or why it has none."""

    contender: Contender
    times: list[float] = field(default_factory=list)
    peak_rss_kib: int = 0
    status: str = ""  # "" while it runs fine; else "n/a: ...", "error: ...", "crash: ..."
    stderr: str = ""

    @property
    def ok(self) -> bool:
        """Whether every run so far succeeded."""
        return not self.status

    @property
    def crashed(self) -> bool:
        """Whether a run failed in a way that must fail the benchmark."""
        return self.status.startswith("crash")

    @property
    def median(self) -> float:
        """Return the median wall time in seconds."""
        return statistics.median(self.times)


def no_such_option(sample: Sample) -> bool:
    """Whether the CLI rejected an option it does not have (yet)."""
    text = sample.stderr.lower()
    return sample.exit_code == 2 and ("no such option" in text or "unrecognized argument" in text)


def classify(outcome: Outcome, sample: Sample) -> None:
    """Add the sample to the outcome, or mark the outcome n/a or crashed."""
    contender = outcome.contender
    if contender.ours and no_such_option(sample):
        outcome.status = "n/a: no such option"
        return
    if not contender.ours and sample.exit_code == NOT_AVAILABLE:
        outcome.status = (sample.stderr.strip().splitlines() or ["n/a"])[-1]
        return
    allowed = (0, 1) if contender.ours else (0,)
    if sample.exit_code in allowed and not (contender.ours and TRACEBACK in sample.stderr):
        outcome.times.append(sample.seconds)
        outcome.peak_rss_kib = max(outcome.peak_rss_kib, sample.max_rss_kib)
        return
    traceback = ", traceback" if TRACEBACK in sample.stderr else ""
    outcome.status = f"crash: exit {sample.exit_code}{traceback}"
    outcome.stderr = sample.stderr


def run_rounds(contenders: Sequence[Contender], repeat: int, title: str) -> dict[str, Outcome]:
    """Run the contenders round-robin `repeat` times; return their outcomes by key."""
    outcomes = {c.key: Outcome(c, status=c.unavailable) for c in contenders}
    for round_number in range(1, repeat + 1):
        note(f"{title}: round {round_number}/{repeat}")
        for outcome in outcomes.values():
            if outcome.ok:
                classify(outcome, spawn(outcome.contender.argv))
    return outcomes


# --- report ------------------------------------------------------------------------------

HEADER = (
    "contender",
    "median s",
    "MB/s",
    "events/s",
    "vs envelope",
    "vs tuned",
    "vs naive",
    "peak RSS MB",
    "spread",
)


def ratio(outcomes: dict[str, Outcome], base: str, key: str) -> float | None:
    """Return how many times faster `key` ran than `base`, if both ran.

    That is the median of the per-round ratios: the two ran side by side in each round, so
    load that comes and goes over the run cancels out of each ratio.
    """
    a, b = outcomes.get(base), outcomes.get(key)
    if a is None or b is None or not (a.ok and b.ok and a.times and b.times):
        return None
    return statistics.median(x / y for x, y in zip(a.times, b.times, strict=True))


def _times(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


def table_row(corpus: Corpus, outcomes: dict[str, Outcome], outcome: Outcome) -> list[str]:
    """Return one table row: the contender's numbers, or its label and status only."""
    label = outcome.contender.label
    if not outcome.ok or not outcome.times:
        return [label, outcome.status or "not run"]
    median, key = outcome.median, outcome.contender.key
    spread = (max(outcome.times) - min(outcome.times)) / median * 50
    return [
        label,
        f"{median:.3f}",
        f"{corpus.size / MB / median:,.0f}",
        f"{corpus.lines / median:,.0f}",
        _times(ratio(outcomes, ENVELOPE, key)),
        _times(ratio(outcomes, TUNED, key)),
        _times(ratio(outcomes, NAIVE, key)),
        f"{outcome.peak_rss_kib * 1024 / MB:,.0f}",
        f"±{spread:.0f}%",
    ]


def corpus_title(corpus: Corpus, repeat: int) -> str:
    """Return the heading of a corpus's table."""
    what = ""
    if corpus.name == "findings":
        what = " (mixed, every append's base64 URL-safe: all RT301)"
    return (
        f"{corpus.name}{what}: {shown_path(corpus.path)}, {human_bytes(corpus.size)}, "
        f"{corpus.lines:,} lines "
        f"(longest {human_bytes(corpus.longest)}), median of {repeat} runs"
    )


def shown_path(path: Path) -> str:
    """Return path relative to the working directory when it is below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def human_bytes(size: int) -> str:
    """Return size in MB, or in kB below one MB."""
    return f"{size / MB:,.1f} MB" if size >= MB else f"{size / 1000:,.1f} kB"


def render_text(rows: Sequence[Sequence[str]]) -> str:
    """Return rows as an aligned plain-text table (first column left, the rest right).

    A short row (label, status) is printed as it is, without widening the columns.
    """
    full = [row for row in rows if len(row) == len(rows[0])]
    widths = [max(len(row[i]) for row in full) for i in range(len(rows[0]))]
    widths[0] = max(len(row[0]) for row in rows)

    def line(row: Sequence[str]) -> str:
        if len(row) < len(widths):
            return "  ".join([row[0].ljust(widths[0]), *row[1:]])
        cells = [row[0].ljust(widths[0])]
        cells += [cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)]
        return "  ".join(cells).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line(rows[0]), rule, *(line(row) for row in rows[1:])])


def render_markdown(rows: Sequence[Sequence[str]]) -> str:
    """Return rows as a Markdown table."""
    width = len(rows[0])
    align = ["---", *["---:" for _ in rows[0][1:]]]
    padded = [[*row, *[""] * (width - len(row))] for row in rows[1:]]
    return "\n".join("| " + " | ".join(row) + " |" for row in [rows[0], align, *padded])


def print_table(corpus: Corpus, outcomes: dict[str, Outcome], repeat: int, markdown: bool) -> None:
    """Print one corpus's results."""
    rows = [list(HEADER), *(table_row(corpus, outcomes, o) for o in outcomes.values())]
    title = corpus_title(corpus, repeat)
    if markdown:
        print(f"\n### {title}\n\n{render_markdown(rows)}")
    else:
        print(f"\n{title}\n{render_text(rows)}")


# --- bars --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    """One SPEC bar and whether this run met it."""

    verdict: str  # PASS, FAIL or n/a
    text: str
    serial_of: float | None = None  # a --jobs bar: the --jobs 1 median, to weigh start-up in


def with_split_bound(bar: Bar, startup: float) -> Bar:
    """Return a --jobs bar with the most that an ideal split could give next to it.

    The start-up (the one-event run) is serial; if the rest of the ``--jobs 1`` run divided
    perfectly between two processes, the run would take startup + (rest / 2).
    """
    total = bar.serial_of
    if total is None or total <= startup:
        return bar
    bound = total / (startup + (total - startup) / 2)
    detail = f"; start-up {startup:.3f} s of {total:.3f} s: an ideal split gives {bound:.2f}x"
    return replace(bar, text=bar.text + detail)


def why_missing(outcomes: dict[str, Outcome], keys: Iterable[str]) -> str:
    """Return why one of these contenders has no time, e.g. "hand-tuned (...): n/a: ..."."""
    for key in keys:
        outcome = outcomes[key]
        if not outcome.ok or not outcome.times:
            return f"{outcome.contender.label}: {outcome.status or 'did not run'}"
    return "did not run"


def speed_bar(outcomes: dict[str, Outcome], text: str, base: str, key: str, minimum: float) -> Bar:
    """Return a bar that needs `key` to run at least `minimum` times as fast as `base`."""
    value = ratio(outcomes, base, key)
    if value is None:
        return Bar("n/a", f"{text}: {why_missing(outcomes, (key, base))}")
    verdict = "PASS" if value >= minimum else "FAIL"
    return Bar(verdict, f"{text}: {value:.2f}x (needs >= {minimum:g}x)")


def mixed_bars(corpus: Corpus, outcomes: dict[str, Outcome]) -> list[Bar]:
    """Return the one-core speed bars and, if run, the --jobs 2 bar."""
    bars = [
        speed_bar(outcomes, "mixed: lint vs ref_envelope throughput", ENVELOPE, OURS, 1.0),
        speed_bar(outcomes, "mixed: lint vs the floor (floor_block)", FLOOR_BLOCK, OURS, 0.6),
        speed_bar(outcomes, "mixed: lint vs straightforward throughput", NAIVE, OURS, 5.0),
    ]
    if JOBS2 in outcomes:
        bars.append(jobs_bar(outcomes, corpus))
    if corpus.size < SPEC_MIXED_BYTES:
        # start-up weighs more in a smaller file, which moves every ratio towards 1
        note = f" [{human_bytes(corpus.size)} capture; SPEC measures {DEFAULT_MIXED_MB:g} MB]"
        bars = [replace(bar, text=bar.text + note) for bar in bars]
    return bars


def small_bars(outcomes: dict[str, Outcome]) -> list[Bar]:
    """Return the per-event overhead bar (same file, so events/s ratio = time ratio)."""
    return [
        speed_bar(outcomes, "small: lint vs ref_envelope events/s", ENVELOPE, OURS, 1.0),
        speed_bar(outcomes, "small: lint vs the floor (floor_block)", FLOOR_BLOCK, OURS, 0.6),
    ]


def memory_bar(corpus: Corpus, outcomes: dict[str, Outcome]) -> Bar:
    """Return the bar: peak RSS under 100 MB + 3 x the largest record."""
    limit = 100 * MB + 3 * corpus.longest
    text = f"{corpus.name}: lint peak RSS < 100 MB + 3 x largest line"
    ours = outcomes[OURS]
    if not ours.ok or not ours.times:
        return Bar("n/a", f"{text}: {why_missing(outcomes, (OURS,))}")
    rss = ours.peak_rss_kib * 1024
    verdict = "PASS" if rss < limit else "FAIL"
    return Bar(verdict, f"{text}: {rss / MB:,.0f} MB (limit {limit / MB:,.0f} MB)")


def corpus_bars(corpus: Corpus, outcomes: dict[str, Outcome]) -> list[Bar]:
    """Return the SPEC bars measured on this corpus."""
    if corpus.name == "mixed":
        return mixed_bars(corpus, outcomes)
    if corpus.name == "small":
        return small_bars(outcomes)
    bars = [memory_bar(corpus, outcomes)]
    if JOBS2 in outcomes:  # the other inputs over 64 MB
        bars.append(jobs_bar(outcomes, corpus))
    return bars


def jobs_bar(outcomes: dict[str, Outcome], corpus: Corpus) -> Bar:
    """Return the --jobs line of a corpus (information: SPEC's --jobs bar is the ceiling's, in
    ceiling.py), carrying the --jobs 1 median for the split bound."""
    text = f"{corpus.name}: lint --jobs 2 vs --jobs 1"
    value = ratio(outcomes, JOBS1, JOBS2)
    jobs1 = outcomes[JOBS1]
    if value is None or not jobs1.times:
        return Bar("n/a", f"{text}: {why_missing(outcomes, (JOBS1, JOBS2))}")
    return Bar("info", f"{text}: {value:.2f}x", jobs1.median)


def measure_startup(python: str, runs: int) -> tuple[Bar, Outcome]:
    """Return the start-up bar: lint of a one-event file vs bare `python -c pass`."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "one-event.jsonl"
        path.write_text(ONE_EVENT, encoding="ascii")
        contenders = [
            Contender(OURS, "realtime-validator lint (one event)", lint_argv(python, path)),
            Contender("bare", "python -c pass", (python, "-c", "pass")),
        ]
        outcomes = run_rounds(contenders, runs, "start-up")
    text = "start-up: lint of a one-event file vs python -c pass"
    lint, bare = outcomes[OURS], outcomes["bare"]
    if not (lint.ok and bare.ok):
        return Bar("n/a", f"{text}: {lint.status or bare.status}"), lint
    factor = statistics.median(x / y for x, y in zip(lint.times, bare.times, strict=True))
    verdict = "PASS" if factor <= 2 else "FAIL"
    detail = (
        f"{lint.median:.3f} s vs {bare.median:.3f} s: {factor:.2f}x, the median of the "
        "rounds' ratios (needs <= 2x)"
    )
    return Bar(verdict, f"{text}: {detail}"), lint


def measure_event(python: str, rounds: int) -> tuple[Bar, list[str]]:
    """Return the validate_event bar and its table (event_timing.py, in its own process)."""
    import json

    text = "validate_event(dict) on a 20 ms append"
    proc = subprocess.run(
        [python, str(HERE / "event_timing.py"), "--rounds", str(rounds)],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"])[-1]
        return Bar("n/a", f"{text}: event_timing.py failed ({last})"), []
    found = json.loads(proc.stdout)
    times: dict[str, list[float]] = found["us"]
    ours = times["validate_event"]
    rows = [["contender", "median us", "min us", "vs validate_event"]]
    for name, values in times.items():
        rows.append(
            [
                name,
                f"{statistics.median(values):.2f}",
                f"{min(values):.2f}",
                f"{statistics.median(a / b for a, b in zip(values, ours, strict=True)):.2f}x",
            ]
        )
    median = statistics.median(ours)
    verdict = "PASS" if median < 1.5 else "FAIL"
    sdk = times.get("openai SDK")
    versus = (
        f"; the openai SDK's model_validate + b64decode {statistics.median(sdk):.2f} us"
        if sdk
        else "; the openai SDK is not installed"
    )
    title = (
        f"validate_event: CPU time per call, {found['rounds']} interleaved rounds of "
        f"{found['loops']:,} calls"
    )
    bar = Bar(verdict, f"{text}: {median:.2f} us, median CPU time (needs < 1.5 us){versus}")
    return bar, [title, *("\t".join(row) for row in rows)]


def print_event_table(lines: Sequence[str], markdown: bool) -> None:
    """Print the validate_event table (lines: title, then tab-separated rows)."""
    if not lines:
        return
    rows = [line.split("\t") for line in lines[1:]]
    table = render_markdown(rows) if markdown else render_text(rows)
    print(f"\n### {lines[0]}\n\n{table}" if markdown else f"\n{lines[0]}\n{table}")


def build_installed(repo: Path) -> Path:
    """Install ``repo`` into a temporary folder the regular way (not editable), compile its
    bytecode, and put it first on PYTHONPATH for every process started from here; return it."""
    target = Path(tempfile.mkdtemp(prefix="rtv-bench-"))
    note(f"installing {repo} into {target} ...")
    pip = [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target)]
    # with this environment's setuptools when it can build the project, else pip's own
    # isolated build (which fetches setuptools)
    proc = subprocess.run(
        [*pip, "--no-build-isolation", str(repo)], capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        proc = subprocess.run([*pip, str(repo)], stdout=sys.stderr, check=False)
    if proc.returncode != 0:
        shutil.rmtree(target, ignore_errors=True)
        raise SetupError(f"pip could not install {repo} (exit {proc.returncode})")
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(target)], stdout=sys.stderr, check=False
    )
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [str(target), *filter(None, [os.environ.get("PYTHONPATH")])]
    )
    return target


def check_peers(peers: Path) -> None:
    """Raise SetupError when the shared peers are not in ``peers``."""
    missing = [name for name in SHARED_PEERS if not (peers / name).is_file()]
    if missing:
        raise SetupError(
            f"the reference peers ({', '.join(missing)}) are not in {peers}: they live in the "
            "shared bench folder beside the development checkout (../shared/bench); pass "
            "--peers DIR"
        )


def print_bars(bars: Sequence[Bar], markdown: bool) -> None:
    """Print the bars, one PASS/FAIL/n/a line each."""
    title = "SPEC bars (lint = realtime-validator lint --format jsonl)"
    print(f"\n### {title}\n" if markdown else f"\n{title}")
    for bar in bars:
        print(f"- **{bar.verdict}** {bar.text}" if markdown else f"{bar.verdict:4}  {bar.text}")


# --- machine -----------------------------------------------------------------------------


def cpu_model() -> str:
    """Return the CPU model name from /proc/cpuinfo, or what platform knows."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def versions(python: str) -> dict[str, str]:
    """Return the installed versions of the contenders' libraries, seen by `python`."""
    proc = subprocess.run(
        [python, "-c", PROBE_VERSIONS], capture_output=True, text=True, check=False
    )
    pairs = (line.partition(" ") for line in proc.stdout.splitlines())
    return {name: value for name, _, value in pairs}


def machine_lines(python: str, setup: Setup) -> list[str]:
    """Return the facts about this machine and environment that the numbers depend on."""
    found = versions(python)
    simd = found.pop("pybase64-simd", "?")
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else "?"
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return [
        f"cpu: {cpu_model()}, {os.cpu_count()} cores ({cores} usable), load {load}",
        f"python: {platform.python_implementation()} {platform.python_version()} ({python})",
        f"pybase64: {simd}",
        "libraries: " + ", ".join(f"{name} {v}" for name, v in found.items()),
        f"peers: {setup.peers}",
        f"peak RSS readings include this harness's own peak ({own_rss_mb():.0f} MB): "
        "Linux counts the parent's high-water mark into a child's at exec",
    ]


def own_rss_mb() -> float:
    """Return this process's peak RSS in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / MB


def print_machine(lines: Sequence[str], markdown: bool) -> None:
    """Print the machine facts."""
    print("### Machine\n" if markdown else "Machine")
    for line in lines:
        print(f"- {line}" if markdown else f"  {line}")


# --- main --------------------------------------------------------------------------------


def report_crashes(crashed: Sequence[Outcome]) -> None:
    """Show each crashed contender's command and stderr."""
    for outcome in crashed:
        note(
            f"\n{outcome.contender.label} crashed ({outcome.status}): "
            f"{' '.join(outcome.contender.argv)}\n--- stderr ---\n{outcome.stderr.rstrip()}"
        )


def bench_corpus(
    corpus: Corpus, setup: Setup, args: argparse.Namespace, on_crash: Callable[[Outcome], None]
) -> list[Bar]:
    """Run, print and judge one corpus; return its bars."""
    contenders = contenders_for(corpus, setup, args.jobs_check)
    outcomes = run_rounds(contenders, args.repeat, corpus.name)
    print_table(corpus, outcomes, args.repeat, args.markdown)
    for outcome in outcomes.values():
        if outcome.crashed:
            on_crash(outcome)
    return corpus_bars(corpus, outcomes)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; return 0, or 2 when it cannot run, or 3 when a contender crashed."""
    global SCRIPTS
    args = parse_args(argv)
    installed = None
    try:
        check_peers(args.peers)
        corpora = prepare_corpora(args)
        big_mixed = None
        if not args.no_ceiling:
            big_mixed = cache_path("mixed", args.jobs_mb)
            if args.regenerate or not big_mixed.is_file():
                generate(args.generator, ["mixed"], args.jobs_mb)
        if not args.in_place:
            installed = build_installed(REPO)
            SCRIPTS = installed / "bin"
    except SetupError as error:
        note(f"error: {error}")
        return 2
    try:
        return run_all(args, corpora, big_mixed, installed)
    finally:
        if installed is not None:
            shutil.rmtree(installed, ignore_errors=True)


def run_all(
    args: argparse.Namespace, corpora: list[Corpus], big_mixed: Path | None, installed: Path | None
) -> int:
    """Run every measure, print the tables and the bars; return 0, or 3 when one crashed."""
    python = sys.executable
    setup = make_setup(python, args.peers.resolve())
    lines = machine_lines(python, setup)
    lines.insert(2, f"realtime-validator: {installed or 'as installed in this environment'}")
    print_machine(lines, args.markdown)
    crashed: list[Outcome] = []
    bars = [bar for corpus in corpora for bar in bench_corpus(corpus, setup, args, crashed.append)]
    mixed = next((c.path for c in corpora if c.name == "mixed"), None)
    if big_mixed is not None and mixed is None:
        bars.append(Bar("n/a", "--jobs ceiling: needs the mixed corpus (--corpora mixed,...)"))
    elif big_mixed is not None and mixed is not None:
        import ceiling

        bars += ceiling.bench(args, setup, mixed, big_mixed)
    if args.event_rounds:
        bar, table = measure_event(python, args.event_rounds)
        print_event_table(table, args.markdown)
        bars.append(bar)
    if args.scale:
        import scale

        if mixed is None:
            bars.append(Bar("n/a", "scale: needs the mixed corpus (--corpora mixed,...)"))
        else:
            bars += scale.bench(args, setup, mixed)
    if args.startup_runs and setup.cli_error:
        bars.append(Bar("n/a", f"start-up: {setup.cli_error}"))
    elif args.startup_runs:
        bar, lint = measure_startup(python, args.startup_runs)
        if lint.ok and lint.times:
            bars = [with_split_bound(b, lint.median) for b in bars]
        bars.append(bar)
        if lint.crashed:
            crashed.append(lint)
    print_bars(bars, args.markdown)
    sys.stdout.flush()
    report_crashes(crashed)
    return 3 if crashed else 0


if __name__ == "__main__":
    sys.exit(main())
