"""The one atomic writer: a file replaced whole or not at all, for fixed inputs and reports.

The new content goes to a temporary file beside the target (through a symlink: beside the
file it names, so the link stays), is flushed to disk, takes its mode, and is renamed over the
target; any failure removes the temporary file and leaves the target as it was.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from typing import BinaryIO


def _default_mode() -> int:
    """Return the mode ``open()`` gives a new file: 0o666 less the umask."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


class Replacement:
    """A temporary file beside ``path`` that ``commit`` renames over it.

    ``file`` takes the new content; ``mode`` is the mode it gets (None: a new file's);
    ``discard`` removes it. The temporary file's name starts with ``prefix``.
    """

    def __init__(self, path: str, prefix: str, mode: int | None = None) -> None:
        import tempfile  # here, not at import: a report to standard output never needs it

        self.real = os.path.realpath(path)
        fd, temp = tempfile.mkstemp(prefix=prefix, dir=os.path.dirname(self.real))
        self.temp: str | None = temp
        self.file: BinaryIO = os.fdopen(fd, "wb")
        self.mode = mode

    def commit(self, check: Callable[[str], None] | None = None) -> None:
        """Flush the content to disk and rename it over the target. ``check(real_path)`` runs
        just before the rename and may raise OSError to keep the target as it is."""
        assert self.temp is not None, "committed twice"
        try:
            self.file.flush()
            os.fsync(self.file.fileno())
            self.file.close()
            os.chmod(self.temp, _default_mode() if self.mode is None else self.mode)
            if check is not None:
                check(self.real)
            os.replace(self.temp, self.real)
            self.temp = None
        except BaseException:
            self.discard()
            raise

    def discard(self) -> None:
        """Remove the temporary file (after a failure); the target is untouched."""
        with contextlib.suppress(OSError):
            self.file.close()
        if self.temp is not None:
            with contextlib.suppress(OSError):
                os.unlink(self.temp)
            self.temp = None
