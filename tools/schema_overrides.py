"""Where the official spec's Realtime schemas are not what the live server accepts: the data.

``tools/generate_schemas.py`` applies each ``Override`` to the raw OpenAPI components of the
API versions it names, in this order, before converting them to JSON Schema. ``at`` is
``"Component#/json/pointer"`` (for ``derive``, the new component's name). ``was`` is the
fingerprint of what the spec has there today (``generate_schemas.fingerprint``: a sha256 of
its shape, annotations and ``x-`` keys left out; ``ABSENT``: nothing), so that a spec that has
been fixed, or has changed, stops the generator instead of being overwritten silently. Only
the fingerprint is kept, not the spec's text: the generator says what the spec has there now
when it stops. The values are this project's, written from the sources named.

Each row names its evidence: a live server's answer (an issue, a PR, a probe), the spec's own
examples and descriptions, the openai-python SDK, or the spec of the beta API before GA.
Where the sources are silent, nothing is restricted; where they disagree, nothing is checked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

ABSENT: Any = object()
"""``was`` for a place where the spec has nothing (the override adds a node)."""


@dataclass(frozen=True, slots=True)
class Override:
    """One correction of the spec, with its evidence."""

    id: str
    apis: tuple[str, ...]
    op: str  # set: replace or insert the node; require: add to its ``required``; derive: copy
    at: tuple[str, ...]  # "Component#/json/pointer" each (derive: the new component's name)
    value: Any
    why: str
    source: str
    was: Any = ABSENT  # a fingerprint (str), or ABSENT


_GA_SESSION = "RealtimeSessionCreateRequestGA#/properties/audio/properties/input/properties"
_GA_TRANSCRIPTION = (
    "RealtimeTranscriptionSessionCreateRequestGA#/properties/audio/properties/input/properties"
)
_BETA_SESSION = "RealtimeSessionCreateRequest#/properties"
_BETA_TRANSCRIPTION = "RealtimeTranscriptionSessionCreateRequest#/properties"
_BETA_FORMAT = {"type": "string", "enum": ["pcm16", "g711_ulaw", "g711_alaw"]}
_BETA_TURN_DETECTION: dict[str, Any] = {
    "type": "object",
    "nullable": True,
    "properties": {
        "type": {"type": "string", "enum": ["server_vad", "semantic_vad"]},
        "eagerness": {"type": "string", "enum": ["low", "medium", "high", "auto"]},
        "threshold": {"type": "number"},
        "prefix_padding_ms": {"type": "integer"},
        "silence_duration_ms": {"type": "integer"},
        "create_response": {"type": "boolean"},
        "interrupt_response": {"type": "boolean"},
        "idle_timeout_ms": {"type": "integer", "nullable": True},
    },
}
_SDK = "openai/openai-python e43b422 (3.3.1)"
_SDK_NEW = "openai/openai-python 3.63.0 (PyPI), generated from a spec newer than the pin"
_BETA_ERA = "openai/openai-openapi 9a72a42 (2025-05-20, the spec of the beta API before GA)"


def _content_types(role: str, types: list[str]) -> dict[str, Any]:
    """Return an if/then that holds the content of a beta ``role`` message to ``types``."""
    kind = {"const": types[0]} if len(types) == 1 else {"enum": types}
    return {
        "if": {"properties": {"role": {"const": role}}, "required": ["role"]},
        "then": {"properties": {"content": {"items": {"properties": {"type": kind}}}}},
    }


OVERRIDES: tuple[Override, ...] = (
    # --- GA ----------------------------------------------------------------------------------
    Override(
        id="ga-output-pcm-rate",
        apis=("ga",),
        op="derive",
        at=("RealtimeAudioFormatsOutput",),
        value="RealtimeAudioFormats",
        why="the output format gets a copy of the format union of its own (next two rows)",
        source="antoinedc/MantaUI PR #1196",
    ),
    Override(
        id="ga-output-pcm-rate",
        apis=("ga",),
        op="require",
        at=("RealtimeAudioFormatsOutput#/anyOf/0",),
        value=["rate"],
        why="session.audio.output.format {type: audio/pcm} without rate: the live server "
        "answers missing_required_parameter 'session.audio.output.format.rate'; with rate "
        "24000 it is accepted. The spec makes rate optional. (The input side and "
        "response.create's output format: no probe found, left as the spec has them.)",
        source="antoinedc/MantaUI PR #1196 (live probe, gpt-realtime-2.1, 2026-08-19); "
        "openai/openai-openapi issue #513 (OpenAI: 'A supplied PCM format without rate is "
        "rejected', 2026-09-22)",
    ),
    Override(
        id="ga-output-pcm-rate",
        apis=("ga",),
        op="set",
        at=(
            "RealtimeSessionCreateRequestGA#/properties/audio/properties/output/properties/"
            "format/$ref",
        ),
        value="#/components/schemas/RealtimeAudioFormatsOutput",
        was="d51df7edabdb5e19",  # the shared RealtimeAudioFormats
        why="point session.audio.output.format at the copy that requires rate",
        source="antoinedc/MantaUI PR #1196",
    ),
    Override(
        id="ga-null-turns-off",
        apis=("ga",),
        op="set",
        at=(
            f"{_GA_SESSION}/noise_reduction/nullable",
            f"{_GA_SESSION}/transcription/nullable",
            f"{_GA_TRANSCRIPTION}/noise_reduction/nullable",
            f"{_GA_TRANSCRIPTION}/transcription/nullable",
        ),
        value=True,
        why="the spec's own descriptions say each 'can be set to `null` to turn off', but "
        "its schemas do not allow null; the server echoes null for both",
        source="the spec's descriptions of these fields; a live GA capture "
        "(fixtures/logs/transcription_ga.jsonl: session.created with transcription: null, "
        f"noise_reduction: null); {_SDK_NEW}: RealtimeAudioConfigInputParam.noise_reduction "
        "is Optional",
    ),
    Override(
        id="ga-noise-reduction-strength",
        apis=("ga",),
        op="set",
        at=(
            f"{_GA_SESSION}/noise_reduction/properties/strength",
            f"{_GA_TRANSCRIPTION}/noise_reduction/properties/strength",
        ),
        value={"type": "number"},
        why="a field newer than the pinned spec: refusing it would call a valid event wrong",
        source=f"{_SDK_NEW}: NoiseReduction.strength",
    ),
    # --- beta --------------------------------------------------------------------------------
    Override(
        id="beta-session-client-secret",
        apis=("beta",),
        op="set",
        at=("RealtimeSessionCreateRequest#/required",),
        value=[],
        was="98e43601dfeed948",  # client_secret required
        why="the beta session.update reuses the REST session-creation request, which "
        "requires client_secret; no session.update carries one (the spec's own example "
        "neither)",
        source=f"the spec's RealtimeBetaClientEventSessionUpdate example; {_BETA_ERA}; {_SDK}: "
        "beta SessionUpdateEventParam",
    ),
    Override(
        id="beta-session-client-secret",
        apis=("beta",),
        op="set",
        at=(f"{_BETA_SESSION}/client_secret",),
        value={"type": "object", "description": "Client secret settings (shape unknown)."},
        was="b0f4a7746078a42d",  # {value, expires_at}, both required
        why="the spec's shape is the REST response's ({value, expires_at}), the SDK's is "
        "{expires_after: {anchor, seconds}}: the sources disagree, so no check",
        source=f"{_SDK}: beta SessionClientSecret",
    ),
    Override(
        id="beta-audio-formats",
        apis=("beta",),
        op="set",
        at=(f"{_BETA_SESSION}/input_audio_format", f"{_BETA_SESSION}/output_audio_format"),
        value=_BETA_FORMAT,
        was="00404e686415370f",  # any string
        why="the live beta server answers invalid_value for any other format",
        source="64bit/async-openai issue #349 (\"Invalid value: 'g711-ulaw'. Supported values "
        "are: 'pcm16', 'g711_ulaw', and 'g711_alaw'.\"); the spec's own RealtimeSession "
        f"and beta transcription session; {_SDK}",
    ),
    Override(
        id="beta-input-audio-transcription",
        apis=("beta",),
        op="set",
        at=(f"{_BETA_SESSION}/input_audio_transcription",),
        value={
            "type": "object",
            "nullable": True,
            "properties": {
                "model": {"type": "string"},
                "language": {"type": "string"},
                "prompt": {"type": "string"},
            },
        },
        was="a5000c0410997c40",  # model alone, no null
        why="the spec lists model alone, where the server takes language and prompt too "
        "(and answers unknown_parameter for temperature); the description says null turns "
        "it off",
        source="carhubcentralts-hue/prosaasil FIX_TEMPERATURE_PARAMETER_SUMMARY.md (live: "
        "\"Unknown parameter: 'session.input_audio_transcription.temperature'\", accepted "
        f"with model and language); {_SDK}; {_BETA_ERA}",
    ),
    Override(
        id="beta-turn-detection",
        apis=("beta",),
        op="set",
        at=(f"{_BETA_SESSION}/turn_detection",),
        value=_BETA_TURN_DETECTION,
        was="460fc4939e487602",  # four fields, no null
        why="the spec lists four fields and no null; beta sessions take semantic VAD, "
        "create_response, interrupt_response and null (the description says so)",
        source=f"{_SDK}: beta SessionTurnDetection; {_BETA_ERA}; the spec's RealtimeSession "
        "(the beta session the server returns: RealtimeTurnDetection, idle_timeout_ms)",
    ),
    Override(
        id="beta-session-tracing-null",
        apis=("beta",),
        op="set",
        at=(f"{_BETA_SESSION}/tracing/nullable",),
        value=True,
        why="the spec's description: 'Set to null to disable tracing'; its schema has no null",
        source=f"the spec's description of this field; {_SDK}: beta Session.tracing",
    ),
    Override(
        id="beta-session-fields",
        apis=("beta",),
        op="set",
        at=(f"{_BETA_SESSION}/input_audio_noise_reduction",),
        value={
            "type": "object",
            "nullable": True,
            "properties": {"type": {"$ref": "#/components/schemas/NoiseReductionType"}},
        },
        why="a beta session field the spec's request leaves out",
        source=f"{_SDK}: beta Session.input_audio_noise_reduction; {_BETA_ERA}; the spec's "
        "RealtimeSession",
    ),
    Override(
        id="beta-session-fields",
        apis=("beta",),
        op="set",
        at=(f"{_BETA_SESSION}/model",),
        value={"type": "string"},
        why="a beta session field the spec's request leaves out",
        source=f"{_SDK}: beta Session.model; {_BETA_ERA}; the spec's RealtimeSession",
    ),
    Override(
        id="beta-items",
        apis=("beta",),
        op="derive",
        at=("RealtimeBetaConversationItem",),
        value="RealtimeConversationItemWithReference",
        why="beta conversation items are the flat beta-era item, not the GA union the "
        "spec's beta events point at (GA assistant content is output_text, beta's text)",
        source=f"{_BETA_ERA}: RealtimeConversationItem; {_SDK}: beta ConversationItemParam",
    ),
    Override(
        id="beta-items",
        apis=("beta",),
        op="set",
        at=("RealtimeBetaConversationItem#/allOf",),
        value=[
            _content_types("system", ["input_text"]),
            _content_types("user", ["input_text", "input_audio"]),
            _content_types("assistant", ["text"]),
        ],
        why="the item's description: system messages support only input_text, user "
        "input_text and input_audio, assistant text; the live server answers an assistant "
        "input_text with \"Invalid value: 'input_text'. Value must be 'text'.\"",
        source="carhubcentralts-hue/prosaasil REALTIME_API_ERRORS_FIXED.md (live); the "
        "spec's RealtimeConversationItemWithReference description",
    ),
    Override(
        id="beta-items",
        apis=("beta",),
        op="set",
        at=("RealtimeBetaClientEventConversationItemCreate#/properties/item/$ref",),
        value="#/components/schemas/RealtimeBetaConversationItem",
        was="530652714f5a58e5",  # the GA item union
        why="conversation.item.create takes the beta item",
        source=f"{_BETA_ERA}; {_SDK}: beta ConversationItemCreateEventParam",
    ),
    Override(
        id="beta-items",
        apis=("beta",),
        op="set",
        at=("RealtimeConversationItemWithReference#/properties/type/enum",),
        value=["message", "function_call", "function_call_output", "item_reference"],
        was="c85eac6d0eb53e8d",  # the three item types, no item_reference
        why="response.create's input takes references to earlier items (the description "
        "says so; the enum leaves item_reference out)",
        source="the spec's RealtimeBetaClientEventResponseCreate example; the description of "
        f"RealtimeConversationItemWithReference.id; {_SDK}: ConversationItemWithReferenceParam",
    ),
    Override(
        id="beta-items",
        apis=("beta",),
        op="set",
        at=("RealtimeBetaResponseCreateParams#/properties/input/items/$ref",),
        value="#/components/schemas/RealtimeConversationItemWithReference",
        was="530652714f5a58e5",  # the GA item union
        why="response.create's input takes beta items and item references",
        source=f"{_BETA_ERA}: RealtimeResponseCreateParams.input; {_SDK}: beta Response.input",
    ),
    Override(
        id="beta-response-max-tokens",
        apis=("beta",),
        op="set",
        at=("RealtimeBetaResponseCreateParams#/properties/max_response_output_tokens",),
        value={"anyOf": [{"type": "integer"}, {"type": "string", "enum": ["inf"]}]},
        why="the beta name of the limit; the spec's beta response lists only GA's "
        "max_output_tokens (kept: no evidence either way)",
        source=f"{_BETA_ERA}: RealtimeResponseCreateParams; {_SDK}: beta Response",
    ),
    Override(
        id="beta-transcription-session",
        apis=("beta",),
        op="set",
        at=(f"{_BETA_TRANSCRIPTION}/turn_detection",),
        value=_BETA_TURN_DETECTION,
        was="d0c63e8bf7192f82",  # four fields, server VAD alone, no null
        why="as beta-turn-detection; the spec's own example sends create_response",
        source="the spec's RealtimeBetaClientEventTranscriptionSessionUpdate example; "
        f"{_SDK}: beta transcription SessionTurnDetection; {_BETA_ERA}; "
        "fixtures/logs/transcription_beta.jsonl (turn_detection: null)",
    ),
    Override(
        id="beta-transcription-session",
        apis=("beta",),
        op="set",
        at=(f"{_BETA_TRANSCRIPTION}/input_audio_noise_reduction/nullable",),
        value=True,
        why="the description says null turns it off",
        source=f"the spec's description; {_SDK}",
    ),
    Override(
        id="beta-transcription-session",
        apis=("beta",),
        op="set",
        at=(f"{_BETA_TRANSCRIPTION}/modalities",),
        value={"type": "array", "items": {"type": "string", "enum": ["text", "audio"]}},
        why="a beta transcription session field the spec leaves out",
        source=f"{_SDK}: beta transcription Session.modalities; {_BETA_ERA}",
    ),
    Override(
        id="beta-transcription-session",
        apis=("beta",),
        op="set",
        at=(f"{_BETA_TRANSCRIPTION}/client_secret",),
        value={"type": "object", "description": "Client secret settings (shape unknown)."},
        why="in the SDK, not in the spec: accepted, unchecked",
        source=f"{_SDK}: beta transcription Session.client_secret",
    ),
)
