"""Base64 and size checks: exact limits, every hint, and the fast path against its slow twin."""

from __future__ import annotations

import base64

import pytest
from base64_twin import base64_problems_slow
from hypothesis import given, settings
from hypothesis import strategies as st

from validator.check.audio import (
    MAX_AUDIO_BYTES,
    base64_problems,
    decoded_size,
    is_canonical,
)


def codes(audio: str, limit: int = MAX_AUDIO_BYTES) -> list[str]:
    return [p.rule for p in base64_problems(audio, limit)]


@pytest.mark.parametrize(
    ("audio", "expected"),
    [
        ("AAAA", []),
        ("AAAAAA==", []),
        ("AAAAAAA=", []),
        ("", ["RT305"]),
        ("AAA-", ["RT301"]),
        ("AA_A", ["RT301"]),
        ("AA A", ["RT301"]),
        ("AAAA\nAAAA", ["RT301"]),
        ("AAAA\r\nAAAA", ["RT301"]),
        ("data:audio/wav;base64,AAAA", ["RT301"]),
        ("AAé=", ["RT301"]),
        ("AAAAAA", ["RT302"]),
        ("AAAAA", ["RT302"]),
        ("AAAAA=", ["RT302"]),
        ("AA==AA==", ["RT302"]),
        ("AAAA=", ["RT302"]),
        ("AA===", ["RT302"]),
        ("====", ["RT302"]),
        # invalid, not empty: no RT305 beside the RT302
        ("=", ["RT302"]),
        ("==", ["RT302"]),
        ("A", ["RT302"]),
        ("YR==", ["RT303"]),
        ("YWI=", []),
        ("YWJ=", ["RT303"]),
    ],
)
def test_codes(audio: str, expected: list[str]) -> None:
    assert codes(audio) == expected
    assert [p.rule for p in base64_problems_slow(audio)] == expected


def test_urlsafe_message_names_the_character_and_index() -> None:
    (problem,) = base64_problems("AAAAAAA-")
    assert problem.offset == 7
    assert problem.message == (
        "audio is not valid base64: '-' at index 7; this looks like URL-safe base64 ('-' and "
        "'_'): use the standard alphabet (base64.b64encode, not urlsafe_b64encode), or replace "
        "'-' with '+' and '_' with '/'"
    )


def test_whitespace_message() -> None:
    (problem,) = base64_problems("A" * 76 + "\nAAAA")  # base64.encodebytes wraps at 76
    assert problem.offset == 76
    assert "a line break (\\n) at index 76" in problem.message
    assert "MIME-style" in problem.message


def test_data_uri_message() -> None:
    (problem,) = base64_problems("data:audio/pcm;base64,AAAA")
    assert "data URI prefix 'data:audio/pcm;base64,'" in problem.message


def test_non_ascii_character_is_named_with_code_point() -> None:
    (problem,) = base64_problems("AAé=")
    assert "'é' (U+00E9) at index 2" in problem.message


@pytest.mark.parametrize(
    ("size", "too_large"),
    [
        (MAX_AUDIO_BYTES - 1, False),
        (MAX_AUDIO_BYTES, False),
        (MAX_AUDIO_BYTES + 1, True),
        (MAX_AUDIO_BYTES + 2, True),
        (MAX_AUDIO_BYTES + 3, True),
    ],
)
def test_size_limit_is_exact(size: int, too_large: bool) -> None:
    audio = base64.b64encode(bytes(size)).decode()
    assert decoded_size(audio) == size
    assert ("RT304" in codes(audio)) is too_large


def test_size_limit_message() -> None:
    audio = base64.b64encode(bytes(11)).decode()
    (problem,) = base64_problems(audio, 10)
    assert problem.message == (
        "audio decodes to 11 bytes, over the limit of 10 bytes for one append; split it into "
        "several appends"
    )


@given(st.binary(max_size=64))
def test_decoded_size_matches_decoding(data: bytes) -> None:
    text = base64.b64encode(data).decode()
    assert decoded_size(text) == len(data)
    assert decoded_size(text.encode()) == len(data)
    assert is_canonical(text)
    assert [p.rule for p in base64_problems(text)] == ([] if data else ["RT305"])


_B64_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ \n\ré"


@settings(max_examples=2000)
@given(st.text(alphabet=_B64_CHARS, max_size=24))
def test_fast_equals_slow(audio: str) -> None:
    assert list(base64_problems(audio)) == list(base64_problems_slow(audio))


@given(st.binary(min_size=1, max_size=48), st.integers(0, 200), st.sampled_from("-_ \n:é="))
def test_mutation_is_found_at_its_index(data: bytes, at: int, bad: str) -> None:
    text = base64.b64encode(data).decode()
    at = at % len(text)
    if text[at] == bad:
        return
    mutated = text[:at] + bad + text[at + 1 :]
    problems = list(base64_problems(mutated))
    assert problems == list(base64_problems_slow(mutated))
    if bad != "=":  # '=' can make another valid string ("AAA=" -> "AA==")
        assert problems[0].rule == "RT301"
        assert problems[0].offset == at


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet="AQgw+/=-\n", max_size=40)
    | st.binary(max_size=30).map(lambda b: base64.b64encode(b).decode()),
)
def test_validating_a_long_string_in_pieces_is_validating_it_whole(audio: str) -> None:
    """``_valid_base64`` decodes 4 Mi characters at a time (strings of hundreds of MB): with
    pieces of 8, each quantum still stands alone and '=' may end only the last piece."""
    import binascii
    from unittest import mock

    import pybase64

    from validator.check import audio as module

    try:
        pybase64.b64decode(audio, validate=True)
        whole = True
    except (binascii.Error, ValueError):
        whole = False
    with mock.patch.object(module, "_VALIDATE_CHARS", 8):
        assert module._valid_base64(audio) is whole
