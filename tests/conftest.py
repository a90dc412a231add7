"""Shared paths and helpers for the tests."""

from __future__ import annotations

import base64
import io
from collections.abc import Iterable
from pathlib import Path
from unittest import mock

import pytest

from validator.lint import Options, Statistics, lint_records, lint_stream
from validator.sources.base import DEFAULT_MAX_RECORD_BYTES
from validator.sources.jsonl import read_jsonl
from validator.violation import Violation

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
SHARED = ROOT.parent / "shared"


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
        (v.rule, v.message, v.line, v.column, v.pointer, v.event_id, v.event_type) for v in found
    ], out


def roads(data: bytes, max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES) -> dict[str, Outcome]:
    """Return the findings and statistics of JSONL ``data`` by every road, by road name.

    slow: every record parsed (the twin); records: the fast road one record at a time (other
    sources); blocks: JSONL scanned a block at a time; small blocks: the same with blocks of
    61 bytes, so that most lines are finished by readline.
    """
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
    return results


def assert_roads_agree(data: bytes, max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES) -> None:
    """Assert that every road gives the slow road's findings, locations and statistics."""
    results = roads(data, max_record_bytes)
    slow = results.pop("slow")
    for name, outcome in results.items():
        assert outcome == slow, name
