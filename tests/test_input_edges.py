"""Inputs told by their first bytes: what an input is before any record of it is read.

A JSON document that starts with a control character or whitespace JSON does not allow (which
``str.strip`` takes for blank, so that the document passed unread), gzip inside gzip, and an
audio or video file given as a log: each gives its findings through ``validator.lint`` on real
files, and through the installed command as a user runs it (exit code, no traceback).
"""

from __future__ import annotations

import gzip
import io
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import COMMAND, FIXTURES, b64
from hypothesis import given, settings
from hypothesis import strategies as st
from whole_readers import read_document_whole

import validator
from validator.core.media import sniff_container
from validator.core.record import Record
from validator.core.statistics import Statistics
from validator.core.violation import Violation
from validator.scale.protocol import MIN_PARALLEL_BYTES, eligible
from validator.sources.detect import input_kind
from validator.sources.document import read_document_stream

AUDIO = FIXTURES / "audio"
APPEND = json.dumps(
    {"type": "input_audio_buffer.append", "event_id": "evt_1", "audio": b64(bytes(960))},
    separators=(",", ":"),
)
BAD = '{"type":"input_audio_buffer.append","audio":"AA-A"}'  # RT301 at the '-'
EVENT = json.dumps(json.loads(BAD), indent=2).encode()  # '{' alone on its first line
LOG = (APPEND + "\n" + BAD + "\n").encode()
Found = list[tuple[str, int | None, int | None, str]]


def lint(path: Path) -> tuple[Found, Statistics]:
    """Return the findings of ``validator.lint(path)`` (rule, line, column, message) and its
    statistics."""
    result = validator.lint(path)
    found = [(v.rule, v.line, v.column, v.message) for v in result]
    return found, result.statistics


