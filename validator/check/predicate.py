"""A yes-or-no twin of fastjsonschema for the generated client event schemas: nested closures.

fastjsonschema is the validator of record (``check.spec`` turns its errors into findings), but
the code it writes tries each branch of a union by raising and catching an exception with a
message, so a GA ``conversation.item.create`` costs it about 40 us even when it is valid.
Most client events in a log are valid and need only the answer, so this module compiles the
same schema into closures that return True or False without raising: a few microseconds,
and nothing to import or compile beyond reading the schema. It reads the draft-07 subset that
``tools/generate_schemas.py`` writes (an unknown keyword stops the compile), with
fastjsonschema's own meaning of each keyword (type, enum and const as it compares them);
``tests/test_spec_check.py`` holds the two verdicts equal on every real and mutated event.

Two shapes the generator writes for unions are compiled as look-ups instead of one test per
branch: a condition that an object's members equal constants (``{"type": "object",
"required": ["role", "type"], "properties": {"role": {"const": "user"}, ...}}``), and an
``anyOf`` or ``allOf`` of such conditions that share one member: the member's value picks the
one or two branches that can apply.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Check = Callable[[Any], bool]

_ANNOTATIONS = frozenset(
    ("title", "description", "default", "examples", "$comment", "$id", "$schema", "definitions")
)
_MISSING: Any = object()


def _always(value: Any) -> bool:
    return True


def _never(value: Any) -> bool:
    return False


def _is_integer(value: Any) -> bool:
    # draft-06 on: a float without a fractional part is an integer (fastjsonschema agrees)
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


def _is_number(value: Any) -> bool:
    # fastjsonschema takes a Decimal too; JSON text never gives one (parse_float is float)
    return isinstance(value, (int, float)) and not isinstance(value, bool)


_TYPES: dict[str, Check] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, (list, tuple)),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "integer": _is_integer,
    "number": _is_number,
}


def _equals(value: Any, wanted: Any) -> bool:
    """Return True where ``value`` is ``wanted`` as fastjsonschema's enum and const compare."""
    if isinstance(wanted, bool):
        return isinstance(value, bool) and value is wanted
    if isinstance(wanted, (int, float)):
        return _is_number(value) and value == wanted
    if wanted is None:
        return value is None
    if isinstance(wanted, str):
        return isinstance(value, str) and value == wanted
    if isinstance(wanted, list):
        return (
            isinstance(value, list)
            and len(value) == len(wanted)
            and all(_equals(v, w) for v, w in zip(value, wanted, strict=True))
        )
    if isinstance(wanted, dict):
        return (
            isinstance(value, dict)
            and value.keys() == wanted.keys()
            and all(_equals(value[k], w) for k, w in wanted.items())
        )
    return bool(value == wanted)


def _text(value: Any) -> str | None:
    """Return ``value`` where it is a string (a look-up key), else None (a list is no key)."""
    return value if isinstance(value, str) else None


def _all_strings(node: dict[str, Any]) -> bool:
    """Return True where a node's const or enum holds strings only (so it implies the type)."""
    if "const" in node:
        return isinstance(node["const"], str)
    values = node.get("enum")
    return isinstance(values, list) and bool(values) and all(isinstance(v, str) for v in values)


def _const(wanted: Any) -> Check:
    if isinstance(wanted, str):
        return lambda v: isinstance(v, str) and v == wanted
    return lambda v: _equals(v, wanted)


def _constants(node: Any) -> dict[str, Any] | None:
    """Return {member: constant} for a condition that an object's members equal constants,
    each required, or None for any other schema."""
    if not isinstance(node, dict):
        return None
    keys = set(node) - _ANNOTATIONS
    properties = node.get("properties")
    required = node.get("required")
    if (
        keys != {"type", "required", "properties"}
        or node.get("type") != "object"
        or not isinstance(properties, dict)
        or not isinstance(required, list)
        or set(required) != set(properties)
    ):
        return None
    found: dict[str, Any] = {}
    for name, sub in properties.items():
        if not isinstance(sub, dict) or set(sub) - _ANNOTATIONS != {"const"}:
            return None
        if not isinstance(sub["const"], str):
            return None
        found[name] = sub["const"]
    return found


def _is_fallback(part: Any, conditions: list[dict[str, Any]]) -> bool:
    """Return True for ``{"if": {"anyOf": conditions}, "else": ...}`` over these conditions."""
    if not isinstance(part, dict) or set(part) - _ANNOTATIONS != {"if", "else"}:
        return False
    test = part["if"]
    if not isinstance(test, dict) or set(test) - _ANNOTATIONS != {"anyOf"}:
        return False
    tests = [_constants(t) for t in test["anyOf"]]
    return len(tests) == len(conditions) and all(t in conditions for t in tests)


def _shared_key(conditions: list[dict[str, Any]]) -> str | None:
    """Return a member every condition fixes to a string, to look branches up by."""
    common = set.intersection(*(set(c) for c in conditions)) if conditions else set()
    return "type" if "type" in common else (min(common) if common else None)


