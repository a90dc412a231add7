"""Sources: HAR exports, gzip, wrapped records, JSONL limits and line endings.

Unit tests call the readers; every input form also goes through the installed
``realtime-validator`` command in a subprocess, as a user runs it.
"""

from __future__ import annotations

import base64
import gzip
import io
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, ROOT, b64, pointers
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsontext_twin import scan_value
from test_only import records as read_records
from whole_readers import aligned_message, data_spans, read_har

from validator.core.jsontext import scan_string, skip_value, value_offset
from validator.core.record import Record
from validator.core.statistics import Statistics
from validator.core.violation import Violation
from validator.engine.linting import lint_records
from validator.engine.options import Options
from validator.sources.detect import input_kind
from validator.sources.wrapped import unwrap, value_span

INPUTS = FIXTURES / "inputs"
HAR = FIXTURES / "har" / "session.har"
GOOD = b64(bytes(960))  # 20 ms of pcm16 silence
APPEND = '{"type":"input_audio_buffer.append","event_id":"evt_1","audio":"' + GOOD + '"}'
BAD = '{"type":"input_audio_buffer.append","audio":"AA-A"}'


def _command() -> str | None:
    beside = Path(sys.executable).with_name("realtime-validator")
    return str(beside) if beside.is_file() else shutil.which("realtime-validator")


COMMAND = _command()
needs_command = pytest.mark.skipif(COMMAND is None, reason="realtime-validator is not installed")


