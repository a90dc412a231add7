"""The slow road: a record the fast road did not accept, parsed and checked whole.

``check.py`` checks the record on its own; here the session adds its findings (RT4xx), the
ledger counts the record, and the findings are placed, selected and sorted. ``conclude`` is
the same for an append a ``--jobs`` worker has already checked on its own (``check.prepare``).
"""

from __future__ import annotations

from collections.abc import Callable

from ..check.event import not_an_object
from ..check.parse import MISSING, parse_record, strip_bom
from ..check.spec import without_covered
from ..core.event_types import APPEND_TYPES
from ..core.place import located, place_problem
from ..core.record import Record
from ..core.violation import Violation
from .examine import audio_bytes_of, examine, placed
from .fastroad import Prepared
from .heard import RecordHeard
from .ledger import Ledger
from .session import KEPT_KEYS, Session

_BLANK = " \t\n\r\x0b\x0c"
"""What ``bytes.strip()`` takes off a line: a line of text is blank by the same measure."""


class SlowRoad:
    """Checks one input's records whole, in order, against its session."""

    def __init__(
        self, ledger: Ledger, session: Session, max_audio_bytes: int, source: str | None
    ) -> None:
        self.ledger = ledger
        self.session = session
        self.max_audio_bytes = max_audio_bytes
        self.source = source
        self.spec = "RT206" in ledger.enabled  # else no client event is held to the spec

    def slow(self, record: Record) -> list[Violation]:
        """Return the selected findings of a record, counting it."""
        data = record.data
        size = record.size or len(data)  # the bytes it took, where data is not them
        if record.line == 1 and record.column == 0:
            if isinstance(data, bytes) and data.startswith(b"\xef\xbb\xbf"):
                record = record._replace(data=data[3:])
                data = record.data
            elif isinstance(data, str) and data.startswith("\ufeff"):
                record = record._replace(data=strip_bom(data))
                data = record.data
        if record.problem is None and not (
            data.strip(_BLANK) if isinstance(data, str) else data.strip()
        ):
            self.ledger.read(0, size, blank=True)
            return []
        self.ledger.read(1, size)
        if isinstance(data, bytes) and data.endswith(b"\n"):
            record = record._replace(data=data[:-2] if data.endswith(b"\r\n") else data[:-1])
        found = self.ledger.selected(self.check_record(record))
        if self.session.hearing.found:  # at appends before this record: reported first
            return self.ledger.heard() + found
        return found

    def check_record(self, record: Record) -> list[Violation]:
        """Return the located findings of one record (all rules, before selection), applying
        it to the session; its source's notes first."""
        found = self._findings(record)
        if record.notes:
            return [*(place_problem(note, self.source) for note in record.notes), *found]
        return found

    def _findings(self, record: Record) -> list[Violation]:
        """Return the located findings of the record itself, applying it to the session."""
        if record.problem is not None:
            return [place_problem(record, self.source)]
        parsed = parse_record(record.data, KEPT_KEYS)
        value = parsed.value
        if value is MISSING:
            found = list(parsed.violations)
            return placed(found, parsed, record, None, self.source, frozenset())
        if not isinstance(value, dict):
            found = [*parsed.violations, not_an_object(value)]
            return placed(found, parsed, record, None, self.source, frozenset())
        event_type = value.get("type")
        audio_bytes = None
        fmt = "pcm16"
        if isinstance(event_type, str):
            if event_type in APPEND_TYPES:
                audio_bytes = audio_bytes_of(value)
            self.ledger.count_event(event_type)
            fmt = self.session.format_for(event_type)
        elif event_type is None and "type" not in value:
            self.ledger.count_untyped(value)  # RT201: the event may be inside, wrapped
        found = examine(parsed, fmt, self.max_audio_bytes, self.session.api, self.spec)
        own = frozenset(v.rule for v in found)
        heard = None
        if audio_bytes is not None and self.session.hearing.active:
            heard = RecordHeard(record, value, own, self.source)
        found.extend(self.session.observe(value, record.line, audio_bytes, own, heard, record.time))
        if "RT206" in own:  # the session's more precise rules (RT403, RT404) speak first
            found = without_covered(found)
        return placed(found, parsed, record, value, self.source)

    def conclude(
        self, prepared: Prepared, line: int, record: Record | Callable[[], Record]
    ) -> list[Violation]:
        """Return the selected findings of a prepared append on ``line``, counting it and
        applying it to the session: what ``slow`` returns for that line in pcm16. ``record``:
        the line itself, or how to read it again, for the audio-signal rules (read only when
        they ask)."""
        self.ledger.read(1, prepared.size)
        event_type, event_id, audio_bytes = prepared[2:5]
        self.ledger.count_event(event_type)
        source = self.source
        found = [
            located(
                Violation(rule, message, pointer, offset=offset),
                source,
                line + within,
                column,
                event_id,
                event_type,
            )
            for rule, message, pointer, within, column, offset in prepared.found
        ]
        own = frozenset(rule for rule, *_ in prepared.found)
        heard = RecordHeard(record, None, own, source)
        time = record.time if isinstance(record, Record) else None
        told = {"type": event_type, "event_id": event_id}
        for v in self.session.observe(told, line, audio_bytes, own, heard, time):
            if v.rule == "RT402":
                within, column = prepared.id_at or (0, 1)
                at_line = line + within
            else:  # an audio-signal finding, at the audio string
                at_line, column, _, _ = heard.place(0)
            found.append(located(v, source, at_line, column, event_id, event_type))
        found = self.ledger.selected(found)
        if self.session.hearing.found:
            return self.ledger.heard() + found
        return found
