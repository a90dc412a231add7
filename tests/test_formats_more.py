"""The full, grouped and gitlab formats, SARIF statistics, statistics lines, and what every
reporter says about --statistics: through the reporters, in-process and the installed command."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tracemalloc
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from validator.cli.app import cli
from validator.core.statistics import Statistics
from validator.core.violation import Violation
from validator.report import REPORTER_BY_NAME, Reporter
from validator.report import excerpt as excerpt_module
from validator.report.base import statistics_lines
from validator.report.common import content_digest
from validator.report.excerpt import SourceLines, excerpt, stop_for
from validator.report.full import FullReporter
from validator.report.gitlab import GitlabReporter
from validator.report.grouped import GroupedReporter
from validator.report.sarif import FINGERPRINT_KEY, SarifReporter

DATA = Path(__file__).resolve().parent / "data"
GITLAB_SCHEMA = DATA / "gitlab-codequality-schema.json"
SARIF_SCHEMA = DATA / "sarif" / "sarif-schema-2.1.0.json"
SPEC_FORMATS = ("text", "full", "grouped", "json", "jsonl", "sarif", "github", "gitlab", "junit")

# -- the messages of the findings below, as the text format writes them ------------------------

URL_SAFE = (
    "this looks like URL-safe base64 ('-' and '_'): use the standard alphabet "
    "(base64.b64encode, not urlsafe_b64encode), or replace '-' with '+' and '_' with '/'"
)
RT301_AT_15000 = f"RT301 audio is not valid base64: '-' at index 15000; {URL_SAFE}"
RT301_AT_2 = f"RT301 audio is not valid base64: '-' at index 2; {URL_SAFE}"
# ruff's mark of what --fix fixes: an input read again (a file, not standard input) shows it
MARKED_15000 = RT301_AT_15000.replace(" ", " [*] ", 1)
MARKED_2 = RT301_AT_2.replace(" ", " [*] ", 1)
RT306 = (
    "RT306 pcm16 audio is 3 bytes, an odd number: a sample was split between chunks and the "
    "rest play as noise; cut chunks at a multiple of 2 bytes"
)
RT402 = (
    "RT402 event_id 'e1' was used by an earlier event in this session (line 1); server errors "
    "name events by id: generate a fresh id for each event"
)
RT203 = (
    "RT203 unknown property 'x': the server answers unknown_parameter (\"Unknown parameter: "
    "'x'.\"); input_audio_buffer.append takes only 'type', 'audio' and 'event_id': remove it"
)
RT305 = "RT305 audio is empty: the append adds nothing to the input buffer; skip empty chunks"

# -- a capture: a short line first, a 30 kB append with a bad character in the middle, a
# 30 kB line with two findings (one near each end), and last a line with a tab and no newline

START = '{"type": "input_audio_buffer.append", "event_id": "e1", "audio": "AAAA"}'
MIDDLE = '{"type": "input_audio_buffer.append", "audio": "%s"}' % ("A" * 15000 + "-" + "B" * 14999)
TWICE = '{"type": "input_audio_buffer.append", "event_id": "e1", "audio": "%s", "x": 1}' % (
    "A" * 30000
)
TABBED = '{"type":\t"input_audio_buffer.append", "audio": "AA-A"}'
CAPTURE = "\n".join([START, MIDDLE, TWICE, TABBED])  # no newline at the end

FULL_EXPECTED = "".join(
    line + "\n"
    for line in [
        f"audio.jsonl:1:66: {RT306}",
        START,
        " " * 65 + "^",
        f"audio.jsonl:2:15049: {MARKED_15000}",
        "…" + "A" * 40 + "-" + "B" * 57 + "…",
        " " * 41 + "^",
        f"audio.jsonl:3:51: {RT402}",
        '…input_audio_buffer.append", "event_id": "e1", "audio": "' + "A" * 42 + "…",
        " " * 41 + "^",
        f"audio.jsonl:3:30070: {RT203}",
        "…" + "A" * 89 + '", "x": 1}',
        " " * 93 + "^",
        f"audio.jsonl:4:51: {MARKED_2}",
        '{"type":    "input_audio_buffer.append", "audio": "AA-A"}',  # the tab: 4 spaces
        " " * 53 + "^",
    ]
)
TEXT_EXPECTED = (
    f"audio.jsonl:1:66: {RT306}\n"
    f"audio.jsonl:2:15049: {RT301_AT_15000}\n"
    f"audio.jsonl:3:51: {RT402}\n"
    f"audio.jsonl:3:30070: {RT203}\n"
    f"audio.jsonl:4:51: {RT301_AT_2}\n"
)


def command() -> str:
    """Return the installed ``realtime-validator`` script, or skip."""
    beside = Path(sys.executable).parent / "realtime-validator"
    found = str(beside) if beside.is_file() else shutil.which("realtime-validator")
    if found is None:
        pytest.skip("realtime-validator is not installed")
    return found


def installed(*args: str, cwd: Path, input: str | None = None) -> tuple[int, str]:
    """Run ``realtime-validator lint --quiet ARGS`` as a process; return its code and stdout."""
    proc = subprocess.run(
        [command(), "lint", "--quiet", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=cwd,
        input=input,
        timeout=120,
        check=False,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.returncode, proc.stdout


def in_process(*args: str, input: str | None = None) -> tuple[int, str]:
    """Run ``realtime-validator lint --quiet ARGS`` through click; return code and stdout."""
    result = CliRunner().invoke(cli, ["lint", "--quiet", *args], input=input)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout


RUNNERS = ("installed", "in-process")


def lint(how: str, project: Path, *args: str, input: str | None = None) -> tuple[int, str]:
    """Run the command the way ``how`` names, in ``project``."""
    if how == "installed":
        return installed(*args, cwd=project, input=input)
    return in_process(*args, input=input)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory holding ``audio.jsonl`` (CAPTURE) and its gzip."""
    (tmp_path / "audio.jsonl").write_text(CAPTURE, encoding="utf-8")
    (tmp_path / "audio.jsonl.gz").write_bytes(gzip.compress(CAPTURE.encode("utf-8")))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def report(
    reporter_class: type[Reporter],
    violations: list[Violation],
    statistics: Statistics | None = None,
    *,
    show_statistics: bool = False,
) -> str:
    """Return what a reporter writes for ``violations``."""
    out = io.StringIO()
    reporter = reporter_class(out, show_statistics=show_statistics)
    reporter.start()
    for v in violations:
        reporter.report(v)
    reporter.finish(statistics or Statistics())
    return out.getvalue()


