"""The Violation record: one finding, a value that is produced, never raised."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .rules import RULES, Severity


@dataclass(frozen=True, slots=True)
class Violation:
    """One finding: which rule, what is wrong and how to fix it, and where.

    The core (``validate_event``) fills ``rule``, ``message``, ``pointer`` and ``offset``; the
    linter adds ``source``, ``line``, ``column``, ``event_id`` and ``event_type`` with
    ``dataclasses.replace``. ``offset`` is the character index inside the string at
    ``pointer`` where the problem is (for base64 errors), or None.
    """

    rule: str
    message: str
    pointer: str = ""
    source: str | None = None
    line: int | None = None
    column: int | None = None
    event_id: str | None = None
    event_type: str | None = None
    offset: int | None = None

    @property
    def name(self) -> str:
        """Return the rule's kebab-case name, e.g. ``base64-invalid-character``."""
        return RULES[self.rule].name

    @property
    def severity(self) -> Severity:
        """Return the rule's severity."""
        return RULES[self.rule].severity

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
        """Return ``source:line:column`` with the parts that are known."""
        parts = [self.source if self.source is not None else "<event>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)


class InvalidEventError(ValueError):
    """Raised by ``check_event`` when an event has at least one error; carries ``.violations``."""

    def __init__(self, violations: list[Violation]) -> None:
        self.violations = violations
        first = violations[0] if violations else None
        text = f"{first.rule} {first.message}" if first else "invalid event"
        more = f" (and {len(violations) - 1} more)" if len(violations) > 1 else ""
        super().__init__(text + more)
