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
from collections.abc import Callable, Iterator
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


def _picked_pairs(
    parts: list[Any],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], str] | None:
    """Return the ``if``/``then`` pairs of an ``allOf``, their conditions' constants and the
    member whose constant tells them apart, where there are two pairs or more and one such
    member; else None (both ``_picked``: the closures' and the written code's)."""
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
    return pairs, conditions, key


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
        picked = _picked_pairs(parts)
        if picked is None:
            return None
        pairs, conditions, key = picked
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


# ---------------------------------------------------------------------------------------------
# The same checks written as Python source, for the wheel

CODE_FORMAT = 1
"""The shape of the source ``PredicateWriter`` writes; a module of another is not used."""

_CHAIN = 12
"""An object of at most this many properties checks its members inline, in a chain of
names; a larger one looks each member's check up in a table (a call each)."""

_TYPE_TESTS = {
    "object": "isinstance({v}, dict)",
    "array": "isinstance({v}, (list, tuple))",
    "string": "isinstance({v}, str)",
    "boolean": "isinstance({v}, bool)",
    "null": "{v} is None",
    "integer": (
        "(not isinstance({v}, bool) and (isinstance({v}, int)"
        " or (isinstance({v}, float) and {v}.is_integer())))"
    ),
    "number": "(isinstance({v}, (int, float)) and not isinstance({v}, bool))",
}

_EQUALS_SOURCE = """
def _equals(value, wanted):
    if isinstance(wanted, bool):
        return isinstance(value, bool) and value is wanted
    if isinstance(wanted, (int, float)):
        return isinstance(value, (int, float)) and not isinstance(value, bool) and value == wanted
    if wanted is None:
        return value is None
    if isinstance(wanted, str):
        return isinstance(value, str) and value == wanted
    if isinstance(wanted, list):
        return (
            isinstance(value, list)
            and len(value) == len(wanted)
            and all(_equals(v, w) for v, w in zip(value, wanted))
        )
    if isinstance(wanted, dict):
        return (
            isinstance(value, dict)
            and value.keys() == wanted.keys()
            and all(_equals(value[k], w) for k, w in wanted.items())
        )
    return bool(value == wanted)
"""


