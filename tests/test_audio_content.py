"""Tests for validator.check.content: container sniffing (RT307) and float32 detection (RT308).

The fixtures in fixtures/audio/ are real speech made by fixtures/audio/make_audio.py; the raw
ones must never trip either check, wherever a window starts, and every file must be named.
"""

from __future__ import annotations

import math
import random
import struct
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from validator.check import content as audio_content
from validator.check.content import looks_like_float32
from validator.core.media import (
    CONTAINER_FIRST_BYTES,
    CONTAINER_HEADS,
    CONTENT_WINDOW,
    sniff_container,
)

FIXTURES = Path(__file__).parent.parent / "fixtures" / "audio"

CONTAINER_FILES = [
    ("speech.wav", "WAV/RIFF"),
    ("speech_rf64.wav", "WAV/RIFF"),
    ("speech.aiff", "AIFF"),
    ("speech.flac", "FLAC"),
    ("speech_id3.mp3", "MP3"),
    ("speech_bare.mp3", "MP3"),
    ("speech_vorbis.ogg", "Ogg"),
    ("speech.opus", "Ogg"),
    ("speech.webm", "WebM/Matroska"),
    ("speech.m4a", "MP4/M4A"),
    ("speech.aac", "AAC/ADTS"),
]
# raw audio that must trip nothing, with its bytes per 20 ms append and per sample
RAW_FILES = [
    ("speech_pcm16_24k.raw", 960, 2),
    ("speech_loud_clipped_pcm16_24k.raw", 960, 2),
    ("silence_pcm16.raw", 960, 2),
    ("noise_quiet_pcm16.raw", 960, 2),
    ("noise_pcm16.raw", 960, 2),
    ("noise_loud_pcm16.raw", 960, 2),
    ("speech_ulaw_8k.raw", 160, 1),
    ("speech_alaw_8k.raw", 160, 1),
]
FLOAT32_FILE = "speech_f32le_24k.raw"
FLOAT32_CHUNK = 1920  # 20 ms of float32 at 24 kHz
RAW_NAMES = [name for name, _, _ in RAW_FILES]


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def ids(rows: list[tuple[str, str]] | list[tuple[str, int, int]]) -> list[str]:
    return [row[0] for row in rows]


# --- the fixtures themselves ---------------------------------------------------------------------


def test_fixture_folder_holds_exactly_the_listed_files() -> None:
    listed = {name for name, _ in CONTAINER_FILES} | set(RAW_NAMES) | {FLOAT32_FILE}
    present = {p.name for p in FIXTURES.iterdir() if p.suffix not in {".py", ".md"}}
    assert present == listed


def test_fixture_folder_stays_small() -> None:
    assert sum(p.stat().st_size for p in FIXTURES.iterdir()) < 400_000


@pytest.mark.parametrize(("name", "chunk", "width"), RAW_FILES, ids=ids(RAW_FILES))
def test_raw_fixture_is_real_audio_of_useful_length(name: str, chunk: int, width: int) -> None:
    data = fixture(name)
    seconds = len(data) / (chunk * 50)
    assert 0.5 <= seconds <= 1.5
    assert len(data) % width == 0


# --- containers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "expected"), CONTAINER_FILES, ids=ids(CONTAINER_FILES))
def test_container_file_is_named(name: str, expected: str) -> None:
    assert sniff_container(fixture(name)[:CONTENT_WINDOW]) == expected


@pytest.mark.parametrize(("name", "expected"), CONTAINER_FILES, ids=ids(CONTAINER_FILES))
def test_container_answer_ignores_bytes_past_the_window(name: str, expected: str) -> None:
    data = fixture(name)[:CONTENT_WINDOW]
    for tail in (b"", bytes(4096), random.Random(name).randbytes(4096)):
        assert sniff_container(data + tail) == expected


