"""Which findings ``lint --fix`` would fix: ruff's ``[*]`` mark, decided per finding.

The fixer is asked for each finding of a rule that has a fix (``Rule.fix``), and only then:
a clean input, or one whose findings have no fix, costs nothing here. The input is read a
second time beside the lint, forward and one record at a time, by a linter of its own (the
slow road, as ``inputs.fix_input`` reads it), so that the event's text, its session's format
and the event ids seen so far are the ones the fix would meet. It is read only as far as the
last finding with a fix; the findings of other processes (``--jobs``) are marked here the
same way. A finding whose input cannot be read again (standard input, a URL) or whose
records are wrapped (``--event-pointer``) is not marked.
"""

from __future__ import annotations

import binascii
import contextlib
import os
import stat
from collections.abc import Callable, Iterator
from enum import IntEnum

import pybase64

from ..check.parse import parse_record
from ..core.record import Record
from ..core.rules import RULES
from ..core.statistics import Statistics
from ..core.violation import Violation
from ..engine.driver import Linter
from ..engine.options import Options
from ..engine.session import KEPT_KEYS
from ..sources.detect import InputKind, opened, records_of
from .audio import SESSION_FORMATS, can_unwrap
from .event import fix_text
from .ids import FreshIds
from .session_audio import SESSION_FIXES, chains

_BOM = b"\xef\xbb\xbf"


class Mark(IntEnum):
    """What the fixer says of one finding: no fix; a fix that ``--fix`` applies; a fix that
    only ``--unsafe-fixes`` applies (ruff's hidden fix)."""

    NONE = 0
    APPLIES = 1
    HIDDEN = 2


class Marks:
    """Marks the findings of a run, input by input in the order they are reported.

    ``files``: each input's name and its local path (inputs read again); ``options_for``
    its options; ``unsafe``: whether ``--unsafe-fixes`` was given. ``applies`` and
    ``hidden`` count the findings marked so far (the summary's numbers).
    """

    def __init__(
        self, files: dict[str, str], options_for: Callable[[str], Options], unsafe: bool
    ) -> None:
        self.files = files
        self.options_for = options_for
        self.unsafe = unsafe
        self.applies = 0
        self.hidden = 0
        self._shadow: _Shadow | None = None
        self._unread: str | None = None  # the input that could not be read again

    def mark(self, violation: Violation) -> Mark:
        """Return the mark of one finding (counted)."""
        rule = RULES[violation.rule]
        if rule.fix is None:
            return Mark.NONE
        if not self._fixed(violation):
            return Mark.NONE
        if rule.fix == "safe" or self.unsafe:
            self.applies += 1
            return Mark.APPLIES
        self.hidden += 1
        return Mark.HIDDEN

    def __call__(self, violation: Violation) -> bool:
        """Return True where the finding's fix applies (the ``[*]`` mark)."""
        return self.mark(violation) is Mark.APPLIES

    def _fixed(self, violation: Violation) -> bool:
        source = violation.source
        if source is None or source not in self.files or source == self._unread:
            return False
        shadow = self._shadow
        if shadow is None or shadow.name != source:
            self.close()
            if not _regular(self.files[source]):  # a FIFO or a device: read once, by the lint
                self._unread = source
                return False
            try:
                shadow = self._shadow = _Shadow(source, self.files[source], self.options_for)
            except (OSError, ValueError):
                self._unread = source
                return False
        try:
            return shadow.fixes(violation)
        except (OSError, EOFError, ValueError):
            self.close()
            self._unread = source
            return False

    def close(self) -> None:
        """Close the input read last."""
        if self._shadow is not None:
            self._shadow.close()
            self._shadow = None


