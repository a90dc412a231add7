"""``guard()``: a ``Guard`` inside openai-python's realtime connection, sync or async, GA or beta.

openai-python sends every client event, whichever helper made it, as JSON text through the
connection's websocket (``connection._connection.send``) and reads every server event from
it (``recv``). The guard wraps that websocket, so it checks the exact text that goes on the
wire, after the SDK's own serialization, and costs no second ``json.dumps``. A connection
manager (``client.realtime.connect(...)``) is wrapped too: its websockets, the first one and
those of reconnections, are guarded as they are made, before queued events are flushed.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any, TypeVar, cast

from ..engine.options import Codes
from .checkpoint import Guard, OnError

C = TypeVar("C")


class _Socket:
    """A websocket whose frames pass the guard: sent ones before, received ones after."""

    __slots__ = ("_guard", "_ws")

    def __init__(self, ws: Any, guard: Guard) -> None:
        self._ws = ws
        self._guard = guard

    def send(self, message: Any, *args: Any, **kwargs: Any) -> Any:
        """Check a frame, then send it (or raise, sending nothing)."""
        self._guard.check_outgoing(message, binary=not isinstance(message, str))
        return self._ws.send(message, *args, **kwargs)

    def recv(self, *args: Any, **kwargs: Any) -> Any:
        """Receive a frame and let the guard see it."""
        message = self._ws.recv(*args, **kwargs)
        self._guard.observe_incoming(message)
        return message

    def close(self, *args: Any, **kwargs: Any) -> Any:
        """Close the websocket, then the guard's capture."""
        try:
            return self._ws.close(*args, **kwargs)
        finally:
            self._guard.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._ws, name)


class _AsyncSocket:
    """The asyncio twin of ``_Socket``."""

    __slots__ = ("_guard", "_ws")

    def __init__(self, ws: Any, guard: Guard) -> None:
        self._ws = ws
        self._guard = guard

    async def send(self, message: Any, *args: Any, **kwargs: Any) -> Any:
        """Check a frame, then send it (or raise, sending nothing)."""
        self._guard.check_outgoing(message, binary=not isinstance(message, str))
        return await self._ws.send(message, *args, **kwargs)

    async def recv(self, *args: Any, **kwargs: Any) -> Any:
        """Receive a frame and let the guard see it."""
        message = await self._ws.recv(*args, **kwargs)
        self._guard.observe_incoming(message)
        return message

    async def close(self, *args: Any, **kwargs: Any) -> Any:
        """Close the websocket, then the guard's capture."""
        try:
            return await self._ws.close(*args, **kwargs)
        finally:
            self._guard.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._ws, name)


def _is_async(function: Any) -> bool:
    return inspect.iscoroutinefunction(function)


def _wrapped(ws: Any, guard: Guard, asynchronous: bool) -> Any:
    if isinstance(ws, (_Socket, _AsyncSocket)):
        return ws
    return _AsyncSocket(ws, guard) if asynchronous else _Socket(ws, guard)


def _guard_maker(make: Callable[..., Any], guard: Guard, asynchronous: bool) -> Callable[..., Any]:
    """Return ``make`` (which opens a websocket) with its websockets guarded."""
    if asynchronous:

        async def make_async(*args: Any, **kwargs: Any) -> Any:
            return _wrapped(await cast(Awaitable[Any], make(*args, **kwargs)), guard, True)

        return make_async

    def make_sync(*args: Any, **kwargs: Any) -> Any:
        return _wrapped(make(*args, **kwargs), guard, False)

    return make_sync


def _guard_connection(connection: Any, guard: Guard) -> Any:
    """Guard an open connection's websocket (and its reconnections'); return it."""
    asynchronous = _is_async(connection.recv)
    connection._connection = _wrapped(connection._connection, guard, asynchronous)
    make = getattr(connection, "_make_ws", None)
    if make is not None and not getattr(make, "_validator_guarded", False):
        guarded = _guard_maker(make, guard, asynchronous)
        guarded._validator_guarded = True  # type: ignore[attr-defined]
        connection._make_ws = guarded
    return connection


class _Manager:
    """``client.realtime.connect(...)`` guarded: entering it gives a guarded connection."""

    def __init__(self, manager: Any, guard: Guard, asynchronous: bool) -> None:
        self._manager = manager
        self._guard = guard
        self._asynchronous = asynchronous
        connect = getattr(manager, "_connect_ws", None)
        if connect is not None:  # newer SDKs: every websocket it opens, before the queue flush
            manager._connect_ws = _guard_maker(connect, guard, asynchronous)

    def __enter__(self) -> Any:
        return _guard_connection(self._manager.__enter__(), self._guard)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> Any:
        try:
            return self._manager.__exit__(exc_type, exc, tb)
        finally:
            self._guard.close()

    async def __aenter__(self) -> Any:
        return _guard_connection(await self._manager.__aenter__(), self._guard)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> Any:
        try:
            return await self._manager.__aexit__(exc_type, exc, tb)
        finally:
            self._guard.close()

    def enter(self) -> Any:
        """Open the connection without ``with`` (close it yourself), as the SDK's ``enter``."""
        return self.__aenter__() if self._asynchronous else self.__enter__()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._manager, name)


def guard(
    connection: C,
    *,
    on_error: OnError = "raise",
    record: str | os.PathLike[str] | None = None,
    audio_format: str = "pcm16",
    select: Codes = None,
    ignore: Codes = None,
) -> C:
    """Return openai-python's realtime ``connection`` (or its ``connect()`` manager) with each
    client event checked before it is sent and each server event followed, as ``lint`` would.

    ``on_error``: ``"raise"`` raises ``InvalidEventError`` for an event with an error and sends
    nothing (warnings go to ``warnings``); ``"warn"`` and ``"log"`` report every finding to
    ``warnings`` or the ``realtime-validator`` logger and send. ``record``: a capture file of both
    directions (``lint --event-pointer /event`` reads it).
    """
    target: Any = connection
    is_connection = hasattr(target, "_connection") and hasattr(target, "recv")
    if not is_connection and not callable(getattr(target, "enter", None)):
        raise TypeError(
            f"guard() takes openai-python's realtime connection or its connect() manager, not "
            f"{type(connection).__name__}; for another transport, call Guard().check_outgoing() "
            "and .observe_incoming() yourself"
        )
    checker = Guard(
        on_error=on_error, record=record, audio_format=audio_format, select=select, ignore=ignore
    )
    if is_connection:
        return cast(C, _guard_connection(target, checker))
    return cast(C, _Manager(target, checker, hasattr(target, "__aenter__")))
