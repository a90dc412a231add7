"""Shared paths and helpers for the tests."""

from __future__ import annotations

import base64
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

from validator.core.record import DEFAULT_MAX_RECORD_BYTES
from validator.core.statistics import Statistics
from validator.core.violation import Violation
from validator.engine.linting import lint_records, lint_stream
from validator.engine.options import Options
from validator.sources.jsonl import read_jsonl

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"


# Run as ``python -c LAUNCHER PEAK_FILE COMMAND...``: forks COMMAND, writes its peak RSS (KiB
# on Linux) to PEAK_FILE, exits with its code. A grandchild, not a child of pytest: Linux
# counts into a process's peak the memory it had between fork and exec, which for a child of
# the test process is the whole pytest process (hundreds of MB after the fuzzing tests).
LAUNCHER = """
import os, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as report:
    report.write(str(usage.ru_maxrss))
os._exit(os.waitstatus_to_exitcode(status))
"""


def b64(data: bytes) -> str:
    """Return standard base64 text of ``data``."""
    return base64.b64encode(data).decode("ascii")


@pytest.fixture
def root() -> Path:
    """The repository root."""
    return ROOT


Outcome = tuple[list[tuple[object, ...]], dict[str, object]]


def _outcome(found: Iterable[Violation], stats: Statistics) -> Outcome:
    out = stats.to_dict()
    out.pop("seconds")
    return [
        (v.rule, v.message, v.line, v.column, v.pointer, v.event_id, v.event_type, v.severity)
        for v in found
    ], out


def roads(data: bytes, max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES) -> dict[str, Outcome]:
    """Return the findings and statistics of JSONL ``data`` by every road, by road name.

    slow: every record parsed (the twin); records: the fast road one record at a time (other
    sources); blocks: JSONL scanned a block at a time; small blocks: the same with blocks of
    61 bytes, so that most lines are finished by readline; lines as text: the slow road's
    lines decoded out of the block; file, small blocks: from a file on disk, where a long line
    grows the block to its own length.
    """
    from validator.engine import driver as linter
    from validator.sources import jsonl

    results = {}
    for name, fast in (("slow", False), ("records", True)):
        stats = Statistics()
        options = Options(fast=fast, max_record_bytes=max_record_bytes)
        records = read_jsonl(io.BytesIO(data), max_record_bytes)
        results[name] = _outcome(list(lint_records(records, options, stats, "x")), stats)
    for name, block in (("blocks", jsonl._BLOCK), ("small blocks", 61)):
        stats = Statistics()
        options = Options(max_record_bytes=max_record_bytes)
        with mock.patch.object(jsonl, "_BLOCK", block):
            found = list(lint_stream(io.BytesIO(data), "x.jsonl", options, stats))
        results[name] = _outcome(found, stats)
    # the slow road's lines decoded straight out of the block as text (long lines do that)
    stats = Statistics()
    with mock.patch.object(linter, "_DECODED_BYTES", 1):
        options = Options(max_record_bytes=max_record_bytes)
        found = list(lint_stream(io.BytesIO(data), "x.jsonl", options, stats))
    results["lines as text"] = _outcome(found, stats)
    # a file on disk: a line longer than the block grows it to the line's length, read ahead
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "x.jsonl")
        with open(path, "wb") as f:
            f.write(data)
        stats = Statistics()
        options = Options(max_record_bytes=max_record_bytes)
        with mock.patch.object(jsonl, "_BLOCK", 61), open(path, "rb") as stream:
            found = list(lint_stream(stream, "x.jsonl", options, stats))
        results["file, small blocks"] = _outcome(found, stats)
    return results


def assert_roads_agree(data: bytes, max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES) -> None:
    """Assert that every road gives the slow road's findings, locations and statistics."""
    results = roads(data, max_record_bytes)
    slow = results.pop("slow")
    for name, outcome in results.items():
        assert outcome == slow, name


def capture_bytes(path: Path) -> bytes:
    """Return a capture fixture's JSONL bytes, inflated where it is gzip-compressed."""
    import gzip

    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


def deep_state(value: object) -> object:
    """Return ``value`` with every object that has slots turned into a dict of them, deeply:
    two states compared by value, not by the identity of the objects that hold them."""
    if isinstance(value, (list, tuple)):
        return [deep_state(v) for v in value]
    if isinstance(value, dict):
        return {k: deep_state(v) for k, v in value.items()}
    if isinstance(value, (set, frozenset)):
        return value
    slots = [n for cls in type(value).__mro__ for n in getattr(cls, "__slots__", ())]
    if slots and not hasattr(value, "__dataclass_fields__"):
        return {n: deep_state(getattr(value, n)) for n in slots if hasattr(value, n)}
    return value


def pointers(value: Any, pointer: str = "") -> list[tuple[str, Any]]:
    """Return (JSON pointer, value) of ``value`` and of everything inside it."""
    out = [(pointer, value)]
    if isinstance(value, dict):
        for key, child in value.items():
            out += pointers(child, f"{pointer}/{key.replace('~', '~0').replace('/', '~1')}")
    elif isinstance(value, list):
        for index, child in enumerate(value):
            out += pointers(child, f"{pointer}/{index}")
    return out


def value_paths(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Yield the path (keys and indexes) of every value in ``node``, itself first."""
    yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from value_paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from value_paths(value, (*path, index))


def modules_after_lint(args: list[str], names: Iterable[str]) -> list[str]:
    """Run ``realtime-validator ARGS`` in a fresh interpreter and return, sorted, the modules
    then loaded that are one of ``names`` or inside one of them."""
    script = (
        "import json, sys\n"
        "from validator.cli.main import main\n"
        "try:\n"
        "    main(sys.argv[2:])\n"
        "except SystemExit:\n"
        "    pass\n"
        "names = set(sys.argv[1].split(','))\n"
        "loaded = (m for m in sys.modules if m in names or m.split('.')[0] in names)\n"
        "print(json.dumps(sorted(loaded)))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script, ",".join(names), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.stdout, proc.stderr
    found: list[str] = json.loads(proc.stdout.splitlines()[-1])
    return found


def _command() -> list[str]:
    """The installed ``realtime-validator`` command: beside this interpreter (a venv's), else on
    PATH, else ``python -m validator``."""
    beside = Path(sys.executable).with_name("realtime-validator")
    if beside.is_file():
        return [str(beside)]
    found = shutil.which("realtime-validator")
    return [found] if found else [sys.executable, "-m", "validator"]


COMMAND = _command()
"""What the tests run as the installed command, its arguments after it."""
