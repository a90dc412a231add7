"""A session's audio repaired (RT601-RT604, unsafe fixes): what the audio-signal evidence
concluded of a whole session, applied to every append of the session in that format.

The evidence speaks once per session, at the append where it became conclusive, but what it
found holds for every append of the session, before that one too. So ``inputs.fix_input``
lints the input first, the session's ``Hearing`` collecting repairs (``hearing.Repair``: the
session, the format, the rule, what to do), then gathers the audio of each session concerned
and repairs it whole, as one stream: big-endian samples swapped (RT604), interleaved stereo
averaged to mono (RT603), G.711 codes in a pcm16 session decoded (RT602) and resampled to
24 kHz, audio made at the rate the capture's timestamps showed resampled to 24 kHz (RT601; a
rate from chunk sizes alone is not certain, and not repaired). Each append gets back the
share of the output its input was, so that no sample is lost or doubled between appends and
the resampler (soxr) sees no seam. numpy and soxr come from the ``[audio]`` extra, imported
only here and only then.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ..engine.hearing import Repair
from .audio import EXTRA, PCM16_RATE, installed

Key = tuple[int, str]
"""A session's number in the input, and the format of its appends concerned."""

_RULE_ORDER = ("RT604", "RT602", "RT603", "RT601")
SESSION_FIXES = frozenset(_RULE_ORDER)
"""The rules whose fix is a session's, not an event's: ``fix_event`` alone cannot make it."""


class Chain:
    """The repairs of one session's audio (``rules``, what was done: ``description``), or why
    there are none (``why``: the extra is missing, nothing certain to do)."""

    def __init__(
        self,
        rules: list[str],
        description: str = "",
        why: str = "",
        transform: Callable[[bytes], Any] | None = None,
    ) -> None:
        self.rules = rules
        self.description = description
        self.why = why
        self.transform = transform

    def pieces(self, pieces: list[bytes]) -> list[bytes]:
        """Return the session's appends' audio repaired, each append's share of the whole
        (its part of the input's bytes, of the output's samples)."""
        assert self.transform is not None
        out = self.transform(b"".join(pieces))
        total = sum(map(len, pieces))
        done, cut, seen = [], 0, 0
        for piece in pieces:
            seen += len(piece)
            end = round(seen * len(out) / total) if total else 0
            done.append(bytes(out[cut:end].astype("<i2").tobytes()))
            cut = end
        return done


def _extra(probe: bool) -> bool:
    """Return True where numpy and soxr are there: imported, or (``probe``) looked for."""
    if probe:
        return installed("numpy", "soxr")
    try:
        import numpy  # noqa: F401
        import soxr  # type: ignore[import-untyped]  # noqa: F401
    except ImportError:
        return False
    return True


def chains(
    repairs: Iterable[Repair], enabled: frozenset[str], probe: bool = False
) -> dict[Key, Chain]:
    """Return, for each session with repairs of the ``enabled`` rules, its chain. ``probe``:
    the extra is looked for, not imported (``[*]`` marks: a plain lint loads no numpy)."""
    by_session: dict[Key, dict[str, str | int]] = {}
    for session, audio_format, rule, repair in repairs:
        if rule in enabled:
            by_session.setdefault((session, audio_format), {})[rule] = repair
    return {key: _chain(key[1], found, probe) for key, found in by_session.items()}


def _chain(audio_format: str, found: dict[str, str | int], probe: bool = False) -> Chain:
    """Return the chain for a session in ``audio_format`` whose evidence found ``found``."""
    rules = [rule for rule in _RULE_ORDER if rule in found]
    if audio_format not in ("pcm16", "audio/pcm"):
        return Chain(rules, why="only a pcm16 session's audio is repaired")
    if not _extra(probe):
        return Chain(rules, why=f"repairing the audio needs the [audio] extra: {EXTRA}")
    done: list[str] = []
    rate = PCM16_RATE
    if "RT604" in found:
        done.append("swapped the two bytes of each sample")
    elif "RT602" in found:
        done.append(f"decoded the {found['RT602']} codes")
        rate = 8000
    if "RT603" in found:
        done.append("averaged the two channels to mono")
    if "RT601" in found:
        rate = int(found["RT601"]) // (2 if "RT603" in found else 1)  # the clock saw both
    if rate != PCM16_RATE:
        done.append(f"resampled from {rate / 1000:g} kHz to 24 kHz (soxr)")
    if not done:
        return Chain(rules, why="nothing certain to do")

    def transform(data: bytes) -> Any:
        import numpy as np
        import soxr

        if "RT602" in found:
            from ..check.signal import g711_linear

            table = np.asarray(g711_linear(str(found["RT602"])), dtype=np.int16)
            samples = table[np.frombuffer(data, dtype=np.uint8)]
        else:
            whole = len(data) - len(data) % 2
            order = ">i2" if "RT604" in found else "<i2"
            samples = np.frombuffer(data[:whole], dtype=order).astype(np.int16)
        if "RT603" in found:
            pairs = samples[: len(samples) - len(samples) % 2].reshape(-1, 2).astype(np.int32)
            samples = ((pairs[:, 0] + pairs[:, 1]) // 2).astype(np.int16)
        if rate != PCM16_RATE:
            samples = soxr.resample(samples, rate, PCM16_RATE)
        return samples

    text = "; ".join(done) + ", in every append of the session"
    return Chain(rules, text, transform=transform)
