"""Messages that name the real cause: exact strings for each, and the same on every road.

A prefix before the JSON, a Python repr, a trailing comma (RT101); a Python bytes repr and
whitespace at an end of the audio (RT301); a property close to a known one (RT203); a rate
given as a string (RT403); JSON's type names; counts with their plural and thousands.
"""

from __future__ import annotations

import base64
import json
from collections import OrderedDict
from typing import Any

import pytest
from conftest import assert_roads_agree

from validator import lint, validate_event
from validator.check.audio import base64_problems, content_problems
from validator.core.jsontext import json_type

APPEND = "input_audio_buffer.append"
AUDIO = "AAAAAA=="  # 4 bytes: two whole samples
SED = "strip the prefix, e.g. sed 's/^[^{]*//' capture.log | realtime-validator lint -"
PY_DICT = "this looks like a Python dict (repr/str), not JSON: write it with json.dumps"


def _messages(event: dict[str, Any] | str) -> list[tuple[str, str]]:
    return [(v.rule, v.message) for v in validate_event(event)]


def _located(lines: list[str]) -> list[tuple[str, int | None, int | None, str]]:
    return [(v.rule, v.line, v.column, v.message) for v in lint(lines)]


# -- RT101: a text prefix before the JSON ----------------------------------------------------


def test_log_line_with_a_prefix_names_the_prefix_and_how_to_strip_it() -> None:
    line = '2024-11-24 06:33:19 INFO sent {"type": "input_audio_buffer.append", "audio": "AAAA"}'
    assert _located([line]) == [
        (
            "RT101",
            1,
            1,
            "record is not valid JSON: text comes before the JSON at column 31 "
            f"('2024-11-24 06:33:19 INFO sent '); each record must be one JSON event: {SED}",
        )
    ]


def test_a_long_prefix_is_shortened() -> None:
    prefix = "2024-11-24T06:33:19.123456Z realtime.client DEBUG websocket send: "
    assert _messages(prefix + '{"type": "input_audio_buffer.clear"}') == [
        (
            "RT101",
            "record is not valid JSON: text comes before the JSON at column 67 "
            f"('2024-11-24T06:33:19.123456Z realtime....'); each record must be one JSON "
            f"event: {SED}",
        )
    ]


@pytest.mark.parametrize(
    "text",
    [
        'INFO sent {"type": "input_audio_buffer.clear"',  # what follows is cut short
        '// a comment\n{"type": "input_audio_buffer.clear"}',  # a document, not a log line
        "not json",
    ],
)
def test_no_prefix_hint_where_stripping_would_not_help(text: str) -> None:
    ((rule, message),) = _messages(text)
    assert rule == "RT101" and "text comes before" not in message


# -- RT101: Python's repr of a dict, a trailing comma ----------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "{'type': 'input_audio_buffer.append', 'audio': 'AAAA'}",
            f"record is not valid JSON: a single-quoted key at column 2; {PY_DICT}",
        ),
        (
            "{\"type\": 'input_audio_buffer.append'}",
            f"record is not valid JSON: a single-quoted string at column 10; {PY_DICT}",
        ),
        (
            '{"type": "input_audio_buffer.commit", "flag": True}',
            f"record is not valid JSON: True at column 47 (JSON writes true); {PY_DICT}",
        ),
        (
            '{"type": "input_audio_buffer.commit", "event_id": None}',
            f"record is not valid JSON: None at column 51 (JSON writes null); {PY_DICT}",
        ),
        (
            "[{'type': 'input_audio_buffer.commit'}]",
            "record is not valid JSON: a single-quoted key at column 3; this looks like a "
            "Python list (repr/str), not JSON: write it with json.dumps",
        ),
        (
            '{"type": "input_audio_buffer.append", "audio": "AAAA",}',
            "record is not valid JSON: a trailing comma before '}' at column 54: JSON allows "
            "none; remove it",
        ),
        (
            '{"type": "input_audio_buffer.append", "audio": "AAAA" , }',
            "record is not valid JSON: a trailing comma before '}' at column 55: JSON allows "
            "none; remove it",
        ),
        (
            '{"type": "session.update", "session": {"tools": [1, 2,]}}',
            "record is not valid JSON: a trailing comma before ']' at column 54: JSON allows "
            "none; remove it",
        ),
        (
            '{\n  "type": "input_audio_buffer.commit",\n}\n',
            "record is not valid JSON: a trailing comma before '}' at line 2 column 38 of the "
            "record: JSON allows none; remove it",
        ),
    ],
)
def test_python_repr_and_trailing_comma(text: str, message: str) -> None:
    assert _messages(text) == [("RT101", message)]


