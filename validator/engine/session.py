"""The state a log carries from one event to the next, and the rules that need it.

A log is a sequence of sessions: a ``session.created`` (or ``transcription_session.created``)
starts the next one, as logs of several connections are concatenated. A session has an API
version (GA or beta, known from the server's session events), an input audio format and turn
detection (set by client updates and server session events, in either shape), an input buffer
(filled by appends the server accepts, emptied by client commits and clears and by the
server's ``input_audio_buffer.committed`` / ``.cleared``) and the client event ids seen so far.

Every rule that needs this state lives here (RT306/RT308 where the format decides, RT401,
RT402, RT403, RT404, RT405, RT501; RT601-RT606 through the session's ``hearing.Hearing``,
told of every append the server accepts, commit, clear and session start), behind one entry
per kind of step:

- ``take_appends`` and ``take_quiet``: the fast road's steps (a run of canonical appends,
  or one with content flags; one quiet event). Each applies the step and returns True, or
  returns False, changing nothing, where the slow road would find something in it;
- ``observe``: any event read whole (the slow road's parsed event, or a ``--jobs`` worker's
  prepared append, told as its type and id), which applies the step and returns the
  session's findings.

The fast and the slow entries share their judgements (``_id_finding``, ``_commit_finding``,
``content_flags``) and their effects (``_keep_id``, ``_quiet``, ``_fill``), so that the two
roads cannot drift apart. ``STATEFUL_TYPES`` are the types the session must read whole: the
fast road sends them to the slow road.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from ..check.schema import SCHEMA_KEYS
from ..check.spec import SPEC_KEYS
from ..core.event_types import APPEND_TYPES, CLIENT_EVENT_TYPES
from ..core.formats import FORMATS, format_from_beta, format_from_ga, format_of
from ..core.jsontext import escape_token
from ..core.rules import REJECTED
from ..core.violation import Violation
from .hearing import Hearing

if TYPE_CHECKING:
    from .signal_types import Heard

MIN_COMMIT_MS = 100.0
COMMIT = "input_audio_buffer.commit"
SERVER_ERROR = "error"
SESSION_STARTS = frozenset(("session.created", "transcription_session.created"))
CLIENT_SESSION_UPDATES = frozenset(("session.update", "transcription_session.update"))
SERVER_SESSION_EVENTS = SESSION_STARTS | {"session.updated", "transcription_session.updated"}
BUFFER_RESETS = frozenset(
    ("input_audio_buffer.clear", "input_audio_buffer.committed", "input_audio_buffer.cleared")
)
STATEFUL_TYPES: frozenset[str] = (
    APPEND_TYPES | CLIENT_SESSION_UPDATES | SERVER_SESSION_EVENTS | {SERVER_ERROR}
)
"""Event types the session reads whole (they add audio, set the session, or are server
errors): the fast road leaves them to the slow road. Every other known type is judged by its
type and event id alone (``Session.take_quiet``)."""

NO_ID = '"'
"""Stands for a line without an event id in ``take_appends``'s ids: the fast road takes no id
with a quote in it (an escape), so among its ids this one is always a hole."""

# Fields of one API version's session object that the other does not have (spec: beta
# RealtimeSessionCreateRequest, RealtimeSession and RealtimeTranscriptionSessionCreateRequest;
# GA RealtimeSessionCreateRequestGA and RealtimeTranscriptionSessionCreateRequestGA), each
# with where the other version keeps it.
BETA_FIELDS: dict[str, str] = {
    "modalities": "session.output_modalities",
    "input_audio_format": "session.audio.input.format",
    "output_audio_format": "session.audio.output.format",
    "turn_detection": "session.audio.input.turn_detection",
    "input_audio_transcription": "session.audio.input.transcription",
    "input_audio_noise_reduction": "session.audio.input.noise_reduction",
    "voice": "session.audio.output.voice",
    "speed": "session.audio.output.speed",
    "max_response_output_tokens": "session.max_output_tokens",
    "temperature": "",
    "client_secret": "",
}
GA_FIELDS: dict[str, str] = {
    "type": "",
    "audio": "session.input_audio_format, session.turn_detection and the other top-level fields",
    "output_modalities": "session.modalities",
    "max_output_tokens": "session.max_response_output_tokens",
    "reasoning": "",
    "parallel_tool_calls": "",
}
GA, BETA = "GA", "beta"

KEPT_KEYS = (
    SCHEMA_KEYS
    | frozenset(BETA_FIELDS)
    | frozenset(GA_FIELDS)
    | frozenset(
        (
            "session",
            "item",
            "response",
            "error",
            "code",
            "message",
            "param",
            "format",
            "rate",
            "input",
            "output",
            "turn_detection",
            "transcription",
            "noise_reduction",
        )
    )
) | SPEC_KEYS  # RT206 reads every name the spec's schemas list
"""The keys a rule or the session reads: a record too wide to hold whole keeps them wherever
they stand (``check.wide``); a superset costs nothing but a member kept."""


class _Unheard:
    """Appends from ``line`` on whose bytes the caller did not give: counted, never
    measured, placed at their line alone."""

    __slots__ = ("line",)

    def __init__(self, line: int) -> None:
        self.line = line

    def audio(self, index: int) -> bytes | None:
        """Return None: nothing to measure."""
        return None

    def level(self, index: int, audio_format: str) -> int:
        """Return 0: nothing measured."""
        return 0

    def place(self, index: int) -> tuple[int, int, str | None, str | None]:
        """Return the append's line; nothing else is known of it."""
        return (self.line + index, 1, None, None)

    def settle(self) -> None:
        """Hold nothing: nothing to let go."""


