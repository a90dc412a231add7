"""The ``--jobs`` ceiling (``run.py``): what ``--jobs 2`` reaches of what two cores give here.

SPEC's bar: ``--jobs 2`` on a directory of 6,000 captures and on a 1 GB JSONL reaches at least
90% of the speed-up that two independent ``--jobs 1`` lints of the two halves reach side by
side, measured in the same run. Per input, three whole-process contenders take turns:

- ``lint --jobs 1`` on the whole input;
- ``lint --jobs 2`` on the whole input;
- two ``lint --jobs 1``, one on each half, started together by one ``sh`` and waited for: the
  ceiling (the time of the slower of the two).

The speed-ups are ``--jobs 1``'s time over each of the other two, round by round; the bar is
the median over the rounds of (the halves' time / ``--jobs 2``'s time), which is the share of
the ceiling's speed-up that ``--jobs 2`` reaches; ``n/a`` when the halves side by side were not
1.25x as fast as ``--jobs 1`` (no second core was free: other processes had it).

- tree: the mixed capture cut into 3,000 sessions, in two folders (``copy0``, ``copy1``, the
  halves): 6,000 files (``--tree-files`` for fewer, as ``--quick`` does).
- jsonl: a mixed capture of ``--jobs-mb`` megabytes (default 1,000) from the shared generator,
  and its two halves cut at the line nearest the middle.
"""

from __future__ import annotations

import argparse
import shlex
from pathlib import Path

import run
import scale
from run import Bar, Contender, Setup, note

HALVES = "halves"
MIN_CEILING = 1.25
"""Below this speed-up of the halves side by side over ``--jobs 1``, the machine had no second
core to give during the run: the bar reads n/a instead of a verdict on a ratio of noise."""


def make_halves(whole: Path) -> tuple[Path, Path]:
    """Return the two halves of ``whole`` (cached), cut at the first line end past the middle."""
    first = whole.with_name(whole.stem + ".half0.jsonl")
    second = whole.with_name(whole.stem + ".half1.jsonl")
    if first.is_file() and second.is_file():
        return first, second
    note(f"cutting {whole} in two ...")
    middle = whole.stat().st_size // 2
    with whole.open("rb") as source:
        for target, limit in ((first, middle), (second, None)):
            partial = target.with_suffix(".partial")
            with partial.open("wb") as out:
                written = 0
                while limit is None or written < limit:
                    piece = source.read(1 << 20)
                    if not piece:
                        break
                    out.write(piece)
                    written += len(piece)
                if limit is not None:
                    out.write(source.readline())  # up to the end of the line
            partial.replace(target)
    return first, second


def side_by_side(first: tuple[str, ...], second: tuple[str, ...]) -> tuple[str, ...]:
    """Return an ``sh`` command that runs two commands at once and waits for both; its exit
    code is the larger of theirs (lint's 1 for findings stays a success)."""
    a, b = shlex.join(first), shlex.join(second)
    body = (
        f"{a} >/dev/null & p=$!; {b} >/dev/null & q=$!; "
        'wait $p; r=$?; wait $q; s=$?; [ "$r" -gt "$s" ] && exit "$r"; exit "$s"'
    )
    return ("sh", "-c", body)


def contenders(
    setup: Setup, whole: tuple[str, ...], halves: tuple[tuple[str, ...], tuple[str, ...]]
) -> list[Contender]:
    """Return --jobs 1, --jobs 2 and the two halves side by side; ``whole`` and each half are
    the path arguments of one lint."""
    err = setup.cli_error

    def lint(paths: tuple[str, ...], jobs: int) -> tuple[str, ...]:
        *command, _ = run.lint_argv(setup.python, Path(paths[0]), jobs)
        return (*command, "--no-respect-gitignore", *paths)  # the cache is git-ignored

    return [
        Contender(run.JOBS1, "lint --jobs 1", lint(whole, 1), err),
        Contender(run.JOBS2, "lint --jobs 2", lint(whole, 2), err),
        Contender(
            HALVES,
            "two lint --jobs 1 on the halves, side by side",
            side_by_side(lint(halves[0], 1), lint(halves[1], 1)),
            err,
        ),
    ]


def judge(name: str, outcomes: dict[str, run.Outcome]) -> Bar:
    """Return the bar: --jobs 2's speed-up at least 90% of the halves' (the ceiling)."""
    text = f"{name}: lint --jobs 2 vs the two-core ceiling"
    # the median of the rounds' halves' time / --jobs 2's: --jobs 2's speed-up over the
    # ceiling's (``run.ratio(a, b)`` is how many times faster b ran than a)
    share = run.ratio(outcomes, HALVES, run.JOBS2)
    if share is None:
        return Bar("n/a", f"{text}: {run.why_missing(outcomes, (run.JOBS1, run.JOBS2, HALVES))}")
    jobs2 = run.ratio(outcomes, run.JOBS1, run.JOBS2)
    ceiling = run.ratio(outcomes, run.JOBS1, HALVES)
    detail = (
        f"{share:.0%} of it (needs >= 90%); --jobs 2 {jobs2:.2f}x --jobs 1, "
        f"the halves side by side {ceiling:.2f}x"
    )
    if ceiling is None or ceiling < MIN_CEILING:
        # two lints side by side no faster than one: no second core was free during the run,
        # and a share of no speed-up says nothing
        return Bar("n/a", f"{text}: no second core was free ({detail})")
    verdict = "PASS" if share >= 0.9 else "FAIL"
    return Bar(verdict, f"{text}: {detail}")


def bench(args: argparse.Namespace, setup: Setup, mixed: Path, big_mixed: Path) -> list[Bar]:
    """Run both ceiling measures; print their tables; return their bars."""
    run.OURS_CLI = (*run.OURS_CLI, HALVES)  # exit 1 for findings is a success
    bars = []
    folder = scale.make_many(mixed, args.tree_files // 2, 2)
    tree = scale._describe_tree("tree", folder)
    halves = (str(folder / "copy0"),), (str(folder / "copy1"),)
    outcomes = run.run_rounds(contenders(setup, (str(folder),), halves), args.repeat, "tree")
    scale.print_table(tree, outcomes, args.repeat, run.JOBS1, args.markdown)
    bars.append(judge(f"tree of {args.tree_files:,} captures", outcomes))
    first, second = make_halves(big_mixed)
    jsonl = run.describe("jsonl", big_mixed)
    outcomes = run.run_rounds(
        contenders(setup, (str(big_mixed),), ((str(first),), (str(second),))),
        args.repeat,
        "jsonl",
    )
    scale.print_table(jsonl, outcomes, args.repeat, run.JOBS1, args.markdown)
    bars.append(judge(f"{run.human_bytes(jsonl.size)} JSONL", outcomes))
    return bars
