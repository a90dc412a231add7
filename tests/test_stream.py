"""Streaming readers of JSON documents and HAR files against their whole-document twins.

``read_document_stream`` and ``read_har_stream`` read in bounded pieces; ``read_document_whole``
and ``read_har_whole`` decode the whole input and parse it with json, the slow and obvious way.
For generated inputs (escapes, brackets inside strings, unicode, whitespace and newlines
between tokens, nested arrays, truncations, inserted junk) read with tiny pieces (1, 2, 7, 64
bytes) so that piece boundaries fall everywhere, both give the same records: line, column,
data, pointer, problem. ``REALTIME_VALIDATOR_STREAM_EXAMPLES`` sets the examples per test (200).
"""

from __future__ import annotations

import io
import json
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from whole_readers import read_document_whole, read_har_whole

from validator.core.jsontext import member_values
from validator.core.record import Record
from validator.sources.document import read_document_stream
from validator.sources.har import read_har_stream
from validator.sources.jsonl import too_large
from validator.sources.stream import Scan, Text

BIG = 2**30  # a record limit no generated element reaches
CHUNKS = st.sampled_from([1, 2, 3, 7, 64, 4096])
EXAMPLES = int(os.environ.get("REALTIME_VALIDATOR_STREAM_EXAMPLES", "200"))
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def stream_document(data: bytes, chunk: int, limit: int = BIG) -> list[Record]:
    """Return the records of the streaming document reader."""
    return list(read_document_stream(io.BytesIO(data), limit, chunk))


def stream_har(data: bytes, chunk: int, limit: int = BIG) -> list[Record]:
    """Return the records of the streaming HAR reader."""
    return list(read_har_stream(io.BytesIO(data), limit, chunk))


# -- generated JSON text ----------------------------------------------------------------------

TRICKY = st.lists(
    st.sampled_from([*'ab"\\/[]{},:\n\t\x00\x1f é€😀\u2028\ud7ff ', "\\u", "\\\\"]),
    max_size=12,
).map("".join)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(10**20), 10**20)
    | st.floats(allow_nan=False, allow_infinity=False)
    | TRICKY
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TRICKY, inner, max_size=4),
    max_leaves=12,
)
WS = st.text(st.sampled_from(" \t\r\n"), max_size=3)


@st.composite
def rendered(draw: st.DrawFn, value: Any) -> str:
    """Return ``value`` as JSON text with whitespace between its tokens drawn."""
    if isinstance(value, list):
        items = [draw(WS) + draw(rendered(item)) + draw(WS) for item in value]
        return "[" + ",".join(items) + "]" if items else "[" + draw(WS) + "]"
    if isinstance(value, dict):
        members = [
            draw(WS)
            + json.dumps(k, ensure_ascii=draw(st.booleans()))
            + draw(WS)
            + ":"
            + draw(WS)
            + draw(rendered(v))
            + draw(WS)
            for k, v in value.items()
        ]
        return "{" + ",".join(members) + "}" if members else "{" + draw(WS) + "}"
    return json.dumps(value, ensure_ascii=draw(st.booleans()))


@st.composite
def documents(draw: st.DrawFn) -> str:
    """Return a JSON document: most often an array of events, elements of any kind."""
    elements = draw(
        st.lists(
            st.dictionaries(TRICKY, VALUES, max_size=4) | VALUES,
            min_size=int(draw(st.booleans())),
            max_size=6,
        )
    )
    if draw(st.integers(0, 9)) == 0:
        body = draw(rendered(elements[0] if elements else {}))
    else:
        body = draw(rendered(elements))
    return ("\ufeff" if draw(st.booleans()) else "") + draw(WS) + body + draw(WS)


JUNK = st.sampled_from(
    [
        '"',
        "\\",
        "[",
        "]",
        "{",
        "}",
        ",",
        ":",
        "x",
        "1",
        "-",
        "tru",
        "nul",
        " ",
        "\n",
        "\x00",
        "é",
        "NaN",
        '"\\u12',
        "1e",
        "0.",
    ]
)


