"""Real-speech test cases for the audio-signal rules (RT601-RT606), and the driver that runs one.

Speech is synthesised by espeak-ng and converted by sox into every wrong form the rules must
catch (other rates labelled 24 kHz, G.711 in pcm16 and pcm16 in G.711, interleaved stereo,
big-endian, silence, near-silence, clipping) and the right forms they must leave alone. Nothing
is stored: ``build`` makes the audio in a directory, ``run`` feeds it to a session's
``SignalEvidence`` the way the engine does, append by append, with timestamps where the case
has them. ``tests/test_signal.py`` asserts on it and ``tools/signal_table.py`` prints the table.

CI needs the two programs: ``apt-get install -y espeak-ng sox libsox-fmt-all``.
"""

from __future__ import annotations

import base64
import json
import math
import random
import shutil
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from validator.check import signal
from validator.engine import evidence

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ("espeak-ng", "sox")

SENTENCES = (
    "The quick brown fox jumps over the lazy dog.",
    "Please call Stella and ask her to bring these things with her from the store:",
    "six spoons of fresh snow peas, five thick slabs of blue cheese, and a snack for her brother.",
    "Could you book a table for two at eight tonight, near the station?",
)
VOICES = ("en-us", "en+f3")


def tools_missing() -> list[str]:
    """Return the programs this module needs that are not installed."""
    return [tool for tool in TOOLS if shutil.which(tool) is None]


def _run(*args: str | Path) -> None:
    subprocess.run([str(a) for a in args], check=True, capture_output=True)


def make_speech(directory: Path) -> Path:
    """Synthesise the sentences in each voice and return one 22.05 kHz mono WAV of them all."""
    parts = []
    for voice in VOICES:
        for i, sentence in enumerate(SENTENCES):
            part = directory / f"say-{voice.replace('+', '-')}-{i}.wav"
            _run("espeak-ng", "-v", voice, "-s", "160", "-w", part, sentence)
            parts.append(part)
    speech = directory / "speech.wav"
    _run("sox", *parts, speech)
    return speech


RAW16 = ("-t", "raw", "-e", "signed-integer", "-b", "16")


def convert(source: Path, target: Path, *args: str) -> bytes:
    """Return ``source`` converted by ``sox source <args up to the effects>``, as raw bytes."""
    _run("sox", "-V1", source, *args)
    return target.read_bytes()


@dataclass(frozen=True)
class Case:
    """One generated session: how its audio is made, chunked, timed and committed."""

    name: str
    expected: frozenset[str]
    audio_format: str
    sox: tuple[str, ...]  # output options and effects, after "sox speech.wav"
    chunk: int | tuple[int, ...]  # bytes per append, or a cycle of sizes
    pace: float = 0.0  # true bytes per wall-clock second, for timestamps; 0: none
    commit_every: int = 0  # appends between manual commits; 0: server VAD, no commits
    synth: bool = False  # sox makes the audio itself (-n), instead of reading the speech
    note: str = ""
    generator: Callable[[], bytes] | None = field(default=None, compare=False)


def _case(
    name: str,
    expected: str,
    fmt: str,
    sox: Sequence[str],
    chunk: int | tuple[int, ...],
    **options: object,
) -> Case:
    codes = frozenset(expected.split()) if expected else frozenset()
    return Case(name, codes, fmt, tuple(sox), chunk, **options)  # type: ignore[arg-type]


def _le(rate: int, channels: int = 1) -> tuple[str, ...]:
    return (*RAW16, "-L", "-r", str(rate), "-c", str(channels))


def _pcm(rate: int, ms: float, channels: int = 1) -> int:
    """Return the bytes of ``ms`` of pcm16 at ``rate`` with ``channels``."""
    return round(rate * ms / 1000) * 2 * channels


def _corpus_like() -> bytes:
    """Return 20 s of what the shared mixed corpus holds: sines (90-1200 Hz) plus noise."""
    rng = random.Random(7)
    out = bytearray()
    phase = 0.0
    for _ in range(20):
        freq, amp, noise = rng.uniform(90, 1200), rng.uniform(1500, 9000), rng.uniform(150, 1500)
        step = 2 * math.pi * freq / 24000
        for _ in range(24000):
            phase += step
            value = int(amp * math.sin(phase) + rng.gauss(0.0, noise))
            out += max(-32768, min(32767, value)).to_bytes(2, "little", signed=True)
    return bytes(out)


def _corpus_sizes() -> tuple[int, ...]:
    rng = random.Random(11)
    return tuple(rng.randint(20, 500) * 48 for _ in range(64))


