"""The slow, obvious twin of ``core.jsontext.skip_value``: a character loop over the text.

Only tests call it (``tests/test_sources.py`` holds the two equal on every value).
"""

from __future__ import annotations

import re

from validator.core.jsontext import scan_string

_LITERAL_END = re.compile(r"[,\]}\s]|$")


def scan_value(text: str, i: int) -> int:
    """Return the index just past the JSON value that starts at ``i``."""
    n = len(text)
    if i >= n:
        return n
    c = text[i]
    if c == '"':
        return scan_string(text, i)
    if c not in "[{":
        m = _LITERAL_END.search(text, i)
        return m.start() if m else n
    depth = 0
    while i < n:
        c = text[i]
        if c == '"':
            i = scan_string(text, i)
            continue
        if c in "[{":
            depth += 1
        elif c in "]}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return n
