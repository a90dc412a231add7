"""The github format: GitHub Actions workflow commands that become annotations on the files."""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO

from .base import Reporter, clean
from .common import display_path, working_directory

if TYPE_CHECKING:
    from ..core.violation import Violation


def escape_data(text: str) -> str:
    """Return a command's message escaped as the Actions toolkit does (``%``, CR, LF)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Return a command's property value escaped as the Actions toolkit does (adds ``:``, ``,``)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


class GithubReporter(Reporter):
    """``::error file=F,line=L,col=C,title=RT301 name::message``, one command per finding.

    Statistics have no place among workflow commands: the command writes them to stderr."""

    statistics_in_output = False

    def __init__(self, out: TextIO, *, show_statistics: bool = False) -> None:
        super().__init__(out, show_statistics=show_statistics)
        self.cwd = working_directory()

    def note_source(self, name: str) -> None:
        """Accept the name of an input about to be linted (not needed for annotations)."""

    def command(self, violation: Violation) -> str:
        """Return the workflow command of one finding, without the newline."""
        properties: list[tuple[str, str]] = []
        if violation.source is not None:
            properties.append(("file", display_path(violation.source, self.cwd)))
            if violation.line is not None:
                properties.append(("line", str(violation.line)))
                if violation.column is not None:
                    properties.append(("col", str(violation.column)))
        properties.append(("title", f"{violation.rule} {violation.name}"))
        # the file as it is named on disk: undecodable bytes go out as they came in
        props = ",".join(f"{key}={escape_property(value)}" for key, value in properties)
        return f"::{violation.severity.value} {props}::{escape_data(clean(violation.message))}"

    def report(self, violation: Violation) -> None:
        """Write one finding as a workflow command."""
        self.out.write(self.command(violation) + "\n")
