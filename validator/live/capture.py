"""The capture a guard or the proxy writes: one JSON object a line, both directions, timed.

Each line wraps one event as it went over the wire::

    {"time":1765000000.123456,"direction":"client","event":{...},"blocked":true}

``time`` is Unix time in seconds when the event was sent or received; ``direction`` is
``client`` or ``server``; ``event`` is the frame's text, verbatim (a line feed in it becomes a
tab: both are whitespace between JSON tokens and both are refused inside a string);
``blocked`` (only when true) marks a client event the guard or the proxy kept from the
server. ``lint --event-pointer /event`` reads it, its findings placed in the capture's lines.

Lines are written by a ``Spooler``'s thread, so that the sender's path never waits on the
disk; a capture is whole once its ``Recorder`` is closed (the proxy's when it stops).
"""

from __future__ import annotations

import atexit
import os
import queue
import threading
import time
from typing import Any

EVENT_POINTER = "/event"
CLIENT, SERVER = "client", "server"
BLOCKED_END = b',"blocked":true}\n'
END = b"}\n"


TIME_KEY = b'{"time":'
HEADS = {side: b',"direction":"%s","event":' % side.encode() for side in (CLIENT, SERVER)}
"""A capture line's start is ``TIME_KEY``, the time (``%.6f``), then its direction's head."""


def one_line(text: bytes) -> bytes:
    """Return a frame's text on one line: a line feed becomes a tab (JSON means the same by
    both; a carriage return alone ends no line of JSONL)."""
    return text.replace(b"\n", b"\t") if b"\n" in text else text


SPOOL_PAUSE = 0.005
"""Seconds the writer rests after a batch: lines gather for one write instead of waking it
for each (2,000 wakeups a second cost a tenth of a core), and wait at most this long."""

_File = Any  # an unbuffered binary file (FileIO)
_Item = tuple[_File, tuple[bytes, ...] | threading.Event | None] | None


class Spooler:
    """One thread that writes the lines of many captures, so that a sender never waits on
    the disk: each wakeup writes what was taken since, in order, a file's lines at once.
    ``stop()`` writes every line taken and closes every file."""

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[_Item] = queue.SimpleQueue()
        self.failed: dict[_File, OSError] = {}  # a file's first write that failed
        self._thread = threading.Thread(target=self._run, name="capture-writer", daemon=True)
        self._thread.start()

    @property
    def running(self) -> bool:
        """Return True until ``stop()``."""
        return self._thread.is_alive()

    def put(self, file: _File, parts: tuple[bytes, ...]) -> None:
        """Queue a line for ``file``, in parts (joined by the writer, not the sender)."""
        self._queue.put((file, parts))

    def close(self, file: _File, wait: bool) -> OSError | None:
        """Close ``file`` once its lines are written; with ``wait``, once that is done,
        return the error that kept one from being written (None: all were)."""
        self._queue.put((file, None))
        if not wait:
            return None
        done = threading.Event()
        self._queue.put((None, done))
        done.wait()
        return self.failed.pop(file, None)

    def stop(self) -> None:
        """Write every queued line, close the files, end the thread."""
        if self.running:
            self._queue.put(None)
            self._thread.join()

    def _run(self) -> None:
        get, get_nowait = self._queue.get, self._queue.get_nowait
        while True:
            batch = [get()]
            try:
                while batch[-1] is not None:
                    batch.append(get_nowait())
            except queue.Empty:
                pass
            pending: dict[_File, list[bytes]] = {}
            for item in batch:
                if item is None:
                    self._write(pending)
                    return
                file, what = item
                if isinstance(what, tuple):
                    pending.setdefault(file, []).extend(what)
                    continue
                self._write(pending)  # a close or a marker: what came before it is written
                pending = {}
                if what is None:
                    file.close()
                else:
                    what.set()
            self._write(pending)
            time.sleep(SPOOL_PAUSE)

    def _write(self, pending: dict[_File, list[bytes]]) -> None:
        for file, lines in pending.items():
            try:
                _write_all(file, b"".join(lines))
            except OSError as exc:  # a full disk: said when the capture is closed
                self.failed.setdefault(file, exc)


_SHARED: list[Spooler] = []
_SHARED_LOCK = threading.Lock()


def shared_spooler() -> Spooler:
    """Return the process's spooler for guards' captures, started on first use and stopped
    (every line written) when the interpreter exits."""
    with _SHARED_LOCK:
        if not _SHARED or not _SHARED[0].running:
            spooler = Spooler()
            _SHARED[:] = [spooler]
            atexit.register(spooler.stop)
        return _SHARED[0]


def _write_all(file: _File, data: bytes) -> None:
    view = memoryview(data)
    while view:  # a regular file takes it all at once; a pipe may take part
        view = view[file.write(view) :]


class Recorder:
    """Writes capture lines to a file through a ``Spooler``'s thread, in order; a process
    that lives on (a connection dropped) loses no line taken, and ``close()`` (with
    ``settle``) returns once every line is in the file."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        exclusive: bool = False,
        spooler: Spooler | None = None,
        settle: bool = True,
    ) -> None:
        self.path = os.fspath(path)
        self._file = open(self.path, "xb" if exclusive else "wb", buffering=0)  # noqa: SIM115
        self._spooler = spooler or shared_spooler()
        self._settle = settle
        self._closed = False

    def write(self, *parts: bytes) -> None:
        """Queue one capture line (its parts; the last ends in a newline) for the file."""
        if self._closed:  # a connection used again after its guard was closed: keep the lines
            self._file = open(self.path, "ab", buffering=0)  # noqa: SIM115
            self._closed = False
        self._spooler.put(self._file, parts)

    def close(self) -> None:
        """Close the file once its lines are written (another write opens it again); with
        ``settle``, wait for that, and raise the OSError that kept a line out of it."""
        if self._closed:
            return
        self._closed = True
        failed = self._spooler.close(self._file, self._settle)
        if failed is not None:
            raise OSError(failed.errno, f"capture {self.path} is incomplete: {failed.strerror}")
