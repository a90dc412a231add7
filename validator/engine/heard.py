"""The audio of the appends of one step, as each road has it, for the audio-signal rules.

``hearing.Hearing`` asks a step's ``Heard`` for an append's decoded bytes only when the
session's evidence wants it measured, and for its place only when a finding is on it:

- ``ScannedHeard``: a run of appends the fast road scanned (``Appends`` or ``Flagged``). The
  first one's audio is what the scan decoded in this process (the one measured after each
  commit; a ``--jobs`` worker measures its level there, ``Appends.level``); another one asked
  for (a shape or clipping window: a few a session) is decoded again from its line in the
  block, or in the file a worker scanned;
- ``RecordHeard``: one append read whole (the slow road, a ``--jobs`` worker's prepared
  append): its audio string decoded, its place found as any finding's is.

The place of a step's last append is worked out from what the step holds (the scan's
``column``, the record), so that it stays right after the block it came from is gone.
"""

from __future__ import annotations

import binascii
from collections.abc import Callable, Iterable
from itertools import islice
from typing import TYPE_CHECKING, Any

import pybase64

from ..check.parse import MISSING, parse_record
from ..core.event_types import APPEND
from ..core.record import Record
from ..core.violation import Violation
from .examine import placed
from .fastroad import Appends, Flagged, append_audio, audio_column
from .session import KEPT_KEYS, NO_ID

if TYPE_CHECKING:
    from .signal_types import Block, Place

RecordsAt = Callable[[int, int, int, int], Iterable[Record]]

CONTENT_RULES = frozenset(("RT305", "RT306", "RT307", "RT308"))
"""An append with one of these findings is counted but never measured: its bytes are not
samples in the session's format (or there are none), and it is reported already."""


class ScannedHeard:
    """The appends of one scanned item starting on ``line`` (at ``column``, 0-based, for a
    record inside a wrapping one). The first one's audio is what the scan decoded (``first``),
    where this process scanned the item; another one asked for (a few a session) is decoded
    from its line in ``block``: the scan's, still at hand, or the file a ``--jobs`` worker
    scanned; or, with neither, read again through ``records_at``."""

    __slots__ = ("block", "column", "first", "item", "line", "records_at")

    def __init__(
        self,
        item: Appends | Flagged,
        line: int,
        first: bytes | None,
        records_at: RecordsAt,
        block: Block | None = None,
        column: int = 0,
    ) -> None:
        self.item = item
        self.line = line
        self.first = first
        self.records_at = records_at
        self.block = block
        self.column = column

    def audio(self, index: int) -> bytes | None:
        """Return the decoded audio of append ``index``."""
        if index == 0 and self.first is not None:
            return self.first
        read = append_audio(self._line(index))
        return None if read is None else read[0]

    def level(self, index: int, audio_format: str) -> int:
        """Return the level of append ``index`` the --jobs worker that scanned it measured (of
        a run's first, as pcm16), 0 where it did not."""
        item = self.item
        if index or audio_format != "pcm16" or type(item) is not Appends:
            return 0
        return item.level

    def place(self, index: int) -> Place:
        """Return where append ``index``'s audio string is."""
        item = self.item
        if type(item) is Flagged:
            return (self.line, self.column + item.column, item.event_id, APPEND)
        run: Appends = item  # type: ignore[assignment]
        last = index == run.lines - 1  # its column came with the scan
        column = run.column if last else (audio_column(self._line(index)) or 1)
        at = index - (run.lines - len(run.ids))  # the ids start at the first line with one
        event_id = run.ids[at] if at >= 0 and run.ids[at] != NO_ID else None
        return (self.line + index, self.column + column, event_id, APPEND)

    def settle(self) -> None:
        """Let the audio go once the step is taken (only the last place is asked after)."""
        self.first = self.block = None

    def _line(self, index: int) -> bytes:
        """Return the text of append ``index``'s line."""
        item = self.item
        block = self.block
        if block is not None:  # the item's offsets are the block's: walk from the nearer end
            lines = item.lines if type(item) is Appends else 1
            start = item.start
            if index < lines // 2:
                for _ in range(index):
                    start = block.index(b"\n", start, item.end) + 1
            else:
                before = item.end - 1  # past the last line's own newline
                for _ in range(lines - index):  # back from the last line to this one
                    newline = block.rfind(b"\n", item.start, before)
                    start = newline + 1 if newline >= 0 else item.start
                    before = newline
            end = block.find(b"\n", start, item.end)
            return bytes(block[start : item.end if end < 0 else end + 1])
        lines = item.lines if type(item) is Appends else 1
        records = self.records_at(item.start, item.end, lines, self.line)
        record = next(islice(records, index, None))
        data = record.data
        return data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data


class RecordHeard:
    """One append read whole from ``record`` (or a function that reads it again when it is
    asked for: a ``--jobs`` worker's line), ``value`` its parsed event where at hand, with
    the codes of its own findings (``own``)."""

    __slots__ = ("_record", "own", "source", "value")

    def __init__(
        self,
        record: Record | Callable[[], Record],
        value: dict[str, Any] | None,
        own: frozenset[str],
        source: str | None,
    ) -> None:
        self._record = record
        self.value = value
        self.own = own
        self.source = source

    @property
    def record(self) -> Record:
        """Return the append's record (read now, the first time, where it was not at hand)."""
        record = self._record
        if not isinstance(record, Record):
            record = self._record = record()
        return record

    def audio(self, index: int) -> bytes | None:
        """Return the decoded audio of the append (None where its content has findings)."""
        if not self.own.isdisjoint(CONTENT_RULES):
            return None
        audio = self._event().get("audio")
        if not isinstance(audio, str):
            return None
        try:
            return pybase64.b64decode(audio, validate=True)
        except (binascii.Error, ValueError):
            return None

    def level(self, index: int, audio_format: str) -> int:
        """Return 0: the level of an append read whole is measured of its audio."""
        return 0

    def place(self, index: int) -> Place:
        """Return where the append's audio string is, as any finding there is placed."""
        record = self.record
        parsed = parse_record(record.data, KEPT_KEYS)
        value = parsed.value
        if value is MISSING or not isinstance(value, dict):  # it parsed when it was read
            return (record.line, record.column + 1, None, None)
        (at,) = placed([Violation("RT601", "", "/audio")], parsed, record, value, self.source)
        return (at.line or record.line, at.column or 1, at.event_id, at.event_type)

    def settle(self) -> None:
        """Let the parsed event go once the step is taken (its place is found again)."""
        self.value = None

    def _event(self) -> dict[str, Any]:
        """Return the parsed event (parsed again where it was not kept)."""
        if self.value is None:
            value = parse_record(self.record.data, KEPT_KEYS).value
            self.value = value if isinstance(value, dict) else {}
        return self.value
