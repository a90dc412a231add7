"""The fast road's memory of quiet lines (``fastroad._MET``): a line of a shape seen before is
neither parsed nor walked. Its slow twin is the same function with the memory emptied first
(``_value`` then ``_verdict``): every test here holds the two equal."""

from __future__ import annotations

import json
import sys
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_predicate_code import redrawn
from test_spec_check import EVENTS, mutate

from validator.engine import fastroad

SERVER_EVENTS: list[dict[str, Any]] = [
    {
        "type": "response.done",
        "event_id": "event_1",
        "response": {"id": "resp_1", "object": "realtime.response", "status": "completed"},
    },
    {"type": "input_audio_buffer.committed", "event_id": "event_2", "item_id": "item_1"},
    {
        "type": "conversation.item.input_audio_transcription.delta",
        "event_id": "event_3",
        "item_id": "item_1",
        "content_index": 0,
        "delta": "Hello",
    },
    {
        "type": "session.updated",
        "event_id": "event_4",
        "session": {"type": "realtime", "audio": {"input": {"format": {"type": "audio/pcm"}}}},
    },
]


def _line(event: Any, separators: tuple[str, str] = (",", ":")) -> bytes:
    return json.dumps(event, separators=separators, ensure_ascii=False).encode("utf-8") + b"\n"


def forget() -> None:
    """Empty the memory and give it its first credit."""
    fastroad._MET.clear()
    fastroad._MET_EXACT.clear()
    fastroad._CREDIT[0] = fastroad._CREDIT_START


def twin(line: bytes, hint: list[str], spec: bool) -> Any:
    """Return scan_quiet's verdict with nothing remembered (the slow, obvious way)."""
    forget()
    return fastroad.scan_quiet(line, hint, spec)


@pytest.fixture(autouse=True)
def _forget() -> Any:
    forget()
    yield
    forget()


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_a_remembered_shape_gets_the_twins_verdict(data: st.DataObject) -> None:
    """Judge one event, then another of the same shape (its free values drawn again, or the
    event mutated): what the memory answers is what the twin says of the second line."""
    original = data.draw(st.sampled_from(EVENTS + SERVER_EVENTS))
    event = mutate(data, original, rounds=3, copying=True) if data.draw(st.booleans()) else original
    spec = data.draw(st.booleans())
    hint = data.draw(st.sampled_from(["ga", "beta"]))
    spacing = data.draw(st.sampled_from([(",", ":"), (", ", ": ")]))
    first, second = _line(event, spacing), _line(redrawn(data, event), spacing)
    expected = twin(second, [hint], spec)
    forget()
    fastroad.scan_quiet(first, [hint], spec)
    assert fastroad.scan_quiet(second, [hint], spec) == expected, (first, second)


@pytest.mark.parametrize("spec", [True, False])
def test_a_hit_reads_its_own_event_id(spec: bool) -> None:
    base = {"type": "response.cancel", "event_id": "evt_1"}
    first = fastroad.scan_quiet(_line(base), ["ga"], spec)
    assert first is not None and first[1] == "evt_1"
    assert len(fastroad._MET) == 1
    for event_id in ("evt_2", "é-ü", "x" * 512):
        assert fastroad.scan_quiet(_line(dict(base, event_id=event_id)), ["ga"], spec) == (
            first[0],
            event_id,
            first[2],
        )
    assert len(fastroad._MET) == 1  # one shape
    # 513 bytes: not blanked, a shape of its own (GA's schemas bound event_id at 512)
    long = _line(dict(base, event_id="x" * 513))
    said = fastroad.scan_quiet(long, ["ga"], spec)
    assert len(fastroad._MET) == 2
    assert said == twin(long, ["ga"], spec)
    assert said == ("response.cancel", "x" * 513, 2 if spec else 0)  # beta's has no bound


def test_json_dumps_default_spacing_is_remembered_too() -> None:
    """``json.dumps(event)`` (", " and ": ") is the form most Python loggers write."""
    spaced = (", ", ": ")
    message = {"type": "message", "role": "user", "content": [{"type": "input_text"}]}
    for n in range(3):
        event = {"type": "conversation.item.create", "event_id": f"e{n}", "item": message}
        event["item"]["content"][0]["text"] = f"question {n}"
        assert fastroad.scan_quiet(_line(event, spaced), ["ga"]) == (event["type"], f"e{n}", 1)
    assert len(fastroad._MET) == 1
    compact = {"type": "conversation.item.create", "event_id": "e9", "item": message}
    assert fastroad.scan_quiet(_line(compact), ["ga"]) == (compact["type"], "e9", 1)
    assert len(fastroad._MET) == 2  # a shape of its own


