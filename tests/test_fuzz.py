"""Bounded fuzzing in CI: hostile input never crashes the linter, and nothing read is lost.

Every input goes through ``validate_event`` (bytes, and as text with lone surrogates),
``lint`` on a nameless stream (the reader chosen by content), ``lint`` on a ``.jsonl`` path
with its accounting checked against an independent count of the lines, both roads of the
linter (fast and slow must agree), and the command line (``CliRunner``, ``--format json``).

Inputs: random bytes; random JSON values and events; mutations (bit flips, truncation,
splices of two records, insertions of hostile tokens, deletions, joined lines) of valid events,
the fixture events and windows of the fixture logs; nesting 100,000 deep; numbers such as
``1e999999``, ``-0`` and a 5,001-digit integer; NUL bytes, invalid UTF-8, lone surrogates;
HAR files and JSON documents mutated alike; and appends of 15 MiB and 15 MiB +/- 1 byte of
audio (built once, in a child process: see below).

The budget: ``EXAMPLES`` examples for each hypothesis test (600; a third of it for the HAR);
the file runs in about 25 s. ``REALTIME_VALIDATOR_FUZZ_EXAMPLES`` raises it, and
``fuzz/fuzz_lint.py`` (atheris) fuzzes for as long as you like, outside CI.
"""

from __future__ import annotations

import base64
import functools
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import COMMAND, FIXTURES, assert_roads_agree, b64
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import validator
from validator import lint
from validator.check.audio import MAX_AUDIO_BYTES
from validator.cli.app import cli
from validator.core.record import DEFAULT_MAX_RECORD_BYTES
from validator.core.rules import RULES

EXAMPLES = int(os.environ.get("REALTIME_VALIDATOR_FUZZ_EXAMPLES", "600"))
"""Examples per hypothesis test (600 in CI: the file runs in about 25 s); the variable raises it."""

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
GZIP_MAGIC = b"\x1f\x8b"
BOM = b"\xef\xbb\xbf"
APPEND = '"type":"input_audio_buffer.append"'

# -- seeds and hostile pieces -----------------------------------------------------------------

LOG_LINES = [
    line
    for path in sorted((FIXTURES / "logs").glob("*.jsonl"))
    if ".expected." not in path.name
    for line in path.read_bytes().splitlines(keepends=True)
] + [
    line
    for path in sorted((FIXTURES / "inputs").glob("*.jsonl"))
    for line in path.read_bytes().splitlines(keepends=True)
]
EVENT_FILES = sorted((FIXTURES / "events").rglob("*.json"))
VALID_EVENTS = [
    f'{{{APPEND},"event_id":"evt_1","audio":"{b64(bytes(960))}"}}\n'.encode(),
    f'{{"event_id":"evt_2",{APPEND},"audio":"{b64(bytes(range(256)) * 2)}"}}\r\n'.encode(),
    f'{{"type": "input_audio_buffer.append", "audio": "{b64(bytes(48))}"}}\n'.encode(),
    b'{"type":"input_audio_buffer.commit","event_id":"evt_3"}\n',
    b'{"type":"session.update","session":{"turn_detection":null,"input_audio_format":"g711_ulaw"}}\n',
    b'{"type":"input_audio_buffer.committed","event_id":"evt_s1","item_id":"i"}\n',
]
SEEDS = LOG_LINES + VALID_EVENTS + [p.read_bytes() for p in EVENT_FILES]
TOKENS = [
    b"\x00",
    b"\xff",
    b"\xc3",
    b"\xe2\x82",
    b"\xed\xa0\x80",  # a surrogate, encoded as UTF-8: not UTF-8
    b"\xf4\x90\x80\x80",  # past U+10FFFF
    b"\\ud800",
    b"\\udc00",
    b"\\ud834\\udd1e",
    b"\\u0000",
    b"\\",
    b'"',
    b"1e999999",
    b"-1e999999",
    b"-0",
    b"-0.0e-0",
    b"1" + b"0" * 5000,
    b"NaN",
    b"-Infinity",
    b"{",
    b"}",
    b"[",
    b"]",
    b",",
    b":",
    b"\n",
    b"\r",
    b"\r\n",
    BOM,
    b" ",
    b"\t",
    b"\x0b\x0c",
    b"=",
    b"-_",
    b"data:audio/pcm;base64,",
    b'"type"',
    b'"audio"',
    b'"event_id"',
    b'"aud\\u0069o"',
    b'"input_audio_buffer.append"',
    b'"input_audio_buffer.commit"',
    b'"session.update"',
    b"null",
    b"true",
    b"RIFF",
]
N = 100_000
DEEP = [
    b"[" * N,
    b"[" * N + b"]" * N,
    b'{"a":' * N,
    b'{"a":' * N + b"1" + b"}" * N,
    b'{"type":"session.update","session":' + b"[" * N + b"]" * N + b"}",
    b'{"type":"input_audio_buffer.append","audio":"AAAA","x":'
    + b'{"a":' * N
    + b"0"
    + b"}" * N
    + b"}",
]