@pytest.mark.parametrize(("name", "expected"), CONTAINER_FILES, ids=ids(CONTAINER_FILES))
def test_truncated_container_is_none_then_named(name: str, expected: str) -> None:
    # each prefix is either not recognised yet or recognised correctly, never misnamed, and once
    # recognised it stays so: a longer prefix of a real file only adds evidence
    data = fixture(name)[:CONTENT_WINDOW]
    answers = [sniff_container(data[:length]) for length in range(len(data) + 1)]
    assert set(answers) <= {None, expected}
    first = answers.index(expected)
    assert all(answer == expected for answer in answers[first:])
    assert first >= 4  # no format is told from 3 bytes


@pytest.mark.parametrize(
    "head", [b"", b"\x00", b"\xff", b"\xff\xfb", b"ID3", b"RIF", b"\x1a\x45\xdf"]
)
def test_empty_and_tiny_heads(head: bytes) -> None:
    assert sniff_container(head) is None
    assert looks_like_float32(head) is False


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"RIFF\x24\x00\x00\x00WAVEfmt ", "WAV/RIFF"),
        (b"RIFX\x00\x00\x00\x24WAVEfmt ", "WAV/RIFF"),
        (b"RF64\xff\xff\xff\xffWAVEds64", "WAV/RIFF"),
        (b"RIFF\x24\x00\x00\x00AVI LIST", None),
        (b"RIFF\x24\x00\x00\x00WAV", None),  # truncated before the form type ends
        (b"FORM\x00\x00\x10\x00AIFFCOMM", "AIFF"),
        (b"FORM\x00\x00\x10\x00AIFCFVER", "AIFF"),
        (b"FORM\x00\x00\x10\x008SVXVHDR", None),
        (b"OggS\x00\x02" + bytes(8), "Ogg"),
        (b"OggS\x01\x02" + bytes(8), None),  # only stream structure version 0 exists
        (b"OggS\x00\x80" + bytes(8), None),  # undefined header-type flag
        (b"fLaC\x00\x00\x00\x22" + bytes(34), "FLAC"),
        (b"fLaC\x80\x00\x00\x22" + bytes(34), "FLAC"),  # STREAMINFO as the last block
        (b"fLaC\x04\x00\x00\x22" + bytes(34), None),  # first block must be STREAMINFO
        (b"fLaC", None),
        (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81", "WebM/Matroska"),
        (b"\x00\x00\x00\x1cftypM4A \x00\x00\x02\x00", "MP4/M4A"),
        (b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00", "MP4/M4A"),
        (b"\x00\x00\x00\x1cftyp", "MP4/M4A"),
        (b"\x00\x00\x00\x1cfty", None),
        (b"\x00\x00\x00\x1cmoov", None),
    ],
)
def test_magic_numbers(head: bytes, expected: str | None) -> None:
    assert sniff_container(head) == expected


def id3_header(major: int, flags: int, size: int) -> bytes:
    syncsafe = bytes((size >> shift) & 0x7F for shift in (21, 14, 7, 0))
    return b"ID3" + bytes((major, 0, flags)) + syncsafe


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (id3_header(3, 0, 100_000), "MP3"),  # the tag runs past the window: the tag decides
        (id3_header(4, 0, 20) + bytes(20) + b"fLaC\x00\x00\x00\x22" + bytes(34), "FLAC"),
        (id3_header(4, 0x10, 20) + bytes(30) + b"fLaC\x00\x00\x00\x22", "FLAC"),  # footer
        (id3_header(2, 0, 0) + b"garbage after the tag", "MP3"),
        (id3_header(5, 0, 100), None),  # no such major version
        (id3_header(3, 0x1F, 100), None),  # undefined flag bits set
        (b"ID3\x03\xff\x00\x00\x00\x00\x10", None),  # revision 0xFF is forbidden
        (b"ID3\x03\x00\x00\x00\x80\x00\x10", None),  # not syncsafe
        (id3_header(3, 0, 100)[:9], None),  # truncated
    ],
)
def test_id3v2(head: bytes, expected: str | None) -> None:
    assert sniff_container(head) == expected


