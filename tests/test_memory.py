"""Peak memory of the installed command (SPEC, Bars): a 2 GB record with no newline and a
gzip bomb stay under 150 MB of resident memory, whatever the input's size.

Each run is a grandchild process measured with ``os.wait4`` (its ``ru_maxrss``, in KiB on
Linux). Not a child: Linux counts into a process's peak the memory it had between fork and
exec, which for a child of this test process is the whole pytest process (hundreds of MB after
the fuzzing tests). A small launcher forks the command instead and reports its peak.

The inputs are made in ``tmp_path``: the 2 GB record as a sparse file (zeros, no newline,
almost no disk), the bomb by streaming 16 MiB of zeros at a time through gzip.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from conftest import LAUNCHER

GIB = 2**30
LIMIT_KB = 150 * 1024
APPEND = '{"type":"input_audio_buffer.append","event_id":"evt_1","audio":"AAAAAAAA"}'


def _command() -> str | None:
    beside = Path(sys.executable).with_name("realtime-validator")
    return str(beside) if beside.is_file() else shutil.which("realtime-validator")


COMMAND = _command()
pytestmark = [
    pytest.mark.skipif(COMMAND is None, reason="realtime-validator is not installed"),
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ru_maxrss in KiB: Linux"),
]


class Measured(NamedTuple):
    """A finished run: exit code, the ``--format json`` result, peak RSS and wall time."""

    code: int
    result: dict[str, Any]
    stderr: str
    peak_kb: int
    seconds: float


def measure(tmp_path: Path, *args: str | Path) -> Measured:
    """Run ``realtime-validator lint --format json ARGS`` and measure its peak RSS."""
    assert COMMAND is not None
    out, err = tmp_path / "stdout.json", tmp_path / "stderr.txt"
    peak = tmp_path / "peak.txt"
    command = [COMMAND, "lint", "-q", "--format", "json", *map(str, args)]
    started = time.perf_counter()
    with out.open("wb") as stdout, err.open("wb") as stderr:
        proc = subprocess.run(
            [sys.executable, "-c", LAUNCHER, str(peak), *command],
            stdout=stdout,
            stderr=stderr,
            stdin=subprocess.DEVNULL,
            cwd=tmp_path,
            check=False,
        )
    seconds = time.perf_counter() - started
    return Measured(
        proc.returncode,
        json.loads(out.read_text()),
        err.read_text(),
        int(peak.read_text()),
        seconds,
    )


def rules(result: dict[str, Any]) -> list[tuple[str, int]]:
    """Return (rule, line) of each finding."""
    return [(f["rule"], f["line"]) for f in result["findings"]]


def test_two_gigabyte_record_without_newline(tmp_path: Path) -> None:
    path = tmp_path / "huge.jsonl"
    with path.open("wb") as f:
        f.truncate(2 * GIB)  # sparse: 2 GiB of zero bytes, none of them a newline
        f.seek(0, os.SEEK_END)
        f.write(b"\n" + APPEND.encode() + b"\n")
    run = measure(tmp_path, path.name)
    assert run.code == 1, run.stderr
    assert rules(run.result) == [("RT105", 1)]
    assert run.result["findings"][0]["message"].startswith("record is 2,147,483,648 bytes,")
    stats = run.result["statistics"]
    assert (stats["records"], stats["append_events"]) == (2, 1)  # it went on with line 2
    assert run.peak_kb < LIMIT_KB, f"peak RSS {run.peak_kb / 1024:.0f} MB"
    assert run.seconds < 40, f"{run.seconds:.1f} s"


@pytest.fixture(scope="module")
def bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A gzip file of ~9 MB that inflates to 2 GiB of zeros (no newline)."""
    path = tmp_path_factory.mktemp("bomb") / "bomb.gz"
    zeros = bytes(16 * 2**20)
    started = time.perf_counter()
    with (
        path.open("wb") as raw,
        gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=1, mtime=0) as f,
    ):
        for _ in range(2 * GIB // len(zeros)):
            f.write(zeros)
            if time.perf_counter() - started > 60:
                pytest.skip("making the gzip bomb took over 60 s")
    return path


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("bomb.jsonl.gz", [("RT105", 1)]),  # inflated to the end in 1 MiB pieces
        ("bomb.txt", [("RT105", 1)]),  # a misleading suffix: gzip by magic, lines by content
        ("bomb.json.gz", [("RT101", 1)]),  # not JSON from its first byte: not read further
        ("bomb.har.gz", [("RT101", 1)]),
    ],
)
def test_gzip_bomb(tmp_path: Path, bomb: Path, name: str, expected: list[tuple[str, int]]) -> None:
    (tmp_path / name).symlink_to(bomb)
    run = measure(tmp_path, name)
    assert run.code == 1, run.stderr
    assert rules(run.result) == expected
    if expected[0][0] == "RT105":
        assert run.result["findings"][0]["message"].startswith("record is 2,147,483,648 bytes,")
    assert run.peak_kb < LIMIT_KB, f"peak RSS {run.peak_kb / 1024:.0f} MB"
    assert run.seconds < 40, f"{run.seconds:.1f} s"


