"""``[tool.realtime-validator]`` in ``pyproject.toml``: find it, read it, check every value.

Like ruff, the first ``pyproject.toml`` that has the table, walking up from the working
directory, is the configuration; ``--config FILE`` names one and ``--isolated`` ignores them
all. Nothing here imports click: the command line merges these values under its own options.

The search walks directories with ``os.path``: pathlib (with fnmatch, urllib.parse and
ipaddress under it, some 4 ms of start-up) is imported only once a file is found or named.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..core.formats import normalize_format
from ..core.jsontext import is_pointer
from ..core.rules import RULES, select_rules, unknown_patterns
from ..core.shape import shown
from .options import CHOICE, CODES, FLAG, GLOBS, INT, PATH, SPEC_BY_NAME, SPECS, Spec

if TYPE_CHECKING:
    from pathlib import Path

TABLE = "realtime-validator"
FILENAME = "pyproject.toml"
KEYS = (*(key for spec in SPECS for key in spec.keys), "per-file-ignores")
"""The table's keys: the options' (``options.SPECS``, each alias after its key), then
``per-file-ignores``."""


class ConfigError(ValueError):
    """A configuration file that cannot be read or holds a wrong key or value."""


class Config:
    """The settings of one configuration file.

    ``values``: what the file sets, by the ``lint`` command's parameter names (``output`` is
    resolved against the file's directory; "-" stays standard output);
    ``per_file_ignores`` keeps the table's order as (glob, patterns) pairs.

    Immutable and compared by value; not a dataclass: ``dataclasses`` costs more start-up
    than a bare interpreter (``core.shape``), and every run makes a ``Config``.
    """

    __slots__ = ("path", "per_file_ignores", "values")

    values: Mapping[str, Any]
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] | None
    path: Path | None

    def __init__(
        self,
        values: Mapping[str, Any] | None = None,
        per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] | None = None,
        path: Path | None = None,
    ) -> None:
        object.__setattr__(self, "values", {} if values is None else values)
        object.__setattr__(self, "per_file_ignores", per_file_ignores)
        object.__setattr__(self, "path", path)

    def _values(self) -> tuple[Any, ...]:
        return (self.values, self.per_file_ignores, self.path)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._values() == other._values()

    __hash__ = None  # type: ignore[assignment]  # its values are a dict

    def __repr__(self) -> str:
        return shown(self, ("values", "per_file_ignores", "path"))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r}")

    def get(self, name: str, default: Any = None) -> Any:
        """Return the value the file sets for parameter ``name``, or ``default``."""
        return self.values.get(name, default)

    def option_values(self) -> dict[str, Any]:
        """Return the set values of the options other than rule selection (see
        ``engine.options.build_options``), keyed by the ``lint`` command's parameter names."""
        return {name: v for name, v in self.values.items() if SPEC_BY_NAME[name].kind != CODES}


def load_config(
    start: str | os.PathLike[str] | None,
    explicit: str | os.PathLike[str] | None = None,
    isolated: bool = False,
) -> Config:
    """Return the configuration for a run in ``start``: found, named, or none; raise ConfigError.

    ``start`` None: the working directory was removed under the run, and there is nothing to
    search from.
    """
    if isolated:
        if explicit is not None:
            raise ConfigError("--config and --isolated cannot be used together")
        return Config()
    if explicit is not None:
        return _load_explicit(explicit)
    if start is None:
        return Config()
    found = find_config(start)
    if found is None:
        return Config()
    path, table = found
    return parse_table(table, path)


def find_config(start: str | os.PathLike[str]) -> tuple[Path, Mapping[str, Any]] | None:
    """Return the first ``pyproject.toml`` at or above ``start`` with the table, and the table."""
    # the walk of Path.absolute() and its parents, in os.path: see the module's docstring
    here = os.fspath(start)
    if not os.path.isabs(here):
        here = os.path.join(os.getcwd(), here)
    if os.path.isfile(here):
        here = os.path.dirname(here)
    while True:
        candidate = os.path.join(here, FILENAME)
        if os.path.isfile(candidate):
            text = _read(candidate)
            # a file that never names the table cannot hold it: skip it unparsed, so that an
            # unrelated broken pyproject.toml further up does not break the run, and a
            # project's own pyproject.toml (which may name the package) costs no TOML parse
            if _may_hold_table(text):
                from pathlib import Path

                path = Path(candidate)
                table = _tool_table(_parse(text, path))
                if table is not None:
                    return path, table
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent


def _may_hold_table(text: str) -> bool:
    """Return False when ``text`` cannot hold the table: neither ``tool.realtime-validator``
    (a header or dotted keys) nor a ``[tool]`` table with a ``realtime-validator`` key."""
    if f"tool.{TABLE}" in text or f'tool."{TABLE}"' in text:
        return True
    return TABLE in text and "[tool]" in text


def parse_table(table: Mapping[str, Any], path: Path | None = None) -> Config:
    """Return the Config of a ``[tool.realtime-validator]`` table; raise ConfigError."""
    where = f"[tool.{TABLE}] in {path}" if path is not None else f"[tool.{TABLE}]"
    unknown = [key for key in table if key not in KEYS]
    if unknown:
        key = unknown[0]
        import difflib

        close = difflib.get_close_matches(key.replace("_", "-"), KEYS, n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]!r}?" if close else f"; valid keys: {', '.join(KEYS)}"
        raise ConfigError(f"{where}: unknown key {key!r}{hint}")
    base = path.parent if path is not None else None

    values: dict[str, Any] = {}
    for spec in SPECS:
        given = [key for key in spec.keys if key in table]
        if len(given) > 1:
            raise ConfigError(f"{where}: {' and '.join(given)} set the same option; keep one")
        if given:
            values[spec.name] = _value(spec, table[given[0]], f"{where}: {given[0]}", base)
    return Config(values=values, per_file_ignores=_per_file_ignores(table, where), path=path)