def command(
    *args: str | Path, cwd: Path, stdin: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``realtime-validator lint --isolated ARGS`` (standard input from ``stdin``); return
    the finished process."""
    with stdin.open("rb") if stdin else open(os.devnull, "rb") as given:
        return subprocess.run(
            [*COMMAND, "lint", "--isolated", *map(str, args)],
            capture_output=True,
            text=True,
            cwd=cwd,
            stdin=given,
            timeout=120,
        )


def gzipped(data: bytes, layers: int) -> bytes:
    """Return ``data`` gzip-compressed ``layers`` times over."""
    for _ in range(layers):
        data = gzip.compress(data, mtime=0)
    return data


# -- a control character or other whitespace before a document's JSON --------------------------


def stray(what: str, shown: str) -> str:
    """Return the RT101 message for a stray first character: ``what`` it is, ``shown`` as a
    code (0x0C, U+00A0)."""
    return (
        f"document is not valid JSON: {what} ({shown}) before the JSON; JSON allows only "
        "spaces, tabs and line breaks there: delete it"
    )


CONTROLS = [
    (0x00, "a NUL byte"),
    (0x01, "a control character"),
    (0x0B, "a vertical tab"),
    (0x0C, "a form feed"),
    (0x1C, "a file separator"),
    (0x1D, "a group separator"),
    (0x1E, "a record separator"),
    (0x1F, "a unit separator"),
    (0x7F, "a delete character"),
]


@pytest.mark.parametrize(("byte", "what"), CONTROLS, ids=[f"0x{b:02X}" for b, _ in CONTROLS])
@pytest.mark.parametrize(
    ("name", "bom", "layers"),
    [
        ("event.json", b"", 0),
        ("event.json", b"\xef\xbb\xbf", 0),
        ("event.json.gz", b"", 1),
        ("event", b"", 0),  # a document by content: '{' alone on its first line
        ("event.gz", b"\xef\xbb\xbf", 1),
    ],
    ids=["json", "json-bom", "json-gzip", "by-content", "by-content-gzip-bom"],
)
def test_control_character_before_a_document_is_rt101_at_it(
    tmp_path: Path, byte: int, what: str, name: str, bom: bytes, layers: int
) -> None:
    path = tmp_path / name
    path.write_bytes(gzipped(bom + bytes([byte]) + EVENT, layers))
    found, stats = lint(path)
    assert found == [("RT101", 1, 1, stray(what, f"0x{byte:02X}"))]
    assert stats.records == 1


def test_control_character_after_whitespace_is_placed_where_it_is(tmp_path: Path) -> None:
    path = tmp_path / "event.json"
    path.write_bytes(b"\xef\xbb\xbf\r\n  \x0c" + EVENT)
    assert lint(path)[0] == [("RT101", 2, 3, stray("a form feed", "0x0C"))]


@pytest.mark.parametrize(
    ("char", "what"),
    [
        ("\u00a0", "a no-break space"),
        ("\u3000", "an ideographic space"),
        ("\u2028", "a line separator"),
        ("\x85", "a next-line character"),
    ],
)
@pytest.mark.parametrize("rest", [b"", b"\n", EVENT], ids=["alone", "blank", "before-json"])
def test_whitespace_json_does_not_allow_is_rt101(
    tmp_path: Path, char: str, what: str, rest: bytes
) -> None:
    path = tmp_path / "event.json"
    path.write_bytes(char.encode() + rest)
    found, stats = lint(path)
    assert found == [("RT101", 1, 1, stray(what, f"U+{ord(char):04X}"))]
    assert stats.records == 1


@pytest.mark.parametrize(
    ("data", "line", "column", "message"),
    [
        (b"\x0c{}", 1, 0, stray("a form feed", "0x0C")),
        (b"\xef\xbb\xbf\n \x1f[1]", 2, 1, stray("a unit separator", "0x1F")),
        ("\u3000".encode(), 1, 0, stray("an ideographic space", "U+3000")),
    ],
)
def test_document_readers_agree_on_a_stray_first_character(
    data: bytes, line: int, column: int, message: str
) -> None:
    expected = [Record(line, column, b"", problem=Violation("RT101", message))]
    assert list(read_document_whole(data)) == expected
    for chunk in (1, 3, 1 << 20):
        assert list(read_document_stream(io.BytesIO(data), 2**20, chunk)) == expected


def test_lines_that_start_with_a_form_feed_are_still_lines(tmp_path: Path) -> None:
    path = tmp_path / "capture"  # by content: the first line is not '{' alone
    path.write_bytes(b"\x0c" + BAD.encode() + b"\n\x0c" + BAD.encode() + b"\n")
    found, stats = lint(path)
    assert [(rule, line, column) for rule, line, column, _ in found] == [
        ("RT101", 1, 1),
        ("RT101", 2, 1),
    ]
    assert stats.records == 2


# -- gzip inside gzip --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("plain", "name", "layers"),
    [
        ("capture.jsonl", "capture.jsonl.gz.gz", 2),
        ("capture.jsonl", "capture.jsonl.gz", 2),  # named for one layer
        ("capture.jsonl", "capture.jsonl.gz", 3),
        ("capture.jsonl", "capture", 2),  # lines by content
        ("event.json", "event.json.gz.gz", 2),
    ],
)
def test_gzip_inside_gzip_is_inflated_again(
    tmp_path: Path, plain: str, name: str, layers: int
) -> None:
    data = LOG if plain.endswith(".jsonl") else EVENT
    (tmp_path / plain).write_bytes(data)
    (tmp_path / name).write_bytes(gzipped(data, layers))
    expected, plain_stats = lint(tmp_path / plain)
    assert any(rule == "RT301" for rule, *_ in expected)
    found, stats = lint(tmp_path / name)
    assert found == expected
    assert (stats.records, stats.bytes) == (plain_stats.records, plain_stats.bytes)


@pytest.mark.parametrize("layers", [4, 5])
def test_gzip_nested_deeper_than_three_layers_is_one_finding(tmp_path: Path, layers: int) -> None:
    path = tmp_path / "capture.jsonl.gz"
    path.write_bytes(gzipped(LOG, layers))
    found, stats = lint(path)
    assert found == [
        (
            "RT101",
            1,
            1,
            "input is gzip-compressed more than 3 times over; it is "
            "inflated 3 times at most: decompress it (gunzip) until it is JSON text",
        )
    ]
    assert stats.records == 1


def _long_log() -> bytes:
    """Return 8 MB of appends, one in a thousand with an RT301: several reads' worth, so that
    a cut halfway comes after whole reads (a read that fails returns nothing)."""
    lines = []
    for n in range(40_000):
        audio = "AA-A" if n % 1000 == 999 else b64(bytes(96))
        lines.append(
            f'{{"type":"input_audio_buffer.append","event_id":"evt_{n}","audio":"{audio}"}}\n'
        )
    return "".join(lines).encode()


def _cut_inner(path: Path) -> None:
    inner = gzip.compress(_long_log(), mtime=0)
    path.write_bytes(gzip.compress(inner[: len(inner) // 2], mtime=0))


def _corrupt_inner(path: Path) -> None:
    inner = bytearray(gzip.compress((BAD + "\n").encode() * 6000, mtime=0))
    inner[10] ^= 0xFF  # the first deflate block header: zlib.error, not a CRC mismatch
    path.write_bytes(gzip.compress(bytes(inner), mtime=0))


@pytest.mark.parametrize(
    ("make", "error", "reason"),
    [
        (_cut_inner, EOFError, "Compressed file ended before the end-of-stream marker was reached"),
        (_corrupt_inner, OSError, "corrupt gzip data (Error -3 while decompressing data:"),
    ],
    ids=["truncated", "corrupt"],
)
def test_a_broken_inner_layer_fails_like_a_broken_gzip(
    tmp_path: Path, make: Callable[[Path], None], error: type[Exception], reason: str
) -> None:
    path = tmp_path / "capture.jsonl.gz.gz"
    make(path)
    found: list[Violation] = []
    with pytest.raises(error) as raised:
        found.extend(validator.lint(path))
    assert str(raised.value).startswith(reason)
    if make is _cut_inner:  # what was inflated before the cut is linted
        assert 0 < len(found) < 40
        assert {v.rule for v in found} == {"RT301"}
    # the command: exit 2, one error line naming it, the other input still linted
    (tmp_path / "bad.jsonl").write_text(BAD + "\n")
    proc = command(path.name, "bad.jsonl", cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    errors = [line for line in proc.stderr.splitlines() if "error:" in line]
    assert len(errors) == 1
    assert errors[0].startswith(f"realtime-validator: error: cannot read {path.name}: {reason}")
    assert "bad.jsonl:1:48: RT301 " in proc.stdout


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ru_maxrss in KiB: Linux")
@pytest.mark.parametrize(
    ("name", "head", "expected"),
    [
        ("bomb.jsonl.gz.gz", b"", ("RT105", "record is 2,147,483,648 bytes,")),
        ("speech.wav.gz.gz", None, ("RT101", "this is a WAV file, ")),
    ],
    ids=["lines", "wav"],
)
def test_gzip_bomb_inside_gzip_stays_small(
    tmp_path: Path, name: str, head: bytes | None, expected: tuple[str, str]
) -> None:
    from test_memory import COMMAND as MEASURED
    from test_memory import GIB, LIMIT_KB, gzip_bomb, measure

    if MEASURED is None:
        pytest.skip("realtime-validator is not installed")
    if head is None:
        head = (AUDIO / "speech.wav").read_bytes()[:44]  # the WAV header
    inner = gzip_bomb(tmp_path / "inner.gz", head, b"\0", 2 * GIB, b"")
    (tmp_path / name).write_bytes(gzip.compress(inner.read_bytes(), compresslevel=1, mtime=0))
    run = measure(tmp_path, name)
    assert run.code == 1, run.stderr
    ((rule, start),) = [
        (f["rule"], f["message"][: len(expected[1])]) for f in run.result["findings"]
    ]
    assert (rule, start) == expected
    assert run.result["statistics"]["bytes"] == 2 * GIB + len(head)
    assert run.peak_kb < LIMIT_KB, f"peak RSS {run.peak_kb / 1024:.0f} MB"
    assert run.seconds < 60, f"{run.seconds:.1f} s"


# -- an audio or video file given as a log -----------------------------------------------------

WAV = (
    "this is a WAV file, not a log or an event: base64-encode its samples into "
    "input_audio_buffer.append events"
)


def media(article_and_name: str) -> str:
    """Return the RT101 message for a compressed or other non-WAV audio file."""
    return (
        f"this is {article_and_name} file, not a log or an event: decode it to raw pcm16 "
        "samples (24 kHz mono) and base64-encode them into input_audio_buffer.append events"
    )


MEDIA = [
    ("speech.wav", WAV),
    ("speech_rf64.wav", WAV),
    ("speech_id3.mp3", media("an MP3")),
    ("speech_bare.mp3", media("an MP3")),
    ("speech_vorbis.ogg", media("an Ogg")),
    ("speech.opus", media("an Ogg")),
    ("speech.flac", media("a FLAC")),
    ("speech.webm", media("a WebM/Matroska")),
    ("speech.m4a", media("an MP4/M4A")),
    ("speech.aiff", media("an AIFF")),
    ("speech.aac", media("an AAC/ADTS")),
]


@pytest.mark.parametrize(("fixture", "message"), MEDIA, ids=[f for f, _ in MEDIA])
@pytest.mark.parametrize("rename", ["{}", "speech", "{}.json", "{}.har", "{}.gz", "speech.gz"])
def test_audio_file_is_one_finding_that_says_what_it_is(
    tmp_path: Path, fixture: str, message: str, rename: str
) -> None:
    data = (AUDIO / fixture).read_bytes()
    path = tmp_path / rename.format(fixture)
    path.write_bytes(gzip.compress(data, mtime=0) if rename.endswith(".gz") else data)
    found, stats = lint(path)
    assert found == [("RT101", 1, 1, message)]
    assert (stats.records, stats.bytes) == (1, len(data))  # every record read is counted


def test_audio_file_in_a_truncated_gzip_keeps_its_finding(tmp_path: Path) -> None:
    # 8 MB cut near its end: the cut comes after whole reads (a read that fails returns nothing)
    data = gzip.compress((AUDIO / "speech.wav").read_bytes() + bytes(8 << 20), mtime=0)
    path = tmp_path / "speech.wav.gz"
    path.write_bytes(data[:-64])
    found: list[Violation] = []
    with pytest.raises(EOFError):
        found.extend(validator.lint(path))
    assert [(v.rule, v.line, v.column, v.message) for v in found] == [("RT101", 1, 1, WAV)]


@pytest.mark.parametrize("given", ["speech.wav", "-"], ids=["path", "stdin"])
def test_audio_file_through_the_command(tmp_path: Path, given: str) -> None:
    shutil.copy(AUDIO / "speech.wav", tmp_path / "speech.wav")
    proc = command(given, cwd=tmp_path, stdin=tmp_path / "speech.wav")
    assert proc.returncode == 1, proc.stderr
    shown = "<stdin>" if given == "-" else given
    assert proc.stdout == f"{shown}:1:1: RT101 {WAV}\n"
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("Checked 1 record: ")


def test_large_audio_file_is_not_split_between_jobs(tmp_path: Path) -> None:
    path = tmp_path / "speech"  # lines by content before, and so worth splitting
    with path.open("wb") as f:
        f.write((AUDIO / "speech.wav").read_bytes())
        f.truncate(MIN_PARALLEL_BYTES + 1)  # sparse zeros after the recording
    assert not eligible(str(path), 2)
    proc = command("--jobs", "2", path.name, cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout == f"speech:1:1: RT101 {WAV}\n"
    assert "Traceback" not in proc.stderr


def test_json_text_with_ftyp_at_offset_4_is_not_an_mp4_file(tmp_path: Path) -> None:
    first = b'{  "ftyp": 1, "type": "input_audio_buffer.clear"}\n'
    assert sniff_container(first) == "MP4/M4A"  # the container test alone would take it
    path = tmp_path / "capture.jsonl"
    path.write_bytes(first + LOG)
    found, stats = lint(path)
    assert stats.records == 3
    assert ("RT301", 3, 48) in [(rule, line, column) for rule, line, column, _ in found]
    assert not any("not a log" in message for *_, message in found)


# Heads that start JSON text: a byte that starts a value or whitespace (or a BOM), with "ftyp"
# where an MP4 file has it; or a literal and the delimiter after it (t, f, n are no gate byte).
JSON_HEADS = st.builds(
    lambda first, middle, tail: bytes([first]) + middle + b"ftyp" + tail,
    st.sampled_from(b'{["-0123456789 \t\r\n\xef'),
    st.binary(min_size=3, max_size=3),
    st.binary(max_size=64),
) | st.builds(
    lambda literal, after, tail: literal + after + tail,
    st.sampled_from([b"true", b"false", b"null"]),
    st.sampled_from([b"\n", b" ", b",", b"]", b"}", b"\r\n"]),
    st.binary(max_size=64),
)


@settings(max_examples=500, deadline=None)
@given(JSON_HEADS, st.sampled_from(["capture", "capture.jsonl", "event.json", "event.har"]))
def test_a_head_that_starts_json_text_is_never_a_media_file(head: bytes, name: str) -> None:
    assert input_kind(name, head) != "media"
