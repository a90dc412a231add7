"""``realtime-validator proxy``, run as a process on loopback between the real openai client (or
a bare websocket) and a fake Realtime server: headers pass, findings print as they happen and
lint the same from the capture, ``--block`` answers as the server would, a side that drops
loses nothing, Ctrl-C exits 130 without a traceback."""

from __future__ import annotations

import base64
import json
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fake_realtime import FakeRealtime
from openai import OpenAI
from test_live_guard import lint_capture
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

AUDIO_50MS = base64.b64encode(bytes(2400)).decode()


class Proxy:
    """A running proxy process: its URL, and its output once it has stopped."""

    def __init__(self, process: subprocess.Popen[str], url: str) -> None:
        self.process = process
        self.url = url
        self.out = ""
        self.err = ""

    def stop(self) -> int:
        """Press Ctrl-C; return the exit code, keeping what it printed."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        out, err = self.process.communicate(timeout=30)
        self.out += out
        self.err += err
        return self.process.returncode


@contextmanager
def proxy(upstream: str, *args: str) -> Iterator[Proxy]:
    """Run ``realtime-validator proxy --listen 127.0.0.1:0 --upstream UPSTREAM ARGS``."""
    command = [sys.executable, "-m", "validator", "proxy", "--listen", "127.0.0.1:0"]
    process = subprocess.Popen(
        [*command, "--upstream", upstream, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        first = process.stderr.readline()
        assert "listening on ws://127.0.0.1:" in first, first + process.stderr.read()
        running = Proxy(process, first.split("listening on ")[1].split(",")[0])
        running.err = first
        yield running
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate(timeout=30)


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeRealtime]:
    server = FakeRealtime().start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def no_drop(fake: FakeRealtime) -> Iterator[None]:
    yield
    fake.drop_after = None


def eventually(check: Callable[[], bool], seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def capture_of(directory: Path) -> Path:
    (capture,) = directory.glob("*.jsonl")
    return capture


def test_the_sdk_through_the_proxy(fake: FakeRealtime, tmp_path: Path) -> None:
    """Headers pass both ways; findings print as they happen, and lint the same."""
    record = tmp_path / "captures"
    with proxy(fake.url, "--record", str(record)) as running:
        client = OpenAI(api_key="sk-proxy", websocket_base_url=running.url + "/v1")
        with client.beta.realtime.connect(model="gpt-4o-realtime-preview") as connection:
            assert connection.recv().type == "session.created"
            connection.session.update(session={"input_audio_format": "g711_ulaw"})
            assert connection.recv().type == "session.updated"
            connection.input_audio_buffer.append(audio=base64.b64encode(bytes(400)).decode())
            connection.input_audio_buffer.commit(event_id="c1")
            error = connection.recv()
            assert error.type == "error" and error.error.code == "input_audio_buffer_commit_empty"
            assert error.error.message.endswith("buffer only has 50.00ms of audio.")
        assert running.stop() == 130
    headers = fake.headers[-1]
    assert headers["authorization"] == "Bearer sk-proxy"
    assert headers["openai-beta"] == "realtime=v1"
    assert headers[":path"] == "/v1/realtime?model=gpt-4o-realtime-preview"
    printed = running.out.splitlines()
    assert [line.split(": ")[1].split()[0] for line in printed] == ["RT401", "RT501"]
    assert printed == lint_capture(capture_of(record))
    assert "closed by the client: 6 events, 2 findings" in running.err
    assert "Traceback" not in running.err


def test_block_answers_as_the_server_does(fake: FakeRealtime, tmp_path: Path) -> None:
    """A rejected event is not forwarded; the client gets the server's kind of error event."""
    record = tmp_path / "captures"
    since = len(fake.received)
    with proxy(fake.url, "--record", str(record), "--block") as running:
        client = OpenAI(api_key="sk-test", websocket_base_url=running.url + "/v1")
        with client.realtime.connect(model="gpt-realtime") as connection:
            assert connection.recv().type == "session.created"
            connection.input_audio_buffer.append(audio=AUDIO_50MS)
            connection.input_audio_buffer.commit(event_id="c1")
            error = connection.recv()
            assert error.type == "error" and error.event_id.startswith("event_")
            assert error.error.type == "invalid_request_error"
            assert error.error.code == "input_audio_buffer_commit_empty"
            assert (error.error.event_id, error.error.param) == ("c1", None)
            assert "RT401" in error.error.message
            beta_field = {"type": "realtime", "modalities": ["text"]}  # RT404 in a GA session
            connection.send({"type": "session.update", "event_id": "u1", "session": beta_field})
            error = connection.recv()
            assert (error.error.code, error.error.param) == (
                "unknown_parameter",
                "session.modalities",
            )
        assert running.stop() == 130
    sent = [json.loads(m)["type"] for m in fake.received[since:]]
    assert sent == ["input_audio_buffer.append"]  # neither the commit nor the update
    lines = [json.loads(line) for line in capture_of(record).read_text().splitlines()]
    assert [line.get("blocked", False) for line in lines] == [False, False, True, True]
    assert running.out.splitlines() == lint_capture(capture_of(record))


