"""The edits: pure functions from a broken value to the value the sender meant, and the places
of the JSON tokens they replace in an event's text. No I/O; ``event.py`` verifies each edit.
"""

from __future__ import annotations

import binascii
import json
import re
from typing import NamedTuple

import pybase64

from ..core.jsontext import Places, scan_string, skip_value, skip_ws, unescape_token

_DATA_URI = re.compile(r"data:[^,;\"]*(?:;[^,;\"]*)*;base64,", re.IGNORECASE)
# Python's repr of bytes (``str(base64.b64encode(x))``): b'...', where base64 text holds no
# quote; ``encodebytes``' line breaks come out as the two characters backslash and n
_BYTES_REPR = re.compile(r"b'([^'\\]*(?:\\[nrt][^'\\]*)*)'")
_REPR_ESCAPES = (("\\n", "\n"), ("\\r", "\r"), ("\\t", "\t"))
_BASE64_WHITESPACE = str.maketrans("", "", " \t\r\n\f\v")
_URL_SAFE = str.maketrans("-_", "+/")
_STANDARD = re.compile(r"[A-Za-z0-9+/]*")


class Edit(NamedTuple):
    """Replace ``text[start:end]`` with ``new``."""

    start: int
    end: int
    new: str


def standard_base64(audio: str) -> str | None:
    """Return ``audio`` as canonical standard base64 of the same bytes, or None where that
    is in doubt (or nothing changes).

    Python's repr of the base64 bytes (``b'...'``, its ``\\n`` escapes read back) gives its
    text; a ``data:...;base64,`` prefix is dropped, whitespace and line breaks are removed, the
    URL-safe alphabet (``-``, ``_``) becomes the standard one, missing ``=`` padding is added
    where the length leaves no doubt (not on a length of 4n + 1), and the unused bits before
    the padding are cleared. ``=`` inside the text (two strings joined), or both alphabets at
    once, is left alone.
    """
    text = bytes_repr_text(audio)
    if text is None:
        text = audio
    prefix = _DATA_URI.match(text)
    if prefix is not None:
        text = text[prefix.end() :]
    text = text.translate(_BASE64_WHITESPACE)
    if ("-" in text or "_" in text) and ("+" in text or "/" in text):
        return None
    text = text.translate(_URL_SAFE)
    body = text.rstrip("=")
    if len(text) - len(body) > 2 or _STANDARD.fullmatch(body) is None:
        return None
    if len(body) % 4 == 1:
        return None  # a character was lost or added: no padding says which
    padded = body + "=" * (-len(body) % 4)
    try:
        data = binascii.a2b_base64(padded)  # lenient about the unused bits only
    except binascii.Error:
        return None
    fixed = pybase64.b64encode(data).decode("ascii")
    return fixed if fixed != audio else None


def bytes_repr_text(audio: str) -> str | None:
    """Return the text inside Python's repr of bytes, ``b'...'`` (its escapes ``\\n``,
    ``\\r``, ``\\t`` read back: exact), or None where ``audio`` is not one."""
    found = _BYTES_REPR.fullmatch(audio)
    if found is None:
        return None
    text = found.group(1)
    if "\\" in text:
        for escape, char in _REPR_ESCAPES:
            text = text.replace(escape, char)
    return text


def token_span(places: Places, pointer: str) -> tuple[int, int] | None:
    """Return the span of the JSON string token at ``pointer`` (quotes included), or None."""
    text = places.text
    at = places.value_offset(pointer)
    if at is None or at >= len(text) or text[at] != '"':
        return None
    return at, scan_string(text, at)


def string_token(value: str, like: str) -> str:
    """Return the JSON string token of ``value``, escaped the way the token ``like`` is:
    ``\\/`` for a slash where it wrote one, ``\\u`` escapes where it used them for what is not
    ASCII; otherwise as ``json.dumps`` writes it."""
    token = json.dumps(value, ensure_ascii="\\u" in like)
    if "\\/" in like:
        token = token.replace("/", "\\/")
    return token


def member_span(places: Places, pointer: str) -> tuple[int, int] | None:
    """Return the span to delete to remove the member at ``pointer`` (the last of a repeated
    key), with one comma and the whitespace between: from its key to the next member's key,
    or, for the last member, from the comma before it to the end of its value."""
    parent, _, token = pointer.rpartition("/")
    key = unescape_token(token)
    text = places.text
    obj = places.value_offset(parent)
    if obj is None or obj >= len(text) or text[obj] != "{":
        return None
    members = places.members(obj)
    spans = members.get(key)
    if not spans:
        return None
    key_at, value_at = spans[-1]
    end = skip_value(text, value_at)
    after = skip_ws(text, end)
    if after < len(text) and text[after] == ",":
        return key_at, skip_ws(text, after + 1)
    # the last member: take the comma before it, if there is one
    before = key_at - 1
    while before > obj and text[before] in " \t\r\n":
        before -= 1
    if text[before] == ",":
        return before, end
    return key_at, after  # the only member: leave the braces and what is around them


def changed(old: str, new: str) -> Edit:
    """Return the one edit that turns ``old`` into ``new``: what lies between their common
    prefix and their common suffix."""
    limit = min(len(old), len(new))
    start = 0
    step = 4096
    while start < limit:  # compare in blocks: a megabyte of audio is not walked by character
        size = min(step, limit - start)
        if old[start : start + size] == new[start : start + size]:
            start += size
            continue
        if size == 1:
            break
        step = max(1, size // 2)
    end = 0
    step = 4096
    while end < limit - start:
        size = min(step, limit - start - end)
        if (
            old[len(old) - end - size : len(old) - end]
            == new[len(new) - end - size : len(new) - end]
        ):
            end += size
            continue
        if size == 1:
            break
        step = max(1, size // 2)
    return Edit(start, len(old) - end, new[start : len(new) - end])


def apply(text: str, edits: list[Edit]) -> str:
    """Return ``text`` with ``edits`` (not overlapping) made."""
    parts: list[str] = []
    pos = 0
    for edit in sorted(edits):
        parts.append(text[pos : edit.start])
        parts.append(edit.new)
        pos = edit.end
    parts.append(text[pos:])
    return "".join(parts)
