"""One ``Input`` for every place a capture can come from: a local file, standard input, a URL.

An input has a ``name`` (what its findings carry), a ``size`` where it is known, and opens as
a binary stream, from the start or at a byte offset (where ``--jobs`` re-reads a line). A
local file and standard input need nothing but the standard library; a URL (``s3://``,
``gs://``, ``file://``...) is read through fsspec, imported only when a URL is named, with
the credentials and endpoints of the usual places (the environment, fsspec's configuration
such as ``FSSPEC_S3_ENDPOINT_URL``, ``~/.aws``): an input carries no secret, so an ``Input``
sent to a Dask worker is opened there with that worker's own credentials.
"""

from __future__ import annotations

import io
import os
import re
import sys
from typing import Any, BinaryIO

from ..core.install import install_hint
from ..core.record import SourceError

_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")


def is_url(path: str) -> bool:
    """Return True when ``path`` names a URL (``s3://bucket/key``) rather than a local path."""
    return _URL.match(path) is not None


def reason(exc: BaseException) -> str:
    """Return why a read failed: the OS's words, else the message (a corrupt gzip stream)."""
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__


class Input:
    """Where one capture is read from (a base: ``LocalFile``, ``StandardInput``, ``Remote``)."""

    __slots__ = ("name", "path")

    local = False
    """True for a file on this machine (which ``--jobs`` may split and re-read)."""

    def __init__(self, path: str, name: str | None = None) -> None:
        self.path = path  # as named or walked: a local path, "-", or a URL
        self.name = path if name is None else name

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.path!r})"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Input)
            and type(other) is type(self)
            and ((self.path, self.name) == (other.path, other.name))
        )

    def __hash__(self) -> int:
        return hash((type(self), self.path, self.name))

    def size(self) -> int | None:
        """Return the input's size in bytes, or None where it is not known (a pipe)."""
        return None

    def open(self) -> BinaryIO:
        """Return the input as a binary stream (the caller closes it); raise SourceError."""
        raise NotImplementedError


class LocalFile(Input):
    """A file on this machine; ``size``: as a directory walk found it, where it did."""

    __slots__ = ("_size",)
    local = True

    def __init__(self, path: str, name: str | None = None, size: int | None = None) -> None:
        super().__init__(path, name)
        self._size = size

    def size(self) -> int | None:
        """Return the file's size, or None when it cannot be read (the open says why)."""
        if self._size is not None:
            return self._size
        try:
            return os.path.getsize(self.path)
        except OSError:
            return None

    def open(self) -> BinaryIO:
        """Return the file, buffered a megabyte at a time (a smaller file, its size: a fresh
        megabyte costs page faults, a tenth of linting a 100 kB capture); raise SourceError."""
        size = self._size
        buffering = 1 << 20 if size is None or size >= 1 << 20 else max(size + 1, 1 << 13)
        try:
            return open(self.path, "rb", buffering=buffering)  # the caller closes it
        except OSError as exc:
            raise SourceError(f"cannot read {self.path}: {exc.strerror or exc}") from exc


class StandardInput(Input):
    """Standard input: read once, never closed, never split."""

    __slots__ = ()

    def __init__(self, name: str | None = None) -> None:
        super().__init__("-", name or "<stdin>")

    def open(self) -> BinaryIO:
        """Return standard input's binary stream (not to be closed)."""
        return sys.stdin.buffer


class Remote(Input):
    """A file behind an fsspec URL, opened on whichever machine reads it."""

    __slots__ = ("known_size",)

    def __init__(self, url: str, size: int | None = None) -> None:
        super().__init__(url)
        self.known_size = size

    def size(self) -> int | None:
        """Return the object's size as listed, else asked of its file system (None: unknown)."""
        if self.known_size is None:
            try:
                fs, path = _filesystem(self.path)
                self.known_size = int(fs.size(path))
            except Exception:  # whatever the file system raises: the open says why
                return None
        return self.known_size

    def open(self) -> BinaryIO:
        """Return the object as a binary stream read in bounded pieces; raise SourceError."""
        try:
            fs, path = _filesystem(self.path)
            handle = fs.open(path, "rb", block_size=8 << 20)
        except Exception as exc:  # a file system's own errors are not always OSError
            raise SourceError(f"cannot read {self.path}: {_why(exc)}") from exc
        return io.BufferedReader(_Guarded(handle), buffer_size=1 << 20)