def cli(*args: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """Run the installed command; return the finished process (text output)."""
    assert COMMAND is not None
    return subprocess.run(
        [COMMAND, *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )


def findings(*args: str | Path, cwd: Path = ROOT) -> tuple[int, list[dict[str, Any]], str]:
    """Return the exit code, the findings (``--format jsonl``) and standard error."""
    proc = cli("lint", "--format", "jsonl", *args, cwd=cwd)
    return proc.returncode, [json.loads(line) for line in proc.stdout.splitlines()], proc.stderr


def statistics(*args: str | Path) -> dict[str, Any]:
    """Return the statistics of ``--format json``."""
    proc = cli("lint", "-q", "--format", "json", *args)
    result: dict[str, Any] = json.loads(proc.stdout)["statistics"]
    return result


def located(rows: list[dict[str, Any]]) -> list[tuple[str, int, int]]:
    """Return (rule, line, column) of each finding."""
    return [(r["rule"], r["line"], r["column"]) for r in rows]


def har_text(
    messages: list[dict[str, Any]],
    *,
    indent: int | None = 2,
    ensure_ascii: bool = False,
    extra_entries: int = 1,
) -> str:
    """Return a HAR with one websocket entry holding ``messages``, after other entries."""
    others = [
        {
            "_resourceType": "script",
            "request": {"method": "GET", "url": f"https://x/{n}"},
            "response": {"status": 200, "content": {"text": '"data": {"data": 1}'}},
        }
        for n in range(extra_entries)
    ]
    socket = {
        "_resourceType": "websocket",
        "_webSocketMessages": messages,
        "request": {"method": "GET", "url": "wss://api.openai.com/v1/realtime"},
    }
    log = {
        "log": {
            "version": "1.2",
            "creator": {"name": "WebInspector", "version": "537.36"},
            "pages": [],
            "entries": [*others, socket],
        }
    }
    return json.dumps(log, indent=indent, ensure_ascii=ensure_ascii)


def frame(data: str, direction: str = "send", opcode: int = 1) -> dict[str, Any]:
    """Return one ``_webSocketMessages`` item as Chrome writes it."""
    return {"type": direction, "time": 1732430000.123456, "opcode": opcode, "data": data}


def har_findings(text: str) -> list[Violation]:
    """Return the findings of linting a HAR's text."""
    recs = read_har(text.encode("utf-8"))
    return list(lint_records(recs, Options(), Statistics(), "t.har"))


# -- HAR: records and their places --------------------------------------------------------


@pytest.mark.parametrize("indent", [2, None], ids=["chrome", "compact"])
@pytest.mark.parametrize("ensure_ascii", [False, True], ids=["raw", "ascii"])
def test_har_records_start_inside_the_data_string(indent: int | None, ensure_ascii: bool) -> None:
    messages = [
        frame(APPEND),
        frame('{"type":"session.created","event_id":"é"}', "receive"),
        frame(BAD),
    ]
    text = har_text(messages, indent=indent, ensure_ascii=ensure_ascii)
    lines = text.split("\n")
    recs = list(read_har(text.encode("utf-8")))
    assert [r.pointer for r in recs] == [f"/log/entries/1/_webSocketMessages/{j}" for j in range(3)]
    for rec, message in zip(recs, messages, strict=True):
        assert rec.problem is None
        line = lines[rec.line - 1]
        assert line[rec.column - 1] == '"'  # the data string's opening quote
        assert line[rec.column - len('"data": "') : rec.column] == '"data": "'
        assert isinstance(rec.data, str)
        assert json.loads(rec.data) == json.loads(message["data"])


def test_har_column_inside_a_message_is_exact() -> None:
    text = har_text([frame(BAD)])
    (finding,) = har_findings(text)
    assert finding.rule == "RT301"
    line = text.split("\n")[finding.line - 1]  # type: ignore[operator]
    assert line[finding.column - 1 :].startswith('-A\\"}')  # type: ignore[operator]


def test_har_fixture_columns_point_at_the_bad_character() -> None:
    text = HAR.read_text(encoding="utf-8")
    found = har_findings(text)
    assert [(v.rule, v.line, v.column) for v in found] == [
        ("RT301", 142, 109),
        ("RT106", 148, 21),
        ("RT501", 154, 83),
        ("RT405", 166, 22),
    ]
    lines = text.split("\n")
    assert lines[141][108] == "_"  # '_' at index 10 of the audio
    assert lines[147][20] == '"'  # the binary frame's data
    assert lines[153][82:91] == '{\\"type\\"'  # the server error's "error" object
    assert lines[165][21:].startswith('{\\"type\\":\\"input_audio_buffer.commit')  # the commit


@pytest.mark.parametrize(
    ("messages", "expected"),
    [
        pytest.param([], [], id="no-messages"),
        pytest.param([frame(GOOD, opcode=2)], [("RT106", 0)], id="binary"),
        pytest.param([frame("", opcode=2)], [("RT106", 0)], id="empty-binary"),
        pytest.param([frame("", "error", -1)], [], id="devtools-error-frame"),
        pytest.param([frame("", "receive", 8), frame("", "send", 9)], [], id="control"),
        pytest.param([frame("")], [("RT101", 0)], id="empty-text"),
        pytest.param([frame("  \n ")], [("RT101", 0)], id="blank-text"),
        pytest.param([frame(APPEND)], [(None, 1)], id="text"),
        pytest.param([frame(APPEND, "receive")], [(None, 1)], id="receive"),
        pytest.param([{"type": "send", "time": 1.0, "data": APPEND}], [(None, 1)], id="no-opcode"),
    ],
)
def test_har_messages(
    messages: list[dict[str, Any]], expected: list[tuple[str | None, int]]
) -> None:
    text = har_text(messages)
    recs = list(read_har(text.encode("utf-8")))
    got = [
        (r.problem.rule if r.problem else None, r.column - c)
        for r, c in zip(recs, [_quote_column(text, r) for r in recs], strict=True)
    ]
    assert got == expected


def _quote_column(text: str, rec: Record) -> int:
    line = text.split("\n")[rec.line - 1]
    return line.rindex('"data": "', 0, rec.column + 1) + len('"data": ')


def test_har_binary_frame_message() -> None:
    (rec,) = read_har(har_text([frame(GOOD, opcode=2)]).encode())
    assert rec.problem == Violation(
        "RT106",
        "websocket message is a binary frame (opcode 2); the Realtime server accepts text "
        "frames only: send each event as JSON text, with the audio base64-encoded in the "
        "'audio' string of an input_audio_buffer.append event",
    )
    assert rec.data == b""


def test_har_message_over_the_record_limit_is_rt105() -> None:
    text = har_text([frame(APPEND), frame(BAD)])
    recs = list(read_har(text.encode(), max_record_bytes=len(BAD)))
    assert recs[0].problem is not None and recs[0].problem.rule == "RT105"
    assert f"record is {len(APPEND):,} bytes" in recs[0].problem.message
    assert recs[1].problem is None


@pytest.mark.parametrize(
    ("text", "rule", "line", "column", "message"),
    [
        pytest.param(
            '{"log": {"entries": [',
            "RT101",
            1,
            21,
            "HAR file is not valid JSON: it ends before the document is complete: was "
            "the export cut short, or the file copied while it was being written?",
            id="truncated",
        ),
        pytest.param(
            '{\n  "log": {\n    "entries": [}\n',
            "RT101",
            3,
            16,
            "HAR file is not valid JSON: Expecting value; export the HAR again",
            id="syntax",
        ),
        pytest.param(
            "[1, 2]", "RT101", 1, 0, "not a HAR file: the file is not a JSON object", id="array"
        ),
        pytest.param(
            '{"version": "1.2"}',
            "RT101",
            1,
            0,
            "not a HAR file: it has no 'log' object",
            id="no-log",
        ),
        pytest.param(
            '{\n "log": {"version": "1.2"}}',
            "RT101",
            2,
            8,
            "not a HAR file: its 'log' has no 'entries' array",
            id="no-entries",
        ),
        pytest.param(
            '{"log": {"entries": {}}}',
            "RT101",
            1,
            20,
            "not a HAR file: its 'log' has no 'entries' array",
            id="entries-object",
        ),
        pytest.param(
            '{"log": {"entries": [{"_webSocketMessages": [7]}]}}',
            "RT101",
            1,
            45,
            "HAR websocket message is not an object",
            id="message-not-object",
        ),
        pytest.param(
            '{"log": {"entries": [{"_webSocketMessages": [{"type": "send"}]}]}}',
            "RT101",
            1,
            45,
            "HAR websocket message has no 'data' string",
            id="message-without-data",
        ),
    ],
)
def test_har_problems(text: str, rule: str, line: int, column: int, message: str) -> None:
    (rec,) = read_har(text.encode())
    assert rec.problem is not None
    assert (rec.problem.rule, rec.line, rec.column) == (rule, line, column)
    assert rec.problem.message.startswith(message)


@pytest.mark.parametrize(
    "text",
    [
        '{"log": {"entries": []}}',
        '{"log": {"version": "1.2", "entries": [{"request": {}, "response": {}}]}}',
        '{"log": {"entries": [{"_webSocketMessages": []}, 3, {"request": {}}]}}',
    ],
    ids=["no-entries", "no-websocket", "odd-entries"],
)
def test_har_without_websocket_messages_yields_nothing(text: str) -> None:
    assert list(read_har(text.encode())) == []


def test_har_not_utf8_is_rt102() -> None:
    (rec,) = read_har(b'{"log": {"entries": [\n"\xff"]}}')
    assert rec.problem is not None and rec.problem.rule == "RT102"
    assert (rec.line, rec.column) == (2, 1)


def test_har_with_bom_and_escaped_keys() -> None:
    text = (
        '{"log": {"entries": [{"_webSocket\\u004dessages": '
        '[{"type": "send", "d\\u0061ta": "{\\"type\\":\\"input_audio_buffer.append\\",'
        '\\"audio\\":\\"AA-A\\"}"}]}]}}'
    )
    (finding,) = har_findings("\ufeff" + text)
    assert finding.rule == "RT301"
    assert text[finding.column - 1 :].startswith("-A\\")  # type: ignore[operator]


def test_har_repeated_data_key_is_rt104_and_each_message_is_checked() -> None:
    text = (
        '{"log": {"entries": [{"_webSocketMessages": [{"data": "{}", "data": '
        '"{\\"type\\":\\"input_audio_buffer.append\\",\\"audio\\":\\"AA-A\\"}"}]}]}}'
    )
    first, repeated, last = har_findings(text)
    assert (first.rule, first.column) == ("RT201", text.index('"{}"') + 2)  # no type
    assert (repeated.rule, repeated.column) == ("RT104", text.index('"data": "{\\') + 1)
    assert repeated.pointer == "/log/entries/0/_webSocketMessages/0/data"
    assert last.rule == "RT301"
    assert text[last.column - 1 :].startswith("-A\\")  # type: ignore[operator]


def test_har_other_data_keys_do_not_confuse_the_scan() -> None:
    sse = {
        "_resourceType": "eventsource",
        "_eventSourceMessages": [
            {"time": 1.0, "eventName": "message", "eventId": "", "data": "not json"}
        ],
    }
    text = har_text([frame(BAD)])
    log = json.loads(text)
    log["log"]["entries"].insert(0, sse)
    log["log"]["entries"].append(sse)
    text = json.dumps(log, indent=2)
    (finding,) = har_findings(text)
    line = text.split("\n")[finding.line - 1]  # type: ignore[operator]
    assert line[finding.column - 1 :].startswith("-A")  # type: ignore[operator]


def test_received_server_events_pass_cleanly_but_errors() -> None:
    session = {
        "type": "realtime",
        "audio": {"input": {"format": {"type": "audio/pcm", "rate": 24000}}},
    }
    server = [
        {"type": "session.created", "event_id": "event_1", "session": session},
        {
            "type": "input_audio_buffer.speech_started",
            "event_id": "event_2",
            "audio_start_ms": 0,
            "item_id": "item_1",
        },
        {
            "type": "input_audio_buffer.committed",
            "event_id": "event_3",
            "previous_item_id": None,
            "item_id": "item_1",
        },
        {
            "type": "error",
            "event_id": "event_4",
            "error": {"type": "invalid_request_error", "code": "invalid_event"},
        },
    ]
    text = har_text([frame(json.dumps(e), "receive") for e in server] + [frame(APPEND)])
    stats = Statistics()
    found = list(lint_records(read_har(text.encode()), Options(), stats, "t.har"))
    assert [(v.rule, v.pointer, v.event_type) for v in found] == [("RT501", "/error", "error")]
    assert stats.records == 5 and stats.server_errors == 1
    assert stats.events_by_type["session.created"] == 1


def test_an_escaped_letter_outside_the_strings_is_padded_after_its_token() -> None:
    # no space may go inside a literal: the escape's extra width follows it
    assert aligned_message('{\\"a\\":\\u0074rue}') == '{ "a" :true     }'
    text = har_text([frame('{"type":"input_audio_buffer.append","audio":"AA-A","x":true}')])
    text = text.replace(',\\"x\\":true}', ',\\"x\\":\\u0074rue}')
    (rec,) = read_har(text.encode())
    assert rec.data == (
        '{ "type" : "input_audio_buffer.append" , "audio" : "AA-A" , "x" :true     }'
    )


@pytest.mark.parametrize(
    ("raw", "aligned"),
    [
        ('{\\"a\\":1}', '{ "a" :1}'),
        ('{\\"a\\": \\"x\\\\ny\\"}', '{ "a" :  "x\\ny"  }'),  # drift made up after the quote
        ("\\n{}\\t", "  {}  "),
        ("[\\u0022a\\u0022]", '[     "a"     ]'),
        ('{\\"e\\":\\"\\ud83d\\ude00\\"}', '{ "e" : "\\ud83d\\ude00" }'),  # as it is
        ("not json", "not json"),
    ],
)
def test_aligned_message_table(raw: str, aligned: str) -> None:
    assert aligned_message(raw) == aligned


_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    value=_JSON,
    indent=st.sampled_from([None, 2, "\t"]),
    ascii_message=st.booleans(),
    ascii_har=st.booleans(),
)
def test_aligned_records_parse_alike_and_values_sit_where_the_file_has_them(
    value: Any, indent: int | str | None, ascii_message: bool, ascii_har: bool
) -> None:
    message = json.dumps(value, indent=indent, ensure_ascii=ascii_message)
    text = har_text([frame(message)], indent=2, ensure_ascii=ascii_har)
    (rec,) = read_har(text.encode("utf-8"))
    assert isinstance(rec.data, str)
    assert json.loads(rec.data) == value
    line = text.split("\n")[rec.line - 1]
    for pointer, item in pointers(value):
        at = value_offset(rec.data, pointer)
        assert at is not None
        # a message string opens at the quote of its '\"'; anything else is the same character
        expected = '"' if isinstance(item, str) else rec.data[at]
        assert line[rec.column + at] == expected, pointer


def test_data_spans_match_the_slow_twin() -> None:
    text = HAR.read_text(encoding="utf-8")
    value = json.loads(text)
    spans = data_spans(text)
    expected = {}
    for i, entry in enumerate(value["log"]["entries"]):
        for j, _ in enumerate(entry.get("_webSocketMessages", [])):
            at = value_offset(text, f"/log/entries/{i}/_webSocketMessages/{j}/data")
            assert at is not None
            expected[(i, j)] = at
    assert {k: span for k, [(_, span)] in spans.items() if span} == {
        k: (at, scan_string(text, at)) for k, at in expected.items()
    }
    for [(_, (start, end))] in spans.values():  # type: ignore[misc]
        assert json.loads(text[start:end]) == json.loads(json.dumps(json.loads(text[start:end])))
        assert text[end - 1] == '"'


def test_har_with_ten_thousand_messages_reads_in_under_a_second() -> None:
    audio = b64(bytes(960))
    messages = [
        frame(
            json.dumps(
                {"type": "input_audio_buffer.append", "event_id": f"evt_{n}", "audio": audio},
                separators=(",", ":"),
            ),
            "send" if n % 2 else "receive",
        )
        for n in range(10_000)
    ]
    data = har_text(messages).encode()
    # CPU time, not wall time: a loaded machine (CI beside other jobs) must not fail it
    started = time.process_time()
    recs = list(read_har(data))
    elapsed = time.process_time() - started
    assert len(recs) == 10_000
    assert recs[-1].pointer == "/log/entries/1/_webSocketMessages/9999"
    assert elapsed < 1.0, f"{elapsed:.2f} s"


def _script(folder: Path, name: str) -> Any:
    sys.path.insert(0, str(folder))
    try:
        return __import__(name)
    finally:
        sys.path.pop(0)


def test_make_har_reproduces_the_fixture() -> None:
    make_har = _script(HAR.parent, "make_har")
    text = json.dumps(make_har.har(), indent=2, ensure_ascii=False)
    assert text == HAR.read_text(encoding="utf-8")


def test_make_inputs_reproduces_the_fixtures() -> None:
    for name, data in _script(INPUTS, "make_inputs").files().items():
        assert (INPUTS / name).read_bytes() == data, name


# -- every input form through the installed command ----------------------------------------

CAPTURE = [("RT301", 3, 141), ("RT402", 4, 48), ("RT203", 6, 707)]
INPUT_FORMS = [
    ("inputs/capture.jsonl", CAPTURE, 6),
    ("inputs/capture.jsonl.gz", CAPTURE, 6),
    ("inputs/capture-gzip.txt", CAPTURE, 6),
    ("inputs/bom.jsonl", CAPTURE, 6),
    ("inputs/no-trailing-newline.jsonl", CAPTURE, 6),
    ("inputs/crlf.jsonl", [("RT301", 5, 141), ("RT402", 7, 48), ("RT203", 11, 707)], 6),
    ("inputs/events.json.gz", [("RT301", 24, 91), ("RT402", 28, 17), ("RT203", 41, 5)], 6),
    (
        "har/session.har",
        [("RT301", 142, 109), ("RT106", 148, 21), ("RT501", 154, 83), ("RT405", 166, 22)],
        12,
    ),
]


@needs_command
@pytest.mark.parametrize(
    ("name", "expected", "records"), INPUT_FORMS, ids=[f[0] for f in INPUT_FORMS]
)
def test_input_forms(name: str, expected: list[tuple[str, int, int]], records: int) -> None:
    path = f"fixtures/{name}"
    code, rows, _ = findings(path)
    assert code == 1
    assert located(rows) == expected
    assert {r["source"] for r in rows} == {path}
    assert statistics(path)["records"] == records


@needs_command
def test_crlf_blank_lines_are_counted_not_reported() -> None:
    stats = statistics("fixtures/inputs/crlf.jsonl")
    assert (stats["records"], stats["blank_lines"]) == (6, 6)


@needs_command
def test_har_fixture_expected_findings() -> None:
    proc = cli("lint", "-q", "--format", "jsonl", "fixtures/har/session.har")
    assert proc.returncode == 1
    expected = (FIXTURES / "har" / "session.expected.jsonl").read_text(encoding="utf-8")
    assert proc.stdout == expected


@needs_command
@pytest.mark.parametrize(
    "name", ["session.har.gz", "session.json", "session.json.gz", "capture.txt", "no-suffix"]
)
def test_har_found_by_suffix_or_content(tmp_path: Path, name: str) -> None:
    data = HAR.read_bytes()
    (tmp_path / name).write_bytes(gzip.compress(data, mtime=0) if name.endswith(".gz") else data)
    code, rows, _ = findings(name, cwd=tmp_path)
    assert code == 1
    assert located(rows) == [
        ("RT301", 142, 109),
        ("RT106", 148, 21),
        ("RT501", 154, 83),
        ("RT405", 166, 22),
    ]


@needs_command
def test_directories_are_walked_for_har_files(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    shutil.copy(HAR, tmp_path / "b.har")
    (tmp_path / "sub" / "a.har.gz").write_bytes(gzip.compress(HAR.read_bytes(), mtime=0))
    shutil.copy(INPUTS / "capture.jsonl", tmp_path / "c.jsonl")
    (tmp_path / "notes.txt").write_text("not a capture\n")
    code, rows, _ = findings(".", cwd=tmp_path)
    assert code == 1
    assert [r["source"] for r in rows if r["rule"] == "RT301"] == [
        "./b.har",
        "./c.jsonl",
        "./sub/a.har.gz",
    ]


@needs_command
def test_har_that_is_not_json_is_a_finding_not_an_unreadable_input(tmp_path: Path) -> None:
    (tmp_path / "cut.har").write_bytes(HAR.read_bytes()[:5000])
    code, rows, err = findings("cut.har", cwd=tmp_path)
    assert code == 1
    assert [r["rule"] for r in rows] == ["RT101"]
    assert "cannot read" not in err


# -- gzip ------------------------------------------------------------------------------------


def test_gzip_forms_give_the_same_records() -> None:
    def read(name: str) -> list[Record]:
        with (INPUTS / name).open("rb") as stream:
            return list(read_records(stream, name, 2**20))

    plain = read("capture.jsonl")
    assert read("capture.jsonl.gz") == plain
    assert read("capture-gzip.txt") == plain


def _truncated_gzip(tmp_path: Path) -> Path:
    data = gzip.compress(("\n".join([APPEND] * 2000) + "\n").encode(), mtime=0)
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(data[: len(data) // 2])
    return path


def _corrupt_gzip(tmp_path: Path) -> Path:
    data = bytearray(gzip.compress(("\n".join([APPEND] * 2000) + "\n").encode(), mtime=0))
    data[10] ^= 0xFF  # the first deflate block header: zlib.error, not a CRC mismatch
    path = tmp_path / "corrupt.jsonl.gz"
    path.write_bytes(bytes(data))
    return path


@needs_command
@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (_truncated_gzip, "Compressed file ended before the end-of-stream marker was reached"),
        (_corrupt_gzip, "corrupt gzip data (Error -3 while decompressing data:"),
    ],
    ids=["truncated", "corrupt"],
)
def test_broken_gzip_is_an_unreadable_input(tmp_path: Path, make: Any, reason: str) -> None:
    broken = make(tmp_path)
    (tmp_path / "bad.jsonl").write_text(BAD + "\n")
    proc = cli("lint", "--format", "jsonl", broken.name, "bad.jsonl", cwd=tmp_path)
    assert proc.returncode == 2
    errors = [line for line in proc.stderr.splitlines() if "error:" in line]
    assert len(errors) == 1
    assert errors[0].startswith(f"realtime-validator: error: cannot read {broken.name}: {reason}")
    assert "Traceback" not in proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert ("bad.jsonl", "RT301") in [(r["source"], r["rule"]) for r in rows]


def test_truncated_gzip_raises_an_oserror_or_eoferror() -> None:
    data = gzip.compress(b"{}\n" * 100_000, mtime=0)
    with pytest.raises((OSError, EOFError)):
        list(read_records(io.BytesIO(data[:200]), "x.jsonl.gz", 2**20))


@pytest.mark.parametrize("name", ["x.json", "x.har", "x.json.gz"])
def test_input_that_cannot_be_json_is_not_read_whole(name: str) -> None:
    data = b"\xef\xbb\xbf \n\x00" + bytes(8 * 2**20) + b"\xff"
    raw = io.BytesIO(gzip.compress(data, mtime=0) if name.endswith(".gz") else data)
    stream = io.BufferedReader(raw, buffer_size=2**20)
    found = list(lint_records(read_records(stream, name, 2**20), Options(), Statistics(), name))
    assert [(v.rule, v.line, v.column) for v in found] == [("RT101", 2, 1)]
    if not name.endswith(".gz"):
        assert raw.tell() <= 2**20  # one buffer's worth, not the 8 MB


@pytest.mark.parametrize(
    ("name", "head", "kind"),
    [
        ("a.jsonl", b'{"log": {"entries": []}}', "lines"),
        ("a.ndjson.gz", b"\x1f\x8b\x08", "gzip"),
        ("a.har", b"[]", "har"),
        ("a.json", b'\xef\xbb\xbf{\n  "log": {\n', "har"),
        ("a.json", b'{"type": "input_audio_buffer.append"}', "document"),
        ("capture", b'{"log":{"version":"1.2"', "har"),
        ("capture", b'{"type":"x"}\n{"type":"y"}\n', "lines"),
        ("capture", b"[\n", "document"),
        ("-", b"{\n", "document"),
    ],
)
def test_input_kind(name: str, head: bytes, kind: str) -> None:
    assert input_kind(name, head) == kind


def test_reading_leaves_the_callers_stream_open() -> None:
    stream = io.BytesIO((APPEND + "\n").encode())
    assert len(list(read_records(stream, "<stream>", 2**20))) == 1
    import gc

    gc.collect()  # a wrapper that owned the stream would close it when collected
    assert not stream.closed


# -- wrapped records -------------------------------------------------------------------------

EVENT = '{"type":"input_audio_buffer.append","audio":"AA-A"}'


@pytest.mark.parametrize(
    ("record", "pointer", "expected"),
    [
        pytest.param(
            Record(3, 0, ('{"ts": 1, "event": ' + EVENT + "}\n").encode()),
            "/event",
            Record(3, 19, EVENT.encode(), "/event", time=1.0),
            id="bytes-stay-bytes",
        ),
        pytest.param(
            Record(3, 0, '{"ts": "é", "event": ' + EVENT + "}\n"),
            "/event",
            Record(3, 21, EVENT, "/event"),
            id="str",
        ),
        pytest.param(
            Record(3, 0, ('{"ts": "é", "event": ' + EVENT + "}").encode()),
            "/event",
            Record(3, 21, EVENT, "/event"),
            id="non-ascii-bytes-become-str",
        ),
        pytest.param(
            Record(1, 0, ("\ufeff" + '{"event": ' + EVENT + "}").encode()),
            "/event",
            Record(1, 10, EVENT, "/event"),
            id="bom",
        ),
        pytest.param(
            Record(4, 2, '{"event":\n  ' + EVENT + "}", "/3"),
            "/event",
            Record(5, 2, EVENT, "/3/event"),
            id="document-element-multiline",
        ),
        pytest.param(
            Record(2, 0, b'{"e": {"a/b": [0, ' + EVENT.encode() + b"]}}"),
            "/e/a~1b/1",
            Record(2, 18, EVENT.encode(), "/e/a~1b/1"),
            id="escaped-pointer",
        ),
        pytest.param(
            Record(2, 0, b'{"event": {}, "event": ' + EVENT.encode() + b"}"),
            "/event",
            Record(2, 23, EVENT.encode(), "/event"),
            id="last-key-wins",
        ),
        pytest.param(
            Record(2, 0, b'{"event": "text"}'),
            "/event",
            Record(2, 10, b'"text"', "/event"),
            id="not-an-object-goes-on",
        ),
        pytest.param(
            Record(2, 0, b"not json\n"), "/event", Record(2, 0, b"not json\n"), id="not-json-passes"
        ),
        pytest.param(
            Record(2, 0, b"\xff\n"), "/event", Record(2, 0, b"\xff\n"), id="not-utf8-passes"
        ),
        pytest.param(Record(2, 0, b"\r\n"), "/event", Record(2, 0, b"\r\n"), id="blank-passes"),
        pytest.param(
            Record(2, 0, b"", problem=Violation("RT105", "big")),
            "/event",
            Record(2, 0, b"", problem=Violation("RT105", "big")),
            id="problem-passes",
        ),
        pytest.param(
            Record(2, 0, b'  {"event": 1}'),
            "",
            Record(2, 2, b'{"event": 1}', ""),
            id="empty-pointer",
        ),
    ],
)
def test_unwrap(record: Record, pointer: str, expected: Record) -> None:
    assert list(unwrap([record], pointer)) == [expected]


@pytest.mark.parametrize(
    ("wrapper", "time"),
    [
        ('{"time": 1765000000.123456, "event": {}}', 1765000000.123456),  # the proxy's
        ('{"ts": 1732430000.25, "event": {}}', 1732430000.25),
        ('{"timestamp": 1732430000250, "event": {}}', 1732430000.25),  # milliseconds
        ('{"timestamp": "2024-11-24T06:33:20.25Z", "event": {}}', 1732430000.25),
        ('{"timestamp": "2024-11-24T06:33:20.25", "event": {}}', 1732430000.25),  # UTC
        ('{"time": null, "ts": 2, "event": {}}', 2.0),
        ('{"time": true, "event": {}}', None),
        ('{"time": "yesterday", "event": {}}', None),
        ('{"time": 1e400, "event": {}}', None),
        ('{"event": {}}', None),
    ],
)
def test_unwrap_keeps_the_capture_time(wrapper: str, time: float | None) -> None:
    (record,) = unwrap([Record(1, 0, wrapper.encode())], "/event")
    assert record.time == (None if time is None else pytest.approx(time))


MISSING = (
    "record has no value at {p}; with --event-pointer {p} every record must hold its "
    "event there (check the pointer, or lint without --event-pointer if the records are "
    "bare events)"
)


@pytest.mark.parametrize(
    ("data", "pointer", "column"),
    [
        ('{"ts": 1, "evt": {}}', "/event", 0),
        ('  {"ts": 1}', "/event", 2),
        ("[1, 2]", "/event", 0),
        ('{"events": [1]}', "/events/1", 0),
        ('{"events": [1, 2]}', "/events/01", 0),
        ('{"events": [1]}', "/events/-", 0),
        ('{"events": [1]}', "/events/\u00b2", 0),
        ('{"event": 5}', "/event/type", 0),
        ("42", "/event", 0),
    ],
)
def test_unwrap_without_the_value_is_rt201(data: str, pointer: str, column: int) -> None:
    (rec,) = unwrap([Record(7, 0, data.encode())], pointer)
    assert rec.problem == Violation("RT201", MISSING.format(p=pointer))
    assert (rec.line, rec.column, rec.data, rec.problem.pointer) == (7, column, b"", "")


@settings(max_examples=300, deadline=None)
@given(value=_JSON, indent=st.sampled_from([None, 1, "\t"]), data=st.data())
def test_value_span_matches_the_slow_twin(
    value: Any, indent: int | str | None, data: st.DataObject
) -> None:
    text = json.dumps(value, indent=indent, ensure_ascii=data.draw(st.booleans()))
    pointer, _ = data.draw(st.sampled_from(pointers(value)))
    tokens = [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]]
    start = value_offset(text, pointer)
    assert start is not None
    assert value_span(text, tokens) == (start, scan_value(text, start))
    assert skip_value(text, start) == scan_value(text, start)


def test_unwrap_rejects_a_pointer_without_a_slash() -> None:
    with pytest.raises(ValueError, match="must start with '/'"):
        unwrap([], "event")


WRAPPED = INPUTS / "wrapped.jsonl"
WRAPPED_FINDINGS = [
    ("RT201", 4, 1, None),
    ("RT301", 3, 200, "evt_2"),
    ("RT402", 5, 105, "evt_1"),
    ("RT203", 7, 767, "evt_3"),
]


def _stand_in(path: Path) -> tuple[list[Violation], Statistics]:
    """What ``lint --event-pointer /event`` does: read, unwrap, lint."""
    stats = Statistics()
    with path.open("rb") as stream:
        found = list(
            lint_records(
                unwrap(read_records(stream, path.name, 2**20), "/event"),
                Options(),
                stats,
                "wrapped.jsonl",
            )
        )
    return found, stats


def test_wrapped_records_through_the_linter() -> None:
    found, stats = _stand_in(WRAPPED)
    assert sorted((v.rule, v.line, v.column, v.event_id) for v in found) == sorted(WRAPPED_FINDINGS)
    assert stats.records == 7
    assert stats.events_by_type["input_audio_buffer.committed"] == 1
    # the same events, bare: the same rules on the same events
    bare, _ = _stand_in_bare(INPUTS / "capture.jsonl")
    assert sorted((v.rule, v.event_id) for v in bare) == sorted(
        (rule, eid) for rule, _, _, eid in WRAPPED_FINDINGS if rule != "RT201"
    )
    lines = WRAPPED.read_text().split("\n")
    for v in found:
        if v.rule == "RT301":
            assert lines[v.line - 1][v.column - 1] == "_"  # type: ignore[operator]


def _stand_in_bare(path: Path) -> tuple[list[Violation], Statistics]:
    stats = Statistics()
    with path.open("rb") as stream:
        found = list(
            lint_records(read_records(stream, path.name, 2**20), Options(), stats, path.name)
        )
    return found, stats


@needs_command
def test_event_pointer_option_matches_the_stand_in() -> None:
    proc = cli(
        "lint", "--format", "jsonl", "--event-pointer", "/event", "fixtures/inputs/wrapped.jsonl"
    )
    if "No such option" in proc.stderr:
        pytest.skip("--event-pointer is not wired into the command yet")
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert sorted((r["rule"], r["line"], r["column"], r["event_id"]) for r in rows) == sorted(
        WRAPPED_FINDINGS
    )
    assert proc.returncode == 1


# -- JSONL: record limit, truncation, BOM, line endings ------------------------------------


@needs_command
@pytest.mark.parametrize("ending", ["\n", "\r\n", ""], ids=["lf", "crlf", "eof"])
@pytest.mark.parametrize(
    ("delta", "too_large"),
    [(0, False), (-1, True), (1, False)],
    ids=["at-limit", "one-past", "under"],
)
def test_record_limit(tmp_path: Path, ending: str, delta: int, too_large: bool) -> None:
    size = len(APPEND.encode())
    if ending:  # the big record first: the reader goes on with the next
        text, big, bad = f"{APPEND}{ending}{BAD}{ending}", 1, 2
    else:  # the big record last, with no newline after it
        text, big, bad = f"{BAD}\n{APPEND}", 2, 1
    (tmp_path / "limit.jsonl").write_bytes(text.encode())
    limit = size + delta
    code, rows, _ = findings("--max-record-bytes", str(limit), "limit.jsonl", cwd=tmp_path)
    expected = [("RT301", bad, 48)]
    if too_large:
        expected.append(("RT105", big, 1))
    assert sorted(located(rows), key=lambda f: f[1]) == sorted(expected, key=lambda f: f[1])
    if too_large:
        (message,) = [r["message"] for r in rows if r["rule"] == "RT105"]
        assert message == (
            f"record is {size:,} bytes, over the record limit of {limit:,} bytes; it was "
            "skipped unread (split the audio into smaller appends, or raise --max-record-bytes)"
        )
    assert code == 1


@pytest.mark.parametrize("ending", [b"\n", b"\r\n", b""], ids=["lf", "crlf", "eof"])
@pytest.mark.parametrize("size", [100, 101, 102, 103, 2**20 + 5, 3 * 2**20 + 1])
def test_rt105_size_counts_the_record_without_its_line_ending(ending: bytes, size: int) -> None:
    limit = 100
    data = b"x" * size + ending + b"{}" + ending if ending else b"x" * size
    recs = list(read_records(io.BytesIO(data), "x.jsonl", limit))
    first = recs[0]
    if size <= limit:
        assert first.problem is None and first.data == b"x" * size + ending
    else:
        assert first.problem is not None
        assert first.problem.message.startswith(f"record is {size:,} bytes,")
    assert [r.line for r in recs] == ([1, 2] if ending else [1])


@needs_command
def test_truncated_last_record_is_rt101(tmp_path: Path) -> None:
    (tmp_path / "cut.jsonl").write_text(APPEND + "\n" + APPEND[:80])
    code, rows, _ = findings("cut.jsonl", cwd=tmp_path)
    assert code == 1
    assert located(rows) == [("RT101", 2, 64)]  # the string left open
    assert "ends before the value is complete" in rows[0]["message"]


@needs_command
@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(b"\xef\xbb\xbf" + APPEND.encode() + b"\n", [], id="bom"),
        pytest.param(b"\xef\xbb\xbf" + BAD.encode() + b"\n", [("RT301", 1, 48)], id="bom-bad"),
        pytest.param(
            (APPEND + "\r\n\r\n" + BAD + "\r\n").encode(), [("RT301", 3, 48)], id="crlf-blank"
        ),
        pytest.param(("\n\n" + BAD).encode(), [("RT301", 3, 48)], id="no-trailing-newline"),
        pytest.param(b"", [], id="empty"),
    ],
)
def test_line_forms(tmp_path: Path, data: bytes, expected: list[tuple[str, int, int]]) -> None:
    (tmp_path / "in.jsonl").write_bytes(data)
    code, rows, _ = findings("in.jsonl", cwd=tmp_path)
    assert located(rows) == expected
    assert code == (1 if expected else 2 if not data else 0)  # nothing to lint: exit 2


def test_sine_audio_in_the_har_is_real_pcm16() -> None:
    log = json.loads(HAR.read_text(encoding="utf-8"))
    first = json.loads(log["log"]["entries"][1]["_webSocketMessages"][3]["data"])
    audio = base64.b64decode(first["audio"], validate=True)
    assert len(audio) == 1920  # 40 ms at 24 kHz, 2 bytes a sample