HAR = (FIXTURES / "har" / "session.har").read_bytes()
DOCUMENTS = [p.read_bytes() for p in EVENT_FILES]


# -- what must hold for every input -----------------------------------------------------------


def check_event(data: bytes) -> None:
    """validate_event never raises, on the bytes and on text holding lone surrogates."""
    for event in (data, data.decode("utf-8", "surrogateescape")):
        found = validator.validate_event(event)
        assert all(v.rule in RULES for v in found)
        assert validator.is_valid(event) == (not any(v.severity.value == "error" for v in found))


def check_stream(data: bytes) -> None:
    """lint() on a nameless stream (JSONL, document or HAR, by content) never raises."""
    result = lint(io.BytesIO(data))
    try:
        found = list(result)
    except (OSError, EOFError):
        assert data.startswith(GZIP_MAGIC)  # a corrupt gzip stream is unreadable, not a crash
        return
    stats = result.statistics
    assert stats.findings == len(found)
    assert stats.records_with_findings <= stats.records
    assert all(v.rule in RULES and v.line is not None and v.line >= 1 for v in found)


def expected_lines(data: bytes, limit: int) -> tuple[int, set[int], int]:
    """Count independently: lines, the numbers of the lines that are records, blank lines."""
    lines = data.split(b"\n")
    ended = data.endswith(b"\n")
    if ended or not data:
        lines.pop()  # the empty piece after the last newline
    records: set[int] = set()
    blanks = 0
    for number, line in enumerate(lines, 1):
        has_newline = number < len(lines) or ended
        size = len(line) - (1 if has_newline and line.endswith(b"\r") else 0)
        if size > limit:
            records.add(number)  # RT105: a record, skipped unread
            continue
        body = line[len(BOM) :] if number == 1 and line.startswith(BOM) else line
        if body.strip():
            records.add(number)
        else:
            blanks += 1
    return len(lines), records, blanks


def check_jsonl(data: bytes, path: Path, limit: int = DEFAULT_MAX_RECORD_BYTES) -> None:
    """Through a .jsonl path and the command line: no exception, and every line accounted for."""
    if data.startswith(GZIP_MAGIC):
        return  # decompressed first: its lines are not these (check_stream covers it)
    path.write_bytes(data)
    result = lint(str(path), max_record_bytes=limit)
    found = list(result)
    stats = result.statistics
    lines, record_lines, blanks = expected_lines(data, limit)
    with_findings = {v.line for v in found}
    assert with_findings <= record_lines, "a finding on a line that is not a record"
    passed = len(record_lines - with_findings)
    assert stats.records + stats.blank_lines == lines
    assert stats.blank_lines == blanks
    assert stats.records == passed + stats.records_with_findings
    assert stats.records_with_findings == len(with_findings)
    assert stats.findings == len(found)

    assert_roads_agree(data, limit)

    invoked = CliRunner().invoke(
        cli,
        ["lint", "--isolated", "--format", "json", "--max-record-bytes", str(limit), str(path)],
    )
    assert invoked.exception is None or isinstance(invoked.exception, SystemExit), invoked.exception
    assert "Traceback" not in invoked.output
    errors = any(v.severity.value == "error" for v in found)
    # nothing at all to lint is said, and exits 2 (no input passes unread)
    assert invoked.exit_code == (2 if not stats.records else 1 if errors else 0), invoked.stderr
    report = json.loads(invoked.stdout)
    assert len(report["findings"]) == len(found)
    for key in ("records", "blank_lines", "records_with_findings", "findings", "bytes"):
        assert report["statistics"][key] == getattr(stats, key)


