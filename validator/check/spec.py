"""RT206: a client event against its type's schema from the official spec, as the server says.

The schemas are ``schemas/{ga,beta,translation}/<type>.schema.json``, generated from the spec
(``tools/generate_schemas.py``) and shipped in the wheel. Each is read on first use of its
type; ``check.predicate`` answers whether an event meets it, and only an event that does not
meet it costs fastjsonschema (imported, and the schema compiled, then), whose errors become
findings in the server's words: ``unknown_parameter``, ``invalid_type``, ``invalid_value``,
``missing_required_parameter`` (and the bounds' codes), at the pointer of the member.

Which API version's schema applies is the caller's to say (the session knows it); before it
is known, an event passes if any version's schema passes, and a failing one gets the findings
of the version it is nearer to (fewer findings). The appends, commits and clears keep their
hand-written schemas (``check.schema``) and their rules (RT201-RT205, RT3xx). No state beyond
the compiled schemas, no I/O beyond reading the shipped files.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from typing import TYPE_CHECKING, Any

from ..core.jsontext import escape_token, json_type
from ..core.place import UNKNOWN_PARAMETER
from ..core.violation import MAX_PER_RULE, Violation
from .schema import read_schema_file, schema_file_size

if TYPE_CHECKING:
    from .predicate import Check

GA, BETA, TRANSLATION = "ga", "beta", "translation"
APIS = (GA, BETA, TRANSLATION)

SPEC_APIS: dict[str, tuple[str, ...]] = {
    "conversation.item.create": (GA, BETA),
    "conversation.item.delete": (GA, BETA),
    "conversation.item.retrieve": (GA, BETA),
    "conversation.item.truncate": (GA, BETA),
    "output_audio_buffer.clear": (GA, BETA),
    "response.cancel": (GA, BETA),
    "response.create": (GA, BETA),
    "session.close": (TRANSLATION,),
    "session.update": (GA, BETA, TRANSLATION),
    "transcription_session.update": (BETA,),
}
"""The client event types RT206 reads, and the API versions with a schema for each
(``schemas/SOURCE.json``'s index without the types that keep a hand-written schema;
``tests/test_spec_check.py`` holds the two equal)."""

SPEC_KEYS: frozenset[str] = frozenset(
    (
        "allowed_callers",
        "allowed_tools",
        "always",
        "annotations",
        "approval_request_id",
        "approve",
        "arguments",
        "audio",
        "audio_end_ms",
        "authorization",
        "call_id",
        "client_secret",
        "code",
        "connector_id",
        "content",
        "content_index",
        "conversation",
        "create_response",
        "defer_loading",
        "delay",
        "description",
        "detail",
        "eagerness",
        "effort",
        "error",
        "event_id",
        "file_data",
        "file_id",
        "file_url",
        "filename",
        "format",
        "group_id",
        "headers",
        "id",
        "idle_timeout_ms",
        "image_url",
        "include",
        "input",
        "input_audio_format",
        "input_audio_noise_reduction",
        "input_audio_transcription",
        "input_schema",
        "instructions",
        "interrupt_response",
        "item",
        "item_id",
        "keywords",
        "language",
        "languages",
        "max_output_tokens",
        "max_response_output_tokens",
        "message",
        "metadata",
        "modalities",
        "mode",
        "model",
        "name",
        "never",
        "noise_reduction",
        "object",
        "output",
        "output_audio_format",
        "output_modalities",
        "parallel_tool_calls",
        "parameters",
        "post_instructions",
        "prefix_padding_ms",
        "previous_item_id",
        "prompt",
        "prompt_cache_breakpoint",
        "rate",
        "read_only",
        "reason",
        "reasoning",
        "require_approval",
        "response",
        "response_id",
        "retention_ratio",
        "role",
        "server_description",
        "server_label",
        "server_url",
        "session",
        "silence_duration_ms",
        "speed",
        "status",
        "strength",
        "temperature",
        "text",
        "threshold",
        "token_limits",
        "tool_choice",
        "tool_names",
        "tools",
        "tracing",
        "transcript",
        "transcription",
        "truncation",
        "tunnel_id",
        "turn_detection",
        "type",
        "variables",
        "version",
        "voice",
        "workflow_name",
    )
)
"""Every property name the generated schemas list, at any depth: a record too wide to hold
whole keeps these members wherever they stand (``engine.session.KEPT_KEYS``), so that what it
drops is only names no schema knows (``tests/test_spec_check.py`` holds the two equal)."""

BOUND_NAMES: frozenset[str] = frozenset(
    (
        "connector_id",
        "delay",
        "detail",
        "eagerness",
        "effort",
        "input_audio_format",
        "max_output_tokens",
        "max_response_output_tokens",
        "mode",
        "object",
        "output_audio_format",
        "require_approval",
        "role",
        "status",
        "tool_choice",
        "tracing",
        "truncation",
        "tunnel_id",
        "type",
    )
)
"""The property names of the schemas under which some check reads a string's text (an enum,
a constant, a pattern, a bound under ``FREE_LENGTH``). Under any other name a string of at
most ``FREE_LENGTH`` bytes written without an escape is taken, or refused, whatever its text
(``check.predicate.free_names``; ``tests/test_predicate_code.py`` holds the two equal), so
that the fast road remembers a line's verdict with such values blanked (``free_pattern``):
a log's ids and messages change each turn, their shapes hardly do."""

