"""What an input's first bytes say when they cannot start JSON text, and the one finding for it.

JSON text starts with a value (``{``, ``[``, ``"``, ``-``, a digit, a literal), JSON whitespace
(space, tab, CR, LF) or a UTF-8 BOM. An input that starts otherwise is told by its first bytes
alone, once per input and never per line: an audio or video file named by mistake, gzip nested
deeper than ``detect`` inflates, or an invisible character before a document's JSON (a control
character or whitespace that JSON does not allow, which ``str.strip`` would take for a blank
record). Each is one RT101 finding that says what the input is and what to do.
"""

from __future__ import annotations

from ..core.media import CONTENT_WINDOW, sniff_container
from ..core.violation import Violation

# Bytes that start JSON text, but the literals: a head starting with one is never sniffed (an
# MP4 file is told by "ftyp" at offset 4, which '{  "ftyp": 1}' or '["abftyp"]' has too). The
# literals are let through: none is "fLaC" (the only container with a lowercase first letter),
# and a delimiter follows true and null, so no "ftyp" at offset 4 either.
_JSON_TEXT_START = frozenset(b'{["-0123456789 \t\r\n\xef')

_CHARACTER_NAMES = {
    0x00: "a NUL byte",
    0x08: "a backspace",
    0x0B: "a vertical tab",
    0x0C: "a form feed",
    0x1A: "a Ctrl-Z (end-of-file mark)",
    0x1B: "an escape character",
    0x1C: "a file separator",
    0x1D: "a group separator",
    0x1E: "a record separator",
    0x1F: "a unit separator",
    0x7F: "a delete character",
    0x85: "a next-line character",
}


def media_name(head: bytes) -> str | None:
    """Return the container's name when ``head`` starts an audio or video file, else None.

    None for every head that starts JSON text (see above): never sniffed per line.
    """
    if not head or head[0] in _JSON_TEXT_START:
        return None
    return sniff_container(head[:CONTENT_WINDOW])


def media_problem(name: str) -> Violation:
    """Return the RT101 finding for an input that is a ``name`` file (``media_name``)."""
    if name == "WAV/RIFF":
        return Violation(
            "RT101",
            "this is a WAV file, not a log or an event: base64-encode its samples into "
            "input_audio_buffer.append events",
        )
    article = "an" if name[0] in "AMO" else "a"
    return Violation(
        "RT101",
        f"this is {article} {name} file, not a log or an event: decode it to raw pcm16 samples "
        "(24 kHz mono) and base64-encode them into input_audio_buffer.append events",
    )


def nested_gzip_problem(layers: int) -> Violation:
    """Return the RT101 finding for gzip still found inside ``layers`` layers of gzip."""
    return Violation(
        "RT101",
        f"input is gzip-compressed more than {layers} times over; it is inflated {layers} "
        "times at most: decompress it (gunzip) until it is JSON text",
    )


def stray_problem(char: str, what: str) -> Violation | None:
    """Return the RT101 finding when ``char``, the first character of ``what`` ("document")
    after JSON whitespace, is a control character or other whitespace, else None."""
    code = ord(char)
    if char in " \t\r\n" or not (code < 0x20 or 0x7F <= code <= 0x9F or char.isspace()):
        return None
    name = _CHARACTER_NAMES.get(code)
    if name is None:
        import unicodedata  # only for this finding

        described = unicodedata.name(char, "").lower()
        if not described:
            name = "a control character"
        else:
            name = ("an " if described[0] in "aeiou" else "a ") + described
    shown = f"0x{code:02X}" if code < 0x80 else f"U+{code:04X}"
    return Violation(
        "RT101",
        f"{what} is not valid JSON: {name} ({shown}) before the JSON; JSON allows only "
        "spaces, tabs and line breaks there: delete it",
    )
