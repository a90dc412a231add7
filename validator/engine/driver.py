"""``Linter``: one input's records down two roads to the same findings, in file order.

The fast road (``fastroad.scan``) reads canonical records in place and only ever accepts; the
``Ledger`` takes what it scanned against the session. At the first doubt a record takes the
slow road (``SlowRoad``): strict parse, schema, audio checks, session rules, locations. JSONL
inputs are read a block at a time and scanned whole (``run_stream``); the records of other
sources one by one (``run``). ``tests/test_lint.py`` and ``tests/test_fuzz.py`` hold the roads
equal.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Generator, Iterable, Iterator
from functools import partial
from itertools import islice
from typing import TYPE_CHECKING, cast

from ..check.spec import candidate_bits
from ..core.record import Record
from ..core.statistics import Statistics
from ..core.violation import Violation
from ..sources.jsonl import content_length, line_blocks, read_jsonl, too_large
from .examine import repeated
from .fastroad import Appends, Checked, Flagged, Item, Quiets, Slow, scan
from .heard import ScannedHeard
from .hearing import SIGNAL_CODES
from .ledger import Ledger
from .options import Options
from .session import COMMIT, Session
from .slowroad import SlowRoad

if TYPE_CHECKING:
    from .signal_types import Block

RecordsAt = Callable[[int, int, int, int], Iterable[Record]]
"""``records_at(start, end, count, line)``: the records of the ``count`` lines in
``[start, end)``, numbered from ``line``."""


class Linter:
    """Lints the records of one input, carrying the session state from record to record."""

    def __init__(self, options: Options, statistics: Statistics, source: str | None) -> None:
        self.options = options
        listen = not SIGNAL_CODES.isdisjoint(options.enabled)  # else the signal costs nothing
        self.session = Session(options.audio_format, source, listen)
        self.ledger = Ledger(statistics, self.session, options.enabled)
        self.road = SlowRoad(self.ledger, self.session, options.max_audio_bytes, source)
        self.spec = "RT206" in options.enabled  # else no client event meets the spec's schema

    def replay(
        self,
        items: Iterable[Item],
        line: int,
        records_at: RecordsAt,
        kept: list[bytes] | None = None,
        block: Block | None = None,
    ) -> Generator[Violation, None, int]:
        """Yield the findings of scanned ``items`` in order; ``line`` is the first one's number.

        What the session refuses, and every ``Slow`` item, takes the slow road: its record
        comes from ``records_at``. ``kept``: the audio the scan decoded (``scan``'s), and
        ``block`` the block it scanned, where it ran in this process, or the file a worker
        scanned (the items' offsets are the block's). Returns the number of the line after
        the last.
        """
        fast = self.options.fast
        ledger, slow = self.ledger, self.road.slow
        hearing = self.session.hearing
        listening = hearing.active
        one = self._one if fast else slow
        first = 0  # the item's first append in ``kept``: one an item (its first append's)
        for item in items:
            kind = type(item)
            if kind is Appends:
                run = cast(Appends, item)
                heard = None
                if listening:
                    audio = kept[first] if kept is not None else None
                    heard = ScannedHeard(run, line, audio, records_at, block)
                first += 1
                if fast and ledger.take_appends(run, line, heard):
                    ledger.read(run.lines, run.end - run.start)
                    line += run.lines
                    if hearing.found:
                        yield from ledger.heard()
                    continue
                for record in records_at(run.start, run.end, run.lines, line):
                    yield from one(record)
                line += run.lines
                continue
            if kind is Quiets:
                yield from self._replay_quiets(cast(Quiets, item), line, records_at)
                line += cast(Quiets, item).lines
                continue
            if kind is Flagged:
                heard = None
                if listening:
                    audio = kept[first] if kept is not None else None
                    heard = ScannedHeard(cast(Flagged, item), line, audio, records_at, block)
                first += 1
                if fast and ledger.take(item, line, heard):
                    ledger.read(1, item.end - item.start)
                    line += 1
                    if hearing.found:
                        yield from ledger.heard()
                    continue
            if kind is Checked:
                yield from self._replay_checked(cast(Checked, item), line, records_at)
                line += len(cast(Checked, item).records)
                continue
            lines = cast(Slow, item).lines if kind is Slow else 1
            for record in records_at(item.start, item.end, lines, line):
                found = slow(record)
                if found:
                    yield from found
            line += lines
        return line

    def _replay_quiets(self, run: Quiets, line: int, records_at: RecordsAt) -> Iterator[Violation]:
        """Take a run of quiet records one by one; a refused one takes the slow road."""
        take = self.ledger.take_quiet if self.options.fast else _refuse_quiet
        records: Iterator[Record] | None = None  # the run's records, read at the first refusal
        read = accepted = refused_bytes = 0
        spec = run.spec
        hearing = self.session.hearing
        api = self.session.api if spec else None  # a quiet record does not change it
        for index, (event_type, event_id) in enumerate(zip(run.types, run.ids, strict=True)):
            # a client event met the spec's schema of one API version: the session says
            # whether that is the version that judges it here (else RT206 may be due)
            if (
                not spec or not spec[index] or spec[index] & candidate_bits(event_type, api)
            ) and take(event_type, event_id, line + index):
                accepted += 1
                if hearing.found:  # a commit judged the audio it commits
                    yield from self.ledger.heard()
                continue
            if records is None:
                records = iter(records_at(run.start, run.end, run.lines, line))
            record = next(islice(records, index - read, None))  # past the accepted ones
            read = index + 1
            refused_bytes += record.size or len(record.data)  # slow() counts them
            found = self.road.slow(record)
            if found:
                yield from found
        self.ledger.read(accepted, run.end - run.start - refused_bytes)

    def _meets(self, event_type: str, met: int) -> bool:
        """Return True where the API version whose spec schema a client event met (its
        ``API_BITS``) is one that judges it in this session."""
        return bool(met & candidate_bits(event_type, self.session.api))

    def _spec_allows(self, item: Item) -> bool:
        """Return False for a quiet client event whose spec schema version is not one that
        judges it in this session (the slow road then says whether RT206 is due)."""
        if type(item) is not Quiets or not item.spec or not item.spec[0]:
            return True
        return self._meets(item.types[0], item.spec[0])

    def _replay_checked(
        self, run: Checked, line: int, records_at: RecordsAt
    ) -> Iterator[Violation]:
        """Conclude each prepared append; one judged in another format than pcm16 (a session
        changed it) takes the whole slow road, read again."""
        records = run.records
        for index, prepared in enumerate(records):
            end = records[index + 1].start if index + 1 < len(records) else run.end
            at = partial(_one_record, records_at, prepared.start, end, line + index)
            if self.options.fast and self.session.format_for(prepared.event_type) == "pcm16":
                found = self.road.conclude(prepared, line + index, at)
            else:
                found = self.road.slow(at())
            if found:
                yield from found

    def accept(self, record: Record) -> bool:
        """Take one record read on its own on the fast road and return True (it has no
        finding), or return False, changing nothing, where it must take the slow road
        (``self.road.slow``). ``_one`` is the two together, as a lint runs them."""
        data = record.data
        if record.problem is not None or type(data) is not bytes or not self.options.fast:
            return False
        options = self.options
        items = scan(
            data, 0, len(data), options.max_audio_bytes, options.max_record_bytes, spec=self.spec
        )
        if len(items) != 1 or not self._quiet_for_hearing(items[0]):
            return False
        if self.ledger.take(items[0], record.line):
            self.ledger.read(1, len(data))
            return True
        return False

    def _quiet_for_hearing(self, item: Item) -> bool:
        """Return whether the audio-signal rules let ``item`` be taken without its audio and
        without a finding: an append they would only count, a commit with nothing heard."""
        hearing = self.session.hearing
        if not hearing.active:
            return True
        kind = type(item)
        if kind is Appends or kind is Flagged:
            nbytes = cast(Appends, item).total if kind is Appends else cast(Flagged, item).nbytes
            return hearing.quiet_append(nbytes, self.session.audio_format)
        if kind is Quiets and COMMIT in cast(Quiets, item).types:
            return hearing.quiet_commit()
        return True

    def _one(self, record: Record) -> list[Violation]:
        """Return the findings of one record read on its own: scanned, then slow at a doubt."""
        data = record.data
        if record.problem is None and type(data) is bytes:
            options = self.options
            listening = self.session.hearing.active
            kept: list[bytes] | None = [] if listening else None
            items = scan(
                data,
                0,
                len(data),
                options.max_audio_bytes,
                options.max_record_bytes,
                0,
                kept,
                self.spec,
            )
            if len(items) == 1:
                item = items[0]
                heard = None
                if listening and (type(item) is Appends or type(item) is Flagged):
                    audio = kept[0] if kept else None
                    heard = ScannedHeard(
                        item, record.line, audio, _only(record), None, record.column
                    )
                if self._spec_allows(item) and self.ledger.take(
                    item, record.line, heard, record.time
                ):
                    self.ledger.read(1, len(data))
                    return self.ledger.heard() if self.session.hearing.found else []
                if type(item) is Appends and record.column == 0:
                    # a canonical append that the session refused: its event_id was used
                    # before (RT402) and that is its only finding; no need to parse it again
                    return self.road.conclude(repeated(item, data), record.line, record)
        return self.road.slow(record)

    def run_stream(
        self, stream: io.BufferedReader, buffer: bytearray | None = None
    ) -> Iterator[Violation]:
        """Yield the findings of a JSONL stream in order, scanning it a block at a time
        (into ``buffer``, reused across inputs, where given)."""
        limit = self.options.max_record_bytes
        max_audio = self.options.max_audio_bytes
        listening = self.session.hearing.active  # else nothing of the audio is kept
        line = 1
        try:
            for block in line_blocks(stream, limit, None, buffer):
                if type(block) is int:
                    found = self.road.slow(too_large(line, block, limit))
                    line += 1
                    if found:
                        yield from found
                    continue
                data, stop = cast(tuple[bytearray, int], block)
                kept: list[bytes] | None = [] if listening else None
                items = scan(data, 0, stop, max_audio, limit, 0, kept, self.spec)
                line = yield from self.replay(items, line, _records_in(data, limit), kept, data)
            yield from self.ended()
        finally:  # a read failing halfway leaves the statistics of what was read
            self.finish()

    def run(self, records: Iterable[Record]) -> Iterator[Violation]:
        """Yield the selected findings of ``records`` in order, counting everything read."""
        one = self._one if self.options.fast else self.road.slow
        try:
            for record in records:
                found = one(record)
                if found:
                    yield from found
            yield from self.ended()
        finally:  # a read failing halfway leaves the statistics of what was read
            self.finish()

    def ended(self) -> list[Violation]:
        """Return the findings of the input's end: its last session's audio judged whole
        (RT605 of a whole session, RT601 from chunk sizes alone)."""
        self.session.end()
        return self.ledger.heard()

    def finish(self) -> None:
        """Add what the fast road and the session counted to the statistics (once)."""
        self.ledger.finish()


_DECODED_BYTES = 1 << 20
"""A line this long is decoded straight out of the block into text, not copied into bytes:
each copy of a line of hundreds of megabytes counts against the memory bar."""


def _records_in(data: bytes | bytearray, max_record_bytes: int) -> RecordsAt:
    def records_at(start: int, end: int, count: int, line: int) -> Iterable[Record]:
        # copies of those lines: data is the reader's buffer, filled again after this block
        if end - start < _DECODED_BYTES:
            return read_jsonl(io.BytesIO(memoryview(data)[start:end]), max_record_bytes, line)
        return _long_lines(data, start, end, line, max_record_bytes)

    return records_at


def _long_lines(
    data: bytes | bytearray, start: int, end: int, line: int, max_record_bytes: int
) -> Iterator[Record]:
    """Yield the records of the lines in ``data[start:end]`` as ``read_jsonl`` does, but a
    long one as its text (``size``: its bytes), decoded from ``data`` without a copy."""
    view = memoryview(data)
    while start < end:
        stop = data.find(b"\n", start, end)
        stop = end if stop < 0 else stop + 1
        size = content_length(data, start, stop)
        record = None
        if size > max_record_bytes:
            record = too_large(line, size, max_record_bytes)
        elif stop - start >= _DECODED_BYTES:
            try:
                text = str(view[start : start + size], "utf-8")
            except UnicodeDecodeError:
                pass  # read as bytes: the slow road says where (RT102)
            else:
                record = Record(line, 0, text, size=stop - start)
        yield record or Record(line, 0, bytes(view[start:stop]))
        line += 1
        start = stop


def _refuse_quiet(event_type: str, event_id: str | None, line: int) -> bool:
    return False


def _only(record: Record) -> RecordsAt:
    """Return ``records_at`` for one record read on its own: that record."""

    def records_at(start: int, end: int, count: int, line: int) -> Iterable[Record]:
        return (record,)

    return records_at


def _one_record(records_at: RecordsAt, start: int, end: int, line: int) -> Record:
    """Return the record of the one line in ``[start, end)``, numbered ``line``."""
    (record,) = records_at(start, end, 1, line)
    return record
