"""realtime-validator: validate OpenAI Realtime API input_audio_buffer.append events."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .check.event import check_event, is_valid, validate_event
from .core.rules import RULES, Rule, Severity
from .core.statistics import Statistics
from .core.version import __version__
from .core.violation import InvalidEventError, Violation
from .engine.linting import LintResult, lint

if TYPE_CHECKING:
    from .fix import Fix, FixResult, fix_event
    from .live.checkpoint import Guard
    from .live.sdk import guard


def __getattr__(name: str) -> Any:
    # SCHEMA is read from the package data on first use, not at import
    if name == "SCHEMA":
        from .check.schema import load_schema

        return load_schema()
    if name in ("Fix", "FixResult", "fix_event"):  # fixing is imported when it is used
        from . import fix

        return getattr(fix, name)
    if name == "guard":  # the live guard: its modules load when it is first used
        from .live.sdk import guard

        return guard
    if name == "Guard":
        from .live.checkpoint import Guard

        return Guard
    raise AttributeError(f"module 'validator' has no attribute {name!r}")


__all__ = [
    "RULES",
    "SCHEMA",
    "Fix",
    "FixResult",
    "Guard",
    "InvalidEventError",
    "LintResult",
    "Rule",
    "Severity",
    "Statistics",
    "Violation",
    "__version__",
    "check_event",
    "fix_event",
    "guard",
    "is_valid",
    "lint",
    "validate_event",
]
