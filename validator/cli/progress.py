"""A progress line on a terminal for large inputs: bytes done, rate, time left.

Only when standard error is a terminal, the input is a large regular file, ``--quiet`` is off
and the ``CI`` environment variable is not set. The bytes are counted where the file is read
(a raw stream under the buffered reader, so compressed bytes for a gzip file), once per 1 MiB
read: nothing is added per record. With ``--jobs`` or ``--dask`` one line follows the whole
run's tasks (bytes of the inputs whose results are in).
"""

from __future__ import annotations

import io
import os
import time
from typing import TYPE_CHECKING, BinaryIO, TextIO

from ..report.summary import human_bytes

if TYPE_CHECKING:
    from ..sources.inputs import Input

MIN_PROGRESS_BYTES = 64 * 2**20
"""Inputs smaller than this finish before a progress line would help."""
_REDRAW_SECONDS = 0.2
_FIRST_DRAW_SECONDS = 0.5


def wanted(err: TextIO, quiet: bool) -> bool:
    """Return True when a progress line may be drawn on ``err`` at all."""
    if quiet or os.environ.get("CI"):
        return False
    try:
        return err.isatty()
    except (AttributeError, ValueError):
        return False


class Progress:
    """Draws ``name  done / total (pct)  rate  ETA`` on one line of ``err``, throttled."""

    def __init__(self, err: TextIO, name: str, total: int) -> None:
        self.err = err
        self.name = name
        self.total = total
        self.started = time.monotonic()
        self.drawn_at = self.started - _REDRAW_SECONDS + _FIRST_DRAW_SECONDS
        self.visible = False

    def update(self, done: int) -> None:
        """Redraw the line for ``done`` bytes, at most five times a second."""
        now = time.monotonic()
        if now - self.drawn_at < _REDRAW_SECONDS:
            return
        self.drawn_at = now
        elapsed = max(now - self.started, 1e-9)
        rate = done / elapsed
        parts = [self.name, f"{human_bytes(done)} / {human_bytes(self.total)}"]
        if self.total:
            parts.append(f"({min(done / self.total, 1.0):.0%})")
        parts.append(f"{human_bytes(rate)}/s")
        if rate > 0 and self.total > done:
            parts.append(f"{(self.total - done) / rate:.0f} s left")
        try:
            self.err.write("\r\x1b[K" + "  ".join(parts))
            self.err.flush()
        except OSError:
            return
        self.visible = True

    def close(self) -> None:
        """Erase the line, so that the summary and errors start on a clean line."""
        if self.visible:
            try:
                self.err.write("\r\x1b[K")
                self.err.flush()
            except OSError:
                pass
            self.visible = False


class CountingReader(io.RawIOBase):
    """A raw stream that tells ``progress`` how many bytes were read from ``raw``."""

    def __init__(self, raw: io.RawIOBase, progress: Progress) -> None:
        self.raw = raw
        self.progress = progress
        self.done = 0

    def readable(self) -> bool:
        """Return True: this stream is read."""
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int | None:  # type: ignore[override]
        """Read into ``buffer`` and report the bytes done so far."""
        n = self.raw.readinto(buffer)
        if n:
            self.done += n
            self.progress.update(self.done)
        return n

    def close(self) -> None:
        """Close the wrapped stream and erase the progress line."""
        self.progress.close()
        self.raw.close()
        super().close()


def counted(stream: BinaryIO, inp: Input, err: TextIO) -> tuple[BinaryIO, Progress | None]:
    """Return ``stream`` counting its reads into a progress line on ``err``, and the line;
    or ``stream`` as it is and None when the input is small or its size unknown."""
    size = inp.size()
    if size is None or size < MIN_PROGRESS_BYTES or (inp.local and not os.path.isfile(inp.path)):
        return stream, None
    progress = Progress(err, inp.name, size)
    # counted below the buffer: once per megabyte, not per record
    raw = stream.detach() if isinstance(stream, io.BufferedReader) else stream
    counting = CountingReader(raw, progress)  # type: ignore[arg-type]
    return io.BufferedReader(counting, 1 << 20), progress
