"""The sarif format: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from ..core.install import REPOSITORY
from ..core.rules import RULES
from .base import Reporter, clean
from .common import STDIN_NAMES, Occurrences, content_digest, relative_path, working_directory

if TYPE_CHECKING:
    from ..core.statistics import Statistics
    from ..core.violation import Violation

SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
INFORMATION_URI = REPOSITORY
FINGERPRINT_KEY = "realtimeValidator/v1"
SRCROOT = "%SRCROOT%"
_RULE_INDEX = {code: index for index, code in enumerate(RULES)}


def _rule_descriptor(code: str) -> dict[str, Any]:
    rule = RULES[code]
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": " ".join(rule.explanation.split())},
        "help": {"text": rule.page()},
        "defaultConfiguration": {"level": rule.severity.value},
    }


class SarifReporter(Reporter):
    """One SARIF 2.1.0 log with one run, written when the run finishes.

    With ``--statistics`` the run's property bag holds them: ``properties.statistics``, the
    object the json format writes."""

    statistics_in_output = True

    def __init__(self, out: TextIO, *, show_statistics: bool = False) -> None:
        super().__init__(out, show_statistics=show_statistics)
        self.cwd = working_directory()
        self._results: list[dict[str, Any]] = []
        self._occurrences = Occurrences()

    def note_source(self, name: str) -> None:
        """Accept the name of an input about to be linted (not needed for SARIF)."""

    def report(self, violation: Violation) -> None:
        """Keep one finding as a SARIF result."""
        self._results.append(self.result(violation))

    def result(self, violation: Violation) -> dict[str, Any]:
        """Return the SARIF result object of one finding."""
        result: dict[str, Any] = {
            "ruleId": violation.rule,
            "ruleIndex": _RULE_INDEX[violation.rule],
            "level": violation.severity.value,
            "message": {"text": clean(violation.message)},
        }
        uri = ""
        if violation.source is not None:
            from urllib.parse import quote  # here, not at import: start-up time counts

            artifact: dict[str, Any]
            rel = relative_path(violation.source, self.cwd)
            if rel is not None:
                uri = quote(clean(rel), safe="/")
                artifact = {"uri": uri, "uriBaseId": SRCROOT}
            elif violation.source in STDIN_NAMES:
                uri = violation.source
                artifact = {"uri": uri}
            else:
                uri = quote(clean(violation.source).replace(os.sep, "/"), safe="/:")
                artifact = {"uri": uri}
            physical: dict[str, Any] = {"artifactLocation": artifact}
            if violation.line is not None and violation.line >= 1:
                region = {"startLine": violation.line}
                if violation.column is not None and violation.column >= 1:
                    region["startColumn"] = violation.column
                physical["region"] = region
            result["locations"] = [{"physicalLocation": physical}]
        digest = content_digest(violation, uri)
        # equal findings in one artifact get an occurrence number, as GitHub's own hashes do
        number = self._occurrences.number(digest)
        result["partialFingerprints"] = {FINGERPRINT_KEY: f"{digest}:{number}"}
        properties = {"pointer": violation.pointer}
        if violation.event_id is not None:
            properties["eventId"] = clean(violation.event_id)
        if violation.event_type is not None:
            properties["eventType"] = clean(violation.event_type)
        result["properties"] = properties
        return result

    def document(self, statistics: Statistics) -> dict[str, Any]:
        """Return the whole SARIF log."""
        from ..core.version import __version__

        invocation: dict[str, Any] = {"executionSuccessful": not statistics.unreadable}
        if statistics.unreadable:
            invocation["toolExecutionNotifications"] = [
                {"level": "error", "message": {"text": f"cannot read {clean(name)}"}}
                for name in statistics.unreadable
            ]
        run: dict[str, Any] = {
            "tool": {
                "driver": {
                    "name": "realtime-validator",
                    "version": __version__,
                    "semanticVersion": __version__,
                    "informationUri": INFORMATION_URI,
                    "rules": [_rule_descriptor(code) for code in RULES],
                }
            },
            "invocations": [invocation],
            "originalUriBaseIds": {SRCROOT: {"uri": Path(self.cwd).as_uri().rstrip("/") + "/"}},
            "columnKind": "unicodeCodePoints",
            "results": self._results,
        }
        if self.show_statistics:
            run["properties"] = {"statistics": statistics.to_dict()}
        return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}

    def finish(self, statistics: Statistics) -> None:
        """Write the SARIF log."""
        text = json.dumps(self.document(statistics), ensure_ascii=False, indent=2)
        self.out.write(clean(text) + "\n")
