"""The obvious twin of ``validator.check.audio.base64_problems``: every character read in Python.

Only tests call it (``tests/test_audio.py`` holds the two equal), so it lives here.
"""

from __future__ import annotations

from collections.abc import Iterator

from test_only import ALPHABET

from validator.check.audio import (
    MAX_AUDIO_BYTES,
    Problem,
    _invalid_character,
    _non_canonical,
    _padding_problem,
    _size_problem,
    is_canonical,
)


def _first_base64_error(audio: str) -> Problem | None:
    for index, ch in enumerate(audio):
        if ch not in ALPHABET and ch != "=":
            return _invalid_character(audio, index)
    return _padding_problem(audio)


def base64_problems_slow(audio: str, max_audio_bytes: int = MAX_AUDIO_BYTES) -> Iterator[Problem]:
    """Yield the same problems as ``base64_problems``, reading every character in Python."""
    problem = _first_base64_error(audio)
    if problem is not None:
        yield problem
    elif not is_canonical(audio):
        yield _non_canonical(audio)
    size = _size_problem(audio, max_audio_bytes)
    if size is not None:
        yield size
