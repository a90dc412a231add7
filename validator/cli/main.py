"""The ``realtime-validator`` command's entry point.

``main()`` reads a plain ``lint`` line itself (``argv.parse_lint``) and runs it without
importing click; every other line, and any line whose configuration or values are wrong, goes
to the click command in ``cli.py``, which reads it again and speaks (help, usage errors, the
other commands). Both hand the same values to ``settings.settle()``, so a run is the same run
whichever read it.
"""

from __future__ import annotations

import gc
import sys

from .argv import parse_lint
from .settings import UsageProblem, execute, settle


def main(argv: list[str] | None = None) -> None:
    """Run the command line; exits with 0 (clean), 1 (findings), 2 (usage, unreadable, nothing
    to lint), 130 (interrupted) or 143 (terminated: SIGTERM)."""
    parsed = parse_lint(sys.argv[1:] if argv is None else argv)
    if parsed is not None:
        try:
            settings = settle(parsed.values, parsed.given)
        except UsageProblem:
            pass  # click reads the line again and says what is wrong, as it always has
        else:
            # What is imported by now lives until exit: the garbage collector need not walk
            # it again, neither during the run nor in the collection at exit (5 ms of a 50 ms
            # start, measured), and forked --jobs workers do not copy its pages by touching it.
            gc.freeze()
            sys.exit(execute(settings))
    from .app import main as click_main

    click_main(argv)