@st.composite
def broken(draw: st.DrawFn, text: str) -> str:
    """Return ``text`` cut short, or with junk inserted or characters deleted."""
    for _ in range(draw(st.integers(1, 2))):
        size = len(text)
        at = draw(st.integers(0, size) | st.integers(0, size).map(lambda n, s=size: s - n))
        op = draw(st.sampled_from(["insert", "cut", "insert", "delete"]))
        if op == "cut":
            text = text[:at]
        elif op == "insert":
            text = text[:at] + draw(JUNK) + text[at:]
        else:
            text = text[:at] + text[at + draw(st.integers(1, 3)) :]
    return text


# -- JSON documents ---------------------------------------------------------------------------


@SETTINGS
@given(documents(), CHUNKS)
def test_document_records_match_the_whole_reader(doc: str, chunk: int) -> None:
    data = doc.encode("utf-8")
    assert stream_document(data, chunk) == list(read_document_whole(data))


@SETTINGS
@given(documents().flatmap(broken), CHUNKS)
def test_broken_document_records_match_the_whole_reader(doc: str, chunk: int) -> None:
    data = doc.encode("utf-8", "surrogatepass")
    assume(b"\xed" not in data)  # a lone surrogate: not UTF-8, see the RT102 tests
    assert stream_document(data, chunk) == list(read_document_whole(data))


@SETTINGS
@given(documents(), CHUNKS, st.integers(0, 400))
def test_elements_over_the_limit_are_rt105_and_the_rest_are_read(
    doc: str, chunk: int, limit: int
) -> None:
    data = doc.encode("utf-8")
    expected = []
    for rec in read_document_whole(data):
        size = len(rec.data.encode("utf-8")) if isinstance(rec.data, str) else 0
        if rec.problem is None and size > limit:
            rec = too_large(rec.line, size, limit)._replace(column=rec.column, pointer=rec.pointer)
        expected.append(rec)
    assert stream_document(data, chunk, limit) == expected


@SETTINGS
@given(documents(), CHUNKS, st.data())
def test_bytes_that_are_not_utf8_are_rt102_where_they_are(
    doc: str, chunk: int, data: st.DataObject
) -> None:
    raw = doc.encode("utf-8")
    at = data.draw(st.integers(0, len(raw)))
    assume(at == len(raw) or raw[at] < 0x80 or raw[at] >= 0xC0)  # not inside a character
    bad = data.draw(st.sampled_from([b"\xff", b"\xc3", b"\xe2\x82", b"\xed\xa0\x80", b"\x80"]))
    broken_data = raw[:at] + bad + raw[at:]
    (whole,) = read_document_whole(broken_data)
    assert whole.problem is not None and whole.problem.rule == "RT102"
    found = stream_document(broken_data, chunk)
    good = list(read_document_whole(raw))
    # the records before the bad bytes, then RT102 there, unless a syntax error came first
    if found[-1].problem is not None and found[-1].problem.rule == "RT102":
        assert found[-1] == whole
        assert found[:-1] == good[: len(found) - 1]
    else:
        assert found == good[: len(found)]
        assert found[-1].problem is not None and found[-1].problem.rule == "RT101"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", [("RT101", 1, 0)]),
        (b"\xef\xbb\xbf \n ", [("RT101", 1, 0)]),
        (b"[", [("RT101", 1, 1)]),
        (b"[1,\n 2 3]", [(None, 1, 1), (None, 2, 1), ("RT101", 2, 3)]),
        (b'[{"a": 1}] x', [(None, 1, 1), ("RT101", 1, 11)]),
        (b"[1, \xff]", [(None, 1, 1), ("RT102", 1, 4)]),
        (b"\xef\xbb\xbf[\xff]", [("RT102", 1, 2)]),
    ],
)
def test_document_edges(data: bytes, expected: list[tuple[str | None, int, int]]) -> None:
    for chunk in (1, 3, 1 << 20):
        found = stream_document(data, chunk)
        assert [
            (r.problem.rule if r.problem else None, r.line, r.column) for r in found
        ] == expected
        if not any(rule == "RT102" for rule, _, _ in expected) or len(expected) == 1:
            assert found == list(read_document_whole(data))


