"""What bytes are by their first bytes: an audio or video file (WAV, MP3, Ogg, FLAC, WebM, MP4,
AIFF, AAC), or gzip. Pure functions, standard library only.

Built so that real raw audio (pcm16 speech, silence, noise, clipped speech, G.711) cannot trip
it: magic numbers are matched whole and at offset 0 only, and a bare MPEG/ADTS frame sync counts
only when the next frame header sits exactly where the first one says (and the one after that
too, when the window holds it). A false RT307 would be an error on good audio, so every doubtful
case answers "not a file". Callers pass at most ``CONTENT_WINDOW`` bytes, never a whole payload.
"""

from __future__ import annotations

from collections.abc import Callable

GZIP_MAGIC = b"\x1f\x8b"
GZIP_LAYERS = 3
"""Layers of gzip inflated at most: gzip found inside that many is one RT101 finding."""

# The longest ADTS frame (13-bit length: 8191 bytes) plus the 7-byte header of the frame that must
# follow it; rounded up. MPEG audio needs less (longest frame 2881 bytes, layer II at 8 kHz), and
# the float32 check is content with any 128 bytes or more.
CONTENT_WINDOW: int = 8192 + 16

# --- containers -------------------------------------------------------------------------------

# RIFF-style headers: 4-byte tag, 4-byte size, 4-byte form type.
_WAVE_TAGS = (b"RIFF", b"RIFX", b"RF64", b"BW64")
_AIFF_FORMS = (b"AIFF", b"AIFC")
_EBML_MAGIC = b"\x1a\x45\xdf\xa3"
# FLAC's first metadata block must be STREAMINFO (type 0), whose length is always 34.
_FLAC_STREAMINFO_LENGTH = b"\x00\x00\x22"
# ID3v2 flag bits defined by each major version; a set undefined bit means "not a tag".
_ID3_FLAGS = {2: 0xC0, 3: 0xE0, 4: 0xF0}
_ID3_HEADER = 10

# MPEG audio bitrates in kbit/s, MPEG-1 and MPEG-2/2.5, by layer bits (3: I, 2: II, 1: III) and
# index; index 0 is "free format" (no length in the header) and 15 is forbidden, so neither counts.
_V1_KBPS = {
    3: (0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448),  # layer I
    2: (0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384),  # layer II
    1: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),  # layer III
}
_V2_KBPS = {
    3: (0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256),  # layer I
    2: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),  # layer II
    1: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),  # layer III
}
# Sample rates by version bits (3: MPEG-1, 2: MPEG-2, 0: MPEG-2.5; 1 is reserved) and index 0..2.
_MPEG_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}
_ADTS_RATE_INDEXES = 13  # 0..12 are defined (96 kHz .. 7350 Hz); 13, 14 reserved, 15 escape
# A real stream goes on: besides the frame the first header points to, the one after it must be
# valid too whenever the window holds it. Two frames are the least that confirms a sync word.
_FRAMES_TO_CONFIRM = 3
_FrameParser = Callable[[bytes, int], tuple[tuple[int, ...], int] | None]