FREE_LENGTH = 512


@cache
def free_pattern() -> re.Pattern[bytes]:
    """Return the pattern whose ``split`` takes out of a line of valid JSON the text of each
    value no schema reads (``b"".join(free_pattern().split(line))``): a string of at most
    ``FREE_LENGTH`` bytes with no escape, the value of a key not in ``BOUND_NAMES`` written
    with no escape, colon or comma and right after ``{``, ``,`` or a space, its colon followed
    by one space or none, as ``json.dumps`` writes either way. So the match starts at a key's
    opening quote: a quote inside a string follows a backslash; from a closing quote the way
    to the next quote passes a colon or a comma; a value's or an array's string is not
    followed by a colon. The key keeps its separator: lines of either spacing differ."""
    bound = b"|".join(re.escape(name.encode("ascii")) for name in sorted(BOUND_NAMES))
    return re.compile(
        rb'("(?<=[{, ]")(?!(?:' + bound + rb')")[^"\\\x00-\x1f,:]*": ?")'
        rb'[^"\\\x00-\x1f]{1,%d}(?=")' % FREE_LENGTH
    )


API_BITS = {GA: 1, BETA: 2, TRANSLATION: 4}
"""Each API version as a bit, for the fast road's note of which one an event passed."""

_TYPE_NAMES = {
    "object": "an object",
    "array": "an array",
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean",
    "null": "null",
}


def candidates(event_type: str, api: str | None) -> tuple[str, ...]:
    """Return the API versions whose schema judges ``event_type`` in a session of ``api``
    (None: not known yet, so any of them), in the order their findings are preferred."""
    apis = SPEC_APIS[event_type]
    if api is None:
        return apis
    if api in apis:
        return (api,)
    if api == TRANSLATION and GA in apis:
        return (GA,)  # a translation session is a GA one: its other events are GA's
    return apis


@cache
@cache
def candidate_bits(event_type: str, api: str | None) -> int:
    """Return ``candidates`` as ``API_BITS`` (kept: the fast road asks per client event)."""
    bits = 0
    for name in candidates(event_type, api):
        bits |= API_BITS[name]
    return bits


@cache
def load_spec_schema(api: str, event_type: str) -> dict[str, Any]:
    """Return the generated schema of ``event_type`` in ``api`` (a fresh copy is the caller's)."""
    result: dict[str, Any] = json.loads(spec_schema_text(api, event_type))
    return result


def spec_schema_text(api: str, event_type: str) -> str:
    """Return the text of the shipped schema of ``event_type`` in ``api``."""
    return read_schema_file(f"{api}/{event_type}.schema.json")


@cache
def predicate(api: str, event_type: str) -> Check:
    """Return the yes-or-no check of ``event_type`` in ``api``: the wheel's written code
    where it is there and current (``predicate_origin``), else compiled from the schema now."""
    module = _written(api, event_type)
    if module is not None:
        check: Check = module.check
        return check
    from .predicate import compile_predicate  # a log of appends never needs it

    return compile_predicate(load_spec_schema(api, event_type))


