"""The Violation record: one finding, a value that is produced, never raised."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from .rules import RULES, Severity
from .shape import LazyFields, shown

if TYPE_CHECKING:
    from dataclasses import Field


_FIELDS = ("rule", "message", "pointer", "source", "line", "column", "event_id", "event_type",
           "offset", "level", "name", "severity")  # fmt: skip
_SHOWN = _FIELDS[:9]  # repr: not level, name or severity
_set = object.__setattr__


class Violation:
    """One finding: which rule, what is wrong and how to fix it, and where.

    The core (``validate_event``) fills ``rule``, ``message``, ``pointer`` and ``offset``; the
    linter adds ``source``, ``line``, ``column``, ``event_id`` and ``event_type`` with
    ``dataclasses.replace``. ``offset`` is the character index inside the string at
    ``pointer`` where the problem is (for base64 errors), or None. ``level``: the finding's
    own severity where its evidence sets it (``Rule.graded``: the audio-signal rules), else
    None, and ``severity`` is the rule's.

    Immutable, compared and hashed by its fields, and a dataclass to ``dataclasses``
    (``fields``, ``replace``, ``asdict``): written out by hand, as a frozen slotted dataclass
    would be, because ``dataclasses`` costs more start-up than a bare interpreter
    (``core.shape``). ``name`` and ``severity`` are the rule's kebab-case name and severity,
    set from the catalogue: fields, not properties, so that ``dataclasses.asdict()`` holds
    every key the json formats write.
    """

    __slots__ = _FIELDS
    __match_args__ = ("rule", "message", "pointer", "source", "line", "column", "event_id",
                      "event_type", "offset", "level")  # fmt: skip

    rule: str
    message: str
    pointer: str
    source: str | None
    line: int | None
    column: int | None
    event_id: str | None
    event_type: str | None
    offset: int | None
    level: Severity | None
    name: str
    severity: Severity

    if TYPE_CHECKING:
        __dataclass_fields__: ClassVar[dict[str, Field[Any]]]
    else:
        __dataclass_fields__ = LazyFields(lambda: _twin())

    def __init__(
        self,
        rule: str,
        message: str,
        pointer: str = "",
        source: str | None = None,
        line: int | None = None,
        column: int | None = None,
        event_id: str | None = None,
        event_type: str | None = None,
        offset: int | None = None,
        level: Severity | None = None,
    ) -> None:
        _set(self, "rule", rule)
        _set(self, "message", message)
        _set(self, "pointer", pointer)
        _set(self, "source", source)
        _set(self, "line", line)
        _set(self, "column", column)
        _set(self, "event_id", event_id)
        _set(self, "event_type", event_type)
        _set(self, "offset", offset)
        known = RULES[rule]
        _set(self, "name", known.name)
        if level is None:
            _set(self, "level", None)
            _set(self, "severity", known.severity)
        else:  # a string where it was decoded from JSON (--jobs, Dask)
            level = Severity(level)
            _set(self, "level", level)
            _set(self, "severity", level)

    def _values(self) -> tuple[Any, ...]:
        return (self.rule, self.message, self.pointer, self.source, self.line, self.column,
                self.event_id, self.event_type, self.offset, self.level, self.name,
                self.severity)  # fmt: skip

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        return shown(self, _SHOWN)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}")

    def __reduce__(self) -> tuple[type[Violation], tuple[Any, ...]]:
        return Violation, self._values()[:10]

    def to_dict(self) -> dict[str, Any]:
        """Return the finding as the JSON object that the json and jsonl formats write."""
        return {
            "rule": self.rule,
            "name": self.name,
            "severity": self.severity.value,
            "message": self.message,
            "source": self.source,
            "line": self.line,
            "column": self.column,
            "pointer": self.pointer,
            "event_id": self.event_id,
            "event_type": self.event_type,
        }

    def location(self) -> str:
        """Return ``source:line:column`` with the parts that are known, on one line."""
        parts = [printable(self.source) if self.source is not None else "<event>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)


_CONTROL = re.compile("[\x00-\x1f\x7f]")
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(name: str) -> str:
    """Return a file name for one line of text output: control characters (a newline, an
    escape sequence) written as ``\\n`` or ``\\x1b``. Undecodable bytes (lone surrogates,
    ``surrogateescape``) are left for the stream, which writes them back as they were."""
    if name.isprintable():
        return name
    return _CONTROL.sub(lambda m: _ESCAPES.get(m.group(), f"\\x{ord(m.group()):02x}"), name)


MAX_PER_RULE = 50
"""Findings of one rule kept per record; the rest are counted in one more finding."""


def capped(
    found: Iterable[Violation], uncounted: Mapping[str, int] | None = None
) -> list[Violation]:
    """Return the first ``MAX_PER_RULE`` findings of each rule, and for a rule with more, one
    finding at the first one left out that counts them ("and 3,999,950 more RT104").

    ``found`` is consumed lazily: a record with millions of findings never holds them all.
    ``uncounted``: findings of a rule its source only counted, beyond those in ``found``
    (which then holds more than ``MAX_PER_RULE`` of that rule: the first left out is there).
    """
    kept: list[Violation] = []
    counts: dict[str, int] = {}
    first_over: dict[str, Violation] = {}
    for v in found:
        n = counts.get(v.rule, 0)
        counts[v.rule] = n + 1
        if n < MAX_PER_RULE:
            kept.append(v)
        elif n == MAX_PER_RULE:
            first_over[v.rule] = v
    for rule, v in first_over.items():
        more = counts[rule] + (uncounted or {}).get(rule, 0) - MAX_PER_RULE
        kept.append(
            Violation(
                rule,
                f"and {more:,} more {rule} finding{'' if more == 1 else 's'} in this record, "
                f"from here on ({RULES[rule].name}); fix the ones above and lint again",
                pointer=v.pointer,
                offset=v.offset,
            )
        )
    return kept


def _twin() -> type:
    """The frozen dataclass ``Violation`` was: its fields are ``Violation``'s."""
    from dataclasses import dataclass, field

    @dataclass(frozen=True)
    class Violation:
        rule: str
        message: str
        pointer: str = ""
        source: str | None = None
        line: int | None = None
        column: int | None = None
        event_id: str | None = None
        event_type: str | None = None
        offset: int | None = None
        level: Severity | None = field(default=None, repr=False)
        name: str = field(init=False, default="", repr=False)
        severity: Severity = field(init=False, default=Severity.ERROR, repr=False)

    return Violation


class InvalidEventError(ValueError):
    """Raised by ``check_event`` when an event has at least one error; carries ``.violations``."""

    def __init__(self, violations: list[Violation]) -> None:
        self.violations = violations
        first = violations[0] if violations else None
        text = f"{first.rule} {first.message}" if first else "invalid event"
        more = f" (and {len(violations) - 1} more)" if len(violations) > 1 else ""
        super().__init__(text + more)
