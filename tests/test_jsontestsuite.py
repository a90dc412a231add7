"""JSON strictness: every file of JSONTestSuite's test_parsing through lint() and validate_event().

``n_`` files must be rejected (RT101 or RT102), ``y_`` files must parse (a scalar or an array
then gives RT103, which is fine), ``i_`` files may go either way but must end cleanly. Beyond
the suite: Python's json accepts NaN, Infinity and lone surrogate escapes; the linter does not.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT

import validator
from validator import lint
from validator.check.parse import parse_record
from validator.core.jsontext import key_offsets
from validator.core.record import Record
from validator.core.statistics import Statistics
from validator.engine.linting import lint_records
from validator.engine.options import Options

SUITE = ROOT / "tests" / "data" / "JSONTestSuite" / "test_parsing"  # a copy: tests/data/README
FILES = sorted(SUITE.glob("*.json"))
assert len(FILES) == 318, f"JSONTestSuite's test_parsing belongs at {SUITE}"
PARSE_ERRORS = {"RT101", "RT102"}


def _rules_of_lint(path: Path) -> set[str]:
    result = lint(str(path))
    rules = {v.rule for v in result}
    stats = result.statistics
    # every record read is counted, and reported or passed
    assert stats.records >= stats.records_with_findings
    return rules


def _rules_of_validate(path: Path) -> set[str]:
    return {v.rule for v in validator.validate_event(path.read_bytes())}


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_suite_file(path: Path) -> None:
    lint_rules = _rules_of_lint(path)
    event_rules = _rules_of_validate(path)
    kind = path.name[:2]
    if kind == "n_":
        assert lint_rules & PARSE_ERRORS, f"lint() accepted {path.name}: {lint_rules}"
        assert event_rules & PARSE_ERRORS, f"validate_event() accepted {path.name}: {event_rules}"
    elif kind == "y_":
        assert not lint_rules & PARSE_ERRORS, f"lint() rejected {path.name}"
        assert not event_rules & PARSE_ERRORS, f"validate_event() rejected {path.name}"
    # i_: any findings; having got here, it ended without an exception


def test_rejected_count(capsys: pytest.CaptureFixture[str]) -> None:
    """The n/N figure for the README: how many n_ files both roads reject."""
    negative = [p for p in FILES if p.name.startswith("n_")]
    rejected = [
        p
        for p in negative
        if _rules_of_lint(p) & PARSE_ERRORS and _rules_of_validate(p) & PARSE_ERRORS
    ]
    with capsys.disabled():
        print(f"\nJSONTestSuite: {len(rejected)}/{len(negative)} n_ files rejected")
    assert len(negative) > 150
    assert len(rejected) == len(negative)


def test_streams_read_as_jsonl_end_cleanly() -> None:
    """Through a nameless stream the reader is chosen by content: still no exception."""
    for path in FILES:
        result = lint(io.BytesIO(path.read_bytes()))
        list(result)
        assert result.statistics.records >= result.statistics.records_with_findings


# -- what Python's json accepts and strict parsers do not -----------------------------------


@pytest.mark.parametrize(
    ("text", "column"),
    [
        ('{"type":"x","a":NaN}', 17),
        ('{"type":"x","a":Infinity}', 17),
        ('{"type":"x","a":-Infinity}', 17),
        ('{"type":"x","a":[1,NaN]}', 20),
    ],
)
def test_non_standard_constants_are_rt101(text: str, column: int) -> None:
    (v,) = validator.validate_event(text)
    assert v.rule == "RT101"
    assert "is not a JSON value" in v.message
    (found,) = lint([text])
    assert (found.rule, found.column) == ("RT101", column)


LONE = (
    "record is not valid JSON: a string holds a lone UTF-16 surrogate (a \\uD800-\\uDBFF escape "
    "must be followed by a \\uDC00-\\uDFFF one, and a low one never stands alone); strict "
    "parsers, the server's among them, reject it: escape the character as a whole surrogate "
    "pair, or write it as UTF-8"
)


@pytest.mark.parametrize(
    ("text", "lone"),
    [
        (r'{"type":"input_audio_buffer.append","audio":"AAAA","event_id":"\ud800"}', r"\ud800"),
        (r'{"type":"input_audio_buffer.append","audio":"AAAA","event_id":"x\uDFFF"}', r"\uDFFF"),
        (
            r'{"type":"input_audio_buffer.append","audio":"AAAA","event_id":"\udd1e\ud834"}',
            r"\udd1e",
        ),
        (
            r'{"type":"input_audio_buffer.append","audio":"AAAA","event_id":"\ud800\u0041"}',
            r"\ud800",
        ),
        (
            r'{"type":"input_audio_buffer.append","audio":"AAAA","event_id":"\ud800\ud800\udc00"}',
            r"\ud800",
        ),
        (r'{"type":"input_audio_buffer.append","\ud800":1,"audio":"AAAA"}', r"\ud800"),
        (r'{"type":"session.update","session":{"x":["ok","\ud9ff"]}}', r"\ud9ff"),
        (r'{"type":"x","a":1,"a":"\uDBFF"}', r"\uDBFF"),  # a duplicate key does not hide it
    ],
)
def test_lone_surrogate_escape_is_rt101(text: str, lone: str) -> None:
    (v,) = validator.validate_event(text)
    assert (v.rule, v.message) == ("RT101", LONE)
    (found,) = lint([text])
    assert (found.rule, found.line, found.column) == ("RT101", 1, text.index(lone) + 1)


@pytest.mark.parametrize(
    "text",
    [
        r'{"type":"input_audio_buffer.append","audio":"AAAA","event_id":"\ud834\udd1e"}',
        r'{"type":"input_audio_buffer.append","audio":"AAAA","event_id":"\uD834\uDD1E"}',
        r'{"type":"input_audio_buffer.append","audio":"AAAA","event_id":"\\ud800"}',
        r'{"type":"input_audio_buffer.append","audio":"AAAA","event_id":"\\\\ud800"}',
        r'{"type":"input_audio_buffer.append","audio":"AAAA","event_id":"\u00e9\ud7ff\ue000"}',
    ],
)
def test_surrogate_pairs_and_escaped_backslashes_pass(text: str) -> None:
    assert not {v.rule for v in validator.validate_event(text)} & PARSE_ERRORS


def test_raw_surrogate_bytes_are_rt102() -> None:
    raw = b'{"type":"input_audio_buffer.append","audio":"AAAA","event_id":"\xed\xa0\x80"}'
    (v,) = validator.validate_event(raw)
    assert v.rule == "RT102"


def test_raw_surrogate_in_text_is_rt101() -> None:
    """Text that never was UTF-8 (a HAR payload json.loads unescaped) is caught too."""
    text = '{"type":"input_audio_buffer.append","audio":"AAAA","event_id":"\ud800"}'
    parsed = parse_record(text)
    assert [(v.rule, v.offset) for v in parsed.violations] == [("RT101", text.index("\ud800"))]


def test_long_integers_are_valid_json() -> None:
    """int() refuses over 4,300 digits; JSON does not, and neither does the linter."""
    digits = "1" * 5000
    for text in (f'{{"type":"x","a":{digits}}}', f'{{"a":{digits},"a":1}}', f"[{digits}]"):
        rules = {v.rule for v in validator.validate_event(text)}
        assert not rules & PARSE_ERRORS
        assert not {v.rule for v in lint([text])} & PARSE_ERRORS


def test_document_with_long_integer_element(tmp_path: Path) -> None:
    doc = tmp_path / "events.json"
    doc.write_text(f'[{{"type":"input_audio_buffer.append","audio":"AAAA"}}, {"9" * 5000}]')
    assert [v.rule for v in lint(str(doc))] == ["RT306", "RT103"]


def test_empty_array_followed_by_more_is_rt101(tmp_path: Path) -> None:
    doc = tmp_path / "events.json"
    doc.write_text("[]\n[]")
    (v,) = lint(str(doc))
    assert (v.rule, v.line, v.column) == ("RT101", 2, 1)
    assert "extra data after the array" in v.message


# -- duplicate keys (RT104), found the same on the fast road and the slow one --------------


def _event(template: str) -> str:
    """Fill <T> with the append's type member and <A> with a valid audio string."""
    return template.replace("<T>", '"type":"input_audio_buffer.append"').replace(
        "<A>", '"AAAAAAAA"'
    )


