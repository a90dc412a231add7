"""What an input's first bytes say when they cannot start JSON text, and the one finding for it.

JSON text starts with a value (``{``, ``[``, ``"``, ``-``, a digit, a literal), JSON whitespace
(space, tab, CR, LF) or a UTF-8 BOM. An input that starts otherwise is told by its first bytes
alone, once per input and never per line: an audio or video file named by mistake, gzip nested
deeper than ``detect`` inflates, or an invisible character before a document's JSON (a control
character or whitespace that JSON does not allow, which ``str.strip`` would take for a blank
record). Each is one RT101 finding that says what the input is and what to do.

So is a file that is plainly not a capture (``not_capture_problem``): a Markdown page or a Python
module handed to the pre-commit hook, a PNG image; its lines are not reported one by one.
"""

from __future__ import annotations

import os

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


NOT_A_CAPTURE_HINT = "pass only capture files (.jsonl, .json, .har, .gz)"
_LINES_LOOKED_AT = 8
"""Non-blank lines of a file named as no capture that must all fail to start JSON."""
_BINARY_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"\x7fELF", "an executable (ELF)"),
)
_TEXT_NAMES = {
    ".md": "Markdown text",
    ".markdown": "Markdown text",
    ".rst": "reStructuredText",
    ".txt": "plain text",
    ".py": "Python source",
    ".yaml": "YAML",
    ".yml": "YAML",
    ".toml": "TOML",
    ".csv": "CSV",
    ".html": "HTML",
    ".js": "JavaScript",
    ".ts": "TypeScript",
    ".sh": "a shell script",
}
# named so, a file is no log even when a line of it holds an object after some text
_NOT_LOGS = frozenset(_TEXT_NAMES) - {".txt"}
# what lines are stripped of before their first character is judged: JSON whitespace, a BOM,
# and the control bytes a record may wrongly start with (the JSONL reader names those: RT101)
_LINE_LEADING = bytes(range(0x21)) + b"\x7f"
_JSON_OPEN = frozenset(b"{[")


def not_capture_problem(name: str, head: bytes) -> Violation | None:
    """Return the RT101 finding for an input that is plainly not a capture, else None.

    The caller asks only for an input named without a capture's suffix (``README.md``,
    ``tool.py``, ``logo.png``, ``notes``). Plainly not a capture: a known binary format by its
    magic number, or up to 8 non-blank lines in ``head`` (its first bytes) of which none starts
    JSON: none opens with ``{`` or ``[``, none is a whole JSON value, and (but in a file
    named as Markdown, source code and the like) none is a text log's line, some text then a
    whole JSON object (the reader's RT101 says to strip the prefix). One line that could be a
    record, and the input is read as lines, each broken one an RT101 of its own.
    """
    for magic, what in _BINARY_MAGIC:
        if head.startswith(magic):
            return _not_a_capture(f"this is {what}")
    lowered = name.lower()
    while lowered.endswith(".gz"):
        lowered = lowered[:-3]
    suffix = os.path.splitext(os.path.basename(lowered))[1]
    logs = suffix not in _NOT_LOGS
    looked_at = 0
    first = b""
    for line in head.split(b"\n"):
        text = line.lstrip(b"\xef\xbb\xbf").lstrip(_LINE_LEADING).rstrip()
        if not text:
            continue
        if text[0] in _JSON_OPEN or _whole_json(text) or (logs and _logged_object(text)):
            return None
        first = first or text
        looked_at += 1
        if looked_at == _LINES_LOOKED_AT:
            break
    if not looked_at:
        return None  # blank: the readers say what they say of an empty input
    nul = head.find(b"\x00")
    if nul >= 0:
        return _not_a_capture(f"binary data (a NUL byte at byte offset {nul})")
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 3:  # not a character cut short by the end of ``head``
            return _not_a_capture(
                f"binary data, or text that is not UTF-8 (byte 0x{head[exc.start]:02X} at "
                f"byte offset {exc.start})"
            )
    what = _TEXT_NAMES.get(suffix, "text")
    shown = first[:40].decode("utf-8", "replace") + ("..." if len(first) > 40 else "")
    # its first lines: ``head`` may end before the input does
    lines = f"none of its first {looked_at} lines is" if looked_at > 1 else "its first line is not"
    return _not_a_capture(f"{what}, and {lines} JSON (it starts {shown!r})")


def _whole_json(text: bytes) -> bool:
    """Return True when ``text`` (one line) is a JSON value: a string, number or literal
    record, which the reader would call not an object (RT103), a record all the same."""
    import json

    try:
        json.loads(text)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        return False
    return True


def _logged_object(text: bytes) -> bool:
    """Return True when ``text`` (one line) is some text, then a JSON object to its end."""
    import json

    brace = text.find(b"{")
    if brace <= 0:
        return False
    try:
        value = json.loads(text[brace:])
    except (ValueError, RecursionError):
        return False
    return isinstance(value, dict)


def _not_a_capture(why: str) -> Violation:
    return Violation("RT101", f"not a capture: {why}; {NOT_A_CAPTURE_HINT}")


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
