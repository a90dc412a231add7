"""The state a log carries from one event to the next, and the rules that need it.

A capture is a session: the input audio format and turn detection change with session events,
and the server's input buffer fills with appends and empties on commit and clear. The state
follows both directions: client ``session.update`` and server ``session.created`` /
``session.updated`` set the format and turn detection; client ``input_audio_buffer.commit`` /
``.clear`` and server ``input_audio_buffer.committed`` / ``.cleared`` empty the buffer.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .event_types import APPEND_TYPES, CLIENT_EVENT_TYPES, TRANSLATION_APPEND
from .formats import FORMATS, format_from_beta, format_from_ga
from .violation import Violation

MIN_COMMIT_MS = 100.0
SESSION_EVENTS = frozenset(
    (
        "session.update",
        "session.created",
        "session.updated",
        "transcription_session.update",
        "transcription_session.updated",
    )
)
CLIENT_SESSION_UPDATES = frozenset(("session.update", "transcription_session.update"))
BUFFER_RESETS = frozenset(
    ("input_audio_buffer.clear", "input_audio_buffer.committed", "input_audio_buffer.cleared")
)
COMMIT = "input_audio_buffer.commit"


class Session:
    """Audio format, turn detection, buffered audio and client event ids of one log.

    Audio is counted in bytes per format, exact integers: milliseconds are derived when they
    are needed, so that one append at a time and a run of appends at once (``add_run``, for
    ``--jobs``) reach the same state to the last bit.
    """

    __slots__ = (
        "audio_format",
        "buffered",
        "bytes_by_format",
        "event_ids",
        "ranges",
        "turn_detection",
    )

    def __init__(self, audio_format: str = "pcm16") -> None:
        self.audio_format = audio_format
        self.turn_detection = True  # server VAD is the default
        self.buffered: dict[str, int] = {}  # bytes appended since the last commit or clear
        self.bytes_by_format: dict[str, int] = {}
        self.ranges: dict[str, list[int]] = {}  # format -> [smallest, largest] append
        self.event_ids: set[str] = set()

    @property
    def buffered_ms(self) -> float:
        """Return the milliseconds of audio appended since the last commit or clear."""
        return sum(n * 1000 / FORMATS[f].bytes_per_second for f, n in self.buffered.items())

    @property
    def seconds_by_format(self) -> dict[str, float]:
        """Return the seconds of audio appended, by format."""
        return {f: n / FORMATS[f].bytes_per_second for f, n in self.bytes_by_format.items()}

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

    def format_for(self, event_type: str) -> str:
        """Return the format an append of ``event_type`` is judged by (translation: pcm16)."""
        return "pcm16" if event_type == TRANSLATION_APPEND else self.audio_format

    def add_append(self, event_type: str, event_id: str | None, nbytes: int) -> None:
        """Account for a valid-or-not append of ``nbytes`` decoded bytes (no findings)."""
        if event_id is not None:
            self.event_ids.add(event_id)
        self.add_run(self.format_for(event_type), nbytes, nbytes, nbytes)

    def add_run(self, fmt: str, total: int, smallest: int, largest: int) -> None:
        """Account for appends in ``fmt`` of ``total`` bytes, the smallest and largest given."""
        buffered = self.buffered
        buffered[fmt] = buffered.get(fmt, 0) + total
        by_format = self.bytes_by_format
        by_format[fmt] = by_format.get(fmt, 0) + total
        span = self.ranges.get(fmt)
        if span is None:
            self.ranges[fmt] = [smallest, largest]
        else:
            if smallest < span[0]:
                span[0] = smallest
            if largest > span[1]:
                span[1] = largest

    def _short_commit_ms(self) -> float | None:
        """Return the milliseconds buffered when a commit now fails (RT401: turn detection
        off and under 100 ms), else None."""
        if self.turn_detection:
            return None
        buffered_ms = self.buffered_ms
        return buffered_ms if buffered_ms < MIN_COMMIT_MS else None

    def take_quiet(self, event_type: str, event_id: str | None) -> bool:
        """Apply an event that neither sets the format nor adds audio, and return True; or
        return False, changing nothing, where ``observe`` would find RT402 or RT401 in it.

        ``event_id`` is a client event's id (None for server events, whose ids are not ours).
        """
        if event_id is not None and event_id in self.event_ids:
            return False
        if event_type == COMMIT:
            if self._short_commit_ms() is not None:
                return False
            self.buffered = {}
        elif event_type in BUFFER_RESETS:
            self.buffered = {}
        if event_id is not None:
            self.event_ids.add(event_id)
        return True

    def observe(self, event: dict[str, Any], audio_bytes: int | None) -> Iterator[Violation]:
        """Update the state with a parsed event and yield RT401, RT402 and RT403 findings.

        ``audio_bytes`` is the decoded size of an append's audio, or None when it has none.
        """
        event_type = event.get("type")
        if not isinstance(event_type, str):
            return
        event_id = event.get("event_id")
        if event_type in CLIENT_EVENT_TYPES and isinstance(event_id, str):
            if event_id in self.event_ids:
                yield Violation(
                    "RT402",
                    f"event_id {event_id!r} was used by an earlier event in this log; server "
                    "errors name events by id: generate a fresh id for each event",
                    pointer="/event_id",
                )
            self.event_ids.add(event_id)
        if event_type in APPEND_TYPES:
            if audio_bytes is not None:
                self.add_append(event_type, None, audio_bytes)
        elif event_type == COMMIT:
            buffered_ms = self._short_commit_ms()
            if buffered_ms is not None:
                yield Violation(
                    "RT401",
                    f"commit with {buffered_ms:.0f} ms of audio buffered: the server "
                    "fails it (input_audio_buffer_commit_empty: expected at least 100ms of "
                    "audio); append at least 100 ms before committing, or skip the commit",
                )
            self.buffered = {}
        elif event_type in BUFFER_RESETS:
            self.buffered = {}
        elif event_type in SESSION_EVENTS:
            yield from self._session(event, event_type in CLIENT_SESSION_UPDATES)

    def _session(self, event: dict[str, Any], from_client: bool) -> Iterator[Violation]:
        session = event.get("session")
        if not isinstance(session, dict):
            return
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

    def _set_format(
        self, name: str | None, reason: str | None, pointer: str, from_client: bool
    ) -> Iterator[Violation]:
        if name is not None:
            self.audio_format = name
        elif from_client:
            yield Violation(
                "RT403",
                f"unsupported input audio format: {reason}; the server rejects this session "
                "update (use pcm16 at 24 kHz, G.711 u-law or A-law)",
                pointer=pointer,
            )
