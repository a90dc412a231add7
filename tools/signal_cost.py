"""Measure what the audio-signal rules (RT601-RT606) cost: per append, per MB, and on a corpus.

    python tools/signal_cost.py                       # timeit, on speech (espeak-ng + sox)
    python tools/signal_cost.py /path/to/mixed.jsonl  # and the added time on a capture

Per call: ``SignalEvidence.feed`` when nothing is measured (the steady state), and
``signal.features`` at each detail, for 20 ms, 100 ms and 1 s pcm16 chunks of speech. Per
session: a 10-minute stream in each chunk size with a commit every 5 s, written as a JSONL
capture. On a capture (those sessions, or the paths given): every append decoded first (the
lint decodes them anyway), then the time the rules add to a walk over them, driven as the
engine drives them, beside the lint's own time for the file (``validator.lint``, in-process).
CPU time throughout, so that other processes on the machine count less; the lint and the rules
side by side, ``ROUNDS`` times, and the round with the median ratio reported.
"""

from __future__ import annotations

import base64
import json
import re
import sys
import tempfile
import time
import timeit
from collections.abc import Callable, Iterator
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[1] / part) for part in ("", "tests")]

import signal_cases as cases  # noqa: E402

import validator  # noqa: E402

signal, evidence = cases.signal, cases.evidence
CHUNKS_MS = (20, 100, 1000)
ROUNDS = 9