def _mpeg_frame(head: bytes, pos: int) -> tuple[tuple[int, int, int], int] | None:
    """Return (version, layer, rate index) and frame length of an MPEG audio header at pos."""
    if pos + 4 > len(head):
        return None
    b0, b1, b2, b3 = head[pos : pos + 4]
    if b0 != 0xFF or b1 & 0xE0 != 0xE0:
        return None
    version = (b1 >> 3) & 3
    layer = (b1 >> 1) & 3  # 3: layer I, 2: layer II, 1: layer III, 0: reserved (ADTS uses 0)
    bitrate_index = b2 >> 4
    rate_index = (b2 >> 2) & 3
    if version == 1 or layer == 0 or bitrate_index in (0, 15) or rate_index == 3:
        return None
    if b3 & 3 == 2:  # emphasis value 2 is reserved
        return None
    kbps = (_V1_KBPS if version == 3 else _V2_KBPS)[layer][bitrate_index]
    rate = _MPEG_RATES[version][rate_index]
    padding = (b2 >> 1) & 1
    if layer == 3:
        length = (12 * kbps * 1000 // rate + padding) * 4
    elif layer == 2 or version == 3:
        length = 144 * kbps * 1000 // rate + padding
    else:  # layer III of MPEG-2 and 2.5 carries half as many samples per frame
        length = 72 * kbps * 1000 // rate + padding
    return (version, layer, rate_index), length


def _adts_frame(head: bytes, pos: int) -> tuple[tuple[int, int, int, int], int] | None:
    """Return (id, profile, rate index, channels) and frame length of an ADTS header at pos."""
    if pos + 7 > len(head):
        return None
    b0, b1, b2, b3, b4, b5, _ = head[pos : pos + 7]
    if b0 != 0xFF or b1 & 0xF6 != 0xF0:  # 12-bit sync, then layer bits must be 00
        return None
    rate_index = (b2 >> 2) & 0xF
    if rate_index >= _ADTS_RATE_INDEXES:
        return None
    length = ((b3 & 3) << 11) | (b4 << 3) | (b5 >> 5)
    header = 7 if b1 & 1 else 9  # protection_absent = 0 adds a 2-byte CRC
    if length <= header:
        return None
    channels = ((b2 & 1) << 2) | (b3 >> 6)
    return ((b1 >> 3) & 1, b2 >> 6, rate_index, channels), length


def _confirmed(head: bytes, parse: _FrameParser, header_size: int) -> bool:
    """Return True when frame headers chain from offset 0 the way a real stream's do."""
    first = parse(head, 0)
    if first is None:
        return False
    key, pos = first
    for frames in range(1, _FRAMES_TO_CONFIRM):
        if pos + header_size > len(head):
            return frames >= 2  # the window ends; the second header, at least, was seen
        following = parse(head, pos)
        if following is None or following[0] != key:
            return False
        pos += following[1]
    return True


def _id3_length(head: bytes) -> int | None:
    """Return the whole length of an ID3v2 tag starting head, or None when there is none."""
    if len(head) < _ID3_HEADER or head[:3] != b"ID3":
        return None
    major, revision, flags = head[3], head[4], head[5]
    defined = _ID3_FLAGS.get(major)
    if defined is None or revision == 0xFF or flags & ~defined & 0xFF:
        return None
    size = 0
    for byte in head[6:10]:  # "syncsafe": 7 bits a byte, the top bit always clear
        if byte & 0x80:
            return None
        size = size << 7 | byte
    footer = _ID3_HEADER if major == 4 and flags & 0x10 else 0
    return _ID3_HEADER + size + footer


def _sniff_untagged(head: bytes) -> str | None:
    """Return the container starting head, ID3 tags aside."""
    if len(head) >= 12:
        tag, form = head[:4], head[8:12]
        if tag in _WAVE_TAGS and form == b"WAVE":
            return "WAV/RIFF"
        if tag == b"FORM" and form in _AIFF_FORMS:
            return "AIFF"
    if len(head) >= 8:
        magic = head[:4]
        if head[4:8] == b"ftyp":
            return "MP4/M4A"
        # Ogg page: version 0, and only the three defined header-type flags may be set
        if magic == b"OggS" and head[4] == 0 and head[5] & 0xF8 == 0:
            return "Ogg"
        if magic == b"fLaC" and head[4] & 0x7F == 0 and head[5:8] == _FLAC_STREAMINFO_LENGTH:
            return "FLAC"
    if head[:4] == _EBML_MAGIC:
        return "WebM/Matroska"
    if head[:1] == b"\xff":
        if _confirmed(head, _mpeg_frame, 4):
            return "MP3"
        if _confirmed(head, _adts_frame, 7):
            return "AAC/ADTS"
    return None


# The first byte of every container above: ID3, RIFF/RIFX/RF64, BW64, FORM, OggS, fLaC, EBML,
# MPEG/ADTS sync; MP4 is told by "ftyp" at offset 4 instead.
CONTAINER_FIRST_BYTES = frozenset(b"IRBFOf\x1a\xff")
"""Byte values a container can start with: ``sniff_container`` is None for any other head
whose bytes 4-8 are not ``ftyp`` (the fast road's test before calling it)."""
CONTAINER_HEADS = frozenset(
    {magic[:2] for magic in (b"ID3", *_WAVE_TAGS, b"FORM", b"OggS", b"fLaC", _EBML_MAGIC)}
    | {bytes((0xFF, second)) for second in range(0xE0, 0x100)}  # MPEG and ADTS: 11 sync bits
)
"""The first two bytes a container can start with: ``sniff_container`` is None for any other
head whose bytes 4-8 are not ``ftyp`` (``tests/test_audio_content.py`` holds it so). A finer
pre-test than ``CONTAINER_FIRST_BYTES``: 8 first bytes of 256 is one pcm16 append in 32, these
heads one in several thousand."""


def sniff_container(head: bytes) -> str | None:
    """Return the container's display name when these leading bytes are an audio/video FILE rather than raw samples, else None."""  # noqa: E501
    if (not head or head[0] not in CONTAINER_FIRST_BYTES) and head[4:8] != b"ftyp":
        return None  # no container starts otherwise: the usual exit, for raw samples
    tag_length = _id3_length(head)
    if tag_length is None:
        return _sniff_untagged(head)
    # ID3v2 heads MP3 files mostly, but AAC and FLAC files too: name what follows when it is in
    # the window; the tag alone (10 strict header bytes) is proof enough that this is a file.
    return _sniff_untagged(head[tag_length:]) or "MP3"
