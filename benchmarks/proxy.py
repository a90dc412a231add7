#!/usr/bin/env python3
"""The latency the proxy adds to 20 real-time sessions on loopback (SPEC: p99 under 5 ms).

Twenty clients each send a 20 ms pcm16 append every 20 ms for a few seconds to an upstream
server in this process, which answers each with a small server event. Each frame's one-way
time (client to upstream, upstream to client, on this process's clock) is measured straight
to the upstream, then through ``realtime-validator proxy`` (a process of its own, recording
every connection, the way it is meant to run); the added latency is the difference of the
two runs' percentiles, and the proxy's own percentiles are printed beside them.

    python benchmarks/proxy.py [--sessions 20] [--seconds 5] [--no-record]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from guard import CHUNK_SAMPLES, speech_like
from websockets.asyncio.client import connect
from websockets.asyncio.server import ServerConnection, serve

CHUNK_SECONDS = 0.020


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def proxy_cpu_seconds(pid: int) -> float | None:
    """Return the CPU seconds a process has used (Linux /proc), None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def upstream_handler(ws: ServerConnection, arrivals: dict[str, float]) -> None:
    """Answer like a server: session.created, then one small event per append."""
    created = {"type": "session.created", "event_id": "e0", "session": {"type": "realtime"}}
    await ws.send(json.dumps(created))
    async for message in ws:
        now = time.perf_counter()
        event = json.loads(message)
        event_id = event.get("event_id", "")
        arrivals[event_id] = now
        answer = {"type": "rate_limits.updated", "event_id": f"r{event_id}", "rate_limits": []}
        answer["sent_at"] = time.perf_counter()  # type: ignore[assignment]
        await ws.send(json.dumps(answer))


async def session(
    url: str, number: int, seconds: float, audio: str, sent: dict[str, float], back: list[float]
) -> None:
    """Stream appends in real time; keep the server events' one-way times."""
    async with connect(url, max_size=None, compression=None) as ws:
        await ws.recv()  # session.created

        async def read() -> None:
            async for message in ws:
                now = time.perf_counter()
                back.append(now - json.loads(message)["sent_at"])

        reader = asyncio.create_task(read())
        start = time.perf_counter() + number * CHUNK_SECONDS / 20  # spread the sessions
        ticks = int(seconds / CHUNK_SECONDS)
        for tick in range(ticks):
            await asyncio.sleep(max(0.0, start + tick * CHUNK_SECONDS - time.perf_counter()))
            event_id = f"s{number}-{tick}"
            text = json.dumps(
                {"type": "input_audio_buffer.append", "audio": audio, "event_id": event_id}
            )
            sent[event_id] = time.perf_counter()
            await ws.send(text)
        await asyncio.sleep(0.2)  # the last answers
        reader.cancel()


async def run(
    url_of: str | None, sessions: int, seconds: float, record: bool
) -> dict[str, list[float]]:
    """Return the one-way times (ms) of a run, straight or through a proxy process."""
    arrivals: dict[str, float] = {}
    sent: dict[str, float] = {}
    back: list[float] = []
    audio = base64.b64encode(speech_like(CHUNK_SAMPLES)).decode("ascii")

    async def handler(ws: ServerConnection) -> None:
        await upstream_handler(ws, arrivals)

    async with serve(handler, "127.0.0.1", 0, max_size=None, compression=None) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        upstream = f"ws://127.0.0.1:{port}"
        proxy = None
        with tempfile.TemporaryDirectory() as captures:
            if url_of is not None:
                command = [sys.executable, "-m", "validator", "proxy", "--listen", "127.0.0.1:0"]
                command += ["--upstream", upstream]
                if record:
                    command += ["--record", captures]
                proxy = await asyncio.create_subprocess_exec(
                    *command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
                )
                assert proxy.stderr is not None
                first = (await proxy.stderr.readline()).decode()
                target = first.split("listening on ")[1].split(",")[0]
            else:
                target = upstream
            await asyncio.gather(
                *(
                    session(target + "/v1/realtime", n, seconds, audio, sent, back)
                    for n in range(sessions)
                )
            )
            if proxy is not None:
                cpu = proxy_cpu_seconds(proxy.pid)
                if cpu is not None:
                    print(f"proxy CPU: {cpu:.2f} s over {seconds:g} s of traffic")
                proxy.send_signal(signal.SIGINT)
                await proxy.wait()
                assert proxy.returncode == 130, proxy.returncode
                lines = sum(len(p.read_text().splitlines()) for p in Path(captures).iterdir())
                if record:
                    assert lines >= 2 * len(sent), (lines, len(sent))
    there = [(arrivals[k] - t) * 1000 for k, t in sent.items() if k in arrivals]
    assert len(there) == len(sent), "frames lost"
    return {"client to upstream": there, "upstream to client": [b * 1000 for b in back]}


def main(argv: list[str] | None = None) -> int:
    """Print the percentiles; exit 1 where the proxy adds 5 ms or more at the 99th."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--no-record", action="store_true", help="the proxy records nothing")
    args = parser.parse_args(argv)
    straight = asyncio.run(run(None, args.sessions, args.seconds, False))
    proxied = asyncio.run(run("proxy", args.sessions, args.seconds, not args.no_record))
    frames = len(proxied["client to upstream"])
    print(
        f"{args.sessions} sessions x {args.seconds:g} s of 20 ms appends in real time: "
        f"{frames:,} appends; one-way ms, straight | through the proxy"
        f"{'' if args.no_record else ' (recording)'} | added; cores {os.cpu_count()}"
    )
    print(f"{'':20} {'p50':>17} {'p99':>17} {'max':>17}")
    worst = 0.0
    for leg in straight:
        row = []
        for pick in (statistics.median, lambda v: percentile(v, 0.99), max):
            a, b = pick(straight[leg]), pick(proxied[leg])
            row.append(f"{a:5.2f}|{b:5.2f}|{b - a:+5.2f}")
        worst = max(worst, percentile(proxied[leg], 0.99) - percentile(straight[leg], 0.99))
        print(f"{leg:20} {row[0]:>17} {row[1]:>17} {row[2]:>17}")
    verdict = "PASS" if worst < 5 else "FAIL"
    print(f"{verdict}: the proxy adds under 5 ms at p99 (worst leg {worst:+.2f} ms)")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    raise SystemExit(main())
