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

import os
import stat
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from .options import CHOICE, DEFAULTS, FLAG, INT, PATH, SPECS, Spec

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
    """One option of ``lint`` as the reader takes it: its parameter name, how its value is
    converted (None: a flag, which gives ``value``), and whether it may be repeated."""

    name: str
    convert: Callable[[str], Any] | None
    multiple: bool = False
    value: bool = True


def _converter(spec: Spec) -> Callable[[str], Any] | None:
    if spec.kind == FLAG:
        return None
    if spec.kind == CHOICE:
        return _choice(spec.choices)
    if spec.kind == INT:
        return _int(spec.minimum)
    if spec.kind == PATH:
        return _path(dir_okay=spec.dir_okay, allow_dash=spec.dash)
    return _text


def _table() -> tuple[dict[str, Option], dict[str, Option]]:
    """Return the long and the short options, read from ``options.SPECS``."""
    long: dict[str, Option] = {}
    short: dict[str, Option] = {}
    for spec in SPECS:
        option = Option(spec.name, _converter(spec), spec.multiple)
        for flag in spec.flags:
            (long if flag.startswith("--") else short)[flag] = option
        if spec.off is not None:
            long[spec.off] = option._replace(value=False)
    return long, short


LONG, SHORT = _table()

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
    flags: dict[str, bool] = {}  # a flag's value: the last of a pair given wins
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
                    flags[option.name] = option.value
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
                    flags[short.name] = short.value
                    continue
                raw.setdefault(short.name, []).append(arg[at + 1 :] or next(tokens))
                break
        values = dict(DEFAULTS)
        for option in LONG.values():
            if option.convert is not None and option.name in raw:
                converted = [option.convert(v) for v in raw[option.name]]
                values[option.name] = tuple(converted) if option.multiple else converted[-1]
            elif option.name in flags:
                values[option.name] = flags[option.name]
        values["paths"] = tuple(_read_path(path) for path in paths)
    except (StopIteration, ValueError):
        return None  # a value missing at the end of the line, or one click would refuse
    return LintArgs(values, frozenset(raw) | frozenset(flags))
