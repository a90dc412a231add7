#!/usr/bin/env python3
"""What the guard adds to openai-python's send of a 20 ms pcm16 append (SPEC: at most 10 us).

openai-python's own ``RealtimeConnection`` (GA, and beta) over a websocket whose ``send`` does
nothing: ``connection.input_audio_buffer.append(audio=..., event_id=...)`` with and without
``validator.guard``, interleaved rounds, medians of this thread's CPU time (on a shared
machine, wall time also counts the other processes' turns). The difference of two sends of
some hundred microseconds is noisy, so the guard's own cost is also measured directly: the
guarded websocket's ``send`` against the bare one's, on the very text the SDK wrote.

    python benchmarks/guard.py [--rounds 15] [--number 2000] [--record]
"""

from __future__ import annotations

import argparse
import base64
import itertools
import math
import statistics
import struct
import tempfile
import time
import timeit
from collections.abc import Callable
from pathlib import Path
from typing import Any

from openai.resources.beta.realtime.realtime import RealtimeConnection as BetaConnection
from openai.resources.realtime.realtime import RealtimeConnection

import validator

CHUNK_SAMPLES = 480  # 20 ms at 24 kHz: 960 bytes of pcm16, 1,280 characters of base64


def speech_like(samples: int) -> bytes:
    """Return pcm16 that looks like voiced speech: harmonics under a syllable envelope."""
    out = []
    for i in range(samples):
        t = i / 24_000
        envelope = 0.5 + 0.5 * math.sin(2 * math.pi * 4 * t)
        voice = sum(math.sin(2 * math.pi * 140 * k * t) / k for k in range(1, 6))
        out.append(int(6_000 * envelope * voice))
    return struct.pack(f"<{samples}h", *out)


class NullSocket:
    """A websocket that sends nothing and receives one session.created."""

    def __init__(self) -> None:
        self.last: Any = None

    def send(self, message: Any, *args: Any, **kwargs: Any) -> None:
        self.last = message

    def recv(self, *args: Any, **kwargs: Any) -> bytes:
        return b'{"type":"session.created","event_id":"e0","session":{"type":"realtime"}}'

    def close(self, *args: Any, **kwargs: Any) -> None:
        pass


def median_us(rounds: list[float], number: int) -> float:
    return statistics.median(rounds) / number * 1e6


def measure(
    contenders: dict[str, Callable[[], object]], rounds: int, number: int
) -> dict[str, float]:
    """Return each contender's median microseconds a call, rounds interleaved."""
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(rounds):
        for name, call in contenders.items():
            times[name].append(timeit.Timer(call, timer=time.thread_time).timeit(number))
    return {name: median_us(t, number) for name, t in times.items()}


def main(argv: list[str] | None = None) -> int:
    """Print the table; exit 1 where the guard adds more than 10 us to the SDK's send."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--number", type=int, default=2000)
    parser.add_argument("--record", action="store_true", help="the guard also writes a capture")
    args = parser.parse_args(argv)
    audio = base64.b64encode(speech_like(CHUNK_SAMPLES)).decode("ascii")
    ids = itertools.count()
    temp = tempfile.TemporaryDirectory()
    contenders: dict[str, Callable[[], object]] = {}
    direct: dict[str, Callable[[], object]] = {}
    for api, connection_type in (("GA", RealtimeConnection), ("beta", BetaConnection)):
        plain = connection_type(NullSocket())  # type: ignore[arg-type]
        record = Path(temp.name, f"{api}.jsonl") if args.record else None
        guarded = validator.guard(connection_type(NullSocket()), on_error="raise", record=record)  # type: ignore[arg-type]
        guarded.recv()
        for name, connection in (("SDK", plain), ("SDK + guard", guarded)):
            append = connection.input_audio_buffer.append

            def call(append: Any = append) -> None:
                append(audio=audio, event_id=f"evt_{next(ids)}")

            contenders[f"{api}: {name}"] = call
        # the guard's own cost: its websocket's send against the bare one, on the SDK's text
        bare = NullSocket()
        plain.input_audio_buffer.append(audio=audio, event_id="evt_x")
        text = plain._connection.last
        socket = guarded._connection
        head, tail = text.split('"evt_x"')

        def bare_send(send: Any = bare.send, head: str = head, tail: str = tail) -> None:
            send(f'{head}"e{next(ids)}"{tail}')

        def guarded_send(send: Any = socket.send, head: str = head, tail: str = tail) -> None:
            send(f'{head}"e{next(ids)}"{tail}')

        direct[f"{api}: websocket send"] = bare_send
        direct[f"{api}: websocket send + guard"] = guarded_send
    sends = measure(contenders, args.rounds, args.number)
    own = measure(direct, args.rounds, args.number * 5)
    temp.cleanup()
    print(
        f"20 ms pcm16 append ({len(audio):,} characters of base64): this thread's CPU time a "
        f"call, medians of {args.rounds} interleaved rounds"
    )
    print(f"{'':32} {'us/call':>9}")
    for name, us in {**sends, **own}.items():
        print(f"{name:32} {us:9.2f}")
    worst = 0.0
    for api in ("GA", "beta"):
        sdk, guarded_us = sends[f"{api}: SDK"], sends[f"{api}: SDK + guard"]
        added = own[f"{api}: websocket send + guard"] - own[f"{api}: websocket send"]
        worst = max(worst, added)
        print(
            f"{api}: the guard adds {added:.2f} us to the SDK's send of {sdk:.1f} us "
            f"(ratio {(sdk + added) / sdk:.3f}); the two sends' medians differ by "
            f"{guarded_us - sdk:+.1f} us (ratio {guarded_us / sdk:.3f})"
        )
    verdict = "PASS" if worst <= 10 else "FAIL"
    print(f"{verdict}: the guard adds at most 10 us to a 20 ms append (worst {worst:.2f} us)")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    raise SystemExit(main())
