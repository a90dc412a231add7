"""HAR edges: what DevTools never writes, and escapes in the file's data strings.

- An entry whose ``_webSocketMessages`` is not an array is one RT101 there (an entry without
  the key is an HTTP request: nothing).
- A finding inside a message is placed at the file's own line and column whatever escapes the
  file uses in the message's strings (``\\/``, ``\\u0041``, surrogate pairs) or around them.
- An ``opcode`` that is not an integer is RT202, not a binary frame nor a text frame.

Every case goes through both HAR readers (streaming, in pieces of several sizes, and the
whole-text twin), and the placing through ``validator.lint`` on a written ``.har`` file.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from conftest import b64, pointers
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from whole_readers import aligned_message, read_har_whole

import validator
from validator.check.parse import MISSING, parse_record
from validator.core.jsontext import string_char_offset, value_offset
from validator.core.record import Record, shifted
from validator.core.violation import Violation
from validator.sources.har import align, read_har_stream

CHUNKS = (1, 7, 4096, 1 << 20)
AUDIO = b64(bytes([0xFB, 0xFF, 0xBF, 0x00, 0x10, 0x83]) * 60)  # "+/+/ABCD" 60 times
POINTER = "/log/entries/1/_webSocketMessages/0"


def read_both(text: str) -> list[Record]:
    """Return the records of ``text`` by the whole-text reader, asserting the streaming one
    gives the same in pieces of every size."""
    data = text.encode("utf-8")
    whole = list(read_har_whole(data))
    for chunk in CHUNKS:
        assert list(read_har_stream(io.BytesIO(data), chunk=chunk)) == whole, chunk
    return whole


def lint_file(tmp_path: Path, text: str) -> tuple[list[Violation], list[str]]:
    """Return the findings of ``validator.lint`` on ``text`` written as a .har, and its lines."""
    path = tmp_path / "capture.har"
    path.write_text(text, encoding="utf-8")
    return list(validator.lint(str(path))), text.split("\n")


def har_with(entry: str, *, indent: bool = True) -> str:
    """Return a HAR whose second entry is the JSON text ``entry``, after an HTTP request."""
    request = '{"request": {"method": "GET", "url": "https://x/"}, "response": {"status": 200}}'
    if not indent:
        return '{"log": {"version": "1.2", "entries": [' + request + ", " + entry + "]}}"
    return (
        '{\n  "log": {\n    "version": "1.2",\n    "entries": [\n      '
        + request
        + ",\n      "
        + entry
        + "\n    ]\n  }\n}\n"
    )


def socket_entry(message: str, *, opcode: str = "1", direction: str = "send") -> str:
    """Return a websocket entry with one message whose ``data`` is the file text ``message``
    (already escaped: it goes between the quotes as it is) and whose opcode is ``opcode``."""
    return (
        '{"_resourceType": "websocket", "_webSocketMessages": [\n        {"type": "'
        + direction
        + '", "time": 1732430000.1, "opcode": '
        + opcode
        + ', "data": "'
        + message
        + '"}\n      ]}'
    )


def escaped(message: str) -> str:
    """Return ``message`` as DevTools writes it inside the data string (JSON.stringify)."""
    return json.dumps(message, ensure_ascii=False)[1:-1]


# -- 1. _webSocketMessages that is not an array -------------------------------------------

NOT_AN_ARRAY = (
    "HAR entry's '_webSocketMessages' is {}, not an array; DevTools writes an entry's "
    'websocket messages as an array of {{"type", "time", "opcode", "data"}} objects: '
    "export the HAR again"
)


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        pytest.param('{"0": {"type": "send", "data": "{}"}}', "an object", id="object"),
        pytest.param("{}", "an object", id="empty-object"),
        pytest.param('"[{\\"type\\": \\"send\\"}]"', "a string", id="string"),
        pytest.param('"' + "x" * (1 << 20) + '"', "a string", id="string-over-a-window"),
        pytest.param("3", "a number", id="integer"),
        pytest.param("-1.5e3", "a number", id="float"),
        pytest.param("null", "null", id="null"),
        pytest.param("true", "a boolean", id="true"),
        pytest.param("false", "a boolean", id="false"),
    ],
)
def test_websocket_messages_not_an_array_is_rt101_at_the_value(
    tmp_path: Path, value: str, kind: str
) -> None:
    text = har_with('{"_resourceType": "websocket",\n       "_webSocketMessages": ' + value + "}")
    (rec,) = read_both(text)
    line = text.split("\n")[rec.line - 1]
    assert line[rec.column :].startswith(value[:20])
    assert rec.pointer == "/log/entries/1/_webSocketMessages"
    assert rec.problem == Violation("RT101", NOT_AN_ARRAY.format(kind))
    (finding,), lines = lint_file(tmp_path, text)
    assert (finding.rule, finding.line, finding.column) == ("RT101", rec.line, rec.column + 1)
    assert finding.pointer == "/log/entries/1/_webSocketMessages"
    assert lines[finding.line - 1][finding.column - 1] == value[0]  # type: ignore[operator]


def test_each_entry_is_judged_in_file_order_and_http_entries_stay_silent() -> None:
    good = socket_entry(escaped('{"type":"input_audio_buffer.append","audio":"AAAA"}'))
    text = har_with(
        '{"request": {}}, {"_webSocketMessages": "x"}, ' + good + ', {"_webSocketMessages": {}}',
        indent=False,
    )
    recs = read_both(text)
    assert [(r.pointer, r.problem.rule if r.problem else None) for r in recs] == [
        ("/log/entries/2/_webSocketMessages", "RT101"),
        ("/log/entries/3/_webSocketMessages/0", None),
        ("/log/entries/4/_webSocketMessages", "RT101"),
    ]
    lines = text.split("\n")
    assert [lines[r.line - 1][r.column] for r in recs] == ['"', "{", "{"]


def test_a_broken_value_there_is_the_file_s_rt101_alone() -> None:
    text = har_with('{"_webSocketMessages": tru}', indent=False)
    (rec,) = read_both(text)
    assert rec.problem is not None
    assert rec.problem.message.startswith("HAR file is not valid JSON")


# -- 2. columns inside a message, whatever the file escapes -----------------------------------


def _bad_audio_case(escape: str) -> tuple[str, int]:
    """Return the file text of an append whose audio has escapes before a '-' (its index)."""
    audio = AUDIO[:200] + "-" + AUDIO[201:]
    message = escaped(
        json.dumps({"type": "input_audio_buffer.append", "audio": audio}, separators=(",", ":"))
    )
    head, tail = message.split("-", 1)
    plain = head
    if escape == "slash":  # PHP and some exporters write '/' as '\/'
        head = head.replace("/", "\\/")
    elif escape == "letters":  # an ordinary letter as \u0041
        head = head.replace("A", "\\u0041").replace("g", "\\u0067")
    elif escape == "everything":  # every character of the audio before the '-'
        start = head.index('audio\\":\\"') + len('audio\\":\\"')
        head = head[:start] + "".join(f"\\u{ord(c):04x}" for c in head[start:])
    elif escape == "quotes":  # the message's quotes as \u0022, not \"
        head = head.replace('\\"', "\\u0022")
    assert (head == plain) == (escape == "none")
    return head + "-" + tail, 200


@pytest.mark.parametrize("indent", [True, False], ids=["chrome", "compact"])
@pytest.mark.parametrize("escape", ["none", "slash", "letters", "everything", "quotes"])
def test_a_bad_base64_character_is_placed_on_itself_in_the_file(
    tmp_path: Path, escape: str, indent: bool
) -> None:
    message, index = _bad_audio_case(escape)
    text = har_with(socket_entry(message), indent=indent)
    (rec,) = read_both(text)
    assert json.loads(str(rec.data))["audio"][index] == "-"
    (finding,), lines = lint_file(tmp_path, text)
    assert finding.rule == "RT301" and finding.offset == index
    assert lines[finding.line - 1][finding.column - 1] == "-"  # type: ignore[operator]


def test_a_lone_surrogate_after_a_surrogate_pair_is_placed_on_its_escape(tmp_path: Path) -> None:
    # the file writes both (ensure_ascii): the pair is one character of the message, the lone
    # half is RT101 where its escape starts
    message = escaped('{"type":"input_audio_buffer.append","audio":"AAAA","event_id":"@"}')
    text = har_with(socket_entry(message.replace("@", "a\\ud83d\\ude00b\\ud800c")))
    (finding,), lines = lint_file(tmp_path, text)
    assert finding.rule == "RT101" and "lone UTF-16 surrogate" in finding.message
    assert lines[finding.line - 1][finding.column - 1 :].startswith("\\ud800c")  # type: ignore


@pytest.mark.parametrize(
    ("character", "written"),
    [("-", "\\u002d"), ("é", "\\u00e9"), ("😀", "\\ud83d\\ude00")],
    ids=["ascii", "latin", "astral"],
)
def test_an_escaped_bad_character_is_placed_on_its_escape(
    tmp_path: Path, character: str, written: str
) -> None:
    audio = "AAAA\\/AAA" + written + "AAA"  # as the file writes it
    message = escaped('{"type":"input_audio_buffer.append","audio":"@"}').replace("@", audio)
    text = har_with(socket_entry(message))
    (finding, *_), lines = lint_file(tmp_path, text)
    assert finding.rule == "RT301" and finding.offset == 8
    line = lines[finding.line - 1]
    assert line[finding.column - 1 :].startswith(written)  # type: ignore[operator]
    assert character in finding.message


def test_an_escaped_letter_of_a_literal_before_the_audio(tmp_path: Path) -> None:
    message = escaped('{"type":"input_audio_buffer.append","x":true,"audio":"AA-A"}')
    text = har_with(socket_entry(message.replace("true", "\\u0074rue")))
    (unknown, bad), lines = lint_file(tmp_path, text)
    assert (unknown.rule, bad.rule) == ("RT203", "RT301")
    assert lines[bad.line - 1][bad.column - 1] == "-"  # type: ignore[operator]
    # a key or string is placed at the quote of its \"
    assert lines[unknown.line - 1][unknown.column - 1 :].startswith('"x')  # type: ignore


def test_the_message_s_own_escapes_keep_the_column_exact(tmp_path: Path) -> None:
    # '\/' in the message is '\\/' in the file: three characters for one, which no JSON text
    # of the same value can be; the record's shifts place the '-' where the file has it
    message = escaped('{"type":"input_audio_buffer.append","audio":"A\\/A\\/-A","x":1}')
    assert "A\\\\/A\\\\/-A" in message
    text = har_with(socket_entry(message))
    (bad, unknown), lines = lint_file(tmp_path, text)
    assert (bad.rule, bad.offset, unknown.rule) == ("RT301", 4, "RT203")
    line = lines[bad.line - 1]
    assert line.index("-") + 1 == bad.column
    assert lines[unknown.line - 1][unknown.column - 1 :].startswith('"x')  # type: ignore


@pytest.mark.parametrize(
    "written",
    ["\\\\n", "\\\\u0041", "\\\\\\\\", '\\\\\\"', "\\\\/"],
    ids=["newline", "unicode", "backslash", "quote", "slash"],
)
def test_a_finding_after_an_event_id_with_the_message_s_own_escapes_is_exact(
    tmp_path: Path, written: str
) -> None:
    """Event ids and instructions hold the message's own escapes: a finding in the next
    string is where the file has it."""
    message = (
        '{\\"type\\":\\"input_audio_buffer.append\\",\\"event_id\\":\\"e'
        + written * 3
        + '\\",\\"audio\\":\\"AA-A\\"}'
    )
    text = har_with(socket_entry(message))
    (bad,), lines = lint_file(tmp_path, text)
    assert bad.rule == "RT301"
    assert lines[bad.line - 1][bad.column - 1 :].startswith("-A")  # type: ignore[index]


# every way a file can write each character of the data string
def _written(c: str) -> st.SearchStrategy[str]:
    code = ord(c)
    if code > 0xFFFF:
        high = 0xD800 + ((code - 0x10000) >> 10)
        low = 0xDC00 + ((code - 0x10000) & 0x3FF)
        return st.sampled_from([c, f"\\u{high:04x}\\u{low:04X}"])
    forms = [f"\\u{code:04x}", f"\\u{code:04X}"]
    short = {'"': '\\"', "\\": "\\\\", "/": "\\/", "\b": "\\b", "\f": "\\f", "\n": "\\n"}
    short |= {"\r": "\\r", "\t": "\\t"}
    if c in short:
        forms.append(short[c])
    if c not in '"\\' and code >= 0x20:
        forms.append(c)
    return st.sampled_from(forms)


@st.composite
def file_forms(draw: st.DrawFn, message: str) -> tuple[str, list[int]]:
    """Return ``message`` written inside a data string, each character in a drawn form, and
    the offset in that text where each character's form starts."""
    parts, starts, at = [], [], 0
    for c in message:
        form = draw(_written(c))
        starts.append(at)
        parts.append(form)
        at += len(form)
    starts.append(at)
    return "".join(parts), starts