def test_invalid_utf8_in_a_blanked_value_takes_the_slow_road() -> None:
    good = _line({"type": "response.cancel", "event_id": "evt_é"})
    assert fastroad.scan_quiet(good, ["ga"]) is not None
    bad = good.replace("é".encode(), b"\xff\xfe")
    assert fastroad.scan_quiet(bad, ["ga"]) is None
    assert twin(bad, ["ga"], True) is None


def test_an_escaped_or_tabbed_event_id_is_read_again_each_time() -> None:
    escaped = b'{"type":"response.cancel","event_id":"a\\"b"}\n'
    assert fastroad.scan_quiet(escaped, ["ga"]) == ("response.cancel", 'a"b', 1)
    assert fastroad.scan_quiet(escaped, ["ga"]) == ("response.cancel", 'a"b', 1)
    tabbed = b'{"type":"response.cancel","event_id":\t"e1"}\n'  # valid, not blanked
    assert fastroad.scan_quiet(tabbed, ["ga"]) == ("response.cancel", "e1", 1)
    assert fastroad.scan_quiet(tabbed, ["ga"]) == ("response.cancel", "e1", 1)
    # two event_ids (one nested): the top-level one is never read out of the line
    nested = {"type": "response.cancel", "event_id": "e1", "x": {"event_id": "e9"}}
    assert fastroad.scan_quiet(_line(nested), ["ga"]) == twin(_line(nested), ["ga"], True)


def test_a_session_event_sets_the_hint_every_time() -> None:
    ga = SERVER_EVENTS[-1]
    beta = {"type": "session.updated", "event_id": "event_5", "session": {"modalities": ["text"]}}
    hint = ["beta"]
    for _ in range(2):  # the second time its shape is known: it is read again all the same
        assert fastroad.scan_quiet(_line(ga), hint) is None  # the session reads it whole
        assert hint == ["ga"]
        assert fastroad.scan_quiet(_line(beta), hint) is None
        assert hint == ["beta"]


def test_the_memory_keeps_rt206s_selection_apart() -> None:
    """A verdict said with RT206 ignored (no schema read) is never given where it is selected."""
    wrong = _line({"type": "response.cancel", "event_id": "e1", "bogus": 1})
    assert fastroad.scan_quiet(wrong, ["ga"], False) == ("response.cancel", "e1", 0)
    assert fastroad.scan_quiet(wrong, ["ga"], True) is None  # RT206: the slow road says it
    assert fastroad.scan_quiet(wrong, ["ga"], False) == ("response.cancel", "e1", 0)


def test_the_memory_is_bounded() -> None:
    for n in range(fastroad._MET_SIZE + 10):
        fastroad.scan_quiet(_line({"type": "response.cancel", "event_id": "e", f"k{n}": 1}))
    assert len(fastroad._MET) <= fastroad._MET_SIZE
    wide = _line({"type": "response.cancel", "event_id": "e", "x": "y" * fastroad._MET_LINE})
    before = len(fastroad._MET)
    assert fastroad.scan_quiet(wide, ["ga"], False) == twin(wide, ["ga"], False)
    forget()
    fastroad.scan_quiet(wide, ["ga"], False)
    assert len(fastroad._MET) == 0 < before + 1  # a line past _MET_LINE is not remembered


def test_lines_that_never_repeat_stop_paying_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """The server's response.done counts tokens: no two alike. After ``_CREDIT_START``
    misses the lines are judged without a key, but one in ``_CREDIT_REST`` + 1, and hits
    then bring the key back."""
    keyed: list[bytes] = []
    real = fastroad.free_pattern

    class Counted:
        def split(self, line: bytes) -> list[bytes]:
            keyed.append(line)
            return real().split(line)

    def done(n: int) -> bytes:
        usage = {"total_tokens": n, "input_tokens": n, "output_tokens": 0}
        return _line({"type": "response.done", "event_id": "e", "response": {"usage": usage}})

    monkeypatch.setattr(fastroad, "free_pattern", Counted)
    lines = 8 + 64 + 1 + 64 + 1
    for n in range(lines):
        assert fastroad.scan_quiet(done(n), ["ga"]) == twin_kept(done(n))
    assert len(keyed) == fastroad._CREDIT_START + 2  # 8, then one after each rest
    keyed.clear()
    for _ in range(64 + 3):  # the rest, then a line seen before: hits, each keyed
        fastroad.scan_quiet(done(7), ["ga"])
    assert len(keyed) == 3 and fastroad._CREDIT[0] == 6
    cancel = _line({"type": "response.cancel", "event_id": "e"})
    assert fastroad.scan_quiet(cancel, ["ga"]) == twin_kept(cancel)
    assert len(keyed) == 4  # keyed: the memory works again


