"""The full format: each finding's text line, then the line of the input it is on, cut to a
window around the column, and a caret under the character (flake8's ``--show-source``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO

from .excerpt import SourceLines, excerpt, stop_for
from .text import TextReporter, finding_line

if TYPE_CHECKING:
    from ..core.statistics import Statistics
    from ..core.violation import Violation


class FullReporter(TextReporter):
    """``file:line:col: CODE message``, the line (at most 100 characters of it), a caret.

    The input is read again, one file at a time and forward; where it cannot be (standard
    input, a stream, a URL, a file gone), the finding's line stands alone."""

    statistics_in_output = True

    def __init__(self, out: TextIO, *, show_statistics: bool = False) -> None:
        super().__init__(out, show_statistics=show_statistics)
        self.lines = SourceLines()
        self.streams: set[str] = set()  # inputs read from a stream: never read again

    def note_stream(self, name: str) -> None:
        """Take note of an input that came from a stream (--stdin-filename may name a file)."""
        self.streams.add(name)

    def report(self, violation: Violation) -> None:
        """Write one finding's line, and the source line with a caret where it can be read."""
        self.out.write(finding_line(violation, self.marked(violation)))
        if violation.source is None or violation.line is None or violation.source in self.streams:
            return
        column = violation.column
        index = column - 1 if column is not None and column >= 1 else None
        found = self.lines.line(violation.source, violation.line, stop_for(index or 0))
        if found is None:
            return
        shown, caret = excerpt(*found, index)
        self.out.write(shown + "\n")
        if caret is not None:
            self.out.write(caret + "\n")

    def finish(self, statistics: Statistics) -> None:
        """Close the input last read; write the statistics when --statistics asked for them."""
        self.lines.close()
        super().finish(statistics)
