"""A file named as no capture that plainly is none (a README, a script, an image handed to the
pre-commit hook or named on the command line) is one finding, "RT101 not a capture", at 1:1:
not an RT101 "fix the syntax" on each of its lines. A capture with broken lines keeps its
finding per line: a capture's suffix, one line of the first eight that starts JSON, or an
unnamed stream (standard input) is read as records.
"""

from __future__ import annotations

import gzip
import json
import subprocess
from pathlib import Path

import pytest
from conftest import COMMAND, b64
from hypothesis import given, settings
from hypothesis import strategies as st

import validator
from validator.core.statistics import Statistics
from validator.engine.linting import lint_stream
from validator.engine.options import Options
from validator.sources.detect import InputKind, input_kind
from validator.sources.sniff import NOT_A_CAPTURE_HINT

APPEND = json.dumps({"type": "input_audio_buffer.append", "audio": b64(bytes(960))})
MARKDOWN = b"# Captures\n\nThe fixtures the tests replay.\n\n- session.jsonl\n- browser.har\n"
PYTHON = b'"""Make the fixtures."""\n\nimport json\n\n\ndef main() -> None:\n    print(1)\n'
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10" + bytes(range(256))


def findings(path: Path) -> tuple[list[tuple[str, int | None, int | None, str]], Statistics]:
    """Return what ``lint_stream`` finds in ``path`` (rule, line, column, message), and its
    statistics."""
    stats = Statistics()
    with path.open("rb") as stream:
        found = list(lint_stream(stream, str(path), Options(), stats))
    return [(v.rule, v.line, v.column, v.message) for v in found], stats


def text(what: str, lines: int, first: str) -> str:
    """Return the reason given for a text file that is no capture."""
    counted = "its first line is not" if lines == 1 else f"none of its first {lines} lines is"
    return f"{what}, and {counted} JSON (it starts {first!r})"


