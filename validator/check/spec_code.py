"""fastjsonschema's code for a generated client event schema, written once at build time.

Compiling GA ``session.update`` takes fastjsonschema about 0.2-0.3 s (code generation, then
Python compiling the half megabyte it writes), which a linter that meets one refused update
would pay at every start. ``setup.py`` writes this module's ``module_source`` of each schema
into the wheel (``validator/check/_compiled/``), where pip byte-compiles it at install; an
editable install or a checkout has none and compiles at first use (``check.spec``). This
module stands alone (``json``, ``hashlib`` and fastjsonschema, nothing of the package), so
that the build can load it by its path without importing the package's dependencies.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

ANNOTATIONS = ("title", "description", "examples", "default", "$comment")


def without_annotations(node: Any) -> Any:
    """Return a schema without the keys that do not validate: half the code to compile."""
    if isinstance(node, dict):
        return {
            key: (
                {name: without_annotations(sub) for name, sub in value.items()}
                if key in ("properties", "definitions")
                else without_annotations(value)
            )
            for key, value in node.items()
            if key not in ANNOTATIONS
        }
    if isinstance(node, list):
        return [without_annotations(value) for value in node]
    return node


def module_name(api: str, event_type: str) -> str:
    """Return the name of the precompiled module of ``event_type`` in ``api``."""
    return f"{api}__{event_type.replace('.', '_')}"


def text_sha256(text: str) -> str:
    """Return the sha256 of a schema file's text, which its precompiled module records."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def module_source(text: str) -> str:
    """Return the source of a module whose ``validate`` is fastjsonschema's validator of the
    schema file ``text`` (``use_default=False``, ``fast_fail=False``), and which records the
    file's sha256 and fastjsonschema's version, so that a stale one is never used."""
    import json

    import fastjsonschema
    from fastjsonschema.version import VERSION

    schema = without_annotations(json.loads(text))
    code = fastjsonschema.compile_to_code(schema, use_default=False, fast_fail=False)
    first = re.search(r"^def (\w+)\(", code, re.MULTILINE)
    if first is None:
        raise ValueError("fastjsonschema wrote no function")
    return (
        '"""Written by setup.py from a shipped schema (validator/check/spec_code.py)."""\n'
        "# fmt: off\n"
        f"SCHEMA_SHA256 = {text_sha256(text)!r}\n"
        f"FASTJSONSCHEMA = {VERSION!r}\n"
        f"{code}\n"
        f"validate = {first.group(1)}\n"
    )