class PredicateWriter:
    """Writes what ``PredicateCompiler`` compiles as the source of a module: one function per
    object, union and definition, the simple checks (types, enums, constants, bounds) inline.

    Imported from a wheel's byte-compiled file, a schema's check costs no JSON to read and no
    closures to build, and a check runs fewer calls. The verdicts are the compiler's, shape
    for shape (``tests/test_spec_check.py`` holds the two equal on every fixture event and on
    mutated ones); the compiler stays the reference, and the road of a checkout."""

    def __init__(self, schema: dict[str, Any]) -> None:
        self.definitions: dict[str, Any] = schema.get("definitions") or {}
        self.named: dict[str, str] = {}  # definition -> its function's name
        self.constants: dict[str, str] = {}  # source of a constant -> its name
        self.blocks: list[str] = []  # the functions
        self.tables: list[str] = []  # look-ups of functions, after them all (a definition
        # may refer to itself: its function is named before it is written)
        self.count = 0
        self.written: dict[str, str] = {}  # a function's source -> its name
        self.needs: set[str] = set()

    def source(self, schema: dict[str, Any]) -> str:
        """Return the module's body: its functions, constants and ``check``, the root's."""
        root = self._function(schema)
        head = []
        if "re" in self.needs:
            head.append("import re\n")
        if "equals" in self.needs:
            head.append(_EQUALS_SOURCE)
        consts = [f"{name} = {text}\n" for text, name in self.constants.items()]
        functions = "\n".join(self.blocks)
        return "".join([*head, *consts, functions, "\n", *self.tables, f"check = {root}\n"])

    def _emit(self, prefix: str, body: str) -> str:
        """Write a function whose source is ``body`` with a NUL for its name (no repr writes
        one), once: a
        function of the same source already written is used again (a smaller module loads
        faster). Returns its name."""
        name = self.written.get(body)
        if name is None:
            name = self.written[body] = self._name(prefix)
            self.blocks.append(body.replace("\0", name))
        return name

    def _name(self, prefix: str) -> str:
        self.count += 1
        return f"_{prefix}{self.count}"

    def _constant(self, text: str) -> str:
        name = self.constants.get(text)
        if name is None:
            name = self.constants[text] = self._name("K")
        return name

    def _function(self, node: Any) -> str:
        """Return the name of a function answering whether a value meets ``node``."""
        expression = self.expression(node, "v")
        called = re.fullmatch(r"(_\w+)\(v\)", expression)
        if called is not None:
            return called.group(1)
        return self._emit("f", f"def \0(v):\n    return {expression}\n")

    def expression(self, node: Any, v: str) -> str:
        """Return a Python expression over the name ``v``: whether its value meets ``node``."""
        if node is True:
            return "True"
        if node is False:
            return "False"
        if not isinstance(node, dict):
            raise ValueError(f"not a schema: {node!r}")
        constants = _constants(node)
        if constants is not None:
            return self._constant_test(constants, v)
        parts: list[str] = []
        if "$ref" in node:
            parts.append(f"{self._ref(node['$ref'])}({v})")
        is_object = bool({"properties", "required", "additionalProperties"} & set(node))
        kinds = node.get("type")
        if "type" in node and not (
            (kinds == "string" and _all_strings(node)) or (kinds == "object" and is_object)
        ):
            names = [kinds] if isinstance(kinds, str) else list(node["type"])
            tests = [_TYPE_TESTS[name].format(v=v) for name in names]
            parts.append(tests[0] if len(tests) == 1 else "(" + " or ".join(tests) + ")")
        if "enum" in node:
            parts.append(self._enum(node["enum"], v))
        if "const" in node:
            parts.append(self._const(node["const"], v))
        if is_object:
            parts.append(f"{self._object(node, strict=kinds == 'object')}({v})")
        # the one type the node's own test has settled (later tests need not ask again)
        known = kinds if isinstance(kinds, str) and "$ref" not in node else None
        for key in ("items", "minItems", "maxItems", "minLength", "maxLength", "pattern"):
            if key in node:
                parts.append(self._sized(key, node[key], v, known))
        for key, op in (
            ("minimum", ">="),
            ("maximum", "<="),
            ("exclusiveMinimum", ">"),
            ("exclusiveMaximum", "<"),
        ):
            if key in node:
                if known in ("integer", "number"):
                    parts.append(f"{v} {op} {node[key]!r}")
                else:
                    number = _TYPE_TESTS["number"].format(v=v)
                    parts.append(f"(not {number} or {v} {op} {node[key]!r})")
        if "allOf" in node:
            parts.append(self._all_of(node["allOf"], v))
        if "anyOf" in node:
            parts.append(self._any_of(node["anyOf"], v))
        if "not" in node:
            parts.append(f"not ({self.expression(node['not'], v)})")
        if "if" in node:
            condition = self.expression(node["if"], v)
            then = self.expression(node["then"], v) if "then" in node else "True"
            otherwise = self.expression(node["else"], v) if "else" in node else "True"
            parts.append(f"(({then}) if ({condition}) else ({otherwise}))")
        unknown = set(node) - _KNOWN
        if unknown:
            raise ValueError(f"keywords this twin does not read: {sorted(unknown)}")
        if not parts:
            return "True"
        if len(parts) == 1:
            return parts[0]
        return "(" + " and ".join(f"({p})" for p in parts) + ")"

    def _constant_test(self, constants: dict[str, Any], v: str) -> str:
        tests = [f"isinstance({v}, dict)"]
        for name, wanted in constants.items():
            tests.append(f"isinstance(_t := {v}.get({name!r}), str) and _t == {wanted!r}")
        return "(" + " and ".join(tests) + ")"

    def _ref(self, ref: str) -> str:
        prefix = "#/definitions/"
        if not ref.startswith(prefix) or ref[len(prefix) :] not in self.definitions:
            raise ValueError(f"a reference this twin cannot follow: {ref}")
        name = ref[len(prefix) :]
        done = self.named.get(name)
        if done is None:
            done = self.named[name] = self._name("d")
            expression = self.expression(self.definitions[name], "v")
            self.blocks.append(f"def {done}(v):\n    return {expression}\n")
        return done

    def _enum(self, values: list[Any], v: str) -> str:
        if all(isinstance(value, str) for value in values):
            strings = self._constant(f"frozenset({sorted(set(values))!r})")
            return f"(isinstance({v}, str) and {v} in {strings})"
        self.needs.add("equals")
        wanted = self._constant(repr(tuple(values)))
        return f"any(_equals({v}, w) for w in {wanted})"

    def _const(self, wanted: Any, v: str) -> str:
        if isinstance(wanted, str):
            return f"(isinstance({v}, str) and {v} == {wanted!r})"
        if wanted is None or isinstance(wanted, bool):
            return f"{v} is {wanted!r}"
        if isinstance(wanted, (int, float)):
            return f"({_TYPE_TESTS['number'].format(v=v)} and {v} == {wanted!r})"
        self.needs.add("equals")
        return f"_equals({v}, {self._constant(repr(wanted))})"

    def _object(self, node: dict[str, Any], strict: bool) -> str:
        """Return the name of a function checking an object's members: each member's check
        inline in a chain of names, or, for an object of many, looked up in a table."""
        properties = node.get("properties") or {}
        required = tuple(node.get("required") or ())
        extra = node.get("additionalProperties", True)
        lines = ["def \0(v):", "    if not isinstance(v, dict):"]
        lines.append(f"        return {not strict}")
        if required:
            absent = " or ".join(f"{key!r} not in v" for key in required)
            lines += [f"    if {absent}:", "        return False"]
        if extra is False:
            otherwise = ["return False"]
        elif extra is True:
            otherwise = []
        else:
            otherwise = [f"if not ({self.expression(extra, 'm')}):", "    return False"]
        lines.append("    for k, m in v.items():")
        if len(properties) <= _CHAIN:
            word = "if"
            for key, sub in properties.items():
                test = self.expression(sub, "m")
                lines.append(f"        {word} k == {key!r}:")
                if test == "True":
                    lines.append("            pass")
                else:
                    lines += [f"            if not ({test}):", "                return False"]
                word = "elif"
            if otherwise:
                if properties:
                    lines.append("        else:")
                    lines += [f"            {line}" for line in otherwise]
                else:
                    lines += [f"        {line}" for line in otherwise]
            elif not properties:
                lines.append("        pass")
        else:
            table = self._name("P")
            members = ", ".join(
                f"{key!r}: {self._function(sub)}" for key, sub in properties.items()
            )
            self.tables.append(f"{table} = {{{members}}}\n")
            lines += [f"        c = {table}.get(k)", "        if c is None:"]
            lines += [f"            {line}" for line in otherwise or ["continue"]]
            if otherwise and otherwise != ["return False"]:
                lines.append("            continue")
            lines += ["        if not c(m):", "            return False"]
        lines.append("    return True")
        return self._emit("o", "\n".join(lines) + "\n")

    def _sized(self, key: str, bound: Any, v: str, known: str | None) -> str:
        if key == "items":
            if isinstance(bound, list):
                raise ValueError("tuple items: not read by this twin")
            item = self.expression(bound, "x")
            name = self._emit(
                "i",
                "def \0(v):\n"
                "    if isinstance(v, (list, tuple)):\n"
                "        for x in v:\n"
                f"            if not ({item}):\n"
                "                return False\n"
                "    return True\n",
            )
            return f"{name}({v})"
        if key in ("minItems", "maxItems"):
            op = ">=" if key == "minItems" else "<="
            if known == "array":
                return f"len({v}) {op} {bound!r}"
            return f"(not isinstance({v}, (list, tuple)) or len({v}) {op} {bound!r})"
        guard = "" if known == "string" else f"not isinstance({v}, str) or "
        if key in ("minLength", "maxLength"):
            op = ">=" if key == "minLength" else "<="
            return f"({guard}len({v}) {op} {bound!r})"
        self.needs.add("re")
        pattern = re.sub(r"(?<!\\)\$", r"\\Z", bound)
        search = self._constant(f"re.compile({pattern!r}).search")
        return f"({guard}{search}({v}) is not None)"

    def _all_of(self, parts: list[Any], v: str) -> str:
        picked = self._picked(parts, v)
        tests = picked if picked is not None else [self.expression(p, v) for p in parts]
        if len(tests) == 1:
            return tests[0]
        return "(" + " and ".join(f"({t})" for t in tests) + ")"

    def _any_of(self, branches: list[Any], v: str) -> str:
        conditions = [_constants(b) for b in branches]
        if len(branches) > 1 and all(c is not None for c in conditions):
            found = [c for c in conditions if c is not None]
            key = _shared_key(found)
            if key is not None:
                by_value: dict[str, list[str]] = {}
                for constants in found:
                    by_value.setdefault(constants[key], []).append(self._condition(constants))
                table = self._table(by_value)
                name = self._emit(
                    "a",
                    "def \0(v):\n"
                    "    if not isinstance(v, dict):\n"
                    "        return False\n"
                    f"    t = v.get({key!r})\n"
                    "    if not isinstance(t, str):\n"
                    "        return False\n"
                    f"    for c in {table}.get(t, ()):\n"
                    "        if c(v):\n"
                    "            return True\n"
                    "    return False\n",
                )
                return f"{name}({v})"
        return "(" + " or ".join(f"({self.expression(b, v)})" for b in branches) + ")"

    def _condition(self, constants: dict[str, Any]) -> str:
        return self._emit("c", f"def \0(v):\n    return {self._constant_test(constants, 'v')}\n")

    def _table(self, by_value: dict[str, list[str]]) -> str:
        name = self._name("T")
        rows = ", ".join(f"{value!r}: ({', '.join(fs)},)" for value, fs in by_value.items())
        self.tables.append(f"{name} = {{{rows}}}\n")
        return name

    def _picked(self, parts: list[Any], v: str) -> list[str] | None:
        """``PredicateCompiler._picked`` as source."""
        picked = _picked_pairs(parts)
        if picked is None:
            return None
        pairs, conditions, key = picked
        by_value: dict[str, list[str]] = {}
        for pair, constants in zip(pairs, conditions, strict=True):
            entry = f"({self._condition(constants)}, {self._function(pair['then'])})"
            by_value.setdefault(constants[key], []).append(entry)
        folded = next((p for p in parts if _is_fallback(p, conditions)), None)
        otherwise = None if folded is None else self._function(folded["else"])
        table = self._table(by_value)
        fallback = "True" if otherwise is None else f"{otherwise}(v)"
        name = self._emit(
            "k",
            "def \0(v):\n"
            "    if not isinstance(v, dict):\n"
            f"        return {fallback}\n"
            f"    t = v.get({key!r})\n"
            "    held = False\n"
            "    if isinstance(t, str):\n"
            f"        for c, then in {table}.get(t, ()):\n"
            "            if c(v):\n"
            "                if not then(v):\n"
            "                    return False\n"
            "                held = True\n"
            f"    return held or {fallback}\n",
        )
        rest = [self.expression(p, v) for p in parts if not any(p is q for q in [*pairs, folded])]
        return [f"{name}({v})", *rest]


