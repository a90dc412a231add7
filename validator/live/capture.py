"""The capture a guard or the proxy writes: one JSON object a line, both directions, timed.

Each line wraps one event as it went over the wire::

    {"time":1765000000.123456,"direction":"client","event":{...},"blocked":true}

``time`` is Unix time in seconds when the event was sent or received; ``direction`` is
``client`` or ``server``; ``event`` is the frame's text, verbatim (a line feed in it becomes a
tab: both are whitespace between JSON tokens and both are refused inside a string);
``blocked`` (only when true) marks a client event the guard or the proxy kept from the
server. ``lint --event-pointer /event`` reads it, its findings placed in the capture's lines.
"""

from __future__ import annotations

import os
import queue
import threading
import time
from typing import Any

EVENT_POINTER = "/event"
CLIENT, SERVER = "client", "server"
BLOCKED_END = b',"blocked":true}\n'
END = b"}\n"


def opening(time: float, direction: str) -> bytes:
    """Return the start of a capture line, up to where its event's text begins."""
    return b'{"time":%.6f,"direction":"%s","event":' % (time, direction.encode("ascii"))


def one_line(text: bytes) -> bytes:
    """Return a frame's text on one line: a line feed becomes a tab (JSON means the same by
    both; a carriage return alone ends no line of JSONL)."""
    return text.replace(b"\n", b"\t") if b"\n" in text else text


SPOOL_PAUSE = 0.005
"""Seconds the writer rests after a batch: lines gather for one write instead of waking it
for each (2,000 wakeups a second cost a tenth of a core), and wait at most this long."""


class Spooler:
    """One thread that writes the lines of many captures, so that an event loop never waits
    on the disk: each wakeup writes what was taken since, in order, a file's lines at once.
    ``stop()`` writes every line taken and closes every file."""

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[tuple[_File, bytes | None] | None] = queue.SimpleQueue()
        self.error: OSError | None = None  # the first write that failed, if any
        self._thread = threading.Thread(target=self._run, name="capture-writer", daemon=True)
        self._thread.start()

    def put(self, file: _File, line: bytes | None) -> None:
        """Queue a line for ``file`` (None: close it once its lines are written)."""
        self._queue.put((file, line))

    def stop(self) -> None:
        """Write every queued line, close the files, end the thread."""
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
                    self._flush(pending)
                    return
                file, line = item
                if line is not None:
                    pending.setdefault(file, []).append(line)
                    continue
                self._flush({file: pending.pop(file, [])})
                file.close()
            self._flush(pending)
            time.sleep(SPOOL_PAUSE)

    def _flush(self, pending: dict[_File, list[bytes]]) -> None:
        for file, lines in pending.items():
            try:
                _write_all(file, b"".join(lines))
            except OSError as exc:  # a full disk: the proxy says so when the connection ends
                self.error = self.error or exc


_File = Any  # an unbuffered binary file (FileIO)


def _write_all(file: _File, data: bytes) -> None:
    view = memoryview(data)
    while view:  # a regular file takes it all at once; a pipe may take part
        view = view[file.write(view) :]


class Recorder:
    """Writes capture lines to a file, each handed to the operating system at once, so that a
    process that dies, or a connection that drops, loses no line already taken; with a
    ``spooler``, its thread writes them (the proxy's event loop does not wait on the disk)."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        exclusive: bool = False,
        spooler: Spooler | None = None,
    ) -> None:
        self.path = os.fspath(path)
        self._file = open(self.path, "xb" if exclusive else "wb", buffering=0)  # noqa: SIM115
        self._spooler = spooler
        self._closed = False

    def write(self, line: bytes) -> None:
        """Write one capture line (ending in a newline) through to the file."""
        if self._closed:  # a connection used again after its guard was closed: keep the lines
            self._file = open(self.path, "ab", buffering=0)  # noqa: SIM115
            self._closed = False
        if self._spooler is not None:
            self._spooler.put(self._file, line)
        else:
            _write_all(self._file, line)

    def close(self) -> None:
        """Close the file (another write opens it again, appending)."""
        if self._closed:
            return
        self._closed = True
        if self._spooler is not None:
            self._spooler.put(self._file, None)
        else:
            self._file.close()
