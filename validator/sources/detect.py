"""Which source reads an input: by suffix, else by content; files and standard input."""

from __future__ import annotations

import io
import re
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from functools import lru_cache
from typing import Any, BinaryIO

from ..core.media import GZIP_LAYERS, GZIP_MAGIC
from ..core.record import Record
from ..core.violation import Violation
from .jsonl import read_jsonl
from .sniff import media_name, media_problem, nested_gzip_problem, not_capture_problem

LINE_SUFFIXES = (".jsonl", ".ndjson")
DOCUMENT_SUFFIXES = (".json",)
HAR_SUFFIXES = (".har",)
SUFFIXES = LINE_SUFFIXES + DOCUMENT_SUFFIXES + HAR_SUFFIXES
# a HAR starts {"log": {...: Chrome writes it indented, other tools compact
_HAR_START = re.compile(rb'\{\s*"log"\s*:\s*\{')
_VALUE_START = frozenset(b'{["-0123456789tfnNI')  # N, I: NaN, Infinity (RT101 by name)
# skipped to tell a document by content: JSON whitespace, and control bytes that a document
# may wrongly start with (the document reader names them: RT101)
_LEADING = bytes(range(0x21)) + b"\x7f"


class InputKind(StrEnum):
    """How an input is read: its records, one a line or one an element, or a HAR's messages;
    or not read as text at all (an audio or video file; gzip nested too deep; a file named as
    no capture that plainly is none)."""

    LINES = "lines"  # JSONL / NDJSON
    DOCUMENT = "document"  # one event, or an array of events
    HAR = "har"  # a browser's HAR export: its websocket messages
    GZIP = "gzip"  # gzip still, after GZIP_LAYERS layers inflated
    MEDIA = "media"  # an audio or video file given as a capture
    OTHER = "other"  # README.md, a .py, a PNG: no capture's suffix, and no JSON in its lines


def _kind_by_suffix(name: str) -> InputKind | None:
    lowered = name.lower()
    while lowered.endswith(".gz"):  # capture.jsonl.gz.gz: gzip inside gzip
        lowered = lowered[:-3]
    if lowered.endswith(LINE_SUFFIXES):
        return InputKind.LINES
    if lowered.endswith(DOCUMENT_SUFFIXES):
        return InputKind.DOCUMENT
    if lowered.endswith(HAR_SUFFIXES):
        return InputKind.HAR
    return None


def _kind_by_content(head: bytes) -> InputKind:
    """A HAR starts '{"log": {'; a '[' first, or a '{' alone on the first line, is a document;
    anything else is lines. Control bytes before them count as whitespace here: a document
    that starts with one is still a document (RT101 there), not lines of findings."""
    text = head.lstrip(b"\xef\xbb\xbf").lstrip(_LEADING)
    if _HAR_START.match(text):
        return InputKind.HAR
    if text.startswith(b"["):
        return InputKind.DOCUMENT
    if text.startswith(b"{"):
        first_line = text.split(b"\n", 1)[0]
        if not first_line[1:].strip():
            return InputKind.DOCUMENT
    return InputKind.LINES


def input_kind(name: str, head: bytes) -> InputKind:
    """Return how an input is read: "gzip", "media", "other", "lines", "document" or "har".

    ``head`` is the input's first bytes (64 KiB is plenty). The suffix decides, except that a
    HAR saved as ``.json`` or under another name is still a HAR, and that an audio or video
    file (``sniff.media_name``) is "media" unless it is named as lines (``.jsonl``: every line
    of it is a record, as its name says). "gzip" means the kind is known only once the data
    is inflated (``records`` does that). "other" is a file named without a capture's suffix
    that is plainly no capture (``sniff.not_capture_problem``); standard input and other
    unnamed streams ("<stdin>") are read as their content says.
    """
    if head[:2] == GZIP_MAGIC:
        return InputKind.GZIP
    kind = _kind_by_suffix(name)
    if kind == InputKind.LINES:
        return kind
    if media_name(head) is not None:
        return InputKind.MEDIA
    if kind == InputKind.HAR:
        return kind
    by_content = _kind_by_content(head)
    if by_content == InputKind.HAR:
        return by_content
    if kind is not None or by_content != InputKind.LINES or not _named(name):
        return kind or by_content
    return InputKind.LINES if not_capture_problem(name, head) is None else InputKind.OTHER


def _named(name: str) -> bool:
    """Return True for a file's name, False for "<stdin>" and the like."""
    return not (name.startswith("<") and name.endswith(">"))


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
def opened(stream: BinaryIO, name: str) -> Iterator[tuple[InputKind, io.BufferedReader]]:
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
            if inner.peek(2)[:2] != GZIP_MAGIC:
                break
            inner = io.BufferedReader(_gzip_file(inner), buffer_size=1 << 20)
        yield input_kind(name, inner.peek(1 << 16)[: 1 << 16]), inner
    except zlib.error as exc:
        import gzip

        raise gzip.BadGzipFile(f"corrupt gzip data ({exc})") from exc
    finally:
        if reader is not stream and not reader.closed:
            reader.detach()  # a wrapper must not close the caller's stream when collected