def test_rt105_skips_a_large_element_without_holding_it() -> None:
    big = '{"type":"input_audio_buffer.append","audio":"' + 'A\\"[{' * 100_000 + '"}'
    data = ('[\n  {"type": "a"},\n  ' + big + ',\n  {"type": "b"}\n]').encode()
    for chunk in (7, 4096, 1 << 20):
        found = stream_document(data, chunk, limit=1000)
        assert [(r.line, r.column, r.pointer) for r in found] == [
            (2, 2, "/0"),
            (3, 2, "/1"),
            (4, 2, "/2"),
        ]
        assert found[1].problem is not None and found[1].problem.rule == "RT105"
        assert found[1].size == len(big)
        assert found[2].data == '{"type": "b"}'


def test_an_element_cut_short_after_the_limit_is_rt105_then_rt101() -> None:
    data = b'[{"a": 1}, "' + b"x" * 5000
    for chunk in (7, 1 << 20):
        found = stream_document(data, chunk, limit=100)
        assert [(r.problem.rule if r.problem else None, r.line, r.column) for r in found] == [
            (None, 1, 1),
            ("RT105", 1, 11),
            ("RT101", 1, 5012),
        ]


def test_a_single_object_document_is_bounded_by_the_record_limit() -> None:
    data = b'\n {"type": "x", "audio": "' + b"A" * 5000 + b'"}\n'
    (rec,) = stream_document(data, 7, limit=100)
    assert rec.problem is not None and rec.problem.rule == "RT105"
    assert (rec.line, rec.column, rec.size) == (2, 1, len(data) - 2)
    assert stream_document(data, 7) == list(read_document_whole(data))


# -- the scanner ------------------------------------------------------------------------------


@SETTINGS
@given(VALUES.flatmap(rendered), st.integers(1, 9), st.sampled_from([",", "]", " ", "}"]))
def test_scan_finds_the_end_json_finds(text: str, size: int, after: str) -> None:
    """Fed in pieces of ``size`` characters, the scan ends where json.raw_decode ends."""
    full = text + after + "[1]"
    _, end = json.JSONDecoder().raw_decode(full)
    scan = Scan(full[0])
    pos = 0 if scan.token else 1
    found = -1
    while pos < len(full):
        k = scan.feed(full[pos : pos + size], 0)
        if k >= 0:
            found = pos + k
            break
        pos += size
    assert found == end


def test_text_places_count_lines_across_pieces() -> None:
    data = "a\nbc\n\nd€\n😀e".encode()
    for chunk in (1, 2, 5, 100):
        text = Text(io.BytesIO(data), chunk)
        text.peek()
        places = []
        while True:
            c = text.buf[text.i : text.i + 1]
            if c.isalpha():
                places.append((c, text.place(text.offset)))
            text.i += 1
            if text.i >= len(text.buf) and not text.more():
                break
        assert places == [("a", (1, 0)), ("b", (2, 0)), ("c", (2, 1)), ("d", (4, 0)), ("e", (5, 1))]


# -- HAR --------------------------------------------------------------------------------------

EVENTS = st.sampled_from(
    [
        '{"type":"input_audio_buffer.append","audio":"AAAA"}',
        '{"type":"input_audio_buffer.append","audio":"AA-A","event_id":"é\\n\\"x\\""}',
        '{"type":"session.created","event_id":"ev_1","session":{"x":[1,2,{"y":"]"}]}}',
        '{"type": "conversation.item.create", "item": {"content": [{"text": "a\\\\b\\u00e9"}]}}',
        "",
        "  ",
        "not json",
        "{}",
    ]
)


