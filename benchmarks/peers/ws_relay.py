"""The floor of a Python WebSocket proxy: a bare websockets relay, no check, no record.

``python benchmarks/peers/ws_relay.py UPSTREAM``: listens on 127.0.0.1 (a free port, printed
on stderr as ``realtime-validator proxy`` prints it), relays each client to UPSTREAM plus the
client's path, both ways, until either side closes; Ctrl-C exits 130. benchmarks/proxy.py
runs it beside the proxy, so that the proxy's added latency is read against it.
"""

from __future__ import annotations

import asyncio
import sys

from websockets.asyncio.client import ClientConnection, connect
from websockets.asyncio.server import ServerConnection, serve


async def pump(
    source: ServerConnection | ClientConnection, sink: ServerConnection | ClientConnection
) -> None:
    async for message in source:
        await sink.send(message)


async def relay(client: ServerConnection, upstream_base: str) -> None:
    path = client.request.path if client.request is not None else "/"
    async with connect(upstream_base + path, max_size=None, compression=None) as upstream:
        tasks = (
            asyncio.create_task(pump(client, upstream)),
            asyncio.create_task(pump(upstream, client)),
        )
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in tasks:
            task.cancel()


async def main(upstream_base: str) -> None:
    async def handler(client: ServerConnection) -> None:
        await relay(client, upstream_base)

    async with serve(handler, "127.0.0.1", 0, max_size=None, compression=None) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        print(f"listening on ws://127.0.0.1:{port}, relaying", file=sys.stderr, flush=True)
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main(sys.argv[1]))
    except KeyboardInterrupt:
        sys.exit(130)