# strings the message writes without escapes of its own (json.dumps, ensure_ascii=False)
_PLAIN = st.text(
    st.characters(blacklist_categories=["Cs", "Cc"], blacklist_characters='"\\'), max_size=6
)
_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | _PLAIN,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_PLAIN, inner, max_size=3),
    max_leaves=10,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), _VALUES, st.sampled_from([None, 1, "\t"]))
def test_any_file_escapes_leave_every_character_where_the_file_has_it(
    data: st.DataObject, value: Any, indent: int | str | None
) -> None:
    message = json.dumps(value, indent=indent, ensure_ascii=False)
    raw, starts = data.draw(file_forms(message))
    aligned = aligned_message(raw)
    assert json.loads(aligned) == value
    for pointer, item in pointers(value):
        at = value_offset(aligned, pointer)
        assert at is not None
        first = value_offset(message, pointer)
        assert first is not None
        if not isinstance(item, str):
            assert at == starts[first], pointer  # a value starts where its first character does
            continue
        assert at == starts[first + 1] - 1, pointer  # a string at the last character of its quote
        for k in range(len(item) + 1):  # each character, and the closing quote
            assert string_char_offset(aligned, at, k) == starts[first + 1 + k], (pointer, k)


# strings of any characters: json.dumps writes escapes of the message's own for some
_ANY = st.text(st.characters(blacklist_categories=["Cs"]), max_size=6)
_ESCAPING_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | _ANY,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_ANY, inner, max_size=3),
    max_leaves=10,
)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), _ESCAPING_VALUES, st.sampled_from([None, 1]))
def test_the_shifts_place_every_character_where_the_file_has_it(
    data: st.DataObject, value: Any, indent: int | None
) -> None:
    """The message's own escapes too (no JSON text as wide can place what follows them):
    each value, and each character of each string, maps to its form in the file."""
    message = json.dumps(value, indent=indent, ensure_ascii=False)
    raw, starts = data.draw(file_forms(message))
    aligned, shifts = align(raw)
    assert json.loads(aligned) == value
    for pointer, item in pointers(value):
        at = value_offset(aligned, pointer)
        first = value_offset(message, pointer)
        assert at is not None and first is not None
        if not isinstance(item, str):
            assert shifted(shifts, at) == starts[first], pointer
            continue
        assert shifted(shifts, at) == starts[first + 1] - 1, pointer
        for k in range(len(item) + 1):  # each character (an escape: its backslash), the quote
            in_message = string_char_offset(message, first, k)
            assert shifted(shifts, string_char_offset(aligned, at, k)) == starts[in_message], (
                pointer,
                k,
            )


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), _VALUES)
def test_both_readers_agree_on_any_file_escapes(data: st.DataObject, value: Any) -> None:
    raw, _ = data.draw(file_forms(json.dumps(value, ensure_ascii=False)))
    (rec,) = read_both(har_with(socket_entry(raw)))
    assert json.loads(str(rec.data)) == value


