"""lint(): sources, locations, statistics, the example log, and the fast road against the slow."""

from __future__ import annotations

import io
import json
import random
from collections.abc import Iterable
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, assert_roads_agree, b64
from hypothesis import given, settings
from hypothesis import strategies as st

from validator import lint
from validator.core.record import Record
from validator.core.statistics import Statistics
from validator.engine.linting import lint_records
from validator.engine.options import Options
from validator.sources.jsonl import read_jsonl

LOGS = sorted(p for p in (FIXTURES / "logs").glob("*.jsonl") if ".expected." not in p.name)
AUDIO = b64(bytes(range(256)) * 4)


def _line(audio: str = AUDIO, event_id: str | None = "evt_1") -> str:
    eid = f'"event_id":"{event_id}",' if event_id is not None else ""
    return f'{{"type":"input_audio_buffer.append",{eid}"audio":"{audio}"}}'


@pytest.mark.parametrize("path", LOGS, ids=lambda p: p.name)
def test_log_matches_expected_findings(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    relative = str(path.relative_to(ROOT))
    got = [v.to_dict() for v in lint(relative)]
    expected_file = path.with_name(path.name.replace(".jsonl", ".expected.jsonl"))
    expected = [json.loads(line) for line in expected_file.read_text().splitlines()]
    assert got == expected


def test_statistics_of_the_example_log() -> None:
    result = lint(FIXTURES / "logs" / "session.jsonl")
    findings = list(result)
    stats = result.statistics
    assert stats.records == 39 and stats.blank_lines == 1
    assert stats.append_events == 18
    assert stats.events_by_type["input_audio_buffer.append"] == 18
    assert stats.events_by_type["<unknown>"] == 1
    assert stats.findings == len(findings) == 7
    assert stats.records_with_findings == 6
    # 1.68 s appended; the two RT301 appends (120 ms each) the server rejects: apart
    assert round(stats.audio_seconds, 3) == 1.44
    assert round(stats.rejected_audio_seconds, 3) == 0.24
    assert stats.rejected_audio_seconds == stats.rejected_audio_bytes / 48_000
    assert stats.audio_bytes == round(1.44 * 48_000)
    assert stats.bytes == (FIXTURES / "logs" / "session.jsonl").stat().st_size


@pytest.mark.parametrize(
    "source",
    ["path", "binary file", "text file", "lines", "byte lines"],
)
def test_sources_give_the_same_findings(source: str, tmp_path: Path) -> None:
    lines = [_line(), _line("AA-A", "evt_2"), "", "[1]"]
    path = tmp_path / "x.jsonl"
    path.write_text("\n".join(lines) + "\n")
    arg: object
    if source == "path":
        arg = str(path)
    elif source == "binary file":
        arg = path.open("rb")
    elif source == "text file":
        arg = path.open("r", encoding="utf-8")
    elif source == "lines":
        arg = lines
    else:
        arg = [x.encode() for x in lines]
    got = [(v.rule, v.line, v.column) for v in lint(arg)]  # type: ignore[arg-type]
    assert got == [("RT301", 2, 67), ("RT103", 4, 1)]


def test_empty_input() -> None:
    result = lint(io.BytesIO(b""))
    assert list(result) == []
    assert result.statistics.records == 0


def test_crlf_blank_lines_and_bom() -> None:
    data = ("\ufeff" + _line() + "\r\n\r\n  \n" + _line("AA-A", "evt_2") + "\r\n").encode()
    result = lint(io.BytesIO(data))
    assert [(v.rule, v.line, v.column) for v in result] == [("RT301", 4, 67)]
    assert result.statistics.records == 2
    assert result.statistics.blank_lines == 2


def test_last_line_without_newline_and_truncated() -> None:
    data = (_line() + "\n" + _line(event_id="evt_2")[:-5]).encode()
    found = list(lint(io.BytesIO(data)))
    assert [(v.rule, v.line) for v in found] == [("RT101", 2)]
    assert "cut short" in found[0].message


def test_select_ignore() -> None:
    lines = [_line("AA-A"), _line("", "evt_2"), "[1]"]
    assert [v.rule for v in lint(lines, select=["RT3"])] == ["RT301", "RT305"]
    assert [v.rule for v in lint(lines, ignore=["RT3", "not-an-object"])] == []
    assert [v.rule for v in lint(lines, select=["ALL"], ignore=["RT305"])] == ["RT301", "RT103"]


def test_json_document_array_locations(tmp_path: Path) -> None:
    doc = tmp_path / "events.json"
    doc.write_text(
        '[\n  {"type": "input_audio_buffer.append", "audio": "AAAAAA=="},\n'
        '  {"type": "input_audio_buffer.append",\n   "audio": "AA_A"}\n]\n'
    )
    (v,) = lint(str(doc))
    assert (v.rule, v.line, v.column) == ("RT301", 4, 16)


def test_pretty_printed_event_without_suffix_is_a_document(tmp_path: Path) -> None:
    doc = tmp_path / "event.txt"
    doc.write_text('{\n  "type": "input_audio_buffer.append",\n  "audio": "AAA"\n}\n')
    (v,) = lint(str(doc))
    assert (v.rule, v.line, v.column) == ("RT302", 3, 16)


# -- the fast road against the slow one ----------------------------------------------------


def _run(lines: Iterable[bytes], fast: bool) -> tuple[list[tuple[object, ...]], dict[str, object]]:
    records = (Record(i, 0, line) for i, line in enumerate(lines, 1))
    stats = Statistics()
    found = list(lint_records(records, Options(fast=fast), stats, "x"))
    out = stats.to_dict()
    out.pop("seconds")
    return [(v.rule, v.message, v.line, v.column, v.pointer, v.event_id) for v in found], out


def _differential(lines: list[bytes]) -> None:
    assert _run(lines, True) == _run(lines, False)
    assert_roads_agree(b"".join(lines))


def test_differential_on_fixture_logs() -> None:
    for path in LOGS:
        _differential(path.read_bytes().splitlines(keepends=True))


_templates = [
    '{{"type":"input_audio_buffer.append","event_id":"{eid}","audio":"{audio}"}}',
    '{{"type": "input_audio_buffer.append", "event_id": "{eid}", "audio": "{audio}"}}',
    '{{"event_id":"{eid}","type":"input_audio_buffer.append","audio":"{audio}"}}',
    '{{"type":"input_audio_buffer.append","audio":"{audio}"}}',
    '{{"type":"input_audio_buffer.append","audio":"{audio}","event_id":"{eid}"}}',
    '{{"type": "input_audio_buffer.append", "audio": "{audio}", "event_id": "{eid}"}}',  # SDK
    '{{"type":"input_audio_buffer.append","audio":"{audio}", "event_id":"{eid}"}}',
    '{{"type":"input_audio_buffer.append","event_id":"{eid}","audio":"{audio}","event_id":"x"}}',
    '{{"type":"input_audio_buffer.append","audio":"{audio}","event_id":"{eid}","event_id":"x"}}',
    '{{"type":"input_audio_buffer.append","audio":"{audio}","event_id":"{eid}" }}',
    '{{"type":"input_audio_buffer.append","audio":"{audio}","event_id":{eid}}}',
    '{{"type":"input_audio_buffer.append","event_id":"{eid}","event_id":"{eid}","audio":"{audio}"}}',
    '{{"event_id":"{eid}","type":"input_audio_buffer.append","event_id":"x","audio":"{audio}"}}',
    '{{"type":"input_audio_buffer.append","event_id":"{eid}","audio":"{audio}"}} ',
    '{{"type":"input_audio_buffer.append","event_id":"{eid}","audio":"{audio}","x":1}}',
    '{{"type":"input_audio_buffer\\u002eappend","audio":"{audio}"}}',
    '{{"type":"input_audio_buffer.commit","event_id":"{eid}"}}',
    '{{"type": "input_audio_buffer.clear", "event_id": "{eid}"}}',
    '{{"type":"input_audio_buffer.commit"}}',
    '{{"type":"input_audio_buffer.committed","event_id":"{eid}","item_id":"i"}}',
    '{{"type":"session.update","event_id":"{eid}","session":{{"turn_detection":null}}}}',
    '{{"type":"response.audio.delta","event_id":"{eid}","response_id":"resp_1","item_id":"i",'
    '"output_index":0,"content_index":0,"delta":"{audio}"}}',
    '{{"type": "response.output_audio.delta", "event_id": "{eid}", "response_id": "r", '
    '"item_id": "i", "output_index": 12, "content_index": 0, "delta": "{audio}"}}',
    '{{"type":"response.audio.delta","event_id":"{eid}","response_id":"r","item_id":"i",'
    '"output_index":01,"content_index":0,"delta":"{audio}"}}',
    '{{"type":"response.audio.delta","event_id":"{eid}","response_id":"r","item_id":"i",'
    '"output_index":0,"content_index":0,"delta":"{audio}","delta":"x"}}',
    # what moves the session: a new session, versions, server commits and errors
    '{{"type":"session.created","event_id":"{eid}","session":{{"type":"realtime",'
    '"audio":{{"input":{{"turn_detection":null}}}}}}}}',
    '{{"type":"transcription_session.created","session":{{"input_audio_format":"g711_ulaw",'
    '"turn_detection":null}}}}',
    '{{"type":"session.update","event_id":"{eid}","session":{{"type":"realtime",'
    '"input_audio_format":"g711_alaw"}}}}',
    '{{"type":"session.update","session":{{"turn_detection":{{"type":"server_vad"}}}}}}',
    '{{"type":"error","event_id":"e","error":{{"type":"invalid_request_error","code":"x",'
    '"message":"m","param":null,"event_id":"{eid}"}}}}',
    '{{"type":"input_audio_buffer.commit","event_id":"{eid}","x":1}}',
    '{{"type":"input_audio_buffer.cleared","event_id":"{eid}"}}',
    '{{"type":"input_audio_buffer.append","audio":"{audio}","x":1}}',
]
_audio = st.one_of(
    st.binary(max_size=40).map(lambda b: b64(b)),
    st.binary(min_size=1, max_size=40).map(lambda b: b64(b).replace("+", "-")),
    st.sampled_from(
        [
            "YR==",
            "AAA",
            "AA==AA==",
            "AAAA\\nAAAA",
            "AA\\/A",
            "",
            "data:,AAAA",
            "AAAA\\u0041AAA",
            "AAAA\\",
        ]
    ),
)
_eid = st.one_of(
    st.sampled_from(["evt_1", "evt_2", "", "e" * 512, "e" * 513, "é", '\\"', "x\\u0000"]),
    st.text(alphabet="abc_-ü ", max_size=5),
)
_line_st = st.builds(
    lambda t, a, e, end: (t.format(audio=a, eid=e) + end).encode("utf-8", "surrogatepass"),
    st.sampled_from(_templates),
    _audio,
    _eid,
    st.sampled_from(["\n", "\r\n", ""]),
)


@settings(max_examples=600, deadline=None)
@given(st.lists(_line_st, max_size=8))
def test_differential_generated(lines: list[bytes]) -> None:
    _differential(lines)


@settings(max_examples=300, deadline=None)
@given(st.lists(_line_st, min_size=1, max_size=4), st.data())
def test_differential_mutated(lines: list[bytes], data: st.DataObject) -> None:
    mutated = []
    for line in lines:
        raw = bytearray(line)
        for _ in range(data.draw(st.integers(0, 3))):
            if not raw:
                break
            at = data.draw(st.integers(0, len(raw) - 1))
            raw[at] = data.draw(st.integers(0, 255))
        mutated.append(bytes(raw))
    _differential(mutated)


def test_differential_on_random_valid_and_invalid_capture() -> None:
    rng = random.Random(7)
    lines = []
    for i in range(400):
        audio = b64(rng.randbytes(rng.randrange(0, 300) * 2))
        if rng.random() < 0.1:
            audio = audio.replace("A", "-", 1)
        lines.append(
            (_templates[rng.randrange(6)].format(audio=audio, eid=f"evt_{i % 390}") + "\n").encode()
        )
    _differential(lines)


def test_read_jsonl_limits(tmp_path: Path) -> None:
    limit = 100
    exact = b"x" * limit
    data = exact + b"\n" + exact + b"y\n" + b"z" * 500 + b"\r\n" + b"ok"
    records = list(read_jsonl(io.BytesIO(data), limit))
    assert [(r.line, r.problem.rule if r.problem else None) for r in records] == [
        (1, None),
        (2, "RT105"),
        (3, "RT105"),
        (4, None),
    ]
    assert records[2].problem is not None and "500 bytes" in records[2].problem.message


def test_event_pointer_in_the_library() -> None:
    event = _line("AA-A")
    lines = ['{"ts": 1, "event": ' + event + "}", '{"ts": 2}']
    found = [(v.rule, v.line, v.column) for v in lint(lines, event_pointer="/event")]
    assert found == [("RT301", 1, 20 + 66), ("RT201", 2, 1)]
    with pytest.raises(ValueError, match="not a JSON pointer"):
        lint(lines, event_pointer="event")


def test_roads_agree_on_a_run_of_quiet_records_with_refusals_inside() -> None:
    # consecutive commits, clears and responses are one run on the fast road: the session
    # refuses some of them (RT401, RT402) in the middle of it
    lines = [
        b'{"type":"session.update","session":{"turn_detection":null}}\n',
        b'{"type":"response.create","event_id":"r1"}\n',
        b'{"type":"input_audio_buffer.commit","event_id":"c1"}\n',
        b'{"type":"response.cancel"}\n',
        b'{"type":"input_audio_buffer.clear","event_id":"c1"}\n',
        b'{"type":"response.create","event_id":"r2"}\n',
        b'{"type":"input_audio_buffer.commit","event_id":"c2"}\n',
        b'{"type":"response.done","event_id":"s1","response":{}}\n',
    ]
    _differential(lines)
    found = [(v.rule, v.line) for v in lint(lines)]
    assert found == [("RT401", 3), ("RT402", 5), ("RT401", 7)]


def _rejected_capture() -> tuple[bytes, float, float]:
    """Return a capture of appends the server accepts and rejects (bad base64, an unknown
    property, in pcm16 and after a switch to G.711), with the seconds of each."""
    append = '{{"type":"input_audio_buffer.append","event_id":"e{}","audio":"{}"{}}}\n'
    lines, accepted, rejected = [], 0.0, 0.0
    for i in range(60):
        audio = b64(bytes(range(i % 5, 240 + i % 5)) * (1 + i % 7))
        size = len(audio) // 4 * 3
        rate = 48_000 if i < 40 else 8_000
        if i == 40:
            lines.append('{"type":"session.update","session":{"input_audio_format":"g711_ulaw"}}\n')
        if i % 4 == 1:
            audio = "-" + audio[1:]  # RT301: rejected
        more = ',"rate":24000' if i % 4 == 2 else ""  # RT203: rejected (unknown_parameter)
        if i % 4 in (1, 2):
            rejected += size / rate
        else:
            accepted += size / rate
        lines.append(append.format(i, audio, more))
    return "".join(lines).encode(), accepted, rejected


def test_rejected_audio_is_counted_apart_the_same_on_every_road() -> None:
    data, accepted, rejected = _rejected_capture()
    assert_roads_agree(data)
    assert_roads_agree(data, max_record_bytes=600)  # some RT105 among them: no audio at all
    result = lint(io.BytesIO(data))
    list(result)
    stats = result.statistics
    assert stats.audio_seconds == pytest.approx(accepted)
    assert stats.rejected_audio_seconds == pytest.approx(rejected)
    assert stats.to_dict()["rejected_audio_seconds"] == round(rejected, 3)
