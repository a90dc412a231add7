"""``realtime-validator proxy``: the relay on the command line, its findings on stdout.

Findings are printed as they happen in lint's text format (the capture's path, line and column
when recording), notes (listening, connections opened and closed) on stderr. Ctrl-C closes
every connection and capture, and exits 130 without a traceback.
"""

from __future__ import annotations

import asyncio
import os
import sys
from typing import TextIO

from ..core.install import install_hint
from ..core.violation import Violation
from ..report.text import finding_line
from .run import EXIT_ERROR, EXIT_INTERRUPTED, EXIT_OK


def parse_listen(value: str) -> tuple[str, int]:
    """Return (host, port) of ``HOST:PORT`` (``[::1]:8765`` for IPv6); raise ValueError."""
    host, colon, port = value.rpartition(":")
    if not colon or not host or not port.isdigit() or int(port) > 65535:
        raise ValueError(f"{value!r} is not HOST:PORT (e.g. 127.0.0.1:8765)")
    return host.removeprefix("[").removesuffix("]"), int(port)


def check_upstream(value: str) -> str:
    """Return ``value`` if it is a ws:// or wss:// URL; raise ValueError."""
    scheme, _, rest = value.partition("://")
    if scheme not in ("ws", "wss") or not rest.strip("/"):
        raise ValueError(f"{value!r} is not a ws:// or wss:// URL (e.g. wss://api.openai.com)")
    return value


def run_proxy(
    listen: tuple[str, int],
    upstream: str,
    record_dir: str | None,
    block: bool,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Run the proxy until Ctrl-C; return the exit code (130 then, 2 if it cannot start)."""
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        from ..live.relay import ProxyConfig, require_websockets, serve

        require_websockets()
    except ImportError as missing:  # the [proxy] extra
        name = (missing.name or "websockets").partition(".")[0]
        err.write(
            f"realtime-validator: error: the proxy needs the [proxy] extra ({name} is "
            f"not installed): {install_hint('proxy')}\n"
        )
        return EXIT_ERROR
    if record_dir is not None:
        try:
            os.makedirs(record_dir, exist_ok=True)
        except OSError as exc:
            err.write(f"realtime-validator: error: cannot record in {record_dir}: {exc}\n")
            return EXIT_ERROR

    def on_finding(violation: Violation) -> None:
        out.write(finding_line(violation))
        out.flush()

    def on_note(text: str) -> None:
        err.write(f"realtime-validator proxy: {text}\n")
        err.flush()

    config = ProxyConfig(listen[0], listen[1], upstream, record_dir, block)
    try:
        asyncio.run(serve(config, on_finding, on_note))
    except KeyboardInterrupt:
        on_note("stopped (Ctrl-C); every capture is closed")
        return EXIT_INTERRUPTED
    except OSError as exc:  # the address is in use, or not ours
        err.write(f"realtime-validator: error: cannot listen on {listen[0]}:{listen[1]}: {exc}\n")
        return EXIT_ERROR
    return EXIT_OK