def _constant_check(constants: dict[str, Any]) -> Check:
    pairs = tuple(constants.items())

    def check(value: Any) -> bool:
        if not isinstance(value, dict):
            return False
        for name, wanted in pairs:
            got = value.get(name, _MISSING)
            if not (isinstance(got, str) and got == wanted):
                return False
        return True

    return check


class PredicateCompiler:
    """Compiles one standalone draft-07 schema (with its ``definitions``) into closures."""

    def __init__(self, schema: dict[str, Any]) -> None:
        self.definitions: dict[str, Any] = schema.get("definitions") or {}
        self.compiled: dict[str, Check] = {}

    def compile(self, node: Any) -> Check:
        """Return the closure answering whether a value meets ``node``."""
        if node is True:
            return _always
        if node is False:
            return _never
        if not isinstance(node, dict):
            raise ValueError(f"not a schema: {node!r}")
        constants = _constants(node)
        if constants is not None:
            return _constant_check(constants)
        checks: list[Check] = []
        if "$ref" in node:
            checks.append(self._ref(node["$ref"]))
        is_object = bool({"properties", "required", "additionalProperties"} & set(node))
        kinds = node.get("type")
        if "type" in node and not (
            # implied by what follows: a string constant or enum, an object's own check
            (kinds == "string" and _all_strings(node)) or (kinds == "object" and is_object)
        ):
            checks.append(self._type(kinds))
        if "enum" in node:
            checks.append(self._enum(node["enum"]))
        if "const" in node:
            checks.append(_const(node["const"]))
        if is_object:
            checks.append(self._object(node, strict=kinds == "object"))
        for key in ("items", "minItems", "maxItems", "minLength", "maxLength", "pattern"):
            if key in node:
                checks.append(self._sized(key, node[key]))
        for key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
            if key in node:
                checks.append(self._bound(key, node[key]))
        if "allOf" in node:
            checks.append(self._all_of(node["allOf"]))
        if "anyOf" in node:
            checks.append(self._any_of(node["anyOf"]))
        if "not" in node:
            inner = self.compile(node["not"])
            checks.append(lambda v: not inner(v))
        if "if" in node:
            checks.append(self._if(node))
        unknown = set(node) - _KNOWN
        if unknown:
            raise ValueError(f"keywords this twin does not read: {sorted(unknown)}")
        if not checks:
            return _always
        if len(checks) == 1:
            return checks[0]
        if len(checks) == 2:
            first, second = checks
            return lambda v: first(v) and second(v)
        every = tuple(checks)

        def all_checks(value: Any) -> bool:
            # a loop, not all(): a generator costs more than the checks it runs
            for check in every:  # noqa: SIM110
                if not check(value):
                    return False
            return True

        return all_checks

    def _ref(self, ref: str) -> Check:
        prefix = "#/definitions/"
        if not ref.startswith(prefix) or ref[len(prefix) :] not in self.definitions:
            raise ValueError(f"a reference this twin cannot follow: {ref}")
        name = ref[len(prefix) :]
        done = self.compiled.get(name)
        if done is not None:
            return done
        # compiled at its first use: an event reaches few of a schema's definitions, and
        # compiling all of GA session.update's costs more than a log's worth of checks
        cell: list[Check] = []

        def follow(value: Any) -> bool:
            if not cell:
                check = self.compiled.get(name)
                if check is None:
                    self.compiled[name] = check = self.compile(self.definitions[name])
                cell.append(check)
            return cell[0](value)

        return follow

    @staticmethod
    def _type(kinds: Any) -> Check:
        names = [kinds] if isinstance(kinds, str) else list(kinds)
        tests = tuple(_TYPES[name] for name in names)
        if len(tests) == 1:
            return tests[0]
        return lambda v: any(test(v) for test in tests)

    @staticmethod
    def _enum(values: list[Any]) -> Check:
        if all(isinstance(v, str) for v in values):
            strings = frozenset(values)
            return lambda v: isinstance(v, str) and v in strings
        wanted = tuple(values)
        return lambda v: any(_equals(v, w) for w in wanted)

    def _object(self, node: dict[str, Any], strict: bool) -> Check:
        """Return the check of an object's members; ``strict``: a non-object fails it (the
        node's type is "object"), else it passes (another type of the node's decides)."""
        other = not strict
        properties = {
            name: self.compile(sub) for name, sub in (node.get("properties") or {}).items()
        }
        required = tuple(node.get("required") or ())
        extra = node.get("additionalProperties", True)
        closed = extra is False
        extra_check = None if isinstance(extra, bool) else self.compile(extra)

        def check(value: Any) -> bool:
            if not isinstance(value, dict):
                return other
            for name in required:
                if name not in value:
                    return False
            for name, member in value.items():
                sub = properties.get(name)
                if sub is None:
                    if closed:
                        return False
                    if extra_check is not None and not extra_check(member):
                        return False
                elif not sub(member):
                    return False
            return True

        return check

    def _sized(self, key: str, bound: Any) -> Check:
        if key == "items":
            if isinstance(bound, list):
                raise ValueError("tuple items: not read by this twin")
            item = self.compile(bound)
            return lambda v: not isinstance(v, (list, tuple)) or all(item(x) for x in v)
        if key == "minItems":
            return lambda v: not isinstance(v, (list, tuple)) or len(v) >= bound
        if key == "maxItems":
            return lambda v: not isinstance(v, (list, tuple)) or len(v) <= bound
        if key == "minLength":
            return lambda v: not isinstance(v, str) or len(v) >= bound
        if key == "maxLength":
            return lambda v: not isinstance(v, str) or len(v) <= bound
        # as fastjsonschema: a '$' that ends the pattern matches at the very end only
        search = re.compile(re.sub(r"(?<!\\)\$", r"\\Z", bound)).search
        return lambda v: not isinstance(v, str) or search(v) is not None

    @staticmethod
    def _bound(key: str, bound: Any) -> Check:
        if key == "minimum":
            return lambda v: not _is_number(v) or v >= bound
        if key == "maximum":
            return lambda v: not _is_number(v) or v <= bound
        if key == "exclusiveMinimum":
            return lambda v: not _is_number(v) or v > bound
        return lambda v: not _is_number(v) or v < bound

    def _all_of(self, parts: list[Any]) -> Check:
        checks = tuple(self._picked(parts) or [self.compile(p) for p in parts])
        if len(checks) == 1:
            return checks[0]

        def all_of(value: Any) -> bool:
            for check in checks:  # noqa: SIM110 (as all_checks)
                if not check(value):
                    return False
            return True

        return all_of

    def _any_of(self, branches: list[Any]) -> Check:
        conditions = [_constants(b) for b in branches]
        if len(branches) > 1 and all(c is not None for c in conditions):
            table = self._table([c for c in conditions if c is not None])
            if table is not None:
                key, by_value = table
                # the conditions that can hold: those that fix `key` to the value it has
                return lambda v: (
                    isinstance(v, dict)
                    and any(check(v) for check in by_value.get(_text(v.get(key)), ()))
                )
        checks = tuple(self.compile(b) for b in branches)
        return lambda v: any(check(v) for check in checks)

    @staticmethod
    def _table(conditions: list[dict[str, Any]]) -> tuple[str, dict[Any, list[Check]]] | None:
        key = _shared_key(conditions)
        if key is None:
            return None
        by_value: dict[Any, list[Check]] = {}
        for constants in conditions:
            by_value.setdefault(constants[key], []).append(_constant_check(constants))
        return key, by_value

    def _picked(self, parts: list[Any]) -> list[Check] | None:
        """Return the checks of an ``allOf`` whose ``if``/``then`` pairs are told apart by one
        member's constant: one check that looks the pair up, then the other parts; or None.

        The part the generator writes for an object that no condition picks, ``{"if":
        {"anyOf": [the same conditions]}, "else": ...}``, is folded in: the look-up already
        knows whether a condition held."""
        pairs = [
            p
            for p in parts
            if isinstance(p, dict)
            and set(p) - _ANNOTATIONS == {"if", "then"}
            and _constants(p["if"]) is not None
        ]
        if len(pairs) < 2:
            return None
        conditions = [c for c in (_constants(p["if"]) for p in pairs) if c is not None]
        key = _shared_key(conditions)
        if key is None:
            return None
        by_value: dict[Any, list[tuple[Check, Check]]] = {}
        for pair, constants in zip(pairs, conditions, strict=True):
            entry = (_constant_check(constants), self.compile(pair["then"]))
            by_value.setdefault(constants[key], []).append(entry)
        folded = next((p for p in parts if _is_fallback(p, conditions)), None)
        otherwise = None if folded is None else self.compile(folded["else"])

        def pick(value: Any) -> bool:
            if not isinstance(value, dict):  # no condition holds for a non-object
                return True if otherwise is None else otherwise(value)
            held = False
            for condition, then in by_value.get(_text(value.get(key)), ()):
                if condition(value):
                    if not then(value):
                        return False
                    held = True
            return held or otherwise is None or otherwise(value)

        rest = [self.compile(p) for p in parts if not any(p is q for q in [*pairs, folded])]
        return [pick, *rest]

    def _if(self, node: dict[str, Any]) -> Check:
        condition = self.compile(node["if"])
        then = self.compile(node["then"]) if "then" in node else _always
        otherwise = self.compile(node["else"]) if "else" in node else _always
        return lambda v: then(v) if condition(v) else otherwise(v)


_KNOWN = _ANNOTATIONS | {
    "$ref",
    "type",
    "enum",
    "const",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "minItems",
    "maxItems",
    "minLength",
    "maxLength",
    "pattern",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "allOf",
    "anyOf",
    "not",
    "if",
    "then",
    "else",
}


def compile_predicate(schema: dict[str, Any]) -> Check:
    """Return a function that answers whether a value meets the standalone ``schema``."""
    return PredicateCompiler(schema).compile(schema)