PREDICATE_CODE_FORMAT = 1
"""``check.predicate.CODE_FORMAT``, which a written module must record to be used (kept here
so that the wheel's road imports nothing of ``check.predicate``; a test holds the two equal)."""


def predicate_module_name(api: str, event_type: str) -> str:
    """Return the name of the written predicate module of ``event_type`` in ``api``."""
    return f"is_{api}__{event_type.replace('.', '_')}"


def _written(api: str, event_type: str) -> Any:
    """Return the wheel's predicate module of ``event_type`` in ``api`` (``setup.py`` writes it
    from ``check.predicate.PredicateWriter``), or None where there is none, or it was written
    by another writer or from another schema file: one of another size (a stat, not a hash of
    the file, so that the check costs nothing; the tests compare each module's sha256)."""
    name = predicate_module_name(api, event_type)
    module = _from_file(name)
    if module is None:
        return None
    if module.CODE_FORMAT != PREDICATE_CODE_FORMAT:
        return None
    if schema_file_size(f"{api}/{event_type}.schema.json") != module.SCHEMA_SIZE:
        return None
    return module


def _from_file(name: str, folder: str | None = None) -> Any:
    """Return the written module ``name`` loaded from its file (``folder``: the wheel's
    ``_compiled``) by the import system's own loader, which runs the bytecode pip compiled
    where it matches the source, or None where there is no such file: an import without the
    search of the path and the package's import (a third of the cost of a small module).
    Kept in ``sys.modules`` as an import keeps it."""
    from importlib.util import module_from_spec, spec_from_file_location

    fullname = f"{COMPILED_PACKAGE}.{name}"
    module = sys.modules.get(fullname)
    if module is not None:
        return module
    path = os.path.join(COMPILED_FOLDER if folder is None else folder, name + ".py")
    if not os.path.isfile(path):
        return None
    found = spec_from_file_location(fullname, path)
    if found is None or found.loader is None:
        return None
    module = module_from_spec(found)
    sys.modules[fullname] = module
    try:
        found.loader.exec_module(module)
    except BaseException:
        del sys.modules[fullname]
        raise
    return module


def predicate_origin(api: str, event_type: str) -> str:
    """Return "written" where the wheel's predicate code of ``event_type`` in ``api`` is used,
    "compiled" where the schema is compiled into closures at first use."""
    return "written" if _written(api, event_type) is not None else "compiled"


@cache
def _compiled(api: str, event_type: str) -> Callable[[Any], Any]:
    """Return fastjsonschema's validator of ``event_type`` in ``api``: only an event that
    fails the predicate needs it. The wheel's precompiled one where it is there and current
    (``spec_code``), else compiled now."""
    text = spec_schema_text(api, event_type)
    module = _precompiled(api, event_type, text)
    if module is not None:
        validate: Callable[[Any], Any] = module.validate
        return validate
    import fastjsonschema

    from .spec_code import without_annotations

    return fastjsonschema.compile(
        without_annotations(json.loads(text)),
        use_default=False,  # else it writes the schema's defaults into the event
        fast_fail=False,  # every error, not the first (2.22.1 on)
    )


COMPILED_PACKAGE = f"{__package__}._compiled"
"""Where a wheel keeps fastjsonschema's code of each schema (``setup.py`` writes it)."""
COMPILED_FOLDER = os.path.join(os.path.dirname(__file__), "_compiled")
"""That package's folder, where ``_from_file`` finds the written predicates."""


def _precompiled(api: str, event_type: str, text: str) -> Any:
    """Return the wheel's module for the schema ``text``, or None where there is none, or it
    was written from another schema or by another fastjsonschema."""
    from importlib import import_module

    from .spec_code import module_name, text_sha256  # hashlib: not for a log of appends

    try:
        module = import_module(f"{COMPILED_PACKAGE}.{module_name(api, event_type)}")
    except ImportError:
        return None
    from fastjsonschema.version import VERSION

    if text_sha256(text) != module.SCHEMA_SHA256 or module.FASTJSONSCHEMA != VERSION:
        return None
    return module


