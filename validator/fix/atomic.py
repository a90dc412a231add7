"""The one atomic writer: a file replaced whole or not at all, for fixed inputs and reports.

The new content goes to a temporary file beside the target (through a symlink: beside the
file it names, so the link stays), is flushed to disk, takes its owner and mode, and is renamed
over the target; any failure removes the temporary file and leaves the target as it was.
Every temporary file is noted from the moment it exists (SIGINT and SIGTERM held back while it
is made and noted) until it is renamed or removed, so that an interrupt that arrives before
its owner could clean up still leaves none behind (``discard_all``).
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Callable, Iterator
from typing import BinaryIO

_MADE: set[str] = set()  # temporary files not yet renamed over their target, nor removed


def discard_all() -> None:
    """Remove every temporary file not yet renamed over its target (after an interrupt)."""
    for temp in list(_MADE):
        with contextlib.suppress(OSError):
            os.unlink(temp)
        _MADE.discard(temp)


@contextlib.contextmanager
def _interrupts_held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back while the block runs: they arrive after it."""
    mask = getattr(signal, "pthread_sigmask", None)  # not on Windows
    if mask is None:
        yield
        return
    before = mask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        mask(signal.SIG_SETMASK, before)


def _default_mode() -> int:
    """Return the mode ``open()`` gives a new file: 0o666 less the umask."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _chown(path: str, uid: int, gid: int) -> None:
    """Give ``path`` the owner and group ``uid``, ``gid``; raise OSError saying so when this
    user may not (the file would change hands)."""
    status = os.stat(path)
    if (status.st_uid, status.st_gid) == (uid, gid) or not hasattr(os, "chown"):
        return  # the same already, or a system without owners (Windows)
    try:
        os.chown(path, uid, gid)
    except OSError as exc:
        raise OSError(
            exc.errno, f"its owner and group (uid {uid}, gid {gid}) cannot be kept: {exc.strerror}"
        ) from exc


class Replacement:
    """A temporary file beside ``path`` that ``commit`` renames over it.

    ``file`` takes the new content; ``mode`` is the mode it gets (None: a new file's),
    ``owner`` its (uid, gid) (None: this process's); ``discard`` removes it. The temporary
    file's name starts with ``prefix``.
    """

    def __init__(
        self,
        path: str,
        prefix: str,
        mode: int | None = None,
        owner: tuple[int, int] | None = None,
    ) -> None:
        import tempfile  # here, not at import: a report to standard output never needs it

        self.real = os.path.realpath(path)
        with _interrupts_held():
            fd, temp = tempfile.mkstemp(prefix=prefix, dir=os.path.dirname(self.real))
            _MADE.add(temp)
        self.temp: str | None = temp
        self.file: BinaryIO = os.fdopen(fd, "wb")
        self.mode = mode
        self.owner = owner

    def commit(self, check: Callable[[str], None] | None = None) -> None:
        """Flush the content to disk and rename it over the target. ``check(real_path)`` runs
        just before the rename and may raise OSError to keep the target as it is."""
        assert self.temp is not None, "committed twice"
        try:
            self.file.flush()
            os.fsync(self.file.fileno())
            self.file.close()
            if self.owner is not None:
                _chown(self.temp, *self.owner)  # first: a change of owner clears set-id bits
            os.chmod(self.temp, _default_mode() if self.mode is None else self.mode)
            if check is not None:
                check(self.real)
            os.replace(self.temp, self.real)
            _MADE.discard(self.temp)
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
            _MADE.discard(self.temp)
            self.temp = None
