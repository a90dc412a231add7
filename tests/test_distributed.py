"""A Dask cluster (a scheduler and two worker processes on loopback) and S3 (moto's server on
127.0.0.1, read through s3fs with its endpoint from fsspec's environment configuration): the
findings of every way of reading the same captures are those of one local process."""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import os
import random
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, b64

from validator.cli.run import run
from validator.cli.run_settings import RunSettings
from validator.engine.options import Options

pytest.importorskip("distributed")
pytest.importorskip("s3fs")
pytest.importorskip("moto.server")

COMMAND = [shutil.which("realtime-validator") or "realtime-validator"]
BUCKET = "captures"
APPEND = '{"type":"input_audio_buffer.append","event_id":"evt_%d","audio":"%s"}\n'


def _capture(rng: random.Random, lines: int) -> bytes:
    out = []
    for i in range(lines):
        audio = b64(rng.randbytes(rng.randrange(1, 200) * 2))
        if rng.random() < 0.15:
            audio = audio.replace("A", "-", 1) if "A" in audio else "-" + audio[1:]
        out.append(APPEND % (i % (lines - 1), audio))
    return "".join(out).encode()


def _files() -> dict[str, bytes]:
    """The captures, by name below the prefix: every kind, one corrupt gzip."""
    rng = random.Random(7)
    files = {f"day1/s{k}.jsonl": _capture(rng, rng.randrange(2, 30)) for k in range(6)}
    files["day2/s.jsonl.gz"] = gzip.compress(_capture(rng, 40), mtime=0)
    files["day2/session.har"] = (FIXTURES / "har" / "session.har").read_bytes()
    files["day2/events.json.gz"] = (FIXTURES / "inputs" / "events.json.gz").read_bytes()
    # client events held to the spec's schemas, in three sessions (RT206, RT403, RT501)
    files["day2/spec_mismatch.jsonl"] = (FIXTURES / "logs" / "spec_mismatch.jsonl").read_bytes()
    for fixture in sorted((FIXTURES / "events" / "invalid").glob("RT60*/*")):  # RT601-RT606
        files[f"day2/{fixture.name}"] = fixture.read_bytes()
    corrupt = bytearray(gzip.compress(_capture(rng, 40), mtime=0))
    corrupt[10] ^= 0xFF
    files["day3/corrupt.jsonl.gz"] = bytes(corrupt)
    files["day3/notes.txt"] = b"not a capture: not listed\n"
    return files