def compiled_origin(api: str, event_type: str) -> str:
    """Return "precompiled" where the wheel's validator of ``event_type`` in ``api`` is used,
    "compiled" where it is compiled at first use (for tests and benchmarks)."""
    text = spec_schema_text(api, event_type)
    return "precompiled" if _precompiled(api, event_type, text) is not None else "compiled"


@cache
def tried_first(hint: str, apis: tuple[str, ...]) -> tuple[str, ...]:
    """Return ``apis`` with ``hint`` first, where it is one of them."""
    return (hint, *(api for api in apis if api != hint)) if hint in apis else apis


def passing_api(event: dict[str, Any], apis: Iterable[str]) -> str | None:
    """Return the first of ``apis`` whose schema ``event`` meets, None where none does."""
    event_type = event["type"]
    for api in apis:
        if predicate(api, event_type)(event):
            return api
    return None


_GA_SHAPE = frozenset(("type", "audio", "output_modalities"))


def spec_findings(event: dict[str, Any], apis: tuple[str, ...]) -> list[Violation]:
    """Return RT206 for an event of a type in ``SPEC_APIS`` that meets none of the schemas
    of ``apis``: the findings of the one it is nearest to; empty where one passes."""
    tried = apis
    if len(apis) > 1 and event["type"] == "session.update":
        # the version its session's shape shows first (engine.session.version_of's rule): a
        # beta log's update loads no GA schema (the order changes the cost, not the verdict;
        # the findings below keep the order given, which breaks their ties)
        session = event.get("session")
        shown = isinstance(session, dict) and not _GA_SHAPE.isdisjoint(session)
        tried = tried_first(GA if shown else BETA, apis)
    if passing_api(event, tried) is not None:
        return []
    best: list[Violation] = []
    best_score = (0, 0, 0)
    for api in apis:
        found, score = _findings(event, api)
        if found and (not best or score < best_score):
            best, best_score = found, score
    return best


def _findings(event: dict[str, Any], api: str) -> tuple[list[Violation], tuple[int, int, int]]:
    """Return the findings of fastjsonschema's errors for ``event`` in ``api``, and how far
    the event is from that version's schema: (unions whose every branch it misses, findings,
    minus the depth of the deepest member named). A union missed whole (a GA session object
    without its ``type``) hides what its branch would say, so it counts as farthest; then
    fewer findings are nearer, then deeper ones (the event went further into the schema)."""
    from fastjsonschema import JsonSchemaValueException
    from fastjsonschema.exceptions import JsonSchemaValuesException

    try:
        _compiled(api, event["type"])(event)
        return [], (0, 0, 0)
    except (JsonSchemaValueException, JsonSchemaValuesException) as exc:
        errors = list(getattr(exc, "errors", None) or [exc])
    places = [_steps(event, list(error.path or ["data"])[1:]) for error in errors]
    # a union that no branch matches says so beside the errors of the branch it tried: the
    # errors at the place or inside it are the precise ones
    precise = [p for e, p in zip(errors, places, strict=True) if e.rule not in _UNIONS]
    seen: set[tuple[str, str]] = set()
    found: list[Violation] = []
    deepest = 0
    # a value of the wrong type is that, and not also out of its enum or bounds
    mistyped = [p for e, p in zip(errors, places, strict=True) if e.rule == "type"]
    for error, steps in zip(errors, places, strict=True):
        if error.rule in _UNIONS and any(q[: len(steps)] == steps for q in precise):
            continue
        if error.rule != "type" and error.rule not in _UNIONS and steps in mistyped:
            continue
        for violation in _violations(error, event, steps):
            key = (violation.pointer, violation.message)
            if key not in seen:
                seen.add(key)
                found.append(violation)
                # a missing member is one below the object that lacks it
                deepest = max(deepest, len(steps) + (error.rule == "required"))
    missed = sum(e.rule in ("anyOf", "oneOf") for e in errors)
    return found, (missed, len(found), -deepest)