def module_source(text: str, sha256: str) -> str:
    """Return the source of a module whose ``check`` is the predicate of the schema file
    ``text``, recording the file's size in bytes and ``sha256`` (its pin in
    ``schemas/SOURCE.json``) and the writer's ``CODE_FORMAT``, so that a module of another
    schema or writer is not used."""
    import json

    schema = json.loads(text)
    body = PredicateWriter(schema).source(schema)
    return (
        '"""Written by setup.py from a shipped schema (validator/check/predicate.py)."""\n'
        "# fmt: off\n"
        "# ruff: noqa\n"
        f"SCHEMA_SHA256 = {sha256!r}\n"
        f"SCHEMA_SIZE = {len(text.encode('utf-8'))!r}\n"
        f"CODE_FORMAT = {CODE_FORMAT!r}\n"
        f"{body}"
    )


# ---------------------------------------------------------------------------------------------
# Member names whose short string values no check reads

_ALL, _NONE, _DEPENDS = "all", "none", "depends"


def _and(verdicts: list[str]) -> str:
    if _NONE in verdicts:
        return _NONE
    return _DEPENDS if _DEPENDS in verdicts else _ALL


def _or(verdicts: list[str]) -> str:
    if _ALL in verdicts:
        return _ALL
    return _DEPENDS if _DEPENDS in verdicts else _NONE