def test_a_trailing_comma_is_placed_on_the_comma() -> None:
    line = '{"type": "input_audio_buffer.commit", "event_id": "evt_1",  }'
    ((rule, line_no, column, _),) = _located([line])
    assert (rule, line_no, column) == ("RT101", 1, 58)
    assert line[column - 1] == ","


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '{"type": "input_audio_buffer.append", "audio": "AAAA"',
            "record is not valid JSON: it ends before the value is complete (Expecting ',' "
            "delimiter); the record was cut short: was the capture written while it was being "
            "read?",
        ),
        (
            '{"type": "input_audio_buffer.append", "audio": "AAAA", "x": NaN}',
            "record is not valid JSON: NaN is not a JSON value (Python's json writes it unless "
            "allow_nan=False); send a number or null",
        ),
        (
            "{,}",
            "record is not valid JSON: Expecting property name enclosed in double quotes (line 1 "
            "column 2 of the record); fix the syntax",
        ),
    ],
)
def test_other_syntax_messages_stay(text: str, message: str) -> None:
    assert _messages(text) == [("RT101", message)]


# -- RT301: a Python bytes repr, whitespace at an end ------------------------------------------


@pytest.mark.parametrize("audio", ["b'AAAA'", 'b"AAAA"', "b'AAAA\\n'"])
def test_python_bytes_repr(audio: str) -> None:
    (problem,) = base64_problems(audio)
    assert (problem.rule, problem.offset) == ("RT301", 1)
    assert problem.message == (
        f"audio is not valid base64: {audio[1]!r} at index 1; this is a Python bytes repr "
        "(str(b'...')): decode the base64 bytes with .decode('ascii') before putting them in "
        "the event"
    )


@pytest.mark.parametrize(
    ("audio", "message"),
    [
        ("AAAA ", "a space at index 4 (the end of the string): strip it"),
        (" AAAA", "a space at index 0 (the start of the string): strip it"),
        ("\nAAAA", "a line break (\\n) at index 0 (the start of the string): strip it"),
        (
            "AAAA\n",
            "a line break (\\n) at index 4 (the end of the string): strip it "
            "(base64.encodebytes ends its output with one; base64.b64encode does not)",
        ),
        ("AAAA\r\n", "a carriage return (\\r) at index 4 (the end of the string): strip it"),
        ("AAAA AAAA", "a space at index 4; base64 must not contain whitespace: remove it"),
        (
            "AAAA\nAAAA",
            "a line break (\\n) at index 4; base64 must not contain whitespace: remove it",
        ),
    ],
)
def test_whitespace_at_an_end_is_stripped_not_unwrapped(audio: str, message: str) -> None:
    (problem,) = base64_problems(audio)
    assert problem.message == f"audio is not valid base64: {message}"


@pytest.mark.parametrize("width", [64, 76])
def test_line_breaks_every_64_or_76_characters_are_mime_wrapping(width: int) -> None:
    data = bytes(range(256)) * 2
    wrapped = base64.b64encode(data).decode("ascii")
    audio = "\n".join(wrapped[i : i + width] for i in range(0, len(wrapped), width)) + "\n"
    (problem,) = base64_problems(audio)
    assert problem.message == (
        f"audio is not valid base64: a line break (\\n) at index {width}; base64 must not "
        "contain whitespace; this looks like MIME-style wrapped base64: encode without line "
        "breaks (base64.b64encode, not encodebytes) or remove them"
    )


# -- RT203: did you mean ----------------------------------------------------------------------


def _unknown(name: str, guess: str | None) -> tuple[str, str]:
    fix = f"did you mean {guess!r}?" if guess else "remove it"
    return (
        "RT203",
        f'unknown property {name!r}: the server answers unknown_parameter ("Unknown '
        f"parameter: '{name}'.\"); {APPEND} takes only 'type', 'audio' and 'event_id': {fix}",
    )


