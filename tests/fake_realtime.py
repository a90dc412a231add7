"""A small Realtime server on loopback that answers as the real one does, for the live tests.

It speaks GA, or beta when the handshake carries ``OpenAI-Beta: realtime=v1`` (as
openai-python's ``client.beta.realtime`` sends it): ``session.created`` on connect; appends
fill the input buffer (strict base64, unknown fields refused); a commit of under 100 ms
answers ``input_audio_buffer_commit_empty`` with the server's message, otherwise
``input_audio_buffer.committed``; a ``session.update`` with a field of neither version's
session answers ``unknown_parameter``. It runs its own event loop in a thread, so that
synchronous clients can talk to it, and keeps what it received and the headers it was sent.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import threading
from typing import Any

from websockets.asyncio.server import ServerConnection, serve

BYTES_PER_SECOND = {"pcm16": 48_000, "g711_ulaw": 8_000, "g711_alaw": 8_000}
GA_SESSION_FIELDS = {
    "type", "model", "instructions", "output_modalities", "audio", "tools", "tool_choice",
    "max_output_tokens", "tracing", "prompt", "include", "truncation",
}  # fmt: skip
BETA_SESSION_FIELDS = {
    "model", "instructions", "modalities", "voice", "input_audio_format", "output_audio_format",
    "input_audio_transcription", "turn_detection", "tools", "tool_choice", "temperature",
    "max_response_output_tokens", "speed", "tracing", "input_audio_noise_reduction",
    "client_secret",
}  # fmt: skip
APPEND_FIELDS = {"type", "event_id", "audio"}
TURN_DETECTION = {
    "type": "server_vad",
    "threshold": 0.5,
    "prefix_padding_ms": 300,
    "silence_duration_ms": 200,
    "create_response": True,
    "interrupt_response": True,
}


def session_created(beta: bool, number: int) -> dict[str, Any]:
    """Return the session.created event the server opens a connection with."""
    if beta:
        session: dict[str, Any] = {
            "id": f"sess_{number}",
            "object": "realtime.session",
            "model": "gpt-4o-realtime-preview",
            "modalities": ["audio", "text"],
            "voice": "alloy",
            "turn_detection": TURN_DETECTION,
            "input_audio_format": "pcm16",
            "output_audio_format": "pcm16",
            "input_audio_transcription": None,
            "temperature": 0.8,
        }
    else:
        pcm = {"type": "audio/pcm", "rate": 24000}
        session = {
            "type": "realtime",
            "object": "realtime.session",
            "id": f"sess_{number}",
            "model": "gpt-realtime",
            "output_modalities": ["audio"],
            "audio": {
                "input": {"format": pcm, "transcription": None, "turn_detection": TURN_DETECTION},
                "output": {"format": pcm, "voice": "alloy", "speed": 1.0},
            },
        }
    return {"type": "session.created", "event_id": f"event_{number}_0", "session": session}


class Connection:
    """What one client connection holds: its version, audio format and buffer."""

    def __init__(self, beta: bool, number: int) -> None:
        self.beta = beta
        self.number = number
        self.format = "pcm16"
        self.buffered = 0  # bytes
        self.sent = 0

    def event_id(self) -> str:
        self.sent += 1
        return f"event_{self.number}_{self.sent}"

    def error(self, code: str, message: str, param: str | None, event_id: Any) -> dict[str, Any]:
        return {
            "type": "error",
            "event_id": self.event_id(),
            "error": {
                "type": "invalid_request_error",
                "code": code,
                "message": message,
                "param": param,
                "event_id": event_id if isinstance(event_id, str) else None,
            },
        }

    def answer(self, text: str) -> list[dict[str, Any]]:
        """Return the server events answering one client frame."""
        try:
            event = json.loads(text)
        except ValueError:
            return [self.error("invalid_json", "Invalid event: failed to parse JSON.", None, None)]
        if not isinstance(event, dict):
            return [self.error("invalid_event", "The event must be an object.", None, None)]
        kind, event_id = event.get("type"), event.get("event_id")
        if kind == "input_audio_buffer.append":
            return self._append(event, event_id)
        if kind == "input_audio_buffer.commit":
            ms = self.buffered * 1000 / BYTES_PER_SECOND[self.format]
            if ms < 100:
                message = (
                    "Error committing input audio buffer: buffer too small. Expected at least "
                    f"100ms of audio, but buffer only has {ms:.2f}ms of audio."
                )
                return [self.error("input_audio_buffer_commit_empty", message, None, event_id)]
            self.buffered = 0
            item = f"item_{self.number}_{self.sent}"
            return [
                {
                    "type": "input_audio_buffer.committed",
                    "event_id": self.event_id(),
                    "previous_item_id": None,
                    "item_id": item,
                }
            ]
        if kind == "input_audio_buffer.clear":
            self.buffered = 0
            return [{"type": "input_audio_buffer.cleared", "event_id": self.event_id()}]
        if kind == "session.update":
            return self._update(event, event_id)
        return []

    def _append(self, event: dict[str, Any], event_id: Any) -> list[dict[str, Any]]:
        for name in event:
            if name not in APPEND_FIELDS:
                return [
                    self.error("unknown_parameter", f"Unknown parameter: '{name}'.", name, event_id)
                ]
        try:
            audio = base64.b64decode(event.get("audio", ""), validate=True)
        except (binascii.Error, TypeError):
            message = (
                "Invalid 'audio'. Expected base64-encoded audio bytes (mono PCM16 at 24kHz) but "
                "got an invalid value."
            )
            return [self.error("invalid_value", message, "audio", event_id)]
        self.buffered += len(audio)
        return []

    def _update(self, event: dict[str, Any], event_id: Any) -> list[dict[str, Any]]:
        session = event.get("session")
        if not isinstance(session, dict):
            return [self.error("invalid_type", "Invalid type for 'session'.", "session", event_id)]
        known = BETA_SESSION_FIELDS if self.beta else GA_SESSION_FIELDS
        for name in session:
            if name not in known:
                param = f"session.{name}"
                return [
                    self.error(
                        "unknown_parameter", f"Unknown parameter: '{param}'.", param, event_id
                    )
                ]
        if self.beta and isinstance(session.get("input_audio_format"), str):
            self.format = session["input_audio_format"]
        updated = session_created(self.beta, self.number)["session"]
        updated.update(session)
        return [{"type": "session.updated", "event_id": self.event_id(), "session": updated}]


class FakeRealtime:
    """The fake server, serving on 127.0.0.1 from a thread of its own until ``stop()``."""

    def __init__(self) -> None:
        self.received: list[str | bytes] = []  # every client frame, in order
        self.headers: list[dict[str, str]] = []  # each handshake's headers
        self.drop_after: int | None = None  # close a connection abruptly after N client frames
        self.url = ""
        self._loop = asyncio.new_event_loop()
        self._stopped: asyncio.Future[None] | None = None
        self._connections = 0
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> FakeRealtime:
        ready = threading.Event()
        self._ready = ready
        self._thread.start()
        ready.wait(10)
        return self

    def stop(self) -> None:
        if self._stopped is not None:
            self._loop.call_soon_threadsafe(self._stopped.set_result, None)
        self._thread.join(10)

    def _run(self) -> None:
        self._loop.run_until_complete(self._serve())
        self._loop.close()

    async def _serve(self) -> None:
        self._stopped = self._loop.create_future()
        async with serve(self._handle, "127.0.0.1", 0, max_size=None) as server:
            port = next(iter(server.sockets)).getsockname()[1]
            self.url = f"ws://127.0.0.1:{port}"
            self._ready.set()
            await self._stopped

    async def _handle(self, ws: ServerConnection) -> None:
        assert ws.request is not None
        headers = {k.lower(): v for k, v in ws.request.headers.raw_items()}
        self.headers.append(headers | {":path": ws.request.path})
        self._connections += 1
        beta = headers.get("openai-beta", "") == "realtime=v1"
        connection = Connection(beta, self._connections)
        await ws.send(json.dumps(session_created(beta, connection.number)))
        frames = 0
        async for message in ws:
            self.received.append(message)
            frames += 1
            if self.drop_after is not None and frames >= self.drop_after:
                ws.transport.abort()  # no close frame: the connection just drops
                return
            if isinstance(message, bytes):
                error = connection.error(
                    "invalid_event", "Binary frames are not supported.", None, None
                )
                await ws.send(json.dumps(error))
                continue
            for answer in connection.answer(message):
                await ws.send(json.dumps(answer))
