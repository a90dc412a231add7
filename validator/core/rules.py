"""The rule catalogue: every code the linter can emit, with its name, severity and explanation.

The catalogue is data. Each rule carries a page of explanation with a failing and a passing
example; ``realtime-validator rule RT301`` prints it and a test keeps README's table equal to it.
"""

from __future__ import annotations

from .rule import Rule, Severity
from .signal_rules import SIGNAL_RULES

__all__ = [
    "REJECTED",
    "RULES",
    "RULES_BY_NAME",
    "Rule",
    "Severity",
    "enabled_rules",
    "rule_data",
    "select_rules",
    "unknown_patterns",
]


_E = Severity.ERROR
_W = Severity.WARNING
_OK = '{"type": "input_audio_buffer.append", "audio": "AAABAAIA"}'
_SPEC = "OpenAPI spec, openai/openai-openapi openapi.yaml @ f85dbe2"

_CATALOGUE: tuple[Rule, ...] = (
    Rule(
        "RT101",
        "invalid-json",
        _E,
        "The record is not valid JSON.",
        """
Every record must be one complete JSON value (RFC 8259). The message gives the parser's
reason and the line and column where it stopped, and names the usual causes: a log line cut
short when the capture was written; a text log whose lines carry a prefix before the JSON
(`2024-11-24 06:33:19 INFO sent {...}`: strip it, e.g.
`sed 's/^[^{]*//' capture.log | realtime-validator lint -`); Python's repr or str() of a
dict (single quotes, `True`, `None`: write it with `json.dumps`); a trailing comma before
`}` or `]`; or the non-standard `NaN` and `Infinity` that Python's json writes by default
and that the server's parser rejects.
""",
        '{"type": "input_audio_buffer.append", "audio": "AAAA",}',
        _OK,
        rejected=True,
        sources=(
            'RFC 8259; the server answers invalid_json ("Invalid event: failed to parse JSON '
            'value.", gauravzqa/llmgw capabilities/captures-ws.md, probe 8)',
        ),
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
        rejected=True,
        sources=(
            "RFC 8259 section 8.1 (JSON text exchanged between systems is UTF-8); RFC 6455 "
            "section 5.6 (text frames carry UTF-8)",
        ),
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
        rejected=True,
        sources=(_SPEC + ": every event schema is an object with a type",),
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
        sources=(
            "RFC 8259 section 4 (names within an object SHOULD be unique); the server's choice is "
            "not documented, so the event is judged by the last value and counted as accepted",
        ),
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
        rejected=True,
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
        rejected=True,
        sources=(
            'gauravzqa/llmgw capabilities/captures-ws.md, probe 8: "Expected a text WebSocket '
            'message; binary frames are not supported." (invalid_event)',
        ),
    ),
    Rule(
        "RT201",
        "missing-property",
        _E,
        "A required property is absent.",
        """
Every event needs a `type`; an `input_audio_buffer.append` event also needs `audio`, the
base64-encoded audio bytes; a `session.update` of a GA session needs `session.type`
(`"realtime"` or `"transcription"`). The server rejects the event with
`missing_required_parameter` ("Missing required parameter: 'audio'.").
""",
        '{"type": "input_audio_buffer.append"}',
        _OK,
        rejected=True,
        sources=(
            _SPEC + ": required [type, audio]",
            "TanStack/ai#586: \"Missing required parameter: 'session.type'.\"",
        ),
    ),
    Rule(
        "RT202",
        "wrong-type",
        _E,
        "A property has the wrong JSON type.",
        """
`type`, `audio` and `event_id` are strings. `null`, a number, an array of chunks or an
object in their place is rejected by the server with `invalid_type` ("Invalid type for
'audio': expected a string, but got null instead."). To send no audio, leave the append out;
to send several chunks, send several appends.
""",
        '{"type": "input_audio_buffer.append", "audio": null}',
        _OK,
        rejected=True,
        sources=(
            _SPEC,
            'openai/openai-go#502, TEN-framework/ten-framework#2261: "Invalid type for '
            "'session.audio.input.format': expected an object, but got a string instead.\"",
        ),
    ),
    Rule(
        "RT203",
        "unknown-property",
        _E,
        "A property the API does not define.",
        """
An append event has exactly `type`, `audio` and the optional `event_id`; a commit or a
clear of the input buffer only `type` and `event_id`. The server rejects any other
parameter with `unknown_parameter` ("Unknown parameter: 'sample_rate'."). Where the name is
close to a property the event lacks (`Audio`, `eventId`, `event-id`, or another common name
such as `data` or `payload` for `audio`, `id` for `event_id`), the message suggests it.
Metadata such as timestamps or a direction belongs in the log's envelope, not in the event
(see `--event-pointer`).
""",
        '{"type": "input_audio_buffer.append", "audio": "AAAA", "sample_rate": 24000}',
        _OK,
        rejected=True,
        sources=(
            _SPEC + ": the event schemas list their properties",
            "rudyll/stackchan-ai-server#9: \"Unknown parameter: 'session.input_audio_format'.\"; "
            "openai/openai-realtime-api-beta#9",
        ),
        fix="unsafe",
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
        rejected=True,
        sources=(_SPEC + ": event_id maxLength 512",),
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
        rejected=True,
        sources=(
            _SPEC + ": the event types of the Realtime client and server unions "
            "(tests/data/openapi_event_types.json)",
            "gauravzqa/llmgw capabilities/captures-ws.md: \"Invalid value: 'nope'. Supported "
            "values are: 'session.update', ...\" (invalid_value, param type)",
        ),
    ),
    Rule(
        "RT206",
        "spec-mismatch",
        _E,
        "A client event does not match its type's schema from the official spec.",
        """
Every client event other than the append (`session.update`, `transcription_session.update`,
`conversation.item.create`/`retrieve`/`truncate`/`delete`, `response.create`/`cancel`,
`output_audio_buffer.clear`, the translation session's `session.close`) is checked against
its type's JSON Schema, generated from the official OpenAPI spec with the corrections the
live server has shown (`schemas/README.md` lists them with their evidence;
`realtime-validator schema TYPE --api ga|beta` prints one). The server refuses such an event
whole and says why; each finding quotes that answer at the member it names:
`unknown_parameter` ("Unknown parameter: 'session.x'.", with the closest known name where
there is one), `invalid_type`, `invalid_value` (with the supported values) or
`missing_required_parameter`. The session's API version (GA or beta, from the server's
session events) chooses the schema; before it is known, either version's schema will do.
Audio formats are RT403's and the other version's fields RT404's: RT206 says nothing where
they speak. Commits and clears keep their envelope rules (RT201-RT204).
""",
        '{"type": "session.update", "session": {"type": "transcription", "audio": {"input": '
        '{"transcription": {"model": "gpt-4o-transcribe", "delay": "bogus"}}}}}',
        '{"type": "session.update", "session": {"type": "transcription", "audio": {"input": '
        '{"transcription": {"model": "gpt-4o-transcribe", "delay": "low"}}}}}',
        rejected=True,
        sources=(
            _SPEC + ": the client event schemas, as generated into schemas/ "
            "(tools/generate_schemas.py, overrides in schemas/SOURCE.json)",
            'koguma-inc/nijimaku .plan/plan-mvp.md (a live probe): invalid_value "Invalid '
            "value: 'bogus'. Supported values are: 'minimal', 'low', 'medium', 'high', and "
            "'xhigh'.\" (session.audio.input.transcription.delay)",
            'carhubcentralts-hue/prosaasil FIX_TEMPERATURE_PARAMETER_SUMMARY.md: "Unknown '
            "parameter: 'session.input_audio_transcription.temperature'.\" (beta)",
            'carhubcentralts-hue/prosaasil REALTIME_API_ERRORS_FIXED.md: "Invalid value: '
            "'input_text'. Value must be 'text'.\" (an assistant item's content, beta)",
            "antoinedc/MantaUI PR #1196 (a live probe): missing_required_parameter "
            "'session.audio.output.format.rate' (GA; accepted with rate 24000)",
            "openai/openai-agents-python PR #2454: a null format is invalid_type",
        ),
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
`urlsafe_b64encode`); line breaks every 64 or 76 characters mean MIME-style wrapped base64
(Node's and OpenSSL's encoders, Python's `base64.encodebytes`); a space or line break at the
start or end of the string is to be stripped; `data:audio/...;base64,` means a data URI
whose prefix must be stripped; `b'...'` is Python's repr of bytes (`str(b"...")`): decode
the base64 bytes with `.decode('ascii')` instead.
""",
        '{"type": "input_audio_buffer.append", "audio": "AAA-AAA_"}',
        _OK,
        rejected=True,
        sources=(
            "RFC 4648 section 4",
            "Azure-Samples/aoai-realtime-audio-sdk#95: \"Invalid 'audio'. Expected base64-encoded "
            'audio bytes (mono PCM16 at 24kHz) but got an invalid value."',
        ),
        fix="safe",
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
        rejected=True,
        sources=("RFC 4648 sections 3.2 and 4",),
        fix="safe",
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
        sources=("RFC 4648 section 3.5",),
        fix="safe",
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
        rejected=True,
        sources=(_SPEC + ': input_audio_buffer.append, "The maximum size of an append is 15 MiB"',),
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
        sources=(_SPEC + ": pcm16 is 16-bit samples",),
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
        sources=(
            _SPEC
            + ": audio is raw bytes in the session's input format; the server decodes the base64 "
            "and plays what it gets",
        ),
        fix="unsafe",
    ),
    Rule(
        "RT308",
        "audio-float32",
        _E,
        "pcm16 was expected, but the bytes look like 32-bit float samples.",
        """
Web Audio and many ML pipelines produce float32 samples in [-1, 1]. Sent as pcm16 each
4-byte float is read as two 16-bit samples, and the server hears loud noise:
transcriptions fail or come out as garbage. An error, as a file sent as samples (RT307)
is: both play as noise. Convert: `int16 = clip(round(float * 32767), -32768, 32767)`,
little-endian.
""",
        "Float32Array bytes from an AudioWorklet sent as-is",
        "the same samples converted to Int16Array",
        sources=(
            _SPEC + ": pcm16 is 16-bit little-endian",
            "openai/openai-agents-python PR #3916: raw float32 bytes streamed in "
            "input_audio_buffer.append to a pcm16 session gave garbage or failed transcriptions; "
            "fixed by converting to int16 first",
            "openai/openai-realtime-api-beta lib/utils.js: RealtimeUtils.arrayBufferToBase64 "
            "converts a Float32Array to 16-bit PCM (floatTo16BitPCM) before encoding an append",
        ),
        fix="unsafe",
    ),
    Rule(
        "RT401",
        "commit-too-small",
        _E,
        "A commit with under 100 ms of audio in the server's buffer.",
        """
`input_audio_buffer.commit` fails with `input_audio_buffer_commit_empty` ("Error committing
input audio buffer: buffer too small. Expected at least 100ms of audio, but buffer only has
0.00ms of audio.") when less than 100 ms is in the input buffer, whatever the turn detection.
The linter counts what was appended since the last commit or clear, client or server side
(`input_audio_buffer.committed` and `.cleared` in the log empty it too), at the session's
byte rate; an append the server rejects (bad base64, an unknown property...) adds nothing.
With server VAD on (the default) the server commits by itself, so its buffer holds at most
that much: a manual commit right after its own, the common case, finds 0 ms. Append at least
100 ms before committing, and with turn detection on, do not commit by hand.
""",
        "session.update turn_detection null; append 40 ms; commit",
        "session.update turn_detection null; append 200 ms; commit",
        rejected=True,
        sources=(
            _SPEC + ': input_audio_buffer.commit, "This event will produce an error if the '
            "input audio buffer is empty. When in Server VAD mode, the client does not need to "
            'send this event"',
            "betalgo/openai#674 and community.openai.com/t/1032360: the commit_empty text",
            "livekit/agents#6965 and #6963: commit_empty on every turn when the client commits "
            "after the server's own commit under server VAD; the fix counts appends from the "
            "last input_audio_buffer.committed",
            "openclaw/openclaw#118782: the 100 ms are counted in the session's format "
            "(800 bytes of G.711)",
        ),
    ),
    Rule(
        "RT402",
        "duplicate-event-id",
        _W,
        "An `event_id` seen before in the same session.",
        """
`event_id` identifies a client event so that the server's `error` can name it. A reused id
makes errors ambiguous; generate a fresh one per event. Ids are remembered per session: a
`session.created` (a new connection, in a log of several) starts afresh.
""",
        'two appends with "event_id": "evt_1"',
        'appends with "event_id": "evt_1" and "evt_2"',
        sources=(
            _SPEC + ': event_id, "Optional client-generated ID used to identify this '
            'event"; error.event_id names the client event that caused an error',
        ),
        fix="unsafe",
    ),
    Rule(
        "RT403",
        "unsupported-audio-format",
        _E,
        "A session update sets an input or output audio format the API does not support.",
        """
Audio is `pcm16` (24 kHz), `g711_ulaw` or `g711_alaw` in the beta API
(`input_audio_format`, `output_audio_format`), and `{"type": "audio/pcm", "rate": 24000}`,
`{"type": "audio/pcmu"}` or `{"type": "audio/pcma"}` in the GA API
(`session.audio.input.format`, `session.audio.output.format`; `type` may be left out). The
server answers anything else with `invalid_value` ("Invalid value: 'g711-ulaw'. Supported
values are: 'pcm16', 'g711_ulaw', and 'g711_alaw'."), a GA format given as a string or null,
or a `rate` given as a string (`"24000"`), with `invalid_type`, and keeps the formats it had.
On output it also requires the `rate` of `audio/pcm` (`missing_required_parameter`
'session.audio.output.format.rate'); on input, where no such answer has been seen, the rate
may be left out, as the spec has it.
""",
        '{"type": "session.update", "session": {"input_audio_format": "pcm24"}}',
        '{"type": "session.update", "session": {"input_audio_format": "pcm16"}}',
        rejected=True,
        sources=(
            _SPEC + ": RealtimeSession input_audio_format enum; RealtimeAudioFormats "
            "(type optional, audio/pcm rate 24000 only)",
            "dongri/openai-api-rs#135, 64bit/async-openai#349: the beta invalid_value text",
            "openai/openai-go#502: the GA invalid_type text",
            "gauravzqa/llmgw capabilities/captures-ws.md, probe 7d: rate 16000 is refused and "
            "the whole update discarded",
            "antoinedc/MantaUI PR #1196 (a live probe): missing_required_parameter "
            "'session.audio.output.format.rate'; openai/openai-agents-python PR #2454: a null "
            "format is invalid_type",
        ),
    ),
    Rule(
        "RT404",
        "api-version-mismatch",
        _E,
        "A session update uses a field of the other API version than the session's.",
        """
The GA API (`session.type`, `session.audio.input.format`, `session.audio.input.turn_detection`,
`output_modalities`) and the beta API (`session.input_audio_format`, top-level
`session.turn_detection`, `modalities`, `voice`...) spell the session differently. A GA
session answers a beta field with `unknown_parameter` ("Unknown parameter:
'session.input_audio_format'."), a beta session a GA one, and the update changes nothing:
not the format, not the turn detection. The version is known from the server's
`session.created` / `session.updated` (or `transcription_session.*`, beta only); an update
carrying `session.type` is GA whatever came before, so beta fields beside it are wrong too,
as are GA fields mixed into an update that has beta ones. A GA server does not take
`transcription_session.update` at all. The message names the field to use instead.
""",
        '{"type": "session.update", "session": {"type": "realtime", "input_audio_format": '
        '"g711_ulaw"}}',
        '{"type": "session.update", "session": {"type": "realtime", "audio": {"input": '
        '{"format": {"type": "audio/pcmu"}}}}}',
        rejected=True,
        sources=(
            _SPEC + ": RealtimeSessionCreateRequestGA / RealtimeSessionCreateRequest "
            "(beta) / RealtimeTranscriptionSessionCreateRequest(GA)",
            "rudyll/stackchan-ai-server#9: \"Unknown parameter: 'session.input_audio_format'.\" "
            "from a GA session",
            "crmitchelmore/justspeaktoit#427, gauravzqa/llmgw capabilities/captures-ws.md: "
            "\"Invalid value: 'transcription_session.update'\" from a GA server",
        ),
    ),
    Rule(
        "RT405",
        "commit-under-vad",
        _W,
        "A manual commit while server VAD is on.",
        """
With turn detection on (`server_vad` or `semantic_vad`, the default) the server commits the
input buffer by itself when it hears the end of speech. A client commit on top of that
races it: when the server has committed first, the client's commit finds an empty buffer
and fails with `input_audio_buffer_commit_empty` ("buffer only has 0.00ms of audio"),
although the client appended hundreds of milliseconds. Either let the server commit, or
set turn detection to `null` and commit yourself. (With under 100 ms appended the commit
fails whatever the server does: that is RT401.)
""",
        "default session (server VAD); append 300 ms; commit",
        "session.update turn_detection null; append 300 ms; commit",
        sources=(
            _SPEC + ': input_audio_buffer.commit, "When in Server VAD mode, the client does '
            "not need to send this event, the server will commit the audio buffer "
            'automatically."',
            "livekit/agents#6965 and #6963: commit_empty on every turn after 160-1000 ms "
            "appended, under server VAD",
        ),
    ),
    *SIGNAL_RULES,
    Rule(
        "RT501",
        "server-error",
        _E,
        "The server answered with an `error` event.",
        """
A server `error` event in the log is where the server already refused something. The
finding quotes its `type`, `code`, `message` and `param`, and names the line of the client
event it answers where `error.event_id` matches an event of the session (send an
`event_id` with every client event so that errors can be traced), and whether this linter
had found anything there. `--statistics` counts the server errors that the linter's own
rules had predicted on the line they answer, and those it had not.
""",
        '{"type": "error", "event_id": "event_890", "error": {"type": "invalid_request_error", '
        '"code": "invalid_event", "message": "The \'type\' field is missing.", "param": null, '
        '"event_id": "event_567"}}',
        "a log without error events",
        sources=(
            _SPEC + ": RealtimeServerEventError (error.type, code, message, param, event_id)",
        ),
    ),
)

RULES: dict[str, Rule] = {rule.code: rule for rule in _CATALOGUE}
"""The catalogue, by code."""

RULES_BY_NAME: dict[str, Rule] = {rule.name: rule for rule in _CATALOGUE}

REJECTED: frozenset[str] = frozenset(rule.code for rule in _CATALOGUE if rule.rejected)
"""The codes whose events the server refuses whole: they change nothing in the session."""


def rule_data(rule: Rule) -> dict[str, object]:
    """Return a rule as ``rule --format json`` writes it: its page as data, for editors."""
    return {
        "code": rule.code,
        "name": rule.name,
        "severity": rule.severity.value,
        "summary": rule.summary,
        "explanation": " ".join(rule.explanation.split()),
        "failing": rule.failing,
        "passing": rule.passing,
        "rejected_by_server": rule.rejected,
        "fix": None if rule.fix is None else {"safe": rule.fix == "safe"},
        "sources": list(rule.sources),
        "severity_by_evidence": rule.graded or None,
    }


def select_rules(
    select: tuple[str, ...] | list[str], ignore: tuple[str, ...] | list[str]
) -> frozenset[str]:
    """Return the codes enabled by ``select`` and ``ignore`` (codes, names or prefixes)."""

    def matches(code: str, patterns: tuple[str, ...] | list[str]) -> bool:
        rule = RULES[code]
        return any(_matches(code, rule, p) for p in patterns)

    enabled = {c for c in RULES if not select or matches(c, select)}
    return frozenset(c for c in enabled if not matches(c, ignore))


def enabled_rules(
    select: tuple[str, ...] = (),
    ignore: tuple[str, ...] = (),
    extend_select: tuple[str, ...] = (),
    extend_ignore: tuple[str, ...] = (),
    base_select: tuple[str, ...] = (),
    base_ignore: tuple[str, ...] = (),
) -> frozenset[str]:
    """Return the enabled codes, as ruff reads its options: ``base_select``/``base_ignore``
    (a configuration file's) first, the others on top.

    A ``select`` starts afresh; an ``ignore`` alone removes codes from what the base enabled;
    ``extend_select`` adds codes to either, and ``extend_ignore`` takes them away last.
    """
    if select:
        enabled = select_rules(select, ignore)
    else:
        enabled = select_rules(base_select, base_ignore)
        if ignore:
            enabled &= select_rules((), ignore)
    if extend_select:
        enabled |= select_rules(extend_select, ())
    if extend_ignore:
        enabled -= frozenset(RULES) - select_rules((), extend_ignore)
    return enabled


def unknown_patterns(patterns: tuple[str, ...] | list[str]) -> list[str]:
    """Return the patterns that match no rule code, prefix or name."""
    return [p for p in patterns if not any(_matches(c, RULES[c], p) for c in RULES)]


def _matches(code: str, rule: Rule, pattern: str) -> bool:
    upper = pattern.upper()
    return upper == "ALL" or code.startswith(upper) or rule.name == pattern