@st.composite
def frames(draw: st.DrawFn) -> Any:
    """Return one ``_webSocketMessages`` item: mostly a frame as Chrome writes it."""
    kind = draw(st.integers(0, 19).map(lambda n: 19 - n))  # a text frame first
    if kind == 0:
        return draw(SCALARS)
    frame: dict[str, Any] = {
        "type": draw(st.sampled_from(["send", "receive", "send", "receive", "error"])),
        "time": 1732430000.123456,
        "opcode": draw(st.sampled_from([1, 1, 1, 2, 8, 9])),
        "data": draw(EVENTS if kind > 2 else st.none() | st.integers() | TRICKY),
    }
    if kind == 1:
        del frame["data"]
    keys = draw(st.permutations(list(frame)))
    return {k: frame[k] for k in keys}


@st.composite
def entries(draw: st.DrawFn) -> Any:
    """Return one HAR entry: a websocket one, another request, or something odd."""
    kind = draw(st.integers(0, 9).map(lambda n: 9 - n))  # a websocket entry first
    if kind == 0:
        return draw(VALUES)
    entry: dict[str, Any] = {
        "_resourceType": "websocket" if kind > 4 else "script",
        "request": {
            "method": "GET",
            "url": "wss://api.openai.com/v1/realtime",
            "headers": [{"name": "a", "value": draw(TRICKY)}],
        },
        "response": {
            "status": 200,
            "content": {"text": draw(TRICKY) * draw(st.integers(0, 50)), "other": draw(VALUES)},
        },
    }
    if kind > 4:
        entry["_webSocketMessages"] = draw(st.lists(frames(), min_size=1, max_size=5))
    elif kind == 4:
        entry["_webSocketMessages"] = draw(SCALARS)
    keys = draw(st.permutations(list(entry)))
    return {k: entry[k] for k in keys}


@st.composite
def hars(draw: st.DrawFn) -> str:
    """Return a HAR file's text: keys in any order, Chrome's indentation or none."""
    log: dict[str, Any] = {
        "version": "1.2",
        "creator": {"name": "WebInspector"},
        "pages": [],
        "entries": draw(st.lists(entries(), min_size=1, max_size=4)),
    }
    log = {k: log[k] for k in draw(st.permutations(list(log)))}
    root: dict[str, Any] = {"log": log}
    if draw(st.booleans()):
        root = {"comment": draw(VALUES), **root} if draw(st.booleans()) else {**root, "x": 1}
    indent = draw(st.sampled_from([None, None, 2, "\t"]))
    text = json.dumps(root, indent=indent, ensure_ascii=draw(st.booleans()))
    return ("\ufeff" if draw(st.booleans()) else "") + draw(WS) + text + draw(WS)


@SETTINGS
@given(hars(), CHUNKS)
def test_har_records_match_the_whole_reader(text: str, chunk: int) -> None:
    data = text.encode("utf-8")
    assert stream_har(data, chunk) == list(read_har_whole(data))


@SETTINGS
@given(hars(), CHUNKS, st.data())
def test_a_har_cut_short_gives_the_records_before_then_the_same_rt101(
    text: str, chunk: int, data: st.DataObject
) -> None:
    cut = text[: data.draw(st.integers(0, len(text)))]
    raw = cut.encode("utf-8")
    whole = list(read_har_whole(raw))
    found = stream_har(raw, chunk)
    if any(
        r.problem is not None and r.problem.message.startswith("HAR file is not valid JSON")
        for r in whole
    ):
        (problem,) = whole
        assert found[-1] == problem
        assert found[:-1] == list(read_har_whole(text.encode("utf-8")))[: len(found) - 1]
    else:
        assert found == whole


