"""The words of the audio-signal findings (RT601-RT606): what the evidence was, how to fix it.

Pure functions from numbers to text; ``evidence`` and ``pace`` decide, these only say.
"""

from __future__ import annotations

from typing import Final

LAW_NAME: Final = {"g711_ulaw": "mu-law", "g711_alaw": "A-law"}


def dbfs(power: float, samples: int) -> float:
    """Return the RMS level of ``samples`` whose sum of squares is ``power``, in dBFS."""
    from math import inf, log10, sqrt  # said once a session at most: imported then

    if samples == 0 or power <= 0.0:
        return -inf
    return 20.0 * log10(sqrt(power / samples) / 32768.0)


def khz(rate: int) -> str:
    """Return ``rate`` in kHz as people write it: 16 kHz, 44.1 kHz."""
    return f"{rate / 1000:g} kHz"


def ms(samples: int, rate: int) -> str:
    """Return the duration of ``samples`` at ``rate``, in ms, with two decimals where needed."""
    return f"{samples * 1000 / rate:.2f}".rstrip("0").rstrip(".") + " ms"


def rate_message(found: int, rate: int, evidence: str) -> str:
    """Return an RT601 message: audio made at ``found`` Hz in a session at ``rate`` Hz."""
    speed = rate / found
    how = f"plays {speed:.2g}x too fast" if speed > 1 else f"plays at {speed:.2g}x speed"
    return (
        f"audio made at {khz(found)} is sent as {khz(rate)} ({evidence}); it {how}, and "
        f"transcription and VAD fail without an error; resample it to {khz(rate)} before "
        f"sending (e.g. soxr.resample(samples, {found}, {rate})), or capture at {khz(rate)}"
    )


UNCONFIRMED: Final = (
    "; the samples did not read as smooth pcm16 either: if they are 8-bit G.711, set the "
    "session's input format to g711_ulaw or g711_alaw instead"
)


def g711_in_pcm16(law: str, g711: float, le: float) -> str:
    """Return an RT602 message for G.711 bytes in a pcm16 session."""
    name = LAW_NAME[law]
    ga = "audio/pcmu" if law == "g711_ulaw" else "audio/pcma"
    return (
        f"the audio is G.711 {name}, not pcm16: read as 8-bit {name} samples the bytes form a "
        f"waveform (lag-1 correlation {g711:.2f}), read as 16-bit samples they are noise "
        f"({le:.2f}); set the session's input format to {law} (GA: "
        f'{{"type": "{ga}"}}), or decode it to pcm16 at 24 kHz before sending'
    )


def pcm16_in_g711(audio_format: str, le: float, g711: float) -> str:
    """Return an RT602 message for pcm16 bytes in a G.711 session."""
    name = LAW_NAME[audio_format]
    return (
        f"the audio is 16-bit pcm, not G.711 {name}: read as 16-bit little-endian samples the "
        f"bytes form a smooth waveform (lag-1 correlation {le:.2f}), read as {name} they are "
        f'noise ({g711:.2f}); set the input format to pcm16 (GA: {{"type": "audio/pcm", '
        f'"rate": 24000}}), or encode it to 8 kHz {name} before sending'
    )


def big_endian(be: float, le: float) -> str:
    """Return an RT604 message."""
    return (
        "the samples are big-endian: read byte-swapped they form a smooth waveform (lag-1 "
        f"correlation {be:.2f}), read little-endian as pcm16 requires they are noise "
        f"({le:.2f}); swap the two bytes of each sample (array.byteswap(), or numpy "
        ".astype('<i2')) before sending"
    )


_DOWNMIX: Final = "downmix to mono before sending (average the two channels, or keep one)"


def stereo_pairs(asymmetry: float) -> str:
    """Return an RT603 message for pairs of nearly equal samples."""
    return (
        "the audio is interleaved two-channel (stereo): each even sample and the odd one after "
        f"it are nearly equal (their differences are {abs(asymmetry) * 4.343:.0f} dB below "
        f"those between pairs), the same signal in two channels; {_DOWNMIX}"
    )


def stereo_imbalance(imbalance: float) -> str:
    """Return an RT603 message for even and odd samples of different loudness."""
    which = "even" if imbalance > 0 else "odd"
    return (
        f"the audio is interleaved two-channel (stereo): the {which}-numbered samples carry "
        f"{abs(imbalance) * 4.343:.1f} dB more energy than the others, one channel louder than "
        f"(or instead of) the other; {_DOWNMIX}"
    )


def stereo_lags(r1: float, r2: float) -> str:
    """Return an RT603 message for samples more alike two apart than next to each other."""
    return (
        "the audio is interleaved two-channel (stereo): samples two apart are more alike "
        f"(lag-2 correlation {r2:.2f}) than neighbours ({r1:.2f}), so neighbours come from "
        f"different channels; {_DOWNMIX}"
    )


def clipped(share: float) -> str:
    """Return an RT606 message."""
    return (
        f"the audio is clipped: {share:.1%} of the samples measured sit on flat full-scale "
        "tops; lower the capture gain, or scale float audio into [-1, 1) before converting it "
        "to 16-bit (and clip once, after any gain)"
    )


def silent(seconds: float, where: str, what: str) -> str:
    """Return an RT605 message."""
    return (
        f"the {seconds:.2f} s of audio {where} {what}: below what voice activity detection or "
        "transcription hears; check the microphone (muted track, permission, device) and any "
        "gain or resampling step on the way, or do not send silence"
    )
