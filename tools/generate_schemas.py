#!/usr/bin/env python3
"""Generate the JSON Schema of every Realtime client event from the official OpenAPI spec.

    python tools/generate_schemas.py SPEC --commit SHA --date YYYY-MM-DD --fetched YYYY-MM-DD
    python tools/generate_schemas.py --check SPEC    # exit 1 where schemas/ differs

SPEC is openai/openai-openapi's ``openapi.yaml`` at a commit (``git show SHA:openapi.yaml``
of a clone or a fetched mirror; YAML needs pyyaml; ``openapi.json`` of the same commit works
too). Nothing of the spec is kept in this repository but what this tool writes: the spec is
read from the path given each time. From it this tool:

1. picks the client events of each API version (``select``): GA, the members of the
   ``RealtimeClientEvent`` union; beta, every ``RealtimeBetaClientEvent*`` (in a spec from
   before GA, where there are none, every ``RealtimeClientEvent*`` is beta); translation, the
   members of ``RealtimeTranslationClientEvent``;
2. applies ``OVERRIDES`` (``tools/schema_overrides.py``), the places where the live server
   (or the spec's other sources) contradict the spec's schema, each with its source; each
   names what it expects to find there by a fingerprint, so that a changed spec stops the run;
3. converts each event to a standalone draft-07 schema (no reference outside the file),
   written to ``schemas/<api>/<type>.schema.json``, with ``schemas/SOURCE.json`` recording
   the spec's commit, the file of every (API, type) with its sha256, the overrides and what
   was skipped.

The appends keep their hand-written schemas (``schemas/*.append.schema.json``): the index
points at them. The conversion is described in ``Converter``. The output is deterministic
(keys sorted, two-space indent), so ``--check`` compares bytes, and the test suite, which has
no spec, holds every file to the sha256 that ``SOURCE.json`` pins. ``--check SPEC`` reads the
commit and dates from ``SOURCE.json``: give it the spec at that commit. To move to a new spec,
run the first form and read the diff of ``schemas/``; an override the new spec no longer
needs, or that no longer fits it, stops the run and says what the spec has there now.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from schema_overrides import ABSENT, OVERRIDES, Override

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "schemas"
SPEC_REPOSITORY = "openai/openai-openapi"
ID_BASE = "https://github.com/realtime-validator/realtime-validator/schemas/"
DRAFT_07 = "http://json-schema.org/draft-07/schema#"
APIS = ("ga", "beta", "translation")
API_NAMES = {"ga": "GA", "beta": "beta", "translation": "translation session"}
GA_UNION = "RealtimeClientEvent"
TRANSLATION_UNION = "RealtimeTranslationClientEvent"
BETA_EVENT = re.compile(r"^RealtimeBetaClientEvent.+$")
GA_EVENT = re.compile(r"^RealtimeClientEvent.+$")
ANY_CLIENT_EVENT = re.compile(r"^Realtime(Beta|Translation)?ClientEvent.+$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# the appends keep their hand-written schemas (base64 alphabet, decoded size): see schemas/
HAND_WRITTEN = {
    "input_audio_buffer.append": "input_audio_buffer.append.schema.json",
    "session.input_audio_buffer.append": "session.input_audio_buffer.append.schema.json",
}
UNIONS = ("anyOf", "oneOf")
ANNOTATIONS = ("title", "description", "default")
# OpenAPI keys with no draft-07 meaning here (x-* vendor keys are dropped too)
DROPPED = frozenset({"example", "examples", "discriminator", "deprecated", "format"})
KNOWN = frozenset(
    {
        "$ref",
        "type",
        "properties",
        "required",
        "additionalProperties",
        "items",
        "enum",
        "const",
        "nullable",
        "anyOf",
        "oneOf",
        "allOf",
        "not",
        "if",
        "then",
        "else",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "minLength",
        "maxLength",
        "pattern",
        "minItems",
        "maxItems",
        "uniqueItems",
        "minProperties",
        "maxProperties",
        *ANNOTATIONS,
        *DROPPED,
    }
)


class SpecError(Exception):
    """The spec is not what this tool knows how to read (a new construct, a stale override)."""


# ---------------------------------------------------------------------------------------------
# Reading the spec


def load_spec(path: Path) -> dict[str, Any]:
    """Return the component schemas of a spec file (JSON, or YAML through pyyaml)."""
    data = path.read_bytes()
    if path.suffix == ".json":
        spec: dict[str, Any] = json.loads(data)
    else:
        import yaml  # type: ignore[import-untyped,unused-ignore]

        spec = yaml.load(data, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    try:
        components: dict[str, Any] = spec["components"]["schemas"]
    except (KeyError, TypeError) as exc:
        raise SpecError(f"{path}: no components.schemas: is it an OpenAPI spec?") from exc
    return components


def _ref_name(ref: str) -> str:
    prefix = "#/components/schemas/"
    if not ref.startswith(prefix):
        raise SpecError(f"a $ref outside the component schemas: {ref}")
    return ref[len(prefix) :]


def _event_type(components: dict[str, Any], name: str) -> str:
    """Return the one ``type`` value of a client event component."""
    prop = (components[name].get("properties") or {}).get("type") or {}
    values = [prop["const"]] if "const" in prop else list(prop.get("enum") or [])
    if len(values) != 1 or not isinstance(values[0], str):
        raise SpecError(f"{name}: expected one constant 'type', found {values}")
    return str(values[0])


def _members(components: dict[str, Any], union: str) -> list[str]:
    node = components[union]
    refs = [m["$ref"] for key in UNIONS for m in node.get(key) or [] if "$ref" in m]
    return [_ref_name(ref) for ref in refs]


def select(components: dict[str, Any]) -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    """Return {api: {event type: component}} and {component: why it was skipped}."""
    names = sorted(components)
    chosen: dict[str, list[str]] = {api: [] for api in APIS}
    if any(BETA_EVENT.match(n) for n in names):
        chosen["ga"] = _members(components, GA_UNION)
        chosen["beta"] = [n for n in names if BETA_EVENT.match(n)]
    else:  # a spec from before GA: its RealtimeClientEvent* are the beta events
        chosen["beta"] = [n for n in names if GA_EVENT.match(n)]
    if TRANSLATION_UNION in components:
        chosen["translation"] = _members(components, TRANSLATION_UNION)
    selection: dict[str, dict[str, str]] = {}
    for api, members in chosen.items():
        if not members:
            continue
        selection[api] = {}
        for name in members:
            kind = _event_type(components, name)
            if kind in selection[api]:
                raise SpecError(f"{api}: two schemas for {kind}: {selection[api][kind]}, {name}")
            selection[api][kind] = name
    used = {n for events in selection.values() for n in events.values()}
    skipped = {
        n: f"a GA-named client event that is no member of the GA union {GA_UNION}"
        for n in names
        if ANY_CLIENT_EVENT.match(n) and n not in used
    }
    return selection, skipped


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield _ref_name(value)
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def _closure(components: dict[str, Any], roots: list[str]) -> set[str]:
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        name = todo.pop()
        if name not in seen and name in components:
            seen.add(name)
            todo.extend(_refs(components[name]))
    return seen


def relevant(
    components: dict[str, Any],
    selection: dict[str, dict[str, str]],
    overrides: tuple[Override, ...] | None = None,
) -> dict[str, Any]:
    """Return the components the selected events can reach, before or after the overrides
    (a full spec has thousands: copying only these keeps a run to about a second)."""
    roots = [n for events in selection.values() for n in events.values()]
    for override in OVERRIDES if overrides is None else overrides:
        roots.extend(_refs(override.value))
        if override.op == "derive":
            roots.append(str(override.value))
    return {n: components[n] for n in sorted(_closure(components, roots))}


# ---------------------------------------------------------------------------------------------
# Overrides, applied


def _split(at: str) -> tuple[str, list[str]]:
    name, _, pointer = at.partition("#")
    parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]
    return name, parts


def _shape(node: Any) -> Any:
    """Return ``node`` without annotations and vendor keys: what an override checks."""
    if isinstance(node, dict):
        return {
            k: (
                {p: _shape(s) for p, s in v.items()}
                if k == "properties" and isinstance(v, dict)
                else _shape(v)
            )
            for k, v in node.items()
            if k not in ("title", "description", "example", "examples") and not k.startswith("x-")
        }
    if isinstance(node, list):
        return [_shape(v) for v in node]
    return node


def fingerprint(node: Any) -> str:
    """Return the fingerprint of a spec node's shape that an override's ``was`` holds."""
    text = json.dumps(_shape(node), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def apply_overrides(
    components: dict[str, Any], api: str, overrides: tuple[Override, ...] | None = None
) -> dict[str, Any]:
    """Return a copy of ``components`` with the overrides of ``api`` applied."""
    out = copy.deepcopy(components)
    for override in OVERRIDES if overrides is None else overrides:
        if api not in override.apis:
            continue
        for at in override.at:
            _apply(out, override, at)
    return out


def _apply(components: dict[str, Any], override: Override, at: str) -> None:
    where = f"override {override.id} at {at}"
    if override.op == "derive":
        if override.value not in components or at in components:
            raise SpecError(f"{where}: cannot copy {override.value} to {at}")
        components[at] = copy.deepcopy(components[override.value])
        return
    name, parts = _split(at)
    if name not in components:
        raise SpecError(f"{where}: no such place in the spec")
    parts = [name, *parts]  # "Component#" alone is the component itself
    parent: Any = components
    for part in parts[:-1]:
        key: Any = int(part) if isinstance(parent, list) else part
        if (isinstance(parent, list) and key >= len(parent)) or (
            isinstance(parent, dict) and (key not in parent)
        ):
            raise SpecError(f"{where}: no such place in the spec")
        parent = parent[key]
    last: Any = int(parts[-1]) if isinstance(parent, list) else parts[-1]
    current = parent[last] if isinstance(parent, list) else parent.get(last, ABSENT)
    if override.op == "set":
        seen = ABSENT if current is ABSENT else fingerprint(current)
        if seen != override.was:
            # said here, at run time, from the spec the user gave: nothing of it is committed
            now = "nothing" if current is ABSENT else json.dumps(_shape(current))[:300]
            raise SpecError(
                f"{where}: the spec has {now} there now (fingerprint {seen}, the override "
                f"expects {override.was}): review the override"
            )
        value = copy.deepcopy(override.value)
        if (
            isinstance(value, dict)
            and isinstance(current, dict)
            and "description" in current
            and "description" not in value
        ):
            value["description"] = current["description"]  # the spec's words, kept in place
        parent[last] = value
    elif override.op == "require":
        if not isinstance(current, dict):
            raise SpecError(f"{where}: no schema there")
        required = current.setdefault("required", [])
        if any(n in required for n in override.value):
            raise SpecError(f"{where}: the spec requires {override.value} there now")
        required.extend(override.value)
    else:
        raise SpecError(f"{where}: unknown op {override.op}")


# ---------------------------------------------------------------------------------------------
# Conversion to draft-07


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    return "string" if isinstance(value, str) else "object"


def _is_object_schema(node: dict[str, Any]) -> bool:
    kind = node.get("type")
    return kind == "object" or (isinstance(kind, list) and "object" in kind)


def _consts(node: dict[str, Any]) -> dict[str, Any]:
    props = node.get("properties") or {}
    return {k: p["const"] for k, p in props.items() if isinstance(p, dict) and "const" in p}


class Converter:
    """Turn OpenAPI 3.x component schemas into one standalone draft-07 schema.

    - Each component an event reaches becomes a ``definitions`` entry of the same name, and
      each ``$ref`` points there: the file stands alone, and fastjsonschema compiles each
      definition into a function of its own (inlined, the GA ``response.create`` nests deeper
      than Python allows: "too many statically nested blocks"). Annotations beside a ``$ref``
      are kept there (draft-07 ignores them).
    - ``x-*``, ``example(s)``, ``discriminator``, ``deprecated`` and ``format`` are dropped
      (``format``: the server's checks of it are unknown, and validators disagree on whether
      to assert it; ``unixtime`` is no draft-07 format at all).
    - A one-value ``enum`` is a ``const``.
    - ``nullable: true``, and an ``anyOf`` branch ``{type: null}``, add ``null``: to ``type``
      and ``enum`` where the schema is that plain, else as ``{"if": {"type": "null"}, "else":
      schema}``, which (unlike an ``anyOf``) reports an error inside the schema where it is.
    - Every object schema that lists ``properties`` and says nothing of
      ``additionalProperties`` gets ``additionalProperties: false``: the server answers
      ``unknown_parameter``. Objects with no listed properties (tool ``parameters``,
      ``tracing.metadata``) and maps (``metadata``, MCP ``headers``) stay open, as the spec
      leaves them.
    - ``oneOf`` is read as ``anyOf``: the spec's ``oneOf`` lists overlap (``conversation``: any
      string, or ``auto``/``none``), where JSON Schema's ``oneOf`` refuses what two branches
      accept. A union of strings where one branch is any string is that branch (the known
      values kept as ``examples``). A union of objects told apart by constant properties
      (``type``, and ``role`` for messages) becomes ``if``/``then`` pairs, one per branch, so
      that an error is reported inside the branch the event chose (``/item/content/0/type``)
      rather than as "no branch matched"; an object no condition picks (its ``type`` left out)
      is held to the ``anyOf`` of all branches, so the union means exactly what it did. A
      union of branches of distinct JSON types (a voice name or ``{id}``) becomes ``if``/
      ``then`` pairs on the type, for the same reason. Any other union stays an ``anyOf``.
    """

    def __init__(self, components: dict[str, Any]) -> None:
        self.components = components
        self.definitions: dict[str, Any] = {}
        self.building: set[str] = set()

    def root(self, name: str) -> dict[str, Any]:
        """Return the schema of component ``name``, with the definitions it uses."""
        schema: dict[str, Any] = self.convert(self.components[name])
        if self.definitions:
            schema["definitions"] = dict(sorted(self.definitions.items()))
        return schema

    def convert(self, node: Any) -> Any:
        """Return the draft-07 form of an OpenAPI schema node."""
        if isinstance(node, bool):
            return node
        if not isinstance(node, dict):
            raise SpecError(f"not a schema: {node!r}")
        if "$ref" in node:
            return self._ref(node)
        unknown = [k for k in node if k not in KNOWN and not k.startswith("x-")]
        if unknown:
            raise SpecError(f"unknown keys {unknown} in {json.dumps(node)[:200]}")
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key in DROPPED or key.startswith("x-") or key in ("nullable", *UNIONS, "allOf"):
                continue
            if key == "properties":
                out[key] = {name: self.convert(sub) for name, sub in value.items()}
            elif key in ("items", "not", "if", "then", "else") or (
                key == "additionalProperties" and isinstance(value, dict)
            ):
                out[key] = self.convert(value)
            elif key == "description" and isinstance(value, str):
                out[key] = value.strip()
            else:
                out[key] = copy.deepcopy(value)
        if isinstance(out.get("enum"), list) and len(out["enum"]) == 1:
            out["const"] = out.pop("enum")[0]
        if "const" in out and out.get("type") == _json_type(out["const"]):
            del out["type"]
        if "allOf" in node:
            parts = [self.convert(part) for part in node["allOf"]]
            if len(parts) == 1:
                out = _merge(out, parts[0])
            elif any("properties" in self._target(p) and "if" not in p for p in parts):
                raise SpecError(f"allOf composing objects: {json.dumps(node)[:200]}")
            else:  # constraints (if/then) over the node's own properties
                out["allOf"] = parts
        branches = [b for key in UNIONS for b in node.get(key) or []]
        if branches:
            out = _merge(out, self._union(branches))
        if _is_object_schema(out) and "properties" in out and "additionalProperties" not in out:
            out["additionalProperties"] = False
        if node.get("nullable") is True:
            out = _nullable(out)
        return out

    def _ref(self, node: dict[str, Any]) -> dict[str, Any]:
        name = _ref_name(node["$ref"])
        if name not in self.components:
            raise SpecError(f"no component {name}")
        if name not in self.definitions and name not in self.building:  # a cycle: refer back
            self.building.add(name)
            self.definitions[name] = self.convert(self.components[name])
            self.building.discard(name)
        out: dict[str, Any] = {"$ref": f"#/definitions/{name}"}
        for key in ANNOTATIONS:
            if key in node:
                value = node[key]
                out[key] = value.strip() if isinstance(value, str) else value
        extra = set(node) - {"$ref", "nullable", *ANNOTATIONS} - DROPPED
        if any(not k.startswith("x-") for k in extra):
            raise SpecError(f"keys beside a $ref that are not annotations: {sorted(extra)}")
        return _nullable(out) if node.get("nullable") is True else out

    def _target(self, node: dict[str, Any]) -> dict[str, Any]:
        """Return the schema a converted node stands for (a definition, for a $ref)."""
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[-1]
            if name not in self.definitions:
                raise SpecError(f"a union over {name}, which refers back to itself")
            found: dict[str, Any] = self.definitions[name]
            return found
        return node

    def _union(self, raw: list[Any]) -> dict[str, Any]:
        nullable = any(_is_null(b) for b in raw)
        branches = [self.convert(b) for b in raw if not _is_null(b)]
        if not branches:
            raise SpecError("a union of null alone")
        if len(branches) == 1:
            return _nullable(branches[0]) if nullable else branches[0]
        simple = _subsume(branches)
        if simple is not None:
            return _nullable(simple) if nullable else simple
        for strategy in (self._by_constants, self._by_type):
            picked: dict[str, Any] | None = strategy(branches, nullable)
            if picked is not None:
                return picked
        return {"anyOf": [*branches, {"type": "null"}] if nullable else branches}

    def _by_constants(self, branches: list[dict[str, Any]], nullable: bool) -> Any:
        """Return ``if``/``then`` pairs over object branches told apart by constants, or None."""
        targets = [self._target(b) for b in branches]
        objects = [i for i, t in enumerate(targets) if _is_object_schema(t)]
        others = [i for i, t in enumerate(targets) if not _is_object_schema(t)]
        if len(objects) < 2 or any("type" not in targets[i] for i in others):
            return None
        consts = [_consts(targets[i]) for i in objects]
        conditions = _conditions(consts, [targets[i].get("required", []) for i in objects])
        if conditions is None:
            return None
        tests = [
            {
                "type": "object",
                "required": sorted(cond),
                "properties": {k: {"const": v} for k, v in sorted(cond.items())},
            }
            for cond in conditions
        ]
        pairs: list[dict[str, Any]] = []
        told_by = sorted({k for cond in conditions for k in cond})
        shared = [k for k in told_by if all(k in c for c in consts)]
        values = {k: {"enum": list(dict.fromkeys(c[k] for c in consts))} for k in shared}
        if shared:  # an unknown `type` is reported as that, and nothing else
            pairs.append({"properties": values})
        pairs += [{"if": test, "then": branches[i]} for test, i in zip(tests, objects, strict=True)]
        rest = [branches[i] for i in objects + others] + ([{"type": "null"}] if nullable else [])
        fallback: dict[str, Any] = {"anyOf": rest}
        # an object that leaves out a key every branch requires matches none: say which
        needed = [k for k in told_by if all(k in targets[i].get("required", []) for i in objects)]
        if needed:
            fallback = {"allOf": [{"required": needed}, fallback]}
        if shared:
            fallback = {"if": {"properties": values}, "then": fallback}
        pairs.append({"if": {"anyOf": tests}, "else": fallback})
        kinds = sorted({"object", *(k for i in others for k in _types(targets[i]) or ())})
        return {"type": _type_value([*kinds, *(["null"] if nullable else [])]), "allOf": pairs}

    def _by_type(self, branches: list[dict[str, Any]], nullable: bool) -> Any:
        """Return ``if``/``then`` pairs over branches of distinct JSON types, or None."""
        kinds = [_types(self._target(b)) for b in branches]
        if any(k is None for k in kinds):
            return None
        seen: set[str] = set()
        for k in kinds:
            assert k is not None
            widened = set(k) | ({"number"} if "integer" in k else set())
            widened |= {"integer"} if "number" in k else set()
            if widened & seen:
                return None
            seen |= widened
        pairs = [
            {"if": {"type": _type_value(k)}, "then": b}
            for k, b in zip(kinds, branches, strict=True)
            if k is not None and set(b) - {"type", *ANNOTATIONS}  # a bare type: said above
        ]
        every = sorted({t for k in kinds for t in k or ()} | ({"null"} if nullable else set()))
        return {"type": _type_value(every), "allOf": pairs} if pairs else {"type": every}


def _types(node: dict[str, Any]) -> list[str] | None:
    """Return the JSON types a schema accepts, where it says so plainly, or None."""
    kind = node.get("type")
    if isinstance(kind, str):
        return [kind]
    if isinstance(kind, list):
        return list(kind)
    values = node.get("enum", [node["const"]] if "const" in node else None)
    if values is None:
        return None
    return sorted({_json_type(v) for v in values})


def _type_value(kinds: list[str]) -> Any:
    return kinds[0] if len(kinds) == 1 else kinds


def _conditions(
    consts: list[dict[str, Any]], required: list[list[str]]
) -> list[dict[str, Any]] | None:
    """Return, for each branch, the constants that pick it and no other, or None.

    Keys more branches have (``type``) are tried first, required ones before optional ones
    (``role`` before ``object``), one at a time, until each branch's constants rule out every
    other branch; then any key the others can do without is dropped.
    """

    def told_apart(chosen: list[str]) -> list[dict[str, Any]] | None:
        conditions = [{k: c[k] for k in chosen if k in c} for c in consts]
        if all(conditions) and all(
            any(k in other and other[k] != v for k, v in cond.items())
            for i, cond in enumerate(conditions)
            for j, other in enumerate(consts)
            if i != j
        ):
            return conditions
        return None

    keys = sorted({k for c in consts for k in c})
    telling = [k for k in keys if len({json.dumps([k in c, c.get(k)]) for c in consts}) > 1]
    telling.sort(key=lambda k: (-sum(k in c for c in consts), -sum(k in r for r in required), k))
    chosen: list[str] = []
    for key in telling:
        chosen.append(key)
        if told_apart(chosen) is not None:
            break
    else:
        return None
    for key in list(reversed(chosen)):
        fewer = [k for k in chosen if k != key]
        if fewer and told_apart(fewer) is not None:
            chosen = fewer
    return told_apart(chosen)


def _is_null(node: Any) -> bool:
    return isinstance(node, dict) and {k: v for k, v in node.items() if k not in ANNOTATIONS} == {
        "type": "null"
    }


def _merge(outer: dict[str, Any], inner: dict[str, Any]) -> dict[str, Any]:
    """Return ``inner`` (a union or allOf) with the keys of ``outer`` on it."""
    if "properties" in outer:
        raise SpecError("properties beside a union: not handled")
    merged = dict(inner)
    for key, value in outer.items():
        if key in merged and merged[key] != value:
            if key in ANNOTATIONS:
                merged[key] = value  # the outer node is the more specific place
                continue
            if key == "type" and "$ref" not in merged:
                continue  # `type: object` over a union of object branches
            raise SpecError(f"'{key}' both beside and inside a union")
        merged[key] = value
    if "$ref" in merged and set(merged) - {"$ref", *ANNOTATIONS}:
        ref = merged.pop("$ref")
        merged["allOf"] = [{"$ref": ref}]  # draft-07 ignores keywords beside a $ref
    return merged


def _subsume(branches: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Return the branch that accepts all the others accept, for a union of plain strings."""
    plain = [b for b in branches if set(b) <= {"type", *ANNOTATIONS}]
    if len(plain) != 1 or plain[0].get("type") != "string":
        return None
    known: list[Any] = []
    for b in branches:
        if b is plain[0]:
            continue
        if not set(b) <= {"type", "enum", "const", *ANNOTATIONS}:
            return None
        values = b.get("enum", [b["const"]] if "const" in b else [])
        if b.get("type", "string") != "string" or not all(isinstance(v, str) for v in values):
            return None
        known.extend(v for v in values if v not in known)
    result = dict(plain[0])
    if known:
        result["examples"] = known
    return result