def _both_roads(lines: list[str]) -> tuple[list[tuple[Any, ...]], dict[str, Any]]:
    """Return the findings and statistics of ``lines``, asserting both roads agree on them."""
    results = []
    for fast in (True, False):
        stats = Statistics()
        records = (Record(i, 0, (line + "\n").encode()) for i, line in enumerate(lines, 1))
        found = [
            (v.rule, v.message, v.line, v.column, v.pointer, v.event_id)
            for v in lint_records(records, Options(fast=fast), stats, "x")
        ]
        out = stats.to_dict()
        out.pop("seconds")
        results.append((found, out))
    assert results[0] == results[1]
    return results[0]


@pytest.mark.parametrize(
    ("template", "pointer"),
    [
        # top level: each of the append's own keys
        ('{<T>,"event_id":"e1","event_id":"e2","audio":<A>}', "/event_id"),
        ('{"event_id":"e1",<T>,"event_id":"e2","audio":<A>}', "/event_id"),
        ('{<T>,"audio":<A>,"audio":<A>}', "/audio"),
        ('{<T>,<T>,"audio":<A>}', "/type"),
        ('{<T>,"audio":<A>,"audio":"AA-A"}', "/audio"),
        # escaped spellings of the same key
        ('{<T>,"aud\\u0069o":<A>,"audio":<A>}', "/audio"),
        ('{<T>,"audio":<A>,"\\u0061udio":<A>}', "/audio"),
        ('{<T>,"\\u0061\\u0075\\u0064\\u0069\\u006f":<A>,"audio":<A>}', "/audio"),
        ('{"t\\u0079pe":"input_audio_buffer.append",<T>,"audio":<A>}', "/type"),
        ('{<T>,"event\\u005fid":"a","event_id":"b","audio":<A>}', "/event_id"),
        # nested
        (
            '{"type":"session.update","session":{"turn_detection":null,"turn_detection":null}}',
            "/session/turn_detection",
        ),
        (
            '{"type":"session.update","session":{"audio":{"input":{"format":'
            '{"type":"audio/pcm","type":"audio/pcmu"}}}}}',
            "/session/audio/input/format/type",
        ),
        (
            '{"type":"conversation.item.create","item":{"content":[{"b":1},{"b":1,"b":2}]}}',
            "/item/content/1/b",
        ),
        # keys that need escaping in a pointer, and the empty key
        ('{"type":"input_audio_buffer.clear","a/b":1,"a\\/b":2}', "/a~1b"),
        ('{"type":"input_audio_buffer.clear","m~n":1,"m\\u007en":2}', "/m~0n"),
        ('{"type":"input_audio_buffer.clear","":1,"":2}', "/"),
        # three times is one finding, at the second
        ('{"type":"input_audio_buffer.clear","k":1,"k":2,"k":3}', "/k"),
    ],
)
def test_duplicate_keys_on_both_roads(template: str, pointer: str) -> None:
    line = _event(template)
    found, _ = _both_roads([line])
    duplicates = [f for f in found if f[0] == "RT104"]
    assert len(duplicates) == 1
    _, message, lineno, column, got_pointer, _ = duplicates[0]
    assert got_pointer == pointer
    parent, _, token = pointer.rpartition("/")
    key = token.replace("~1", "/").replace("~0", "~")
    assert message == (
        f"key {key!r} appears more than once in the same object; parsers disagree on which "
        "value wins: keep one"
    )
    # the column is that of the key's second spelling, whichever escaped form it takes
    assert lineno == 1
    assert column - 1 == key_offsets(line, parent, key)[1]


def test_duplicate_keys_in_a_capture_on_both_roads() -> None:
    """Canonical appends around duplicates: the fast road takes the first, never the others."""
    lines = [_event(f'{{<T>,"event_id":"evt_{i}","audio":<A>}}') for i in range(3)]
    lines += [
        _event('{<T>,"event_id":"evt_9","event_id":"evt_9","audio":<A>}'),
        _event('{<T>,"event_id":"evt_10","audio":<A>,"audio":<A>}'),
        _event('{<T>,"event_id":"evt_11","aud\\u0069o":<A>,"audio":<A>}'),
    ]
    found, stats = _both_roads(lines)
    assert [(f[0], f[2]) for f in found] == [("RT104", 4), ("RT104", 5), ("RT104", 6)]
    assert stats["records"] == 6 and stats["records_with_findings"] == 3
