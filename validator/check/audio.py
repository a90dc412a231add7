"""Base64 and decoded-size checks on the ``audio`` string: pure functions, no I/O.

``base64_problems`` is fast: pybase64's SIMD strict decoder says yes or no, and only a "no" is
explained, character by character. Its obvious twin, which reads every character in Python,
is ``tests/base64_twin.py``; tests hold them equal.
"""

import binascii
import re
from collections.abc import Iterator
from typing import NamedTuple

import pybase64

from ..core.formats import FLOAT32_LOOK, FORMATS, ODD_SIZE
from ..core.media import CONTENT_WINDOW, sniff_container
from .content import looks_like_float32

MAX_AUDIO_BYTES = 15 * 2**20
"""The API's limit on one append's decoded audio: 15 MiB = 15,728,640 bytes."""

FLOAT32_WINDOW = 512
"""Leading decoded bytes the float32 check reads: 128 samples, evidence enough, and cheap."""
HEAD_CHARS = -(-CONTENT_WINDOW // 3) * 4
"""Base64 characters that decode to at least CONTENT_WINDOW bytes."""
_FORMAT_NAMES = {
    "pcm16": "16-bit little-endian mono samples at 24 kHz",
    "g711_ulaw": "G.711 u-law samples at 8 kHz",
    "g711_alaw": "G.711 A-law samples at 8 kHz",
}
_WHITESPACE = {
    " ": "a space",
    "\n": "a line break (\\n)",
    "\r": "a carriage return (\\r)",
    "\t": "a tab",
}
# Values of the last data character before "==" (resp. "=") whose unused low bits are zero.
CANONICAL_BEFORE_2 = "AQgw"
"""The last data characters before "==" whose unused low 4 bits are zero."""
CANONICAL_BEFORE_1 = "AEIMQUYcgkosw048"
"""The last data characters before "=" whose unused low 2 bits are zero."""
_CANONICAL_BEFORE_2 = frozenset(CANONICAL_BEFORE_2)
_CANONICAL_BEFORE_1 = frozenset(CANONICAL_BEFORE_1)
_OUTSIDE_ALPHABET = re.compile(r"[^A-Za-z0-9+/=]")
_PAD = "'=' padding character"
_B64_ERRORS = (binascii.Error, ValueError)


class Problem(NamedTuple):
    """A base64 problem: rule code, message, and the character index it concerns (or None)."""

    rule: str
    message: str
    offset: int | None


def decoded_size(audio: str | bytes) -> int:
    """Return the number of bytes that this (valid) base64 text decodes to, by arithmetic."""
    n = len(audio)
    if n == 0:
        return 0
    tail = audio[-2:]
    pad = tail.count(b"=") if isinstance(tail, bytes) else tail.count("=")
    return (n + 3) // 4 * 3 - pad if n % 4 == 0 else n * 3 // 4


def is_canonical(audio: str | bytes) -> bool:
    """Return True when the unused bits before the ``=`` padding are zero (RFC 4648 3.5)."""
    text = audio.decode("ascii") if isinstance(audio, bytes) else audio
    if text.endswith("=="):
        return len(text) < 3 or text[-3] in _CANONICAL_BEFORE_2
    if text.endswith("="):
        return len(text) < 2 or text[-2] in _CANONICAL_BEFORE_1
    return True


def _describe(ch: str) -> str:
    if ch in _WHITESPACE:
        return _WHITESPACE[ch]
    if ch.isprintable() and ch.isascii():
        return repr(ch)
    return f"{ch!r} (U+{ord(ch):04X})"


def _plural(count: int, noun: str) -> str:
    """Return "1 byte", "2 bytes", "15,728,641 bytes": a count with its noun."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def _is_bytes_repr(audio: str) -> bool:
    """Return True for str() of a bytes object: b'...' or b"..."."""
    return len(audio) >= 3 and audio[0] == "b" and audio[1] in "'\"" and audio[-1] == audio[1]


def _mime_wrapped(index: int, ch: str) -> bool:
    """Return True for a first line break where MIME encoders wrap: after 76 characters
    (base64.encodebytes, coreutils base64) or 64 (PEM, OpenSSL)."""
    return ch in "\r\n" and index in (64, 76)


def _whitespace_hint(audio: str, index: int, where: str) -> str:
    """Return the RT301 message for whitespace at ``index``: at an end, it is to be stripped;
    line breaks at 64 or 76 characters are MIME wrapping."""
    inner = audio.strip(" \n\r\t")
    if not any(c in inner for c in _WHITESPACE):
        end = "start" if index == 0 else "end"
        tip = (
            " (base64.encodebytes ends its output with one; base64.b64encode does not)"
            if end == "end" and audio[index:] == "\n"
            else ""
        )
        return f"{where} (the {end} of the string): strip it{tip}"
    if _mime_wrapped(index, audio[index]):
        return (
            f"{where}; base64 must not contain whitespace; this looks like MIME-style wrapped "
            "base64: encode without line breaks (base64.b64encode, not encodebytes) or "
            "remove them"
        )
    return f"{where}; base64 must not contain whitespace: remove it"


def _invalid_character(audio: str, index: int) -> Problem:
    ch = audio[index]
    where = f"{_describe(ch)} at index {index}"
    if ch in _WHITESPACE:
        return Problem(
            "RT301", f"audio is not valid base64: {_whitespace_hint(audio, index, where)}", index
        )
    if _is_bytes_repr(audio):
        hint = (
            "this is a Python bytes repr (str(b'...')): decode the base64 bytes with "
            ".decode('ascii') before putting them in the event"
        )
    elif audio.startswith("data:"):
        comma = audio.find(",")
        prefix = audio[: comma + 1] if 0 <= comma < 100 else "data:...;base64,"
        hint = f"it starts with a data URI prefix {prefix!r}: send only the base64 after the comma"
    elif ch in "-_":
        hint = (
            "this looks like URL-safe base64 ('-' and '_'): use the standard alphabet "
            "(base64.b64encode, not urlsafe_b64encode), or replace '-' with '+' and '_' "
            "with '/'"
        )
    elif ch == "=":
        hint = "'=' may only pad the end of the string; were two base64 strings joined?"
    else:
        hint = "only A-Z, a-z, 0-9, '+', '/' and '=' padding at the end are allowed"
    return Problem("RT301", f"audio is not valid base64: {where}; {hint}", index)


def _padding_problem(audio: str) -> Problem | None:
    """Explain a wrong length or padding of a string made of alphabet and '=' only."""
    n = len(audio)
    first_eq = audio.find("=")
    if first_eq != -1:
        pad = n - first_eq
        if audio.count("=", first_eq) != pad:
            return Problem(
                "RT302",
                f"audio is not valid base64: '=' at index {first_eq} is followed by more "
                "data; '=' may only pad the end (were two base64 strings joined? join the "
                "bytes, then encode once)",
                first_eq,
            )
        if pad > 2 or n % 4 != 0:
            return Problem(
                "RT302",
                f"audio is not valid base64: {_plural(pad, _PAD)} on a length of {n:,}; the "
                "length must be a multiple of 4 with at most two '=' (re-encode with "
                "base64.b64encode)",
                first_eq,
            )
        return None
    if n % 4 == 1:
        return Problem(
            "RT302",
            f"audio is not valid base64: length {n:,} leaves one character over after groups "
            "of 4; the string was cut or a character was lost",
            n - 1,
        )
    if n % 4:
        missing = 4 - n % 4
        return Problem(
            "RT302",
            f"audio is not valid base64: length {n:,} is not a multiple of 4; "
            f"{_plural(missing, _PAD)} missing at the end (unpadded base64 is not accepted: "
            "use base64.b64encode, which pads)",
            n,
        )
    return None


def _non_canonical(audio: str) -> Problem:
    index = len(audio) - (3 if audio.endswith("==") else 2)
    return Problem(
        "RT303",
        f"audio base64 is not canonical: the unused bits of {audio[index]!r} at index "
        f"{index} before the '=' padding are not zero; strict decoders reject it "
        "(re-encode the bytes with base64.b64encode)",
        index,
    )


def _size_problem(audio: str, max_audio_bytes: int) -> Problem | None:
    size = decoded_size(audio)
    if size > max_audio_bytes:
        return Problem(
            "RT304",
            f"audio decodes to {_plural(size, 'byte')}, over the limit of "
            f"{_plural(max_audio_bytes, 'byte')} for one append; split it into several appends",
            None,
        )
    if not audio:  # "=" or "A" also decode to nothing, but they are invalid, not empty
        return Problem(
            "RT305",
            "audio is empty: the append adds nothing to the input buffer; skip empty chunks",
            None,
        )
    return None


_VALIDATE_CHARS = 1 << 22
"""Characters of base64 decoded at once to validate it (a multiple of 4): a string of hundreds
of megabytes (a raised --max-record-bytes) is not decoded whole, its bytes held."""


def _valid_base64(audio: str) -> bool:
    """Return True when ``audio`` is strict base64, decoded ``_VALIDATE_CHARS`` at a time:
    each quantum of 4 stands alone, and only the last may hold '='."""
    size = len(audio)
    for start in range(0, max(size, 1), _VALIDATE_CHARS):
        piece = audio[start : start + _VALIDATE_CHARS] if size > _VALIDATE_CHARS else audio
        if start + _VALIDATE_CHARS < size and "=" in piece:
            return False
        try:
            pybase64.b64decode(piece, validate=True)
        except _B64_ERRORS:
            return False
    return True


def base64_problems(audio: str, max_audio_bytes: int = MAX_AUDIO_BYTES) -> Iterator[Problem]:
    """Yield the base64 and size problems of ``audio`` (RT301-RT305), fast path first."""
    if not _valid_base64(audio):
        problem = _first_base64_error_fast(audio)
        if problem is not None:
            yield problem
    elif not is_canonical(audio):
        yield _non_canonical(audio)
    size = _size_problem(audio, max_audio_bytes)
    if size is not None:
        yield size


def _first_base64_error_fast(audio: str) -> Problem | None:
    """Return the first base64 problem of ``audio``: the search done by a regex, not a Python
    loop (20 MB: 0.3 s)."""
    bad = _OUTSIDE_ALPHABET.search(audio)
    if bad is not None:
        return _invalid_character(audio, bad.start())
    return _padding_problem(audio)


def content_problems(head: bytes, size: int, audio_format: str) -> Iterator[Problem]:
    """Yield RT306-RT308 for decoded audio: ``head`` its first bytes, ``size`` its length.

    A file (RT307) is the whole story: its byte count and sample look say nothing more.
    """
    container = sniff_container(head[:CONTENT_WINDOW])
    if container is not None:
        article = "an" if container[0] in "AMO" else "a"
        yield Problem(
            "RT307",
            f"audio is {article} {container} file, not raw samples; the server plays its "
            f"bytes as noise: decode it and send raw {_FORMAT_NAMES[audio_format]}",
            None,
        )
        return
    flags = FORMATS[audio_format].content_flags
    if flags & ODD_SIZE and size % 2:
        yield Problem(
            "RT306",
            f"pcm16 audio is {_plural(size, 'byte')}, an odd number: a sample was split between "
            "chunks and the rest play as noise; cut chunks at a multiple of 2 bytes",
            None,
        )
    if flags & FLOAT32_LOOK and looks_like_float32(head[:FLOAT32_WINDOW]):
        yield Problem(
            "RT308",
            "audio looks like 32-bit float samples, but the input format is pcm16; convert: "
            "int16 = clip(round(x * 32767), -32768, 32767), little-endian",
            None,
        )


def audio_problems(
    audio: str, audio_format: str = "pcm16", max_audio_bytes: int = MAX_AUDIO_BYTES
) -> Iterator[Problem]:
    """Yield every problem of an append's audio string: base64, size, then content."""
    problems = list(base64_problems(audio, max_audio_bytes))
    yield from problems
    if any(p.rule in ("RT301", "RT302") for p in problems) or not audio:
        return
    head = pybase64.b64decode(audio[:HEAD_CHARS], validate=True)
    yield from content_problems(head, decoded_size(audio), audio_format)
