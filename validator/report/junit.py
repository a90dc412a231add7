"""The junit format: JUnit XML as ESLint and ruff write it, one test suite per input file."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, TextIO

from .base import Reporter, clean

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

    from ..core.statistics import Statistics
    from ..core.violation import Violation

PASSING_NAME = "no findings"
# XML 1.0 cannot hold these characters at all, not even as character references
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(text: str) -> str:
    """Return ``text`` with characters XML 1.0 cannot carry written as ``\\xNN`` escapes."""
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", clean(text))


class JunitReporter(Reporter):
    """``<testsuites>``: a failing test case per finding, a passing one per clean input."""

    statistics_in_output = False

    def __init__(self, out: TextIO, *, show_statistics: bool = False) -> None:
        super().__init__(out, show_statistics=show_statistics)
        self.sources: list[str] = []
        self._findings: dict[str, list[Violation]] = {}

    def note_source(self, name: str) -> None:
        """Remember an input that is linted, so that a clean one still shows as a passing test."""
        if name not in self._findings:
            self.sources.append(name)
            self._findings[name] = []

    def report(self, violation: Violation) -> None:
        """Keep one finding for its file's test suite."""
        source = violation.source if violation.source is not None else "<event>"
        if source not in self._findings:
            self.sources.append(source)
            self._findings[source] = []
        self._findings[source].append(violation)

    def document(self, statistics: Statistics) -> Element:
        """Return the ``<testsuites>`` element."""
        from xml.etree.ElementTree import Element, SubElement

        unreadable = set(statistics.unreadable)
        for name in statistics.unreadable:
            if name not in self._findings:
                self.sources.append(name)
                self._findings[name] = []
        root = Element("testsuites", name="realtime-validator")
        totals = {"tests": 0, "failures": 0, "errors": 0}
        for source in self.sources:
            findings = self._findings[source]
            suite = SubElement(root, "testsuite", name=xml_text(source))
            counts = {"tests": 0, "failures": 0, "errors": 0}
            for v in findings:
                location = v.location()
                case = SubElement(
                    suite,
                    "testcase",
                    name=f"{v.rule} {v.name}",
                    classname=xml_text(location),
                    file=xml_text(source),
                )
                if v.line is not None:
                    case.set("line", str(v.line))
                failure = SubElement(
                    case, "failure", message=xml_text(v.message), type=v.severity.value
                )
                details = [f"{location}: {v.rule} {v.message}"]
                if v.pointer:
                    details.append(f"pointer: {v.pointer}")
                if v.event_id is not None:
                    details.append(f"event_id: {v.event_id}")
                failure.text = xml_text("\n".join(details))
                counts["tests"] += 1
                counts["failures"] += 1
            if source in unreadable:
                case = SubElement(
                    suite,
                    "testcase",
                    name="read",
                    classname=xml_text(source),
                    file=xml_text(source),
                )
                SubElement(
                    case, "error", message=xml_text(f"cannot read {source}"), type="unreadable"
                )
                counts["tests"] += 1
                counts["errors"] += 1
            elif not findings:
                SubElement(
                    suite,
                    "testcase",
                    name=PASSING_NAME,
                    classname=xml_text(source),
                    file=xml_text(source),
                )
                counts["tests"] += 1
            for key, value in counts.items():
                suite.set(key, str(value))
                totals[key] += value
        for key, value in totals.items():
            root.set(key, str(value))
        return root

    def finish(self, statistics: Statistics) -> None:
        """Write the XML document."""
        from xml.etree.ElementTree import indent, tostring

        root = self.document(statistics)
        indent(root)
        self.out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        self.out.write(tostring(root, encoding="unicode") + "\n")