# -- the registry and --statistics ------------------------------------------------------------


def test_every_format_of_the_spec_is_registered() -> None:
    # the command line's --format choices are the registry's names
    assert sorted(REPORTER_BY_NAME) == sorted(SPEC_FORMATS)


@pytest.mark.parametrize(
    ("name", "in_output"),
    [
        ("text", True),
        ("full", True),
        ("grouped", True),
        ("json", True),
        ("sarif", True),
        ("jsonl", False),
        ("github", False),
        ("junit", False),
        ("gitlab", False),
    ],
)
def test_statistics_in_output(name: str, in_output: bool) -> None:
    cls = REPORTER_BY_NAME[name]
    assert "statistics_in_output" in vars(cls), f"{cls.__name__} does not say it itself"
    assert cls.statistics_in_output is in_output


@pytest.mark.parametrize("name", ["github", "gitlab"])
def test_formats_without_statistics_write_none(name: str) -> None:
    stats = Statistics(append_events=3, shortest_chunk_ms=20.0, longest_chunk_ms=20.0)
    stats.findings_by_rule.update({"RT301": 2})
    with_them = report(REPORTER_BY_NAME[name], [], stats, show_statistics=True)
    assert with_them == report(REPORTER_BY_NAME[name], [], stats)
    assert "RT301 [error]" not in with_them