@pytest.mark.parametrize(
    ("raw", "aligned"),
    [
        ('{\\"a\\":\\"x\\/y\\"}', '{ "a" : "x\\/y" }'),  # the file's escape is the message's
        ('[\\"\\u0041\\"]', '[ "\\u0041" ]'),
        ('[\\"\\u00e9\\ud83d\\ude00\\"]', '[ "\\u00e9\\ud83d\\ude00" ]'),
        ("[1\\u0032, 3]", "[12     , 3]"),  # no space inside a number: after it
        ('[\\"\\\\u0041\\"]', '[ "\\u0041"  ]'),  # the message's own escape: one short
        # its hex digits escaped in the file are written as digits, or it is no escape
        ('[\\"\\\\\\u0075\\u0030041\\"]', '[ "\\u0041"            ]'),
        ('[\\"\\u00e9\\n\\"]', '[ "\\u00e9\n"  ]'),  # a control character as itself
        ('[\\"\\u007b', '[ "{'),  # json says "unterminated" here, as on the message
    ],
)
def test_aligned_message_table(raw: str, aligned: str) -> None:
    assert aligned_message(raw) == aligned
    assert len(aligned) == len(raw) or raw.endswith("\\u007b")


# message texts of every kind, broken ones too: the message's own escapes, control characters,
# lone surrogates, cut strings, bare words, numbers, literals
_PIECES = st.sampled_from(
    [
        *'{}[],:"\\ \n\t\x00\x7fé😀\ud800\udc00\u2028/1-.eE0ax',
        *['\\"', "\\\\", "\\/", "\\n", "\\u0041", "\\ud800", "\\udc00", "\\ud83d\\ude00", "\\u00"],
        *["true", "null", "fals", "NaN", "Infinity", '"k"', '"a":', '{"x":', "1.5e3"],
    ]
)
# where the aligned text differs from the message by design: positions, and the spaces that
# stand for escapes, which a message may quote (a text prefix before the JSON, shortened
# past 40 characters)
_POSITION = re.compile(
    r" \(line \d+ column \d+ of the record\)| at (line \d+ )?column \d+| \('.*'\)"
)
_SPACES = re.compile(r"\s+")