@pytest.mark.parametrize("side", ["client", "upstream"])
def test_a_side_that_drops_loses_nothing(fake: FakeRealtime, tmp_path: Path, side: str) -> None:
    """Every frame the proxy took is in the capture, whichever side drops without a close."""
    record = tmp_path / "captures"
    since = len(fake.received)
    if side == "upstream":
        fake.drop_after = 5
    sent = []
    with proxy(fake.url, "--record", str(record)) as running:
        with connect(running.url + "/v1/realtime?model=gpt-realtime") as ws:
            assert json.loads(ws.recv())["type"] == "session.created"
            try:
                for n in range(20):
                    event = {"type": "input_audio_buffer.append", "event_id": f"a{n}", "audio": ""}
                    ws.send(json.dumps(event))
                    sent.append(f"a{n}")
                    time.sleep(0.01)
            except ConnectionClosed:
                assert side == "upstream"
            if side == "client":
                ws.socket.shutdown(2)  # no close frame: the connection just drops
                eventually(lambda: len(fake.received) - since == 20)
            else:
                with pytest.raises(ConnectionClosed):
                    ws.recv(timeout=10)
        assert running.stop() == 130
    assert f"closed by the {side}" in running.err and "Traceback" not in running.err
    events = [json.loads(line)["event"] for line in capture_of(record).read_text().splitlines()]
    recorded = [e["event_id"] for e in events if e["type"] == "input_audio_buffer.append"]
    forwarded = [json.loads(m)["event_id"] for m in fake.received[since:]]
    assert recorded == sent[: len(recorded)] and forwarded == recorded[: len(forwarded)]
    assert len(recorded) == (20 if side == "client" else len(recorded)) >= 5
    if side == "upstream":
        assert len(forwarded) == 5


def test_ctrl_c_closes_open_connections_and_their_captures(
    fake: FakeRealtime, tmp_path: Path
) -> None:
    record = tmp_path / "captures"
    url = "/v1/realtime?model=gpt-realtime"
    with proxy(fake.url, "--record", str(record)) as running, connect(running.url + url) as ws:
        assert json.loads(ws.recv())["type"] == "session.created"
        ws.send(json.dumps({"type": "input_audio_buffer.append", "audio": AUDIO_50MS}))
        eventually(lambda: capture_of(record).read_text().count("\n") == 2)
        assert running.stop() == 130
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=10)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1001
    assert "Traceback" not in running.err and "stopped (Ctrl-C)" in running.err
    assert "closed by the client" in running.err or "closed by the upstream" in running.err
    assert len(capture_of(record).read_text().splitlines()) == 2


def test_an_unreachable_upstream_refuses_the_handshake(tmp_path: Path) -> None:
    with proxy("ws://127.0.0.1:9") as running:  # the discard port: nothing listens
        with pytest.raises(InvalidStatus) as refused, connect(running.url + "/v1/realtime"):
            pass
        assert refused.value.response.status_code == 502
        assert running.stop() == 130
    assert "cannot reach upstream" in running.err and "Traceback" not in running.err


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--listen", "8765", "--upstream", "wss://api.openai.com"], "is not HOST:PORT"),
        (["--listen", "127.0.0.1:8765", "--upstream", "https://x"], "is not a ws:// or wss://"),
    ],
)
def test_usage_errors(args: list[str], says: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "validator", "proxy", *args], capture_output=True, text=True
    )
    assert proc.returncode == 2 and says in proc.stderr and "Traceback" not in proc.stderr