def version_of(session: dict[str, Any]) -> str | None:
    """Return the API version a session object's shape shows, or None where it shows none."""
    if "type" in session or "audio" in session or "output_modalities" in session:
        return GA
    if any(name in BETA_FIELDS for name in session):
        return BETA
    return None


def _ms(ms: float) -> str:
    """Return milliseconds as a reader wants them: 40, 99.9, 1,200."""
    return f"{ms:,.1f}".removesuffix(".0")


class Session:
    """The state of the session a log is in, and what the log held in all its sessions.

    Audio is counted in bytes per format, exact integers: milliseconds are derived when they
    are needed, so that one append at a time and a run of appends at once reach the same
    state to the last bit. ``bytes_by_format`` (what the server accepted: an append it
    rejects adds nothing), ``rejected_by_format``, ``ranges`` (every append's) and the server
    error counts are the log's (statistics), the rest is the current session's.
    """

    __slots__ = (
        "api",
        "audio_format",
        "buffered",
        "bytes_by_format",
        "flagged",
        "hearing",
        "id_lines",
        "id_runs",
        "ids",
        "indexed",
        "kind",
        "ranges",
        "rejected_by_format",
        "server_errors",
        "server_errors_predicted",
        "start_format",
        "turn_detection",
        "version",
        "version_line",
    )

    def __init__(
        self, audio_format: str = "pcm16", source: str | None = None, listen: bool = True
    ) -> None:
        self.start_format = audio_format
        # the audio-signal rules (``listen``: any of them selected), their findings placed in
        # ``source``
        self.hearing = Hearing(audio_format, source, listen)
        self.bytes_by_format: dict[str, int] = {}
        self.rejected_by_format: dict[str, int] = {}  # appends the server rejects, apart
        self.ranges: dict[str, list[int]] = {}  # format -> [smallest, largest] append
        self.server_errors = 0
        self.server_errors_predicted = 0
        self.audio_format = audio_format
        self.turn_detection = True  # server VAD is the default
        self.version: str | None = None  # GA or BETA, from the server's session events
        self.version_line = 0  # the line that showed it
        self.kind: str | None = None  # GA session.type: realtime, transcription, translation
        # the API version whose spec schemas judge this session's client events
        # (``check.spec``): "ga", "beta", "translation" (a GA session of that type), or None
        # before the server's session events have shown it (an attribute: the fast road
        # reads it per run of quiet records)
        self.api: str | None = None
        self.buffered: dict[str, int] = {}  # bytes the server holds since its last commit
        self.ids: set[str] = set()  # client event ids seen
        # where they were, read only when a finding names a line (RT402, RT501): runs of
        # (line of the first id, ids, whether NO_ID marks lines without one), indexed into
        # id_lines on demand, so that taking a run of appends costs a set update, not a dict's
        self.id_runs: list[tuple[int, list[str], bool]] = []
        self.id_lines: dict[str, int] = {}  # id -> line of its latest event, as indexed
        self.indexed = 0  # runs indexed so far
        self.flagged: set[str] = set()  # ids whose latest event had findings

    def _start(self) -> None:
        """Forget the session: a new connection starts (the log's statistics stay)."""
        self.audio_format = self.start_format
        self.turn_detection = True
        self.version = None
        self.version_line = 0
        self.kind = None
        self.api = None
        self.buffered = {}
        self.ids = set()
        self.id_runs = []
        self.id_lines = {}
        self.indexed = 0
        self.flagged = set()
        self.hearing.start(self.start_format)

    def end(self) -> None:
        """End the last session at the end of the input (its audio judged whole)."""
        self.hearing.end()

    # -- what the log held ----------------------------------------------------------------

    @property
    def buffered_ms(self) -> float:
        """Return the milliseconds of audio in the server's buffer, as far as the log shows."""
        return sum(n * 1000 / FORMATS[f].bytes_per_second for f, n in self.buffered.items())

    @property
    def seconds_by_format(self) -> dict[str, float]:
        """Return the seconds of audio appended and accepted, by format."""
        return {f: n / FORMATS[f].bytes_per_second for f, n in self.bytes_by_format.items()}

    @property
    def rejected_seconds(self) -> float:
        """Return the seconds of audio in appends the server rejects, all formats together."""
        return sum(n / FORMATS[f].bytes_per_second for f, n in self.rejected_by_format.items())

    def chunk_range_ms(self) -> tuple[float, float] | None:
        """Return the shortest and longest append in milliseconds, or None without appends."""
        spans = [
            (lo * 1000 / FORMATS[f].bytes_per_second, hi * 1000 / FORMATS[f].bytes_per_second)
            for f, (lo, hi) in self.ranges.items()
        ]
        if not spans:
            return None
        return min(lo for lo, _ in spans), max(hi for _, hi in spans)

    @property
    def largest_bytes(self) -> int:
        """Return the largest append's decoded size in bytes (0 without appends)."""
        return max((hi for _, hi in self.ranges.values()), default=0)

    def _follow_api(self) -> None:
        """Set ``api`` from the version and kind the server's session events showed."""
        if self.version == GA:
            self.api = "translation" if self.kind == "translation" else "ga"
        else:
            self.api = "beta" if self.version == BETA else None

    def format_for(self, event_type: object) -> str:
        """Return the format an append of ``event_type`` is judged by (``core.formats``)."""
        return format_of(event_type, self.audio_format)

    # -- the fast road's steps ------------------------------------------------------------

    def take_appends(
        self,
        ids: list[str],
        lines: int,
        total: int,
        smallest: int,
        largest: int,
        line: int,
        sizes: Sequence[int] = (),
        heard: Heard | None = None,
        time: float | None = None,
        flags: int = 0,
    ) -> bool:
        """Apply a run of ``lines`` canonical appends in the session's format starting on
        ``line``, or return False (no change) where an event id repeats (RT402), or where
        the content ``flags`` of a run of one (``Flagged``) are findings in the session's
        format (RT306, RT308).

        ``ids`` are the event ids from the first line that has one on (``NO_ID`` for a line
        without), so the first of them is on line ``line + lines - len(ids)``. ``sizes``
        (each append's decoded bytes) and ``heard`` (their audio, where they are) go to the
        audio-signal rules, whose findings wait in ``hearing`` (none refuses a run); ``time``:
        when a run of one was sent.
        """
        if flags and flags & FORMATS[self.audio_format].content_flags:
            return False
        if ids:
            known = self.ids
            holes = NO_ID in ids
            named = [i for i in ids if i != NO_ID] if holes else ids
            if not known.isdisjoint(named):
                return False
            before = len(known)
            known.update(named)
            if len(known) - before != len(named):  # one id twice in the run: none was known
                known.difference_update(named)
                return False
            self.id_runs.append((line + lines - len(ids), ids, holes))
        self._fill(self.audio_format, total, smallest, largest, True)
        if sizes:
            self.hearing.appends(sizes, self.audio_format, heard or _Unheard(line), time)
        return True

    def take_quiet(self, event_type: str, event_id: str | None, line: int) -> bool:
        """Apply an event that neither sets the session nor adds audio, or return False,
        changing nothing, where ``observe`` would find something in it (RT402, RT401, RT405).

        ``event_id`` is a client event's id (None for server events, whose ids are not ours).
        """
        if event_id is not None and event_id in self.ids:  # _id_finding's RT402, unwritten
            return False
        if event_type == COMMIT and self._commit_finding() is not None:
            return False
        self._quiet(event_type, event_id, line, False, False)
        return True

    # -- the slow road's steps ------------------------------------------------------------

    def _append(
        self,
        event_type: str,
        event_id: str | None,
        audio_bytes: int | None,
        line: int,
        own: Collection[str] = (),
        heard: Heard | None = None,
        time: float | None = None,
    ) -> list[Violation]:
        """Apply one append on ``line`` and return the session's findings (RT402, and the
        audio-signal rules' that became conclusive at it, unplaced).

        ``audio_bytes`` is the decoded size of its audio string (None without one); ``own``
        the codes of the event's own findings: one the server rejects adds nothing.
        ``heard``: its audio for the audio-signal rules, ``time`` when it was sent.
        """
        found = self._id_finding(event_id)
        flagged = bool(found or own)
        self._keep_id(event_id, line, flagged)
        if audio_bytes is not None:
            accepted = REJECTED.isdisjoint(own)
            audio_format = self.format_for(event_type)
            self._fill(audio_format, audio_bytes, audio_bytes, audio_bytes, accepted)
            if accepted:
                found += self.hearing.append(
                    audio_bytes, audio_format, heard or _Unheard(line), time, flagged
                )
        return found

    def observe(
        self,
        event: dict[str, Any],
        line: int,
        audio_bytes: int | None,
        own: Collection[str] = (),
        heard: Heard | None = None,
        time: float | None = None,
    ) -> list[Violation]:
        """Apply any parsed event on ``line`` and return the session's findings of it.

        ``audio_bytes`` is an append's decoded audio size (None for anything else); ``own``
        the codes of the event's own findings (parse, schema, audio); ``heard`` and ``time``
        an append's audio and when it was sent (``_append``).
        """
        event_type = event.get("type")
        if not isinstance(event_type, str):
            return []
        eid = event.get("event_id")
        event_id = eid if isinstance(eid, str) and event_type in CLIENT_EVENT_TYPES else None
        if event_type in APPEND_TYPES:
            return self._append(event_type, event_id, audio_bytes, line, own, heard, time)
        if event_type in CLIENT_SESSION_UPDATES:
            return self._update(event, event_type, event_id, line, own)
        if event_type in SERVER_SESSION_EVENTS:
            self._server_session(event, event_type, line)
            return []
        if event_type == SERVER_ERROR:
            return self._server_error(event)
        found = self._id_finding(event_id)
        rejected = not REJECTED.isdisjoint(own)
        if event_type == COMMIT and not rejected:
            commit = self._commit_finding()
            if commit is not None:
                found.append(commit)
                rejected = commit.rule in REJECTED
        self._quiet(event_type, event_id, line, bool(found or own), rejected)
        return found

    # -- judgements, shared by both roads --------------------------------------------------

    def _id_finding(self, event_id: str | None) -> list[Violation]:
        """Return RT402 for a client event id this session has seen (no change)."""
        if event_id is None or event_id not in self.ids:
            return []
        return [
            Violation(
                "RT402",
                f"event_id {event_id!r} was used by an earlier event in this session (line "
                f"{self._line_of(event_id):,}); server errors name events by id: generate a "
                "fresh id for each event",
                pointer="/event_id",
            )
        ]

    def _commit_finding(self) -> Violation | None:
        """Return RT401 or RT405 for a client commit now, or None (no change)."""
        buffered_ms = self.buffered_ms
        if buffered_ms < MIN_COMMIT_MS:
            vad = (
                "; turn detection is on, so the server commits by itself and a commit by "
                "hand is usually a mistake (set turn_detection to null to commit yourself)"
                if self.turn_detection
                else "; append at least 100 ms before committing, or skip the commit"
            )
            return Violation(
                "RT401",
                f"commit with {_ms(buffered_ms)} ms of audio in the server's buffer: the "
                'server fails it (input_audio_buffer_commit_empty: "buffer too small. '
                "Expected at least 100ms of audio, but buffer only has "
                f'{buffered_ms:.2f}ms of audio.")' + vad,
            )
        if self.turn_detection:
            return Violation(
                "RT405",
                f"manual commit with {_ms(buffered_ms)} ms appended while server VAD is on: "
                "the server commits the buffer by itself, and when it did so first this "
                'commit fails with input_audio_buffer_commit_empty ("buffer only has 0.00ms '
                'of audio"); let the server commit, or set turn_detection to null',
            )
        return None

    def _line_of(self, event_id: str) -> int:
        """Return the line of the latest event with ``event_id`` (one this session has seen)."""
        runs, lines = self.id_runs, self.id_lines
        for first, ids, holes in runs[self.indexed :]:
            numbered = zip(ids, range(first, first + len(ids)), strict=True)
            # a slow-road id may be '"' itself (an escape): only the scanner's ids have holes
            if holes:
                lines.update((i, n) for i, n in numbered if i != NO_ID)
            else:
                lines.update(numbered)
        self.indexed = len(runs)
        return lines[event_id]

    # -- effects, shared by both roads ------------------------------------------------------

    def _keep_id(self, event_id: str | None, line: int, flagged: bool) -> None:
        if event_id is None:
            return
        self.ids.add(event_id)
        self.id_runs.append((line, [event_id], False))
        if flagged:
            self.flagged.add(event_id)
        else:
            self.flagged.discard(event_id)

    def _quiet(
        self, event_type: str, event_id: str | None, line: int, flagged: bool, rejected: bool
    ) -> None:
        """Apply an event judged by its type and id: a commit or clear empties the buffer."""
        if event_id is not None:  # most quiet events are the server's, without a client id
            self._keep_id(event_id, line, flagged)
        if not rejected and (event_type == COMMIT or event_type in BUFFER_RESETS):
            self.buffered = {}
            if event_type == COMMIT:
                self.hearing.commit()
            else:
                self.hearing.clear()

    def _fill(self, fmt: str, total: int, smallest: int, largest: int, accepted: bool) -> None:
        """Count appends of ``total`` bytes in ``fmt``: into the buffer and the audio if
        ``accepted``, else apart (the server rejects them)."""
        if accepted:
            buffered = self.buffered
            buffered[fmt] = buffered.get(fmt, 0) + total
        by_format = self.bytes_by_format if accepted else self.rejected_by_format
        by_format[fmt] = by_format.get(fmt, 0) + total
        span = self.ranges.get(fmt)
        if span is None:
            self.ranges[fmt] = [smallest, largest]
        else:
            if smallest < span[0]:
                span[0] = smallest
            if largest > span[1]:
                span[1] = largest

    # -- session events -----------------------------------------------------------------

    def _server_session(self, event: dict[str, Any], event_type: str, line: int) -> None:
        """Follow the server's word on the session: its version, kind, format and VAD."""
        if event_type in SESSION_STARTS:
            self._start()
        session = event.get("session")
        if not isinstance(session, dict):
            return
        version = BETA if event_type.startswith("transcription_session.") else version_of(session)
        if version is not None:
            self.version, self.version_line = version, line
        kind = session.get("type")
        if version == GA and isinstance(kind, str):
            self.kind = kind
        self._follow_api()
        for _ in self._configure(session, from_client=False):
            pass  # what the server says it has is the state, supported or not

    def _update(
        self,
        event: dict[str, Any],
        event_type: str,
        event_id: str | None,
        line: int,
        own: Collection[str],
    ) -> list[Violation]:
        """Judge a client session update; apply it where the server would take it."""
        found = self._id_finding(event_id)
        session = event.get("session")
        if isinstance(session, dict):
            found.extend(self._versions(event_type, session))
            if not found or all(v.rule == "RT402" for v in found):
                # the format is judged on a copy of the state: a refused update changes nothing
                before = (self.audio_format, self.turn_detection)
                problems = list(self._configure(session, from_client=True))
                if problems or not REJECTED.isdisjoint(own):
                    self.audio_format, self.turn_detection = before
                found.extend(problems)
        self._keep_id(event_id, line, bool(found or own))
        return found

    def _versions(self, event_type: str, session: dict[str, Any]) -> list[Violation]:
        """Return RT404 (and RT201 for a GA update without session.type) for an update."""
        known = self.version
        where = (
            f"this session is {known} (the server's session event on line {self.version_line:,})"
            if known
            else None
        )
        if event_type == "transcription_session.update":
            if known == GA:
                return [
                    Violation(
                        "RT404",
                        f"transcription_session.update is a beta event, but {where}: the "
                        'server answers invalid_value ("Invalid value: '
                        "'transcription_session.update'.\") and changes nothing; send "
                        'session.update with session.type "transcription"',
                        pointer="/type",
                    )
                ]
            beta_event = "transcription_session.update is a beta event"
            return [
                self._mismatch(name, GA, beta_event, None) for name in session if name in GA_FIELDS
            ]
        if known is not None:
            wrong_version = BETA if known == GA else GA
        elif "type" in session:
            wrong_version, where = BETA, "this update is GA (it has session.type)"
        elif any(name in BETA_FIELDS for name in session):
            wrong_version, where = GA, "this update is beta-shaped (it has no session.type)"
        else:
            return []
        wrong = BETA_FIELDS if wrong_version == BETA else GA_FIELDS
        found = [
            self._mismatch(name, wrong_version, where or "", self.kind)
            for name in session
            if name in wrong
        ]
        if known == GA and self.kind != "translation" and "type" not in session:
            kind = self.kind if self.kind in ("realtime", "transcription") else "realtime"
            found.append(
                Violation(
                    "RT201",
                    f"session.update has no 'session.type', but {where}: the server answers "
                    'missing_required_parameter ("Missing required parameter: '
                    f'\'session.type\'.") and changes nothing; add "type": "{kind}"',
                    pointer="/session",
                )
            )
        return found

    @staticmethod
    def _mismatch(name: str, version: str, where: str, kind: str | None) -> Violation:
        """Return RT404 for session field ``name`` of API ``version`` (the wrong one) in a
        session of ``kind`` (GA ``session.type``, where known)."""
        instead = (BETA_FIELDS if version == BETA else GA_FIELDS)[name]
        if kind == "translation":
            use = (
                "a translation session takes only session.audio (its input is always pcm16 "
                "at 24 kHz): remove it"
            )
        elif instead:
            use = f"use {instead}"
        elif name == "type":
            use = "beta sessions have no type: remove it, or connect as a GA client"
        else:
            use = f"the {'GA' if version == BETA else 'beta'} API has no such field: remove it"
        return Violation(
            "RT404",
            f"'session.{name}' is a {version} field, but {where}: the server answers "
            f"unknown_parameter (\"Unknown parameter: 'session.{name}'.\") and the update "
            f"changes nothing; {use}",
            pointer="/session/" + escape_token(name),
        )

    def _configure(self, session: dict[str, Any], from_client: bool) -> Iterator[Violation]:
        """Set the format and turn detection from either shape of a session object; yield
        RT403 for an unsupported format a client asks for (the server's is kept as it is)."""
        if "input_audio_format" in session:
            yield from self._set_format(
                *format_from_beta(session["input_audio_format"]),
                "/session/input_audio_format",
                from_client,
            )
        if "turn_detection" in session:
            self.turn_detection = session["turn_detection"] is not None
        audio = session.get("audio")
        audio_input = audio.get("input") if isinstance(audio, dict) else None
        if isinstance(audio_input, dict):
            if "format" in audio_input:
                yield from self._set_format(
                    *format_from_ga(audio_input["format"]),
                    "/session/audio/input/format",
                    from_client,
                )
            if "turn_detection" in audio_input:
                self.turn_detection = audio_input["turn_detection"] is not None
        if from_client:  # output formats change no state here: only what the server refuses
            yield from self._output_formats(session, audio)

    @staticmethod
    def _output_formats(session: dict[str, Any], audio: Any) -> Iterator[Violation]:
        """Yield RT403 for an output audio format, in either shape, that the server refuses."""
        if "output_audio_format" in session:
            _, message = format_from_beta(session["output_audio_format"], "output")
            if message is not None:
                yield Violation("RT403", message, pointer="/session/output_audio_format")
        audio_output = audio.get("output") if isinstance(audio, dict) else None
        if isinstance(audio_output, dict) and "format" in audio_output:
            _, message = format_from_ga(audio_output["format"], "output")
            if message is not None:
                yield Violation("RT403", message, pointer="/session/audio/output/format")

    def _set_format(
        self, name: str | None, message: str | None, pointer: str, from_client: bool
    ) -> Iterator[Violation]:
        if name is not None:
            self.audio_format = name
        elif from_client and message is not None:  # formats.py says what the server refuses
            yield Violation("RT403", message, pointer=pointer)

    # -- server errors --------------------------------------------------------------------

    def _server_error(self, event: dict[str, Any]) -> list[Violation]:
        """Return RT501 for a server error event, naming the client event it answers."""
        error = event.get("error")
        details = error if isinstance(error, dict) else {}
        parts = [
            str(details[key])
            for key in ("type", "code")
            if isinstance(details.get(key), str) and details[key]
        ]
        said = " ".join(parts) or "error"
        message = details.get("message")
        if isinstance(message, str):
            said += " " + json.dumps(message, ensure_ascii=False)
        param = details.get("param")
        if isinstance(param, str):
            said += f" (param {json.dumps(param, ensure_ascii=False)})"
        answered = details.get("event_id")
        self.server_errors += 1
        if isinstance(answered, str) and answered in self.ids:
            line = self._line_of(answered)
            if answered in self.flagged:
                self.server_errors_predicted += 1
                verdict = "where this linter reported a finding too"
            else:
                verdict = "which this linter passed"
            about = f"it answers event_id {answered!r} on line {line:,}, {verdict}"
        elif isinstance(answered, str):
            about = f"it names event_id {answered!r}, which no client event of this session has"
        else:
            about = (
                "it names no client event (send an event_id with every client event to trace "
                "errors to their cause)"
            )
        return [Violation("RT501", f"the server answered with an error: {said}; {about}", "/error")]
