"""The gitlab format: a GitLab Code Quality report (``artifacts:reports:codequality``).

A JSON array of issues with the fields GitLab reads (``description``, ``check_name``,
``fingerprint``, ``severity``, ``location.path``, ``location.lines.begin``). GitLab keeps one
issue per fingerprint and tells new issues from old ones by it, so the fingerprint is what
the finding is (rule, path, pointer, event id, message: ``common.content_digest``) with no
line number in it, and equal findings in one file are told apart by their occurrence.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, TextIO

from .base import Reporter, clean
from .common import Occurrences, content_digest, display_path, working_directory

if TYPE_CHECKING:
    from ..core.statistics import Statistics
    from ..core.violation import Violation

SEVERITY = {"error": "major", "warning": "minor"}
"""GitLab's severity (info, minor, major, critical, blocker) of each of ours."""
NO_FILE = "<event>"


class GitlabReporter(Reporter):
    """A Code Quality JSON array, written when the run finishes."""

    statistics_in_output = False

    def __init__(self, out: TextIO, *, show_statistics: bool = False) -> None:
        super().__init__(out, show_statistics=show_statistics)
        self.cwd = working_directory()
        self._issues: list[dict[str, Any]] = []
        self._occurrences = Occurrences()

    def issue(self, violation: Violation) -> dict[str, Any]:
        """Return the Code Quality issue of one finding."""
        path = NO_FILE if violation.source is None else display_path(violation.source, self.cwd)
        digest = content_digest(violation, path)
        number = self._occurrences.number(digest)
        import hashlib

        fingerprint = hashlib.sha256(f"{digest}:{number}".encode("ascii")).hexdigest()
        line = violation.line if violation.line is not None and violation.line >= 1 else 1
        return {
            "description": violation.message,
            "check_name": f"{violation.rule} {violation.name}",
            "fingerprint": fingerprint,
            "severity": SEVERITY[violation.severity.value],
            "location": {"path": path, "lines": {"begin": line}},
        }

    def report(self, violation: Violation) -> None:
        """Keep one finding as an issue."""
        self._issues.append(self.issue(violation))

    def finish(self, statistics: Statistics) -> None:
        """Write the JSON array."""
        text = json.dumps(self._issues, ensure_ascii=False, indent=2)
        self.out.write(clean(text) + "\n")