class _Strings:
    """Answers whether a schema takes every short string (``_ALL``), none (``_NONE``), or
    some and not others (``_DEPENDS``): strings of at most ``limit`` characters, as a JSON
    line writes them without an escape."""

    def __init__(self, schema: dict[str, Any], limit: int) -> None:
        self.definitions: dict[str, Any] = schema.get("definitions") or {}
        self.limit = limit
        self.open: set[str] = set()

    def verdict(self, node: Any) -> str:
        if node is True:
            return _ALL
        if node is False:
            return _NONE
        if not isinstance(node, dict):
            raise ValueError(f"not a schema: {node!r}")
        unknown = set(node) - _KNOWN
        if unknown:
            raise ValueError(f"keywords this twin does not read: {sorted(unknown)}")
        found: list[str] = []
        if "$ref" in node:
            name = node["$ref"].removeprefix("#/definitions/")
            if name in self.open or name not in self.definitions:
                found.append(_DEPENDS)  # a loop, or out of reach: say it depends
            else:
                self.open.add(name)
                found.append(self.verdict(self.definitions[name]))
                self.open.discard(name)
        if "type" in node:
            kinds = [node["type"]] if isinstance(node["type"], str) else list(node["type"])
            found.append(_ALL if "string" in kinds else _NONE)
        for key in ("enum", "const"):
            if key in node:
                values = node[key] if key == "enum" else [node[key]]
                found.append(_DEPENDS if any(isinstance(v, str) for v in values) else _NONE)
        if "pattern" in node or node.get("minLength", 0) > 0:
            found.append(_DEPENDS)
        if node.get("maxLength", self.limit) < self.limit:
            found.append(_DEPENDS)
        if "allOf" in node:
            found.append(_and([self.verdict(p) for p in node["allOf"]]))
        if "anyOf" in node:
            found.append(_or([self.verdict(p) for p in node["anyOf"]]))
        if "not" in node:
            inner = self.verdict(node["not"])
            found.append({_ALL: _NONE, _NONE: _ALL}.get(inner, _DEPENDS))
        if "if" in node:
            condition = self.verdict(node["if"])
            then = self.verdict(node.get("then", True))
            otherwise = self.verdict(node.get("else", True))
            if condition == _ALL:
                found.append(then)
            elif condition == _NONE:
                found.append(otherwise)
            else:
                found.append(then if then == otherwise != _DEPENDS else _DEPENDS)
        return _and(found)