@SETTINGS
@given(hars().flatmap(broken), CHUNKS)
def test_a_broken_har_gives_the_same_rt101(text: str, chunk: int) -> None:
    data = text.encode("utf-8", "surrogatepass")
    assume(b"\xed" not in data)
    whole = list(read_har_whole(data))
    found = stream_har(data, chunk)
    if (
        len(whole) == 1
        and whole[0].problem is not None
        and (whole[0].problem.message.startswith(("HAR file is", "not a HAR file")))
    ):
        assert found[-1] == whole[0]
        assert all(r.problem is None or r.pointer for r in found[:-1])
    else:
        assert found == whole


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '{"x": 1, "log": {"entries": [{"_webSocketMessages": [{"data": "{}"}], '
            '"request": {}}]}}',
            [(None, 1, 63)],
        ),
        (
            '{"log": {"pages": [], "entries": [{"request": {"_webSocketMessages": '
            '[{"data": "{}"}]}, "_webSocketMessages": [{"data": "[]"}]}]}}',
            [(None, 1, 121)],
        ),
        (
            '{"log": {"entries": [{"_webSocketMessages": [{"data": "{}"}]},]}}',
            [(None, 1, 55), ("RT101", 1, 62)],
        ),
        ('{"log": {"entries": []}} {}', [("RT101", 1, 25)]),
        (
            '{"log": {"entries": [{"_webSocketMessages": [{"data": "{}"}]}]}\n',
            [(None, 1, 55), ("RT101", 2, 0)],
        ),
        (
            '{"log": {"entries": [{"_webSocketMessages": [{"data": "{}"}]}]}}\xff',
            [(None, 1, 55), ("RT102", 1, 64)],
        ),
    ],
    ids=[
        "log-not-first",
        "messages-after-request",
        "trailing-comma",
        "extra-data",
        "cut",
        "bad-utf8-after",
    ],
)
def test_har_edges(text: str, expected: list[tuple[str | None, int, int]]) -> None:
    data = text.encode("latin-1")
    for chunk in (1, 5, 1 << 20):
        found = stream_har(data, chunk)
        assert [
            (r.problem.rule if r.problem else None, r.line, r.column) for r in found
        ] == expected
        whole = list(read_har_whole(data))
        assert found[-1] == whole[-1]


def test_har_skips_a_huge_body_and_reads_the_messages_after_it() -> None:
    body = 'x\\"[{' * 400_000  # 2.4 MB of escaped text, over SKIP_HOLD and the record limit
    data = (
        '{"log": {"entries": [{"response": {"content": {"text": "' + body + '"}}, '
        '"_webSocketMessages": [{"type": "send", "opcode": 1, "data": "{\\"a\\": 1}"}]}]}}'
    ).encode()
    for chunk in (4096, 1 << 20):
        (rec,) = stream_har(data, chunk, limit=1000)
        assert rec.problem is None and rec.pointer == "/log/entries/0/_webSocketMessages/0"
        assert data.decode()[rec.column - 1] == '"'


def test_har_message_too_large_to_hold_is_rt105_at_its_start() -> None:
    payload = json.dumps({"type": "input_audio_buffer.append", "audio": "A" * 300_000})
    text = json.dumps(
        {
            "log": {
                "entries": [
                    {
                        "_webSocketMessages": [
                            {"type": "send", "opcode": 1, "data": payload},
                            {"type": "send", "opcode": 1, "data": "{}"},
                        ]
                    }
                ]
            }
        }
    )
    start = text.index('{"type"')
    second = text.index(', {"type"', start)
    found = stream_har(text.encode(), 4096, limit=1000)
    assert [(r.problem.rule if r.problem else None, r.line, r.column) for r in found] == [
        ("RT105", 1, start),
        (None, 1, text.index('"{}"') + 1),
    ]
    assert found[0].size == second - start
    assert found[0].pointer == "/log/entries/0/_webSocketMessages/0"


def test_member_values_gives_every_data_member_in_order() -> None:
    text = ' {"data": "a", "x": {"data": "b"}, "d\\u0061ta": "c", "y": ["data", "z"]}'
    assert member_values(text, 1, "data") == [
        (text.index('"data"'), text.index('"a"')),
        (text.index('"d\\u0061ta"'), text.index('"c"')),
    ]
    assert member_values(text, 1, "nope") == []
