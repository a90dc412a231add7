"""Placing findings in raw JSON text: the str.find string scanner against obvious twins."""

from __future__ import annotations

import ast
import json
import re
import time
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from validator.core.jsontext import key_offsets, scan_string, string_char_offset, value_offset

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


# -- Places: each object, array and newline found once per record -----------------------------

from jsontext_twin import scan_value  # noqa: E402

from validator.core.jsontext import (  # noqa: E402
    Places,
    _member_offsets,
    _unescape_key,
    line_col,
    skip_ws,
    unescape_token,
)


def value_offset_twin(text: str, pointer: str) -> int | None:
    """The obvious walk: scan the object or array again at each step."""
    i = skip_ws(text, 0)
    if not pointer:
        return i
    for raw in pointer.split("/")[1:]:
        token = unescape_token(raw)
        if i >= len(text):
            return None
        if text[i] == "{":
            found = None
            for key, _, value_at in _member_offsets(text, i):
                if _unescape_key(key) == token:
                    found = value_at
            if found is None:
                return None
            i = found
        elif text[i] == "[" and token.isdigit():
            i = skip_ws(text, i + 1)
            for _ in range(int(token)):
                i = skip_ws(text, scan_value(text, i))
                if i >= len(text) or text[i] != ",":
                    return None
                i = skip_ws(text, i + 1)
        else:
            return None
    return i


def _pointers(value: object, here: str = "") -> list[str]:
    found = [here]
    if isinstance(value, dict):
        for key, item in value.items():
            token = key.replace("~", "~0").replace("/", "~1")
            found += _pointers(item, f"{here}/{token}")
        found += [f"{here}/missing"]
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _pointers(item, f"{here}/{index}")
        found += [f"{here}/{len(value)}"]
    return found


_keys = st.sampled_from(["a", "b", "a/b", "~", "é", 'q"', "\\"])
_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text('ab"\\\n', max_size=4),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_keys, inner, max_size=4),
    max_leaves=12,
)


@given(value=_json, indent=st.sampled_from([None, 1, 2]), ascii=st.booleans())
def test_places_match_the_obvious_walk(value: object, indent: int | None, ascii: bool) -> None:
    text = json.dumps(value, indent=indent, ensure_ascii=ascii)
    places = Places(text)
    for pointer in _pointers(value):
        assert places.value_offset(pointer) == value_offset_twin(text, pointer), pointer
    for offset in range(len(text) + 1):
        assert places.line_col(offset) == line_col(text, offset)


@given(keys=st.lists(_keys, min_size=1, max_size=12), spaced=st.booleans())
def test_repeated_keys_are_placed_as_before(keys: list[str], spaced: bool) -> None:
    sep = ", " if spaced else ","
    text = "{" + sep.join(f"{json.dumps(k)}: {n}" for n, k in enumerate(keys)) + "}"
    places = Places(text)
    for key in set(keys):
        every = [at for raw, at, _ in _member_offsets(text, 0) if _unescape_key(raw) == key]
        expected = every if len(every) <= 3 else [*every[:2], every[-1]]  # first, second, last
        assert places.key_offsets("", key) == expected
        assert places.value_offset("/" + key.replace("~", "~0").replace("/", "~1")) == (
            value_offset_twin(text, "/" + key.replace("~", "~0").replace("/", "~1"))
        )


def test_a_finding_for_each_of_many_properties_is_linear(tmp_path: Path) -> None:
    from validator import lint
    from validator.core.violation import MAX_PER_RULE

    props = ",".join(f'"p{k}":0' for k in range(50_000))
    line = '{"type":"input_audio_buffer.append","audio":"AAAAAA==",' + props + "}"
    document = tmp_path / "event.json"
    document.write_text(json.dumps(json.loads(line), indent=1))  # a property a line
    started = time.perf_counter()
    found = list(lint([line]))
    # the first 50 of them, then one finding that counts the rest, where they start
    assert len(found) == MAX_PER_RULE + 1
    assert found[-1].message.startswith("and 49,950 more RT203 findings in this record")
    assert (found[-1].line, found[-1].column) == (1, line.index('"p50"') + 1)
    assert (found[-2].line, found[-2].column) == (1, line.index('"p49"') + 1)
    in_document = list(lint(str(document)))
    assert len(in_document) == MAX_PER_RULE + 1
    # lines: "{", type, audio, then p0 on line 4
    assert (in_document[-1].line, in_document[-1].column) == (54, 2)
    # 23 s for 4,000 of them when each finding scanned the object again
    assert time.perf_counter() - started < 10


_PLACING = ("line", "column", "source")
"""What a placed finding has that an unplaced one has not."""


def _places_a_finding(call: ast.Call) -> bool:
    """Return True where ``call`` makes a finding with a place: ``Violation(...)`` given a
    line, column or source (by keyword, past the fourth positional argument, or unpacked),
    or ``dataclasses.replace(v, line=...)``."""
    func = call.func
    name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
    words = {k.arg for k in call.keywords}
    if name == "replace":
        return not words.isdisjoint(_PLACING)
    if name != "Violation":
        return False
    unpacked = any(isinstance(a, ast.Starred) for a in call.args) or None in words
    return unpacked or len(call.args) > 3 or not words.isdisjoint(_PLACING)


_WIRE = "validator/scale/protocol.py"
"""Rebuilds, from the JSON a worker sent, findings that ``place`` placed in the worker."""


def test_findings_are_placed_one_way_only() -> None:
    """Every finding with a place is made in ``core.place`` (``located``): a finding placed
    anywhere else (a road, a source, the audio-signal rules) would be a second way, and two
    ways drift (a column off by one on one road). The parity tests hold that each road gives
    the same line:column; this holds that there is one way to give it."""
    root = Path(__file__).resolve().parent.parent
    elsewhere: list[str] = []
    for path in sorted((root / "validator").rglob("*.py")):
        name = path.relative_to(root).as_posix()
        if name == "validator/core/place.py":
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Call) and _places_a_finding(node):
                elsewhere.append(f"{name}:{node.lineno}")
    wire = [at for at in elsewhere if at.startswith(f"{_WIRE}:")]
    assert len(wire) == 1, wire  # decode_outcome: one call, rebuilding what was placed
    assert [at for at in elsewhere if at not in wire] == []


def test_the_check_of_placing_catches_a_finding_placed_elsewhere() -> None:
    """The check above is not blind: each way of placing a finding outside ``core.place``
    is caught, and an unplaced finding, or a record placed by its source, is not."""
    caught = [
        "Violation('RT101', 'm', '', 'x.jsonl', 3, 1)",
        "Violation('RT101', 'm', line=3, column=1)",
        "Violation(*values)",
        "replace(v, line=3)",
        "dataclasses.replace(v, source='x', column=2)",
    ]
    passed = [
        "Violation('RT101', 'm', '/a')",
        "Violation('RT402', '', pointer='/event_id', level=None)",
        "replace(v, message='m')",
        "record._replace(column=3)",
    ]
    for text in caught:
        call = ast.parse(text, mode="eval").body
        assert isinstance(call, ast.Call) and _places_a_finding(call), text
    for text in passed:
        call = ast.parse(text, mode="eval").body
        assert isinstance(call, ast.Call) and not _places_a_finding(call), text