def speech_24k() -> bytes:
    """Return a minute of 24 kHz pcm16 speech (espeak-ng through sox), or sine and noise."""
    if cases.tools_missing():
        return cases._corpus_like() * 3
    with tempfile.TemporaryDirectory() as tmp:
        wav = cases.make_speech(Path(tmp))
        raw = Path(tmp) / "s.raw"
        cases._run("sox", "-V1", wav, *cases._le(24000), raw)
        data = raw.read_bytes()
    return (data * (2_880_000 // len(data) + 1))[:2_880_000]


def micro(audio: bytes) -> None:
    """Print timeit results per call, per chunk size."""
    print("per call, microseconds of CPU (best of 5 timeit runs)")
    print(f"{'chunk':>8} {'feed':>8} {'LEVEL':>8} {'WINDOW':>8} {'CLIP':>8} {'SHAPE':>8}")
    for ms in CHUNKS_MS:
        chunk = audio[48 * ms * 10 : 48 * ms * 11]  # loud speech, 10 chunks in
        session = _settled(chunk)
        number = 2000 if ms < 1000 else 500

        def steady(session: object = session, chunk: bytes = chunk) -> None:
            session.feed(len(chunk), "pcm16", None, None)  # type: ignore[attr-defined]

        cells = [_best(steady, number)]
        for detail in (signal.LEVEL, signal.WINDOW, signal.CLIP, signal.SHAPE):
            cells.append(_best(lambda d=detail, c=chunk: signal.features(c, "pcm16", d), number))
        print(f"{ms:>6}ms " + " ".join(f"{c:>8.2f}" for c in cells))


def _settled(chunk: bytes) -> object:
    """Return a session past its settling windows, loud, that wants nothing of ``chunk``."""
    session = evidence.SignalEvidence("pcm16")
    detail = evidence.FIRST
    for _ in range(400):
        features = signal.features(chunk, "pcm16", detail) if detail else None
        detail = session.feed(len(chunk), "pcm16", features, None)
    while detail:
        detail = session.feed(len(chunk), "pcm16", signal.features(chunk, "pcm16"), None)
    return session


_cpu = time.process_time  # CPU time: other processes on the machine do not count


def _best(function: object, number: int) -> float:
    """Return the best of five timeit runs of ``function``, in microseconds per call."""
    runs = timeit.repeat(function, number=number, repeat=5, timer=time.process_time)  # type: ignore[arg-type]
    return min(runs) / number * 1e6


def sessions(audio: bytes) -> None:
    """Print what the rules add to a 10-minute session in each chunk size, beside the lint."""
    print("\n10-minute session, a commit every 5 s, linted as a JSONL capture")
    print(f"{'chunk':>8} {'appends':>8} {'us/append':>10} {'us/MB':>8} {'lint':>8} {'added':>7}")
    stream = audio * 10
    with tempfile.TemporaryDirectory() as tmp:
        for ms in CHUNKS_MS:
            path = Path(tmp) / f"session-{ms}ms.jsonl"
            _write_session(path, stream, 48 * ms, 5000 // ms)
            added, lint, appends = measure(path)
            mb = len(stream) / 1e6
            print(
                f"{ms:>6}ms {appends:>8} {added / appends * 1e6:>10.2f} {added / mb * 1e6:>8.1f} "
                f"{lint * 1e3:>6.0f}ms {added / lint:>7.1%}"
            )


def _write_session(path: Path, stream: bytes, size: int, every: int) -> None:
    """Write ``stream`` as appends of ``size`` bytes with a commit after each ``every``."""
    with path.open("w") as out:
        out.write('{"type":"session.created","session":{"input_audio_format":"pcm16"}}\n')
        for i, at in enumerate(range(0, len(stream), size)):
            audio = base64.b64encode(stream[at : at + size]).decode("ascii")
            out.write(f'{{"type":"input_audio_buffer.append","audio":"{audio}"}}\n')
            if (i + 1) % every == 0:
                out.write('{"type":"input_audio_buffer.commit"}\n')


_APPEND = re.compile(rb'"type"\s*:\s*"input_audio_buffer\.(append|commit|clear)"')


def read_capture(path: Path) -> Iterator[bytes | str]:
    """Yield each append's decoded audio, and "commit"/"clear"/"session" markers, in order."""
    with path.open("rb") as lines:
        for line in lines:
            m = _APPEND.search(line)
            if m is None:
                if b'"session.created"' in line:
                    yield "session"
                continue
            if m.group(1) != b"append":
                yield m.group(1).decode()
                continue
            yield base64.b64decode(json.loads(line)["audio"])


def measure(path: Path) -> tuple[float, float, int]:
    """Return the CPU seconds the rules add to ``path``, the lint's own, and the appends."""
    items = list(read_capture(path))

    def run() -> int:
        session, found, detail = evidence.SignalEvidence("pcm16"), 0, evidence.FIRST
        for item in items:
            if isinstance(item, bytes):
                features = signal.features(item, "pcm16", detail) if detail else None
                detail = session.feed(len(item), "pcm16", features)
            elif item == "commit":
                found += len(session.commit())
            elif item == "clear":
                session.clear()
            else:
                found += len(session.end())
                session, detail = evidence.SignalEvidence("pcm16"), evidence.FIRST
        return found + len(session.end())

    def walk() -> int:  # the same walk over the capture, without the rules
        found = 0
        for item in items:
            if isinstance(item, bytes):
                found += len(item) < 0
            elif item in ("commit", "clear"):
                found += 0
        return found

    # side by side, round after round: the machine's load changes, the ratio much less
    rounds = [(_timed(run) - _timed(walk), _lint_seconds(path)) for _ in range(ROUNDS)]
    added, lint = sorted(rounds, key=lambda pair: pair[0] / pair[1])[ROUNDS // 2]
    return added, lint, sum(isinstance(item, bytes) for item in items)


def _timed(function: Callable[[], object]) -> float:
    """Return the CPU seconds one call of ``function`` takes."""
    start = _cpu()
    function()
    return _cpu() - start


def capture(path: Path) -> None:
    """Print the time the rules add to a capture, beside the lint's own time for it."""
    added, lint, appends = measure(path)
    print(f"\n{path.name}: {appends} appends")
    print(f"  the rules add {added * 1e3:.1f} ms of CPU ({added / appends * 1e6:.2f} us/append)")
    print(f"  the lint takes {lint * 1e3:.0f} ms of CPU in-process: +{added / lint:.1%}")


def _lint_seconds(path: Path) -> float:
    """Return the CPU time ``validator.lint`` takes over ``path``, in this process."""
    start = _cpu()
    for _ in validator.lint(str(path)):
        pass
    return _cpu() - start


def main(argv: list[str]) -> int:
    audio = speech_24k()
    micro(audio)
    sessions(audio)
    for arg in argv:
        capture(Path(arg))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
