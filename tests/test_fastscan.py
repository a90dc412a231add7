"""The fast road's native half (``validator/engine/_fastscan.c``) against its slow twin.

``fastroad.scan`` hands the rest of a run of canonical appends to ``_fastscan.extend_run``,
which stops at the first line in any doubt. With ``fastroad._EXTEND`` set to None the Python
loop judges every line itself: that is the twin, and every scan here runs both ways and must
give the same items (offsets, sizes, ids, columns) and keep the same decoded audio.

The lines are drawn to sit on each of the native half's decisions: every envelope form the
loop's expressions match and near misses of them, event ids of 0, 512 and 513 bytes, escaped
or not ASCII, audio of odd and even size, padded rightly and wrongly, with a bad character
anywhere, container heads (each first byte, ``ftyp`` at offset 4), float32 and loud pcm16
(the pre-test's threshold and window, met and missed by one), line ends, a last line without
its newline, and the audio and record limits exactly and one past.
"""

from __future__ import annotations

import base64
import os
import random
import struct
import subprocess
import sys
import sysconfig
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from validator.check.audio import FLOAT32_WINDOW
from validator.check.content import AUDIO_EXPONENT, MIN_EXPONENTS
from validator.core.media import CONTAINER_FIRST_BYTES, CONTAINER_HEADS
from validator.engine import fastroad

ENVELOPES = [
    '{{"type":"input_audio_buffer.append","event_id":"{eid}","audio":"{audio}"}}',
    '{{"type":"input_audio_buffer.append","audio":"{audio}"}}',
    '{{"event_id":"{eid}","type":"input_audio_buffer.append","audio":"{audio}"}}',
    '{{"type": "input_audio_buffer.append", "event_id": "{eid}", "audio": "{audio}"}}',
    '{{"type": "input_audio_buffer.append", "audio": "{audio}", "event_id": "{eid}"}}',  # SDK
    '{{"type":"input_audio_buffer.append","audio":"{audio}","event_id":"{eid}"}}',
    '{{"type":"input_audio_buffer.append", "audio":"{audio}"}}',
    '{{"event_id": "{eid}", "type":"input_audio_buffer.append","audio": "{audio}"}}',
    # near misses: each must be left to the Python loop
    '{{"type":"input_audio_buffer.append","event_id":"{eid}","audio":"{audio}","event_id":"x"}}',
    '{{"event_id":"{eid}","type":"input_audio_buffer.append","event_id":"x","audio":"{audio}"}}',
    '{{"type":"input_audio_buffer.append","audio":"{audio}" }}',
    '{{"type":"input_audio_buffer.append","audio":"{audio}"}} ',
    '{{"type":"input_audio_buffer.append","audio":"{audio}","x":1}}',
    '{{"type":"input_audio_buffer.append","audio":"{audio}","event_id":{eid}}}',
    '{{"type":"input_audio_buffer.append",  "audio":"{audio}"}}',
    '{{"type" :"input_audio_buffer.append","audio":"{audio}"}}',
    ' {{"type":"input_audio_buffer.append","audio":"{audio}"}}',
    '{{"type":"input_audio_buffer.appended","audio":"{audio}"}}',
    '{{"type":"input_audio_buffer.append","audio":["{audio}"]}}',
]
OTHERS = [
    '{{"type":"input_audio_buffer.commit","event_id":"{eid}"}}',
    '{{"type": "input_audio_buffer.clear", "event_id": "{eid}"}}',
    '{{"type":"input_audio_buffer.clear","event_id":"{eid}"}}',
    '{{"type":"response.create","event_id":"{eid}"}}',
    "",
    "[]",
    # near misses of the native half's quiet lines: each left to the Python loop
    '{{"type":"input_audio_buffer.commit"}}',
    '{{"type":"input_audio_buffer.commit","event_id":"{eid}" }}',
    '{{"type":"input_audio_buffer.commit","event_id":"{eid}","x":1}}',
    '{{"type":"input_audio_buffer.commit", "event_id":{eid}}}',
    '{{"type":"input_audio_buffer.committed","event_id":"{eid}"}}',
    '{{"event_id":"{eid}","type":"input_audio_buffer.commit"}}',
]
DELTAS = [
    '{{"type":"response.audio.delta","event_id":"{eid}","response_id":"resp_1","item_id":"i",'
    '"output_index":{index},"content_index":0,"delta":"{audio}"}}',
    '{{"type": "response.output_audio.delta", "event_id": "{eid}", "response_id": "r", '
    '"item_id": "item_{eid}", "output_index": 0, "content_index": {index}, "delta": "{audio}"}}',
    '{{"type":"response.audio.delta","event_id":"{eid}","response_id":"r","item_id":"i",'
    '"output_index":0,"content_index":0,"delta":"{audio}","x":1}}',
    '{{"type":"response.audio.delta","event_id":"{eid}","response_id":"r","item_id":"i",'
    '"output_index":0,"content_index":0,"delta":"{audio}" }}',
    '{{"type":"response.audio.delta","response_id":"r","event_id":"{eid}","item_id":"i",'
    '"output_index":0,"content_index":0,"delta":"{audio}"}}',
    '{{"type":"response.audio.delta_x","event_id":"{eid}","response_id":"r","item_id":"i",'
    '"output_index":0,"content_index":0,"delta":"{audio}"}}',
]
INDEXES = ["0", "1", "12", "123456789", "1234567890", "01", "-1", "1.0", " 1"]
IDS = ["evt_1", "", "e" * 511, "e" * 512, "e" * 513, "é", '\\"', "a\\u0041", "tab\there", "~ !#"]


