"""Placing findings in raw JSON text: the str.find string scanner against obvious twins."""

from __future__ import annotations

import json
import re
import time

from hypothesis import given
from hypothesis import strategies as st

from validator.locate import key_offsets, scan_string, string_char_offset, value_offset

_STOP = re.compile(r'["\\]')


def scan_string_twin(text: str, quote: int) -> int:
    """The obvious scanner: stop at each quote or backslash; a backslash takes the next one."""
    i = quote + 1
    while (m := _STOP.search(text, i)) is not None:
        if m.group() == '"':
            return m.end()
        i = m.end() + 1
    return len(text)


strings = st.text(st.sampled_from('ab"\\/\n\u00e9\u2028\U0001f600\x00'), max_size=40)


@given(value=strings, ascii=st.booleans(), before=st.text("x ", max_size=3), after=strings)
def test_scan_string_matches_its_twin(value: str, ascii: bool, before: str, after: str) -> None:
    raw = json.dumps(value, ensure_ascii=ascii)
    text = before + raw + json.dumps(after)
    quote = len(before)
    assert scan_string(text, quote) == scan_string_twin(text, quote) == quote + len(raw)


@given(text=st.text(st.sampled_from('a"\\'), max_size=30))
def test_scan_string_matches_its_twin_on_any_text(text: str) -> None:
    """Unterminated strings and stray backslashes too: the text need not have parsed."""
    text = '"' + text
    assert scan_string(text, 0) == scan_string_twin(text, 0)


@given(value=strings, ascii=st.booleans())
def test_string_char_offset_points_at_each_character(value: str, ascii: bool) -> None:
    raw = json.dumps(value, ensure_ascii=ascii)
    text = '{"k": ' + raw + "}"
    quote = text.index('"', 5)
    for k in range(len(value) + 1):
        offset = string_char_offset(text, quote, k)
        assert json.loads('"' + text[quote + 1 : offset] + '"') == value[:k]


def test_long_strings_and_many_escapes_are_linear() -> None:
    audio = "A" * 4_000_000
    text = '{"audio": "' + audio + '", "event_id": "e"}'
    started = time.perf_counter()
    for _ in range(20):
        assert value_offset(text, "/event_id") == len(text) - 4
        assert key_offsets(text, "", "event_id") == [len(text) - 16]
    escapes = json.dumps('"' * 200_000 + "x")  # each quote escaped: \"
    assert string_char_offset(escapes, 0, 200_000) == len(escapes) - 2
    assert scan_string(escapes, 0) == len(escapes)
    newlines = json.dumps("\n" * 2_000_000 + "x")  # no quote until the end
    assert string_char_offset(newlines, 0, 2_000_000) == len(newlines) - 2
    # about a second; a quadratic scan of these escapes takes half a minute
    assert time.perf_counter() - started < 10