@pytest.fixture(scope="module")
def s3() -> Iterator[str]:
    """moto's S3 on 127.0.0.1 with the captures; its endpoint in the environment, as a user
    would set it (FSSPEC_S3_ENDPOINT_URL, AWS_* keys): the workers started after inherit it."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    names = (
        "FSSPEC_S3_ENDPOINT_URL",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_DEFAULT_REGION",
    )
    saved = {name: os.environ.get(name) for name in names}
    os.environ.update(
        FSSPEC_S3_ENDPOINT_URL=f"http://{host}:{port}",
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION="us-east-1",
    )
    import fsspec.config

    fsspec.config.set_conf_env(fsspec.config.conf)  # this process imported fsspec earlier
    try:
        import boto3

        client = boto3.client("s3", endpoint_url=f"http://{host}:{port}")
        client.create_bucket(Bucket=BUCKET)
        for name, data in _files().items():
            client.put_object(Bucket=BUCKET, Key=f"2026-11/{name}", Body=data)
        yield f"s3://{BUCKET}/2026-11/"
    finally:
        server.stop()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        fsspec.config.conf.pop("s3", None)


@pytest.fixture(scope="module")
def cluster(s3: str) -> Iterator[Any]:
    """A scheduler and two worker processes on loopback, for this module's tests; closed
    after them, so that no test elsewhere finds a child process of this one alive."""
    import logging

    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            host="127.0.0.1",
            silence_logs=logging.ERROR,
        ) as local,
        Client(local) as client,
    ):
        yield client


@pytest.fixture(scope="module")
def local_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("lake") / "2026-11"
    for name, data in _files().items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return root


def _run(paths: tuple[str, ...], fmt: str = "jsonl", **more: Any) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    settings = RunSettings(paths=paths, options=Options(), output_format=fmt, **more)
    code = run(settings, out, err)
    return code, out.getvalue(), err.getvalue()


def _as_local(text: str, url: str, root: Path) -> str:
    return text.replace(url, f"{root}/")


def _no_seconds(text: str) -> object:
    document = json.loads(text)
    document["statistics"].pop("seconds")
    for stats in document["statistics"]["by_file"].values():
        stats.pop("seconds")
    return document


def test_s3_is_read_as_the_same_files_on_disk(s3: str, local_copy: Path) -> None:
    expected = _run((str(local_copy),))
    code, out, err = _run((s3,))
    assert expected[0] == code == 2  # the corrupt gzip; the rest linted
    assert expected[1].count("\n") > 20
    assert _as_local(out, s3, local_copy) == expected[1]
    assert _as_local(err.splitlines()[0], s3, local_copy) == expected[2].splitlines()[0]
    assert "corrupt gzip data (Error -3 while decompressing data:" in err


def test_dask_on_s3_gives_the_local_findings_in_order(
    s3: str, cluster: Any, local_copy: Path
) -> None:
    address = cluster.scheduler.address
    for fmt in ("jsonl", "json", "text"):
        expected = _run((str(local_copy),), fmt)
        code, out, err = _run((s3,), fmt, dask=address)
        assert code == expected[0] == 2
        if fmt == "json":
            assert _as_local(json.dumps(_no_seconds(out)), s3, local_copy) == json.dumps(
                _no_seconds(expected[1])
            )
        else:  # a URL is not read again to ask the fixer: its findings go unmarked ([*])
            assert _as_local(out, s3, local_copy) == expected[1].replace(" [*] ", " ")
        assert _as_local(err.splitlines()[0], s3, local_copy) == expected[2].splitlines()[0]


def test_dask_on_local_files_equals_one_process(cluster: Any, local_copy: Path) -> None:
    expected = _run((str(local_copy),), "json")
    code, out, _ = _run((str(local_copy),), "json", dask=cluster.scheduler.address)
    assert code == expected[0]
    assert _no_seconds(out) == _no_seconds(expected[1])
    stats = json.loads(out)["statistics"]  # the audio the server rejects, apart: the same
    assert stats["rejected_audio_seconds"] > 0 and stats["audio_seconds"] > 0
    assert {f"RT{n}" for n in range(601, 607)} <= set(stats["findings_by_rule"])


def test_a_missing_object_is_reported_and_the_rest_linted(s3: str, cluster: Any) -> None:
    missing = f"s3://{BUCKET}/2026-11/day1/nope.jsonl"
    code, out, err = _run((missing, s3 + "day1/"), dask=cluster.scheduler.address)
    assert code == 2
    assert err.splitlines()[0] == (
        f"realtime-validator: error: cannot read {missing}: No such file or directory"
    )
    assert {json.loads(line)["source"] for line in out.splitlines()} == {
        f"{s3}day1/s{k}.jsonl" for k in range(6)
    }


def test_globs_list_what_they_match(s3: str, local_copy: Path) -> None:
    code, out, _ = _run((s3 + "day1/s[12].jsonl",))
    assert code == 1
    sources = {json.loads(line)["source"] for line in out.splitlines()}
    assert sources <= {s3 + "day1/s1.jsonl", s3 + "day1/s2.jsonl"} and sources


def test_the_library_and_the_bag(s3: str, cluster: Any, local_copy: Path) -> None:
    import validator
    from validator.scale import distributed

    result = distributed.lint(s3 + "day1/", cluster)
    found = list(result)
    local = validator.lint(str(local_copy / "day1"))
    expected = list(local)
    assert [_as_local(json.dumps(v.to_dict()), s3, local_copy) for v in found] == [
        json.dumps(v.to_dict()) for v in expected
    ]
    assert result.statistics.records == local.statistics.records
    assert result.statistics.findings == len(found)
    bag = distributed.findings_bag(s3 + "day1/")
    rows = bag.compute(scheduler=cluster)
    assert rows == [v.to_dict() for v in found]
    assert bag.npartitions == 6  # one per capture
    assert bag.filter(lambda row: row["rule"] == "RT402").count().compute(scheduler=cluster) == (
        sum(v.rule == "RT402" for v in found)
    )


def test_a_worker_lost_mid_run_has_its_tasks_run_again(cluster: Any, tmp_path: Path) -> None:
    """One worker process killed once the tasks are out: the scheduler runs them again
    elsewhere (its nanny starts a new one), and the findings are those of one process."""
    from validator.scale.distributed import DaskExecutor
    from validator.sources.inputs import LocalFile

    rng = random.Random(11)
    paths = []
    for k in range(120):
        path = tmp_path / f"s{k:03d}.jsonl"
        path.write_bytes(_capture(rng, 200))
        paths.append(str(path))
    expected = _run(tuple(paths), "jsonl")[1]
    planned = [(LocalFile(path), Options()) for path in paths]
    executor = DaskExecutor(planned, None, cluster)
    import signal

    pids = cluster.run(os.getpid)  # worker address -> its process
    victim = pids[sorted(pids)[0]]
    found = []
    try:
        first = executor.outcome(0).findings()
        found.extend(first)  # every task is out now
        os.kill(victim, signal.SIGKILL)
        for position in range(1, len(paths)):
            found.extend(executor.outcome(position).findings())
    finally:
        executor.close()
    assert "".join(json.dumps(v.to_dict()) + "\n" for v in found) == expected
    # it was killed, and replaced: until the scheduler has dropped the dead worker's address,
    # asking every worker for its process can fail on it (under load, for a while)
    deadline = time.monotonic() + 60
    while True:
        try:
            cluster.wait_for_workers(2, timeout=60)
            alive = cluster.run(os.getpid).values()
        except Exception as error:  # CommClosedError, a timeout: the dead one is still listed
            alive, problem = (), error
        else:
            problem = None
            if victim not in alive and len(alive) == 2:
                break
        assert time.monotonic() < deadline, (victim, list(alive), problem)
        time.sleep(0.2)


def test_a_scheduler_out_of_reach_is_one_error(local_copy: Path) -> None:
    import dask

    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        code, out, err = _run((str(local_copy / "day1"),), dask="tcp://127.0.0.1:9")
    assert (code, out) == (2, "")
    first = err.splitlines()[0]
    assert first.startswith("realtime-validator: error: --dask tcp://127.0.0.1:9: ")
    assert len([line for line in err.splitlines() if "error:" in line]) == 1


def test_dask_missing_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    from validator.cli.settings import UsageProblem, settle

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "distributed" else real(name)
    )
    from validator.cli.options import DEFAULTS

    with pytest.raises(UsageProblem, match=r"needs dask: pip install '\.\[dask\]' in a clone"):
        settle({**DEFAULTS, "dask": "local", "isolated": True}, {"dask"})


# -- Ctrl-C during --dask local (issue #21) ------------------------------------------------------


def _group_alive(group: int) -> list[str]:
    """Return the processes of ``group`` still running (zombies are not: they have ended)."""
    import psutil

    alive = []
    for proc in psutil.process_iter(["pid", "status", "cmdline"]):
        with contextlib.suppress(psutil.Error, OSError):  # a process gone meanwhile
            if os.getpgid(proc.pid) == group and proc.info["status"] != psutil.STATUS_ZOMBIE:
                alive.append(" ".join(proc.info["cmdline"] or [])[:120])
    return alive


@pytest.mark.parametrize("when", ["starting", "linting"])
def test_ctrl_c_during_dask_local_is_aborted_and_leaves_no_worker(
    tmp_path: Path, when: str
) -> None:
    pytest.importorskip("psutil")
    line = APPEND % (0, b64(bytes(range(256)) * 4))
    for k in range(100):  # RT402 on every line after the first: megabytes of findings, so
        # that the run waits for this test to read them, and is still running when it is told
        (tmp_path / f"s{k:03d}.jsonl").write_text(line * 300)
    proc = subprocess.Popen(
        [*COMMAND, "lint", "--isolated", "--format", "jsonl", "--dask", "local", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # a group of its own, as a terminal's Ctrl-C reaches
    )
    try:
        assert proc.stdout is not None
        if when == "starting":  # its first child process: the cluster is being started
            deadline = time.monotonic() + 30
            while len(_group_alive(proc.pid)) < 2 and time.monotonic() < deadline:
                time.sleep(0.01)
        else:
            first = proc.stdout.readline()  # a finding: the cluster is up, its workers linting
            assert json.loads(first)["rule"] == "RT402"
            assert len(_group_alive(proc.pid)) >= 3  # this process and two workers, at least
        assert proc.poll() is None
        os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 130
    assert b"Traceback" not in err and b"Error" not in err, err.decode()[-2000:]
    assert err == b"\nAborted!\n"
    deadline = time.monotonic() + 10
    while _group_alive(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.1)  # the fork server leaves once this process has: it sees its pipe close
    assert _group_alive(proc.pid) == []


# -- a name with glob characters (issue #21) ------------------------------------------------------

BAD = b'{"type":"input_audio_buffer.append","audio":"AA-A"}\n'  # RT301
GOOD = b'{"type":"input_audio_buffer.append","audio":"AAAA"}\n'  # RT306, a warning


def _command(*args: str) -> tuple[int, list[tuple[str, str]], str]:
    """Run the installed command on ``args``: exit code, (source, rule) of each finding,
    standard error."""
    proc = subprocess.run(
        [*COMMAND, "lint", "--isolated", "--format", "jsonl", *args],
        capture_output=True,
        timeout=120,
    )
    found = [json.loads(line) for line in proc.stdout.splitlines()]
    return proc.returncode, [(f["source"], f["rule"]) for f in found], proc.stderr.decode()


@pytest.fixture(scope="module")
def brackets(s3: str) -> str:
    """Objects ``a[1].jsonl`` (an error) and ``a1.jsonl`` (a warning) beside each other."""
    import boto3

    client = boto3.client("s3", endpoint_url=os.environ["FSSPEC_S3_ENDPOINT_URL"])
    client.put_object(Bucket=BUCKET, Key="brackets/a[1].jsonl", Body=BAD)
    client.put_object(Bucket=BUCKET, Key="brackets/a1.jsonl", Body=GOOD)
    return f"s3://{BUCKET}/brackets/"


def _bracket_files(tmp_path: Path) -> str:
    (tmp_path / "a[1].jsonl").write_bytes(BAD)
    (tmp_path / "a1.jsonl").write_bytes(GOOD)
    return f"file://{tmp_path}/"


@pytest.mark.parametrize("where", ["s3", "file"])
def test_a_name_that_exists_is_never_a_glob(brackets: str, tmp_path: Path, where: str) -> None:
    prefix = brackets if where == "s3" else _bracket_files(tmp_path)
    exact = prefix + "a[1].jsonl"
    code, found, err = _command(exact)
    assert (code, found) == (1, [(exact, "RT301")])
    assert "error:" not in err and "; 1 finding (1 error" in err
    # a name that is not there is still a glob: [12] matches a1
    assert _command(prefix + "a[12].jsonl")[:2] == (0, [(prefix + "a1.jsonl", "RT306")])
    assert _command(prefix + "a*.jsonl")[:2] == (
        1,
        [(prefix + "a1.jsonl", "RT306"), (exact, "RT301")],
    )
    code, found, err = _command(prefix + "b[1].jsonl")  # neither a name nor a match
    assert (code, found) == (2, [])
    assert f"realtime-validator: error: no inputs found in {prefix}b[1].jsonl: " in err