def _nodes(node: Any) -> Iterator[dict[str, Any]]:
    """Yield every schema object in ``node``, definitions included."""
    if isinstance(node, dict):
        yield node
        for key, value in node.items():
            if key in ("properties", "definitions") and isinstance(value, dict):
                for sub in value.values():
                    yield from _nodes(sub)
            elif key not in ("enum", "const", "examples", "default"):
                yield from _nodes(value)
    elif isinstance(node, list):
        for value in node:
            yield from _nodes(value)


def _keys_inside(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, sub in value.items():
            yield key
            yield from _keys_inside(sub)
    elif isinstance(value, list):
        for sub in value:
            yield from _keys_inside(sub)


def free_names(schemas: list[dict[str, Any]], limit: int) -> frozenset[str]:
    """Return the member names whose string values of at most ``limit`` characters, written
    without an escape, no check of these ``schemas`` reads: wherever a member of that name
    stands, its schema takes every such string or none. An object whose other members must
    meet a schema that reads strings (``additionalProperties``) could hold any name: then
    none is free. The fast road remembers a line's verdict with such values blanked."""
    free: set[str] = set()
    bound: set[str] = set()
    for schema in schemas:
        strings = _Strings(schema, limit)
        for node in _nodes(schema):
            extra = node.get("additionalProperties", True)
            if not isinstance(extra, bool) and strings.verdict(extra) == _DEPENDS:
                return frozenset()
            for key in ("enum", "const"):
                for value in node.get(key, []) if key == "enum" else [node.get(key)]:
                    bound.update(_keys_inside(value))  # a whole object compared
            for name, sub in (node.get("properties") or {}).items():
                (bound if strings.verdict(sub) == _DEPENDS else free).add(name)
    return frozenset(free - bound)