def _parsed(text: str) -> tuple[bool, str | None, list[tuple[str, str, str]]]:
    parsed = parse_record(text)
    ok = parsed.value is not MISSING
    value = json.dumps(parsed.value) if ok else None
    return (
        ok,
        value,
        [
            (v.rule, _SPACES.sub("", _POSITION.sub("", v.message)), v.pointer)
            for v in parsed.violations
        ],
    )


def test_a_text_prefix_is_the_same_finding_in_the_aligned_text() -> None:
    """Found by the property below: the aligned '}     }     {}' quotes its prefix with the
    spaces that stand for escapes, at another column; the finding is the same."""
    raw = "\\u007d\\u007d\\u007b\\u007d"
    assert json.loads(f'"{raw}"') == "}}{}"
    assert _parsed(aligned_message(raw)) == _parsed("}}{}")


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), st.lists(_PIECES, max_size=25).map("".join))
def test_the_aligned_text_parses_as_the_message_does(data: st.DataObject, message: str) -> None:
    raw, _ = data.draw(file_forms(message))
    assume(json.loads(f'"{raw}"') == message)  # two lone halves written as escapes pair up
    assert _parsed(aligned_message(raw)) == _parsed(message)


# -- 3. opcode that is not an integer ---------------------------------------------------------

BAD_APPEND = escaped('{"type":"input_audio_buffer.append","audio":"AA-A"}')
OPCODE_TYPE = (
    "websocket message 'opcode' is {}: DevTools writes 1 for text frames and 2 for binary; "
    "export the HAR again"
)


