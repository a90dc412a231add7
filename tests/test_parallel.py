"""--jobs: the same findings, in the same order, with the same statistics as one process."""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import os
import random
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, b64, capture_bytes
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_lint import _line_st
from test_only import lint_parallel, records

from validator.cli.app import cli
from validator.core.record import DEFAULT_MAX_RECORD_BYTES
from validator.core.statistics import Statistics
from validator.engine.fastroad import Checked
from validator.engine.linting import lint_records
from validator.engine.options import Options
from validator.scale import pool, protocol


@pytest.fixture(autouse=True)
def _small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(protocol, "MIN_PARALLEL_BYTES", 1)
    monkeypatch.setattr(protocol, "_CHUNK_BYTES", 4096)
    monkeypatch.setattr(protocol, "_PREPARE_MIN_BYTES", 0)  # short lines are read there too


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
    found = list(lint_parallel(str(path), options, stats, str(path), jobs))
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


def test_rejected_audio_is_counted_apart_as_one_process_counts_it(tmp_path: Path) -> None:
    from test_lint import _rejected_capture

    data, accepted, rejected = _rejected_capture()
    path = tmp_path / "capture.jsonl"
    created = b'{"type":"session.created","event_id":"s","session":{}}\n'  # pcm16 again
    path.write_bytes((created + data) * 20)  # chunks of 4 kB: the appends cut among many
    expected = _sequential(path, Options())
    assert expected[1]["rejected_audio_seconds"] == round(20 * rejected, 3)
    assert expected[1]["audio_seconds"] == round(20 * accepted, 3)
    assert _parallel(path, Options(), 2) == expected
    assert _parallel(path, Options(fast=False), 3) == expected


def test_audio_signal_findings_are_those_of_one_process(tmp_path: Path) -> None:
    """RT601-RT606 need a session's state to choose what to measure: the workers only scan,
    and this process measures what the replayed session asks for, read again from the file."""
    created = b'{"type":"session.created","event_id":"s","session":{}}\n'
    invalid = FIXTURES / "events" / "invalid"
    fixtures = sorted(p for n in range(601, 607) for p in (invalid / f"RT{n}").iterdir())
    path = tmp_path / "signal.jsonl"
    path.write_bytes(b"".join(created + capture_bytes(p) for p in fixtures) * 2)
    expected = _sequential(path, Options())
    codes = [v.rule for v in expected[0]]  # type: ignore[attr-defined]
    assert codes == [p.parent.name for p in fixtures] * 2
    for jobs in (2, 3):
        assert _parallel(path, Options(), jobs) == expected
    assert _parallel(path, Options(fast=False), 2) == expected


def _turns(tmp_path: Path) -> Path:
    """Return a capture of sessions of turns, each turn's appends at a level of its own, some
    silent, each turn committed: what the session measures after each commit varies."""
    rng = random.Random(5)
    lines = []
    for session in range(12):
        lines.append(f'{{"type":"session.created","event_id":"s{session}","session":{{}}}}')
        for _turn in range(rng.randrange(3, 9)):
            peak = rng.choice((0, 200, 400, 3000, 20000))
            for _ in range(rng.randrange(1, 30)):
                samples = [rng.randint(-peak, peak) for _ in range(480)]
                audio = b64(b"".join(v.to_bytes(2, "little", signed=True) for v in samples))
                lines.append(f'{{"type":"input_audio_buffer.append","audio":"{audio}"}}')
            lines.append('{"type":"input_audio_buffer.commit"}')
    path = tmp_path / "turns.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_the_level_after_a_commit_is_measured_in_the_worker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker measures the level of each run's first append where its audio is (the
    session measures it after each commit); this process reads again only those it wants more
    of than their level, and finds what one process finds, as without the workers' levels."""
    from validator.check.signal import ceiling
    from validator.engine.fastroad import Appends
    from validator.engine.heard import ScannedHeard

    path = _turns(tmp_path)
    expected = _sequential(path, Options())
    assert sum(v.rule == "RT605" for v in expected[0]) >= 3  # type: ignore[attr-defined]
    items = [
        item
        for begin, end in protocol.chunk_ranges(path.stat().st_size, 2)
        for item in protocol.scan_chunk((str(path), begin, end, 15 * 2**20, 2**20, True, True))
    ]
    runs = [item for item in items if type(item) is Appends]
    assert len(runs) >= 40
    data = path.read_bytes()
    for run in runs:
        line = data[run.start : data.index(b"\n", run.start)]
        assert run.level == ceiling(base64.b64decode(json.loads(line)["audio"]))
    read_again: list[int] = []
    line_of = ScannedHeard._line

    def counted(heard: ScannedHeard, index: int) -> bytes:
        read_again.append(index)
        return line_of(heard, index)

    monkeypatch.setattr(ScannedHeard, "_line", counted)
    assert _parallel(path, Options(), 2) == expected
    firsts = read_again.count(0)
    read_again.clear()
    assert _parallel(path, Options(), 3) == expected
    monkeypatch.setattr(protocol, "_levelled", lambda items, kept: items)  # no levels
    read_again.clear()
    assert _parallel(path, Options(), 2) == expected
    assert firsts < read_again.count(0) / 2


