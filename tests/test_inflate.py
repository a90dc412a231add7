"""gzip inflated by isal where it is installed, by zlib where it is not: the same records, the
same failures, the same words, for whole, truncated, corrupt, padded, multi-member and nested
streams."""

from __future__ import annotations

import gzip
import io
import sys
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import b64

import validator
from validator.core.statistics import Statistics
from validator.sources import detect

LINE = '{"type":"input_audio_buffer.append","event_id":"evt_%d","audio":"%s"}\n'
LOG = "".join(
    LINE % (i, b64(bytes([i % 256]) * 960) if i % 7 else "AA-A") for i in range(3000)
).encode()


@pytest.fixture(params=["isal", "zlib"])
def inflater(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each test runs with isal (installed with the package) and without it."""
    if request.param == "zlib":
        monkeypatch.setitem(sys.modules, "isal", None)  # import isal: ImportError
        assert detect._inflater() is zlib
    else:
        from isal import isal_zlib

        assert detect._inflater() is isal_zlib
    return str(request.param)


def _cut(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _corrupt(data: bytes) -> bytes:
    broken = bytearray(data)
    broken[10] ^= 0xFF  # the first deflate block header: an inflate error, not a CRC one
    return bytes(broken)


def _bad_crc(data: bytes) -> bytes:
    return data[:-8] + bytes(4) + data[-4:]


STREAMS: dict[str, Callable[[bytes], bytes]] = {
    "whole": lambda log: gzip.compress(log, mtime=0),
    "two-members": lambda log: (
        gzip.compress(log[:70_000], mtime=0) + gzip.compress(log[70_000:], mtime=0)
    ),
    "zero-padded": lambda log: gzip.compress(log, mtime=0) + bytes(100),
    "nested": lambda log: gzip.compress(gzip.compress(log, mtime=0), mtime=0),
    "truncated": lambda log: _cut(gzip.compress(log, mtime=0)),
    "truncated-inner": lambda log: gzip.compress(_cut(gzip.compress(log, mtime=0)), mtime=0),
    "junk-after": lambda log: gzip.compress(log, mtime=0) + b"junk",
    "corrupt": lambda log: _corrupt(gzip.compress(log, mtime=0)),
    "bad-crc": lambda log: _bad_crc(gzip.compress(log, mtime=0)),
}
FAILURES = {
    "truncated": (EOFError, "Compressed file ended before the end-of-stream marker was reached"),
    "truncated-inner": (
        EOFError,
        "Compressed file ended before the end-of-stream marker was reached",
    ),
    "junk-after": (gzip.BadGzipFile, "Not a gzipped file (b'ju')"),
    "corrupt": (gzip.BadGzipFile, "corrupt gzip data (Error -3 while decompressing data: "),
    "bad-crc": (gzip.BadGzipFile, "CRC check failed"),
}


def _lint(data: bytes) -> tuple[list[tuple[object, ...]], dict[str, object], object]:
    result = validator.lint(io.BytesIO(data))
    found: list[tuple[object, ...]] = []
    failure: object = None
    try:
        for v in result:
            found.append((v.rule, v.line, v.column, v.message))
    except (OSError, EOFError) as exc:
        failure = (type(exc), str(exc))
    stats = result.statistics.to_dict()
    stats.pop("seconds")
    return found, stats, failure


@pytest.mark.parametrize("kind", list(STREAMS))
def test_inflating_gives_what_one_reading_of_the_plain_log_gives(inflater: str, kind: str) -> None:
    data = STREAMS[kind](LOG)
    found, stats, failure = _lint(data)
    plain_found, plain_stats, _ = _lint(LOG)
    if kind in FAILURES:
        error, words = FAILURES[kind]
        assert failure is not None
        assert failure[0] is error  # type: ignore[index]
        assert str(failure[1]).startswith(words)  # type: ignore[index]
        # every record before the failure is linted and counted, none after it invented
        assert found == plain_found[: len(found)]
        records = stats["records"]
        assert isinstance(records, int) and records <= plain_stats["records"]  # type: ignore[operator]
        if kind.startswith("truncated"):
            assert records > 100
    else:
        assert failure is None
        assert (found, stats) == (plain_found, plain_stats)


def test_isal_and_zlib_agree_on_every_stream(monkeypatch: pytest.MonkeyPatch) -> None:
    with_isal = {kind: _lint(make(LOG)) for kind, make in STREAMS.items()}
    monkeypatch.setitem(sys.modules, "isal", None)
    with_zlib = {kind: _lint(make(LOG)) for kind, make in STREAMS.items()}
    for outcome in (with_isal, with_zlib):  # the words after "data:" are each inflater's own
        found, stats, (error, words) = outcome["corrupt"]  # type: ignore[misc]
        outcome["corrupt"] = (found, stats, (error, words.split(": ")[0]))
    assert with_isal == with_zlib


def test_pieces_never_exceed_the_reader_buffer(inflater: str) -> None:
    """A gzip bomb is inflated a buffer at a time, whichever inflater."""
    bomb = gzip.compress(bytes(64 * 2**20), mtime=0)
    raw = detect._Inflated(io.BytesIO(bomb))
    buffer = bytearray(1 << 16)
    total = 0
    while size := raw.readinto(buffer):
        assert size <= len(buffer)
        total += size
    assert total == 64 * 2**20


def test_isal_errors_in_zlib_words() -> None:
    assert detect._zlib_words("Error -2 Invalid deflate symbol found") == (
        "Error -3 while decompressing data: invalid deflate symbol found"
    )
    assert detect._zlib_words("odd") == "Error -3 while decompressing data: odd"


def test_a_gzip_file_on_the_command_line(inflater: str, tmp_path: Path) -> None:
    path = tmp_path / "capture.jsonl.gz"
    path.write_bytes(STREAMS["truncated"](LOG))
    stats = Statistics()
    from validator.cli.run import findings
    from validator.cli.run_settings import RunSettings
    from validator.engine.options import Options

    err = io.StringIO()
    found = list(findings(RunSettings(paths=(str(path),), options=Options()), stats, err))
    assert found and stats.unreadable == [str(path)]
    assert err.getvalue() == (
        f"realtime-validator: error: cannot read {path}: Compressed file ended before the "
        "end-of-stream marker was reached\n"
    )