P24 = "pcm16"
_CLIP = ("rate", "24000", "gain", "-n", "0", "gain")  # normalise, then overdrive by N dB
MU = "g711_ulaw"
A = "g711_alaw"
RAW_MU = ("-t", "raw", "-e", "mu-law", "-b", "8", "-r", "8000", "-c", "1")
RAW_A = ("-t", "raw", "-e", "a-law", "-b", "8", "-r", "8000", "-c", "1")

CASES: tuple[Case, ...] = (
    # --- RT601: other rates sent as 24 kHz -----------------------------------------------
    _case("16k-20ms", "RT601", P24, _le(16000), _pcm(16000, 20), note="640 B chunks"),
    _case("16k-20ms-timed", "RT601", P24, _le(16000), _pcm(16000, 20), pace=32000),
    _case("16k-100ms-commits", "RT601", P24, _le(16000), _pcm(16000, 100), commit_every=10),
    _case("8k-20ms", "RT601", P24, _le(8000), _pcm(8000, 20), note="openai-realtime-api-beta#94"),
    _case("8k-40ms-timed", "RT601", P24, _le(8000), _pcm(8000, 40), pace=16000),
    _case("44.1k-10ms", "RT601", P24, _le(44100), _pcm(44100, 10)),
    _case("44.1k-20ms-timed", "RT601", P24, _le(44100), _pcm(44100, 20), pace=88200),
    _case("22.05k-20ms-timed", "RT601", P24, _le(22050), _pcm(22050, 20), pace=44100),
    _case("48k-10ms-timed", "RT601", P24, _le(48000), _pcm(48000, 10), pace=96000),
    _case(
        "48k-10ms",
        "RT601",
        P24,
        _le(48000),
        _pcm(48000, 10),
        note="960 B: 10 ms at 48 kHz is 20 ms at 24 kHz; nothing tells them apart untimed",
    ),
    _case("48k-4096-timed", "RT601", P24, _le(48000), 8192, pace=96000),
    # --- RT602: encodings ------------------------------------------------------------------
    _case("ulaw-in-pcm16", "RT602", P24, RAW_MU, 160, pace=8000, note="Twilio media in pcm16"),
    _case("alaw-in-pcm16", "RT602", P24, RAW_A, 160),
    _case(
        "pcm16-in-ulaw",
        "RT602",
        MU,
        _le(24000),
        _pcm(24000, 20),
        note="openai-agents-python#2097 shape",
    ),
    _case("pcm16-8k-in-ulaw", "RT602", MU, _le(8000), _pcm(8000, 20), pace=16000),
    _case("pcm16-in-alaw", "RT602", A, _le(24000), _pcm(24000, 40)),
    # --- RT603: interleaved stereo ---------------------------------------------------------
    _case("stereo-dual-mono", "RT603", P24, _le(24000, 2), _pcm(24000, 20, 2)),
    _case(
        "stereo-48k-opus-decode",
        "RT603",
        P24,
        _le(48000, 2),
        _pcm(48000, 10, 2),
        pace=192000,
        note="pipecat#5114 shape",
    ),
    _case(
        "stereo-spaced-mics",
        "RT603",
        P24,
        (*_le(24000, 2), "remix", "1", "1", "delay", "0", "0.0005"),
        _pcm(24000, 20, 2),
    ),
    _case(
        "stereo-one-channel", "RT603", P24, (*_le(24000, 2), "remix", "1", "0"), _pcm(24000, 20, 2)
    ),
    _case(
        "stereo-6db-apart",
        "RT603",
        P24,
        (*_le(24000, 2), "remix", "1", "1v0.5"),
        _pcm(24000, 20, 2),
    ),
    # --- RT604: byte order -----------------------------------------------------------------
    _case("big-endian", "RT604", P24, (*RAW16, "-B", "-r", "24000", "-c", "1"), _pcm(24000, 20)),
    _case(
        "big-endian-quiet",
        "RT604",
        P24,
        (*RAW16, "-B", "-r", "24000", "-c", "1", "gain", "-n", "-30"),
        _pcm(24000, 40),
    ),
    # --- RT605: silence --------------------------------------------------------------------
    _case(
        "digital-silence",
        "RT605",
        P24,
        (*_le(24000), "trim", "0", "3", "vol", "0"),
        _pcm(24000, 20),
        commit_every=100,
    ),
    _case("peak-60dBFS", "RT605", P24, (*_le(24000), "gain", "-n", "-60"), _pcm(24000, 100)),
    _case(
        "peak-70dBFS",
        "RT605",
        P24,
        (*_le(24000), "gain", "-n", "-70"),
        _pcm(24000, 20),
        commit_every=50,
    ),
    _case(
        "rms-59.5dBFS",
        "RT605",
        P24,
        (*_le(24000), "gain", "-n", "-41"),
        _pcm(24000, 10),
        note="livekit/node-sdks#679: RMS 34.6 of 32768",
    ),
    # --- RT606: clipping -------------------------------------------------------------------
    _case("overdriven-20dB", "RT606", P24, (*_le(24000), *_CLIP, "20"), _pcm(24000, 20)),
    _case("overdriven-10dB", "RT606", P24, (*_le(24000), *_CLIP, "10"), _pcm(24000, 40)),
    _case(
        "overdriven-20dB-resampled",
        "RT606",
        P24,
        (*_le(24000), "gain", "-n", "0", "gain", "20", "rate", "24000"),
        _pcm(24000, 20),
        note="clipped at 22.05 kHz, then resampled: shorter flat tops",
    ),
    # --- clean -----------------------------------------------------------------------------
    _case("24k-20ms", "", P24, _le(24000), _pcm(24000, 20), commit_every=100),
    _case("24k-40ms-timed", "", P24, _le(24000), _pcm(24000, 40), pace=48000),
    _case("24k-100ms-timed", "", P24, _le(24000), _pcm(24000, 100), pace=48000, commit_every=20),
    _case(
        "24k-4096-frames-timed",
        "",
        P24,
        _le(24000),
        8192,
        pace=48000,
        note="ScriptProcessor: 170.67 ms at 24 kHz, 256 ms at 16 kHz",
    ),
    _case("24k-128-frames-timed", "", P24, _le(24000), 256, pace=48000, note="AudioWorklet"),
    _case("24k-5x128-frames", "", P24, _le(24000), 1280, note="worklet frames sent in fives"),
    _case("24k-4000-byte-reads", "", P24, _le(24000), 4000, note="a file read in 4000 B blocks"),
    _case("24k-mixed-sizes", "", P24, _le(24000), (960, 1920, 4800, 1000, 2048, 4096, 700)),
    _case(
        "16k-resampled-to-24k",
        "",
        P24,
        (*_le(24000), "rate", "16000", "rate", "24000"),
        _pcm(24000, 20),
        note="no energy above 8 kHz, rightly",
    ),
    _case(
        "telephone-band-24k",
        "",
        P24,
        (*_le(24000), "rate", "8000", "sinc", "300-3400", "rate", "24000"),
        _pcm(24000, 20),
        pace=48000,
    ),
    _case(
        "tone-440Hz",
        "",
        P24,
        (*_le(24000), "synth", "4", "sine", "440"),
        _pcm(24000, 20),
        synth=True,
    ),
    _case(
        "tone-1kHz",
        "",
        P24,
        (*_le(24000), "synth", "4", "sine", "1000", "gain", "-6"),
        _pcm(24000, 20),
        synth=True,
    ),
    _case(
        "tone-440Hz-full-scale",
        "",
        P24,
        (*_le(24000), "synth", "4", "sine", "440", "gain", "-n", "0"),
        _pcm(24000, 20),
        synth=True,
    ),
    _case(
        "quiet-speech-30dBFS",
        "",
        P24,
        (*_le(24000), "gain", "-n", "-30"),
        _pcm(24000, 40),
        commit_every=50,
    ),
    _case("loud-speech-0dBFS", "", P24, (*_le(24000), "gain", "-n", "-0.1"), _pcm(24000, 20)),
    _case("corpus-like-sine-noise", "", P24, (), _corpus_sizes(), generator=_corpus_like),
    _case("ulaw-session", "", MU, RAW_MU, 160, pace=8000),
    _case("alaw-session", "", A, RAW_A, 160, pace=8000, commit_every=100),
    _case("ulaw-session-quiet", "", MU, (*RAW_MU, "gain", "-n", "-30"), 160),
)