@pytest.mark.parametrize(
    "name", ["session.jsonl", "formats.jsonl", "spec_mismatch.jsonl", "realtime_ga_errors.jsonl"]
)
def test_fixture_logs(name: str) -> None:
    path = FIXTURES / "logs" / name
    assert _parallel(path, Options(), 2) == _sequential(path, Options())


def test_chunks_hold_the_lines_that_start_in_them(tmp_path: Path) -> None:
    path = _capture(tmp_path)
    data = path.read_bytes()
    ranges = protocol.chunk_ranges(len(data), 2)
    assert len(ranges) > 10  # 4 KiB chunks here: lines cross their edges
    assert ranges[0][0] == 0 and ranges[-1][1] == len(data)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(ranges))
    starts = [0] + [i + 1 for i, byte in enumerate(data[:-1]) if byte == 10]
    for begin, end in ranges:
        items = protocol.scan_chunk((str(path), begin, end, 15 * 2**20, 24 * 2**20, True, True))
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
    task = (str(path), size + 100, size + 200, 15 * 2**20, 24 * 2**20, True, True)
    assert protocol.scan_chunk(task) == []
    (only,) = protocol.scan_chunk(
        (str(path), size - 1, size + 1, 15 * 2**20, 24 * 2**20, True, True)
    )
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
    assert protocol.eligible(str(path), 2)
    assert not protocol.eligible(str(path), 1)
    assert not protocol.eligible("-", 2)
    import gzip

    packed = tmp_path / "capture.jsonl.gz"
    packed.write_bytes(gzip.compress(path.read_bytes()))
    assert not protocol.eligible(str(packed), 2)
    doc = tmp_path / "events.json"
    doc.write_text("[]")
    assert not protocol.eligible(str(doc), 2)
    monkeypatch.setattr(protocol, "MIN_PARALLEL_BYTES", 10**9)
    assert not protocol.eligible(str(path), 2)


@pytest.mark.parametrize("block", [1, 100, 1000])
def test_lines_longer_than_a_read_block(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block: int
) -> None:
    from validator.sources import jsonl

    monkeypatch.setattr(jsonl, "_BLOCK", block)  # most lines finished by readline
    path = _capture(tmp_path)
    options = Options(max_record_bytes=2000)
    assert _parallel(path, options, 2) == _sequential(path, options)


def _children() -> set[int] | None:
    """Return this process's child processes, zombies included (Linux), else None."""
    tasks = Path("/proc/self/task")
    if not tasks.is_dir():
        return None
    found: set[int] = set()
    for task in tasks.iterdir():
        with contextlib.suppress(OSError):
            found.update(int(pid) for pid in (task / "children").read_text().split())
    return found


def test_workers_are_reaped_when_the_reader_stops_early(tmp_path: Path) -> None:
    # children of other tests (multiprocessing's resource tracker) may live on: only the
    # workers forked here must be gone, not even a zombie left
    before = _children()
    path = _capture(tmp_path)
    found = lint_parallel(str(path), Options(), Statistics(), str(path), 2)
    next(found)  # a first finding, then abandon the rest
    assert before is None or len(_children() or ()) > len(before)  # a worker is running
    found.close()
    if before is not None:
        assert _children() == before
    else:
        with pytest.raises(ChildProcessError):
            os.waitpid(-1, os.WNOHANG)


