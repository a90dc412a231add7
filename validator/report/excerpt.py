"""Lines of the inputs read again for the full format, cut to a window with a caret.

``SourceLines`` keeps one input open and reads it forward from the last line asked for:
findings come in file order, so an input with many findings is read once. It never holds a
whole file, and of a line only what lies before the window's end: a 30 kB append, or a
record with no newline in gigabytes, costs no more than the characters up to the column.
``excerpt`` cuts a line to at most ``WIDTH`` characters around the column (``…`` where cut)
and puts a caret under the character.
"""

from __future__ import annotations

import contextlib
import os
import stat
import zlib
from typing import TYPE_CHECKING

from ..core.media import GZIP_LAYERS, GZIP_MAGIC

if TYPE_CHECKING:
    from gzip import GzipFile
    from io import BufferedReader

BLOCK = 1 << 20
"""Bytes read at a time."""
WIDTH = 100
"""Characters of a line shown at most, the ``…`` marks included."""
BEFORE = 40
"""Characters shown before the caret when the line is cut, where the line has them."""
TAB = 4
"""Columns between tab stops: tabs are expanded, so that the caret stays under its character."""
ELLIPSIS = "…"
_FAR = 64  # lines ahead from which a block's newlines are counted rather than found one by one


_BOM = b"\xef\xbb\xbf"
_UNREADABLE_NAMES = ("<stdin>", "-", "<event>")


def _visible_table() -> dict[int, int]:
    # a capture is anyone's text: control characters (an escape sequence would drive the
    # terminal) become their Control Pictures, and C1 controls and bidirectional overrides
    # (which reorder what is shown around the caret) become U+FFFD; each stays one column
    table = {c: 0x2400 + c for c in range(0x20)}
    table[0x7F] = 0x2421
    for c in [*range(0x80, 0xA0), 0x061C, *range(0x200E, 0x2010), *range(0x202A, 0x202F)]:
        table[c] = 0xFFFD
    for c in range(0x2066, 0x206A):
        table[c] = 0xFFFD
    return table


_VISIBLE = _visible_table()


