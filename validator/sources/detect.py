"""Which source reads an input: by suffix, else by content; paths, directories and stdin."""

from __future__ import annotations

import io
import os
import re
import sys
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import BinaryIO

from .base import Record, SourceError
from .jsonl import read_jsonl

LINE_SUFFIXES = (".jsonl", ".ndjson")
DOCUMENT_SUFFIXES = (".json",)
HAR_SUFFIXES = (".har",)
SUFFIXES = LINE_SUFFIXES + DOCUMENT_SUFFIXES + HAR_SUFFIXES
_GZIP_MAGIC = b"\x1f\x8b"
# a HAR starts {"log": {...: Chrome writes it indented, other tools compact
_HAR_START = re.compile(rb'\{\s*"log"\s*:\s*\{')
_VALUE_START = frozenset(b'{["-0123456789tfnNI')  # N, I: NaN, Infinity (RT101 by name)


def walk_paths(
    paths: Iterable[str], onerror: Callable[[str, str], None] | None = None
) -> Iterator[str]:
    """Yield the inputs named by ``paths``, walking directories for known suffixes (sorted).

    A directory that cannot be listed is passed to ``onerror(path, reason)``, not skipped.
    """

    def failed(exc: OSError) -> None:
        if onerror is not None:
            onerror(exc.filename or path, exc.strerror or str(exc))

    for path in paths:
        if path != "-" and os.path.isdir(path):
            found = []
            for root, dirs, files in os.walk(path, onerror=failed, followlinks=False):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in files:
                    base = name[:-3] if name.endswith(".gz") else name
                    if base.endswith(SUFFIXES):
                        found.append(os.path.join(root, name))
            yield from sorted(found)
        else:
            yield path


def _kind_by_suffix(name: str) -> str | None:
    lowered = name.lower()
    if lowered.endswith(".gz"):
        lowered = lowered[:-3]
    if lowered.endswith(LINE_SUFFIXES):
        return "lines"
    if lowered.endswith(DOCUMENT_SUFFIXES):
        return "document"
    if lowered.endswith(HAR_SUFFIXES):
        return "har"
    return None


def _kind_by_content(head: bytes) -> str:
    """A HAR starts '{"log": {'; a '[' first, or a '{' alone on the first line, is a document;
    anything else is lines."""
    text = head.lstrip(b"\xef\xbb\xbf").lstrip(b" \t\r\n")
    if _HAR_START.match(text):
        return "har"
    if text.startswith(b"["):
        return "document"
    if text.startswith(b"{"):
        first_line = text.split(b"\n", 1)[0]
        if not first_line[1:].strip():
            return "document"
    return "lines"


def input_kind(name: str, head: bytes) -> str:
    """Return how an input is read: "gzip", "lines", "document" or "har".

    ``head`` is the input's first bytes (64 KiB is plenty). The suffix decides, except that a
    HAR saved as ``.json`` or under another name is still a HAR; "gzip" means the kind is
    known only once the data is inflated (``records`` does that).
    """
    if head[:2] == _GZIP_MAGIC:
        return "gzip"
    kind = _kind_by_suffix(name)
    if kind == "lines" or kind == "har":
        return kind
    by_content = _kind_by_content(head)
    return "har" if by_content == "har" else kind or by_content


def _not_json_end(head: bytes) -> int:
    """Return the length up to the first character if it cannot start JSON, else 0."""
    start = 3 if head.startswith(b"\xef\xbb\xbf") else 0
    size = len(head)
    while start < size and head[start] in b" \t\r\n":
        start += 1
    if start < size and head[start] < 0x80 and head[start] not in _VALUE_START:
        return start + 1
    return 0


def _peekable(stream: BinaryIO) -> io.BufferedReader:
    if isinstance(stream, io.BufferedReader):
        return stream
    return io.BufferedReader(stream, buffer_size=1 << 20)  # type: ignore[arg-type]


@contextmanager
def opened(stream: BinaryIO, name: str) -> Iterator[tuple[str, io.BufferedReader]]:
    """Yield (kind, reader) for one open binary stream: gzip inflated, the kind decided.

    Reading raises OSError or EOFError (a truncated gzip), never zlib.error: corrupt gzip data
    becomes ``gzip.BadGzipFile``, an OSError. The caller's stream is left open.
    """
    reader = _peekable(stream)
    try:
        inner = reader
        if reader.peek(2)[:2] == _GZIP_MAGIC:
            inner = io.BufferedReader(_gzip_file(reader), buffer_size=1 << 20)
        yield input_kind(name, inner.peek(1 << 16)[: 1 << 16]), inner
    except zlib.error as exc:
        import gzip

        raise gzip.BadGzipFile(f"corrupt gzip data ({exc})") from exc
    finally:
        if reader is not stream and not reader.closed:
            reader.detach()  # a wrapper must not close the caller's stream when collected


def records(stream: BinaryIO, name: str, max_record_bytes: int) -> Iterator[Record]:
    """Yield the records of one open binary stream, choosing the reader by suffix and content.

    Errors as for ``opened``.
    """
    with opened(stream, name) as (kind, reader):
        yield from records_of(kind, reader, max_record_bytes)


def records_of(kind: str, reader: io.BufferedReader, max_record_bytes: int) -> Iterator[Record]:
    """Yield the records of an ``opened`` input of ``kind``."""
    if kind == "lines":
        yield from read_jsonl(reader, max_record_bytes)
        return
    # Not JSON from its first character on: that character alone gives the finding (RT101
    # there, before any bad UTF-8 further on), and a gzip bomb or a binary file is not read
    end = _not_json_end(reader.peek(1 << 16)[: 1 << 16])
    source: BinaryIO = io.BytesIO(reader.read(end)) if end else reader
    # both read in bounded pieces: at most one record (and a read window) is held at a time
    if kind == "har":
        from .har import read_har_stream

        yield from read_har_stream(source, max_record_bytes)
    else:
        from .document import read_document_stream

        yield from read_document_stream(source, max_record_bytes)


def _gzip_file(reader: BinaryIO) -> io.RawIOBase:
    import gzip  # only for gzip input: most runs never need it

    # GzipFile has readinto, all BufferedReader asks of a raw stream
    return gzip.GzipFile(fileobj=reader, mode="rb")  # type: ignore[return-value]


def open_input(path: str) -> BinaryIO:
    """Return the binary stream of ``path`` ('-' is standard input); raise SourceError."""
    if path == "-":
        return sys.stdin.buffer
    try:
        return open(path, "rb", buffering=1 << 20)  # the caller closes it
    except OSError as exc:
        raise SourceError(f"cannot read {path}: {exc.strerror or exc}") from exc
