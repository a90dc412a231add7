"""The ``lint`` command's options as data, and a click-free reading of a plain ``lint`` argv.

Importing click costs 15-25 ms, a third of a one-event run and more than the rest of the
command line together (measured with ``-X importtime`` and whole processes: see README,
Performance). A pre-commit hook pays it on every commit. So the command first reads its
arguments here, with the rules click's parser follows (``--opt value``, ``--opt=value``,
``-j2``, ``-qj 2``, ``--``, options among paths, the last of a repeated option wins) and the
checks click's types make; anything this does not understand (help, version, another
command, an unknown option, a value click would refuse, shell completion) gives None, and
the click command reads the whole line again and speaks. click stays the one voice for
usage errors and help; this is only ever a shortcut to the same values.

``tests/test_argv.py`` holds the twin: generated command lines read both ways must give the
same values and the same set of options given, or None here.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from .audio import MAX_AUDIO_BYTES
from .reporters import REPORTER_BY_NAME
from .sources.base import DEFAULT_MAX_RECORD_BYTES

FORMAT_NAMES = tuple(sorted(REPORTER_BY_NAME))
FAIL_ON = ("error", "warning")

# the lint command's parameters and their defaults, by click's parameter names
DEFAULTS: dict[str, Any] = {
    "paths": (),
    "output_format": "text",
    "output": None,
    "select": (),
    "ignore": (),
    "fail_on": "error",
    "audio_format": "pcm16",
    "max_audio_bytes": MAX_AUDIO_BYTES,
    "max_record_bytes": DEFAULT_MAX_RECORD_BYTES,
    "event_pointer": None,
    "extend_include": (),
    "jobs": 1,
    "statistics": False,
    "quiet": False,
    "config_path": None,
    "isolated": False,
}

# click's environment variable for shell completion: when set, click must answer
COMPLETION_VARIABLE = "_REALTIME_VALIDATOR_COMPLETE"


def _choice(choices: tuple[str, ...]) -> Callable[[str], Any]:
    def convert(value: str) -> str:
        if value not in choices:
            raise ValueError(value)  # click's type refuses it
        return value

    return convert


def _int(minimum: int) -> Callable[[str], Any]:
    def convert(value: str) -> int:
        number = int(value)  # what click.INT does: " 7", "+7" and "1_000" are numbers too
        if number < minimum:
            raise ValueError(value)  # click's type refuses it
        return number

    return convert


def _path(dir_okay: bool, allow_dash: bool) -> Callable[[str], Any]:
    """What click.Path does with ``exists=False``: a path that exists must be readable and,
    unless ``dir_okay``, not a directory; one that does not exist passes as it is."""

    def convert(value: str) -> str:
        if allow_dash and value == "-":
            return value
        try:
            st = os.stat(value)
        except OSError:
            return value
        if (not dir_okay and stat.S_ISDIR(st.st_mode)) or not os.access(value, os.R_OK):
            raise ValueError(value)  # click's type refuses it
        return value

    return convert


def _text(value: str) -> str:
    return value


class Option(NamedTuple):
    """One option of ``lint``: its parameter name, whether it takes a value and how that
    value is converted (None: a flag), and whether it may be repeated."""

    name: str
    convert: Callable[[str], Any] | None
    multiple: bool = False


_OUTPUT = Option("output", _path(dir_okay=False, allow_dash=True))
_JOBS = Option("jobs", _int(1))
_QUIET = Option("quiet", None)

LONG: dict[str, Option] = {
    "--format": Option("output_format", _choice(FORMAT_NAMES)),
    "--output": _OUTPUT,
    "--select": Option("select", _text, multiple=True),
    "--ignore": Option("ignore", _text, multiple=True),
    "--fail-on": Option("fail_on", _choice(FAIL_ON)),
    "--audio-format": Option("audio_format", _text),
    "--max-audio-bytes": Option("max_audio_bytes", _int(0)),
    "--max-record-bytes": Option("max_record_bytes", _int(1)),
    "--event-pointer": Option("event_pointer", _text),
    "--extend-include": Option("extend_include", _text, multiple=True),
    "--jobs": _JOBS,
    "--statistics": Option("statistics", None),
    "--quiet": _QUIET,
    "--config": Option("config_path", _path(dir_okay=False, allow_dash=False)),
    "--isolated": Option("isolated", None),
}
SHORT: dict[str, Option] = {"-o": _OUTPUT, "-j": _JOBS, "-q": _QUIET}

_read_path = _text  # an input that cannot be read is the run's to report (exit 2), not a usage
# error that stops the other inputs: click.Path(readable=False)


class LintArgs(NamedTuple):
    """A ``lint`` command line read: every parameter's value (defaults filled in) and the
    names of the options the line gave, which a configuration file may not override."""

    values: dict[str, Any]
    given: frozenset[str]


def parse_lint(args: Sequence[str]) -> LintArgs | None:
    """Return the values of a plain ``lint`` command line, or None to leave it to click."""
    if not args or args[0] != "lint" or os.environ.get(COMPLETION_VARIABLE):
        return None
    raw: dict[str, list[str]] = {}
    flags: set[str] = set()
    paths: list[str] = []
    tokens = iter(args[1:])  # not list.pop(0): a hook may pass thousands of paths
    try:
        for arg in tokens:
            if arg == "--":
                paths += tokens
                break
            if arg[:1] != "-" or len(arg) == 1:
                paths.append(arg)
                continue
            name, has_value, explicit = arg.partition("=")
            option = LONG.get(name)
            if option is not None:
                if option.convert is None:
                    if has_value:
                        return None  # click: "Option '--quiet' does not take a value."
                    flags.add(option.name)
                else:
                    raw.setdefault(option.name, []).append(explicit if has_value else next(tokens))
                continue
            if arg[:2] == "--":
                return None  # no such option
            # a cluster of short options: -q, -j2, -qj 2, -o=x (the value "=x", as click)
            for at in range(1, len(arg)):
                short = SHORT.get("-" + arg[at])
                if short is None:
                    return None
                if short.convert is None:
                    flags.add(short.name)
                    continue
                raw.setdefault(short.name, []).append(arg[at + 1 :] or next(tokens))
                break
        values = dict(DEFAULTS)
        for option in LONG.values():
            if option.convert is not None and option.name in raw:
                converted = [option.convert(v) for v in raw[option.name]]
                values[option.name] = tuple(converted) if option.multiple else converted[-1]
            elif option.name in flags:
                values[option.name] = True
        values["paths"] = tuple(_read_path(path) for path in paths)
    except (StopIteration, ValueError):
        return None  # a value missing at the end of the line, or one click would refuse
    return LintArgs(values, frozenset(raw) | frozenset(flags))
