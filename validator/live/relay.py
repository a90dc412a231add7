"""The recording proxy: a WebSocket relay that checks each event both ways, as ``lint`` would.

Each client that connects gets its own upstream connection, opened during the client's
handshake with the client's headers (``Authorization``, ``OpenAI-Beta``, ...) and
subprotocols, so that an upstream refusal (a bad key: 401) reaches the client as it was. Each
connection has its own ``Guard`` (its own session) and, with a record directory, its own
capture, written line by line before the frame is forwarded: a side that drops loses nothing
already received. With ``block``, a client event the server would reject is not forwarded;
the client gets an ``error`` event shaped as the server's instead (``refusal.py``).
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import urlsplit, urlunsplit

from ..core.violation import InvalidEventError, Violation
from .capture import Recorder, Spooler
from .checkpoint import Guard, is_rejected
from .refusal import error_event

if TYPE_CHECKING:
    from websockets.asyncio.client import ClientConnection
    from websockets.asyncio.server import ServerConnection
    from websockets.http11 import Request, Response

HOP_BY_HOP = frozenset(
    (
        "host",
        "connection",
        "upgrade",
        "keep-alive",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "content-length",
        "user-agent",  # sent as the client's, through websockets' own option
        "sec-websocket-key",
        "sec-websocket-version",
        "sec-websocket-extensions",
        "sec-websocket-protocol",
        "sec-websocket-accept",
    )
)
"""Headers of the client's handshake that belong to its hop, not to the upstream's."""

QUIET = logging.getLogger("validator.live.relay")
QUIET.addHandler(logging.NullHandler())
QUIET.propagate = False  # websockets' own logs (tracebacks of bad handshakes) stay silent

CLOSE_SENDABLE = range(1000, 5000)


class ProxyConfig(NamedTuple):
    """What ``realtime-validator proxy`` was told."""

    host: str
    port: int
    upstream: str
    record_dir: str | None = None
    block: bool = False
    audio_format: str = "pcm16"


def upstream_url(upstream: str, path: str) -> str:
    """Return the upstream URL for a client's request path: the client's path (under the
    upstream's own) and both queries; a client asking for ``/`` gets the upstream URL."""
    base = urlsplit(upstream)
    asked = urlsplit(path)
    full_path = base.path if asked.path in ("", "/") else base.path.rstrip("/") + asked.path
    query = "&".join(q for q in (base.query, asked.query) if q)
    return urlunsplit((base.scheme, base.netloc, full_path, query, ""))


def _close_args(code: int | None, reason: str | None) -> tuple[int, str]:
    """Return a close code and reason one side may send for the other's close."""
    if code is None or code not in CLOSE_SENDABLE or code in (1005, 1006, 1015):
        return 1000 if code in (None, 1005) else 1011, ""
    return code, reason or ""


class Relay:
    """Serves clients, each relayed to its own upstream connection through its own guard."""

    def __init__(
        self,
        config: ProxyConfig,
        on_finding: Callable[[Violation], None],
        on_note: Callable[[str], None],
    ) -> None:
        self.config = config
        self.on_finding = on_finding
        self.on_note = on_note
        self.opened: dict[Any, ClientConnection] = {}  # client -> upstream, handshake to handler
        self.connections = 0
        self.spooler = Spooler() if config.record_dir is not None else None

    # -- the handshake ---------------------------------------------------------------------

    async def process_request(self, client: ServerConnection, request: Request) -> Response | None:
        """Open the upstream connection during the client's handshake; refuse the client as
        the upstream refused the proxy, or with 502 where it cannot be reached."""
        from websockets.asyncio.client import connect
        from websockets.exceptions import InvalidHandshake, InvalidStatus

        url = upstream_url(self.config.upstream, request.path)
        headers = [(k, v) for k, v in request.headers.raw_items() if k.lower() not in HOP_BY_HOP]
        offered = [
            p.strip()
            for value in request.headers.get_all("Sec-WebSocket-Protocol")
            for p in value.split(",")
            if p.strip()
        ]
        try:
            upstream = await connect(
                url,
                additional_headers=headers,
                subprotocols=offered or None,  # type: ignore[arg-type]
                user_agent_header=request.headers.get("User-Agent"),
                max_size=None,
                compression=None,
                logger=QUIET,
            )
        except InvalidStatus as refused:
            answer = refused.response
            body = answer.body.decode("utf-8", "replace") if answer.body else ""
            self.on_note(f"upstream refused {url}: HTTP {answer.status_code}")
            return client.respond(answer.status_code, body)
        except (OSError, TimeoutError, InvalidHandshake, ValueError) as failed:
            self.on_note(f"cannot reach upstream {url}: {failed}")
            return client.respond(
                502, f"realtime-validator proxy: cannot reach upstream: {failed}\n"
            )
        self.opened[client] = upstream
        return None

    def select_subprotocol(self, client: ServerConnection, offered: Any) -> Any:
        """Return the subprotocol the upstream chose, where the client offered it."""
        upstream = self.opened.get(client)
        chosen = upstream.subprotocol if upstream is not None else None
        return chosen if chosen in offered else None

    # -- one connection --------------------------------------------------------------------

    async def handle(self, client: ServerConnection) -> None:
        """Relay one client to its upstream until either side closes."""
        upstream = self.opened.pop(client, None)
        if upstream is None:
            return
        self.connections += 1
        number = self.connections
        recorder = self._recorder(number)
        guard = Guard(
            on_error="raise" if self.config.block else "log",
            refuse=is_rejected,
            report=self.on_finding,
            record=recorder,
            audio_format=self.config.audio_format,
            source=None if recorder is not None else f"<connection {number}>",
        )
        path = client.request.path if client.request is not None else "/"
        where = f", recording {recorder.path}" if recorder is not None else ""
        self.on_note(f"connection {number}: {path}{where}")
        try:
            ended = await self._relay(client, upstream, guard)
        finally:
            guard.close()
            for side in (client, upstream):
                if side.close_code is None:
                    await side.close(1001, "proxy stopping")
        counts = guard.statistics
        findings = sum(counts.findings_by_rule.values())
        self.on_note(
            f"connection {number} closed by the {ended}: {counts.records:,} events, "
            f"{findings:,} finding{'' if findings == 1 else 's'}"
        )

    def _recorder(self, number: int) -> Recorder | None:
        if self.config.record_dir is None:
            return None
        stamp = time.strftime("%Y%m%d-%H%M%S")
        name = f"{stamp}-{os.getpid()}-{number}.jsonl"
        path = Path(self.config.record_dir) / name
        return Recorder(path, exclusive=True, spooler=self.spooler, settle=False)

    async def _relay(
        self, client: ServerConnection, upstream: ClientConnection, guard: Guard
    ) -> str:
        """Pump both ways; when one side closes, close the other as it was closed, and let
        the other pump take what is still in flight. Return which side closed first."""
        outgoing = asyncio.create_task(self._client_to_upstream(client, upstream, guard))
        incoming = asyncio.create_task(self._upstream_to_client(upstream, client, guard))
        try:
            done, _ = await asyncio.wait((outgoing, incoming), return_when=asyncio.FIRST_COMPLETED)
            first, other = (client, upstream) if outgoing in done else (upstream, client)
            await other.close(*_close_args(first.close_code, first.close_reason))
            await asyncio.wait((outgoing, incoming), timeout=10)
        finally:
            for task in (outgoing, incoming):
                task.cancel()
        return "client" if first is client else "upstream"

    async def _client_to_upstream(
        self, client: ServerConnection, upstream: ClientConnection, guard: Guard
    ) -> None:
        from websockets.exceptions import ConnectionClosed

        try:
            async for message in client:
                try:
                    guard.check_outgoing(message, binary=not isinstance(message, str))
                except InvalidEventError as refused:
                    first = refused.violations[0]
                    await client.send(error_event(first, first.event_id))
                    continue
                await upstream.send(message)
        except ConnectionClosed:
            pass

    async def _upstream_to_client(
        self, upstream: ClientConnection, client: ServerConnection, guard: Guard
    ) -> None:
        from websockets.exceptions import ConnectionClosed

        try:
            async for message in upstream:
                guard.observe_incoming(message, binary=not isinstance(message, str))
                await client.send(message)
        except ConnectionClosed:
            pass


def require_websockets() -> None:
    """Raise ImportError where the relay's library (websockets 13 or newer, whose asyncio API
    it uses) cannot be imported: said before serving, not as a traceback once it starts."""
    import websockets.asyncio.server  # noqa: F401


async def serve(
    config: ProxyConfig,
    on_finding: Callable[[Violation], None],
    on_note: Callable[[str], None],
) -> None:
    """Serve until cancelled (Ctrl-C): connections are closed and their captures with them."""
    from websockets.asyncio.server import serve as websocket_server

    relay = Relay(config, on_finding, on_note)
    try:
        async with websocket_server(
            relay.handle,
            config.host,
            config.port,
            process_request=relay.process_request,
            select_subprotocol=relay.select_subprotocol,
            max_size=None,
            compression=None,
            logger=QUIET,
        ) as server:
            host, port = next(iter(server.sockets)).getsockname()[:2]
            shown = f"[{host}]" if ":" in host else host
            on_note(f"listening on ws://{shown}:{port}, relaying to {config.upstream}")
            await server.serve_forever()
    finally:
        if relay.spooler is not None:  # every line taken reaches its capture
            relay.spooler.stop()
            for failed in relay.spooler.failed.values():
                on_note(f"a capture could not be written whole: {failed}")