_QUOTED = 80
"""Characters of a value quoted in a message; a longer one is cut (the pointer finds it)."""

_UNIONS = frozenset(("anyOf", "oneOf", "allOf", "if", "then", "else", "not"))


def _steps(event: Any, path: list[str]) -> list[str | int]:
    """Return the path of an error as keys and list indices, read along the event (keys may
    hold dots and brackets; fastjsonschema's path gives indices as strings)."""
    steps: list[str | int] = []
    node = event
    for step in path:
        if isinstance(node, list):
            index = int(step)
            steps.append(index)
            node = node[index] if 0 <= index < len(node) else None
        else:
            steps.append(step)
            node = node.get(step) if isinstance(node, dict) else None
    return steps


def _param(steps: list[str | int]) -> str:
    """Return a place as the server's ``param`` writes it: ``item.content[0].type``."""
    out = ""
    for step in steps:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else step)
    return out


def _pointer(steps: list[str | int]) -> str:
    return "".join("/" + escape_token(str(step)) for step in steps)


def _quoted(value: Any) -> str:
    """Return a value as the server quotes it: 'text' for strings, JSON for the others; a
    long one cut short, and a Python object no JSON holds (from a caller's dict) by repr."""
    try:
        if isinstance(value, str) and "'" not in value:
            text = f"'{value}'" if value.isprintable() else repr(value)
        else:
            text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= _QUOTED else text[: _QUOTED - 5] + "...'" * text.startswith("'")


def _supported(values: list[Any]) -> str:
    quoted = [_quoted(v) for v in values]
    if len(quoted) < 3:
        return " and ".join(quoted)
    return ", ".join(quoted[:-1]) + ", and " + quoted[-1]


def _expected(kinds: Any) -> str:
    names = [kinds] if isinstance(kinds, str) else list(kinds)
    return " or ".join(_TYPE_NAMES.get(name, name) for name in names)


def _violations(error: Any, event: Any, steps: list[str | int]) -> Iterator[Violation]:
    """Yield the findings of one fastjsonschema error at ``steps`` in ``event``."""
    rule = error.rule
    value = error.value
    definition = error.definition if isinstance(error.definition, dict) else {}
    param = _param(steps) or "the event"
    name = f"'{param}'"
    pointer = _pointer(steps)
    if rule == "additionalProperties" and isinstance(value, dict):
        allowed = list(definition.get("properties") or {})
        unknown = 0
        for key in value:
            if key in allowed:
                continue
            member = _param([*steps, str(key)])
            unknown += 1
            # a hostile object may hold millions: only the findings kept (capped) get a guess
            guess = closest_name(str(key), allowed, value) if unknown <= MAX_PER_RULE else None
            fix = f"did you mean {_param([*steps, guess])!r}?" if guess else "remove it"
            yield Violation(
                "RT206",
                f"{UNKNOWN_PARAMETER}'{member}': the server answers unknown_parameter "
                f"(\"Unknown parameter: '{member}'.\") and refuses the event; {fix}",
                pointer=_pointer([*steps, str(key)]),
            )
        return
    if rule == "required" and isinstance(value, dict):
        for key in definition.get("required") or error.rule_definition or ():
            if key in value:
                continue
            member = _param([*steps, key])
            yield Violation(
                "RT206",
                f"{name if steps else 'the event'} has no '{key}': the server answers "
                f"missing_required_parameter (\"Missing required parameter: '{member}'.\") "
                "and refuses the event; add it",
                pointer=pointer,
            )
        return
    if rule == "type":
        expected = _expected(error.rule_definition)
        got = json_type(value)
        yield Violation(
            "RT206",
            f'{name} is {got}, not {expected}: the server answers invalid_type ("Invalid type '
            f'for {name}: expected {expected}, but got {got} instead.") and refuses the event',
            pointer=pointer,
        )
        return
    if rule == "enum":
        values = list(error.rule_definition or [])
        yield Violation(
            "RT206",
            f'{name} is {_quoted(value)}: the server answers invalid_value ("Invalid value: '
            f'{_quoted(value)}. Supported values are: {_supported(values)}.") and refuses the '
            "event",
            pointer=pointer,
        )
        return
    if rule == "const":
        wanted = _quoted(error.rule_definition)
        yield Violation(
            "RT206",
            f'{name} is {_quoted(value)}: the server answers invalid_value ("Invalid value: '
            f'{_quoted(value)}. Value must be {wanted}.") and refuses the event; write {wanted}',
            pointer=pointer,
        )
        return
    bound = error.rule_definition
    said = _BOUNDS.get(rule)
    if said is not None:
        code, text = said(value, bound)
        yield Violation(
            "RT206",
            f'{name} is out of bounds: the server answers {code} ("Invalid {name}: {text}.") '
            "and refuses the event",
            pointer=pointer,
        )
        return
    yield Violation(
        "RT206",
        f"{name} ({json_type(value)}) matches none of the shapes the API accepts there: the "
        "server answers invalid_value and refuses the event; see `realtime-validator schema "
        f"{event.get('type')}`",
        pointer=pointer,
    )


