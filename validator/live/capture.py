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


class Recorder:
    """Writes capture lines to a file, each handed to the operating system at once, so that a
    process that dies, or a connection that drops, loses no line already taken."""

    def __init__(self, path: str | os.PathLike[str], *, exclusive: bool = False) -> None:
        self.path = os.fspath(path)
        self._file = open(self.path, "xb" if exclusive else "wb", buffering=0)  # noqa: SIM115

    def write(self, line: bytes) -> None:
        """Write one capture line (ending in a newline) through to the file."""
        file = self._file
        if file.closed:  # a connection used again after its guard was closed: keep the lines
            file = self._file = open(self.path, "ab", buffering=0)  # noqa: SIM115
        view = memoryview(line)
        while view:  # a regular file takes it all at once; a pipe may take part
            view = view[file.write(view) :]

    def close(self) -> None:
        """Close the file (another write opens it again, appending)."""
        self._file.close()