def _nullable(node: dict[str, Any]) -> dict[str, Any]:
    """Return ``node`` that also accepts null."""
    notes = {k: node[k] for k in ANNOTATIONS if k in node}
    core = {k: v for k, v in node.items() if k not in ANNOTATIONS}
    if set(core) == {"anyOf"}:
        if {"type": "null"} in core["anyOf"]:
            return node
        return {**notes, "anyOf": [*core["anyOf"], {"type": "null"}]}
    by_type = set(core) == {"type", "allOf"} and all(
        set(pair) == {"if", "then"} and set(pair["if"]) == {"type"} for pair in core["allOf"]
    )
    if by_type:  # pairs on the JSON type: null meets none of them
        kinds = core["type"] if isinstance(core["type"], list) else [core["type"]]
        return {**node, "type": sorted({*kinds, "null"})}
    if {"anyOf", "oneOf", "allOf", "not", "if", "$ref"} & set(core) or not (
        "type" in core or "const" in core or "enum" in core
    ):
        # not anyOf [core, null]: an error inside core is then reported where it is
        return {**notes, "if": {"type": "null"}, "else": core}
    out = dict(node)
    if "const" in out:
        out["enum"] = [out.pop("const"), None]
    elif "enum" in out and None not in out["enum"]:
        out["enum"] = [*out["enum"], None]
    if "type" in out:
        kinds = out["type"] if isinstance(out["type"], list) else [out["type"]]
        out["type"] = kinds if "null" in kinds else [*kinds, "null"]
    return out


