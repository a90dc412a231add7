#!/usr/bin/env python3
"""Write a capture rich in client events other than the append: the cost of RT206.

    python benchmarks/rich_corpus.py OUT.jsonl [--turns N]

Each turn of a GA session (then, for the second half of the turns, a beta one) holds five
appends of 20 ms, a commit, a user message, a ``response.create`` with instructions, a
function call's output, a truncate, a cancel, a delete and the server's answers: two
thirds of the lines are client events that RT206 reads against their schemas. Valid, so
that the measure is the cost of passing, not of reporting. Deterministic (no randomness).
"""

from __future__ import annotations

import argparse
import base64
import json
from collections.abc import Iterator
from pathlib import Path

AUDIO = base64.b64encode(bytes(range(256)) * 3 + bytes(192)).decode("ascii")  # 20 ms


def _line(event: dict[str, object]) -> str:
    return json.dumps(event, separators=(",", ":"))


def _session(ga: bool) -> list[dict[str, object]]:
    if ga:
        session: dict[str, object] = {
            "type": "realtime",
            "instructions": "Be brief.",
            "output_modalities": ["audio"],
            "audio": {
                "input": {
                    "format": {"type": "audio/pcm", "rate": 24000},
                    "turn_detection": None,
                    "transcription": {"model": "gpt-4o-transcribe", "language": "en"},
                },
                "output": {"format": {"type": "audio/pcm", "rate": 24000}, "voice": "marin"},
            },
            "tools": [
                {
                    "type": "function",
                    "name": "lookup",
                    "description": "Look a word up.",
                    "parameters": {"type": "object", "properties": {"q": {"type": "string"}}},
                }
            ],
        }
        created: dict[str, object] = {"type": "realtime", "object": "realtime.session"}
    else:
        session = {
            "instructions": "Be brief.",
            "modalities": ["text", "audio"],
            "input_audio_format": "pcm16",
            "output_audio_format": "pcm16",
            "turn_detection": None,
            "input_audio_transcription": {"model": "whisper-1"},
        }
        created = {"object": "realtime.session", "input_audio_format": "pcm16"}
    return [
        {"type": "session.created", "event_id": "event_0", "session": created},
        {"type": "session.update", "event_id": "evt_update", "session": session},
    ]


def _turn(ga: bool, n: int) -> Iterator[dict[str, object]]:
    for k in range(5):
        yield {"type": "input_audio_buffer.append", "event_id": f"evt_{n}_a{k}", "audio": AUDIO}
    yield {"type": "input_audio_buffer.commit", "event_id": f"evt_{n}_c"}
    text = "input_text"
    yield {
        "type": "conversation.item.create",
        "event_id": f"evt_{n}_m",
        "item": {
            "type": "message",
            "role": "user",
            "content": [{"type": text, "text": f"Question number {n}, briefly."}],
        },
    }
    response: dict[str, object] = {"instructions": "Answer briefly.", "metadata": {"turn": "x"}}
    response["output_modalities" if ga else "modalities"] = ["audio"] if ga else ["text", "audio"]
    yield {"type": "response.create", "event_id": f"evt_{n}_r", "response": response}
    yield {"type": "response.done", "event_id": f"event_{n}_d", "response": {"status": "completed"}}
    yield {
        "type": "conversation.item.create",
        "event_id": f"evt_{n}_f",
        "item": {"type": "function_call_output", "call_id": f"call_{n}", "output": '{"ok":true}'},
    }
    yield {
        "type": "conversation.item.truncate",
        "event_id": f"evt_{n}_t",
        "item_id": f"item_{n}",
        "content_index": 0,
        "audio_end_ms": 1500,
    }
    yield {"type": "response.cancel", "event_id": f"evt_{n}_x"}
    yield {"type": "conversation.item.delete", "event_id": f"evt_{n}_del", "item_id": f"item_{n}"}


def lines(turns: int) -> Iterator[str]:
    """Yield the capture's lines: a GA session of ``turns // 2`` turns, then a beta one."""
    for ga, count in ((True, turns // 2), (False, turns - turns // 2)):
        for event in _session(ga):
            yield _line(event)
        for n in range(count):
            for event in _turn(ga, n):
                yield _line(event)


def main() -> None:
    """Write the capture."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--turns", type=int, default=2000)
    args = parser.parse_args()
    with args.out.open("w", encoding="utf-8") as out:
        for text in lines(args.turns):
            out.write(text + "\n")


if __name__ == "__main__":
    main()
