"""From the values of a ``lint`` line to a run: ``settle`` (with the configuration files) and
``execute``. Both readings of the command line (``command.py`` without click, ``cli.py`` with
it) hand their values here, so a run is the same run whichever read it.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Callable, Collection, Mapping
from typing import Any

from ..core.install import install_hint
from ..core.jsontext import is_pointer
from ..engine.options import OptionError, Options, build_options, rule_codes, split_values
from ..fix.atomic import discard_all
from ..sources.inputs import reason
from .config import (
    Config,
    ConfigError,
    find_config,
    load_config,
    parse_table,
    per_file_ignored,
)
from .interrupts import EXIT_TERMINATED, Terminated, terminate_as_interrupt
from .output import drop, whole
from .progress import wanted
from .run import EXIT_ERROR, EXIT_INTERRUPTED, run
from .run_settings import RunSettings


class UsageProblem(ValueError):
    """The options cannot make a run; ``param_hint`` names the option(s), if one is to blame."""

    def __init__(self, message: str, param_hint: str | None = None, config: bool = False) -> None:
        super().__init__(message)
        self.param_hint = param_hint
        self.config = config  # a configuration file's: said without the usage banner


def _codes(values: Mapping[str, Any], name: str, flag: str) -> tuple[str, ...]:
    """Return an option's codes; raise UsageProblem when given but naming nothing or an
    unknown rule (``--select ''``, ``--select ,,``, ``--select RT999``)."""
    given = values[name]
    try:
        return rule_codes(given, name)
    except OptionError as exc:
        if exc.unknown:
            raise UsageProblem(f"no rule matches {', '.join(exc.unknown)}", flag) from None
        raise UsageProblem(f"{flag} {given[-1]!r} names no rule", flag) from None


def _merged(values: Mapping[str, Any], given: Collection[str], config: Config) -> dict[str, Any]:
    """Return the values with the configuration's where the command line gave none."""
    merged = dict(values)
    for name, value in config.option_values().items():
        if name not in given:
            merged[name] = value  # the command line wins over the configuration
    return merged


def _options(
    merged: Mapping[str, Any], config: Config, codes: Mapping[str, tuple[str, ...]]
) -> Options:
    try:
        return build_options(
            merged["audio_format"],
            merged["max_audio_bytes"],
            merged["max_record_bytes"],
            codes["select"],
            codes["ignore"],
            (*config.get("extend_select", ()), *codes["extend_select"]),
            (*config.get("extend_ignore", ()), *codes["extend_ignore"]),
            config.get("select", ()),
            config.get("ignore", ()),
        )
    except OptionError as exc:
        raise UsageProblem(str(exc), "--audio-format") from exc


def settle(values: Mapping[str, Any], given: Collection[str]) -> RunSettings:
    """Return the run the ``lint`` values ask for, with the configuration files' values where
    the command line gave none; raise UsageProblem when they cannot make a run.

    The run's options come from the configuration found from the working directory (or
    named by ``--config``); the rules, audio format and sizes of each input from the one
    nearest that input, as ruff does (``cd /tmp && lint /proj/x.json`` reads /proj's).
    """
    try:
        here: str | None = os.getcwd()
    except OSError:
        here = None  # removed under us: absolute paths can still be linted
    explicit, isolated = values["config_path"], values["isolated"]
    try:
        config = load_config(here, explicit, isolated)
    except ConfigError as exc:
        raise UsageProblem(str(exc), config=True) from exc
    codes = {
        name: _codes(values, name, "--" + name.replace("_", "-"))
        for name in ("select", "ignore", "extend_select", "extend_ignore")
    }
    merged = _merged(values, given, config)
    options = _options(merged, config, codes)
    event_pointer = merged["event_pointer"]
    if event_pointer and not is_pointer(event_pointer):
        raise UsageProblem("a JSON pointer starts with '/'", "--event-pointer")
    if event_pointer and (merged["fix"] or values["diff"]):
        raise UsageProblem(
            "--fix and --diff rewrite events, not records wrapped around them: lint "
            "--event-pointer inputs without them",
            "--event-pointer",
        )
    stdin_name = values["stdin_filename"]
    if values["dask"] and not _installed("distributed"):
        raise UsageProblem(f"needs dask: {install_hint('dask')}", "--dask")
    return RunSettings(
        paths=values["paths"] or _default_paths(),
        options=options,
        output_format=merged["output_format"],
        output=merged["output"],
        fail_on=merged["fail_on"],
        exit_zero=values["exit_zero"],
        statistics=values["statistics"],
        quiet=values["quiet"],
        event_pointer=event_pointer or None,
        jobs=merged["jobs"],
        dask=values["dask"] or None,
        progress=wanted(sys.stderr, values["quiet"]),
        options_for=_per_input(
            values, given, config, codes, options, explicit is not None or isolated or not here
        ),
        extend_include=(*config.get("extend_include", ()), *split_values(values["extend_include"])),
        exclude=(
            *(split_values(values["exclude"]) if "exclude" in given else config.get("exclude", ())),
            *config.get("extend_exclude", ()),
            *split_values(values["extend_exclude"]),
        ),
        exclude_base=str(config.path.parent) if config.path is not None else here,
        respect_gitignore=merged["respect_gitignore"],
        stdin_name=stdin_name,
        fix=merged["fix"],
        diff=values["diff"],
        unsafe_fixes=merged["unsafe_fixes"],
        show_fixes=merged["show_fixes"],
    )


