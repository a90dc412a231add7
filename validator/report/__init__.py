"""Reporters: each writes findings in one output format; chosen by name from REPORTER_BY_NAME.

The registry imports a reporter's module when it is first asked for, so that a text run does
not pay for the XML and SARIF machinery at start-up.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping

from .base import Reporter

_WHERE = {
    "text": ("text", "TextReporter"),
    "full": ("full", "FullReporter"),
    "grouped": ("grouped", "GroupedReporter"),
    "json": ("text", "JsonReporter"),
    "jsonl": ("text", "JsonLinesReporter"),
    "sarif": ("sarif", "SarifReporter"),
    "github": ("github", "GithubReporter"),
    "gitlab": ("gitlab", "GitlabReporter"),
    "junit": ("junit", "JunitReporter"),
}


class _Registry(Mapping[str, type[Reporter]]):
    """Format name -> reporter class, imported on first use."""

    def __getitem__(self, name: str) -> type[Reporter]:
        module, attribute = _WHERE[name]
        cls: type[Reporter] = getattr(importlib.import_module(f"{__name__}.{module}"), attribute)
        return cls

    def __iter__(self) -> Iterator[str]:
        return iter(_WHERE)

    def __len__(self) -> int:
        return len(_WHERE)


REPORTER_BY_NAME: Mapping[str, type[Reporter]] = _Registry()

__all__ = ["REPORTER_BY_NAME", "Reporter"]
