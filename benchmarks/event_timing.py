"""What one ``validate_event(dict)`` call costs on a 20 ms append, next to the SDK's check.

Run by ``run.py`` (its validate_event bar), in its own process, with the installed copy on the
path; prints one JSON object. Each contender checks the same event (960 bytes of pcm16 speech-
like samples, 1,280 characters of base64, an event_id) ``--loops`` times per round; the
contenders take turns for ``--rounds`` rounds (pyperf-style: many short timed loops, so that a
burst of load from other tenants spoils a few rounds, not the median). Each loop is timed in
CPU time of the thread (``time.thread_time``), as ``guard.py`` does: on a shared machine, wall
time also counts the other processes' turns. Per contender: the microseconds per call of each
round.

- ``validate_event``: ``validator.validate_event(event)``, every check.
- ``openai SDK``: ``InputAudioBufferAppendEvent.model_validate(event)`` + ``base64.b64decode(
  audio, validate=True)`` (the GA model, else the beta one); absent without ``openai``.
- ``msgspec``: ``msgspec.convert`` to a tagged Struct + ``pybase64.b64decode`` (positional
  strict): a floor for a Python check of the envelope and the base64; absent without msgspec.

``--pieces``: each step of ``validate_event``'s straight path timed on its own, the same way.
"""

from __future__ import annotations

import argparse
import base64
import json
import math
import statistics
import struct
import sys
import time
from collections.abc import Callable
from functools import partial
from typing import Any

SAMPLES = 480  # 20 ms of pcm16 at 24 kHz: 960 bytes


def append_event() -> dict[str, Any]:
    """Return the 20 ms append every contender checks: speech-like pcm16, with an event_id."""
    pcm = b"".join(
        struct.pack("<h", int(6000 * math.sin(i * 0.11) + 900 * math.sin(i * 1.7)))
        for i in range(SAMPLES)
    )
    audio = base64.b64encode(pcm).decode("ascii")
    return {"type": "input_audio_buffer.append", "event_id": "evt_0001", "audio": audio}


def contenders(event: dict[str, Any]) -> dict[str, Callable[[], object]]:
    """Return each contender's call, checked once to accept the event."""
    import validator

    found: dict[str, Callable[[], object]] = {}
    assert validator.validate_event(event) == [], "the benchmark event must be valid"
    # bound with partial, not a lambda: the harness's own call costs every contender less
    found["validate_event"] = partial(validator.validate_event, event)
    model = None
    for name in ("openai.types.realtime", "openai.types.beta.realtime"):
        try:
            module = __import__(name, fromlist=["InputAudioBufferAppendEvent"])
        except ImportError:
            continue
        model = getattr(module, "InputAudioBufferAppendEvent", None)
        if model is not None:
            break
    if model is not None:
        sdk_model = model
        b64decode = base64.b64decode

        def sdk() -> object:
            checked = sdk_model.model_validate(event)
            return b64decode(checked.audio, validate=True)

        sdk()
        found["openai SDK"] = sdk
    try:
        import msgspec
        import pybase64
    except ImportError:
        return found

    class Append(msgspec.Struct, tag_field="type", tag="input_audio_buffer.append"):
        audio: str
        event_id: str | None = None

    convert = msgspec.convert
    decode = pybase64.b64decode

    def with_msgspec() -> object:
        checked = convert(event, Append)
        return decode(checked.audio, None, True)

    with_msgspec()
    found["msgspec"] = with_msgspec
    return found


def measure(calls: dict[str, Callable[[], object]], rounds: int, loops: int) -> dict[str, Any]:
    """Return the microseconds per call of each round, per contender, taken in turns."""
    times: dict[str, list[float]] = {name: [] for name in calls}
    clock = time.thread_time  # CPU time of this thread: another process's turn is not counted
    for _ in range(rounds):
        for name, call in calls.items():
            started = clock()
            for _ in range(loops):
                call()
            times[name].append((clock() - started) / loops * 1e6)
    return {"loops": loops, "rounds": rounds, "us": times}


def pieces(event: dict[str, Any]) -> dict[str, Callable[[], object]]:
    """Return the steps of validate_event's straight path, each on its own (``--pieces``): what
    one call spends where. The slow twin is there for comparison."""
    import pybase64

    from validator.check import event as module
    from validator.core.media import CONTAINER_FIRST_BYTES

    audio = event["audio"]
    decoded = pybase64.b64decode(audio)
    b64decode = pybase64.b64decode
    not_exponent = module._NOT_EXPONENT
    first_bytes = CONTAINER_FIRST_BYTES

    def shape() -> object:
        return (
            type(event) is dict
            and len(event) == 3
            and type(event.get("event_id")) is str
            and event.get("type") == "input_audio_buffer.append"
            and type(event.get("audio")) is str
        )

    return {
        "validate_event (the whole call)": partial(module.validate_event, event),
        "the dict's shape: type, keys, event_id": shape,
        "pybase64 strict decode, positional": partial(b64decode, audio, None, True),
        "float32 pre-test: slice + translate of 256 bytes": lambda: len(
            decoded[1:512:2].translate(None, not_exponent)
        ),
        "container first-byte test": lambda: (
            decoded[0] not in first_bytes and not decoded.startswith(b"ftyp", 4)
        ),
        "canonical padding test": lambda: audio[-1] != "=",
        "an empty call (the harness)": lambda: None,
        "validate_event_slow (the twin)": partial(module.validate_event_slow, event),
    }


def main(argv: list[str] | None = None) -> int:
    """Print the timings as JSON on stdout (with --pieces, a table of the steps instead)."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--loops", type=int, default=2000)
    parser.add_argument("--pieces", action="store_true", help="time each step of the call")
    args = parser.parse_args(argv)
    if args.pieces:
        found = measure(pieces(append_event()), args.rounds, args.loops)["us"]
        for name, values in found.items():
            print(f"{statistics.median(values) * 1000:8.0f} ns  {name}")
        return 0
    calls = contenders(append_event())
    measure(calls, 5, args.loops)  # warm-up
    print(json.dumps(measure(calls, args.rounds, args.loops)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
