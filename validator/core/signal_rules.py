"""The audio-signal rules of the catalogue (RT601-RT606): what the server hears, judged from
the samples of a whole session rather than from one event.

A session's evidence (``engine/evidence.py``) decides them; each is reported once per session,
at the append where its evidence became conclusive. The severity of a finding follows its
evidence (``Rule.graded``).
"""

from __future__ import annotations

from .rule import Rule, Severity

_E = Severity.ERROR
_W = Severity.WARNING
_PCM16 = (
    "OpenAPI spec, openai/openai-openapi openapi.yaml @ f85dbe2: pcm16 is 16-bit PCM at "
    "24 kHz, mono, little-endian"
)
_MEASURED = (
    "what is measured and how often: docs/audio-rules.md (detections and false alarms over "
    "espeak-ng speech converted by sox into each form)"
)

SIGNAL_RULES: tuple[Rule, ...] = (
    Rule(
        "RT601",
        "audio-sample-rate-mismatch",
        _W,
        "The audio was made at another sample rate than the session's format.",
        """
pcm16 is 24,000 samples a second. Audio captured at 16 kHz (most microphones on phones and
in speech SDKs), 8 kHz (telephony), 44.1 or 48 kHz (browsers, desktop audio) and sent
without resampling is played at the wrong speed: 16 kHz audio 1.5x too fast and a fifth
higher, 48 kHz audio at half speed. The server says nothing; transcription returns words
never said, and VAD misses the turns. The evidence: chunk sizes that are whole milliseconds
at another common rate but not at 24 kHz (640 bytes is 20 ms at 16 kHz, 13.33 ms at
24 kHz), and, where the capture is timed (`--event-pointer` records with a `time`, `ts` or
`timestamp`, HAR messages), the seconds of audio appended per wall-clock second. Chunk
sizes that say nothing about a rate (Web Audio's 128- and 4,096-sample frames, round
numbers of bytes) are not counted. Resample to 24 kHz (soxr, `ffmpeg -ar 24000`, a
Web Audio context created at 24 kHz) before sending, or capture at 24 kHz. Where the
timestamps showed the rate, `lint --fix --unsafe-fixes` resamples every append of the session
with soxr (a HAR capture; wrapped records are linted, not rewritten).
""",
        "16 kHz microphone audio in 640-byte appends (20 ms at 16 kHz) in a pcm16 session",
        "the same audio resampled to 24 kHz: 960-byte appends",
        sources=(
            _PCM16,
            "openai/openai-realtime-api-beta#94: 8 kHz audio sent as 24 kHz transcribes as "
            "noise; akdeb/ElatoAI#25: 16 kHz microphone audio, 'transcribes things never said'",
            _MEASURED,
        ),
        fix="unsafe",
        graded="a warning from chunk sizes alone; an error when the capture's timestamps show "
        "the audio arriving at another rate's pace",
    ),
    Rule(
        "RT602",
        "audio-encoding-mismatch",
        _E,
        "G.711 bytes in a pcm16 session, or pcm16 bytes in a G.711 session.",
        """
Telephony audio (Twilio, SIP) is 8-bit G.711 mu-law or A-law at 8 kHz. Sent to a pcm16
session, each pair of G.711 bytes is read as one 16-bit sample and the server hears
noise; 16-bit pcm sent to a `g711_ulaw` or `g711_alaw` session is noise too. Read the
right way, audio is smooth: neighbouring samples are alike. The rule reads a few windows of
the session's audio every way (16-bit little-endian, mu-law, A-law) and reports the
encoding when another reading is much smoother than the session's. Set the session's
input format to what the audio is (`g711_ulaw`, GA `{"type": "audio/pcmu"}`), or convert
the audio before sending. `lint --fix --unsafe-fixes` decodes G.711 in a pcm16 session to
pcm16 at 24 kHz, every append of the session.
""",
        "Twilio media-stream payloads (mu-law, 8 kHz) appended in a pcm16 session",
        'the same payloads in a session with "input_audio_format": "g711_ulaw"',
        sources=(
            _PCM16,
            "openai/openai-agents-js#1366, openai/openai-agents-python#2097 and "
            "twilio-samples/speech-assistant-openai-realtime-api-python#6: G.711 and pcm16 "
            "mixed up between Twilio and the session, no error, no transcript",
            _MEASURED,
        ),
        fix="unsafe",
        graded="always an error: the model hears noise",
    ),
    Rule(
        "RT603",
        "audio-stereo",
        _E,
        "Interleaved two-channel samples in a mono stream.",
        """
pcm16 is mono. Two-channel audio (left, right, left, right...) sent as mono is played at
half speed, an octave down, with the channels mixed into every other sample. WebRTC and
Opus decoders often give stereo even for a mono source. The rule recognises the pattern:
each even sample nearly equal to the odd one after it (a mono source in two channels),
even and odd samples of very different loudness (one channel), or samples two apart more
alike than neighbours. Downmix before sending: average the two channels, or keep one.
`lint --fix --unsafe-fixes` averages them, every append of the session.
""",
        "48 kHz stereo from an Opus decoder appended as-is",
        "the same audio downmixed to mono and resampled to 24 kHz",
        sources=(
            _PCM16,
            "pipecat-ai/pipecat#5114: stereo frames sent as mono to a realtime model, half "
            "speed and an octave down",
            _MEASURED,
        ),
        fix="unsafe",
        graded="always an error: the model hears the audio at half speed",
    ),
    Rule(
        "RT604",
        "audio-byte-order",
        _E,
        "Big-endian 16-bit samples.",
        """
pcm16 is little-endian: the low byte of each sample first. Samples written big-endian
(Java's `DataOutputStream` and `ByteBuffer` by default, AIFF, network byte order, an
Android recorder read into a `byte[]` the wrong way) are heard as loud noise. The rule
reads a few windows both ways and reports big-endian when only the swapped reading is a
smooth waveform. Swap the two bytes of each sample before sending
(`array.byteswap()`, numpy `.astype('<i2')`, `ByteOrder.LITTLE_ENDIAN`);
`lint --fix --unsafe-fixes` swaps them in every append of the session.
""",
        "samples written with Java's DataOutputStream.writeShort",
        "the same samples written little-endian",
        sources=(
            _PCM16,
            "anarchuser/mic_stream#75: 16-bit microphone samples delivered in the other "
            "byte order; w3c/webcodecs#852: raw PCM in the wild is both",
            _MEASURED,
        ),
        fix="unsafe",
        graded="always an error: the model hears noise",
    ),
    Rule(
        "RT605",
        "audio-silent",
        _W,
        "What is committed, or a whole session, is silence or below what VAD hears.",
        """
A muted track, a missing microphone permission or a broken resampler sends silence, and
the server answers it with nothing at all: no speech started, no transcript, no error.
The rule measures the level of the audio between commits and over the session, and
reports a commit of at least 100 ms whose peak stays within -42 dBFS, or a session whose
peak stays within -36 dBFS; the message gives the level in dBFS. Quiet speech (a peak of
-30 dBFS) is not silent. Check the microphone and every gain or resampling step on the
way; do not send silence.
""",
        "a session whose every append is zeros (a muted MediaStreamTrack)",
        "speech at -30 dBFS",
        sources=(
            "livekit/node-sdks#679: a resampler that output silence, 'zero transcription "
            "events with no errors anywhere'",
            _MEASURED,
        ),
        graded="always a warning: silence may be meant (a placeholder in a fixture, a muted "
        "microphone between turns) and the server accepts it",
    ),
    Rule(
        "RT606",
        "audio-clipped",
        _W,
        "A large share of samples sit at full scale.",
        """
Audio driven past full scale is cut flat at +-32767: a gain set too high, or float
samples outside [-1, 1] converted to 16-bit without care (`s * 32768` overflows).
Clipped speech is distorted and transcribes worse. The rule counts samples on flat
full-scale tops in the loud stretches it measures and reports when they are at least
0.5% of them. Lower the capture gain, or scale float audio into [-1, 1) and clip once,
after any gain, before converting it.
""",
        "speech amplified by 20 dB and clipped to 16 bits",
        "the same speech normalised to -1 dBFS",
        sources=(
            "microsoft/VibeVoice#383 and xiph/rnnoise#209: float to 16-bit conversions that "
            "overflow or clip distort what speech recognition hears",
            _MEASURED,
        ),
        graded="always a warning: clipped speech is distorted, not lost",
    ),
)
"""RT601-RT606, in code order."""
