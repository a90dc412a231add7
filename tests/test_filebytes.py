"""scale.filebytes: a file's bytes read a piece at a time, found as in ``bytes``."""

from __future__ import annotations

import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from validator.scale import filebytes
from validator.scale.filebytes import FileBytes


class Gone(Exception):
    """What the tests' file raises when bytes asked for are not there."""


@given(
    data=st.binary(max_size=300).map(lambda b: b.replace(b"\x00", b"\n")),
    ranges=st.lists(st.tuples(st.integers(0, 300), st.integers(0, 300)), max_size=20),
    piece=st.sampled_from([1, 2, 7, 64, 1 << 16]),
)
def test_finds_what_bytes_find(data: bytes, ranges: list[tuple[int, int]], piece: int) -> None:
    """Every range, in any order (the kept piece reused or not), finds what ``bytes`` finds."""
    original = filebytes.PIECE_BYTES
    filebytes.PIECE_BYTES = piece
    try:
        view = FileBytes(io.BytesIO(data), Gone)
        for a, b in ranges:
            start, end = min(a, b, len(data)), min(max(a, b), len(data))
            assert view.find(b"\n", start, end) == data.find(b"\n", start, end)
            assert view.rfind(b"\n", start, end) == data.rfind(b"\n", start, end)
            assert view[start:end] == data[start:end]
            if b"\n" in data[start:end]:
                assert view.index(b"\n", start, end) == data.index(b"\n", start, end)
            else:
                with pytest.raises(ValueError):
                    view.index(b"\n", start, end)
    finally:
        filebytes.PIECE_BYTES = original


def test_bytes_gone_from_the_file_are_the_callers_error() -> None:
    """A range past the file's end (it was cut after the workers scanned it) raises what the
    caller gave, never a wrong answer."""
    view = FileBytes(io.BytesIO(b"ab\ncd\n"), Gone)
    with pytest.raises(Gone, match="bytes 6 to 10 are gone"):
        view.rfind(b"\n", 0, 10)
    assert view.find(b"\n", 3, 6) == 5
    with pytest.raises(Gone, match="bytes 6 to 9 are gone"):
        view[2:9]