def records_of(
    kind: InputKind, reader: io.BufferedReader, max_record_bytes: int, name: str = ""
) -> Iterator[Record]:
    """Yield the records of an ``opened`` input of ``kind`` named ``name``.

    An audio or video file ("media"), gzip nested too deep ("gzip") or a file that is plainly
    no capture ("other") is not read as records: one RT101 record that says what it is,
    counted with the bytes of the whole input.
    """
    if kind == InputKind.LINES:
        yield from read_jsonl(reader, max_record_bytes)
        return
    head = reader.peek(1 << 16)[: 1 << 16]
    if kind == InputKind.GZIP:
        yield from _whole_input(reader, nested_gzip_problem(GZIP_LAYERS))
        return
    if kind == InputKind.MEDIA:
        container = media_name(head)
        assert container is not None  # the bytes ``input_kind`` saw: nothing was read since
        yield from _whole_input(reader, media_problem(container))
        return
    if kind == InputKind.OTHER:
        problem = not_capture_problem(name, head)
        assert problem is not None  # the bytes ``input_kind`` saw, under the same name
        yield from _whole_input(reader, problem)
        return
    # Not JSON from its first character on: that character alone gives the finding (RT101
    # there, before any bad UTF-8 further on), and a gzip bomb or a binary file is not read
    end = _not_json_end(head)
    source: BinaryIO = io.BytesIO(reader.read(end)) if end else reader
    # both read in bounded pieces: at most one record (and a read window) is held at a time
    if kind == InputKind.HAR:
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

    Where isal is installed and the compressed stream can be read again from its start (a
    file), isal's own gzip reader inflates it in a thread, letting go of the GIL while it
    inflates, so that inflating overlaps the scanning of what was inflated before; at most
    ``_AHEAD`` pieces of ``_PIECE_BYTES`` wait, so a gzip bomb stays a few megabytes. That
    reader drops the piece it was inflating when the data turns out bad, and names some
    failures its own way: at its first failure the stream is inflated again from its start
    by ``_Members`` (the standard library's reading of gzip), past what was handed out
    already, to the true failure, with every record before it. ``_Members`` alone reads a
    stream that cannot be read again (standard input, an inner layer), and every stream
    where isal is missing (with zlib).

    Each read hands out what one piece of inflating gave, where ``GzipFile.readinto`` fills
    a whole buffer and, when the data ends early (a truncated download, junk after the last
    member), raises with up to a buffer of inflated lines in its hands: here every piece
    inflated before a failure is read first. A failure of isal's inflater is raised as
    zlib's would be (``zlib.error``, its words).
    """

    def __init__(self, reader: BinaryIO) -> None:
        super().__init__()
        self._reader = reader
        self._inflater = _inflater()
        self._error: type[Exception] = self._inflater.error
        self._members: Any = None  # the standard library's reading, when in use
        self._piece = memoryview(b"")
        self._done = 0  # inflated bytes handed out
        self._ended = False
        self._start = -1
        self._stop: Any = None
        fast = _isal_reader()
        if fast is not None and _rereadable(reader):
            import queue
            import threading

            self._start = reader.tell()
            self._pieces: queue.Queue[bytes | BaseException] = queue.Queue(_AHEAD)
            self._stop = threading.Event()
            # the thread holds no reference to this stream: collected, it is closed and
            # stops the thread
            threading.Thread(
                target=_inflate_ahead,
                args=(fast(reader, _PIECE_BYTES), self._pieces, self._stop),
                daemon=True,
            ).start()
        else:
            self._members = _members_class()(reader, self._inflater)

    def readable(self) -> bool:
        """Return True: this stream is read."""
        return True

    def readinto(self, buffer: Any) -> int:
        """Read inflated bytes into ``buffer``; return how many (0: the end)."""
        if not self._piece:
            if self._ended:
                return 0
            piece = self._next()
            if not piece:
                self._ended = True
                return 0
            self._piece = memoryview(piece)
        size = min(len(buffer), len(self._piece))
        buffer[:size] = self._piece[:size]
        self._piece = self._piece[size:]
        self._done += size
        return size

    def _next(self) -> bytes:
        """Return the next piece of inflated bytes (b"": the end); raise the failure."""
        if self._members is None:
            piece = self._pieces.get()
            if not isinstance(piece, BaseException):
                return piece
            self._again()  # isal's reader failed: the standard reading says how, exactly
        try:
            return bytes(self._members.read(_PIECE_BYTES))
        except self._error as exc:
            self._ended = True
            if isinstance(exc, zlib.error):
                raise
            raise zlib.error(_zlib_words(str(exc))) from exc
        except BaseException:
            self._ended = True
            raise

    def _again(self) -> None:
        """Inflate from the start again with ``_Members``, past what was handed out."""
        self._stop.set()
        self._reader.seek(self._start)
        self._members = _members_class()(self._reader, self._inflater)
        skip = self._done
        while skip:
            piece = self._members.read(min(skip, _PIECE_BYTES))
            if not piece:
                raise EOFError("the gzip stream changed while it was read")
            skip -= len(piece)

    def close(self) -> None:
        """Stop the inflating thread, and close."""
        if self._stop is not None:
            self._stop.set()
        super().close()


_PIECE_BYTES = 1 << 20
_AHEAD = 4


def _isal_reader() -> Any:
    """Return isal's gzip reader (C, lets go of the GIL), or None without isal."""
    try:
        from isal.isal_zlib import _GzipReader
    except ImportError:
        return None
    return _GzipReader


def _rereadable(reader: BinaryIO) -> bool:
    """Return True when ``reader`` can be read again from where it is now (a file)."""
    try:
        return reader.seekable() and reader.tell() >= 0
    except (OSError, ValueError, AttributeError):
        return False


def _inflate_ahead(source: Any, pieces: Any, stop: Any) -> None:
    """Put what ``source`` inflates into ``pieces``, piece by piece, then b"" at the end or
    the exception that stopped it; give up once ``stop`` is set."""
    import queue

    while not stop.is_set():
        try:
            piece: bytes | BaseException = source.read(_PIECE_BYTES)
        except Exception as exc:  # handed to the reader, which reads again exactly
            piece = exc
        while not stop.is_set():
            try:
                pieces.put(piece, timeout=0.1)
                break
            except queue.Full:
                continue
        if isinstance(piece, BaseException) or not piece:
            return


_READ_BYTES = 1 << 18
"""Compressed bytes read at a time: gzip's own 8 KiB made every piece a Python round."""


def _inflater() -> Any:
    """Return isal's zlib (python-isal: Intel's ISA-L, about 2.4x zlib's speed inflating)
    where it is installed, else zlib: the same decompressobj, crc32 and error."""
    try:
        from isal import isal_zlib
    except ImportError:
        return zlib
    return isal_zlib


def _zlib_words(message: str) -> str:
    """Return an isal error ("Error -2 Invalid deflate symbol found") in zlib's words for
    corrupt data, with isal's detail ("Error -3 while decompressing data: invalid deflate
    symbol found"): isal numbers its kinds of corruption, zlib calls them all Z_DATA_ERROR."""
    detail = re.sub(r"^Error -?\d+ ", "", message)
    return f"Error -3 while decompressing data: {detail[:1].lower()}{detail[1:]}"


@lru_cache(maxsize=1)
def _members_class() -> Any:
    """Return ``_Members``, made at first use: gzip is imported only for gzip input."""
    import gzip

    reader: Any = gzip._GzipReader  # not a public class: typeshed knows none of its parts

    class _Members(reader):  # type: ignore[misc]
        """The members of a gzip stream, read as the standard library reads them (headers,
        CRC and length checks, zero padding, junk after the last member), inflated by
        ``inflater`` (isal or zlib) from a quarter megabyte of input at a time."""

        def __init__(self, fp: BinaryIO, inflater: Any) -> None:
            super().__init__(fp)
            self._decomp_factory = inflater.decompressobj
            self._decompressor = self._decomp_factory(**self._decomp_args)
            self._crc32 = inflater.crc32

        def _init_read(self) -> None:
            self._crc = 0
            self._stream_size = 0

        def _add_read_data(self, data: bytes) -> None:
            self._crc = self._crc32(data, self._crc)
            self._stream_size += len(data)

        def read(self, size: int = -1) -> bytes:
            """Return up to ``size`` inflated bytes: what one call of inflating gives."""
            if size <= 0:
                return b""
            while True:  # CPython's _GzipReader.read, with larger reads of the input
                if self._decompressor.eof:
                    self._read_eof()
                    self._new_member = True
                    self._decompressor = self._decomp_factory(**self._decomp_args)
                if self._new_member:
                    self._init_read()
                    if not self._read_gzip_header():
                        self._size = self._pos
                        return b""
                    self._new_member = False
                buf = self._fp.read(_READ_BYTES)
                data = self._decompressor.decompress(buf, size)
                if self._decompressor.unconsumed_tail != b"":
                    self._fp.prepend(self._decompressor.unconsumed_tail)
                elif self._decompressor.unused_data != b"":
                    self._fp.prepend(self._decompressor.unused_data)
                if data != b"":
                    break
                if buf == b"":
                    raise EOFError(
                        "Compressed file ended before the end-of-stream marker was reached"
                    )
            self._add_read_data(data)
            self._pos += len(data)
            return bytes(data)

    return _Members


def _gzip_file(reader: BinaryIO) -> io.RawIOBase:
    return _Inflated(reader)
