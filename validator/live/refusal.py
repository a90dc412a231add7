"""The ``error`` event the proxy answers a blocked client event with, shaped as the server's.

The server answers an event it rejects with ``{"type": "error", "event_id": ..., "error":
{"type": "invalid_request_error", "code": ..., "message": ..., "param": ..., "event_id":
<the client event's id>}}``. The code is the one the finding names (each rejected rule's
message quotes the server's answer), else the rule's usual one; the message is the finding's.
"""

from __future__ import annotations

import json
import re
import secrets

from ..core.violation import Violation

SERVER_CODES = (
    "input_audio_buffer_commit_empty",
    "missing_required_parameter",
    "unknown_parameter",
    "invalid_type",
    "invalid_value",
    "invalid_json",
    "invalid_event",
)
_NAMED = re.compile("|".join(SERVER_CODES))
CODE_BY_RULE = {
    "RT101": "invalid_json",
    "RT102": "invalid_json",
    "RT103": "invalid_event",
    "RT105": "invalid_event",
    "RT106": "invalid_event",
    "RT201": "missing_required_parameter",
    "RT202": "invalid_type",
    "RT203": "unknown_parameter",
    "RT401": "input_audio_buffer_commit_empty",
    "RT404": "unknown_parameter",
}
"""Where a finding's message names no server code: what the server answers for its rule."""


def server_code(violation: Violation) -> str:
    """Return the error code the server answers a finding's event with."""
    named = _NAMED.search(violation.message)
    if named is not None:
        return named.group()
    return CODE_BY_RULE.get(violation.rule, "invalid_value")


def param_of(pointer: str) -> str | None:
    """Return the server's ``param`` for a JSON pointer: ``/session/audio`` -> ``session.audio``."""
    if not pointer:
        return None
    tokens = pointer[1:].split("/")
    return ".".join(t.replace("~1", "/").replace("~0", "~") for t in tokens)


def error_event(violation: Violation, event_id: str | None) -> str:
    """Return the JSON text of the server-shaped error event refusing a client event."""
    return json.dumps(
        {
            "type": "error",
            "event_id": "event_" + secrets.token_hex(10),
            "error": {
                "type": "invalid_request_error",
                "code": server_code(violation),
                "message": f"{violation.message} (realtime-validator proxy --block: "
                f"{violation.rule} {violation.name}; not sent to the server)",
                "param": param_of(violation.pointer),
                "event_id": event_id,
            },
        },
        ensure_ascii=False,
    )
