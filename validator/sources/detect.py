"""Which source reads an input: by suffix, else by content; files and standard input."""

from __future__ import annotations

import io
import re
import sys
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, BinaryIO

from ..violation import Violation
from .base import Record, SourceError
from .jsonl import read_jsonl
from .sniff import media_name, media_problem, nested_gzip_problem

LINE_SUFFIXES = (".jsonl", ".ndjson")
DOCUMENT_SUFFIXES = (".json",)
HAR_SUFFIXES = (".har",)
SUFFIXES = LINE_SUFFIXES + DOCUMENT_SUFFIXES + HAR_SUFFIXES
_GZIP_MAGIC = b"\x1f\x8b"
GZIP_LAYERS = 3
"""Layers of gzip inflated at most: gzip found inside that many is one RT101 finding."""
# a HAR starts {"log": {...: Chrome writes it indented, other tools compact
_HAR_START = re.compile(rb'\{\s*"log"\s*:\s*\{')
_VALUE_START = frozenset(b'{["-0123456789tfnNI')  # N, I: NaN, Infinity (RT101 by name)
# skipped to tell a document by content: JSON whitespace, and control bytes that a document
# may wrongly start with (the document reader names them: RT101)
_LEADING = bytes(range(0x21)) + b"\x7f"


def _kind_by_suffix(name: str) -> str | None:
    lowered = name.lower()
    while lowered.endswith(".gz"):  # capture.jsonl.gz.gz: gzip inside gzip
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
    anything else is lines. Control bytes before them count as whitespace here: a document
    that starts with one is still a document (RT101 there), not lines of findings."""
    text = head.lstrip(b"\xef\xbb\xbf").lstrip(_LEADING)
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
    """Return how an input is read: "gzip", "media", "lines", "document" or "har".

    ``head`` is the input's first bytes (64 KiB is plenty). The suffix decides, except that a
    HAR saved as ``.json`` or under another name is still a HAR, and that an audio or video
    file (``sniff.media_name``) is "media" unless it is named as lines (``.jsonl``: every line
    of it is a record, as its name says). "gzip" means the kind is known only once the data
    is inflated (``records`` does that).
    """
    if head[:2] == _GZIP_MAGIC:
        return "gzip"
    kind = _kind_by_suffix(name)
    if kind == "lines":
        return kind
    if media_name(head) is not None:
        return "media"
    if kind == "har":
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

    Gzip inside gzip is inflated again, ``GZIP_LAYERS`` layers at most (then the kind is still
    "gzip"); each layer is read in bounded pieces. Reading raises OSError or EOFError (a
    truncated gzip, in any layer), never zlib.error: corrupt gzip data becomes
    ``gzip.BadGzipFile``, an OSError. The caller's stream is left open.
    """
    reader = _peekable(stream)
    try:
        inner = reader
        for _ in range(GZIP_LAYERS):
            if inner.peek(2)[:2] != _GZIP_MAGIC:
                break
            inner = io.BufferedReader(_gzip_file(inner), buffer_size=1 << 20)
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
    """Yield the records of an ``opened`` input of ``kind``.

    An audio or video file ("media") or gzip nested too deep ("gzip") is not text at all: one
    RT101 record that says what it is, counted with the bytes of the whole input.
    """
    if kind == "lines":
        yield from read_jsonl(reader, max_record_bytes)
        return
    head = reader.peek(1 << 16)[: 1 << 16]
    if kind == "gzip":
        yield from _whole_input(reader, nested_gzip_problem(GZIP_LAYERS))
        return
    if kind == "media":
        name = media_name(head)
        assert name is not None  # the bytes ``input_kind`` saw: nothing was read since
        yield from _whole_input(reader, media_problem(name))
        return
    # Not JSON from its first character on: that character alone gives the finding (RT101
    # there, before any bad UTF-8 further on), and a gzip bomb or a binary file is not read
    end = _not_json_end(head)
    source: BinaryIO = io.BytesIO(reader.read(end)) if end else reader
    # both read in bounded pieces: at most one record (and a read window) is held at a time
    if kind == "har":
        from .har import read_har_stream

        yield from read_har_stream(source, max_record_bytes)
    else:
        from .document import read_document_stream

        yield from read_document_stream(source, max_record_bytes)


def _whole_input(reader: io.BufferedReader, problem: Violation) -> Iterator[Record]:
    """Yield one record of ``problem`` at the input's start, sized as the whole input.

    The input is read past in bounded pieces (a plain file is only seeked): if that fails,
    the finding is still yielded before the error is raised.
    """
    size = 0
    failure: BaseException | None = None
    try:
        if isinstance(reader.raw, io.FileIO) and reader.seekable():
            start = reader.tell()
            size = reader.seek(0, io.SEEK_END) - start
        else:
            while piece := reader.read1(1 << 20):
                size += len(piece)
    except (OSError, EOFError, zlib.error) as exc:
        failure = exc
    yield Record(1, 0, b"", problem=problem, size=size)
    if failure is not None:
        raise failure


class _Inflated(io.RawIOBase):
    """The inflated bytes of a gzip stream, as a raw stream for a BufferedReader.

    ``readinto`` hands out what one piece of inflating gave (``GzipFile.read1``), where
    ``GzipFile.readinto`` fills the whole buffer and, when the data ends early (a truncated
    download, junk after the last member), raises with up to a buffer of inflated lines in
    its hands, lost: here they are read first, and the failure comes with the next read.
    """

    def __init__(self, reader: BinaryIO) -> None:
        import gzip  # only for gzip input: most runs never need it

        super().__init__()
        self._gzip = gzip.GzipFile(fileobj=reader, mode="rb")

    def readable(self) -> bool:
        """Return True: this stream is read."""
        return True

    def readinto(self, buffer: Any) -> int:
        """Read what one piece of inflating gives into ``buffer``; return its size (0: EOF)."""
        data = self._gzip.read1(len(buffer))
        size = len(data)
        buffer[:size] = data
        return size


def _gzip_file(reader: BinaryIO) -> io.RawIOBase:
    return _Inflated(reader)


def open_input(path: str) -> BinaryIO:
    """Return the binary stream of ``path`` ('-' is standard input); raise SourceError."""
    if path == "-":
        return sys.stdin.buffer
    try:
        return open(path, "rb", buffering=1 << 20)  # the caller closes it
    except OSError as exc:
        raise SourceError(f"cannot read {path}: {exc.strerror or exc}") from exc
