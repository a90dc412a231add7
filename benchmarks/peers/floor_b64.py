"""Floor: read the lines (1 MiB buffering) and strictly decode the audio with pybase64 (SIMD).

The audio slice is found with two plain `find` calls; there is no JSON parsing at all, so this
is the least work any validator of these logs can do.
"""

from __future__ import annotations

import sys

import pybase64

AUDIO_KEY = b'"audio":"'


def decode_audio(line: bytes) -> bool | None:
    """Return whether the line's audio decodes strictly, or None when it has no audio."""
    start = line.find(AUDIO_KEY)
    if start < 0:
        return None
    start += len(AUDIO_KEY)
    end = line.find(b'"', start)
    try:
        pybase64.b64decode(memoryview(line)[start:end], validate=True)
    except ValueError:
        return False
    return True


def main(argv: list[str]) -> int:
    """Decode every audio string of argv[1] and print how many did not decode."""
    n = bad = 0
    with open(argv[1], "rb", buffering=1 << 20) as f:
        for line in f:
            ok = decode_audio(line)
            if ok is None:
                continue
            n += 1
            bad += not ok
    print(f"{n} decoded, {bad} invalid")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
