"""What decoded audio samples hold: float32 where pcm16 belongs (RT308).

A pure function over the first bytes of one append's decoded audio (at most
``core.media.CONTENT_WINDOW``); no I/O, standard library only. Real pcm16 (speech, silence,
noise, clipped speech, G.711) cannot trip it: float32 needs a large, lopsided body of evidence
(see ``looks_like_float32``). Whole files sent as samples (RT307) are told by ``core.media``.
"""

from __future__ import annotations

__all__ = ["AUDIO_EXPONENT", "MIN_EXPONENTS", "looks_like_float32"]

# --- float32 -----------------------------------------------------------------------------------

# Little-endian float32 keeps its sign and the top 7 of its 8 exponent bits in the 4th byte. For
# audio in [-2, 2) that byte is 0x3F for |x| in [0.5, 2), 0x3E for [2**-3, 0.5), ... down to 0x30
# for [2**-31, 2**-29), plus 0x80 when negative. 2**-31 is the smallest step of 32-bit integer
# audio, so nonzero float audio (even quiet noise) lands there; exact 0.0 / -0.0 are four zero
# bytes apart from the sign. Read as pcm16, that byte is the high byte of every second sample,
# which in real pcm16 is spread out (0x00/0xFF for quiet sound, anything for loud): only 32 of
# 256 values fall in these two ranges, 1 in 8 for loud noise and far fewer for speech.
AUDIO_EXPONENT = bytes(1 if 0x30 <= value & 0x7F <= 0x3F else 0 for value in range(256))
# Evidence needed, each with its reason:
# - at least 32 floats with an audio exponent (128 bytes, 1.3 ms of float32 at 24 kHz): enough
#   that chance cannot produce it (uniform noise does it with odds (1/8)**29 * C(32, 29)), and
#   small enough to judge a 20 ms append, which holds 240 float32 samples;
# - at least 90% of the nonzero floats have one (exact zeros are silence, neutral): real float
#   audio scores ~100%, loud pcm16 noise ~12%, quiet pcm16 0% (its high bytes are 0x00/0xFF);
# - at most half as many audio-exponent bytes in the 2nd byte (mantissa bits 8-15, which in
#   float32 are unrelated to the exponent). pcm16 whose high bytes all sit in the range (a
#   loud, low-pitched tone or DC offset near +/-16000) has them in the even samples too, since
#   neighbouring samples are close; this turns that case away.
# Margins measured on fixtures/audio (every 20 ms window, every sample offset): real float32
# speech scores 100% with a mantissa ratio under 0.11; the highest pcm16/G.711 shares are 29%
# (u-law read as pcm16) and 18% (loud noise); and the tests still pass with 8 instead of 32.
MIN_EXPONENTS = 32
_MIN_SHARE = (9, 10)  # numerator, denominator: 90%
_MAX_MANTISSA_RATIO = (1, 2)  # mantissa hits <= 1/2 of exponent hits
_WITHOUT_SIGN = bytes(value & 0x7F for value in range(256))


def _float32_at(window: bytes, start: int) -> bool:
    """Return True when window, read as float32 from byte start on, looks like float audio."""
    count = (len(window) - start) // 4
    if count < MIN_EXPONENTS:
        return False
    end = start + count * 4
    sign_exponent = window[start + 3 : end : 4]
    exponents = sign_exponent.translate(AUDIO_EXPONENT).count(1)
    if exponents < MIN_EXPONENTS:
        return False  # the usual exit for speech, after one slice and one translate
    # A float is 0.0 or -0.0 when its 3 low bytes and its 4th without the sign bit are all 0.
    # OR-ing the four byte planes as big integers finds those at C speed (array("I").count
    # boxes every item and costs several times as much).
    merged = int.from_bytes(sign_exponent.translate(_WITHOUT_SIGN), "little")
    for offset in range(3):
        merged |= int.from_bytes(window[start + offset : end : 4], "little")
    zeros = merged.to_bytes(count, "little").count(0)
    numerator, denominator = _MIN_SHARE
    if exponents * denominator < (count - zeros) * numerator:
        return False
    mantissas = window[start + 1 : end : 4].translate(AUDIO_EXPONENT).count(1)
    numerator, denominator = _MAX_MANTISSA_RATIO
    return mantissas * denominator <= exponents * numerator


def looks_like_float32(window: bytes) -> bool:
    """Return True when bytes that should be pcm16 are far more plausibly little-endian float32 samples."""  # noqa: E501
    # A float32 stream cut into appends at a multiple of 2 bytes but not of 4 starts mid-sample;
    # the second alignment covers it (for pcm16 it only swaps odd and even samples).
    # Both alignments read their exponent bytes from odd offsets: too few there, and neither
    # can pass (the usual exit for pcm16, one slice and one translate).
    if window[1::2].translate(AUDIO_EXPONENT).count(1) < MIN_EXPONENTS:
        return False
    return _float32_at(window, 0) or _float32_at(window, 2)