def _default_paths() -> tuple[str, ...]:
    """Return what ``lint`` with no path reads: standard input when a pipe, a socket or a
    file is on it, else the working directory, as ruff does: on a terminal (which would wait
    for input it never gets), with no standard input at all, or on a device such as
    /dev/null (what cron and CI runners give), which holds no capture."""
    stdin = sys.stdin
    if stdin is None:
        return (".",)
    try:
        if stdin.isatty():
            return (".",)
        mode = os.fstat(stdin.fileno()).st_mode
    except (OSError, ValueError):  # a stream with no file under it (a test runner's): read it
        return ("-",)
    if stat.S_ISFIFO(mode) or stat.S_ISREG(mode) or stat.S_ISSOCK(mode):
        return ("-",)
    return (".",)


def _installed(module: str) -> bool:
    """Return True when ``module`` can be imported (without importing it)."""
    import importlib.util

    return importlib.util.find_spec(module) is not None


def _per_input(
    values: Mapping[str, Any],
    given: Collection[str],
    config: Config,
    codes: Mapping[str, tuple[str, ...]],
    options: Options,
    fixed: bool,
) -> Callable[[str], Options]:
    """Return what gives each input its options: the nearest configuration's rules, sizes
    and format (the run's own where ``fixed``: --config or --isolated), then its per-file
    ignores. Raises ConfigError for a configuration that cannot be read."""
    found: dict[str, tuple[Config, Options]] = {}

    def config_for(name: str) -> tuple[Config, Options]:
        if fixed or name in ("-", "<stdin>"):
            return config, options
        directory = os.path.dirname(os.path.abspath(name))
        if directory not in found:
            located = find_config(directory)
            if located is None or (config.path is not None and located[0] == config.path):
                found[directory] = (config, options)
            else:
                nearest = parse_table(located[1], located[0])
                merged = _merged(values, given, nearest)
                try:
                    found[directory] = (nearest, _options(merged, nearest, codes))
                except UsageProblem as exc:
                    raise ConfigError(f"{located[0]}: {exc}") from exc
        return found[directory]

    def options_for(name: str) -> Options:
        nearest, own = config_for(name)
        ignored = per_file_ignored(nearest, name)
        return own._replace(enabled=own.enabled - ignored) if ignored else own

    return options_for


def execute(settings: RunSettings) -> int:
    """Run ``settings`` on the standard streams; return the exit code (130: interrupted,
    143: terminated)."""
    for stream in (sys.stdout, sys.stderr):
        # a file name's undecodable bytes (surrogateescape, as argv and os.listdir give them)
        # go out as they came in; the json formats write them as \udcxx escapes instead
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="surrogateescape")
    out = whole(sys.stdout)  # every byte written, or an error: never a report cut short
    try:
        with terminate_as_interrupt():
            code = run(settings, out, sys.stderr)
    except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM (Terminated)
        discard_all()  # a temporary file made just before the interrupt, not yet in hand
        terminated = isinstance(exc, Terminated)
        sys.stderr.write("\nAborted! (SIGTERM)\n" if terminated else "\nAborted!\n")
        code = EXIT_TERMINATED if terminated else EXIT_INTERRUPTED
    try:
        out.flush()
    except BrokenPipeError:
        pass  # what is left has no reader: it goes nowhere
    except OSError as exc:
        if code != EXIT_ERROR:  # not said yet
            why = reason(exc)
            sys.stderr.write(f"realtime-validator: error: cannot write standard output: {why}\n")
            code = EXIT_ERROR
    finally:
        drop(out)
    return code
