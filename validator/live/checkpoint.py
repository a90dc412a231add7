"""``Guard``: each event of a live connection checked by lint's session and rules as it passes.

A guard is a ``Linter`` fed one frame at a time, both directions, numbered as the lines of the
capture it records (``capture.py``): a client event is judged before it is sent, a server
event moves the session on (``session.created``, ``committed``, errors). An event the fast
road accepts costs a regex and a base64 decode; anything else takes the slow road exactly as
``lint --event-pointer /event`` takes that line of the capture (the record ``unwrap`` gives),
so a capture lints with the findings the guard reported live.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import threading
import time
import warnings
from collections.abc import Callable, Mapping
from typing import Any, Literal

from ..core.record import Record
from ..core.rules import REJECTED, Severity
from ..core.statistics import Statistics
from ..core.violation import InvalidEventError, Violation
from ..engine.driver import Linter
from ..engine.options import Codes, build_options
from ..sources.jsonl import too_large
from ..sources.wrapped import unwrap
from .capture import (
    BLOCKED_END,
    CLIENT,
    END,
    EVENT_POINTER,
    HEADS,
    SERVER,
    TIME_KEY,
    Recorder,
    one_line,
)

OnError = Literal["raise", "warn", "log"]
ON_ERROR: tuple[OnError, ...] = ("raise", "warn", "log")
Frame = Mapping[str, Any] | str | bytes | bytearray
"""An event as a transport has it: a dict (sent as ``json.dumps`` writes it) or its text."""

LOGGER = logging.getLogger("realtime-validator")
_new = tuple.__new__  # a Record made at C speed: the guard makes one per frame


class EventWarning(UserWarning):
    """A finding in a live event that does not stop it."""


def is_error(violation: Violation) -> bool:
    """Return True for a finding of severity error (what ``on_error="raise"`` refuses)."""
    return violation.severity is Severity.ERROR


def is_rejected(violation: Violation) -> bool:
    """Return True for a finding the server answers with an error (``proxy --block``)."""
    return violation.rule in REJECTED


def finding_text(violation: Violation) -> str:
    """Return a finding as lint's text format writes it: ``source:line:col: CODE message``."""
    return f"{violation.location()}: {violation.rule} {violation.message}"


def _frame_bytes(event: Frame) -> bytes:
    if isinstance(event, str):
        return event.encode("utf-8", "surrogatepass")
    if isinstance(event, (bytes, bytearray)):
        return bytes(event)
    return json.dumps(event).encode("utf-8", "surrogatepass")  # as openai-python sends a dict


SDK_APPEND = b'{"type": "input_audio_buffer.append", "audio": "'
SDK_ID = b'", "event_id": "'
ID_FIRST = b'{"type": "input_audio_buffer.append", "event_id": "'


def id_first(data: bytes) -> bytes:
    """Return openai-python's append (``type, audio, event_id``, as ``json.dumps`` writes it)
    with its event_id first, as the fast road reads an append without a failed decode; any
    other text as it is. Member order changes no finding: the text is accepted this way
    exactly when the audio is strict base64 and the id plain, so as it was sent."""
    if data.startswith(SDK_APPEND) and data.endswith(b'"}'):
        at = data.rfind(SDK_ID, max(0, len(data) - 530))  # an event_id is 512 at most
        if at > 0:
            audio = data[len(SDK_APPEND) : at]
            return ID_FIRST + data[at + len(SDK_ID) : -2] + b'", "audio": "' + audio + b'"}'
    return data


def _binary_frame(outgoing: bool) -> Violation:
    side = "the client sent" if outgoing else "the server sent"
    return Violation(
        "RT106",
        f"{side} a binary frame; the Realtime API speaks text frames only: send each event "
        "as JSON text, with the audio base64-encoded in the 'audio' string of an "
        "input_audio_buffer.append event",
    )