def _value(spec: Spec, value: Any, where: str, base: Path | None) -> Any:
    """Return a table's value for the option ``spec``, checked; raise ConfigError."""
    if spec.kind == CODES:
        return _patterns(value, where)
    if spec.kind == GLOBS:
        if not isinstance(value, list) or not all(isinstance(g, str) and g for g in value):
            raise ConfigError(f"{where} must be a list of globs, not {_kind(value)}")
        return tuple(value)
    if spec.kind == FLAG:
        if not isinstance(value, bool):
            raise ConfigError(f"{where} must be true or false, not {_kind(value)}")
        return value
    if spec.kind == INT:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{where} must be an integer, not {_kind(value)}")
        if value < spec.minimum:
            raise ConfigError(f"{where} = {value} must be at least {spec.minimum}")
        return value
    if not isinstance(value, str) or not value:
        what = "a file name" if spec.kind == PATH else "a string"
        raise ConfigError(f"{where} must be {what}, not {_kind(value)}")
    if spec.kind == CHOICE and value not in spec.choices:
        raise ConfigError(f"{where} = {value!r} is not one of {', '.join(map(repr, spec.choices))}")
    if spec.kind == PATH:
        return value if value == "-" or base is None else os.path.join(base, value)
    if spec.name == "audio_format":
        try:
            normalize_format(value)
        except ValueError as exc:
            raise ConfigError(f"{where}: {exc}") from exc
    if spec.name == "event_pointer" and not is_pointer(value):
        raise ConfigError(f"{where} = {value!r} is not a JSON pointer: it starts with '/'")
    return value


def per_file_ignored(config: Config, source_path: str) -> frozenset[str]:
    """Return the codes that ``per-file-ignores`` turns off for the input ``source_path``.

    Globs are fnmatch patterns over the path relative to the configuration file's directory
    (the working directory for a Config without a file), with forward slashes; ``*`` also
    crosses ``/``, and a glob without ``/`` also matches the file name in any directory.
    """
    if not config.per_file_ignores or source_path in ("-", "<stdin>"):
        return frozenset()
    import fnmatch
    from pathlib import Path, PurePosixPath  # imported here: see the module's docstring

    base = config.path.parent if config.path is not None else Path.cwd()
    absolute = os.path.abspath(source_path)
    try:
        relative = os.path.relpath(absolute, base.absolute())
    except ValueError:  # another drive on Windows
        relative = absolute
    rel = PurePosixPath(Path(relative).as_posix())
    ignored: list[str] = []
    for glob, patterns in config.per_file_ignores:
        glob = glob.removeprefix("./")
        if fnmatch.fnmatchcase(str(rel), glob) or (
            "/" not in glob and fnmatch.fnmatchcase(rel.name, glob)
        ):
            ignored.extend(patterns)
    if not ignored:
        return frozenset()
    return frozenset(RULES) - select_rules((), ignored)


def _load_explicit(explicit: str | os.PathLike[str]) -> Config:
    from pathlib import Path  # imported here: see the module's docstring

    path = Path(explicit)
    document = _parse(_read(path), path)
    table = _tool_table(document)
    if table is not None:
        return parse_table(table, path)
    if path.name == FILENAME:
        raise ConfigError(f"{path} has no [tool.{TABLE}] table")
    # any other file (e.g. realtime-validator.toml) holds the keys at its top level
    return parse_table(document, path)


def _read(path: str | Path) -> str:
    try:
        with open(path, encoding="utf-8") as file:
            return file.read()
    except FileNotFoundError:
        raise ConfigError(f"configuration file {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise ConfigError(f"cannot read configuration file {path}: {reason}") from None


def _parse(text: str, path: Path) -> dict[str, Any]:
    import tomllib  # only once a file that names the tool is found

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"cannot parse {path}: {exc}") from None


def _tool_table(document: Mapping[str, Any]) -> Mapping[str, Any] | None:
    tool = document.get("tool")
    if not isinstance(tool, dict):
        return None
    table = tool.get(TABLE)
    if table is None:
        return None
    if not isinstance(table, dict):
        raise ConfigError(f"tool.{TABLE} must be a table, not {_kind(table)}")
    return table


def _patterns(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{where} must be a list of strings, not {_kind(value)}")
    bad = unknown_patterns(value)
    if bad:
        import difflib

        close = difflib.get_close_matches(
            bad[0], [*RULES, *(r.name for r in RULES.values())], n=1, cutoff=0.6
        )
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise ConfigError(f"{where}: no rule matches {bad[0]!r}{hint}")
    return tuple(value)


def _per_file_ignores(
    table: Mapping[str, Any], where: str
) -> tuple[tuple[str, tuple[str, ...]], ...] | None:
    if "per-file-ignores" not in table:
        return None
    value = table["per-file-ignores"]
    if not isinstance(value, dict):
        raise ConfigError(
            f"{where}: per-file-ignores must be a table of glob = [codes], not {_kind(value)}"
        )
    return tuple(
        (glob, _patterns(codes, f"{where}: per-file-ignores {glob!r}"))
        for glob, codes in value.items()
    )


def _kind(value: Any) -> str:
    """Name a TOML value's type the way the TOML spec does, and show the value."""
    names = {
        bool: "boolean",
        int: "integer",
        float: "float",
        str: "string",
        list: "array",
        dict: "table",
    }
    shown = json.dumps(value, ensure_ascii=False, default=str)
    if len(shown) > 40:
        shown = shown[:37] + "..."
    return f"{names.get(type(value), type(value).__name__)} {shown}"
