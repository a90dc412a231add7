"""The rule catalogue: every code the linter can emit, with its name, severity and explanation.

The catalogue is data. Each rule carries a page of explanation with a failing and a passing
example; ``realtime-validator rule RT301`` prints it and a test keeps README's table equal to it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple


class Severity(StrEnum):
    """How bad a finding is; ``--fail-on`` compares against it."""

    ERROR = "error"
    WARNING = "warning"

    @property
    def rank(self) -> int:
        """Return 2 for errors and 1 for warnings, for comparisons."""
        return 2 if self is Severity.ERROR else 1


class Rule(NamedTuple):  # not a dataclass: making one costs a millisecond of start-up
    """One entry of the catalogue."""

    code: str
    name: str
    severity: Severity
    summary: str
    explanation: str
    failing: str
    passing: str

    def page(self) -> str:
        """Return the rule's full explanation page as text."""
        return (
            f"{self.code} {self.name} ({self.severity.value})\n\n"
            f"{self.summary}\n\n{self.explanation.strip()}\n\n"
            f"Fails:\n    {self.failing}\n\nPasses:\n    {self.passing}\n"
        )


_E = Severity.ERROR
_W = Severity.WARNING
_OK = '{"type": "input_audio_buffer.append", "audio": "AAABAAIA"}'

