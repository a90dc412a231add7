"""The benchmark corpora (the bench's make_corpus.py, small sizes): every road agrees on them,
--jobs agrees with one process, and every line the generator marks invalid is flagged.

The generator is a verbatim copy in tests/data/bench/ (tests/data/README.md says where from,
and its sha256, which a test holds the copy to); it needs numpy, which `[test]` installs.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, assert_roads_agree
from test_only import lint_parallel

from validator import lint
from validator.core.statistics import Statistics
from validator.engine.linting import lint_stream
from validator.engine.options import Options
from validator.scale import protocol

DATA = ROOT / "tests" / "data"
GENERATOR = DATA / "bench" / "make_corpus.py"
CORPORA = ["mixed.jsonl", "small.jsonl", "big.jsonl", "invalid.jsonl"]


@pytest.fixture(scope="module")
def corpora(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("numpy")
    out = tmp_path_factory.mktemp("corpora")
    sizes = ["--mixed-mb", "2", "--small-mb", "0.5", "--big-count", "2"]
    subprocess.run([sys.executable, str(GENERATOR), "--out", str(out), *sizes], check=True)
    return out


@pytest.mark.parametrize("name", CORPORA)
def test_every_road_gives_the_same_findings(corpora: Path, name: str) -> None:
    assert_roads_agree((corpora / name).read_bytes())


@pytest.mark.parametrize("name", ["mixed.jsonl", "invalid.jsonl"])
def test_jobs_gives_the_same_findings(
    corpora: Path, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(protocol, "_CHUNK_BYTES", 64 * 1024)  # many chunks, lines across edges
    path = str(corpora / name)
    outcomes = []
    for jobs in (1, 2):
        stats = Statistics()
        if jobs == 1:
            with open(path, "rb") as stream:
                found = list(lint_stream(stream, path, Options(), stats))
        else:
            found = list(lint_parallel(path, Options(), stats, path, jobs))
        counts = stats.to_dict()
        counts.pop("seconds")
        outcomes.append((found, counts))
    assert outcomes[0] == outcomes[1]


def test_every_line_marked_invalid_is_flagged(corpora: Path) -> None:
    expected = json.loads((corpora / "invalid.expected.json").read_text())
    result = lint(str(corpora / "invalid.jsonl"))
    flagged = {v.line - 1 for v in result}  # the generator counts lines from 0
    assert set(expected["invalid_lines"]) <= flagged


def test_the_generator_is_the_bench_s_own() -> None:
    """The copy is byte for byte the one whose sha256 tests/data/README.md records."""
    (recorded,) = re.findall(
        r"`bench/make_corpus\.py`.*?sha256 `([0-9a-f]{64})`", (DATA / "README.md").read_text()
    )
    assert hashlib.sha256(GENERATOR.read_bytes()).hexdigest() == recorded