class _Shadow:
    """One input read again: its records fed to a linter of its own up to the one a finding
    is on, whose fixes are then asked for."""

    def __init__(self, name: str, path: str, options_for: Callable[[str], Options]) -> None:
        self.name = name
        self.options = options_for(name)
        self.stack = contextlib.ExitStack()
        try:
            stream = self.stack.enter_context(open(path, "rb"))  # noqa: SIM115
            self.kind, reader = self.stack.enter_context(opened(stream, name))
        except BaseException:
            self.stack.close()
            raise
        self.records: Iterator[Record] = records_of(
            self.kind, reader, self.options.max_record_bytes
        )
        self.linter = Linter(self.options, Statistics(), name)
        session = self.linter.session
        if not SESSION_FIXES.isdisjoint(self.options.enabled):
            session.hearing.repairs = []
        # the ids of the records read so far: a fresh id is only asked of, never used
        self.fresh = FreshIds(b"", lambda candidate: candidate in session.ids)
        self.next: Record | None = next(self.records, None)
        self.fixed: set[tuple[str, str]] = set()
        self.ended = False

    def fixes(self, violation: Violation) -> bool:
        """Return True where the fixer has an edit for ``violation`` (unsafe ones too)."""
        place = (violation.line or 0, (violation.column or 1) - 1)
        target = None  # the record the finding is on: the last that starts at or before it
        while self.next is not None and (self.next.line, self.next.column) <= place:
            if target is not None:
                self._feed(target)
            target = self.next
            self.next = next(self.records, None)
        if target is not None:  # the fixer asked with the session as it stood before it
            self._ask(target)
            self._feed(target)
        at_end = violation.line is None or (self.next is None and violation.rule in SESSION_FIXES)
        if at_end and not self.ended:  # a session's audio judged at the input's end
            self.linter.ended()
            self.ended = True
        if violation.rule in SESSION_FIXES:
            return self._session_fix(violation.rule)
        return (violation.rule, violation.pointer) in self.fixed

    def _ask(self, record: Record) -> None:
        """Keep which findings of ``record`` the fixer has an edit for. A file's audio (RT307)
        is judged without decoding it (``audio.can_unwrap``): a plain lint loads no numpy."""
        self.fixed = set()
        text = _event_text(self.kind, record)
        if text is None:
            return
        parsed = parse_record(text, KEPT_KEYS)
        value = parsed.value
        kind = value.get("type") if isinstance(value, dict) else None
        audio_format = self.linter.session.format_for(kind)
        done = fix_text(
            text,
            audio_format=audio_format,
            max_audio_bytes=self.options.max_audio_bytes,
            unsafe=True,
            enabled=self.options.enabled - {"RT307"},
            repeated=self.linter.session.ids.__contains__,
            fresh=self.fresh,
        )
        self.fixed = {(fix.rule, fix.pointer) for fix in done.fixes}
        audio = value.get("audio") if isinstance(value, dict) else None
        if (
            "RT307" in self.options.enabled
            and isinstance(audio, str)
            and audio_format in SESSION_FORMATS
        ):
            try:
                data = pybase64.b64decode(audio, validate=True)
            except (binascii.Error, ValueError):
                return
            if can_unwrap(data, audio_format):
                self.fixed.add(("RT307", "/audio"))

    def _feed(self, record: Record) -> None:
        """Lint ``record`` (its findings are the run's already): the fast road, slow at a
        doubt, as a lint reads a record on its own."""
        if not self.linter.accept(record):
            self.linter.road.slow(record)

    def _session_fix(self, rule: str) -> bool:
        """Return True where the session's audio evidence gave a repair of ``rule``."""
        hearing = self.linter.session.hearing
        if not hearing.repairs:
            return False
        return any(
            key[0] == hearing.session and rule in chain.rules and not chain.why
            for key, chain in chains(hearing.repairs, self.options.enabled, probe=True).items()
        )

    def close(self) -> None:
        self.stack.close()


def _regular(path: str) -> bool:
    """Return True where ``path`` is a regular file, which can be read again."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def _event_text(kind: InputKind, record: Record) -> str | None:
    """Return the event's JSON text of ``record`` as the fixer reads it, or None."""
    if record.problem is not None or record.offset < 0:
        return None
    data = record.data
    if isinstance(data, str):
        return data  # a document's element; a HAR message (aligned: the same JSON)
    if kind != InputKind.LINES:
        return None
    end = len(data)
    if data.endswith(b"\n"):
        end -= 2 if data.endswith(b"\r\n") else 1
    start = len(_BOM) if record.offset == 0 and data.startswith(_BOM) else 0
    try:
        return data[start:end].decode("utf-8")
    except UnicodeDecodeError:
        return None


__all__ = ["Mark", "Marks"]
