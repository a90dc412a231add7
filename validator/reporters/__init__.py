"""Reporters: each writes findings in one output format; chosen by name from REPORTER_BY_NAME."""

from __future__ import annotations

from .base import Reporter
from .github import GithubReporter
from .junit import JunitReporter
from .sarif import SarifReporter
from .text import JsonLinesReporter, JsonReporter, TextReporter

REPORTER_BY_NAME: dict[str, type[Reporter]] = {
    "text": TextReporter,
    "json": JsonReporter,
    "jsonl": JsonLinesReporter,
    "sarif": SarifReporter,
    "github": GithubReporter,
    "junit": JunitReporter,
}

__all__ = ["REPORTER_BY_NAME", "Reporter"]
