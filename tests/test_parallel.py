"""--jobs: the same findings, in the same order, with the same statistics as one process."""

from __future__ import annotations

import itertools
import os
import random
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, b64

from validator import parallel
from validator.cli import cli
from validator.lint import Options, Statistics, lint_records
from validator.sources.detect import records


@pytest.fixture(autouse=True)
def _small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "MIN_PARALLEL_BYTES", 1)
    monkeypatch.setattr(parallel, "_CHUNK_BYTES", 4096)


def _sequential(path: Path, options: Options) -> tuple[list[object], dict[str, object]]:
    stats = Statistics()
    with path.open("rb") as stream:
        found = list(
            lint_records(
                records(stream, str(path), options.max_record_bytes), options, stats, str(path)
            )
        )
    out = stats.to_dict()
    out.pop("seconds")
    return found, out


def _parallel(path: Path, options: Options, jobs: int) -> tuple[list[object], dict[str, object]]:
    stats = Statistics()
    found = list(parallel.lint_parallel(str(path), options, stats, str(path), jobs))
    out = stats.to_dict()
    out.pop("seconds")
    return found, out


def _capture(tmp_path: Path) -> Path:
    rng = random.Random(3)
    lines = ['\ufeff{"type":"session.update","session":{"turn_detection":null}}']
    for i in range(600):
        audio = b64(rng.randbytes(rng.randrange(1, 200) * 2))
        roll = rng.random()
        if roll < 0.05:
            audio = audio.replace("A", "-", 1) if "A" in audio else "-" + audio[1:]
        elif roll < 0.08:
            audio = b64(rng.randbytes(3))
        eid = f"evt_{i % 580}"
        lines.append(f'{{"type":"input_audio_buffer.append","event_id":"{eid}","audio":"{audio}"}}')
        if roll > 0.97:
            lines.append('{"type":"input_audio_buffer.commit"}')
        if roll > 0.99:
            lines.append("")
            lines.append('{"type":"session.update","session":{"input_audio_format":"g711_ulaw"}}')
        if 0.5 < roll < 0.51:
            lines.append('{"type":"input_audio_buffer.append","audio":"' + "A" * 3000 + '"}')
    path = tmp_path / "capture.jsonl"
    path.write_bytes(("\r\n".join(lines)).encode())  # CRLF, and no newline at the end
    return path


@pytest.mark.parametrize("jobs", [2, 3])
def test_generated_capture(tmp_path: Path, jobs: int) -> None:
    path = _capture(tmp_path)
    options = Options(max_record_bytes=2000)  # some lines are RT105
    expected = _sequential(path, options)
    assert any(v.rule == "RT105" for v in expected[0])  # type: ignore[attr-defined]
    assert len(expected[0]) > 40
    assert _parallel(path, options, jobs) == expected
    assert _parallel(path, Options(fast=False, max_record_bytes=2000), jobs) == expected


@pytest.mark.parametrize("name", ["session.jsonl", "formats.jsonl"])
def test_fixture_logs(name: str) -> None:
    path = FIXTURES / "logs" / name
    assert _parallel(path, Options(), 2) == _sequential(path, Options())


def test_chunks_hold_the_lines_that_start_in_them(tmp_path: Path) -> None:
    path = _capture(tmp_path)
    data = path.read_bytes()
    ranges = parallel.chunk_ranges(len(data), 2)
    assert len(ranges) > 10  # 4 KiB chunks here: lines cross their edges
    assert ranges[0][0] == 0 and ranges[-1][1] == len(data)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(ranges))
    starts = [0] + [i + 1 for i, byte in enumerate(data[:-1]) if byte == 10]
    for begin, end in ranges:
        items = parallel.scan_chunk((str(path), begin, end, 15 * 2**20, 24 * 2**20))
        inside = [start for start in starts if begin <= start < end]
        if not inside:
            assert items == []
            continue
        assert items[0].start == inside[0]
        assert items[-1].end == (data.find(b"\n", inside[-1]) + 1 or len(data))


def test_a_chunk_inside_one_long_line_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "long.jsonl"
    line = f'{{"type":"input_audio_buffer.append","audio":"{b64(bytes(30000))}"}}\n'.encode()
    path.write_bytes(line * 3)
    size = len(line)
    task = (str(path), size + 100, size + 200, 15 * 2**20, 24 * 2**20)
    assert parallel.scan_chunk(task) == []
    (only,) = parallel.scan_chunk((str(path), size - 1, size + 1, 15 * 2**20, 24 * 2**20))
    assert (only.start, only.end) == (size, 2 * size)


def test_cli_jobs_gives_the_same_output(tmp_path: Path) -> None:
    path = _capture(tmp_path)
    one = CliRunner().invoke(cli, ["lint", "--format", "jsonl", str(path)])
    two = CliRunner().invoke(cli, ["lint", "--format", "jsonl", "--jobs", "2", str(path)])
    assert one.exit_code == two.exit_code == 1
    assert one.stdout == two.stdout
    assert one.stderr.split(" in ")[0] == two.stderr.split(" in ")[0]


def test_small_or_compressed_inputs_stay_in_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _capture(tmp_path)
    assert parallel.eligible(str(path), 2)
    assert not parallel.eligible(str(path), 1)
    assert not parallel.eligible("-", 2)
    import gzip

    packed = tmp_path / "capture.jsonl.gz"
    packed.write_bytes(gzip.compress(path.read_bytes()))
    assert not parallel.eligible(str(packed), 2)
    doc = tmp_path / "events.json"
    doc.write_text("[]")
    assert not parallel.eligible(str(doc), 2)
    monkeypatch.setattr(parallel, "MIN_PARALLEL_BYTES", 10**9)
    assert not parallel.eligible(str(path), 2)


@pytest.mark.parametrize("block", [1, 100, 1000])
def test_lines_longer_than_a_read_block(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block: int
) -> None:
    from validator.sources import jsonl

    monkeypatch.setattr(jsonl, "_BLOCK", block)  # most lines finished by readline
    path = _capture(tmp_path)
    options = Options(max_record_bytes=2000)
    assert _parallel(path, options, 2) == _sequential(path, options)


def test_workers_are_reaped_when_the_reader_stops_early(tmp_path: Path) -> None:

    path = _capture(tmp_path)
    found = parallel.lint_parallel(str(path), Options(), Statistics(), str(path), 2)
    next(found)  # a first finding, then abandon the rest
    found.close()
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # no child left behind, not even a zombie


def test_a_failing_worker_is_an_error_not_a_hang(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _capture(tmp_path)

    main, scan_chunk = os.getpid(), parallel.scan_chunk

    def broken(task: parallel.Task, buffer: bytearray | None = None) -> list[parallel.Item]:
        if os.getpid() != main:
            raise MemoryError("worker died")
        return scan_chunk(task, buffer)  # this process scans its share

    monkeypatch.setattr(parallel, "scan_chunk", broken)
    with pytest.raises(OSError, match="a worker process ended early"):
        list(parallel.lint_parallel(str(path), Options(), Statistics(), str(path), 2))


def test_the_multiprocessing_road_gives_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # where a platform cannot fork, multiprocessing's pool does the scanning
    monkeypatch.setattr(parallel, "_scan_forked", parallel._scan_pool)
    path = _capture(tmp_path)
    options = Options(max_record_bytes=2000)
    assert _parallel(path, options, 2) == _sequential(path, options)