@pytest.mark.parametrize(
    ("opcode", "what"),
    [
        pytest.param('"1"', "a string, not a number", id="string"),
        pytest.param("true", "a boolean, not a number", id="true"),
        pytest.param("false", "a boolean, not a number", id="false"),
        pytest.param("null", "null, not a number", id="null"),
        pytest.param("[1]", "an array, not a number", id="array"),
        pytest.param('{"v": 1}', "an object, not a number", id="object"),
        pytest.param("1.0", "1.0, not an integer", id="float-one"),
        pytest.param("1E0", "1.0, not an integer", id="exponent"),
        pytest.param("8.0", "8.0, not an integer", id="float-close"),
        pytest.param("2.5", "2.5, not an integer", id="fraction"),
    ],
)
def test_an_opcode_that_is_not_an_integer_is_rt202_at_it(
    tmp_path: Path, opcode: str, what: str
) -> None:
    text = har_with(socket_entry(BAD_APPEND, opcode=opcode))
    (rec,) = read_both(text)
    assert rec.pointer == POINTER
    assert rec.problem == Violation("RT202", OPCODE_TYPE.format(what))
    assert rec.size == len(json.loads(f'"{BAD_APPEND}"'))
    line = text.split("\n")[rec.line - 1]
    assert line[rec.column :].startswith(opcode + ', "data"')
    (finding,), lines = lint_file(tmp_path, text)  # not RT301: the message is not read
    assert (finding.rule, finding.pointer) == ("RT202", POINTER)
    assert lines[finding.line - 1][finding.column - 1 :].startswith(opcode)  # type: ignore