class Guard:
    """Checks the events of one live connection with the rules and session state of ``lint``.

    ``check_outgoing(event)`` before a client event is sent, ``observe_incoming(event)`` for
    each server event; ``close()`` at the end. With ``on_error="raise"`` an event with an
    error raises ``InvalidEventError`` and must not be sent; findings that do not stop an
    event go to ``warnings`` (``"raise"``, ``"warn"``) or the ``realtime-validator`` logger
    (``"log"``). ``record`` names a capture file to write (see ``capture.py``).

    For transports: ``refuse`` says which findings stop an event under ``"raise"`` (errors by
    default), and ``report``, where given, receives every finding instead (refused ones too).
    The guard is thread-safe: a sender and a receiver thread may share it.
    """

    def __init__(
        self,
        *,
        on_error: OnError = "raise",
        record: str | os.PathLike[str] | Recorder | None = None,
        audio_format: str = "pcm16",
        select: Codes = None,
        ignore: Codes = None,
        refuse: Callable[[Violation], bool] = is_error,
        report: Callable[[Violation], None] | None = None,
        source: str | None = None,
    ) -> None:
        if on_error not in ON_ERROR:
            raise ValueError(f"on_error must be one of {', '.join(ON_ERROR)}, not {on_error!r}")
        options = build_options(audio_format, select=select, ignore=ignore)
        recorder = record if isinstance(record, Recorder) or record is None else Recorder(record)
        self.recorder = recorder
        self.source = source if source is not None or recorder is None else recorder.path
        self.statistics = Statistics()
        self._linter = Linter(options, self.statistics, self.source)
        self._raising = on_error == "raise"
        self._refuse = refuse
        # the one finding of an event that is no JSON at all, whose capture line's end (where
        # "blocked" goes) lint reads with it: known before the event is checked
        self._refuses_broken = "RT101" in options.enabled and refuse(Violation("RT101", ""))
        self._report = report or (self._log if on_error == "log" else self._warn)
        self._report_refused = report is not None
        self._line = 0
        self._lock = threading.Lock()
        self.closed = False

    # -- the two directions -----------------------------------------------------------------

    def check_outgoing(self, event: Frame, *, binary: bool = False) -> list[Violation]:
        """Return the findings of a client event about to be sent, applying it to the session;
        raise ``InvalidEventError`` where ``on_error="raise"`` refuses it (do not send it).

        ``binary``: the event is a binary frame's payload (RT106)."""
        found, blocked = self._take(CLIENT, event, binary, self._raising)
        if not found:
            return found
        refused = [v for v in found if self._refuse(v)] if blocked else []
        for violation in found:
            if self._report_refused or not refused or not self._refuse(violation):
                self._report(violation)
        if refused:
            raise InvalidEventError(refused)
        return found

    def observe_incoming(self, event: Frame, *, binary: bool = False) -> list[Violation]:
        """Return the findings of a server event received, applying it to the session (its
        findings are reported, never raised: what arrived has arrived)."""
        found, _ = self._take(SERVER, event, binary, False)
        for violation in found:
            self._report(violation)
        return found

    def close(self) -> None:
        """Close the capture and complete ``statistics`` (a later event opens it again)."""
        with self._lock:
            self._linter.finish()
            if self.recorder is not None:
                self.recorder.close()
            self.closed = True

    # -- one frame --------------------------------------------------------------------------

    def _take(
        self, direction: str, event: Frame, binary: bool, refusing: bool
    ) -> tuple[list[Violation], bool]:
        """Return a frame's findings and whether it is refused; number, check and record it."""
        data = event.encode("utf-8", "surrogatepass") if type(event) is str else _frame_bytes(event)
        if b"\n" in data:
            data = one_line(data)
        linter = self._linter
        with self._lock:
            self._line = line = self._line + 1
            recorder = self.recorder
            if binary:
                found = linter.road.slow(
                    Record(line, 0, b"", problem=_binary_frame(direction == CLIENT))
                )
                blocked = refusing and any(map(self._refuse, found))
                if recorder is not None:
                    payload = base64.b64encode(data).decode("ascii")
                    side = b',"direction":"%s","binary":"%s"' % (
                        direction.encode(),
                        payload.encode(),
                    )
                    recorder.write(TIME_KEY, b"%.6f" % time.time(), side, _end(blocked))
                return found, blocked
            if recorder is None:
                if linter.accept(_new(Record, (line, 0, id_first(data), "", None, 0, -1, ()))):
                    return [], False
                found = linter.road.slow(Record(line, 0, data))
                return found, refusing and any(map(self._refuse, found))
            stamp = b"%.6f" % time.time()
            head = HEADS[direction]
            column = len(TIME_KEY) + len(stamp) + len(head)  # where the event's text starts
            record = _new(Record, (line, column, id_first(data), EVENT_POINTER, None, 0, -1, ()))
            if data.isascii() and linter.accept(record):
                recorder.write(TIME_KEY, stamp, head, data, END)
                return [], False
            # the slow road reads what lint reads from the capture line: the unwrapped record
            # (for an event that is no JSON, the whole line, with the end it gets)
            guess = refusing and self._refuses_broken
            start = TIME_KEY + stamp + head
            whole = start + data + _end(guess)
            limit = linter.options.max_record_bytes
            if len(whole) - 1 > limit:  # RT105, as lint's reader says before unwrapping
                record = too_large(line, len(whole) - 1, limit)
            else:
                (record,) = unwrap([Record(line, 0, whole)], EVENT_POINTER)
            found = linter.road.slow(record)
            blocked = refusing and any(map(self._refuse, found))
            recorder.write(start, data, _end(blocked))
            return found, blocked

    # -- reporting ----------------------------------------------------------------------------

    @staticmethod
    def _warn(violation: Violation) -> None:
        warnings.warn(finding_text(violation), EventWarning, stacklevel=4)

    @staticmethod
    def _log(violation: Violation) -> None:
        level = logging.ERROR if violation.severity is Severity.ERROR else logging.WARNING
        LOGGER.log(level, "%s", finding_text(violation))


def _end(blocked: bool) -> bytes:
    return BLOCKED_END if blocked else END