# --- MPEG audio and ADTS frames: an independent model of the headers -----------------------------

# bitrates (kbit/s) by MPEG-1?, layer number (1, 2, 3) and index, from ISO/IEC 11172-3 / 13818-3
KBPS = {
    (True, 1): [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
    (True, 2): [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
    (True, 3): [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
    (False, 1): [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
    (False, 2): [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
    (False, 3): [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
}
RATES = {0b11: [44100, 48000, 32000], 0b10: [22050, 24000, 16000], 0b00: [11025, 12000, 8000]}
LAYER_BITS = {1: 0b11, 2: 0b10, 3: 0b01}


def mpeg_header(version: int, layer: int, kbps_index: int, rate_index: int, pad: int = 0) -> bytes:
    """Four header bytes: sync, version bits, layer number 1-3, no CRC, mono."""
    b1 = 0xE0 | version << 3 | LAYER_BITS[layer] << 1 | 1
    return bytes((0xFF, b1, kbps_index << 4 | rate_index << 2 | pad << 1, 0xC0))


def mpeg_model(head: bytes, pos: int) -> tuple[tuple[int, int, int], int] | None:
    """Return ((version, layer, rate index), frame bytes) for a valid header at pos, else None."""
    if len(head) < pos + 4 or head[pos] != 0xFF or head[pos + 1] >> 5 != 0b111:
        return None
    version = head[pos + 1] >> 3 & 3
    layer = {0b11: 1, 0b10: 2, 0b01: 3}.get(head[pos + 1] >> 1 & 3)
    kbps_index, rate_index = head[pos + 2] >> 4, head[pos + 2] >> 2 & 3
    if version == 0b01 or layer is None or kbps_index in (0, 15) or rate_index == 3:
        return None
    if head[pos + 3] & 3 == 0b10:
        return None
    bitrate = KBPS[(version == 0b11, layer)][kbps_index] * 1000
    rate = RATES[version][rate_index]
    samples = {1: 384, 2: 1152, 3: 1152 if version == 0b11 else 576}[layer]
    slot = 4 if layer == 1 else 1
    pad = head[pos + 2] >> 1 & 1
    return (version, layer, rate_index), (samples // 8 * bitrate // rate // slot + pad) * slot


def adts_header(rate_index: int, length: int, crc: bool = False) -> bytes:
    """Seven header bytes for one AAC-LC mono frame of length bytes."""
    b1 = 0xF0 | (0 if crc else 1)
    b2 = 1 << 6 | rate_index << 2
    return bytes(
        (0xFF, b1, b2, 1 << 6 | length >> 11, length >> 3 & 0xFF, (length & 7) << 5 | 0x1F, 0xFC)
    )


def frames(header: bytes, count: int, length: int, filler: int = 0x55) -> bytes:
    """count frames, each header then filler bytes up to length."""
    return (header + bytes([filler]) * (length - len(header))) * count


MPEG_CASES = [
    (version, layer, kbps_index, rate_index, pad)
    for version in (0b11, 0b10, 0b00)
    for layer in (1, 2, 3)
    for kbps_index in (1, 9, 14)
    for rate_index in (0, 1, 2)
    for pad in (0, 1)
]


@pytest.mark.parametrize(("version", "layer", "kbps_index", "rate_index", "pad"), MPEG_CASES)
def test_mpeg_frames_chain(
    version: int, layer: int, kbps_index: int, rate_index: int, pad: int
) -> None:
    header = mpeg_header(version, layer, kbps_index, rate_index, pad)
    model = mpeg_model(header, 0)
    assert model is not None
    length = model[1]
    stream = frames(header, 3, length)
    assert sniff_container(stream) == "MP3"
    # exactly at the boundary: the second header's 4 bytes end the window
    assert sniff_container(stream[: length + 4]) == "MP3"
    assert sniff_container(stream[: length + 3]) is None
    # the second header one byte off where the first says: not confirmed
    assert sniff_container(header + bytes(length - 3) + stream[length:]) is None
    assert sniff_container(stream[:length] + bytes(length)) is None


def test_longest_frames_fit_the_window() -> None:
    lengths = [mpeg_model(mpeg_header(v, layer, k, r, 1), 0) for v, layer, k, r, _ in MPEG_CASES]
    assert max(model[1] for model in lengths if model) + 4 <= CONTENT_WINDOW
    longest_adts = frames(adts_header(3, 8191), 2, 8191)
    assert sniff_container(longest_adts[:CONTENT_WINDOW]) == "AAC/ADTS"
    assert sniff_container(longest_adts[: 8191 + 6]) is None


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (frames(mpeg_header(0b11, 3, 0, 0), 3, 417), None),  # free format: length unknown
        (frames(mpeg_header(0b11, 3, 15, 0), 3, 417), None),  # forbidden bitrate index
        (frames(b"\xff\xfb\x9c\xc0", 3, 417), None),  # sample-rate index 3 is reserved
        (frames(b"\xff\xeb\x90\xc0", 3, 417), None),  # version bits 01 are reserved
        (frames(b"\xff\xfb\x90\xc2", 3, 417), None),  # emphasis 10 is reserved
        # the rate changes between frames: no real stream does that
        (
            frames(mpeg_header(0b11, 3, 9, 0), 1, 417) + frames(mpeg_header(0b11, 3, 9, 1), 2, 384),
            None,
        ),
        # the bitrate may change (VBR)
        (
            frames(mpeg_header(0b11, 3, 9, 0), 1, 417)
            + frames(mpeg_header(0b11, 3, 14, 0), 2, 1044),
            "MP3",
        ),
        # a third header inside the window must hold up too
        (frames(mpeg_header(0b11, 3, 9, 0), 2, 417) + bytes(417), None),
        (frames(mpeg_header(0b11, 3, 9, 0), 2, 417) + b"\xff\xfb\x90", "MP3"),  # cut short: fine
        (frames(adts_header(3, 300), 3, 300), "AAC/ADTS"),
        (frames(adts_header(3, 300, crc=True), 3, 300), "AAC/ADTS"),
        (frames(adts_header(3, 300), 1, 300) + bytes(600), None),
        (frames(adts_header(13, 300), 3, 300), None),  # reserved rate index
        (frames(adts_header(3, 6), 3, 6), None),  # shorter than its own header
        (frames(adts_header(3, 300), 1, 300) + frames(adts_header(4, 300), 2, 300), None),
        (id3_header(4, 0, 0) + frames(adts_header(3, 300), 3, 300), "AAC/ADTS"),
        (id3_header(4, 0, 0) + frames(mpeg_header(0b11, 3, 9, 0), 3, 417), "MP3"),
    ],
)
def test_frame_sync_edge_cases(head: bytes, expected: str | None) -> None:
    assert sniff_container(head) == expected


def test_random_sync_words_need_a_following_frame() -> None:
    # a valid-looking MPEG header (random fields) at offset 0 followed by random bytes: called
    # "MP3" only when the model finds a matching header exactly one frame later
    rng = random.Random(307)
    planted = detected = 0
    for _ in range(5000):
        head = bytearray(rng.randbytes(rng.choice((64, 960, 3000, CONTENT_WINDOW))))
        head[0], head[1] = 0xFF, 0xE0 | rng.getrandbits(5)
        first = mpeg_model(bytes(head), 0)
        plant = first is not None and first[1] + 4 <= len(head) and rng.random() < 0.5
        if plant and first is not None:
            # copies of the first header where the next frames start: the positive side
            for pos in (first[1], 2 * first[1]):
                head[pos : pos + 4] = head[:4] if pos + 4 <= len(head) else head[pos : pos + 4]
            planted += 1
        answer = sniff_container(bytes(head))
        assert answer in (None, "MP3", "AAC/ADTS")
        if plant:
            assert answer == "MP3"
        if answer == "MP3":
            detected += 1
            assert first is not None
            second = mpeg_model(bytes(head), first[1])
            assert second is not None and second[0] == first[0]
    assert planted > 300
    assert detected - planted < 5  # chance alone almost never confirms a frame


def test_random_bytes_are_never_a_container() -> None:
    rng = random.Random(3070)
    found = [
        head
        for head in (
            rng.randbytes(rng.choice((2, 7, 160, 960, CONTENT_WINDOW))) for _ in range(5000)
        )
        if sniff_container(head) is not None
    ]
    assert found == []


# --- raw audio never trips either check ----------------------------------------------------------


@pytest.mark.parametrize("name", [*RAW_NAMES, FLOAT32_FILE])
def test_raw_file_is_no_container(name: str) -> None:
    assert sniff_container(fixture(name)[:CONTENT_WINDOW]) is None


@pytest.mark.parametrize("name", RAW_NAMES)
def test_raw_file_is_not_float32(name: str) -> None:
    assert looks_like_float32(fixture(name)[:CONTENT_WINDOW]) is False


def chunks(data: bytes, size: int, start: int = 0) -> Iterator[tuple[int, bytes]]:
    for offset in range(start, len(data), size):
        yield offset, data[offset : offset + size]


@pytest.mark.parametrize(("name", "chunk", "width"), RAW_FILES, ids=ids(RAW_FILES))
def test_every_20ms_append_of_raw_audio_is_clean(name: str, chunk: int, width: int) -> None:
    data = fixture(name)
    tripped = [
        offset
        for offset, piece in chunks(data, chunk)
        if sniff_container(piece) is not None or looks_like_float32(piece)
    ]
    assert tripped == []
    assert len(data) // chunk >= 25


@pytest.mark.parametrize(("name", "chunk", "width"), RAW_FILES, ids=ids(RAW_FILES))
def test_windows_at_every_sample_offset_of_raw_audio_are_clean(
    name: str, chunk: int, width: int
) -> None:
    # appends of any size start anywhere in a stream; a window may also end anywhere
    data = fixture(name)
    rng = random.Random(name)
    tripped = []
    for offset in range(0, len(data), width):
        size = CONTENT_WINDOW if offset % 3 else rng.randrange(width, 2 * chunk, width)
        window = data[offset : offset + size]
        if sniff_container(window) is not None or looks_like_float32(window):
            tripped.append(offset)
    assert tripped == []


@pytest.mark.parametrize(("name", "chunk", "width"), RAW_FILES, ids=ids(RAW_FILES))
def test_tiny_appends_of_raw_audio_are_clean(name: str, chunk: int, width: int) -> None:
    # a few samples give chance its best odds: too little evidence must never be enough
    data = fixture(name)
    tripped = [
        (offset, size)
        for offset in range(0, len(data), width)
        for size in (8, 16, 32, 64, 130)
        if sniff_container(data[offset : offset + size])
        or looks_like_float32(data[offset : offset + size])
    ]
    assert tripped == []


@pytest.mark.parametrize(("name", "chunk", "width"), RAW_FILES, ids=ids(RAW_FILES))
def test_odd_byte_offsets_of_raw_audio_are_no_container(name: str, chunk: int, width: int) -> None:
    data = fixture(name)
    assert [o for o in range(1, len(data), 2) if sniff_container(data[o : o + chunk])] == []


# --- float32 -------------------------------------------------------------------------------------


def test_float32_file_is_float32() -> None:
    assert looks_like_float32(fixture(FLOAT32_FILE)[:CONTENT_WINDOW]) is True


def rms(floats: bytes) -> float:
    values = struct.unpack(f"<{len(floats) // 4}f", floats[: len(floats) // 4 * 4])
    return math.sqrt(sum(v * v for v in values) / max(1, len(values)))


@pytest.mark.parametrize("shift", [0, 2], ids=["aligned", "half-sample-shift"])
def test_every_audible_20ms_append_of_float32_is_float32(shift: int) -> None:
    # shift 2: a float32 stream cut into appends that start in the middle of a sample
    data = fixture(FLOAT32_FILE)[shift:]
    pieces = [piece for _, piece in chunks(data, FLOAT32_CHUNK) if len(piece) == FLOAT32_CHUNK]
    audible = [piece for piece in pieces if rms(piece[(4 - shift) % 4 :]) > 1e-4]
    assert len(audible) >= 0.7 * len(pieces)  # most of the second is speech, not pauses
    assert [piece for piece in audible if not looks_like_float32(piece)] == []


@pytest.mark.parametrize("amplitude", [1.0, 0.5, 0.1, 0.01, 1e-3, 1e-5])
@pytest.mark.parametrize("count", [audio_content.MIN_EXPONENTS, 240, 2048])
def test_float32_sine_is_float32(amplitude: float, count: int) -> None:
    samples = [amplitude * math.sin(2 * math.pi * 440 * (i + 0.5) / 24000) for i in range(count)]
    assert looks_like_float32(struct.pack(f"<{count}f", *samples)) is True


def test_float32_below_the_evidence_threshold_is_not_judged() -> None:
    count = audio_content.MIN_EXPONENTS
    loud = struct.pack(f"<{count}f", *([0.5, -0.25] * count)[:count])
    assert looks_like_float32(loud) is True
    assert looks_like_float32(loud[:-4]) is False
    assert looks_like_float32(loud[:-4] + bytes(4000)) is False  # zeros add no evidence


@pytest.mark.parametrize("value", [0.0, -0.0])
def test_float32_zeros_are_not_float32(value: float) -> None:
    assert looks_like_float32(struct.pack("<f", value) * 2048) is False


@pytest.mark.parametrize("size", [0, 2, 128, 960, CONTENT_WINDOW])
def test_silence_of_any_size_is_not_float32(size: int) -> None:
    assert looks_like_float32(bytes(size)) is False


def pcm16(samples: list[float]) -> bytes:
    return struct.pack(f"<{len(samples)}h", *(max(-32768, min(32767, round(s))) for s in samples))


@pytest.mark.parametrize(
    "samples",
    [
        [0x3E00] * 2048,  # DC offset: high bytes all in the exponent range
        [-0x4100] * 2048,
        [16000 * math.sin(2 * math.pi * 50 * i / 24000) + 14000 for i in range(4096)],
        [20000 * math.sin(2 * math.pi * 1000 * i / 24000) for i in range(4096)],
        [40000 * math.sin(2 * math.pi * 200 * i / 24000) for i in range(4096)],  # clipped
        [(-1) ** i * 32767 for i in range(4096)],
        [random.Random(8).gauss(0, 3) for _ in range(4096)],
    ],
    ids=["dc-plus", "dc-minus", "low-tone-offset", "tone", "clipped-tone", "nyquist", "hiss"],
)
def test_synthetic_pcm16_is_not_float32(samples: list[float]) -> None:
    data = pcm16(samples)
    assert [o for o in range(0, 4096, 2) if looks_like_float32(data[o : o + 960])] == []
    assert looks_like_float32(data) is False


# slow, obvious twin of looks_like_float32, read straight off its documented rule
def float32_twin(window: bytes) -> bool:
    for start in (0, 2):
        count = max(0, (len(window) - start) // 4)
        values = struct.unpack_from(f"<{count}f", window, start) if count else ()
        audio = [v for v in values if 2.0**-31 <= abs(v) < 2.0]
        nonzero = [v for v in values if v != 0.0]
        # the 2nd byte of each float (mantissa bits), read as if it were the exponent byte
        posers = [window[start + 4 * i + 1] for i in range(count)]
        posing = [
            b for b in posers if 2.0**-31 <= abs(struct.unpack("<f", bytes((0, 0, 0, b)))[0]) < 2.0
        ]
        if (
            len(audio) >= audio_content.MIN_EXPONENTS
            and 10 * len(audio) >= 9 * len(nonzero)
            and 2 * len(posing) <= len(audio)
        ):
            return True
    return False


def float32_bytes(values: list[float]) -> bytes:
    return struct.pack(f"<{len(values)}f", *values)


WINDOWS = st.one_of(
    st.binary(max_size=1200),
    st.lists(st.floats(-1.5, 1.5, width=32), max_size=400).map(float32_bytes),
    st.lists(st.sampled_from([0.0, -0.0, 0.3, -1e-6, 1e-12, 5.0]), max_size=400).map(float32_bytes),
    st.lists(st.integers(-32768, 32767), max_size=600).map(
        lambda s: struct.pack(f"<{len(s)}h", *s)
    ),
    st.tuples(st.binary(max_size=3), st.lists(st.floats(-1, 1, width=32), max_size=300)).map(
        lambda t: t[0] + float32_bytes(t[1])
    ),
)


@settings(max_examples=600, deadline=None)
@given(WINDOWS)
def test_float32_matches_its_slow_twin(window: bytes) -> None:
    assert looks_like_float32(window) is float32_twin(window)


def test_twin_agrees_on_every_fixture_chunk() -> None:
    for name in [*RAW_NAMES, FLOAT32_FILE]:
        for offset, piece in chunks(fixture(name), 960):
            assert looks_like_float32(piece) is float32_twin(piece), (name, offset)


def test_float32_is_an_error_as_a_container_is() -> None:
    """RT308 and RT307 both play as noise: both are errors, and fail a lint by default; the
    server still takes the append (its audio counts in the buffer), so neither is rejected."""
    from click.testing import CliRunner

    from validator.cli.app import cli
    from validator.core.rules import RULES, Severity

    assert RULES["RT308"].severity is RULES["RT307"].severity is Severity.ERROR
    assert not RULES["RT308"].rejected
    page = RULES["RT308"].page()
    assert "openai/openai-agents-python PR #3916" in page
    assert "openai/openai-realtime-api-beta" in page
    event = FIXTURES.parent / "events" / "invalid" / "RT308" / "float32_speech.json"
    result = CliRunner().invoke(cli, ["lint", "--isolated", str(event)])
    assert result.exit_code == 1
    assert " RT308 " in result.stdout and "(1 error, 0 warnings; 1 RT308)" in result.stderr


def _real_heads() -> list[bytes]:
    """Heads that ``sniff_container`` names: every container fixture, MPEG and ADTS streams,
    and each behind an ID3 tag."""
    heads = [fixture(name)[:CONTENT_WINDOW] for name, _ in CONTAINER_FILES]
    heads += [
        frames(mpeg_header(*case[:4], case[4]), 3, 1044)[:CONTENT_WINDOW]
        for case in MPEG_CASES[::7]
    ]
    heads += [frames(adts_header(3, 300), 3, 300), frames(adts_header(3, 300, crc=True), 3, 300)]
    heads += [id3_header(4, 0, 0) + head for head in heads[-4:]]
    return [head for head in heads if sniff_container(head) is not None]


def test_a_container_starts_with_one_of_the_container_heads() -> None:
    heads = _real_heads()
    assert len(heads) >= len(CONTAINER_FILES) + 4
    for head in heads:
        assert head[:2] in CONTAINER_HEADS or head[4:8] == b"ftyp", head[:12]
    assert {head[0] for head in CONTAINER_HEADS} == CONTAINER_FIRST_BYTES


def test_no_container_starts_otherwise() -> None:
    """The fast road calls ``sniff_container`` only for a head in ``CONTAINER_HEADS`` (or with
    ``ftyp`` at offset 4): every real container head with its second byte changed to any
    other value is, for ``sniff_container`` too, no container. The first byte's other values
    are ``CONTAINER_FIRST_BYTES``' own test."""
    for head in _real_heads():
        if head[4:8] == b"ftyp":
            continue
        for first in CONTAINER_FIRST_BYTES:
            for second in range(256):
                pair = bytes((first, second))
                if pair not in CONTAINER_HEADS:
                    assert sniff_container(pair + head[2:]) is None, (pair, head[:12])