@pytest.mark.parametrize(
    ("extra", "guess"),
    [
        ({"Audio": "AAAA"}, "audio"),
        ({"AUDIO": "AAAA"}, "audio"),
        ({"data": "AAAA"}, "audio"),
        ({"payload": "AAAA"}, "audio"),
        ({"chunk": "AAAA"}, "audio"),
        ({"audio_data": "AAAA"}, "audio"),
        ({"audioData": "AAAA"}, "audio"),
        ({"adio": "AAAA"}, "audio"),
    ],
)
def test_unknown_property_close_to_audio(extra: dict[str, str], guess: str) -> None:
    ((name, _),) = extra.items()
    found = _messages({"type": APPEND, **extra})
    assert _unknown(name, guess) in found
    assert [rule for rule, _ in found] == ["RT201", "RT203"]


@pytest.mark.parametrize("name", ["eventId", "event-id", "EventID", "id", "evnt_id"])
def test_unknown_property_close_to_event_id(name: str) -> None:
    assert _messages({"type": APPEND, "audio": AUDIO, name: "evt_1"}) == [
        _unknown(name, "event_id")
    ]


@pytest.mark.parametrize(
    "extra",
    [
        {"timestamp": 1},
        {"sample_rate": 24000},
        {"Audio": AUDIO},  # it has 'audio' already
        {"data": AUDIO},
    ],
)
def test_no_guess_when_nothing_is_close_or_the_property_is_there(extra: dict[str, Any]) -> None:
    (name,) = extra
    assert _messages({"type": APPEND, "audio": AUDIO, **extra}) == [_unknown(name, None)]


def test_guesses_are_for_the_event_types_own_properties() -> None:
    commit = "input_audio_buffer.commit"
    assert _messages({"type": commit, "eventID": "evt_1", "data": AUDIO}) == [
        (
            "RT203",
            "unknown property 'eventID': the server answers unknown_parameter (\"Unknown "
            f"parameter: 'eventID'.\"); {commit} takes only 'type' and 'event_id': did you "
            "mean 'event_id'?",
        ),
        (
            "RT203",
            "unknown property 'data': the server answers unknown_parameter (\"Unknown "
            f"parameter: 'data'.\"); {commit} takes only 'type' and 'event_id': remove it",
        ),
    ]


# -- RT403 and JSON type names ----------------------------------------------------------------


def _ga_update(fmt: Any) -> str:
    session = {"type": "realtime", "audio": {"input": {"format": fmt}}}
    return json.dumps({"type": "session.update", "session": session})


def test_rate_given_as_a_string_is_a_wrong_type() -> None:
    assert _located([_ga_update({"type": "audio/pcm", "rate": "24000"})]) == [
        (
            "RT403",
            1,
            90,
            "unsupported input audio format: 'rate' is a string, not a number: the server "
            "answers invalid_type (\"Invalid type for 'session.audio.input.format.rate': "
            'expected an integer, but got a string instead."); the update changes nothing '
            '(write "rate": 24000, a number)',
        )
    ]


def test_rate_null_names_json_null() -> None:
    ((_, _, _, message),) = _located([_ga_update({"type": "audio/pcm", "rate": None})])
    assert "'rate' is null, not a number" in message
    assert "expected an integer, but got null instead." in message


def test_an_unsupported_rate_number_stays() -> None:
    ((_, _, _, message),) = _located([_ga_update({"type": "audio/pcm", "rate": 16000})])
    assert message == (
        "unsupported input audio format: audio/pcm at rate 16000: only 24000 Hz is supported; "
        "the update changes nothing (use pcm16 at 24 kHz, G.711 u-law or A-law)"
    )


class _Text(str):
    pass


@pytest.mark.parametrize(
    ("value", "name"),
    [
        (OrderedDict(), "an object"),
        (_Text("x"), "a string"),
        ((1, 2), "an array"),
        (True, "a boolean"),
        (None, "null"),
        (1.5, "a number"),
        (b"AAAA", "a Python bytes object"),
    ],
)
def test_json_type_never_names_a_python_type_for_a_json_value(value: Any, name: str) -> None:
    assert json_type(value) == name


