"""The ``realtime-validator`` command: the entry point, and ``lint`` below its two parsers.

``main()`` reads a plain ``lint`` line itself (``argv.parse_lint``) and runs it without
importing click; every other line, and any line whose configuration or values are wrong, goes
to the click command in ``cli.py``, which reads it again and speaks (help, usage errors, the
other commands). Both parsers hand the same values to ``settle()``, so a run is the same run
whichever read it.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Collection, Mapping
from typing import Any

from .argv import parse_lint
from .config import ConfigError, load_config, per_file_ignored, resolve_rules
from .formats import normalize_format
from .lint import Options
from .progress import wanted
from .rules import unknown_patterns
from .runner import EXIT_INTERRUPTED, RunSettings, run


class UsageProblem(ValueError):
    """The options cannot make a run; ``param_hint`` names the option(s), if one is to blame."""

    def __init__(self, message: str, param_hint: str | None = None) -> None:
        super().__init__(message)
        self.param_hint = param_hint


def _split(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(p.strip() for v in values for p in v.split(",") if p.strip())


def settle(values: Mapping[str, Any], given: Collection[str]) -> RunSettings:
    """Return the run the ``lint`` values ask for, with the configuration file's values where
    the command line gave none; raise UsageProblem when they cannot make a run."""
    try:
        here: str | None = os.getcwd()
    except OSError:
        here = None  # removed under us: absolute paths can still be linted
    try:
        config = load_config(here, values["config_path"], values["isolated"])
    except ConfigError as exc:
        raise UsageProblem(str(exc)) from exc
    opts = dict(values)
    for name, value in config.option_values().items():
        if name not in given:
            opts[name] = value  # the command line wins over the configuration
    selected, ignored = _split(values["select"]), _split(values["ignore"])
    bad = unknown_patterns(selected + ignored)
    if bad:
        raise UsageProblem(f"no rule matches {', '.join(bad)}", "--select/--ignore")
    try:
        fmt = normalize_format(opts["audio_format"])
    except ValueError as exc:
        raise UsageProblem(str(exc), "--audio-format") from exc
    event_pointer = values["event_pointer"]
    if event_pointer and not event_pointer.startswith("/"):
        raise UsageProblem("a JSON pointer starts with '/'", "--event-pointer")
    options = Options(
        fmt,
        opts["max_audio_bytes"],
        opts["max_record_bytes"],
        resolve_rules(config, selected, ignored),
    )
    return RunSettings(
        paths=values["paths"],
        extend_include=config.extend_include + _split(values["extend_include"]),
        options=options,
        output_format=opts["output_format"],
        output=opts["output"],
        fail_on=opts["fail_on"],
        statistics=values["statistics"],
        quiet=values["quiet"],
        event_pointer=event_pointer or None,
        jobs=values["jobs"],
        progress=wanted(sys.stderr, values["quiet"]),
        ignored_for=(lambda name: per_file_ignored(config, name))
        if config.per_file_ignores
        else None,
    )


def execute(settings: RunSettings) -> int:
    """Run ``settings`` on the standard streams; return the exit code (130: interrupted)."""
    for stream in (sys.stdout, sys.stderr):
        # a file name's undecodable bytes (surrogateescape, as argv and os.listdir give them)
        # go out as they came in; the json formats write them as \udcxx escapes instead
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="surrogateescape")
    try:
        code = run(settings, sys.stdout, sys.stderr)
    except KeyboardInterrupt:
        sys.stderr.write("\nAborted!\n")
        return EXIT_INTERRUPTED
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        # what is left in the buffer has no reader: let the exit flush go nowhere
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return code


def main(argv: list[str] | None = None) -> None:
    """Run the command line; exits with 0 (clean), 1 (findings) or 2 (usage or unreadable)."""
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
    from .cli import main as click_main

    click_main(argv)