def check_all(data: bytes, path: Path, limit: int = DEFAULT_MAX_RECORD_BYTES) -> None:
    check_event(data)
    check_stream(data)
    check_jsonl(data, path, limit)


def check_file(data: bytes, path: Path) -> None:
    """A document or HAR by its suffix: lint() and the command line end cleanly."""
    path.write_bytes(data)
    result = lint(str(path))
    try:
        found = list(result)
    except (OSError, EOFError):
        assert data.startswith(GZIP_MAGIC)
        return
    stats = result.statistics
    assert stats.findings == len(found)
    assert stats.records_with_findings <= stats.records
    invoked = CliRunner().invoke(cli, ["lint", "--isolated", "--format", "jsonl", str(path)])
    assert invoked.exception is None or isinstance(invoked.exception, SystemExit), invoked.exception
    assert "Traceback" not in invoked.output
    assert invoked.exit_code == 2 if not stats.records else invoked.exit_code in (0, 1), (
        invoked.stderr
    )
    assert len(invoked.stdout.splitlines()) == len(found)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory for the files the examples write (a function-scoped tmp_path would not do)."""
    return tmp_path_factory.mktemp("fuzz")


@pytest.fixture(scope="module")
def target(workdir: Path) -> Path:
    """One .jsonl file, rewritten for each example."""
    return workdir / "input.jsonl"


# -- strategies -------------------------------------------------------------------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12),
    lambda kids: (
        st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=8), kids, max_size=4)
    ),
    max_leaves=12,
)
audio_values = st.one_of(
    st.binary(max_size=64).map(b64),
    st.binary(min_size=1, max_size=64).map(lambda b: b64(b).replace("+", "-").rstrip("=")),
    st.sampled_from(
        ["", "AAA", "YR==", "AA==AA==", "AAAA\nAAAA", "data:,AAAA", "UklGRgAAAABXQVZF"]
    ),
    json_values,
)
events = st.fixed_dictionaries(
    {},
    optional={
        "type": st.sampled_from(
            [
                "input_audio_buffer.append",
                "session.input_audio_buffer.append",
                "input_audio_buffer.commit",
                "input_audio_buffer.clear",
                "input_audio_buffer.committed",
                "session.update",
                "session.created",
                "input_audio_buffer.apend",
            ]
        )
        | json_values,
        "event_id": st.sampled_from(["evt_1", "evt_2", "e" * 513]) | json_values,
        "audio": audio_values,
        "session": st.fixed_dictionaries(
            {},
            optional={
                "turn_detection": st.none() | json_values,
                "input_audio_format": st.sampled_from(["pcm16", "g711_alaw", "mp3"]) | json_values,
                "audio": json_values,
            },
        ),
        "x": json_values,
    },
)


@st.composite
def json_lines(draw: st.DrawFn) -> bytes:
    """A few JSON texts (events, mostly) one per line, with CRLF or blank lines at times."""
    values = draw(st.lists(st.one_of(events, events, json_values), max_size=6))
    out = []
    for value in values:
        text = json.dumps(value, ensure_ascii=draw(st.booleans()))
        out.append(text.encode("utf-8") + draw(st.sampled_from([b"\n", b"\r\n", b"\n\n", b""])))
    return b"".join(out)


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """A seed (a window of fixture lines, or an event) with a few mutations."""
    if draw(st.booleans()):
        start = draw(st.integers(0, len(LOG_LINES) - 1))
        data = bytearray(b"".join(LOG_LINES[start : start + draw(st.integers(1, 4))]))
    else:
        data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["flip", "truncate", "splice", "insert", "delete", "join"]))
        at = draw(st.integers(0, len(data)))
        if op == "flip" and data:
            at = min(at, len(data) - 1)
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif op == "truncate":
            del data[at:]
        elif op == "splice":
            other = draw(st.sampled_from(SEEDS))
            data[at:] = other[draw(st.integers(0, len(other))) :]
        elif op == "insert":
            data[at:at] = draw(st.sampled_from(TOKENS))
        elif op == "delete":
            del data[at : at + draw(st.integers(1, 16))]
        elif op == "join":
            data = data.replace(b"\n", b"", 1)
    return bytes(data)


@st.composite
def mutated_from(draw: st.DrawFn, seeds: list[bytes], tokens: list[bytes]) -> bytes:
    """One of ``seeds`` with a few flips, insertions, deletions or a truncation."""
    data = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(1, 3))):
        op = draw(st.sampled_from(["flip", "insert", "insert", "delete", "truncate"]))
        at = draw(st.integers(0, len(data)))
        if op == "flip" and data:
            data[min(at, len(data) - 1)] ^= 1 << draw(st.integers(0, 7))
        elif op == "insert":
            data[at:at] = draw(st.sampled_from(tokens))
        elif op == "delete":
            del data[at : at + draw(st.integers(1, 16))]
        else:
            del data[at:]
    return bytes(data)


# -- the fuzz tests -----------------------------------------------------------------------------


@FUZZ
@given(st.binary(max_size=4096))
def test_random_bytes(target: Path, data: bytes) -> None:
    check_all(data, target)


@FUZZ
@given(json_lines())
def test_random_json(target: Path, data: bytes) -> None:
    check_all(data, target)


@FUZZ
@given(mutated())
def test_mutated_events_and_logs(target: Path, data: bytes) -> None:
    check_all(data, target)


@FUZZ
@given(mutated(), st.integers(1, 300))
def test_mutated_with_a_small_record_limit(target: Path, data: bytes, limit: int) -> None:
    """Lines over the limit are RT105 records, counted and skipped unread."""
    check_jsonl(data, target, limit)


@FUZZ
@given(st.lists(st.sampled_from([*TOKENS, b'{"a":', b"AAAA", b"0"]), max_size=30))
def test_token_soup(target: Path, pieces: list[bytes]) -> None:
    check_all(b"".join(pieces), target)


@settings(FUZZ, max_examples=max(1, EXAMPLES // 3))
@given(mutated_from([HAR], TOKENS))
def test_mutated_har(workdir: Path, data: bytes) -> None:
    check_stream(data)
    check_file(data, workdir / "capture.har")


@FUZZ
@given(mutated_from(DOCUMENTS, TOKENS))
def test_mutated_documents(workdir: Path, data: bytes) -> None:
    check_stream(data)
    check_file(data, workdir / "events.json")


def test_har_with_a_long_integer_is_read(workdir: Path) -> None:
    """int() refuses over 4,300 digits with a bare ValueError; a HAR reader must not let it out."""
    data = b'{"log": {"version": ' + b"1" * 5000 + b', "entries": []}}'
    check_file(data, workdir / "capture.har")


def test_wrapped_record_with_a_long_integer(tmp_path: Path) -> None:
    path = tmp_path / "wrapped.jsonl"
    event = '{"type":"input_audio_buffer.append","audio":"AAAA"}'
    path.write_text('{"ts": ' + "1" * 5000 + ', "event": ' + event + "}\n")
    assert [v.rule for v in lint(str(path), event_pointer="/event")] == ["RT306"]


# -- the hostile cases, each once --------------------------------------------------------------


@pytest.mark.parametrize("data", DEEP, ids=lambda d: repr(d[:12]) + f"..{len(d)}")
def test_deep_nesting(target: Path, data: bytes) -> None:
    check_all(data, target)
    check_all(data + b"\n" + VALID_EVENTS[0], target)
    rules = {v.rule for v in validator.validate_event(data)}
    assert rules & {"RT101"}


@pytest.mark.parametrize("data", DEEP[:4], ids=lambda d: repr(d[:12]))
def test_deep_nesting_as_a_document(tmp_path: Path, data: bytes) -> None:
    doc = tmp_path / "deep.json"
    doc.write_bytes(b"[" + data + b"]")
    assert {v.rule for v in lint(str(doc))} == {"RT101"}
    har = tmp_path / "deep.har"
    har.write_bytes(b'{"log": {"entries": [' + data + b"]}}")
    assert {v.rule for v in lint(str(har))} == {"RT101"}


@pytest.mark.parametrize(
    "number",
    [b"1e999999", b"-1e999999", b"-0", b"-0.0", b"1" + b"0" * 5000, b"-" + b"9" * 100_000],
)
def test_extreme_numbers(target: Path, number: bytes) -> None:
    for data in (
        b'{"type":"input_audio_buffer.append","audio":' + number + b"}",
        b'{"type":"input_audio_buffer.append","audio":"AAAA","event_id":' + number + b"}",
        b'{"type":"session.update","session":{"turn_detection":' + number + b"}}",
        b"[" + number + b"]",
        number,
    ):
        check_all(data + b"\n", target)
        assert not {v.rule for v in validator.validate_event(data)} & {"RT101", "RT102"}


@pytest.mark.parametrize(
    "data",
    [
        b"\x00",
        b'{"type":"input_audio_buffer.append","audio":"AA\x00A"}',
        b'{"type":"input_audio_buffer.append","audio":"AAAA"}\x00',
        b'{"type":"input_audio_buffer.append","audio":"AA\\u0000A"}',
        b'{"type":"input_audio_buffer.append","audio":"AAAA","event_id":"\xff"}',
        b'{"type":"input_audio_buffer.append","audio":"AAAA","event_id":"\xed\xa0\x80"}',
        b'{"type":"input_audio_buffer.append","audio":"AAAA","event_id":"\\ud800"}',
        b'{"type":"input_audio_buffer.append","audio":"AAAA","\\udc00":1}',
        b"\xef\xbb\xbf\xef\xbb\xbf{}",
        b"\xff\xfe{\x00}\x00",  # UTF-16
        GZIP_MAGIC + b"\x08\x00garbage",
        GZIP_MAGIC,
    ],
)
def test_nul_invalid_utf8_and_surrogates(target: Path, data: bytes) -> None:
    check_all(data, target)
    check_all(data + b"\n" + VALID_EVENTS[0], target)


def test_installed_command_on_the_hostile_cases(tmp_path: Path) -> None:
    """One real process over a directory of every hostile case: findings, never a traceback."""
    cases = [*DEEP, *TOKENS, GZIP_MAGIC + b"\x08\x00garbage"]
    for i, data in enumerate(cases):
        (tmp_path / f"case{i:03}.jsonl").write_bytes(data + b"\n" + VALID_EVENTS[0])
        (tmp_path / f"case{i:03}.json").write_bytes(b"[" + data + b"]")
    proc = subprocess.run(
        [*COMMAND, "lint", "--isolated", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Traceback" not in proc.stderr
    assert proc.returncode == 2  # the gzip garbage cannot be read; everything else is linted
    errors = [line for line in proc.stderr.splitlines() if "error:" in line]
    assert len(errors) == 1 and "case" in errors[0]
    assert f"in {2 * len(cases):,} files" in proc.stderr.splitlines()[-1]


def test_every_fixture_file_survives_truncation_at_every_tenth(target: Path) -> None:
    for path in sorted(FIXTURES.rglob("*.json*")):
        data = path.read_bytes()
        for k in range(1, 10):
            check_stream(data[: len(data) * k // 10])


# -- 15 MiB of audio, and one byte either side --------------------------------------------------
# Building and checking these peaks at about 260 MB. A child's ru_maxrss starts from its
# parent's peak, so tests/test_memory.py would measure this process's peak, not its own child's:
# the cases run in a child pytest (test_big_inputs_in_a_child_process) and exist only there.

BIG_CHILD = "REALTIME_VALIDATOR_BIG_INPUTS"
IN_CHILD = os.environ.get(BIG_CHILD) == "child"
BIG_CASES = 9


def test_big_inputs_in_a_child_process() -> None:
    """Run the 15 MiB cases below in a child process; they must all pass there."""
    if IN_CHILD:
        pytest.skip("this is the child")
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", __file__, "-k", "big_"],
        env={**os.environ, BIG_CHILD: "child"},
        capture_output=True,
        text=True,
        cwd=Path(__file__).parent.parent,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert f"{BIG_CASES} passed, 1 skipped" in proc.stdout, proc.stdout[-2000:]


if IN_CHILD:

    @functools.cache
    def big_append(delta: int) -> bytes:
        """An append line of MAX_AUDIO_BYTES + ``delta`` bytes of audio, built once per session."""
        samples = b"\x10\x00" * (MAX_AUDIO_BYTES // 2)
        raw = samples + b"\x00" * delta if delta >= 0 else samples[:delta]
        audio = base64.b64encode(raw)
        return (
            b'{"type":"input_audio_buffer.append","event_id":"evt_big","audio":"' + audio + b'"}\n'
        )

    # the samples are a constant 16: below any VAD's hearing (RT605) when they are measured;
    # an odd size (RT306: not samples) is not, and an append over the limit is rejected whole
    BIG_RULES = {-1: ["RT306"], 0: ["RT605"], 1: ["RT304", "RT306"]}

    @pytest.mark.parametrize("delta", [-1, 0, 1])
    def test_big_fifteen_mebibytes_and_one_byte_either_side(target: Path, delta: int) -> None:
        line = big_append(delta)
        expected = BIG_RULES[delta]
        assert [v.rule for v in validator.validate_event(line)] == [
            code for code in expected if code != "RT605"
        ]  # one event: no session to judge its sound
        check_all(line, target)
        assert [v.rule for v in lint(str(target))] == expected
        assert_roads_agree(line + VALID_EVENTS[0])

    def _big_mutations() -> Iterable[tuple[str, bytes, list[str]]]:
        line = big_append(0)
        middle = len(line) // 2
        yield "truncated", line[:middle], ["RT101"]
        yield "bad character", line[:middle] + b"-" + line[middle + 1 :], ["RT301"]
        yield "spliced", line[:middle] + big_append(1)[middle + 7 :], ["RT302"]
        yield "nul", line[:middle] + b"\x00" + line[middle + 1 :], ["RT101"]
        yield "invalid utf-8", line[:middle] + b"\xff" + line[middle + 1 :], ["RT102"]

    @pytest.mark.parametrize(
        "name", ["truncated", "bad character", "spliced", "nul", "invalid utf-8"]
    )
    def test_big_fifteen_mebibytes_mutated(target: Path, name: str) -> None:
        (data, expected) = next((d, e) for n, d, e in _big_mutations() if n == name)
        assert [v.rule for v in validator.validate_event(data)] == expected
        check_jsonl(data, target)
        assert [v.rule for v in lint(str(target))] == expected

    def test_big_fifteen_mebibytes_over_a_record_limit(target: Path) -> None:
        line = big_append(0)
        check_jsonl(line + VALID_EVENTS[0], target, len(line) - 2)
        assert [(v.rule, v.line) for v in lint(str(target), max_record_bytes=len(line) - 2)] == [
            ("RT105", 1)
        ]
