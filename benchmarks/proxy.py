#!/usr/bin/env python3
"""The latency the proxy adds to 20 real-time sessions on loopback (SPEC: p99 under 5 ms).

Twenty clients each send a 20 ms pcm16 append every 20 ms for a few seconds to an upstream
server in this process, which answers each with a small server event. Each frame's one-way
time (client to upstream, upstream to client, on this process's clock) is measured straight
to the upstream, through a bare websockets relay (``peers/ws_relay.py``: the floor of a
Python proxy), and through ``realtime-validator proxy`` without and with ``--record`` (each a
process of its own), in interleaved rounds; the added p99 is each run's p99 minus the
straight run's of the same round, and the relay process's CPU share is printed beside it.

    python benchmarks/proxy.py [--sessions 20] [--seconds 4] [--rounds 3]
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


PROXY = ["{python}", "-m", "validator", "proxy", "--listen", "127.0.0.1:0"]
CONTENDERS = {
    "straight": None,
    "bare relay": ["{python}", "{peers}/ws_relay.py", "{upstream}"],
    "proxy": [*PROXY, "--upstream", "{upstream}"],
    "proxy --record": [*PROXY, "--upstream", "{upstream}", "--record", "{captures}"],
}
"""What the clients connect through; {placeholders} are filled per run."""


async def run(
    contender: str, sessions: int, seconds: float
) -> tuple[dict[str, list[float]], float | None]:
    """Return the one-way times (ms) of a run through ``contender``, and its CPU seconds."""
    arrivals: dict[str, float] = {}
    sent: dict[str, float] = {}
    back: list[float] = []
    audio = base64.b64encode(speech_like(CHUNK_SAMPLES)).decode("ascii")

    async def handler(ws: ServerConnection) -> None:
        await upstream_handler(ws, arrivals)

    cpu = None
    async with serve(handler, "127.0.0.1", 0, max_size=None, compression=None) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        upstream = f"ws://127.0.0.1:{port}"
        with tempfile.TemporaryDirectory() as captures:
            template = CONTENDERS[contender]
            relay = None
            target = upstream
            if template is not None:
                values = {
                    "python": sys.executable,
                    "peers": str(Path(__file__).parent / "peers"),
                    "upstream": upstream,
                    "captures": captures,
                }
                command = [part.format(**values) for part in template]
                relay = await asyncio.create_subprocess_exec(
                    *command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
                )
                assert relay.stderr is not None
                first = (await relay.stderr.readline()).decode()
                target = first.split("listening on ")[1].split(",")[0]
                before = proxy_cpu_seconds(relay.pid)
            await asyncio.gather(
                *(
                    session(target + "/v1/realtime", n, seconds, audio, sent, back)
                    for n in range(sessions)
                )
            )
            if relay is not None:
                after = proxy_cpu_seconds(relay.pid)
                if before is not None and after is not None:
                    cpu = after - before
                relay.send_signal(signal.SIGINT)
                await relay.wait()
                assert relay.returncode == 130, relay.returncode
                if "--record" in template:
                    lines = sum(len(p.read_text().splitlines()) for p in Path(captures).iterdir())
                    assert lines >= 2 * len(sent) + sessions, (lines, len(sent))
    there = [(arrivals[k] - t) * 1000 for k, t in sent.items() if k in arrivals]
    assert len(there) == len(sent), "frames lost"
    return {"client to upstream": there, "upstream to client": [b * 1000 for b in back]}, cpu


def main(argv: list[str] | None = None) -> int:
    """Print the percentiles; exit 1 where the recording proxy adds 5 ms or more at p99."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds, medians")
    args = parser.parse_args(argv)
    legs = ("client to upstream", "upstream to client")
    p50: dict[tuple[str, str], list[float]] = {}
    p99: dict[tuple[str, str], list[float]] = {}
    cpus: dict[str, list[float]] = {}
    for _ in range(args.rounds):
        for contender in CONTENDERS:
            times, cpu = asyncio.run(run(contender, args.sessions, args.seconds))
            if cpu is not None:
                cpus.setdefault(contender, []).append(cpu)
            for leg in legs:
                p50.setdefault((contender, leg), []).append(statistics.median(times[leg]))
                p99.setdefault((contender, leg), []).append(percentile(times[leg], 0.99))
    frames = args.sessions * int(args.seconds / CHUNK_SECONDS)
    print(
        f"{args.sessions} sessions x {args.seconds:g} s of 20 ms appends in real time "
        f"({frames:,} appends and as many answers a run), one-way ms, medians of "
        f"{args.rounds} interleaved rounds; load {' '.join(map(str, os.getloadavg()))}, "
        f"{os.cpu_count()} cores"
    )
    print(f"{'':16} {'leg':20} {'p50':>6} {'p99':>6} {'added p99':>9} {'relay CPU':>9}")
    worst = 0.0
    for contender in CONTENDERS:
        for leg in legs:
            mid = statistics.median(p50[(contender, leg)])
            high = statistics.median(p99[(contender, leg)])
            added = statistics.median(
                a - b for a, b in zip(p99[(contender, leg)], p99[("straight", leg)], strict=True)
            )
            cpu = statistics.median(cpus[contender]) if contender in cpus else None
            shown = "" if cpu is None else f"{cpu / args.seconds:8.0%}"
            print(f"{contender:16} {leg:20} {mid:6.2f} {high:6.2f} {added:+9.2f} {shown:>9}")
            if contender == "proxy --record":
                worst = max(worst, added)
    verdict = "PASS" if worst < 5 else "FAIL"
    print(f"{verdict}: the recording proxy adds under 5 ms at p99 (worst leg {worst:+.2f} ms)")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    raise SystemExit(main())