def test_wrong_type_of_a_dict_subclass_is_an_object() -> None:
    assert _messages({"type": APPEND, "audio": OrderedDict()}) == [
        (
            "RT202",
            "'audio' is an object, not a string: the server answers invalid_type (\"Invalid "
            "type for 'audio': expected a string, but got an object instead.\"); send the audio "
            "bytes base64-encoded as one string (skip the append when there is no audio)",
        )
    ]


def test_audio_as_bytes_is_no_json_type_at_all() -> None:
    assert _messages({"type": APPEND, "audio": b"AAAA"}) == [
        (
            "RT202",
            "'audio' is a Python bytes object, not a string: JSON has no such type (json.dumps "
            "refuses it); send the audio bytes base64-encoded as one string (skip the append "
            "when there is no audio)",
        )
    ]


# -- counts: plural and thousands -------------------------------------------------------------


def test_one_byte_is_singular() -> None:
    found = [(p.rule, p.message) for p in base64_problems("AA==", 0)]
    assert found == [
        (
            "RT304",
            "audio decodes to 1 byte, over the limit of 0 bytes for one append; split it into "
            "several appends",
        )
    ]
    (odd,) = content_problems(b"\x00", 1, "pcm16")
    assert odd.message.startswith("pcm16 audio is 1 byte, an odd number:")


def test_sizes_over_a_thousand_have_separators() -> None:
    size = 15 * 2**20 + 1
    audio = base64.b64encode(bytes(size)).decode("ascii")
    messages = [p.message for p in base64_problems(audio)]
    assert messages == [
        "audio decodes to 15,728,641 bytes, over the limit of 15,728,640 bytes for one append; "
        "split it into several appends"
    ]


@pytest.mark.parametrize(
    ("audio", "message"),
    [
        (
            "A" * 1367,
            "length 1,367 is not a multiple of 4; 1 '=' padding character missing at the end "
            "(unpadded base64 is not accepted: use base64.b64encode, which pads)",
        ),
        (
            "A" * 1366,
            "length 1,366 is not a multiple of 4; 2 '=' padding characters missing at the end "
            "(unpadded base64 is not accepted: use base64.b64encode, which pads)",
        ),
        (
            "A" * 1365,
            "length 1,365 leaves one character over after groups of 4; the string was cut or "
            "a character was lost",
        ),
        (
            "A" * 1367 + "=",
            "",  # valid: no message
        ),
        (
            "A" * 1365 + "===",
            "3 '=' padding characters on a length of 1,368; the length must be a multiple of 4 "
            "with at most two '=' (re-encode with base64.b64encode)",
        ),
        (
            "A" * 1366 + "=",
            "1 '=' padding character on a length of 1,367; the length must be a multiple of 4 "
            "with at most two '=' (re-encode with base64.b64encode)",
        ),
    ],
)
def test_padding_counts(audio: str, message: str) -> None:
    found = [p.message for p in base64_problems(audio) if p.rule == "RT302"]
    assert found == ([f"audio is not valid base64: {message}"] if message else [])


def test_event_id_length_has_separators() -> None:
    found = _messages({"type": APPEND, "audio": AUDIO, "event_id": "e" * 1513})
    assert found == [
        (
            "RT204",
            "'event_id' is 1,513 characters long, over the limit of 512; use a short unique id",
        )
    ]


# -- every road gives these messages --------------------------------------------------------


def test_every_road_agrees_on_these_messages() -> None:
    lines = [
        '2024-11-24 06:33:19 INFO sent {"type": "input_audio_buffer.append", "audio": "AAAA"}',
        "{'type': 'input_audio_buffer.append', 'audio': 'AAAA'}",
        '{"type": "input_audio_buffer.append", "audio": "AAAA",}',
        json.dumps({"type": APPEND, "audio": "b'AAAA'"}),
        json.dumps({"type": APPEND, "audio": "AAAA "}),
        json.dumps({"type": APPEND, "audio": "AAAA", "eventId": "evt_1"}),
        json.dumps({"type": APPEND, "data": "AAAA"}),
        _ga_update({"type": "audio/pcm", "rate": "24000"}),
        json.dumps({"type": APPEND, "audio": "AA=="}),
    ]
    assert_roads_agree(("\n".join(lines) + "\n").encode("utf-8"))