_CATALOGUE: tuple[Rule, ...] = (
    Rule(
        "RT101",
        "invalid-json",
        _E,
        "The record is not valid JSON.",
        """
Every record must be one complete JSON value (RFC 8259). The message gives the parser's
reason and the line and column where it stopped. Common causes: a log line cut short
when the capture was written, single quotes, trailing commas, Python's repr of a dict
(`True`, `None`), or the non-standard `NaN` and `Infinity` that Python's json writes by
default and that the server's parser rejects.
""",
        '{"type": "input_audio_buffer.append", "audio": "AAAA",}',
        _OK,
    ),
    Rule(
        "RT102",
        "invalid-utf8",
        _E,
        "The record's bytes are not UTF-8.",
        """
JSON text exchanged on a websocket text frame is UTF-8. A record with bytes that do not
decode as UTF-8 (Latin-1 text, a truncated multi-byte character, raw binary pasted into
a log) cannot be sent as a text frame. The message gives the offending byte and its column.
""",
        '{"type": "input_audio_buffer.append", "event_id": "caf\\xe9", ...}  (byte 0xE9 alone)',
        '{"type": "input_audio_buffer.append", "event_id": "café", "audio": ""}',
    ),
    Rule(
        "RT103",
        "not-an-object",
        _E,
        "The JSON value is not an object.",
        """
Every Realtime client and server event is a JSON object with a `type`. An array, a
string, a number, `true`, `false` or `null` on its own is not an event. In a JSON
document, an array of events is read element by element; each element must be an object.
""",
        '["input_audio_buffer.append", "AAAA"]',
        _OK,
    ),
    Rule(
        "RT104",
        "duplicate-key",
        _E,
        "An object repeats a key.",
        """
JSON parsers disagree about a repeated key: most keep the last value, some the first,
some reject the document. A record whose meaning depends on the parser is a bug waiting
to happen; keep each key once.
""",
        '{"type": "input_audio_buffer.append", "audio": "AAAA", "audio": "AAAB"}',
        _OK,
    ),
    Rule(
        "RT105",
        "record-too-large",
        _E,
        "A record exceeds the record size limit.",
        """
A record longer than the record limit (`--max-record-bytes`; the default fits a 15 MiB
append with its envelope) is skipped without being read into memory whole, and linting
goes on with the next record. Such a record could never be sent: the audio limit is 15 MiB
decoded. Split the audio into smaller appends (100-500 ms each is typical).
""",
        "a 30 MB line of base64 audio",
        "the same audio as 150 appends of 200 ms",
    ),
    Rule(
        "RT106",
        "binary-frame",
        _E,
        "A websocket message was sent as a binary frame.",
        """
The Realtime server accepts text frames only; a binary frame (opcode 2) is answered with
an `invalid_event` error. Send the event as JSON text, with the audio base64-encoded
inside it, rather than the raw audio bytes.
""",
        'HAR message {"type": "send", "opcode": 2, "data": "..."}',
        'HAR message {"type": "send", "opcode": 1, "data": "{\\"type\\": ...}"}',
    ),
    Rule(
        "RT201",
        "missing-property",
        _E,
        "A required property is absent.",
        """
Every event needs a `type`; an `input_audio_buffer.append` event also needs `audio`, the
base64-encoded audio bytes. The server rejects the event with `missing_required_parameter`.
""",
        '{"type": "input_audio_buffer.append"}',
        _OK,
    ),
    Rule(
        "RT202",
        "wrong-type",
        _E,
        "A property has the wrong JSON type.",
        """
`type`, `audio` and `event_id` are strings. `null`, a number, an array of chunks or an
object in their place is rejected by the server (`invalid_type`). To send no audio, leave
the append out; to send several chunks, send several appends.
""",
        '{"type": "input_audio_buffer.append", "audio": null}',
        _OK,
    ),
    Rule(
        "RT203",
        "unknown-property",
        _E,
        "A property the API does not define.",
        """
An append event has exactly `type`, `audio` and the optional `event_id`. The server
rejects any other parameter with `unknown_parameter`. Metadata such as timestamps or a
direction belongs in the log's envelope, not in the event (see `--event-pointer`).
""",
        '{"type": "input_audio_buffer.append", "audio": "AAAA", "sample_rate": 24000}',
        _OK,
    ),
    Rule(
        "RT204",
        "event-id-too-long",
        _E,
        "`event_id` is longer than 512 characters.",
        """
The client-generated `event_id` is at most 512 characters. Use a short unique id, such
as `evt_` and a random suffix.
""",
        '{"type": "input_audio_buffer.append", "event_id": "eeee...(513 characters)", ...}',
        '{"type": "input_audio_buffer.append", "event_id": "evt_8mDhX2", "audio": "AAAA"}',
    ),
    Rule(
        "RT205",
        "unknown-event-type",
        _E,
        "`type` is not a Realtime event type.",
        """
The value of `type` must be one of the Realtime API's client or server event types (GA and
beta names are both known). The message suggests the closest known type, which catches
typos such as `input_audio_buffer.appened` or `input_audio.append`.
""",
        '{"type": "input_audio_buffer.appened", "audio": "AAAA"}',
        _OK,
    ),
    Rule(
        "RT301",
        "base64-invalid-character",
        _E,
        "`audio` contains a character outside the base64 alphabet.",
        """
`audio` must be standard base64 (RFC 4648 section 4): `A-Z a-z 0-9 + /` with `=` padding
and nothing else, no whitespace. The message gives the first bad character and its index
and names the usual cause: `-` and `_` mean URL-safe base64 (use `base64.b64encode`, not
`urlsafe_b64encode`); spaces and line breaks mean MIME-style wrapped base64 (Node's and
OpenSSL's encoders wrap at 64 or 76 characters); `data:audio/...;base64,` means a data URI
whose prefix must be stripped.
""",
        '{"type": "input_audio_buffer.append", "audio": "AAA-AAA_"}',
        _OK,
    ),
    Rule(
        "RT302",
        "base64-invalid-padding",
        _E,
        "The base64 length or `=` padding is wrong.",
        """
Standard base64 comes in groups of four characters; the last group is padded with `=` to
four. A length that is not a multiple of four, a missing or extra `=`, or `=` in the middle
(two encoded chunks glued together) is rejected. Encode the whole chunk once with
`base64.b64encode`; to join chunks, join the bytes before encoding.
""",
        '{"type": "input_audio_buffer.append", "audio": "AAAAAA"}',
        '{"type": "input_audio_buffer.append", "audio": "AAAAAA=="}',
    ),
    Rule(
        "RT303",
        "base64-non-canonical",
        _W,
        "The unused bits before the `=` padding are not zero.",
        """
In the last group, the bits that carry no data must be zero (RFC 4648 section 3.5).
Most decoders ignore them, but a strict one rejects the string, and it usually means the
text was produced or edited by hand. Re-encode the audio bytes with `base64.b64encode`.
""",
        '{"type": "input_audio_buffer.append", "audio": "YR=="}',
        '{"type": "input_audio_buffer.append", "audio": "YQ=="}',
    ),
    Rule(
        "RT304",
        "audio-too-large",
        _E,
        "The decoded audio is larger than 15 MiB.",
        """
One append may carry at most 15 MiB (15,728,640 bytes) of decoded audio; the size is
computed exactly from the base64 length. Split the audio into several appends. The limit
can be changed with `--max-audio-bytes` for compatible servers.
""",
        "an append whose audio decodes to 15,728,641 bytes",
        "the same audio as two appends",
    ),
    Rule(
        "RT305",
        "audio-empty",
        _W,
        "The append carries zero bytes of audio.",
        """
An empty `audio` string adds nothing to the input buffer. It is accepted, but it is
usually a bug upstream: a recorder that produced no samples, or a chunk sent before the
microphone started. Skip empty chunks.
""",
        '{"type": "input_audio_buffer.append", "audio": ""}',
        _OK,
    ),
    Rule(
        "RT306",
        "audio-partial-sample",
        _W,
        "pcm16 audio with an odd number of bytes.",
        """
pcm16 samples are two bytes each, so a pcm16 chunk has an even number of bytes. An odd
count means a sample was split across chunks (a buffer cut at a byte boundary) and every
sample after it is garbled noise. Cut chunks at sample boundaries.
""",
        "pcm16 append whose audio decodes to 961 bytes",
        "pcm16 append whose audio decodes to 960 bytes",
    ),
    Rule(
        "RT307",
        "audio-container",
        _E,
        "The audio bytes are a file, not raw samples.",
        """
`audio` carries raw samples in the session's input format, not a file. A WAV/RIFF header,
an MP3 frame or ID3 tag, Ogg, FLAC, WebM/Matroska or MP4 data is played by the server as
noise. Decode the file and send its samples (for WAV, skip the 44-byte header; convert
to 24 kHz mono 16-bit little-endian for pcm16).
""",
        "audio that starts with RIFF....WAVEfmt",
        "the same audio with the WAV header removed",
    ),
    Rule(
        "RT308",
        "audio-float32",
        _W,
        "pcm16 was expected, but the bytes look like 32-bit float samples.",
        """
Web Audio and many ML pipelines produce float32 samples in [-1, 1]. Sent as pcm16 they
are heard as loud noise. Convert: `int16 = clip(round(float * 32767), -32768, 32767)`,
little-endian.
""",
        "Float32Array bytes from an AudioWorklet sent as-is",
        "the same samples converted to Int16Array",
    ),
    Rule(
        "RT401",
        "commit-too-small",
        _E,
        "A commit with under 100 ms of audio buffered while turn detection is off.",
        """
`input_audio_buffer.commit` fails with `input_audio_buffer_commit_empty` when less than
100 ms of audio was appended since the last commit or clear. With turn detection off the
client must commit by itself; append at least 100 ms first, or do not commit an empty
buffer.
""",
        "session.update turn_detection null; append 40 ms; commit",
        "session.update turn_detection null; append 200 ms; commit",
    ),
    Rule(
        "RT402",
        "duplicate-event-id",
        _W,
        "An `event_id` seen before in the same log.",
        """
`event_id` identifies a client event so that the server's `error` can name it. A reused id
makes errors ambiguous; generate a fresh one per event.
""",
        'two appends with "event_id": "evt_1"',
        'appends with "event_id": "evt_1" and "evt_2"',
    ),
    Rule(
        "RT403",
        "unsupported-audio-format",
        _E,
        "A session update sets an input audio format the API does not support.",
        """
Input audio is `pcm16` (24 kHz), `g711_ulaw` or `g711_alaw` in the beta API, and
`{"type": "audio/pcm", "rate": 24000}`, `{"type": "audio/pcmu"}` or
`{"type": "audio/pcma"}` in the GA API. Other formats or rates are rejected.
""",
        '{"type": "session.update", "session": {"input_audio_format": "pcm24"}}',
        '{"type": "session.update", "session": {"input_audio_format": "pcm16"}}',
    ),
)

RULES: dict[str, Rule] = {rule.code: rule for rule in _CATALOGUE}
"""The catalogue, by code."""

RULES_BY_NAME: dict[str, Rule] = {rule.name: rule for rule in _CATALOGUE}


def select_rules(
    select: tuple[str, ...] | list[str], ignore: tuple[str, ...] | list[str]
) -> frozenset[str]:
    """Return the codes enabled by ``select`` and ``ignore`` (codes, names or prefixes)."""

    def matches(code: str, patterns: tuple[str, ...] | list[str]) -> bool:
        rule = RULES[code]
        return any(_matches(code, rule, p) for p in patterns)

    enabled = {c for c in RULES if not select or matches(c, select)}
    return frozenset(c for c in enabled if not matches(c, ignore))


def unknown_patterns(patterns: tuple[str, ...] | list[str]) -> list[str]:
    """Return the patterns that match no rule code, prefix or name."""
    return [p for p in patterns if not any(_matches(c, RULES[c], p) for c in RULES)]


def _matches(code: str, rule: Rule, pattern: str) -> bool:
    upper = pattern.upper()
    return upper == "ALL" or code.startswith(upper) or rule.name == pattern