NOT_CAPTURES = [
    ("README.md", MARKDOWN, text("Markdown text", 4, "# Captures")),
    ("make.py", PYTHON, text("Python source", 4, '"""Make the fixtures."""')),
    ("notes.txt", b"hello\n", text("plain text", 1, "hello")),
    ("Makefile", b"all:\n\tpytest\n", text("text", 2, "all:")),
    ("logo.png", PNG, "this is a PNG image"),
    ("photo.jpeg", b"\xff\xd8\xff\xe0\x00\x10JFIF" + bytes(64), "this is a JPEG image"),
    ("manual.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "this is a PDF document"),
    ("blob.bin", b"\x01\x02\x00\x03abc\n", "binary data (a NUL byte at byte offset 2)"),
    (
        "latin1.txt",
        "caf\xe9 cr\xe8me\n".encode("latin-1"),
        "binary data, or text that is not UTF-8 (byte 0xE9 at byte offset 3)",
    ),
    ("notes.md.gz", gzip.compress(MARKDOWN, mtime=0), text("Markdown text", 4, "# Captures")),
]


@pytest.mark.parametrize(("name", "data", "why"), NOT_CAPTURES, ids=[n for n, _, _ in NOT_CAPTURES])
def test_a_file_that_is_no_capture_is_one_finding(
    tmp_path: Path, name: str, data: bytes, why: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    found, stats = findings(path)
    assert found == [("RT101", 1, 1, f"not a capture: {why}; {NOT_A_CAPTURE_HINT}")]
    plain = gzip.decompress(data) if name.endswith(".gz") else data
    assert (stats.records, stats.bytes) == (1, len(plain))
    assert [v.rule for v in validator.lint(path)] == ["RT101"]  # the library's road too


def test_through_the_command_one_line_each_and_nothing_written(tmp_path: Path) -> None:
    for name, data, _ in NOT_CAPTURES:
        (tmp_path / name).write_bytes(data)
    names = [name for name, _, _ in NOT_CAPTURES]
    for options in ([], ["--fix", "--unsafe-fixes"], ["--jobs", "2"]):
        proc = subprocess.run(
            [*COMMAND, "lint", *options, *names],
            cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert proc.returncode == 1, proc.stderr
        assert "Traceback" not in proc.stderr
        lines = proc.stdout.splitlines()
        assert [line.split(":", 1)[0] for line in lines] == names, proc.stdout
        assert all(": RT101 not a capture: " in line for line in lines), proc.stdout
        assert f"Checked {len(names)} records in {len(names)} files" in proc.stderr
    for name, data, _ in NOT_CAPTURES:
        assert (tmp_path / name).read_bytes() == data


LOGGED = b"2024-11-24 06:33:19 INFO sent " + APPEND.encode() + b"\n" + b"06:33:20 sent {}\n"
BROKEN = b'{"type": "input_audio_buffer.append", "audio": \n'  # cut short


@pytest.mark.parametrize(
    ("name", "data", "rt101"),
    [
        # a capture's suffix is trusted: every line of it is a record, broken or not
        ("session.jsonl", MARKDOWN, 4),
        ("session.ndjson", b"hello\nworld\n", 2),
        ("session.jsonl.gz", gzip.compress(PYTHON, mtime=0), 4),
        # one line of the first eight that starts JSON: lines, each broken one an RT101
        ("session.log", b"# recorded by the proxy\n" + BROKEN + APPEND.encode() + b"\n", 2),
        ("capture.txt", b"garbage\n" * 7 + APPEND.encode() + b"\n", 7),
        ("capture", b"1\nnot json\n", 1),  # "1" is a record (RT103): lines
        # a text log: a prefix before each object, which the reader's RT101 says to strip
        ("session.log", LOGGED, 2),
        ("session.txt", LOGGED, 2),
        ("session", LOGGED, 2),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_a_capture_with_broken_lines_keeps_a_finding_per_line(
    tmp_path: Path, name: str, data: bytes, rt101: int
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    found, _ = findings(path)
    assert not [message for *_, message in found if "not a capture" in message]
    assert [rule for rule, *_ in found].count("RT101") == rt101


def test_eight_lines_without_json_decide(tmp_path: Path) -> None:
    path = tmp_path / "capture.txt"
    path.write_bytes(b"garbage\n" * 8 + APPEND.encode() + b"\n")
    found, _ = findings(path)
    assert len(found) == 1 and "none of its first 8 lines is JSON" in found[0][3]


def test_standard_input_is_read_as_records() -> None:
    """A pipe has no name to judge: its lines are records, as before."""
    proc = subprocess.run(
        [*COMMAND, "lint", "-"], input=MARKDOWN, capture_output=True, timeout=60, check=False
    )
    assert proc.returncode == 1
    lines = proc.stdout.decode().splitlines()
    assert len(lines) == 4 and all("RT101 record is not valid JSON" in x for x in lines)
    named = subprocess.run(
        [*COMMAND, "lint", "--stdin-filename", "README.md", "-"],
        input=MARKDOWN, capture_output=True, timeout=60, check=False,
    )  # fmt: skip
    assert named.stdout.decode().startswith("README.md:1:1: RT101 not a capture: Markdown")


def test_an_empty_or_blank_file_is_not_judged() -> None:
    for head in (b"", b"\n\n  \n"):
        assert input_kind("notes.md", head) == InputKind.LINES


LINE = st.text(st.characters(codec="utf-8", exclude_characters="\n\r"), max_size=30)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(LINE, max_size=7),
    st.sampled_from(["{", "[", ' {"type"', "\ufeff{"]),
    st.lists(LINE, max_size=5),
    st.sampled_from(["notes.md", "tool.py", "capture", "capture.log"]),
)
def test_a_line_that_opens_json_in_the_first_eight_keeps_the_file_lines(
    before: list[str], opening: str, after: list[str], name: str
) -> None:
    lines = [line for line in before if line.strip()][:7]  # at most 7 non-blank before it
    head = "\n".join([*lines, opening + "...", *after]).encode()
    assert input_kind(name, head) != InputKind.OTHER


def test_one_line_longer_than_what_is_read_ahead_is_its_first(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(b"x" * 70_000 + b"\nmore\n")  # 64 KiB are judged: one line of it
    found, _ = findings(path)
    assert [message.split(" (it starts")[0] for *_, message in found] == [
        "not a capture: plain text, and its first line is not JSON"
    ]


def test_a_text_log_s_lines_say_strip_the_prefix(tmp_path: Path) -> None:
    path = tmp_path / "session.log"
    path.write_bytes(LOGGED)
    found, _ = findings(path)
    assert [(line, "strip the prefix" in message) for _, line, _, message in found] == [
        (1, True),
        (2, True),
    ]


def test_source_code_with_an_object_in_a_line_is_still_no_capture(tmp_path: Path) -> None:
    path = tmp_path / "events.py"
    path.write_bytes(b'"""Events."""\n\nAPPEND = {"type": "input_audio_buffer.append"}\n')
    found, _ = findings(path)
    assert [message.split(",")[0] for *_, message in found] == ["not a capture: Python source"]