def twin_kept(line: bytes) -> Any:
    """Return the twin's verdict without touching the memory or the credit."""
    value = fastroad._value(line)
    return None if value is None else fastroad._verdict(value, ["ga"], True)


def test_written_code_is_loaded_from_its_file_as_an_import_would(tmp_path: Any) -> None:
    """``check.spec._from_file``: the wheel's written predicates are loaded by the import
    system's loader (its bytecode where current, else the source), without the search."""
    import py_compile

    from validator.check import spec

    source = tmp_path / "is_x.py"
    source.write_text("CODE_FORMAT = 1\ndef check(v):\n    return v == 1\n", "utf-8")
    py_compile.compile(str(source), doraise=True)  # a timestamp pyc, as pip writes
    module = spec._from_file("is_x", str(tmp_path))
    assert module is not None and module.check(1) and not module.check(2)
    assert module.__name__ == f"{spec.COMPILED_PACKAGE}.is_x"
    assert spec._from_file("is_x", str(tmp_path)) is module  # kept, as an import keeps it
    del sys.modules[module.__name__]
    source.write_text("CODE_FORMAT = 2\ndef check(v):\n    return v == 30\n", "utf-8")  # stale
    again = spec._from_file("is_x", str(tmp_path))
    assert again is not None and again.CODE_FORMAT == 2 and again.check(30)
    del sys.modules[again.__name__]
    assert spec._from_file("is_y", str(tmp_path)) is None  # no such module
    assert not any(name.endswith("._compiled.is_y") for name in sys.modules)


ID_TEXTS = st.one_of(
    st.text(st.characters(codec="utf-8", exclude_characters='"\\'), min_size=1, max_size=20),
    st.sampled_from(["", "e" * 512, "e" * 513, "a\\u0041", 'a\\"b', "\t", "\x7f", "é"]),
).map(lambda text: text.encode("utf-8", "surrogatepass"))


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_a_line_that_differs_only_in_its_event_id_gets_the_twins_verdict(
    data: st.DataObject,
) -> None:
    """The memory by the text around the event_id (``_MET_EXACT``): a line whose id bytes,
    written in place, are anything at all (escapes, control and invalid UTF-8 bytes, 0 and
    513 bytes) gets what the twin says of it."""
    event = data.draw(st.sampled_from([e for e in EVENTS + SERVER_EVENTS if "event_id" in e]))
    spec = data.draw(st.booleans())
    hint = data.draw(st.sampled_from(["ga", "beta"]))
    spacing = data.draw(st.sampled_from([(",", ":"), (", ", ": ")]))
    first = _line(event, spacing)
    old = json.dumps(event["event_id"]).encode()
    second = first.replace(old, b'"' + data.draw(ID_TEXTS | st.binary(max_size=8)) + b'"', 1)
    expected = twin(second, [hint], spec)
    forget()
    fastroad.scan_quiet(first, [hint], spec)
    fastroad.scan_quiet(first, [hint], spec)  # a hit of the blanked key, kept by the text too
    assert fastroad.scan_quiet(second, [hint], spec) == expected, (first, second)


def test_the_same_line_with_another_id_is_neither_parsed_nor_blanked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    line = b'{"type":"response.create","event_id":"evt_1","response":{"modalities":["text"]}}\n'
    first = fastroad.scan_quiet(line, ["ga"], True)
    assert first is not None and first[1] == "evt_1"
    assert len(fastroad._MET_EXACT) == 1

    def refused(*args: object) -> None:
        raise AssertionError("parsed or blanked again")

    monkeypatch.setattr(fastroad, "_value", refused)
    monkeypatch.setattr(fastroad, "free_pattern", refused)
    for n in range(3):
        other = line.replace(b"evt_1", f"evt_{n}_é".encode())
        assert fastroad.scan_quiet(other, ["ga"], True) == (first[0], f"evt_{n}_é", first[2])
    monkeypatch.undo()
    # an id that is not a value the blanking takes out (an escape) is judged the long way
    escaped = line.replace(b"evt_1", b"evt\\u0031")
    assert fastroad.scan_quiet(escaped, ["ga"], True) == twin(escaped, ["ga"], True)