# -- JSON documents and HAR files are streamed: bombs and huge records in them ---------------

BAD = '{"type":"input_audio_buffer.append","audio":"AA-A"}'  # RT301 at the '-'


def gzip_bomb(path: Path, head: bytes, fill: bytes, size: int, tail: bytes) -> Path:
    """Write a gzip file that inflates to ``head``, ``size`` bytes of ``fill``, ``tail``.

    One 16 MiB block is compressed once and its member written again and again: gzip members
    concatenate, so a file of a few MB that inflates to gigabytes takes no time to make.
    """
    block = 16 * 2**20
    member = gzip.compress(fill * (block // len(fill)), compresslevel=1, mtime=0)  # fast to inflate
    with path.open("wb") as f:
        f.write(gzip.compress(head, mtime=0))
        for _ in range(size // block):
            f.write(member)
        f.write(gzip.compress(tail, mtime=0))
    return path


def test_gzip_bomb_json_array(tmp_path: Path) -> None:
    """'[' and 2 GiB of spaces: the array is read in pieces; the element after is linted."""
    gzip_bomb(tmp_path / "bomb.json.gz", b"[", b" ", 2 * GIB, b"\n" + BAD.encode() + b"]")
    run = measure(tmp_path, "bomb.json.gz")
    assert run.code == 1, run.stderr
    assert [(f["rule"], f["line"], f["column"]) for f in run.result["findings"]] == [
        ("RT301", 2, BAD.index("-") + 1)
    ]
    assert run.result["statistics"]["records"] == 1
    assert run.peak_kb < LIMIT_KB, f"peak RSS {run.peak_kb / 1024:.0f} MB"
    assert run.seconds < 40, f"{run.seconds:.1f} s"


def test_gzip_bomb_har_with_a_huge_body(tmp_path: Path) -> None:
    """A HAR whose first entry's body is a 2 GiB string: skipped, never held whole."""
    head = b'{"log":{"entries":[{"response":{"content":{"text":"'
    message = json.dumps({"type": "send", "opcode": 1, "data": BAD}, separators=(",", ":"))
    tail = ('"}},"_webSocketMessages":[' + message + "]}]}}").encode()
    gzip_bomb(tmp_path / "bomb.har.gz", head, b"A", 2 * GIB, tail)
    run = measure(tmp_path, "bomb.har.gz")
    assert run.code == 1, run.stderr
    (finding,) = run.result["findings"]
    dash = len(head) + 2 * GIB + tail.index(b"AA-A") + 2  # offset of the '-' in the inflated file
    assert (finding["rule"], finding["line"], finding["column"]) == ("RT301", 1, dash + 1)
    assert finding["pointer"] == "/audio"
    assert run.peak_kb < LIMIT_KB, f"peak RSS {run.peak_kb / 1024:.0f} MB"
    assert run.seconds < 40, f"{run.seconds:.1f} s"


def test_gigabyte_array_element_is_rt105_and_the_next_is_linted(tmp_path: Path) -> None:
    """A 1 GiB element (sparse: zeros in its audio string) is skipped unread; then the next."""
    path = tmp_path / "huge.json"
    with path.open("wb") as f:
        f.write(b'[{"type":"input_audio_buffer.append","audio":"')
        f.truncate(GIB)  # sparse: zeros up to 1 GiB, almost no disk
        f.seek(0, os.SEEK_END)
        f.write(b'"},\n' + BAD.encode() + b"]")
    run = measure(tmp_path, path.name)
    assert run.code == 1, run.stderr
    assert [(f["rule"], f["line"], f["column"], f["pointer"]) for f in run.result["findings"]] == [
        ("RT105", 1, 2, "/0"),
        ("RT301", 2, BAD.index("-") + 1, "/audio"),
    ]
    assert run.result["findings"][0]["message"].startswith(f"record is {GIB + 1:,} bytes,")
    assert run.result["statistics"]["records"] == 2
    assert run.peak_kb < LIMIT_KB, f"peak RSS {run.peak_kb / 1024:.0f} MB"
    assert run.seconds < 40, f"{run.seconds:.1f} s"


def test_millions_of_blank_lines(tmp_path: Path) -> None:
    # a block of tiny lines is one slow-road item, not a list as long as the block (which
    # took 3 million blank lines to some 300 MB)
    path = tmp_path / "blank.jsonl"
    count = 3 * 2**20
    path.write_bytes(b"\n" * count)
    run = measure(tmp_path, path.name)
    assert run.code == 2, run.stderr  # blank lines only: nothing to lint, said aloud
    assert "nothing to lint" in run.stderr
    assert run.result["statistics"]["blank_lines"] == count
    assert run.peak_kb < 100 * 1024, f"peak RSS {run.peak_kb / 1024:.0f} MB"


# -- one record of millions of members (SPEC: 100 MB + 3x the largest record) ---------------


def _wide_record(members: int, distinct: bool | None) -> bytes:
    """An append with ``members`` more members: distinct unknown keys, or one key repeated;
    ``distinct`` None: one more member, an array of that many distinct strings."""
    head = '{"type":"input_audio_buffer.append","audio":"AAAA"'
    if distinct is None:
        return (head + ',"x":[' + ",".join(f'"s{n}"' for n in range(members)) + "]}\n").encode()
    body = "".join(f',"k{n}":0' if distinct else ',"a":0' for n in range(members))
    return (head + body + "}\n").encode()


@pytest.mark.parametrize(
    ("distinct", "members", "expected"),
    [
        # 12 MB of unknown keys: 50 RT203, one "and 999,950 more", and RT306 (3 bytes)
        (True, 1_000_000, {"RT203": 51, "RT306": 1}),
        # 12 MB of one key written 2,000,000 times: one RT104, one RT203 for the key
        (False, 2_000_000, {"RT104": 1, "RT203": 1, "RT306": 1}),
        # 20 MB of an array of 2,000,000 strings: one RT203 for its key
        (None, 2_000_000, {"RT203": 1, "RT306": 1}),
    ],
)
def test_one_record_of_millions_of_members(
    tmp_path: Path, distinct: bool | None, members: int, expected: dict[str, int]
) -> None:
    """json would hold every member or element, several times over (a 24 MB record of
    2,000,000 keys peaked at 585 MB, 4,000,000 repeats at 730 MB, 2,000,000 strings in an
    array at 245 MB): ``wide.py`` keeps them in part."""
    record = _wide_record(members, distinct)
    (tmp_path / "wide.jsonl").write_bytes(record)
    run = measure(tmp_path, "wide.jsonl")
    assert run.code == 1, run.stderr
    assert run.result["statistics"]["findings_by_rule"] == expected
    if distinct:
        (more,) = [f for f in run.result["findings"] if f["message"].startswith("and ")]
        assert more["message"].startswith(f"and {members - 50:,} more RT203 findings")
        assert more["pointer"] == "/k50"
    bar_kb = 100 * 1024 + 3 * len(record) // 1024
    assert run.peak_kb < bar_kb, f"peak RSS {run.peak_kb / 1024:.0f} MB, bar {bar_kb / 1024:.0f}"


# -- one record of hundreds of megabytes, the record limit raised ----------------------------

MB150 = 150 * 2**20


def _write_append(path: Path, head: bytes, size: int, tail: bytes) -> int:
    """Write ``head``, ``size`` bytes of base64 'A's and ``tail``; return the file's size."""
    block = b"A" * 2**20
    with path.open("wb") as f:
        f.write(head)
        for _ in range(size // len(block)):
            f.write(block)
        f.write(tail)
    return path.stat().st_size


@pytest.mark.parametrize("kind", ["jsonl", "har"])
def test_a_record_of_150_megabytes(tmp_path: Path, kind: str) -> None:
    """Each copy of such a record counts: the block grows to the line's own length (read
    ahead), the slow road decodes it straight out of the block, base64 is validated 4 Mi
    characters at a time (a 300 MB line peaked at 2.17 GB, a 200 MB HAR message at 786 MB)."""
    if kind == "jsonl":
        head = b'{"type":"input_audio_buffer.append","event_id":"e1","audio":"'
        size = _write_append(tmp_path / "big.jsonl", head, MB150, b'"}\n')
    else:
        head = (
            b'{"log":{"entries":[{"_resourceType":"websocket","_webSocketMessages":'
            b'[{"type":"send","time":1,"opcode":1,"data":"{\\"type\\":'
            b'\\"input_audio_buffer.append\\",\\"audio\\":\\"'
        )
        size = _write_append(tmp_path / "big.har", head, MB150, b'\\"}"}]}]}}\n')
    run = measure(tmp_path, f"big.{kind}", "--max-record-bytes", str(2 * MB150))
    assert run.code == 1, run.stderr
    assert rules(run.result) == [("RT304", 1)]
    bar_kb = 100 * 1024 + 3 * size // 1024
    assert run.peak_kb < bar_kb, f"peak RSS {run.peak_kb / 1024:.0f} MB, bar {bar_kb / 1024:.0f}"