@pytest.mark.parametrize(
    ("opcode", "expected"),
    [
        ("1", [None]),
        ("2", ["RT106"]),
        ("0", ["RT106"]),
        ("3", ["RT106"]),
        ("-1", ["RT106"]),
        ("16", ["RT106"]),
        ("8", []),
        ("10", []),
        ("15", []),
    ],
)
def test_integer_opcodes_are_frames_as_before(opcode: str, expected: list[str | None]) -> None:
    recs = read_both(har_with(socket_entry(BAD_APPEND, opcode=opcode)))
    assert [r.problem.rule if r.problem else None for r in recs] == expected


def test_devtools_error_notes_are_skipped_whatever_their_opcode() -> None:
    assert read_both(har_with(socket_entry("x", opcode='"x"', direction="error"))) == []


def test_an_opcode_spelled_with_escapes_or_repeated_is_found_as_json_reads_it() -> None:
    entry = socket_entry(BAD_APPEND, opcode='2, "op\\u0063ode": "1"')
    text = har_with(entry, indent=False)
    (rec,) = read_both(text)
    assert rec.problem is not None and rec.problem.rule == "RT202"
    assert text.split("\n")[rec.line - 1][rec.column :].startswith('"1", "data"')


def test_a_number_with_an_escape_at_the_end_of_the_message_is_placed_exactly() -> None:
    """Found by the property above: the spaces owed after the last token, with no escape after
    it, must end its shift, or every character after it is placed too far right."""
    raw = "[1\\u0032, 3]"  # the '2' escaped, then plain text to the end
    aligned, shifts = align(raw)
    assert aligned == "[12     , 3]"
    assert shifted(shifts, aligned.rindex("3")) == raw.rindex("3")


@pytest.mark.parametrize(
    ("members", "opcode", "expected"),
    [
        ('"data": "{}", "data": "{}"', "1", [None, "RT104", None]),
        (
            '"data": "{}", "data": "{}", "d\\u0061ta": "[]"',
            "1",
            [None, "RT104", None, "RT104", None],
        ),
        ('"data": 5, "data": "{}"', "1", ["RT104", None]),
        ('"data": "{}", "data": 5, "data": "{}"', "1", [None, "RT104", "RT104", None]),
        ('"data": " ", "data": "{}"', "1", ["RT101", "RT104", None]),
        ('"data": "AAAA", "data": "AAAA"', "2", ["RT106", "RT104", "RT106"]),
    ],
)
def test_a_repeated_data_key_is_rt104_at_it_and_each_message_a_record(
    members: str, opcode: str, expected: list[str | None]
) -> None:
    text = har_with(
        '{"_webSocketMessages": [{"type": "send", "opcode": ' + opcode + ", " + members + "}]}"
    )
    records = read_both(text)
    found = []
    for record in records:
        found += [note.problem.rule for note in record.notes if note.problem]
        if record.problem is not None or record.data:
            found.append(record.problem.rule if record.problem else None)
    assert found == expected
    keys = [m.start() for m in re.finditer(r'"d(ata|\\u0061ta)"', text)][1:]
    notes = [n for r in records for n in r.notes] + [
        r for r in records if r.problem and r.problem.rule == "RT104"
    ]  # records at the key (0-based column): the linter places each finding there
    assert sorted((n.line, n.column + 1) for n in notes) == sorted(
        (text.count("\n", 0, k) + 1, k - text.rfind("\n", 0, k)) for k in keys
    )