def test_a_failing_worker_is_an_error_not_a_hang(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _capture(tmp_path)

    main, run_task = os.getpid(), pool.run_task

    def broken(task: protocol.Task, buffer: bytearray | None = None) -> protocol.Result:
        if os.getpid() != main:
            raise MemoryError("worker died")
        return run_task(task, buffer)  # this process scans its share

    monkeypatch.setattr(pool, "run_task", broken)
    with pytest.raises(OSError, match="a worker process ended early"):
        list(lint_parallel(str(path), Options(), Statistics(), str(path), 2))


@pytest.mark.parametrize("attempt", range(4))  # who claims which task varies: a few runs
def test_a_lost_worker_fails_every_input_it_leaves_unread_not_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, attempt: int
) -> None:
    """Small inputs batched one per task: once a worker is lost, each input still to come
    is an error that names it (exit 2), never a traceback (it was RuntimeError
    'generator raised StopIteration' at the next batch)."""
    from validator.scale import parallel

    names = [f"s{k}.jsonl" for k in range(4)]
    for name in names:
        (tmp_path / name).write_text('{"type":"input_audio_buffer.commit","event_id":"e"}\n' * 2)
    main, run_task = os.getpid(), pool.run_task

    def broken(task: protocol.Task, buffer: bytearray | None = None) -> protocol.Result:
        if os.getpid() != main:
            raise MemoryError("worker died")
        return run_task(task, buffer)

    monkeypatch.setattr(pool, "run_task", broken)
    monkeypatch.setattr(parallel.Executor, "batch_files", 1)
    result = CliRunner().invoke(
        cli, ["lint", "--isolated", "--format", "jsonl", "--jobs", "2", str(tmp_path)]
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    linted = {Path(json.loads(line)["source"]).name for line in result.stdout.splitlines()}
    failed = set(re.findall(r"cannot read \S*/(s\d\.jsonl): a worker", result.stderr))
    # each input linted, or named as failed (after the findings of what was read of it)
    assert linted | failed == set(names), (result.stdout, result.stderr)
    assert result.exit_code == (2 if failed else 1)


def test_the_multiprocessing_road_gives_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # where a platform cannot fork, multiprocessing's pool does the scanning
    monkeypatch.setattr(pool, "_forked", pool._pool)
    path = _capture(tmp_path)
    options = Options(max_record_bytes=2000)
    assert _parallel(path, options, 2) == _sequential(path, options)


# -- appends read in the workers (Checked items) ---------------------------------------------

_FORMAT_SWITCHES = [
    b'{"type":"session.update","session":{"input_audio_format":"g711_ulaw"}}\n',
    b'{"type":"session.update","session":{"input_audio_format":"pcm16"}}\n',
    b'{"type":"session.input_audio_buffer.append","audio":"AAA="}\n',  # translation: pcm16
    b'{"type":"session.input_audio_buffer.append","event_id":"evt_1","audio":"AA-A"}\n',
]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    lines=st.lists(st.one_of(_line_st, st.sampled_from(_FORMAT_SWITCHES)), min_size=1, max_size=30),
    limit=st.sampled_from([DEFAULT_MAX_RECORD_BYTES, 120]),
    first=st.sampled_from([b"", b"{}\n", b"\xef\xbb\xbf"]),  # the first line is never read there
)
def test_appends_read_in_the_workers_give_the_same(
    tmp_path: Path, lines: list[bytes], limit: int, first: bytes
) -> None:
    """Bad appends, read by a worker's half of the slow road and concluded here, give what
    one process gives, across format changes (pcm16 only is concluded; the rest is re-read),
    translation appends, repeated ids, RT105 and chunk edges anywhere."""
    path = tmp_path / "lines.jsonl"
    path.write_bytes(
        first + b"".join(line if line.endswith(b"\n") else line + b"\n" for line in lines)
    )
    options = Options(max_record_bytes=limit)
    assert _parallel(path, options, 2) == _sequential(path, options)


def test_worker_read_appends_are_concluded_here(tmp_path: Path) -> None:
    """The generated capture's bad appends come back as Checked items, not Slow ones."""
    path = _capture(tmp_path)
    items = [
        item
        for begin, end in protocol.chunk_ranges(path.stat().st_size, 2)
        for item in protocol.scan_chunk((str(path), begin, end, 15 * 2**20, 2000, True, True))
    ]
    checked = [item for item in items if isinstance(item, Checked)]
    assert sum(len(item.records) for item in checked) >= 20
    found = {rule for item in checked for record in item.records for rule, *_ in record.found}
    assert "RT301" in found


