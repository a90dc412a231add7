"""Where a run's output goes: standard output that writes every byte or fails, and
``--output FILE`` replaced whole when the run completes (a device is written in place).

A write may be cut short without an error: on a full disk ``write(2)`` takes what fits, and
Python's unbuffered standard output (``PYTHONUNBUFFERED``, ``-u``) and ``TextIOWrapper`` pass
the short count on unread. ``WholeWrites`` writes the rest, so that the disk's refusal of it
arrives as ``OSError`` (ENOSPC), and the run says "cannot write standard output", exit 2.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import select
import stat
from typing import TYPE_CHECKING, BinaryIO, TextIO, cast

from ..core.violation import printable as display
from ..fix.atomic import Replacement

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

STANDARD_OUTPUT = "standard output"


class WholeWrites(io.RawIOBase):
    """A file descriptor whose ``write`` writes every byte or raises OSError; once
    ``drop`` is set, what is left goes nowhere (the failure was said already)."""

    def __init__(self, fd: int) -> None:
        super().__init__()
        self.fd = fd
        self.drop = False

    def writable(self) -> bool:
        """Return True: this stream is written."""
        return True

    def fileno(self) -> int:
        """Return the file descriptor written."""
        return self.fd

    def write(self, data: ReadableBuffer, /) -> int:
        """Write all of ``data``; return its length, or raise OSError."""
        view = memoryview(data).cast("B")
        if self.drop:
            return len(view)
        done = 0
        while done < len(view):
            try:
                written = os.write(self.fd, view[done:])
            except BlockingIOError:  # a non-blocking descriptor inherited: wait, not fail
                select.select([], [self.fd], [])
                continue
            if written == 0:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            done += written
        return done


def whole(stream: TextIO) -> TextIO:
    """Return ``stream`` (standard output) rewrapped to write every byte or fail, buffered
    as it was; a stream without a file descriptor (a test's) is returned as it is."""
    try:
        fd = stream.fileno()
        stream.flush()
    except (AttributeError, OSError, ValueError):
        return stream
    raw = WholeWrites(fd)
    unbuffered = not isinstance(getattr(stream, "buffer", None), io.BufferedIOBase)
    binary = cast(BinaryIO, raw if unbuffered else io.BufferedWriter(raw, 1 << 16))
    return io.TextIOWrapper(
        binary,
        encoding=getattr(stream, "encoding", None) or "utf-8",
        errors=getattr(stream, "errors", None) or "surrogateescape",
        line_buffering=getattr(stream, "line_buffering", False),
        write_through=unbuffered,
    )


def drop(stream: TextIO) -> None:
    """Close ``stream`` (from ``whole``) after a failure: what it still holds is dropped,
    not written at exit with a second error."""
    buffer = getattr(stream, "buffer", None)
    raw = getattr(buffer, "raw", buffer)
    if isinstance(raw, WholeWrites):
        raw.drop = True
        with contextlib.suppress(OSError, ValueError):
            stream.close()


class Report:
    """Where the report (or the diff) goes: ``stream``, which ``commit`` completes and
    ``discard`` abandons. ``target`` None: standard output, ``out``."""

    def __init__(self, target: str | None, out: TextIO) -> None:
        self.target = target
        self.where = STANDARD_OUTPUT if target is None else display(target)
        self.stream = out
        self.replacement: Replacement | None = None
        self.direct = False
        if target is None:
            return
        if _exists_not_regular(target):
            # a device, FIFO or /dev/stdout: renaming over it would replace it (as root,
            # /dev/full itself); write to it directly, and its errors still say so
            self.stream = open(target, "w", encoding="utf-8", errors="surrogateescape")  # noqa: SIM115
            self.direct = True
        else:
            self.replacement = Replacement(target, ".realtime-validator-")
            self.stream = io.TextIOWrapper(
                self.replacement.file, encoding="utf-8", errors="surrogateescape"
            )

    def commit(self) -> None:
        """Write out what the stream holds: flushed, closed, or renamed over the target."""
        self.stream.flush()
        if self.direct:
            self.direct = False
            self.stream.close()
        if self.replacement is not None:
            replacement, self.replacement = self.replacement, None
            self.stream.detach()  # type: ignore[attr-defined]  # the replacement owns the file
            replacement.commit()

    def discard(self) -> None:
        """Leave an output not committed: the device closed, the temporary file removed."""
        if self.direct:
            self.direct = False
            with contextlib.suppress(OSError):
                self.stream.close()
        if self.replacement is not None:
            self.replacement.discard()
            self.replacement = None


def _exists_not_regular(path: str) -> bool:
    """Return True when ``path`` names something other than a regular file (a device, a FIFO)."""
    try:
        return not stat.S_ISREG(os.stat(path).st_mode)
    except FileNotFoundError:
        return False
