"""The hand-written JSON Schemas in ``schemas/``: loaded once, compiled once with fastjsonschema.

The shipped schemas carry every check a schema can express, base64 ``pattern`` and decoded-size
``maxLength`` on ``audio`` included, for users of other validators (ajv, jsonschema-rs). Here
the audio string is checked by ``validator.audio`` instead, which says where and why; so the
compiled validator is built from the schema without those two keywords.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from typing import Any

from ..core.event_types import APPEND, TRANSLATION_APPEND

SCHEMA_KEYS = frozenset({"type", "audio", "event_id"})
"""Every property the shipped schemas name (``tests/test_schema.py`` holds the two equal)."""

SCHEMA_FILES = {
    APPEND: "input_audio_buffer.append.schema.json",
    TRANSLATION_APPEND: "session.input_audio_buffer.append.schema.json",
    "input_audio_buffer.commit": "input_audio_buffer.commit.schema.json",
    "input_audio_buffer.clear": "input_audio_buffer.clear.schema.json",
}
"""The client events with a shipped schema: the appends, and the input buffer's commit and
clear (their envelope: ``type`` and an optional ``event_id``, nothing else)."""


def read_schema_file(filename: str) -> str:
    """Return the text of a file of the shipped schemas (``ga/session.update.schema.json``)."""
    import os

    # installed, the wheel puts schemas/ at validator/schemas; in a checkout (an editable
    # install too) it sits beside validator/. Read as files: importlib.resources costs 7 ms
    # to import, more than reading the largest schema
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for folder in (os.path.join(package, "schemas"), os.path.join(package, "..", "schemas")):
        try:
            with open(os.path.join(folder, filename), encoding="utf-8") as file:
                return file.read()
        except FileNotFoundError:
            continue
    raise FileNotFoundError(f"no shipped schema {filename!r} beside {package}")


def schema_file_size(filename: str) -> int:
    """Return the size in bytes of a file of the shipped schemas, -1 where there is none."""
    import os

    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for folder in (os.path.join(package, "schemas"), os.path.join(package, "..", "schemas")):
        try:
            return os.stat(os.path.join(folder, filename)).st_size
        except FileNotFoundError:
            continue
    return -1


@cache
def load_schema(event_type: str = APPEND) -> dict[str, Any]:
    """Return the shipped schema for ``event_type`` as a dict (a fresh copy is the caller's)."""
    result: dict[str, Any] = json.loads(read_schema_file(SCHEMA_FILES[event_type]))
    return result


def schema_text(event_type: str = APPEND) -> str:
    """Return the shipped schema file's text."""
    return read_schema_file(SCHEMA_FILES[event_type])


def structural_schema(event_type: str = APPEND) -> dict[str, Any]:
    """Return the schema without the audio string checks that ``validator.audio`` does."""
    schema: dict[str, Any] = json.loads(json.dumps(load_schema(event_type)))  # a deep copy
    audio = schema["properties"].get("audio")
    if audio is not None:
        audio.pop("pattern", None)
        audio.pop("maxLength", None)
    return schema


@cache
def compiled(event_type: str = APPEND) -> Callable[[Any], Any]:
    """Return the fastjsonschema validator of ``event_type``, compiled on first use."""
    import fastjsonschema  # compiled lazily: a linter that meets only valid appends never needs it

    return fastjsonschema.compile(structural_schema(event_type), use_default=False, fast_fail=False)