def build(case: Case, speech: Path, directory: Path) -> bytes:
    """Return the raw audio of ``case``, made from ``speech`` in ``directory``."""
    if case.generator is not None:
        return case.generator()
    target = directory / f"{case.name}.raw"
    output, effects = _split(case.sox)
    source: tuple[str | Path, ...] = ("-n",) if case.synth else (speech,)
    # -D: no dither, so that silence is digital silence and clipping stays on the rails
    _run("sox", "-V1", "-D", *source, *output, target, *effects)
    return target.read_bytes()


def _split(options: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Split sox options into output format options and the effects after the file name."""
    effects = ("remix", "delay", "gain", "trim", "vol", "rate", "sinc", "synth")  # used here
    for i, option in enumerate(options):
        if option in effects:
            return options[:i], options[i:]
    return options, ()


def chunks(data: bytes, sizes: int | tuple[int, ...]) -> list[bytes]:
    """Return ``data`` cut into appends of ``sizes`` bytes (one size, or a cycle of them)."""
    cycle = (sizes,) if isinstance(sizes, int) else sizes
    out, at, i = [], 0, 0
    while at < len(data):
        size = cycle[i % len(cycle)]
        out.append(data[at : at + size])
        at += size
        i += 1
    return out


def timestamps(pieces: Sequence[bytes], pace: float, seed: int = 3) -> list[float]:
    """Return capture times for ``pieces`` streamed in real time at ``pace`` bytes a second.

    Each append leaves when its audio is complete, with a few milliseconds of jitter.
    """
    rng = random.Random(seed)
    clock, out = 1_700_000_000.0, []
    for piece in pieces:
        clock += len(piece) / pace
        out.append(clock + rng.uniform(0.0, 0.004))
    return out


@dataclass(frozen=True)
class Outcome:
    """What a session raised: the findings, and how many appends were measured at which detail."""

    findings: tuple[object, ...]
    appends: int
    measured: dict[int, int]

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(f.code for f in self.findings)  # type: ignore[attr-defined]


def run(case: Case, data: bytes) -> Outcome:
    """Feed ``data`` to a fresh session's evidence as ``case`` says, as the engine feeds it
    (``hearing.Hearing``); return what it found."""
    pieces = chunks(data, case.chunk)
    times = timestamps(pieces, case.pace) if case.pace else [None] * len(pieces)
    session = evidence.SignalEvidence(case.audio_format)
    found: list[object] = []
    measured: dict[int, int] = {}
    for i, (piece, when) in enumerate(zip(pieces, times, strict=True)):
        detail = session.want
        measured[detail] = measured.get(detail, 0) + 1
        features = signal.features(piece, case.audio_format, detail) if detail else None
        session.feed(len(piece), case.audio_format, features, when)
        found += session.take()
        if case.commit_every and (i + 1) % case.commit_every == 0:
            found += session.commit()
    found += session.end()
    return Outcome(tuple(found), len(pieces), measured)


APPEND = "input_audio_buffer.append"


def capture_lines(case: Case, data: bytes) -> list[dict[str, object]]:
    """Return the events a client sends for ``case``: a session.update where the format or a
    manual commit needs one (turn detection off), the appends, the commits."""
    events: list[dict[str, object]] = []
    session: dict[str, object] = {}
    if case.audio_format != "pcm16":
        session["input_audio_format"] = case.audio_format
    if case.commit_every:
        session["turn_detection"] = None
    if session:
        events.append({"type": "session.update", "session": session})
    for i, piece in enumerate(chunks(data, case.chunk)):
        audio = base64.b64encode(piece).decode("ascii")
        events.append({"type": APPEND, "event_id": f"evt_{i}", "audio": audio})
        if case.commit_every and (i + 1) % case.commit_every == 0:
            events.append({"type": "input_audio_buffer.commit", "event_id": f"commit_{i}"})
    return events


def write_capture(case: Case, data: bytes, directory: Path) -> Path:
    """Write ``case`` as a capture a client would leave, and return its path: JSONL events,
    or, for a case with a pace, the proxy's timed records ``{"time", "direction", "event"}``
    (``lint --event-pointer /event``), each append at the time it was sent."""
    events = capture_lines(case, data)
    path = directory / f"{case.name}.jsonl"
    if case.pace:
        pieces = chunks(data, case.chunk)
        times = iter(timestamps(pieces, case.pace))
        start = 1_700_000_000.0
        records = []
        for event in events:
            when = next(times) if event["type"] == APPEND else start
            start = when
            records.append({"time": when, "direction": "client", "event": event})
        events = records
    path.write_text("".join(json.dumps(e, separators=(",", ":")) + "\n" for e in events))
    return path


def lint_captures(
    paths: Sequence[Path], timed: bool, *extra: str
) -> dict[str, list[dict[str, object]]]:
    """Return the findings the installed command gives each capture, by case name."""
    command = ["realtime-validator", "lint", "--format", "jsonl", "--exit-zero", "--quiet"]
    if timed:
        command += ["--event-pointer", "/event"]
    proc = subprocess.run(
        [*command, *extra, *map(str, paths)], capture_output=True, text=True, check=True
    )
    found: dict[str, list[dict[str, object]]] = {path.stem: [] for path in paths}
    for line in proc.stdout.splitlines():
        finding = json.loads(line)
        found[Path(str(finding["source"])).stem].append(finding)
    return found
