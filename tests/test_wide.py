"""``wide.py`` against json: a record parsed member by member gives the same findings.

With the thresholds lowered, every record takes the wide parse (objects keeping only their
first ``KEEP`` unknown members); generated records, with repeated, known and unknown keys,
nested objects, surrogates and syntax errors, lint the same either way.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from validator import lint
from validator.check import parse, wide
from validator.core.violation import MAX_PER_RULE
from validator.engine.session import KEPT_KEYS


def findings(line: str) -> list[tuple[str, str, str, int | None, int | None]]:
    """Return (rule, message, pointer, line, column) of each finding of a one-line log."""
    return [(v.rule, v.message, v.pointer, v.line, v.column) for v in lint([line])]


def both(line: str) -> tuple[Any, Any]:
    """Return the findings of ``line`` parsed by json, then by ``wide.py``."""
    plain = findings(line)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(parse, "WIDE_MEMBERS", -1)  # every record is wide
        m.setattr(wide, "KEEP", MAX_PER_RULE + 1)  # the least that keeps what is shown
        return plain, findings(line)


def test_keep_is_more_than_a_rule_shows() -> None:
    assert wide.KEEP > MAX_PER_RULE  # the first finding left out must be among those kept


_key = st.one_of(
    st.sampled_from(["type", "event_id", "audio", "session", "a", "b", "c/d", "e~f"]),
    st.text(alphabet='xyz\u00e9\\"', min_size=1, max_size=3),
    st.integers(0, 200).map(lambda n: f"k{n}"),
)
_leaf = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 10**30), st.text(max_size=4), st.just("AAAA")
)


def _object(children: st.SearchStrategy[Any]) -> st.SearchStrategy[str]:
    """A JSON object's text, keys possibly repeated (a dict cannot hold them)."""
    member = st.tuples(_key, children).map(lambda kv: f"{json.dumps(kv[0])}:{kv[1]}")
    return st.lists(member, max_size=140).map(lambda ms: "{" + ",".join(ms) + "}")


_value = st.recursive(
    _leaf.map(json.dumps),
    lambda children: st.one_of(
        _object(children), st.lists(children, max_size=80).map(lambda xs: f"[{','.join(xs)}]")
    ),
    max_leaves=200,
)


@settings(max_examples=300, deadline=None)
@given(
    members=st.lists(st.tuples(_key, _value), max_size=160),
    event_type=st.sampled_from(["input_audio_buffer.append", "input_audio_buffer.commit", "x"]),
)
def test_generated_records_lint_the_same(members: list[tuple[str, str]], event_type: str) -> None:
    body = ",".join(f"{json.dumps(k)}:{v}" for k, v in members)
    line = '{"type":' + json.dumps(event_type) + ("," + body if body else "") + "}"
    plain, parsed_wide = both(line)
    assert parsed_wide == plain


@pytest.mark.parametrize(
    "line",
    [
        # more unknown members than are kept, then more repeats than are shown
        '{"type":"input_audio_buffer.append","audio":"AAAA",'
        + ",".join(f'"k{n}":{n}' for n in range(300))
        + ","
        + ",".join(f'"k{n}":0' for n in range(120))
        + "}",
        # a known key past the kept ones still counts: a wrong type for audio
        '{"type":"input_audio_buffer.append",'
        + ",".join(f'"k{n}":0' for n in range(300))
        + ',"audio":null}',
        # unknown members of a nested object: no rule reads them
        '{"type":"session.update","session":{'
        + ",".join(f'"k{n}":0' for n in range(300))
        + ',"input_audio_format":"mp3"}}',
        # a lone surrogate in a member that is not kept
        '{"type":"input_audio_buffer.append","audio":"AAAA",'
        + ",".join(f'"k{n}":0' for n in range(300))
        + ',"z":"\\ud800"}',
        # arrays of more elements than are kept: repeated keys and surrogates past them
        '{"type":"input_audio_buffer.append","audio":"AAAA","x":['
        + ",".join("0" for _ in range(300))
        + ',{"a":1,"a":2}]}',
        '{"type":"input_audio_buffer.append","audio":"AAAA","x":['
        + ",".join("0" for _ in range(300))
        + ',"\\ud800"]}',
        '{"type":"input_audio_buffer.append","audio":"AAAA","x":['
        + ",".join('{"b":1,"b":1}' for _ in range(300))
        + "]}",
        "[" + ",".join('{"k":1,"k":2}' for _ in range(120)) + "]",
        # an object past an array's kept elements counts no members for its parent
        '{"type":"input_audio_buffer.append","audio":"AAAA",'
        + ",".join(f'"k{n}":0' for n in range(60))
        + ',"x":['
        + ",".join("0" for _ in range(300))
        + ",{"
        + ",".join(f'"j{n}":0' for n in range(300))
        + "}]}",
        # syntax errors, word for word
        '{"type":"input_audio_buffer.append","audio":"AAAA","a":1,}',
        '{"type":"input_audio_buffer.append" "audio":"AAAA"}',
        '{"type":"input_audio_buffer.append","audio":"AAAA","a"}',
        '{"type":"input_audio_buffer.append","audio":"AAAA","a":NaN}',
        '{"type":"input_audio_buffer.append","audio":"AAAA"} x',
        '{"type":"input_audio_buffer.append","audio":"AAAA","a":',
        "{ }",
        '{"type":"input_audio_buffer.append","audio":"AAAA","x":[1,2,]}',
        '{"type":"input_audio_buffer.append","audio":"AAAA","x":[1 2]}',
        '{"type":"input_audio_buffer.append","audio":"AAAA","x":[1,',
        '{"a":{"b":1,"b":2},"a":[{"c":1,"c":1,"c":1}]}',
    ],
)
def test_edge_records_lint_the_same(line: str) -> None:
    plain, parsed_wide = both(line)
    assert parsed_wide == plain
    assert plain  # each of them has findings: the comparison is not of two empty lists


def test_wide_record_is_parsed_by_wide(monkeypatch: pytest.MonkeyPatch) -> None:
    """The threshold: one comma past it takes the wide parse (which counts what it drops)."""
    line = (
        '{"type":"input_audio_buffer.append","audio":"AAAA",'
        + ",".join(f'"k{n}":0' for n in range(400))
        + "}"
    )
    monkeypatch.setattr(parse, "WIDE_MEMBERS", line.count(",") - 1)
    assert parse.parse_record(line, KEPT_KEYS).dropped == (("", 400 - wide.KEEP),)
    # the parser keeps what its reader names: with no key named, type and audio count as unknown
    assert parse.parse_record(line).dropped == (("", 402 - wide.KEEP),)
    monkeypatch.setattr(parse, "WIDE_MEMBERS", line.count(","))
    assert parse.parse_record(line).dropped == ()


def test_the_kept_keys_hold_every_key_a_schema_names() -> None:
    """KEPT_KEYS and the schemas' SCHEMA_KEYS name every property a shipped schema has."""
    from validator.check.schema import SCHEMA_FILES, SCHEMA_KEYS, load_schema

    named = {key for event_type in SCHEMA_FILES for key in load_schema(event_type)["properties"]}
    assert named == SCHEMA_KEYS
    assert SCHEMA_KEYS <= KEPT_KEYS
