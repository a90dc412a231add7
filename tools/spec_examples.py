#!/usr/bin/env python3
"""Write the official spec's example of every Realtime event into ``fixtures/spec/``.

    python tools/spec_examples.py openapi.yaml --commit SHA

Each event schema of openai/openai-openapi ``openapi.yaml``
(``Realtime(Beta|Translation)?(Client|Server)Event*``) carries an example under
``x-oaiMeta.example``; it is written verbatim, one file per schema, ``<Schema>.json``. Linted
alone, each is one session of one event: ``fixtures/spec/expected.jsonl`` holds what the
linter finds in them (``tests/test_spec_examples.py``), and ``fixtures/spec/README.md`` says why
each finding is what the server would answer. Needs pyyaml.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "fixtures" / "spec"
EVENT_SCHEMA = re.compile(r"^Realtime(Beta|Translation)?(Client|Server)Event(.+)$")


def main(argv: list[str] | None = None) -> int:
    """Write one file per example; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("spec", type=Path)
    parser.add_argument("--commit", required=True, help="the spec's commit, for the record")
    args = parser.parse_args(argv)
    import yaml

    with args.spec.open("rb") as stream:
        spec = yaml.load(stream, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("Realtime*.json"):
        old.unlink()
    written = 0
    for name, schema in sorted(spec["components"]["schemas"].items()):
        example = (schema.get("x-oaiMeta") or {}).get("example")
        if EVENT_SCHEMA.match(name) and isinstance(example, str):
            (OUT / f"{name}.json").write_text(example.rstrip("\n") + "\n", encoding="utf-8")
            written += 1
    print(f"wrote {written} examples of openai/openai-openapi {args.commit} to {OUT}")
    print("record the commit in fixtures/spec/README.md, and regenerate expected.jsonl")
    return 0


if __name__ == "__main__":
    sys.exit(main())