def _why(exc: BaseException) -> str:
    if isinstance(exc, FileNotFoundError):
        return "No such file or directory"
    if isinstance(exc, PermissionError):
        return "Permission denied"
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__


class _Guarded(io.RawIOBase):
    """A remote file as a raw stream whose failures are OSError, as a local file's are: a
    reader stops at them, keeps what it read and reports the input (exit 2)."""

    def __init__(self, handle: Any) -> None:
        super().__init__()
        self._handle = handle

    def readable(self) -> bool:
        """Return True: this stream is read."""
        return True

    def seekable(self) -> bool:
        """Return True: an object is read at any offset (ranged reads)."""
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        """Move to ``offset``; return the new position."""
        return int(self._handle.seek(offset, whence))

    def tell(self) -> int:
        """Return the position."""
        return int(self._handle.tell())

    def readinto(self, buffer: Any) -> int:
        """Read into ``buffer``; return the bytes read (0: the end)."""
        try:
            data = self._handle.read(len(buffer))
        except OSError:
            raise
        except Exception as exc:  # a network error below the file system
            raise OSError(_why(exc)) from exc
        size = len(data)
        buffer[:size] = data
        return size

    def close(self) -> None:
        """Close the remote file."""
        if not self.closed:
            try:
                self._handle.close()
            finally:
                super().close()


def _filesystem(url: str) -> tuple[Any, str]:
    """Return (file system, path) for ``url``: fsspec, with its configuration applied."""
    s3 = url.startswith(("s3://", "s3a://"))
    try:
        from fsspec.core import url_to_fs
    except ImportError as exc:
        raise SourceError(
            f"cannot read {url}: URLs need fsspec: {install_hint('s3' if s3 else 'dask')}"
        ) from exc
    try:
        return url_to_fs(url)  # type: ignore[no-any-return]
    except ImportError as exc:  # fsspec knows the protocol; its package is missing
        if not s3:
            raise SourceError(f"cannot read {url}: {exc}") from exc  # gcsfs for gs://, ...
        raise SourceError(f"cannot read {url}: s3:// needs s3fs: {install_hint('s3')}") from exc


_GLOB = re.compile(r"[*?\[]")


def _listed(fs: Any, path: str) -> tuple[dict[str, Any], bool]:
    """Return the objects ``path`` names on ``fs`` with their details, and whether it named
    one object itself; a glob only where no object or folder has that very name."""
    try:
        info = fs.info(path)
    except FileNotFoundError:
        if not _GLOB.search(path):
            raise
        found = fs.glob(path, detail=True)
        return {p: i for p, i in found.items() if i.get("type") != "directory"}, False
    if info.get("type") == "directory":
        return fs.find(path, detail=True), False
    return {path: info}, True


def expand_url(url: str, wanted: Any) -> list[Input]:
    """Return the inputs a URL names: itself, or the files under it (a prefix, a folder)
    or matching it (a glob) for which ``wanted(name)`` holds, sorted; raise SourceError.

    A name that exists is that object or folder, never a glob: ``a[1].jsonl`` is the key
    ``a[1].jsonl`` where there is one (as a glob it would name ``a1.jsonl``)."""
    try:
        fs, path = _filesystem(url)
        listed, named = _listed(fs, path)
    except SourceError:
        raise
    except Exception as exc:
        raise SourceError(f"cannot read {url}: {_why(exc)}") from exc
    inputs: list[Input] = []
    for found_path, info in sorted(listed.items()):
        name = fs.unstrip_protocol(found_path)
        if not named:
            parts = found_path.split("/")
            if any(part.startswith(".") for part in parts[1:]) or not wanted(parts[-1]):
                continue
        size = info.get("size")
        inputs.append(Remote(name, int(size) if size is not None else None))
    return inputs
