"""--jobs over many files: whole inputs and chunks of large ones in one pool, output identical
to --jobs 1 in every format (findings, order, statistics, errors, exit code)."""

from __future__ import annotations

import gzip
import io
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES, b64, capture_bytes, modules_after_lint

from validator.cli.options import FORMAT_NAMES
from validator.cli.run import run
from validator.cli.run_settings import RunSettings
from validator.core.record import SourceError
from validator.core.rules import Severity
from validator.core.statistics import Statistics
from validator.core.violation import Violation
from validator.engine.fastroad import Appends, Checked, Flagged, Prepared, Quiets, Slow
from validator.engine.linting import Outcome, lint_path
from validator.engine.options import Options
from validator.scale import parallel, pool, protocol
from validator.sources.inputs import LocalFile, StandardInput

APPEND = '{"type":"input_audio_buffer.append","event_id":"evt_%d","audio":"%s"}'


def _capture(rng: random.Random, lines: int) -> bytes:
    out = []
    for i in range(lines):
        audio = b64(rng.randbytes(rng.randrange(1, 300) * 2))
        roll = rng.random()
        if roll < 0.1:
            audio = audio.replace("A", "_", 1) if "A" in audio else "_" + audio[1:]
        elif roll < 0.13:
            audio = b64(rng.randbytes(3))  # an odd size
        out.append(APPEND % (i % (lines - 2), audio))  # two repeated ids: RT402
        if roll > 0.95:
            out.append('{"type":"input_audio_buffer.commit"}')
    return ("\n".join(out) + "\n").encode()


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A directory of many captures of every kind, one large enough to be split, one that
    cannot be opened and one whose gzip stream is cut short."""
    monkeypatch.setattr(protocol, "MIN_PARALLEL_BYTES", 200_000)
    monkeypatch.setattr(protocol, "_CHUNK_BYTES", 32_768)
    monkeypatch.setattr(pool, "AHEAD_PER_JOB", 2)  # the claims window refilled many times
    rng = random.Random(16)
    root = tmp_path / "captures"
    for day in ("2026-11-01", "2026-11-02"):
        folder = root / day
        folder.mkdir(parents=True)
        for k in range(25):
            data = _capture(rng, rng.randrange(3, 40))
            if k % 5 == 0:
                (folder / f"s{k:02d}.jsonl.gz").write_bytes(gzip.compress(data))
            else:
                (folder / f"s{k:02d}.jsonl").write_bytes(data)
    # over MIN_PARALLEL_BYTES: split; big-endian speech in it, measured as the replay asks
    big_endian = (FIXTURES / "events" / "invalid" / "RT604" / "big_endian.jsonl").read_bytes()
    created = b'{"type":"session.created","event_id":"s","session":{}}\n'
    (root / "big.jsonl").write_bytes(_capture(rng, 1500) + created + big_endian)
    signal = root / "signal"  # the audio-signal rules, one capture each (RT601-RT606)
    signal.mkdir()
    for k, fixture in enumerate(sorted((FIXTURES / "events" / "invalid").glob("RT60*/*"))):
        data = capture_bytes(fixture)
        name = fixture.name.removesuffix(".gz")
        if k % 3 == 0:
            (signal / f"{name}.gz").write_bytes(gzip.compress(data))
        else:
            (signal / name).write_bytes(data)
    assert (root / "big.jsonl").stat().st_size > 200_000
    (root / "session.har").write_bytes((FIXTURES / "har" / "session.har").read_bytes())
    for name in ("events.json.gz", "capture.jsonl.gz", "bom.jsonl"):
        (root / name).write_bytes((FIXTURES / "inputs" / name).read_bytes())
    array = (FIXTURES / "events" / "valid" / "array_of_events.json").read_bytes()
    (root / "array.json").write_bytes(array)
    (root / "empty.jsonl").write_bytes(b"")
    (root / "gone.jsonl").symlink_to(root / "nowhere.jsonl")  # cannot be opened: exit 2
    cut = gzip.compress(_capture(rng, 30))
    (root / "cut.jsonl.gz").write_bytes(cut[: len(cut) // 2])  # fails midway: exit 2
    return root


def _run(
    root: Path, jobs: int, fmt: str = "jsonl", statistics: bool = True
) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    settings = RunSettings(
        paths=(str(root),),
        options=Options(),
        output_format=fmt,
        jobs=jobs,
        statistics=statistics,
    )
    code = run(settings, out, err)
    text = out.getvalue()
    if fmt in ("json", "sarif"):  # times are the one thing that differs
        text = json.dumps(_no_seconds(json.loads(text)))
    elif fmt == "junit":
        import re

        text = re.sub(r'time="[^"]*"', "", text)
    summary = err.getvalue().replace(err.getvalue().split(" in ")[-1].split(";")[0], "")
    return code, text, summary


def _no_seconds(value: object) -> object:
    if isinstance(value, dict):
        return {k: _no_seconds(v) for k, v in value.items() if k != "seconds"}
    if isinstance(value, list):
        return [_no_seconds(v) for v in value]
    return value


@pytest.mark.parametrize("fmt", FORMAT_NAMES)
def test_every_format_is_identical_with_jobs(tree: Path, fmt: str) -> None:
    expected = _run(tree, 1, fmt)
    assert expected[0] == 2  # the unreadable inputs, and the rest linted
    assert expected[1]
    assert _run(tree, 2, fmt) == expected
    assert _run(tree, 3, fmt) == expected


def test_the_audio_signal_findings_are_among_them(tree: Path) -> None:
    found = [json.loads(line) for line in _run(tree, 2)[1].splitlines()]
    signal = {(Path(f["source"]).parent.name, f["rule"]) for f in found if f["rule"] >= "RT6"}
    rules = {f"RT{n}" for n in range(601, 607)}
    assert {rule for folder, rule in signal if folder == "signal"} == rules
    assert ("captures", "RT604") in signal  # big.jsonl, split and replayed


def test_jobs_0_is_every_core(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[int] = []
    real = parallel.Pooled.__init__

    def recording(self: parallel.Pooled, planned: object, pointer: object, jobs: int) -> None:
        seen.append(jobs)
        real(self, planned, pointer, jobs)  # type: ignore[arg-type]

    monkeypatch.setattr(parallel.Pooled, "__init__", recording)
    monkeypatch.setattr(pool, "cpu_count", lambda: 3)
    assert _run(tree, 0) == _run(tree, 1)
    assert seen == [3]


def test_the_unreadable_ones_are_reported_in_their_turn(tree: Path) -> None:
    code, out, _ = _run(tree, 2, "text", statistics=False)
    err = io.StringIO()
    run(RunSettings(paths=(str(tree),), options=Options(), jobs=2), io.StringIO(), err)
    lines = err.getvalue().splitlines()
    assert lines[:2] == [
        f"realtime-validator: error: cannot read {tree / 'cut.jsonl.gz'}: Compressed file ended "
        "before the end-of-stream marker was reached",
        f"realtime-validator: error: cannot read {tree / 'gone.jsonl'}: No such file or directory",
    ]
    assert code == 2 and out
    # what was read of the cut file before its end is linted and counted, as with --jobs 1
    _, text, _ = _run(tree, 2, "json")
    statistics = json.loads(text)["statistics"]
    assert statistics["unreadable"] == [str(tree / "cut.jsonl.gz"), str(tree / "gone.jsonl")]
    assert statistics["by_file"][str(tree / "cut.jsonl.gz")]["records"] > 10


def test_the_big_file_is_split_and_the_rest_are_whole(tree: Path) -> None:
    inputs = [LocalFile(str(p)) for p in sorted(tree.rglob("*")) if p.is_file()]
    executor = parallel.Pooled([(inp, Options()) for inp in inputs], None, 2)
    batches = [task for task in executor.tasks if isinstance(task, protocol.FileBatch)]
    assert sum(len(batch.files) for batch in batches) == len(inputs) - 1
    assert all(len(batch.files) <= executor.batch_files for batch in batches)
    assert len(executor.tasks) - len(batches) > 4  # the chunks of big.jsonl
    executor.close()


def test_standard_input_is_read_here_in_its_turn(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _capture(random.Random(5), 20)
    first, second = sorted(tree.glob("*/*.jsonl"))[:2]
    outs = []
    for jobs in (1, 2):
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
        out, err = io.StringIO(), io.StringIO()
        settings = RunSettings(
            paths=(str(first), "-", str(second)), options=Options(), jobs=jobs, stdin_name="in"
        )
        outs.append((run(settings, out, err), out.getvalue()))
    assert outs[0] == outs[1]
    assert "\nin:" in outs[0][1]


def _violation(**fields: object) -> Violation:
    return Violation(**fields)  # type: ignore[arg-type]


def test_results_travel_as_json_and_come_back_equal() -> None:
    stats = Statistics(files=1, records=7, bytes=10**12, seconds=0.1 + 0.2)
    stats.events_by_type.update({"b": 2, "a": 1})  # order kept: statistics lines read it
    stats.findings_by_rule.update({"RT301": 3})
    stats.add_audio({"pcm16": 1 / 3, "g711_ulaw": 2.0000000000000004}, 20.000000001, 500.5, 9)
    stats.unreadable.append("x")
    found = [
        _violation(rule="RT301", message="bad \u2028 \"quoted\"", pointer="/audio",
                   source=os.fsdecode(b"caf\xe9.jsonl"), line=3, column=7, event_id="e",
                   event_type="input_audio_buffer.append", offset=5),
        _violation(rule="RT101", message="m"),
        _violation(rule="RT601", message="rate", pointer="/audio", line=9, column=64,
                   level=Severity.ERROR),  # its evidence's severity, not the catalogue's
    ]  # fmt: skip
    outcome = Outcome(found, stats, ("read", "Input/output error"))
    line = protocol.encode_result(41, [outcome, outcome], batch=True)
    assert protocol.result_index(line) == 41
    back = protocol.decode_result(line)
    assert back == [outcome, outcome]
    assert [v.severity for v in back[0].found] == [Severity.ERROR, Severity.ERROR, Severity.ERROR]
    one = back[0]
    assert isinstance(one, Outcome)
    assert list(one.statistics.events_by_type) == ["b", "a"]
    assert one.statistics.audio_seconds == stats.audio_seconds
    items = [
        Appends(0, 10, 2, ["a", "b"], 30, 1, 20, [10, 20], 64),
        Flagged(10, 15, None, 3, 1, 45),
        Quiets(15, 20, ["input_audio_buffer.commit"], [None]),
        Slow(20, 30, 1),
        Checked(30, 40, [Prepared(30, 10, "input_audio_buffer.append", "e", 3, [], None)]),
    ]
    assert protocol.decode_result(protocol.encode_result(0, items, batch=False)) == items


def test_a_plain_lint_imports_no_network_or_cluster_module(tmp_path: Path) -> None:
    """The security boundary: without a URL or --dask, nothing that can reach the network
    is even imported, whatever --jobs says."""
    banned = ("socket", "ssl", "dask", "distributed", "fsspec", "s3fs", "pickle", "subprocess")
    banned += ("asyncio", "http", "urllib.request", "websockets", "openai")
    for jobs in ("1", "2"):
        args = ["lint", "--isolated", "-q", "-j", jobs, str(FIXTURES)]
        assert modules_after_lint(args, banned) == []


def test_import_validator_imports_no_network_module() -> None:
    """``validator.guard`` and ``validator.Guard`` are loaded when first used: importing the
    package (or naming the guard) opens no way to the network."""
    script = (
        "import sys, validator\n"
        "banned = ('socket', 'ssl', 'asyncio', 'websockets', 'openai', 'http')\n"
        "def seen(): return sorted(m for m in sys.modules if m.split('.')[0] in banned)\n"
        "print(seen())\n"
        "validator.guard, validator.Guard\n"
        "print(seen())\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert proc.stdout.splitlines() == ["[]", "[]"], proc.stderr


def test_inputs_are_plain_values() -> None:
    import pickle

    for inp in (LocalFile("a.jsonl"), StandardInput("x")):
        assert pickle.loads(pickle.dumps(inp)) == inp
    assert StandardInput().name == "<stdin>"
    assert LocalFile("a", "b").name == "b"


def test_each_input_gives_one_result_type_however_it_runs() -> None:
    """Linted here (``lint()``, the command line), by a ``--jobs`` worker or a Dask worker
    (the same task, its result sent as JSON), an input gives an ``engine.linting.Outcome``;
    read to the end, the three hold the same findings, statistics and failure."""
    options = Options()
    paths = [
        FIXTURES / "logs" / "session.jsonl",
        FIXTURES / "logs" / "realtime_ga_errors.jsonl",
        FIXTURES / "har" / "session.har",
        FIXTURES / "inputs" / "capture.jsonl.gz",
        FIXTURES / "inputs" / "bom.jsonl",
    ]
    for path in paths:
        here = lint_path(str(path), options)
        found = list(here.findings())
        worker = protocol.lint_file(protocol.FileTask(LocalFile(str(path)), options))
        line = protocol.encode_result(0, [worker], batch=True)
        (wire,) = protocol.decode_result(line)
        assert type(here) is type(worker) is type(wire) is Outcome, path
        assert found, path  # each has findings: the comparison says something
        assert list(worker.found) == list(wire.found) == found, path
        assert worker.failure is wire.failure is here.failure is None, path
        for stats in (worker.statistics, wire.statistics):
            mine, theirs = vars(here.statistics), vars(stats)
            timeless = {k: v for k, v in mine.items() if k != "seconds"}
            assert {k: theirs[k] for k in timeless} == timeless, path


def test_a_failure_noted_by_a_worker_is_raised_as_reading_here_raises_it() -> None:
    """A worker notes how reading failed; ``Outcome.findings`` raises it after the findings
    of what was read, as a read in this process would: SourceError when the input could not
    be opened, OSError (its words) when a read failed halfway."""
    found = [Violation("RT101", "m", source="x.jsonl", line=1, column=1)]
    for failure, raised in ((("open", "cannot open x"), SourceError), (("read", "EIO"), OSError)):
        (wire,) = protocol.decode_result(
            protocol.encode_result(0, [Outcome(found, Statistics(), failure)], batch=True)
        )
        read: list[Violation] = []
        with pytest.raises(raised) as caught:
            read.extend(wire.findings())
        assert read == found
        assert str(caught.value) == failure[1]
    missing = protocol.lint_file(protocol.FileTask(LocalFile("/nonexistent/x.jsonl"), Options()))
    assert missing.failure is not None and missing.failure[0] == "open"
