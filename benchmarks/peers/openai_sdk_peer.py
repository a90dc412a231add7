"""The OpenAI SDK's own pydantic model + base64: model_validate_json per append line.

Append lines are picked with the same substring test as ref_tuned.py. The SDK's models accept
unknown properties and do not limit event_id's length, so this checks less than ref_naive.py.
Exits 4 with an "n/a: ..." message when the SDK (or the model) is not installed.
"""

from __future__ import annotations

import base64
import binascii
import importlib
import importlib.util
import sys
from typing import Any

APPEND_MARK = b'"input_audio_buffer.append"'
MAX_AUDIO_BYTES = 15 * 1024 * 1024
NOT_AVAILABLE = 4
# GA path first, then the beta one of older SDKs.
MODEL_MODULES = ("openai.types.realtime", "openai.types.beta.realtime")


def load_model() -> Any | None:
    """Return the SDK's InputAudioBufferAppendEvent model class, or None if it is absent."""
    for name in MODEL_MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        model = getattr(module, "InputAudioBufferAppendEvent", None)
        if model is not None:
            return model
    return None


def is_valid(model: Any, line: bytes) -> bool:
    """Return whether the line validates as the model and its audio decodes within the limit."""
    try:
        event = model.model_validate_json(line)
        return len(base64.b64decode(event.audio, validate=True)) <= MAX_AUDIO_BYTES
    except (binascii.Error, ValueError):  # pydantic's ValidationError is a ValueError
        return False


def main(argv: list[str]) -> int:
    """Check every append line of argv[1] and print how many were invalid."""
    if importlib.util.find_spec("openai") is None:
        print("n/a: openai is not installed (pip install openai)", file=sys.stderr)
        return NOT_AVAILABLE
    model = load_model()
    if model is None:
        print("n/a: this openai SDK has no InputAudioBufferAppendEvent", file=sys.stderr)
        return NOT_AVAILABLE
    n = bad = 0
    with open(argv[1], "rb") as f:
        for line in f:
            if APPEND_MARK not in line:
                continue
            n += 1
            bad += not is_valid(model, line)
    print(f"{n} checked, {bad} invalid")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
