"""The sarif format: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers."""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from ..rules import RULES
from .base import Reporter, clean

if TYPE_CHECKING:
    from ..statistics import Statistics
    from ..violation import Violation

SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
INFORMATION_URI = "https://pypi.org/project/realtime-validator/"
FINGERPRINT_KEY = "realtimeValidator/v1"
SRCROOT = "%SRCROOT%"
_RULE_INDEX = {code: index for index, code in enumerate(RULES)}


def working_directory() -> str:
    """Return the working directory, or the root when it no longer exists."""
    try:
        return os.getcwd()
    except OSError:
        return os.path.abspath(os.sep)


def relative_path(source: str, cwd: str) -> str | None:
    """Return ``source`` relative to ``cwd`` with forward slashes, or None when it is outside."""
    if source in ("<stdin>", "-"):
        return None
    path = os.path.join(cwd, source)  # an absolute source stays as it is
    for resolve in (os.path.abspath, os.path.realpath):
        try:
            rel = os.path.relpath(resolve(path), resolve(cwd))
        except ValueError:  # another drive on Windows
            continue
        if rel != os.pardir and not rel.startswith(os.pardir + os.sep):
            return Path(rel).as_posix()
    return None


def display_path(source: str, cwd: str) -> str:
    """Return the repository-relative path of ``source`` when inside ``cwd``, else it as given."""
    rel = relative_path(source, cwd)
    return rel if rel is not None else source.replace(os.sep, "/")


def _fingerprint(violation: Violation, uri: str) -> str:
    import hashlib

    # no line number: the fingerprint must survive lines moving up or down between runs
    parts = (violation.rule, uri, violation.pointer, violation.event_id or "", violation.message)
    return hashlib.sha256("\0".join(map(clean, parts)).encode("utf-8")).hexdigest()


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
    """One SARIF 2.1.0 log with one run, written when the run finishes."""

    def __init__(self, out: TextIO, *, show_statistics: bool = False) -> None:
        super().__init__(out, show_statistics=show_statistics)
        self.cwd = working_directory()
        self._results: list[dict[str, Any]] = []
        self._seen: Counter[str] = Counter()

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
            elif violation.source in ("<stdin>", "-"):
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
        digest = _fingerprint(violation, uri)
        # equal findings in one artifact get an occurrence number, as GitHub's own hashes do
        self._seen[digest] += 1
        result["partialFingerprints"] = {FINGERPRINT_KEY: f"{digest}:{self._seen[digest]}"}
        properties = {"pointer": violation.pointer}
        if violation.event_id is not None:
            properties["eventId"] = clean(violation.event_id)
        if violation.event_type is not None:
            properties["eventType"] = clean(violation.event_type)
        result["properties"] = properties
        return result

    def document(self, statistics: Statistics) -> dict[str, Any]:
        """Return the whole SARIF log."""
        from .. import __version__

        invocation: dict[str, Any] = {"executionSuccessful": not statistics.unreadable}
        if statistics.unreadable:
            invocation["toolExecutionNotifications"] = [
                {"level": "error", "message": {"text": f"cannot read {clean(name)}"}}
                for name in statistics.unreadable
            ]
        if self.show_statistics:
            invocation["properties"] = {"statistics": statistics.to_dict()}
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
        return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}

    def finish(self, statistics: Statistics) -> None:
        """Write the SARIF log."""
        text = json.dumps(self.document(statistics), ensure_ascii=False, indent=2)
        self.out.write(clean(text) + "\n")
