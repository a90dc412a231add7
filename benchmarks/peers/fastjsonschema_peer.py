"""ref_naive.py with fastjsonschema instead of jsonschema: json + fastjsonschema + base64, per line.

The schema is compiled once with use_default=False (the default, True, writes schema defaults
into the event dict). Same loop, same checks, same output as ref_naive.py.
"""

from __future__ import annotations

import base64
import binascii
import json
import sys
from collections.abc import Callable
from typing import Any

import fastjsonschema

APPEND = "input_audio_buffer.append"
MAX_AUDIO_BYTES = 15 * 1024 * 1024
SCHEMA: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://example.invalid/realtime/input_audio_buffer.append.schema.json",
    "title": "OpenAI Realtime client event: input_audio_buffer.append",
    "type": "object",
    "required": ["type", "audio"],
    "properties": {
        "event_id": {"type": "string", "maxLength": 512},
        "type": {"const": APPEND},
        "audio": {"type": "string"},
    },
    "additionalProperties": False,
}


def is_valid(check: Callable[[Any], Any], event: dict[str, Any]) -> bool:
    """Return whether the append event passes the schema and its audio decodes within the limit."""
    try:
        check(event)
    except fastjsonschema.JsonSchemaException:
        return False
    try:
        return len(base64.b64decode(event["audio"], validate=True)) <= MAX_AUDIO_BYTES
    except (binascii.Error, ValueError):
        return False


def main(argv: list[str]) -> int:
    """Check every append event of argv[1] and print how many were invalid."""
    check = fastjsonschema.compile(SCHEMA, use_default=False)
    n = bad = 0
    with open(argv[1], "rb") as f:
        for line in f:
            try:
                event = json.loads(line)
            except ValueError:
                n += 1
                bad += 1
                continue
            if not isinstance(event, dict) or event.get("type") != APPEND:
                continue
            n += 1
            bad += not is_valid(check, event)
    print(f"{n} checked, {bad} invalid")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
