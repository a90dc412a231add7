"""The Realtime API's event types, client and server, GA, beta and translation names.

The official OpenAPI spec's event types (openai/openai-openapi ``openapi.yaml``, pinned in
``tests/data/openapi_event_types.json`` with its commit; ``tools/check_event_types.py`` compares
this table with it, and ``tests/test_event_types.py`` keeps them equal), plus six beta names the
spec no longer spells: its beta schemas carry the GA names, but beta servers sent
``response.audio.delta`` and the like (openai-python ``types/beta/realtime``, openai-node
``resources/beta/realtime``). Client and server types are disjoint, so a record's direction
follows from its type.
"""

from __future__ import annotations

APPEND = "input_audio_buffer.append"
TRANSLATION_APPEND = "session.input_audio_buffer.append"
APPEND_TYPES = frozenset((APPEND, TRANSLATION_APPEND))

CLIENT_EVENT_TYPES: frozenset[str] = frozenset(
    (
        "conversation.item.create",
        "conversation.item.delete",
        "conversation.item.retrieve",
        "conversation.item.truncate",
        "input_audio_buffer.append",
        "input_audio_buffer.clear",
        "input_audio_buffer.commit",
        "output_audio_buffer.clear",
        "response.cancel",
        "response.create",
        "session.close",
        "session.input_audio_buffer.append",
        "session.update",
        "transcription_session.update",
    )
)

SERVER_EVENT_TYPES: frozenset[str] = frozenset(
    (
        "conversation.created",
        "conversation.item.added",
        "conversation.item.created",
        "conversation.item.deleted",
        "conversation.item.done",
        "conversation.item.input_audio_transcription.completed",
        "conversation.item.input_audio_transcription.delta",
        "conversation.item.input_audio_transcription.failed",
        "conversation.item.input_audio_transcription.segment",
        "conversation.item.retrieved",
        "conversation.item.truncated",
        "error",
        "input_audio_buffer.cleared",
        "input_audio_buffer.committed",
        "input_audio_buffer.dtmf_event_received",
        "input_audio_buffer.speech_started",
        "input_audio_buffer.speech_stopped",
        "input_audio_buffer.timeout_triggered",
        "mcp_list_tools.completed",
        "mcp_list_tools.failed",
        "mcp_list_tools.in_progress",
        "output_audio_buffer.cleared",
        "output_audio_buffer.started",
        "output_audio_buffer.stopped",
        "rate_limits.updated",
        "response.audio.delta",
        "response.audio.done",
        "response.audio_transcript.delta",
        "response.audio_transcript.done",
        "response.content_part.added",
        "response.content_part.done",
        "response.created",
        "response.done",
        "response.function_call_arguments.delta",
        "response.function_call_arguments.done",
        "response.mcp_call.completed",
        "response.mcp_call.failed",
        "response.mcp_call.in_progress",
        "response.mcp_call_arguments.delta",
        "response.mcp_call_arguments.done",
        "response.output_audio.delta",
        "response.output_audio.done",
        "response.output_audio_transcript.delta",
        "response.output_audio_transcript.done",
        "response.output_item.added",
        "response.output_item.done",
        "response.output_text.delta",
        "response.output_text.done",
        "response.text.delta",
        "response.text.done",
        "session.closed",
        "session.created",
        "session.input_transcript.delta",
        "session.output_audio.delta",
        "session.output_transcript.delta",
        "session.updated",
        "transcription_session.created",
        "transcription_session.updated",
    )
)

BETA_ONLY_NAMES: frozenset[str] = frozenset(
    (
        "response.audio.delta",
        "response.audio.done",
        "response.audio_transcript.delta",
        "response.audio_transcript.done",
        "response.text.delta",
        "response.text.done",
    )
)
"""Server types of beta sessions that the spec lists under their GA names only."""

EVENT_TYPES: frozenset[str] = CLIENT_EVENT_TYPES | SERVER_EVENT_TYPES


def closest_event_type(name: str) -> str | None:
    """Return the known event type closest to ``name``, or None where nothing is close."""
    import difflib

    lowered = name.strip().lower()
    if lowered in EVENT_TYPES:
        return lowered
    matches = difflib.get_close_matches(lowered, sorted(EVENT_TYPES), n=1, cutoff=0.6)
    if matches:
        return matches[0]
    # a right last part under a wrong prefix ("audio_buffer.append" -> "input_audio_buffer.append")
    tail = lowered.rsplit(".", 1)[-1]
    candidates = sorted(t for t in EVENT_TYPES if t.rsplit(".", 1)[-1] == tail)
    if candidates:
        return difflib.get_close_matches(lowered, candidates, n=1, cutoff=0.0)[0]
    return None