# ---------------------------------------------------------------------------------------------
# Writing


def _dump(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def sha256(text: str) -> str:
    """Return the sha256 of a generated file's text, as ``SOURCE.json`` pins it."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def event_schema(
    components: dict[str, Any], name: str, api: str, kind: str, source: dict[str, Any]
) -> dict[str, Any]:
    """Return the standalone draft-07 schema of one client event component."""
    schema = Converter(components).root(name)
    path = f"{api}/{kind}.schema.json"
    schema.update(
        {
            "$schema": DRAFT_07,
            "$id": ID_BASE + path,
            "$comment": (
                f"Generated by tools/generate_schemas.py from {source['repository']} "
                f"{source['path']} at {source['commit']} (components.schemas.{name}), with "
                "the overrides listed in schemas/SOURCE.json; do not edit."
            ),
            "title": f"OpenAI Realtime client event {kind} ({API_NAMES[api]})",
        }
    )
    return schema


def overrides_listed(overrides: tuple[Override, ...] | None = None) -> list[dict[str, Any]]:
    """Return the overrides as ``SOURCE.json`` lists them."""
    return [
        {
            "id": o.id,
            "apis": list(o.apis),
            "op": o.op,
            "at": list(o.at),
            "why": o.why,
            "source": o.source,
        }
        for o in (OVERRIDES if overrides is None else overrides)
    ]


def build(
    components: dict[str, Any],
    source: dict[str, Any],
    overrides: tuple[Override, ...] | None = None,
) -> dict[str, str]:
    """Return {path under schemas/: text} for every generated file, SOURCE.json included."""
    selection, skipped = select(components)
    reached = relevant(components, selection, overrides)
    files: dict[str, str] = {}
    index: dict[str, dict[str, dict[str, str]]] = {}
    for api, events in selection.items():
        patched = apply_overrides(reached, api, overrides)
        index[api] = {}
        for kind, name in sorted(events.items()):
            if kind in HAND_WRITTEN:
                index[api][kind] = {"file": HAND_WRITTEN[kind], "component": name}
                continue
            path = f"{api}/{kind}.schema.json"
            files[path] = _dump(event_schema(patched, name, api, kind, source))
            index[api][kind] = {"file": path, "component": name, "sha256": sha256(files[path])}
    files["SOURCE.json"] = _dump(
        {
            "generator": "tools/generate_schemas.py",
            "spec": source,
            "schemas": index,
            "skipped": skipped,
            "overrides": overrides_listed(overrides),
        }
    )
    return files


def generated_paths() -> list[Path]:
    """Return the files of schemas/ that this tool owns (SOURCE.json and the API folders)."""
    owned = [SCHEMAS / "SOURCE.json"] if (SCHEMAS / "SOURCE.json").exists() else []
    for api in APIS:
        owned.extend(sorted((SCHEMAS / api).glob("*.schema.json")))
    return owned


def differences(files: dict[str, str]) -> list[str]:
    """Return how schemas/ differs from ``files`` (empty: the same, byte for byte)."""
    problems = []
    on_disk = {p.relative_to(SCHEMAS).as_posix(): p for p in generated_paths()}
    for path, text in sorted(files.items()):
        if path not in on_disk:
            problems.append(f"schemas/{path} is missing")
        elif on_disk[path].read_bytes() != text.encode("utf-8"):
            problems.append(f"schemas/{path} differs")
    problems += [
        f"schemas/{p} is not generated any more" for p in sorted(set(on_disk) - set(files))
    ]
    return problems


def write(files: dict[str, str]) -> None:
    """Replace the generated files of schemas/ with ``files``."""
    for path in generated_paths():
        path.unlink()
    for rel, text in sorted(files.items()):
        target = SCHEMAS / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(text.encode("utf-8"))


def pinned_source() -> dict[str, Any]:
    """Return the spec that ``schemas/SOURCE.json`` records (repository, commit, dates)."""
    recorded: dict[str, Any] = json.loads((SCHEMAS / "SOURCE.json").read_text(encoding="utf-8"))
    source: dict[str, Any] = recorded["spec"]
    return source


def main(argv: list[str] | None = None) -> int:
    """Generate from a spec, or check schemas/ against one; return the exit code."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("spec", type=Path, help="openapi.yaml (or .json) of one commit")
    parser.add_argument("--commit", help="the spec's commit (40 hex digits)")
    parser.add_argument("--date", help="the commit's date, YYYY-MM-DD")
    parser.add_argument("--fetched", help="the day the spec was fetched, YYYY-MM-DD")
    parser.add_argument(
        "--check", action="store_true", help="compare with the commit SOURCE.json names"
    )
    args = parser.parse_args(argv)
    if args.check:
        source = pinned_source()
    else:
        if not (
            args.commit
            and re.fullmatch(r"[0-9a-f]{40}", args.commit)
            and all(d and DATE.match(d) for d in (args.date, args.fetched))
        ):
            parser.error("give --commit SHA (40 hex digits), --date and --fetched YYYY-MM-DD")
        source = {
            "repository": SPEC_REPOSITORY,
            "path": args.spec.name,
            "commit": args.commit,
            "date": args.date,
            "fetched": args.fetched,
            "license": "MIT, Copyright (c) OpenAI",
        }
    try:
        files = build(load_spec(args.spec), source)
    except (OSError, ValueError, SpecError) as exc:
        print(f"generate_schemas: {exc}", file=sys.stderr)
        return 2
    if args.check:
        problems = differences(files)
        for problem in problems:
            print(problem)
        if not problems:
            print(f"schemas/ matches {SPEC_REPOSITORY} {source['commit'][:12]}, byte for byte")
        return 1 if problems else 0
    write(files)
    print(f"wrote {len(files)} files to schemas/ from {source['commit'][:12]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
