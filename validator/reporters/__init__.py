"""Reporters: each writes findings in one output format; chosen by name from REPORTER_BY_NAME."""

from __future__ import annotations

from .base import Reporter
from .text import JsonLinesReporter, JsonReporter, TextReporter

REPORTER_BY_NAME: dict[str, type[Reporter]] = {
    "text": TextReporter,
    "json": JsonReporter,
    "jsonl": JsonLinesReporter,
}

__all__ = ["REPORTER_BY_NAME", "Reporter"]
