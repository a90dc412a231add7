"""realtime-validator: validate OpenAI Realtime API input_audio_buffer.append events."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .events import check_event, is_valid, validate_event
from .lint import LintResult, lint
from .rules import RULES, Rule, Severity
from .statistics import Statistics
from .violation import InvalidEventError, Violation

if TYPE_CHECKING:
    from .fix import Fix, FixResult, fix_event

__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    # SCHEMA is read from the package data on first use, not at import
    if name == "SCHEMA":
        from .schema import load_schema

        return load_schema()
    if name in ("Fix", "FixResult", "fix_event"):  # fixing is imported when it is used
        from . import fix

        return getattr(fix, name)
    raise AttributeError(f"module 'validator' has no attribute {name!r}")


__all__ = [
    "RULES",
    "SCHEMA",
    "Fix",
    "FixResult",
    "InvalidEventError",
    "LintResult",
    "Rule",
    "Severity",
    "Statistics",
    "Violation",
    "__version__",
    "check_event",
    "fix_event",
    "is_valid",
    "lint",
    "validate_event",
]
