"""The guard: the real openai client, GA and beta, sync and async, against a fake Realtime
server on loopback; what it reports live is what ``lint`` finds in the capture it recorded."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import re
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fake_realtime import FakeRealtime
from openai import AsyncOpenAI, OpenAI

import validator
from validator import Guard, InvalidEventError, Violation

AUDIO_50MS = base64.b64encode(bytes(2400)).decode()  # pcm16 at 24 kHz


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeRealtime]:
    server = FakeRealtime().start()
    yield server
    server.stop()


def lint_capture(path: Path) -> list[str]:
    """Return the text lines of ``realtime-validator lint --event-pointer /event PATH``."""
    proc = subprocess.run(
        [sys.executable, "-m", "validator", "lint", "--event-pointer", "/event", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode in (0, 1) and "Traceback" not in proc.stderr, proc.stderr
    return proc.stdout.splitlines()


def received_types(fake: FakeRealtime, since: int) -> list[str]:
    return [json.loads(m)["type"] for m in fake.received[since:] if isinstance(m, str)]


def test_sync_ga_client_through_the_guard(fake: FakeRealtime, tmp_path: Path) -> None:
    """raise: a commit of 50 ms raises and never reaches the server; the rest goes through; a
    session.update the server would answer with unknown_parameter raises RT206 and is not
    sent either (the spec's schema, as lint checks it); the capture lints the same."""
    capture = tmp_path / "ga.jsonl"
    client = OpenAI(api_key="sk-test", websocket_base_url=fake.url + "/v1")
    since = len(fake.received)
    refused: list[InvalidEventError] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        manager = validator.guard(client.realtime.connect(model="gpt-realtime"), record=capture)
        with manager as connection:
            assert connection.recv().type == "session.created"
            connection.input_audio_buffer.append(audio=AUDIO_50MS)
            with pytest.raises(InvalidEventError) as info:
                connection.input_audio_buffer.commit()
            refused.append(info.value)
            connection.input_audio_buffer.append(audio=AUDIO_50MS)
            connection.input_audio_buffer.commit()  # 100 ms: RT405, a warning, sent
            assert connection.recv().type == "input_audio_buffer.committed"
            with pytest.raises(InvalidEventError) as info:
                connection.session.update(session={"type": "realtime", "bogus": 1})
            refused.append(info.value)
    assert received_types(fake, since) == [
        "input_audio_buffer.append",
        "input_audio_buffer.append",
        "input_audio_buffer.commit",
    ]
    assert [[v.rule for v in exc.violations] for exc in refused] == [["RT401"], ["RT206"]]
    assert "unknown_parameter" in refused[1].violations[0].message
    live = [f"{v.location()}: {v.rule} {v.message}" for v in refused[0].violations]
    live += [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
    live += [f"{v.location()}: {v.rule} {v.message}" for v in refused[1].violations]
    # the audio is zeros: the commit of its 100 ms is silent (RT605), as lint says too
    assert [line.split(": ")[1].split()[0] for line in live] == [
        "RT401",
        "RT605",
        "RT405",
        "RT206",
    ]
    assert sorted(live) == sorted(lint_capture(capture))
    lines = [json.loads(line) for line in capture.read_text().splitlines()]
    assert [line["direction"] for line in lines] == ["server"] + ["client"] * 4 + [
        "server",
        "client",
    ]
    assert [i for i, line in enumerate(lines) if line.get("blocked", False)] == [2, 6]
    assert all(isinstance(line["time"], float) for line in lines)
    assert [line["time"] for line in lines] == sorted(line["time"] for line in lines)


def test_async_client_through_the_guard(fake: FakeRealtime, tmp_path: Path) -> None:
    capture = tmp_path / "async.jsonl"
    client = AsyncOpenAI(api_key="sk-test", websocket_base_url=fake.url + "/v1")
    since = len(fake.received)

    async def talk() -> list[str]:
        seen = []
        async with validator.guard(
            client.realtime.connect(model="gpt-realtime"), on_error="warn", record=capture
        ) as connection:
            seen.append((await connection.recv()).type)
            await connection.input_audio_buffer.append(audio=AUDIO_50MS)
            await connection.input_audio_buffer.commit(event_id="c1")  # warned, sent, refused
            seen.append((await connection.recv()).type)
        return seen

    with pytest.warns(UserWarning) as caught:
        seen = asyncio.run(talk())
    assert seen == ["session.created", "error"]
    assert received_types(fake, since) == ["input_audio_buffer.append", "input_audio_buffer.commit"]
    live = [str(w.message) for w in caught]
    assert [line.split(": ")[1].split()[0] for line in live] == ["RT401", "RT501"]
    assert "where this linter reported a finding too" in live[1]  # RT501 names the commit
    assert live == lint_capture(capture)


def test_beta_client_and_an_open_connection(
    fake: FakeRealtime, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """guard() on a connection already open (beta); log reports to the validator.live logger."""
    capture = tmp_path / "beta.jsonl"
    client = OpenAI(api_key="sk-test", websocket_base_url=fake.url + "/v1")
    with client.beta.realtime.connect(model="gpt-4o-realtime-preview") as connection:
        connection = validator.guard(connection, on_error="log", record=capture)
        with caplog.at_level(logging.WARNING, logger="realtime-validator"):
            assert connection.recv().type == "session.created"
            connection.session.update(session={"input_audio_format": "g711_ulaw"})
            assert connection.recv().type == "session.updated"
            connection.input_audio_buffer.append(audio=base64.b64encode(bytes(400)).decode())
            connection.input_audio_buffer.commit()  # 50 ms of G.711: RT401
            assert connection.recv().error.code == "input_audio_buffer_commit_empty"
    assert fake.headers[-1]["openai-beta"] == "realtime=v1"
    live = [r.getMessage() for r in caplog.records if r.name == "realtime-validator"]
    assert [line.split(": ")[1].split()[0] for line in live] == ["RT401", "RT501"]
    assert "50 ms" in live[0]  # 400 bytes judged in the session's G.711 format
    assert live == lint_capture(capture)


def test_guard_for_any_transport() -> None:
    """Guard alone: dicts or text, both directions, findings returned; raise refuses errors."""
    guard = Guard(on_error="log")
    assert (
        guard.observe_incoming({"type": "session.created", "session": {"type": "realtime"}}) == []
    )
    assert guard.check_outgoing({"type": "input_audio_buffer.append", "audio": AUDIO_50MS}) == []
    (found,) = guard.check_outgoing('{"type": "input_audio_buffer.commit", "event_id": "e1"}')
    assert (found.rule, found.line, found.event_id, found.source) == ("RT401", 3, "e1", None)
    strict = Guard()
    with pytest.raises(InvalidEventError) as info:
        strict.check_outgoing(b'{"type": "input_audio_buffer.append", "audio": "AA-A"}')
    assert info.value.violations[0].rule == "RT301"
    guard.close()
    assert guard.statistics.records == 3 and guard.statistics.append_events == 1


def test_the_capture_is_written_while_the_guard_is_open(tmp_path: Path) -> None:
    """Lines reach the file while the connection lasts (a writer thread, a batch every few
    milliseconds), and all of them by the time the guard is closed."""
    capture = tmp_path / "c.jsonl"
    guard = Guard(on_error="log", record=capture)
    guard.check_outgoing({"type": "input_audio_buffer.append", "audio": AUDIO_50MS})
    guard.observe_incoming(b'{"type": "input_audio_buffer.committed", "item_id": "i"}')
    deadline = time.monotonic() + 10
    while capture.read_bytes().count(b"\n") < 2:  # still open
        assert time.monotonic() < deadline
        time.sleep(0.005)
    for n in range(500):
        guard.check_outgoing({"type": "input_audio_buffer.clear", "event_id": f"c{n}"})
    guard.close()
    lines = capture.read_text().splitlines()
    assert len(lines) == 502 and json.loads(lines[-1])["event"]["event_id"] == "c499"
    guard.check_outgoing('{\n"type": "input_audio_buffer.clear"\n}')  # after close: appended
    guard.close()
    last = capture.read_text().splitlines()[-1]
    assert json.loads(last)["event"] == {"type": "input_audio_buffer.clear"}
    assert '"event":{\t"type": "input_audio_buffer.clear"\t}' in last


def test_a_capture_that_cannot_be_written_says_so_on_close(tmp_path: Path) -> None:
    guard = Guard(on_error="log", record="/dev/full")  # every write: ENOSPC
    guard.check_outgoing({"type": "input_audio_buffer.clear"})
    with pytest.raises(OSError, match="capture /dev/full is incomplete"):
        guard.close()


@pytest.mark.parametrize(
    "frame",
    [
        '{"type": "input_audio_buffer.append", "audio": "AA',  # no JSON: the whole line's RT101
        '{"type": "input_audio_buffer.append", "audio": "AAAA", "x": 1}',
        '["not", "an", "object"]',
        '{"type": "input_audio_buffer.append", "audio": "\\u00e9t\\u00e9", "event_id": "é"}',
        "",
        '{"type":\r"input_audio_buffer.clear"}\r\n',  # a CR stays, an LF becomes a tab
        # openai-python's order (type, audio, event_id), read with the event_id first
        '{"type": "input_audio_buffer.append", "audio": "AAAA", "event_id": "e1"}',
        '{"type": "input_audio_buffer.append", "audio": "AA-A", "event_id": "e1"}',
        '{"type": "input_audio_buffer.append", "audio": "AAAA", "x": "y", "event_id": "e1"}',
        '{"type": "input_audio_buffer.append", "audio": "AAAA", "event_id": "a", "event_id": "b"}',
        '{"type": "input_audio_buffer.append", "audio": "AAAA", "event_id": "\\"q"}',
        '{"type": "input_audio_buffer.append", "audio": "AAA=", "event_id": "e1"}',  # RT303
        '{"type": "input_audio_buffer.append", "audio": "", "event_id": "e1"}',
    ],
)
@pytest.mark.parametrize("on_error", ["raise", "log"])
def test_odd_frames_lint_as_the_guard_saw_them(frame: str, on_error: Any, tmp_path: Path) -> None:
    capture = tmp_path / "odd.jsonl"
    live: list[Violation] = []  # report takes every finding, refused ones too
    guard = Guard(on_error=on_error, record=capture, report=live.append)
    for event in (frame, frame, '{"type": "input_audio_buffer.commit"}'):  # twice: RT402
        try:
            guard.check_outgoing(event)
        except InvalidEventError as refused:
            assert on_error == "raise" and set(refused.violations) <= set(live)
    guard.close()
    shown = [f"{v.location()}: {v.rule} {v.message}" for v in live]
    assert sorted(shown) == sorted(lint_capture(capture))


def test_the_readme_example_runs(
    fake: FakeRealtime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """README's Live example, as written, with a client of the fake server."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Live\n", 1)[1].split("\n## ", 1)[0]
    (example,) = re.findall(r"```python\n(.*?)```", section, re.S)
    monkeypatch.chdir(tmp_path)
    client = OpenAI(api_key="sk-test", websocket_base_url=fake.url + "/v1")
    since = len(fake.received)
    code = compile(example, "README.md", "exec")
    exec(code, {"validator": validator, "client": client, "chunk": AUDIO_50MS})
    (line,) = (tmp_path / "capture.jsonl").read_text().splitlines()
    assert json.loads(line)["event"] == {"type": "input_audio_buffer.append", "audio": AUDIO_50MS}
    eventually = time.monotonic() + 10
    while len(fake.received) == since:
        assert time.monotonic() < eventually
        time.sleep(0.01)
    assert received_types(fake, since) == ["input_audio_buffer.append"]


def test_guard_takes_only_a_realtime_connection() -> None:
    with pytest.raises(TypeError, match="Guard"):
        validator.guard(object())
    with pytest.raises(ValueError, match="on_error"):
        Guard(on_error="ignore")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "frame",
    [
        b'{"type": "input_audio_buffer.append", "audio": "AAAA", "event_id": "e1"}',
        b'{"type": "input_audio_buffer.append", "audio": "AA-A", "event_id": "e1"}',
        b'{"type": "input_audio_buffer.append", "audio": "AAAA", "x": "y", "event_id": "e1"}',
        b'{"type": "input_audio_buffer.append", "audio": "AAAA", "event_id": "a", "event_id": "b"}',
        b'{"type": "input_audio_buffer.append", "audio": "AAA=", "event_id": "e1"}',
        b'{"type": "input_audio_buffer.append", "audio": "AAAA", "event_id": "'
        + b"i" * 513
        + b'"}',
        b'{"type": "input_audio_buffer.append", "audio": "AAAA"}',
    ],
)
def test_id_first_is_accepted_exactly_when_the_frame_is(frame: bytes) -> None:
    """The guard reads openai-python's appends with the event_id first (``id_first``): the
    fast road must take that text exactly when it takes the frame as sent."""
    from validator.core.record import Record
    from validator.core.statistics import Statistics
    from validator.engine.driver import Linter
    from validator.engine.options import Options
    from validator.live.checkpoint import id_first

    as_sent = Linter(Options(), Statistics(), None).accept(Record(1, 0, frame))
    reordered = id_first(frame)
    assert Linter(Options(), Statistics(), None).accept(Record(1, 0, reordered)) == as_sent
    assert json.loads(reordered) == json.loads(frame) or not as_sent