class SourceLines:
    """Line N of an input file, read forward; one file open at a time."""

    def __init__(self) -> None:
        self._name: str | None = None
        self._files: list[BufferedReader | GzipFile] = []  # the file, then each gzip layer over it
        self._buf = bytearray()
        self._pos = 0  # where line ``_line`` starts in ``_buf``
        self._line = 1
        self._eof = False

    def line(self, name: str, number: int, stop: int) -> tuple[str, bool] | None:
        """Return the first ``stop`` characters of line ``number`` (1-based) of the input
        ``name`` and whether the line goes on after them; None when the line cannot be read
        again: standard input, a stream or device, a URL, a file gone, shorter, or unreadable.

        The line is decoded as UTF-8 with undecodable bytes replaced, without its end of line
        (``\\n``, ``\\r\\n``), and line 1 without a byte order mark, as the linter counts
        columns."""
        if name != self._name:
            self.close()
            self._name = name
            self._open(name)
        elif number < self._line:  # out of order: read the file again from its start
            self._close_files()
            self._open(name)
        if not self._files or number < 1:
            return None
        try:
            if not self._skip_to(number):
                self._line = number  # past the end: only an earlier line reads it again
                return None
            return self._read_line(number, max(stop, 0))
        except (OSError, EOFError, ValueError, zlib.error):  # a gzip that fails midway
            self._close_files()
            return None

    def close(self) -> None:
        """Close the open input, if any."""
        self._close_files()
        self._name = None

    def _open(self, name: str) -> None:
        self._buf = bytearray()
        self._pos, self._line, self._eof = 0, 1, False
        if name in _UNREADABLE_NAMES or "://" in name:
            return
        try:
            # a FIFO or a device named as an input was read once, as a stream: opening it
            # again would block or read something else
            if not stat.S_ISREG(os.stat(name).st_mode):
                return
            self._files.append(open(name, "rb"))  # noqa: SIM115 (closed by _close_files)
            for _ in range(GZIP_LAYERS):
                top = self._files[-1]
                if top.peek(2)[:2] != GZIP_MAGIC:
                    break
                import gzip

                self._files.append(gzip.open(top, "rb"))  # noqa: SIM115 (closed by _close_files)
        except (OSError, EOFError, ValueError, zlib.error):
            self._close_files()

    def _close_files(self) -> None:
        while self._files:
            with contextlib.suppress(OSError):
                self._files.pop().close()
        self._buf = bytearray()
        self._pos = 0

    def _fill(self) -> bool:
        """Drop what lies before the current line and read the next block; False at the end."""
        if self._eof:
            return False
        data = self._files[-1].read(BLOCK)
        if not data:
            self._eof = True
            return False
        del self._buf[: self._pos]
        self._buf += data
        self._pos = 0
        return True

    def _skip_to(self, number: int) -> bool:
        """Move to the start of line ``number``; False when the input has fewer lines."""
        while self._line < number:
            buf = self._buf
            need = number - self._line
            # far ahead: whole blocks are skipped by counting their newlines; near (the next
            # finding a few lines on), line by line, so as not to count the block each time
            if need > _FAR:
                count = buf.count(b"\n", self._pos)
                if count < need:
                    self._line += count
                    self._pos = len(buf)
                    if not self._fill():
                        return False
                    continue
            while self._line < number:
                newline = buf.find(b"\n", self._pos)
                if newline < 0:
                    break
                self._pos = newline + 1
                self._line += 1
            else:
                return True
            self._pos = len(buf)  # inside a line that goes on in the next block
            if not self._fill():
                return False
        return True

    def _read_line(self, number: int, stop: int) -> tuple[str, bool] | None:
        """Decode the current line up to ``stop`` characters; the position stays at its start
        (the next finding may be on the same line)."""
        import codecs

        decoder = codecs.getincrementaldecoder("utf-8")("replace")
        bom = 1 if number == 1 else 0  # a BOM is one more character, not counted in columns
        scanned = self._pos  # the line's bytes up to here are decoded
        chars = 0
        while True:
            # at most the bytes that can hold the characters still wanted (4 a character):
            # one past ``stop`` says the line goes on, and one more that it is not its "\r"
            want = 4 * (stop + bom + 2 - chars) + 4
            newline = self._buf.find(b"\n", scanned, scanned + want)
            ended = newline >= 0
            end = newline if ended else min(len(self._buf), scanned + want)
            chars += len(decoder.decode(self._buf[scanned:end]))
            scanned = end
            if ended or chars > stop + bom + 1:
                break
            if scanned < len(self._buf):
                continue
            start = self._pos
            if not self._fill():  # the last line, without a newline, or no line at all
                if scanned == self._pos:
                    return None
                ended = True
                break
            scanned -= start
        raw = bytes(self._buf[self._pos : scanned])
        if number == 1 and raw.startswith(_BOM):
            raw = raw[len(_BOM) :]
        text = raw.decode("utf-8", "replace")
        if ended and text.endswith("\r"):
            text = text[:-1]
        if len(text) > stop:
            return text[:stop], True
        return text, not ended


def stop_for(index: int) -> int:
    """Return how many characters of a line ``excerpt`` needs for a caret at ``index``."""
    return max(0, index - BEFORE) + WIDTH + 1


def excerpt(text: str, more: bool, index: int | None) -> tuple[str, str | None]:
    """Return the line as shown and the caret line under character ``index`` (0-based; None:
    no caret). ``text`` is the line's start (``stop_for(index)`` characters, or all of it)
    and ``more`` whether the line goes on. A long line is cut to ``WIDTH`` characters, about
    ``BEFORE`` of them before the caret, with ``…`` where cut; tabs are expanded and control
    characters shown as symbols, so the caret stays under its character."""
    at = 0 if index is None else index
    if not more:
        at = min(at, len(text))
    if more or len(text) > WIDTH:
        start = max(0, at - BEFORE)
        if not more and start + WIDTH - 1 >= len(text):  # the end of the line is in view
            start = len(text) - (WIDTH - 1)
            text, at = ELLIPSIS + text[start:], at - start + 1
        elif start == 0:
            text = text[: WIDTH - 1] + ELLIPSIS
        else:
            text, at = ELLIPSIS + text[start : start + WIDTH - 2] + ELLIPSIS, at - start + 1
    shown = text.expandtabs(TAB).translate(_VISIBLE)
    if index is None:
        return shown, None
    before = text[:at].expandtabs(TAB).translate(_VISIBLE)
    return shown, " " * _cells(before) + "^"


def _cells(text: str) -> int:
    """Return the terminal columns ``text`` takes: two for a wide character, none for a
    combining mark."""
    if text.isascii():
        return len(text)
    import unicodedata

    width = 0
    for c in text:
        if unicodedata.combining(c):
            continue
        width += 2 if unicodedata.east_asian_width(c) in "WF" else 1
    return width
