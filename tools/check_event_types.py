#!/usr/bin/env python3
"""Keep ``validator/event_types.py`` equal to the official spec's Realtime event types.

    python tools/check_event_types.py            # compare the table with the pinned copy
    python tools/check_event_types.py pin openapi.yaml --commit SHA --commit-date DATE

The pinned copy, ``tests/data/openapi_event_types.json``, holds every ``type`` of the spec's
Realtime event schemas (``Realtime(Beta|Translation)?(Client|Server)Event*``, and the members of
the client and server unions), with the openai/openai-openapi commit it was read from. ``pin``
reads a spec file (``git show <commit>:openapi.yaml`` of that repository; needs pyyaml) and
writes the copy again; ``check`` (the default, and ``tests/test_event_types.py``) prints what
differs and exits 1 if anything does. The table may add only ``BETA_ONLY_NAMES``: real beta
wire names that the spec's beta schemas spell with their GA names.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PINNED = ROOT / "tests" / "data" / "openapi_event_types.json"
EVENT_SCHEMA = re.compile(r"^Realtime(Beta|Translation)?(Client|Server)Event(.+)$")
UNIONS = (
    "RealtimeClientEvent",
    "RealtimeServerEvent",
    "RealtimeTranslationClientEvent",
    "RealtimeTranslationServerEvent",
)


def _deref(schemas: dict[str, Any], node: Any) -> Any:
    for _ in range(20):
        if not (isinstance(node, dict) and "$ref" in node):
            break
        node = schemas[node["$ref"].rsplit("/", 1)[-1]]
    return node


def _type_values(schemas: dict[str, Any], schema: Any, depth: int = 0) -> list[str]:
    """Return the constant values of a schema's ``type`` property (through refs and *Of)."""
    schema = _deref(schemas, schema)
    if not isinstance(schema, dict) or depth > 6:
        return []
    found: list[str] = []
    prop = _deref(schemas, (schema.get("properties") or {}).get("type"))
    if isinstance(prop, dict):
        if "const" in prop:
            found.append(prop["const"])
        elif "enum" in prop:
            found.extend(v for v in prop["enum"] if isinstance(v, str))
        elif prop.get("x-stainless-const") and "default" in prop:
            found.append(prop["default"])
    for key in ("allOf", "anyOf", "oneOf"):
        for sub in schema.get(key) or []:
            found.extend(v for v in _type_values(schemas, sub, depth + 1) if v not in found)
    return found


def extract(spec: dict[str, Any]) -> dict[str, Any]:
    """Return the client and server event types of a parsed spec, with their schema names."""
    schemas: dict[str, Any] = spec["components"]["schemas"]
    types: dict[str, set[str]] = {"Client": set(), "Server": set()}
    where: dict[str, set[str]] = {}

    def add(direction: str, schema_name: str) -> None:
        values = _type_values(schemas, schemas[schema_name])
        if len(values) != 1:
            raise SystemExit(f"{schema_name}: expected one type value, found {values}")
        types[direction].add(values[0])
        where.setdefault(values[0], set()).add(schema_name)

    for name in schemas:
        m = EVENT_SCHEMA.match(name)
        if m is not None:
            add(m.group(2), name)
    for union in UNIONS:
        direction = "Client" if "Client" in union else "Server"
        for key in ("anyOf", "oneOf"):
            for member in schemas.get(union, {}).get(key) or []:
                if "$ref" in member:
                    add(direction, member["$ref"].rsplit("/", 1)[-1])
    clash = types["Client"] & types["Server"]
    if clash:
        raise SystemExit(f"types in both directions: {sorted(clash)}")
    return {
        "client": sorted(types["Client"]),
        "server": sorted(types["Server"]),
        "schemas": {t: sorted(s) for t, s in sorted(where.items())},
    }


def differences(pinned: dict[str, Any]) -> list[str]:
    """Return how ``core.event_types`` differs from the pinned spec types (empty: equal)."""
    sys.path.insert(0, str(ROOT))
    from validator.core.event_types import BETA_ONLY_NAMES, CLIENT_EVENT_TYPES, SERVER_EVENT_TYPES

    problems = []
    for side, ours, theirs in (
        ("client", set(CLIENT_EVENT_TYPES), set(pinned["client"])),
        ("server", set(SERVER_EVENT_TYPES) - BETA_ONLY_NAMES, set(pinned["server"])),
    ):
        problems += [f"{side} type {t!r} is in the spec, not in the table" for t in theirs - ours]
        problems += [f"{side} type {t!r} is in the table, not in the spec" for t in ours - theirs]
    spec_types = set(pinned["client"]) | set(pinned["server"])
    problems += [
        f"beta name {t!r} is in the spec now: drop it from BETA_ONLY_NAMES"
        for t in BETA_ONLY_NAMES & spec_types
    ]
    return sorted(problems)


def main(argv: list[str] | None = None) -> int:
    """Run ``check`` or ``pin``; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command")
    pin = sub.add_parser("pin", help="read a spec file and write the pinned copy")
    pin.add_argument("spec", type=Path)
    pin.add_argument("--commit", required=True)
    pin.add_argument("--commit-date", required=True)
    args = parser.parse_args(argv)
    if args.command == "pin":
        import yaml

        with args.spec.open("rb") as stream:
            spec = yaml.load(stream, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        pinned = {
            "source": "openai/openai-openapi",
            "commit": args.commit,
            "commit_date": args.commit_date,
            "file": args.spec.name,
            **extract(spec),
        }
        PINNED.write_text(json.dumps(pinned, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {PINNED}: {len(pinned['client'])} client, {len(pinned['server'])} server")
    pinned = json.loads(PINNED.read_text(encoding="utf-8"))
    problems = differences(pinned)
    for problem in problems:
        print(problem)
    if not problems:
        print(f"validator/event_types.py matches the spec at {pinned['commit'][:12]}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