def _sound(kind: str, size: int, rng: random.Random) -> bytes:
    """Return ``size`` bytes of audio of one kind."""
    if kind == "quiet":  # pcm16 speech at a low level: no exponent-like high bytes
        return b"".join(struct.pack("<h", rng.randint(-900, 900)) for _ in range(size // 2))[
            :size
        ] + bytes(size % 2)
    if kind == "loud":  # pcm16 near full scale: high bytes of 0x30-0x3f are common
        return b"".join(struct.pack("<h", rng.randint(0x3000, 0x3FFF)) for _ in range(size // 2))[
            :size
        ] + bytes(size % 2)
    if kind == "float32":
        return b"".join(struct.pack("<f", rng.uniform(-0.9, 0.9)) for _ in range(size // 4 + 1))[
            :size
        ]
    if kind == "container":
        heads = [b"RIFF\0\0\0\0WAVE", b"ID3\4\0\0\0\0\0\0", b"OggS\0\0", b"fLaC\0\0\0\x22"]
        heads += [b"\xff\xfb\x90\x00", b"\0\0\0\x18ftypM4A ", b"\x1a\x45\xdf\xa3"]
        heads += [bytes([first]) for first in CONTAINER_FIRST_BYTES]
        return (rng.choice(heads) + rng.randbytes(size))[: max(size, 1)]
    return rng.randbytes(size)


def _exponents_at_odd_offsets(count: int, size: int) -> bytes:
    """Return ``size`` bytes (even) of which exactly ``count`` odd offsets below the float32
    window hold an exponent-like byte: the pre-test's threshold met or missed by one."""
    like = next(v for v in range(256) if AUDIO_EXPONENT[v])
    unlike = next(v for v in range(1, 256) if not AUDIO_EXPONENT[v] and v not in (0xFF,))
    audio = bytearray([unlike]) * size
    for n, offset in enumerate(range(1, min(size, FLOAT32_WINDOW), 2)):
        if n < count:
            audio[offset] = like
    # odd offsets past the window do not count, whatever they hold
    for offset in range(FLOAT32_WINDOW + 1, size, 2):
        audio[offset] = like
    return bytes(audio)


def _audio_text(audio: bytes, spoil: str, rng: random.Random) -> str:
    """Return the base64 of ``audio``, spoiled one way or not at all."""
    text = base64.b64encode(audio).decode()
    if spoil == "urlsafe":
        return text.replace("+", "-").replace("/", "_") or "-"
    if spoil == "unpadded":
        return text.rstrip("=")
    if spoil == "noncanonical" and text.endswith("="):
        # "B" and "C" leave unused bits set before one "=" and before two
        last = text.rstrip("=")
        return last[:-1] + ("C" if last[-1] == "B" else "B") + text[len(last) :]
    if spoil == "extra-pad":
        return text + "="
    if spoil in ("bad-char", "quote", "escape", "space") and text:
        at = rng.randrange(len(text) + 1)
        piece = {"bad-char": "*", "quote": '\\"', "escape": "\\/", "space": " "}[spoil]
        return text[:at] + piece + text[at:]
    return text


@st.composite
def _blocks(draw: st.DrawFn) -> tuple[bytes, int, int]:
    """A block of lines, mostly appends in runs, and the audio and record limits."""
    seed = draw(st.integers(0, 2**32 - 1))
    rng = random.Random(seed)
    lines: list[bytes] = []
    sizes: list[int] = []
    for _ in range(draw(st.integers(1, 14))):
        choice = draw(st.integers(0, 9))
        if choice == 0:
            template = draw(st.sampled_from(OTHERS))
            lines.append(template.format(eid=draw(st.sampled_from(IDS))).encode())
        elif choice == 1:  # a run of the server's audio deltas
            for _ in range(draw(st.integers(1, 3))):
                template = draw(st.sampled_from(DELTAS[:2] * 4 + DELTAS[2:]))
                size = draw(st.sampled_from([0, 1, 2, 3, 4, 100, 481, 960]))
                spoil = draw(st.sampled_from(["none"] * 6 + ["noncanonical", "bad-char", "quote"]))
                text = _audio_text(_sound("quiet", size, rng), spoil, rng)
                eid = draw(st.sampled_from(IDS[:2] * 4 + IDS))
                index = draw(st.sampled_from(INDEXES[:3] * 3 + INDEXES))
                lines.append(template.format(eid=eid, audio=text, index=index).encode() + b"\n")
        else:
            kind = draw(
                st.sampled_from(
                    ["quiet", "quiet", "random", "loud", "float32", "container", "edge"]
                )
            )
            size = draw(
                st.sampled_from([0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 12, 100, 511, 512, 513, 1024, 1400])
            )
            if kind == "edge":
                size = max(size, 2) + size % 2
                audio = _exponents_at_odd_offsets(MIN_EXPONENTS + draw(st.integers(-1, 0)), size)
            else:
                audio = _sound(kind, size, rng)
            sizes.append(len(audio))
            spoil = draw(
                st.sampled_from(
                    ["none"] * 8
                    + [
                        "urlsafe",
                        "unpadded",
                        "noncanonical",
                        "extra-pad",
                        "bad-char",
                        "quote",
                        "escape",
                        "space",
                    ]
                )
            )
            envelope = draw(st.sampled_from(ENVELOPES[:8] * 4 + ENVELOPES[8:]))
            eid = draw(st.sampled_from(IDS[:2] * 6 + IDS))
            lines.append(envelope.format(eid=eid, audio=_audio_text(audio, spoil, rng)).encode())
        lines[-1] += draw(st.sampled_from([b"\n"] * 8 + [b"\r\n", b"\r\r\n", b""]))
    data = b"".join(line if line.endswith(b"\n") else line + b"\n" for line in lines[:-1])
    data += lines[-1]
    near = draw(st.sampled_from(sizes or [0]))
    max_audio = draw(st.sampled_from([15 << 20, near, near - 1, near + 1, 0]))
    line_sizes = [len(line) for line in data.splitlines(keepends=True)] or [0]
    max_record = draw(st.sampled_from([1 << 24, *line_sizes, *(n - 1 for n in line_sizes)]))
    return data, max(max_audio, 0), max(max_record, 1)


def _scan(
    data: bytes | bytearray, max_audio: int, max_record: int, spec: bool = True
) -> tuple[list[fastroad.Item], list[bytes]]:
    kept: list[bytes] = []
    # the same start for both: the memory of quiet lines and the version guess are global
    fastroad._MET.clear()
    fastroad._MET_EXACT.clear()
    fastroad._CREDIT[0] = fastroad._CREDIT_START
    fastroad._HINT[0] = fastroad.GA
    items = fastroad.scan(data, 0, len(data), max_audio, max_record, 0, kept, spec)
    return items, kept


def _both(data: bytes, max_audio: int, max_record: int) -> tuple[list[fastroad.Item], list[bytes]]:
    """Scan ``data`` natively and with the Python loop alone; assert they agree."""
    native = _scan(data, max_audio, max_record)
    saved = fastroad._EXTEND, fastroad._QUIET_RUN
    fastroad._EXTEND = fastroad._QUIET_RUN = None
    try:
        python = _scan(data, max_audio, max_record)
    finally:
        fastroad._EXTEND, fastroad._QUIET_RUN = saved
    assert native == python
    return native


@pytest.fixture(params=["vector", "portable"])
def base64_check(request: pytest.FixtureRequest) -> Iterator[str]:
    """Each of the native half's base64 checks in turn: the CPU's vector one (AVX2, where it
    has it) and the portable loop."""
    from validator.engine import _fastscan

    _fastscan.configure(*fastroad._TABLES, request.param == "vector")
    try:
        yield _fastscan.vector()
    finally:
        _fastscan.configure(*fastroad._TABLES)


def test_the_native_half_is_built() -> None:
    """Every supported machine has a C compiler at install: a build without it is slower, not
    wrong, and this test is what says so."""
    assert fastroad._EXTEND is not None, "validator/engine/_fastscan.c was not compiled"


@settings(
    max_examples=1500,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(_blocks())
def test_the_native_half_agrees_with_the_python_loop(block: tuple[bytes, int, int]) -> None:
    _both(*block)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(_blocks())
def test_each_base64_check_agrees_with_the_python_loop(
    base64_check: str, block: tuple[bytes, int, int]
) -> None:
    _both(*block)


ALPHABET = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")


def test_every_byte_value_at_every_place_of_a_vector(base64_check: str) -> None:
    """Each of the 256 byte values, put in the audio where a vector of 32 bytes and a step of
    128 start and end: the line is taken exactly when the byte is in the alphabet."""
    text = bytearray(base64.b64encode(bytes([4, 0, 8, 1]) * 150))  # 800 characters, no "="
    for at in (0, 1, 30, 31, 32, 33, 127, 128, 129, 255, 256, 300, 767, 768, 798, 799):
        for value in range(256):
            audio = bytearray(text)
            audio[at] = value
            line = b'{"type":"input_audio_buffer.append","audio":"' + audio + b'"}\n'
            assert _extend(line) == (value in ALPHABET), (base64_check, at, value)


def _run_of(lines: list[bytes]) -> bytes:
    return b"".join(line + b"\n" for line in lines)


def _append(audio: bytes, eid: str | None = "e", form: int = 0) -> bytes:
    text = base64.b64encode(audio).decode()
    envelope = ENVELOPES[form] if eid is not None else ENVELOPES[1]
    return envelope.format(eid=eid, audio=text).encode()


QUIET = bytes([4, 0, 8, 1]) * 128  # 512 bytes of low samples: no float32 look, no container


def _taken(data: bytes, max_audio: int = 15 << 20, max_record: int = 1 << 24) -> list[int]:
    """Return the number of appends in each run the scan made of ``data``."""
    items, _ = _both(data, max_audio, max_record)
    return [item.lines for item in items if isinstance(item, fastroad.Appends)]


@pytest.mark.parametrize("end", [b"\n", b"\r\n"])
def test_a_run_of_canonical_appends_is_taken_whole_in_every_form(end: bytes) -> None:
    for form in range(8):
        lines = [_append(QUIET, f"evt_{n}", form) for n in range(5)]
        data = b"".join(line + end for line in lines)
        assert _taken(data) == [5], form
        assert _extend(data) == 5, form  # by the native half, not line by line in Python


SHORT = _append(bytes([4, 0]))  # a run's first append, judged by the Python loop


@pytest.mark.parametrize("extra", [-1, 0, 1])
def test_the_audio_limit_exactly_and_one_past(extra: int) -> None:
    data = _run_of([SHORT] + [_append(QUIET)] * 4)
    assert _taken(data, max_audio=len(QUIET) + extra) == ([1] if extra < 0 else [5])
    assert _extend(data[len(SHORT) + 1 :], max_audio=len(QUIET) + extra) == (0 if extra < 0 else 4)


@pytest.mark.parametrize("extra", [-1, 0])
def test_the_record_limit_exactly_and_one_past(extra: int) -> None:
    line = _append(QUIET)
    data = _run_of([SHORT] + [line] * 4)
    assert _taken(data, max_record=len(line) + 1 + extra) == ([1] if extra else [5])
    assert _extend(data[len(SHORT) + 1 :], max_record=len(line) + 1 + extra) == (0 if extra else 4)


@pytest.mark.parametrize("spoil", ["noncanonical", "urlsafe", "unpadded", "extra-pad", "bad-char"])
@pytest.mark.parametrize("size", [2, 4, 512, 514])
def test_spoiled_base64_is_left_to_python(spoil: str, size: int) -> None:
    text = _audio_text(QUIET[:size], spoil, random.Random(size))
    line = ENVELOPES[0].format(eid="e", audio=text).encode()
    spoiled = text != base64.b64encode(QUIET[:size]).decode()
    assert _extend(_run_of([line])) == (0 if spoiled else 1)
    _both(_run_of([SHORT, line, SHORT]), 15 << 20, 1 << 24)


def test_event_ids_of_512_bytes_are_read_and_513_left_to_python() -> None:
    items, _ = _both(_run_of([_append(QUIET, "e" * 512)] * 3), 15 << 20, 1 << 24)
    assert [item.ids for item in items] == [["e" * 512] * 3]
    items, _ = _both(_run_of([_append(QUIET, "e" * 513)] * 3), 15 << 20, 1 << 24)
    assert not any(isinstance(item, fastroad.Appends) for item in items)


def test_a_line_without_its_newline_is_left_to_python() -> None:
    data = _run_of([_append(QUIET)] * 3) + _append(QUIET)
    assert _taken(data) == [4]


@pytest.mark.parametrize("count", [MIN_EXPONENTS - 1, MIN_EXPONENTS])
@pytest.mark.parametrize("size", [FLOAT32_WINDOW - 2, FLOAT32_WINDOW, FLOAT32_WINDOW + 2, 1024])
def test_the_float32_pre_test_threshold(count: int, size: int) -> None:
    """The native half takes an append whose head has fewer exponent-like bytes at odd
    offsets than the pre-test's threshold, and leaves one that meets it to the Python loop
    (which then runs the whole float32 test)."""
    audio = _exponents_at_odd_offsets(count, size)
    data = _run_of([_append(audio)] * 3)
    taken = _extend(data)
    possible = min(size, FLOAT32_WINDOW) // 2  # odd offsets in the window
    assert taken == (3 if count < MIN_EXPONENTS or possible < MIN_EXPONENTS else 0)
    _both(_run_of([_append(QUIET)]) + data, 15 << 20, 1 << 24)


def _extend(data: bytes, max_audio: int = 15 << 20, max_record: int = 1 << 24) -> int:
    """Return how many appends from the start of ``data`` the native half takes."""
    assert fastroad._EXTEND is not None
    return fastroad._EXTEND(
        data, 0, len(data), max_audio, max_record, [], [], "", 0, 0, 1 << 62, 0, 0
    )[1]


@pytest.mark.parametrize("head", sorted(CONTAINER_HEADS))
def test_each_container_head_is_left_to_python(head: bytes) -> None:
    """Two first bytes a container may start with: the Python loop asks ``sniff_container``.
    The same first byte with another second one is no container, and the native half takes
    it."""
    assert _extend(_run_of([_append(head + QUIET[2:])] * 3)) == 0
    other = bytes((head[0], 0x02))
    assert other not in CONTAINER_HEADS
    assert _extend(_run_of([_append(other + QUIET[2:])] * 3)) == 3
    _both(_run_of([_append(QUIET)] + [_append(head + QUIET[2:])] * 3), 15 << 20, 1 << 24)


@pytest.mark.parametrize("size", [7, 8, 9, 10, 12])
def test_ftyp_at_offset_4(size: int) -> None:
    head = (b"\x02\x00\x02\x00ftypM4A " + QUIET)[:size]
    _both(_run_of([_append(QUIET)] + [_append(head)] * 3), 15 << 20, 1 << 24)


def test_runs_of_commits_and_audio_deltas_are_taken_whole() -> None:
    """A turn's commit and the server's audio deltas are one run of quiet lines, taken by the
    native half (not line by line in Python), with each line's type and client id."""
    delta = DELTAS[0].format(eid="e", index=0, audio=base64.b64encode(QUIET).decode())
    commit = OTHERS[0].format(eid="evt_7")
    data = _run_of([SHORT, commit.encode(), delta.encode(), delta.encode(), SHORT])
    items, _ = _both(data, 15 << 20, 1 << 24)
    quiets = [item for item in items if isinstance(item, fastroad.Quiets)]
    assert [(q.types, q.ids) for q in quiets] == [
        (
            ["input_audio_buffer.commit", "response.audio.delta", "response.audio.delta"],
            ["evt_7", None, None],
        )
    ]
    assert fastroad._QUIET_RUN is not None
    names = fastroad._QUIET
    types: list[str] = []
    ids: list[str | None] = []
    start = len(SHORT) + 1
    after = fastroad._QUIET_RUN(data, start, len(data), 1 << 24, types, ids, None, names)
    assert after == len(data) - len(SHORT) - 1
    assert types[0] is names[0]  # the shared string


def test_the_arguments_are_checked() -> None:
    assert fastroad._EXTEND is not None
    extend = fastroad._EXTEND
    data = _run_of([_append(QUIET)] * 2)
    good = (data, 0, len(data), 1 << 20, 1 << 24, [], [], "", 0, 0, 1 << 62, 0, 0)
    assert extend(*good)[1] == 2
    with pytest.raises(ValueError):
        extend(data, 0, len(data) + 1, *good[3:])
    with pytest.raises(ValueError):
        extend(data, -1, len(data), *good[3:])
    with pytest.raises(TypeError):
        extend(*good[:5], (), [], *good[7:])
    with pytest.raises(TypeError):
        extend(*good[:12])  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        extend("text", *good[1:])  # type: ignore[arg-type]
    from validator.engine import _fastscan

    vector = _fastscan.vector()
    with pytest.raises(ValueError):  # container heads are pairs of bytes
        _fastscan.configure(b"I", *fastroad._TABLES[1:], False)
    with pytest.raises(ValueError):  # a 256-byte exponent table
        _fastscan.configure(fastroad._TABLES[0], b"\0", *fastroad._TABLES[2:], False)
    # a refused configure changes nothing: the tables and the base64 check as they were
    assert extend(*good)[1] == 2 and _fastscan.vector() == vector
    quiet = fastroad._QUIET_RUN
    assert quiet is not None
    with pytest.raises(ValueError):
        quiet(data, 0, len(data) + 1, 1 << 24, [], [], None, fastroad._QUIET)
    with pytest.raises(TypeError):
        quiet(data, 0, len(data), 1 << 24, [], [], (), fastroad._QUIET)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        quiet(data, 0, len(data), 1 << 24, [], [], None, fastroad._QUIET[:3])  # type: ignore[arg-type]


ASAN_SCRIPT = r"""
import base64, importlib.util, random, sys
from validator.engine import fastroad
ARGS = (1 << 20, 1 << 24, [], [], "", 0, 0, 1 << 62, 0, 0)
spec = importlib.util.spec_from_file_location("_fastscan", sys.argv[1])
native = importlib.util.module_from_spec(spec)
spec.loader.exec_module(native)
audio = base64.b64encode(bytes([4, 0, 8, 1]) * 200).decode()
lines = [
    '{"type":"input_audio_buffer.append","event_id":"evt_1","audio":"%s"}' % audio,
    '{"type": "input_audio_buffer.append", "audio": "%s", "event_id": "e"}' % audio[:300],
    '{"event_id":"e","type":"input_audio_buffer.append","audio":"%s=="}' % audio[:102],
    '{"type":"input_audio_buffer.commit","event_id":"evt_2"}',
    '{"type":"response.audio.delta","event_id":"e","response_id":"r","item_id":"i",'
    '"output_index":0,"content_index":12,"delta":"%s"}' % audio[:500],
]
rng = random.Random(7)
for vector in (True, False):
    native.configure(*fastroad._TABLES, vector)
    for line in lines:
        for end in (b"\n", b"\r\n", b""):
            whole = line.encode() + end
            for cut in range(len(whole) + 1):  # a block that ends anywhere in the line
                for data in (whole[:cut], bytearray(whole[:cut])):
                    native.extend_run(data, 0, len(data), *ARGS)
                    native.quiet_run(data, 0, len(data), 1 << 24, [], [], None, fastroad._QUIET)
    for _ in range(2000):
        size = rng.randrange(0, 400)
        data = bytes(rng.choice(b'AZaz09+/="{}\\n ') for _ in range(size))
        native.extend_run(data, 0, len(data), *ARGS)
        native.quiet_run(data, 0, len(data), 1 << 24, [], [], None, fastroad._QUIET)
print("clean")
"""


def test_no_read_outside_the_block_under_addresssanitizer(tmp_path: Path) -> None:
    """The native half built with AddressSanitizer, every allocation through malloc: blocks
    cut at every byte of every kind of line, and random bytes, on both base64 checks, read
    nothing past the block (an over-read of the vector loop is caught here, not by a result)."""
    include = sysconfig.get_paths()["include"]
    built = tmp_path / "_fastscan.so"
    subprocess.run(
        [
            "gcc",
            "-O1",
            "-g",
            "-fsanitize=address",
            "-fno-omit-frame-pointer",
            "-shared",
            "-fPIC",
            f"-I{include}",
            str(ROOT / "validator" / "engine" / "_fastscan.c"),
            "-o",
            str(built),
        ],
        check=True,
        capture_output=True,
    )
    runtime = subprocess.run(
        ["gcc", "-print-file-name=libasan.so"], check=True, capture_output=True, text=True
    ).stdout.strip()
    env = {
        **os.environ,
        "LD_PRELOAD": runtime,
        "PYTHONMALLOC": "malloc",
        "ASAN_OPTIONS": "detect_leaks=0",
    }
    proc = subprocess.run(
        [sys.executable, "-c", ASAN_SCRIPT, str(built)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=600,
    )
    assert proc.returncode == 0 and proc.stdout.strip() == "clean", proc.stderr[-3000:]
