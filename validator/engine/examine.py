"""One record on its own: parsed, checked by the schema and the audio rules, findings placed.

The slow road's stateless half: no session, no statistics, the same in this process
(``SlowRoad.check_record``) and in a ``--jobs`` worker (``prepare``). The session's half is
``SlowRoad``'s.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import chain
from typing import Any

from ..check.audio import decoded_size
from ..check.event import check_object
from ..check.parse import Parsed, parse_record
from ..core.event_types import APPEND, APPEND_TYPES
from ..core.jsontext import Places
from ..core.place import UNKNOWN_PARAMETER, keys_of, place
from ..core.record import Record
from ..core.violation import Violation, capped
from .fastroad import Appends, Prepared
from .session import KEPT_KEYS


def examine(
    parsed: Parsed,
    audio_format: str,
    max_audio_bytes: int,
    api: str | None = None,
    spec: bool = True,
) -> list[Violation]:
    """Return the findings of a parsed event object of its own, capped per rule before they
    are placed (a hostile record may hold millions); ``api``: the session's API version,
    which chooses the spec's schema of a client event (RT206); ``spec``: False where RT206
    is not selected (no schema is read)."""
    found: Iterable[Violation] = chain(
        parsed.violations,
        check_object(
            parsed.value,
            audio_format=audio_format,
            max_audio_bytes=max_audio_bytes,
            api=api,
            spec=spec,
        ),
    )
    uncounted = {"RT104": parsed.more}
    if parsed.dropped:  # a wide record: the members its objects counted were unknown ones
        found = list(found)  # of the members kept: a few hundred an object
        for rule in ("RT203", "RT206"):
            # the objects whose unknown names are findings (RT206's: a closed schema object)
            strict = {
                v.pointer.rpartition("/")[0]
                for v in found
                if v.rule == rule and (rule == "RT203" or v.message.startswith(UNKNOWN_PARAMETER))
            }
            uncounted[rule] = sum(n for pointer, n in parsed.dropped if pointer in strict)
    return capped(found, uncounted)


def placed(
    found: list[Violation],
    parsed: Parsed,
    record: Record,
    value: Any,
    source: str | None,
    keys: frozenset[str] | None = None,
) -> list[Violation]:
    """Return ``found`` placed in ``record`` (in place: each unplaced finding is freed at once).

    ``keys``: the object keys placing may look up; by default those the pointers go through.
    """
    if parsed.text is None:
        places = None
    else:
        places = Places(parsed.text, keys_of(found) if keys is None else keys)
    for index, v in enumerate(found):
        found[index] = place(v, places, record, value, source)
    return found


def audio_bytes_of(event: dict[str, Any]) -> int | None:
    """Return the decoded size of an append's audio string, None without one."""
    audio = event.get("audio")
    return decoded_size(audio) if isinstance(audio, str) else None


def prepare(
    data: bytes | bytearray, start: int, max_audio_bytes: int, max_record_bytes: int
) -> Prepared | None:
    """Return the stateless half of the slow road for the line ``data`` at offset ``start``:
    the findings of an append judged in pcm16, placed within the line; None where the line is
    anything else (a first line with a BOM does not parse here: the slow road strips it).

    ``SlowRoad.conclude`` adds the session's half; together they are ``SlowRoad.slow``.
    """
    body = bytes(data)
    if body.endswith(b"\n"):
        body = body[:-2] if body.endswith(b"\r\n") else body[:-1]
    if len(body) > max_record_bytes or not body.strip():
        return None  # RT105, or a blank line
    parsed = parse_record(body, KEPT_KEYS)
    value = parsed.value
    if type(value) is not dict:
        return None
    event_type = value.get("type")
    if type(event_type) is not str or event_type not in APPEND_TYPES:
        return None
    found = examine(parsed, "pcm16", max_audio_bytes)
    eid = value.get("event_id")
    event_id = eid if isinstance(eid, str) else None
    if event_id is not None:  # where RT402 would point: placed with the others
        found.append(Violation("RT402", "", pointer="/event_id"))
    found = placed(found, parsed, Record(1, 0, body), value, None)
    id_at = None
    if event_id is not None:
        at = found.pop()
        id_at = ((at.line or 1) - 1, at.column or 1)
    return Prepared(
        start,
        len(data),
        event_type,
        event_id,
        audio_bytes_of(value),
        [(v.rule, v.message, v.pointer, (v.line or 1) - 1, v.column or 1, v.offset) for v in found],
        id_at,
    )


def repeated(append: Appends, line: bytes) -> Prepared:
    """Return a canonical append whose event_id the session refused, as ``conclude`` takes
    it: no finding of its own, and RT402 at its event_id string."""
    key = line.find(b'"event_id"')
    quote = line.index(b'"', key + len(b'"event_id"'))  # past ':' and a space at most
    event_id = append.ids[0] if append.ids else None
    # start 0: only a Checked run's fallback reads it, and this line is never in one
    return Prepared(0, len(line), APPEND, event_id, append.total, [], (0, quote + 1))
