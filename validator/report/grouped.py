"""The grouped format: each file's name once, its findings indented under it (ruff's grouped).

```
logs/capture.jsonl:
  9:184    RT301  [*] audio is not valid base64: ...
  36:1     RT401  commit with 40 ms of audio ...
  37:7756  RT203  unknown property 'timestamp' ...

logs/other.jsonl:
  3:48  RT305  audio is empty: ...
```
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO

from ..core.violation import printable
from .base import statistics_lines
from .text import FIXABLE, TextReporter

if TYPE_CHECKING:
    from ..core.statistics import Statistics
    from ..core.violation import Violation

NO_FILE = "<event>"


class GroupedReporter(TextReporter):
    """A file's findings are kept until the next file starts, to align their places."""

    statistics_in_output = True

    def __init__(self, out: TextIO, *, show_statistics: bool = False) -> None:
        super().__init__(out, show_statistics=show_statistics)
        self._source: str | None = None
        self._rows: list[tuple[str, str, str]] = []  # (line:column, rule, message)
        self._groups = 0

    def report(self, violation: Violation) -> None:
        """Keep one finding under its file; a finding of another file writes the last one."""
        source = violation.source if violation.source is not None else NO_FILE
        if source != self._source:
            self._write_group()
            self._source = source
        place = "" if violation.line is None else str(violation.line)
        if violation.line is not None and violation.column is not None:
            place += f":{violation.column}"
        mark = FIXABLE if self.marked(violation) else ""
        self._rows.append((place, violation.rule, mark + violation.message))

    def _write_group(self) -> None:
        if self._source is None or not self._rows:
            return
        if self._groups:
            self.out.write("\n")
        self._groups += 1
        width = max(len(place) for place, _, _ in self._rows)
        self.out.write(f"{printable(self._source)}:\n")
        for place, rule, message in self._rows:
            self.out.write(f"  {place:<{width}}  {rule}  {message}\n")
        self._rows = []

    def finish(self, statistics: Statistics) -> None:
        """Write the last file's findings, then the statistics when --statistics asked."""
        self._write_group()
        if self.show_statistics:
            if self._groups:
                self.out.write("\n")
            self.out.writelines(statistics_lines(statistics))