def test_short_lines_and_lines_with_many_findings_are_left_to_this_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A prepared record is a few hundred bytes: a worker reads only lines of a kilobyte or
    more with a few findings, so that its results stay a fraction of its chunk."""
    monkeypatch.setattr(protocol, "_PREPARE_MIN_BYTES", 1024)
    big_bad = '{"type":"input_audio_buffer.append","audio":"' + "A-" * 600 + '"}'
    many = (
        '{"type":"input_audio_buffer.append","audio":"'
        + "A" * 1200
        + '",'
        + ",".join(f'"x{k}":0' for k in range(5))
        + "}"
    )
    lines = ["{}", '{"type":"input_audio_buffer.append","audio":"A-A-"}', big_bad, many]
    path = tmp_path / "lines.jsonl"
    path.write_text("\n".join(lines) + "\n")
    items = protocol.scan_chunk((str(path), 0, path.stat().st_size, 15 * 2**20, 2**20, True, True))
    kinds = [(type(item).__name__, getattr(item, "lines", None)) for item in items]
    assert kinds == [("Slow", 2), ("Checked", None), ("Slow", 1)]
    assert _parallel(path, Options(), 2) == _sequential(path, Options())


# -- a file that changes under the workers (issue #21) -------------------------------------------


def _cut_capture(tmp_path: Path) -> tuple[Path, bytes, int]:
    """Return a capture in a g711 session (bad appends are read again here), its bytes, and
    the offset of the line boundary nearest its middle."""
    lines = ['{"type":"session.update","session":{"input_audio_format":"g711_ulaw"}}\n']
    for i in range(400):
        audio = b64(bytes(range(i % 7, 160 + i % 7)))
        if i % 9 == 0:
            audio = audio.replace("A", "-", 1) if "A" in audio else "-" + audio[1:]
        lines.append(f'{{"type":"input_audio_buffer.append","audio":"{audio}"}}\n')
    data = "".join(lines).encode()
    path = tmp_path / "capture.jsonl"
    path.write_bytes(data)
    return path, data, data.index(b"\n", len(data) // 2) + 1


def _assert_changed(result: Any, why: str, cut: int, data: bytes, path: Path) -> None:
    """Assert an exit 2 that says the file changed (``why``: a pattern), no traceback, and
    the findings of the lines before ``cut``, each as one process finds them."""
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code == 2
    errors = [line for line in result.stderr.splitlines() if "error:" in line]
    assert len(errors) == 1
    said = re.fullmatch(
        r"realtime-validator: error: cannot read .*capture\.jsonl: it changed while it was "
        rf"linted \(({why})\): lint it again",
        errors[0],
    )
    assert said is not None, errors
    kept = data[:cut].count(b"\n")
    args = ["lint", "--isolated", "--format", "jsonl", "--stdin-filename", str(path), "-"]
    one = CliRunner().invoke(cli, args, input=data)  # the whole file, by one process
    before = [line for line in one.stdout.splitlines() if json.loads(line)["line"] <= kept]
    assert len(before) > 10
    assert result.stdout.splitlines()[: len(before)] == before


def _jobs_2(path: Path) -> Any:
    return CliRunner().invoke(
        cli, ["lint", "--isolated", "--format", "jsonl", "--jobs", "2", str(path)]
    )


def test_a_file_cut_short_after_its_first_chunk_was_read_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, data, cut = _cut_capture(tmp_path)
    scan_chunk = protocol.scan_chunk

    def cut_after_the_first(task: protocol.ChunkTask, buffer: bytearray | None = None) -> Any:
        items = scan_chunk(task, buffer)
        if task[1] == 0:  # in whichever process read it: the others read the file cut
            os.truncate(path, cut)
        return items

    monkeypatch.setattr(protocol, "scan_chunk", cut_after_the_first)
    result = _jobs_2(path)
    why = f"{len(data):,} bytes when it was split, {cut:,} now"
    # which check sees it first depends on the workers' turns: a line read again and found
    # gone, one walked to for the audio-signal rules (filebytes), or the size stamped at the
    # split; each is the same error
    gone = r"|line [\d,]+ is gone|bytes [\d,]+ to [\d,]+ are gone"
    _assert_changed(result, re.escape(why) + gone, cut, data, path)
    # cut at a line's end, what is left is whole: one process passes it without an error
    alone = CliRunner().invoke(cli, ["lint", "--isolated", "--format", "jsonl", str(path)])
    assert alone.exit_code == 1 and "error:" not in alone.stderr


def test_lines_gone_before_they_are_read_again_are_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, data, cut = _cut_capture(tmp_path)
    ordered = pool.ordered

    def cut_after_every_scan(tasks: Any, jobs: int) -> Iterator[Any]:
        results = list(ordered(tasks, jobs))  # every chunk scanned whole
        os.truncate(path, cut)
        return iter(results)

    monkeypatch.setattr(pool, "ordered", cut_after_every_scan)
    result = _jobs_2(path)
    # a line read again as a record, or walked to for the audio-signal rules (filebytes)
    gone = r"line ([0-9,]+) is gone|bytes ([0-9,]+) to [0-9,]+ are gone"
    _assert_changed(result, gone, cut, data, path)
    line, offset = re.search(gone, result.stderr).groups()  # type: ignore[union-attr]
    if line is not None:
        assert int(line.replace(",", "")) > data[:cut].count(b"\n")
    else:
        assert int(offset.replace(",", "")) >= cut


def test_a_file_written_to_in_place_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, data, _ = _cut_capture(tmp_path)
    ordered = pool.ordered

    def rewrite_after_every_scan(tasks: Any, jobs: int) -> Iterator[Any]:
        results = list(ordered(tasks, jobs))
        with path.open("r+b") as f:  # the same size, another time
            f.seek(len(data) - 2)
            f.write(b" \n")
        stamp = path.stat()
        os.utime(path, ns=(stamp.st_atime_ns, stamp.st_mtime_ns + 10**9))
        return iter(results)

    monkeypatch.setattr(pool, "ordered", rewrite_after_every_scan)
    result = _jobs_2(path)
    _assert_changed(result, "written to, or replaced, after it was split", len(data), data, path)