def _number_kind(value: Any) -> str:
    return "integer" if isinstance(value, int) else "decimal"


_BOUNDS: dict[str, Callable[[Any, Any], tuple[str, str]]] = {
    "minimum": lambda v, b: (
        f"{_number_kind(v)}_below_min_value",
        f"{_number_kind(v)} below minimum value. Expected a value >= {b}, but got {v} instead",
    ),
    "maximum": lambda v, b: (
        f"{_number_kind(v)}_above_max_value",
        f"{_number_kind(v)} above maximum value. Expected a value <= {b}, but got {v} instead",
    ),
    "maxLength": lambda v, b: (
        "string_above_max_length",
        f"string too long. Expected a string with maximum length {b}, but got a string with "
        f"length {len(v)} instead",
    ),
    "minLength": lambda v, b: (
        "string_below_min_length",
        f"string too short. Expected a string with minimum length {b}, but got a string with "
        f"length {len(v)} instead",
    ),
    "minItems": lambda v, b: (
        "array_below_min_length" if v else "empty_array",
        f"array too short. Expected an array with minimum length {b}, but got an array with "
        f"length {len(v)} instead",
    ),
    "maxItems": lambda v, b: (
        "array_above_max_length",
        f"array too long. Expected an array with maximum length {b}, but got an array with "
        f"length {len(v)} instead",
    ),
    "pattern": lambda v, b: ("invalid_value", f"{_quoted(v)} does not match {b!r}"),
}


def closest_name(name: str, allowed: list[str], present: dict[str, Any]) -> str | None:
    """Return the allowed member that the unknown ``name`` most likely means, if it is absent
    (``camelCase`` and ``kebab-case`` spellings first, then difflib for typos)."""
    import difflib
    import re

    key = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name.strip()).replace("-", "_").lower()
    missing = [known for known in allowed if known not in present]
    if key in missing:
        return key
    # the other API version's shorter name: modalities for output_modalities
    longer = [known for known in missing if known.endswith("_" + key)]
    if len(longer) == 1:
        return longer[0]
    matches = difflib.get_close_matches(key, missing, n=1, cutoff=0.75)
    return matches[0] if matches else None


COVERING = frozenset(("RT403", "RT404"))
"""Rules that own what lies under their pointer: the format object (RT403), a field of the
other API version (RT404). RT206 says nothing there."""

SAME_PLACE = COVERING | {"RT201", "RT202", "RT203", "RT204"}
"""Rules that RT206 gives way to at the very same pointer (RT201's missing session.type for
one); not RT104 or RT402, which say something else of the same place."""


def without_covered(found: list[Violation]) -> list[Violation]:
    """Return ``found`` without the RT206 findings that another rule's finding of the same
    event already makes, at the same place: the more precise rule speaks."""
    others = [v for v in found if v.rule != "RT206"]
    if len(others) == len(found) or not others:
        return found

    def covered(v: Violation) -> bool:
        for other in others:
            if other.pointer == v.pointer and other.rule in SAME_PLACE:
                return True
            if other.rule in COVERING and v.pointer.startswith(other.pointer + "/"):
                return True
        return False

    return [v for v in found if v.rule != "RT206" or not covered(v)]
