"""``Options``: how to lint, and the one builder of them that ``lint()``, the command line and
Dask share: the audio format spelled as the API spells it, the limits, and the rules enabled."""

from collections.abc import Iterable
from typing import NamedTuple

from ..check.audio import MAX_AUDIO_BYTES
from ..core.formats import normalize_format
from ..core.record import DEFAULT_MAX_RECORD_BYTES
from ..core.rules import RULES, enabled_rules, unknown_patterns

Codes = Iterable[str] | str | None
"""Rule codes, names or prefixes: a string is one comma-separated list ("RT301", "RT3,RT4")."""


class Options(NamedTuple):  # not a dataclass: making one costs a millisecond of start-up
    """How to lint: which rules, which limits, the starting audio format."""

    audio_format: str = "pcm16"
    max_audio_bytes: int = MAX_AUDIO_BYTES
    max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES
    enabled: frozenset[str] = frozenset(RULES)
    fast: bool = True  # False: every record takes the slow road (the differential tests' twin)


class OptionError(ValueError):
    """An option's value makes no run. ``option`` names it (``select``, ``audio_format``);
    ``given`` is what was given; ``unknown`` the codes that match no rule (empty: the value
    names no rule at all, or, for the audio format, is not one). Each caller words it."""

    def __init__(self, message: str, option: str, given: object, unknown: tuple[str, ...]) -> None:
        super().__init__(message)
        self.option = option
        self.given = given
        self.unknown = unknown


def split_values(values: Iterable[str]) -> tuple[str, ...]:
    """Return the values of ``--select RT3,RT4 --select RT5`` (or of globs): comma-separated,
    repeatable, blanks dropped."""
    return tuple(p.strip() for v in values for p in v.split(",") if p.strip())


def rule_codes(given: Codes, option: str) -> tuple[str, ...]:
    """Return ``given`` as codes; raise OptionError for a value that names nothing or no
    rule, and TypeError for one that is not made of strings."""
    if given is None:
        return ()
    items = [given] if isinstance(given, str) else list(given)
    if not all(isinstance(item, str) for item in items):
        raise TypeError(f"{option} takes rule codes as strings, not {items!r}")
    codes = split_values(items)
    if items and not codes:
        raise OptionError(f"{option}={given!r} names no rule", option, given, ())
    bad = unknown_patterns(codes)
    if bad:
        raise OptionError(
            f"{option}: no rule matches {', '.join(map(repr, bad))}", option, given, tuple(bad)
        )
    return codes


def build_options(
    audio_format: str = "pcm16",
    max_audio_bytes: int | None = None,
    max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES,
    select: Codes = None,
    ignore: Codes = None,
    extend_select: Codes = None,
    extend_ignore: Codes = None,
    base_select: Iterable[str] = (),
    base_ignore: Iterable[str] = (),
) -> Options:
    """Return the ``Options`` these values say; raise OptionError (a ValueError) for an audio
    format or a rule code that names nothing.

    ``base_select``/``base_ignore`` are a configuration file's, under the others (ruff's
    order: ``core.rules.enabled_rules``); ``max_audio_bytes`` None is the API's 15 MiB."""
    try:
        fmt = normalize_format(audio_format)
    except ValueError as exc:
        raise OptionError(str(exc), "audio_format", audio_format, ()) from exc
    enabled = enabled_rules(
        rule_codes(select, "select"),
        rule_codes(ignore, "ignore"),
        rule_codes(extend_select, "extend_select"),
        rule_codes(extend_ignore, "extend_ignore"),
        tuple(base_select),
        tuple(base_ignore),
    )
    audio = MAX_AUDIO_BYTES if max_audio_bytes is None else max_audio_bytes
    return Options(fmt, audio, max_record_bytes, enabled)
