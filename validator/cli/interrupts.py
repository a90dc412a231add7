"""SIGTERM taken as Ctrl-C: ``timeout`` in CI, a container stopping, ``kill`` send it.

Its default kills the process where it stands, leaving the temporary file of a fix or a
report behind (98 MB each). While a run lasts, SIGTERM raises ``Terminated`` instead, a
``KeyboardInterrupt``: every cleanup that Ctrl-C runs runs for it too (temporary files
removed, ``--jobs`` workers and a local Dask cluster stopped), and the run exits 143.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

EXIT_TERMINATED = 143  # 128 + SIGTERM, as a shell reports a process that TERM ended


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived: the run stops as it would on Ctrl-C."""


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    """Raise ``Terminated``; a second SIGTERM waits until the cleanup is done."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise Terminated


@contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """While the block runs, SIGTERM raises ``Terminated``; the handler before is put back
    after (a test runs the command in its own process). Outside the main thread, where no
    handler can be set, nothing changes (asked there, ``signal.signal`` refuses with a
    ValueError: no ``threading`` imported to ask first, 4 M instructions of start-up)."""
    try:
        before = signal.signal(signal.SIGTERM, _raise_terminated)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, before)