@pytest.mark.parametrize(
    ("name", "modules"),
    [
        ("text", ["base", "text"]),
        ("full", ["base", "excerpt", "full", "text"]),
        ("grouped", ["base", "grouped", "text"]),
        ("github", ["base", "common", "github"]),
        ("gitlab", ["base", "common", "gitlab"]),
    ],
)
def test_a_format_imports_only_its_own_modules(name: str, modules: list[str]) -> None:
    # start-up time counts: a text run pays for no SARIF, XML or hashing machinery
    code = (
        f"import sys, validator.report as r; r.REPORTER_BY_NAME[{name!r}]; "
        "print(sorted(m for m in sys.modules if m.startswith('validator.report.')))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert proc.stdout.strip() == str([f"validator.report.{m}" for m in modules])


# -- statistics lines ---------------------------------------------------------------------------


def test_statistics_lines_one_of_each() -> None:
    stats = Statistics(
        append_events=1,
        shortest_chunk_ms=20.0,
        longest_chunk_ms=20.0,
        largest_append_bytes=1,
        server_errors=1,
    )
    stats.findings_by_rule.update({"RT305": 1})
    stats.audio_seconds_by_format["pcm16"] = 0.02
    stats.by_file = {
        "a.jsonl": Statistics(records=1, findings_by_rule=Counter({"RT305": 1})),
        "b.jsonl": Statistics(records=0),
    }
    assert statistics_lines(stats) == [
        "       1 RT305 [warning] audio-empty\n",
        "       20 ms of pcm16 audio\n",
        "       1 append of 20-20 ms, the largest 1 byte\n",
        "       1 server error, 0 of them on a line where a rule had found something\n",
        "       1 record, 1 finding, 0 ms of audio: a.jsonl\n",
        "       0 records, 0 findings, 0 ms of audio: b.jsonl\n",
    ]


def test_statistics_lines_thousands() -> None:
    stats = Statistics(
        append_events=36800,
        shortest_chunk_ms=20.0,
        longest_chunk_ms=1500.0,
        largest_append_bytes=72000,
        server_errors=1200,
        server_errors_predicted=1100,
    )
    stats.findings_by_rule.update({"RT301": 12345, "RT402": 2})
    stats.audio_seconds_by_format["pcm16"] = 3608.3
    stats.by_file = {
        "a.jsonl": Statistics(
            records=40000,
            findings_by_rule=Counter({"RT301": 12345}),
            audio_seconds_by_format={"pcm16": 3608.3},
        ),
        "b.jsonl": Statistics(records=1, findings_by_rule=Counter({"RT402": 2})),
    }
    assert statistics_lines(stats) == [
        "  12,345 RT301 [error] base64-invalid-character\n",
        "       2 RT402 [warning] duplicate-event-id\n",
        "   3,608.3 s of pcm16 audio\n",
        "  36,800 appends of 20-1,500 ms, the largest 72,000 bytes\n",
        "   1,200 server errors, 1,100 of them on a line where a rule had found something\n",
        "  40,000 records, 12,345 findings, 3,608.3 s of audio: a.jsonl\n",
        "       1 record, 2 findings, 0 ms of audio: b.jsonl\n",
    ]


# -- full -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("how", RUNNERS)
def test_full(project: Path, how: str) -> None:
    assert lint(how, project, "--format", "full", "audio.jsonl") == (1, FULL_EXPECTED)


@pytest.mark.parametrize("how", RUNNERS)
def test_full_gzip(project: Path, how: str) -> None:
    expected = FULL_EXPECTED.replace("audio.jsonl:", "audio.jsonl.gz:")
    assert lint(how, project, "--format", "full", "audio.jsonl.gz") == (1, expected)


@pytest.mark.parametrize("how", RUNNERS)
def test_full_stdin_is_the_text_format(project: Path, how: str) -> None:
    code, out = lint(how, project, "--format", "full", "-", input=CAPTURE)
    assert (code, out) == (1, TEXT_EXPECTED.replace("audio.jsonl:", "<stdin>:"))


def test_full_two_files_and_statistics(project: Path) -> None:
    (project / "empty.jsonl").write_text('{"type": "input_audio_buffer.append", "audio": ""}\n')
    code, out = installed(
        "--format", "full", "--statistics", "empty.jsonl", "audio.jsonl", cwd=project
    )
    line = '{"type": "input_audio_buffer.append", "audio": ""}'
    assert (code, out) == (
        1,
        f"empty.jsonl:1:48: {RT305}\n{line}\n"
        + " " * 47
        + "^\n"
        + FULL_EXPECTED
        + "       1 RT203 [error] unknown-property\n"
        "       2 RT301 [error] base64-invalid-character\n"
        "       1 RT305 [warning] audio-empty\n"
        "       1 RT306 [warning] audio-partial-sample\n"
        "       1 RT402 [warning] duplicate-event-id\n"
        # the appends with RT301 and RT203 are rejected: apart from the audio accepted
        "      0.1 ms of pcm16 audio\n"
        "      938 ms of audio in appends the server rejects\n"
        "       5 appends of 0-469 ms, the largest 22,500 bytes\n"
        "       1 record, 1 finding, 0 ms of audio: empty.jsonl\n"
        "       4 records, 5 findings, 0.1 ms of audio (and 938 ms rejected): audio.jsonl\n",
    )


def test_full_har_lines_are_the_file_lines(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(root)
    code, out = in_process("--format", "full", "--select", "RT106", "fixtures/har/session.har")
    assert code == 1
    assert out.splitlines()[1:] == [
        '            "data": "uB2iHiQfPB/qHi8eDh2KG6kZcRfpFBoSDg/PC2cI4wRPAbb9Jfqo9krzGPAb7V/q'
        "7OfL5QLkmeKT4f…",
        " " * 20 + "^",
    ]


def write(path: Path, data: bytes) -> str:
    """Write ``data`` to ``path``; return the path as a source name."""
    path.write_bytes(data)
    return str(path)


def full(violations: list[Violation]) -> list[str]:
    """Return the lines the full reporter writes, the findings' own lines left out."""
    own = {f"{v.location()}: {v.rule} {v.message}" for v in violations}
    return [line for line in report(FullReporter, violations).splitlines() if line not in own]


def test_full_bom_and_crlf(tmp_path: Path) -> None:
    name = write(tmp_path / "crlf.jsonl", b'\xef\xbb\xbf{"a": 1}\r\n{"b": 2}\r\n')
    assert full(
        [Violation("RT203", "m", "", name, 1, 2), Violation("RT203", "m", "", name, 2, 8)]
    ) == ['{"a": 1}', " ^", '{"b": 2}', "       ^"]


def test_full_control_and_wide_characters(tmp_path: Path) -> None:
    name = write(tmp_path / "a.jsonl", '{"a": "日本\x1b[31m\u202e", "b": 1}\n'.encode())
    assert full([Violation("RT203", "m", "", name, 1, 19)]) == [
        '{"a": "日本␛[31m\ufffd", "b": 1}',
        " " * 20 + "^",
    ]


def test_full_undecodable_bytes(tmp_path: Path) -> None:
    name = write(tmp_path / "a.jsonl", b'{"a": "\xff\xfe", "b": 1}\n')
    assert full([Violation("RT102", "m", "", name, 1, 12)]) == [
        '{"a": "\ufffd\ufffd", "b": 1}',
        " " * 11 + "^",
    ]


@pytest.mark.parametrize(
    ("source", "line"),
    [
        ("<stdin>", 1),
        ("-", 1),
        ("{tmp}/gone.jsonl", 1),
        ("{tmp}/short.jsonl", 3),  # the file is now shorter than the finding's line
        ("{tmp}/short.jsonl", 0),
        ("{tmp}", 1),  # a directory
        ("s3://bucket/capture.jsonl", 1),
    ],
)
def test_full_without_a_line_to_show(tmp_path: Path, source: str, line: int) -> None:
    (tmp_path / "short.jsonl").write_text('{"a": 1}\n')
    v = Violation("RT203", "m", "", source.format(tmp=tmp_path), line, 1)
    assert report(FullReporter, [v]) == f"{v.location()}: RT203 m\n"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_full_does_not_open_a_fifo_again(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    v = Violation("RT203", "m", "", str(fifo), 1, 1)
    assert report(FullReporter, [v]) == f"{v.location()}: RT203 m\n"  # would block if opened


def test_full_without_column_shows_the_line_without_caret(tmp_path: Path) -> None:
    name = write(tmp_path / "a.jsonl", b'{"a": 1}\n')
    assert full([Violation("RT105", "m", "", name, 1)]) == ['{"a": 1}']


def test_full_out_of_order_and_other_files(tmp_path: Path) -> None:
    a = write(tmp_path / "a.jsonl", b"one\ntwo\nthree\n")
    b = write(tmp_path / "b.jsonl.gz", gzip.compress(gzip.compress(b"uno\ndos\n")))
    violations = [
        Violation("RT101", "m", "", a, 3, 1),
        Violation("RT101", "m", "", a, 1, 2),
        Violation("RT101", "m", "", b, 2, 3),
        Violation("RT101", "m", "", a, 2, 3),
        Violation("RT101", "m", "", a, 2, 4),  # one past the end: the caret after the line
        Violation("RT101", "m", "", a, 2, 90),  # the file changed: at the end as well
    ]
    assert full(violations) == [
        "three",
        "^",
        "one",
        " ^",
        "dos",
        "  ^",
        "two",
        "  ^",
        "two",
        "   ^",
        "two",
        "   ^",
    ]


def test_full_reads_a_file_once_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lines = [f'{{"n": {i}, "pad": "{"x" * (i % 50)}"}}' for i in range(5000)]
    data = "\n".join(lines).encode() + b"\n"
    name = write(tmp_path / "many.jsonl", data)
    opened: list[Any] = []
    read = [0]

    class Counting(io.FileIO):
        def readinto(self, buffer: Any) -> int | None:
            n = super().readinto(buffer)
            read[0] += n or 0
            return n

    def counting_open(path: str, mode: str = "r") -> Any:
        opened.append(path)
        return io.BufferedReader(Counting(path, mode.replace("b", "")))

    monkeypatch.setattr(excerpt_module, "open", counting_open, raising=False)
    violations = [Violation("RT101", "m", "", name, n, 2) for n in range(1, 5001, 7)]
    shown = full(violations)
    assert shown[::2] == [lines[n - 1] for n in range(1, 5001, 7)]
    assert opened == [name]
    assert read[0] == len(data)


def test_full_does_not_hold_a_long_line(tmp_path: Path) -> None:
    size = 24 << 20
    name = write(tmp_path / "big.jsonl", b'{"a": "' + b"x" * size + b'"}\n{"b": 1}\n')
    lines = SourceLines()
    tracemalloc.start()
    try:
        first = lines.line(name, 1, stop_for(6))
        second = lines.line(name, 2, stop_for(1))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        lines.close()
    assert first == ('{"a": "' + "x" * (stop_for(6) - 7), True)
    assert second == ('{"b": 1}', False)
    assert peak < 4 << 20, f"peak {peak:,} bytes for a {size:,}-byte line"


def slow_line(data: bytes, number: int, stop: int) -> tuple[str, bool] | None:
    """The obvious twin of ``SourceLines.line``: the whole input split at newlines."""
    lines = data.split(b"\n")
    if lines[-1] == b"":
        lines.pop()  # after the last newline there is no line
    if not 1 <= number <= len(lines):
        return None
    raw = lines[number - 1]
    if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    text = raw.decode("utf-8", "replace").removesuffix("\r")
    return text[:stop], len(text) > stop


LINE_BYTES = st.sampled_from(
    [
        b"a",
        b"{",
        b" ",
        b"\t",
        b"\r",
        b"\xc3\xa9",
        b"\xe6\x97\xa5",
        b"\xf0\x9f\x8e\xa4",
        b"\xff",
        b"\xe6",
    ]
)


@settings(max_examples=150, deadline=None)
@given(
    lines=st.lists(st.lists(LINE_BYTES, max_size=40).map(b"".join), min_size=0, max_size=30),
    bom=st.booleans(),
    end=st.sampled_from([b"", b"\n", b"\r\n"]),
    block=st.sampled_from([1, 2, 3, 5, 64, 1 << 20]),
    asks=st.lists(st.tuples(st.integers(0, 33), st.integers(0, 30)), min_size=1, max_size=12),
    gz=st.booleans(),
)
def test_source_lines_match_their_slow_twin(
    tmp_path_factory: pytest.TempPathFactory,
    lines: list[bytes],
    bom: bool,
    end: bytes,
    block: int,
    asks: list[tuple[int, int]],
    gz: bool,
) -> None:
    data = (b"\xef\xbb\xbf" if bom else b"") + b"\n".join(lines) + (end if lines else b"")
    path = tmp_path_factory.mktemp("lines") / "capture.jsonl"
    path.write_bytes(gzip.compress(data) if gz else data)
    reader = SourceLines()
    saved = excerpt_module.BLOCK
    excerpt_module.BLOCK = block  # small blocks: lines and characters cut between reads
    try:
        for number, stop in sorted(asks) + asks:  # in order, then in any order
            assert reader.line(str(path), number, stop) == slow_line(data, number, stop)
    finally:
        excerpt_module.BLOCK = saved
        reader.close()


def test_source_lines_skip_far_ahead(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = b"".join(b"line %d\n" % n for n in range(1, 20001))
    name = write(tmp_path / "long.jsonl", data)
    monkeypatch.setattr(excerpt_module, "BLOCK", 4096)
    reader = SourceLines()
    for number in (1, 2, 3, 70, 5000, 5000, 19999, 20000, 20001, 4):
        assert reader.line(name, number, 20) == slow_line(data, number, 20)
    reader.close()


@pytest.mark.parametrize(
    ("text", "index", "shown", "caret"),
    [
        ("abc", 0, "abc", "^"),
        ("abc", 3, "abc", "   ^"),
        ("abc", 7, "abc", "   ^"),  # past the end: after the last character
        ("x" * 100, 99, "x" * 100, " " * 99 + "^"),  # 100 characters: whole
        ("0123456789" * 11, 5, "0123456789" * 9 + "012345678…", "     ^"),
        ("0123456789" * 11, 109, "…" + ("0123456789" * 11)[11:], " " * 99 + "^"),
        ("0123456789" * 30, 150, "…" + ("0123456789" * 30)[110:208] + "…", " " * 41 + "^"),
        ("\tx", 1, "    x", "    ^"),
        ("a\tb\tc", 4, "a   b   c", "        ^"),
        ("\x00\x7f\x85", 2, "␀␡\ufffd", "  ^"),
        ("\uff58\uff59z", 2, "\uff58\uff59z", "    ^"),  # two wide characters
        ("e\u0301z", 2, "e\u0301z", " ^"),
    ],
)
def test_excerpt(text: str, index: int, shown: str, caret: str) -> None:
    more = False
    if len(text) > stop_for(index):
        text, more = text[: stop_for(index)], True
    assert excerpt(text, more, index) == (shown, caret)


def test_excerpt_knows_only_the_start_of_a_long_line() -> None:
    text = "y" * stop_for(20000)
    assert excerpt(text, True, 20000) == ("…" + "y" * 98 + "…", " " * 41 + "^")


# -- grouped --------------------------------------------------------------------------------------

GROUPED_EXPECTED = (
    "audio.jsonl:\n"
    f"  1:66     {RT306.replace(' ', '  ', 1)}\n"
    f"  2:15049  {MARKED_15000.replace(' ', '  ', 1)}\n"
    f"  3:51     {RT402.replace(' ', '  ', 1)}\n"
    f"  3:30070  {RT203.replace(' ', '  ', 1)}\n"
    f"  4:51     {MARKED_2.replace(' ', '  ', 1)}\n"
    "\n"
    "empty.jsonl:\n"
    f"  1:48  {RT305.replace(' ', '  ', 1)}\n"
)


@pytest.mark.parametrize("how", RUNNERS)
def test_grouped(project: Path, how: str) -> None:
    (project / "empty.jsonl").write_text('{"type": "input_audio_buffer.append", "audio": ""}\n')
    assert lint(how, project, "--format", "grouped", "audio.jsonl", "empty.jsonl") == (
        1,
        GROUPED_EXPECTED,
    )


def test_grouped_statistics_and_findings_without_place() -> None:
    stats = Statistics()
    stats.findings_by_rule.update({"RT305": 2})
    violations = [
        Violation("RT305", "empty", "/audio"),
        Violation("RT305", "empty", "/audio", "a.jsonl", 12),
    ]
    assert report(GroupedReporter, violations, stats, show_statistics=True) == (
        "<event>:\n"
        "    RT305  empty\n"
        "\n"
        "a.jsonl:\n"
        "  12  RT305  empty\n"
        "\n"
        "       2 RT305 [warning] audio-empty\n"
    )
    assert report(GroupedReporter, [], stats) == ""


# -- gitlab ---------------------------------------------------------------------------------------


def assert_valid_gitlab(report_text: str) -> list[dict[str, Any]]:
    """Check a report against GitLab's schema and documented fields; return its issues."""
    import jsonschema

    schema = json.loads(GITLAB_SCHEMA.read_text(encoding="utf-8"))
    issues = json.loads(report_text)
    assert isinstance(issues, list)
    validator = jsonschema.validators.validator_for(schema)(schema)
    for issue in issues:
        errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(issue)]
        assert not errors, errors
        assert re.fullmatch(r"RT\d{3} [a-z0-9-]+", issue["check_name"])
        assert issue["severity"] in ("info", "minor", "major", "critical", "blocker")
        assert isinstance(issue["location"]["lines"]["begin"], int)
        assert not issue["location"]["path"].startswith("/")
        assert re.fullmatch("[0-9a-f]{64}", issue["fingerprint"])
    fingerprints = [issue["fingerprint"] for issue in issues]
    assert len(set(fingerprints)) == len(fingerprints), "GitLab keeps one issue per fingerprint"
    return issues  # type: ignore[no-any-return]


def test_gitlab_schema_rejects_what_gitlab_rejects() -> None:
    import jsonschema

    schema = json.loads(GITLAB_SCHEMA.read_text(encoding="utf-8"))
    assert not jsonschema.validators.validator_for(schema)(schema).is_valid(
        {"description": "x", "severity": "major", "location": {"path": "a"}}  # no fingerprint
    )


def test_gitlab_issue_exact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    v = Violation("RT301", "bad '-'", "/audio", str(tmp_path / "logs/a.jsonl"), 3, 40, "evt_1")
    w = Violation("RT305", "audio is empty", "/audio", "logs/a.jsonl", 4, 9)
    out = report(GitlabReporter, [v, w])
    assert_valid_gitlab(out)
    # pinned: a new fingerprint makes GitLab report every old issue as fixed and a new one;
    # it is SHA-256 of (SHA-256 of rule, path, pointer, event id, message) and the occurrence
    inner = hashlib.sha256(b"RT301\0logs/a.jsonl\0/audio\0evt_1\0bad '-'").hexdigest()
    first = hashlib.sha256(f"{inner}:1".encode()).hexdigest()
    assert first == "45e94bd624806bca48440c3cd8f193582dce585993140970e6f543a9561882f2"
    second = "da4c07898163ce69b5081ebd7eb211bc6585fd4ceee46318a7e64ecdf68478d3"
    assert out == (
        "[\n"
        "  {\n"
        '    "description": "bad \'-\'",\n'
        '    "check_name": "RT301 base64-invalid-character",\n'
        f'    "fingerprint": "{first}",\n'
        '    "severity": "major",\n'
        '    "location": {\n'
        '      "path": "logs/a.jsonl",\n'
        '      "lines": {\n'
        '        "begin": 3\n'
        "      }\n"
        "    }\n"
        "  },\n"
        "  {\n"
        '    "description": "audio is empty",\n'
        '    "check_name": "RT305 audio-empty",\n'
        f'    "fingerprint": "{second}",\n'
        '    "severity": "minor",\n'
        '    "location": {\n'
        '      "path": "logs/a.jsonl",\n'
        '      "lines": {\n'
        '        "begin": 4\n'
        "      }\n"
        "    }\n"
        "  }\n"
        "]\n"
    )
    assert report(GitlabReporter, []) == "[]\n"


def test_gitlab_without_source_or_line() -> None:
    (issue,) = assert_valid_gitlab(report(GitlabReporter, [Violation("RT305", "e", "/audio")]))
    assert issue["location"] == {"path": "<event>", "lines": {"begin": 1}}


@pytest.mark.parametrize("how", RUNNERS)
def test_gitlab_fingerprints(project: Path, how: str) -> None:
    code, out = lint(how, project, "--format", "gitlab", "audio.jsonl")
    assert code == 1
    issues = assert_valid_gitlab(out)
    assert [(i["check_name"], i["location"]["lines"]["begin"], i["severity"]) for i in issues] == [
        ("RT306 audio-partial-sample", 1, "minor"),
        ("RT301 base64-invalid-character", 2, "major"),
        ("RT402 duplicate-event-id", 3, "minor"),
        ("RT203 unknown-property", 3, "major"),
        ("RT301 base64-invalid-character", 4, "major"),
    ]
    assert [i["description"] for i in issues] == [
        m.split(" ", 1)[1] for m in (RT306, RT301_AT_15000, RT402, RT203, RT301_AT_2)
    ]
    assert {i["location"]["path"] for i in issues} == {"audio.jsonl"}
    # the same run twice: the same fingerprints
    assert lint(how, project, "--format", "gitlab", "audio.jsonl") == (code, out)
    # a blank line above every finding: the lines move, the fingerprints stay, the RT402's
    # "(line 1)" that became "(line 2)" included
    (project / "audio.jsonl").write_text("\n" + CAPTURE, encoding="utf-8")
    moved = assert_valid_gitlab(lint(how, project, "--format", "gitlab", "audio.jsonl")[1])
    assert [i["fingerprint"] for i in moved] == [i["fingerprint"] for i in issues]
    assert [i["location"]["lines"]["begin"] for i in moved] == [2, 3, 4, 4, 5]
    assert "(line 2)" in moved[2]["description"]


@pytest.mark.parametrize("how", RUNNERS)
def test_gitlab_identical_findings_differ(project: Path, how: str) -> None:
    empty = '{"type": "input_audio_buffer.append", "audio": ""}\n'
    (project / "a.jsonl").write_text(empty * 3)
    (project / "b.jsonl").write_text(empty)
    issues = assert_valid_gitlab(lint(how, project, "--format", "gitlab", "a.jsonl", "b.jsonl")[1])
    assert len(issues) == 4
    assert len({i["description"] for i in issues}) == 1
    # with one of the three gone, the two left keep the first two fingerprints
    (project / "a.jsonl").write_text(empty * 2)
    fewer = assert_valid_gitlab(lint(how, project, "--format", "gitlab", "a.jsonl", "b.jsonl")[1])
    assert [i["fingerprint"] for i in fewer] == [issues[n]["fingerprint"] for n in (0, 1, 3)]


def test_fingerprint_masks_line_numbers_only() -> None:
    v = Violation("RT402", "event_id 'e1' was used (line 1,234); use a fresh id", "/event_id")
    same = Violation("RT402", "event_id 'e1' was used (line 7); use a fresh id", "/event_id")
    other = Violation("RT402", "event_id 'e2' was used (line 7); use a fresh id", "/event_id")
    assert content_digest(v, "a.jsonl") == content_digest(same, "a.jsonl")
    assert content_digest(v, "a.jsonl") != content_digest(other, "a.jsonl")
    assert content_digest(v, "a.jsonl") != content_digest(v, "b.jsonl")


# -- sarif ----------------------------------------------------------------------------------------


def assert_valid_sarif(document: dict[str, Any]) -> None:
    """Validate against the OASIS schema that tests/test_reporters_ci.py uses."""
    import jsonschema

    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]


def test_sarif_statistics_in_the_run_properties() -> None:
    stats = Statistics(files=2, records=40000, append_events=36800, unreadable=["gone.jsonl"])
    stats.findings_by_rule.update({"RT301": 3})
    stats.audio_seconds_by_format["pcm16"] = 3608.3
    v = Violation("RT301", "bad", "/audio", "a.jsonl", 1, 2)
    document = json.loads(report(SarifReporter, [v], stats, show_statistics=True))
    assert_valid_sarif(document)
    (run,) = document["runs"]
    assert run["properties"] == {"statistics": json.loads(json.dumps(stats.to_dict()))}
    assert "properties" not in run["invocations"][0]
    without = json.loads(report(SarifReporter, [v], stats))
    assert_valid_sarif(without)
    assert "properties" not in without["runs"][0]


@pytest.mark.parametrize("how", RUNNERS)
def test_sarif_statistics_through_the_command(project: Path, how: str) -> None:
    code, out = lint(how, project, "--format", "sarif", "--statistics", "audio.jsonl")
    assert code == 1
    document = json.loads(out)
    assert_valid_sarif(document)
    statistics = document["runs"][0]["properties"]["statistics"]
    assert statistics["findings_by_rule"] == {"RT203": 1, "RT301": 2, "RT306": 1, "RT402": 1}
    assert (statistics["records"], statistics["append_events"]) == (4, 4)


@pytest.mark.parametrize("how", RUNNERS)
def test_sarif_fingerprints_survive_a_line_number_in_the_message(project: Path, how: str) -> None:
    def fingerprints() -> list[str]:
        document = json.loads(lint(how, project, "--format", "sarif", "audio.jsonl")[1])
        return [r["partialFingerprints"][FINGERPRINT_KEY] for r in document["runs"][0]["results"]]

    before = fingerprints()
    (project / "audio.jsonl").write_text("\n\n" + CAPTURE, encoding="utf-8")
    assert fingerprints() == before
