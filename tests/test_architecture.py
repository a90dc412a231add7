"""The house's layers hold: import-linter's contracts pass, a deliberate bad import breaks one,
and no module imports itself back, through any chain, imports inside functions included."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import grimp
import pytest
from conftest import ROOT

PACKAGES = ("core", "check", "sources", "engine", "scale", "fix", "report", "live", "cli")


def lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    """Run ``lint-imports`` on the ``validator`` package found in ``tree``."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    program = "import sys; from importlinter.cli import lint_imports_command as c; c()"
    return subprocess.run(
        [sys.executable, "-c", program, "--no-cache", str(ROOT / "pyproject.toml")],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="module")
def copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the package, to break."""
    tree = tmp_path_factory.mktemp("house")
    shutil.copytree(ROOT / "validator", tree / "validator")
    return tree


def test_the_contracts_hold() -> None:
    proc = lint_imports(ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 broken" in proc.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        # the engine below the command line: the layers
        ("engine/driver.py", "from ..cli import run", "Layers"),
        # a check that asks the session: the layers, and a check knows one event
        ("check/event.py", "from ..engine import session", "A check knows one event"),
        # a source that judges
        ("sources/jsonl.py", "from ..check import audio", "Sources read, they do not judge"),
        # a reporter that reads the driver
        ("report/text.py", "from ..engine import linting", "Reporters read findings"),
        # the core with a third-party package in it
        ("core/rules.py", "import pybase64", "The core imports nothing else"),
        # a socket outside scale and the URL input
        ("engine/linting.py", "import socket", "Network modules only"),
        ("sources/walk.py", "import fsspec", "Network modules only"),
        # the live traffic's libraries outside live, and live below the command line
        ("cli/run.py", "import websockets", "The live traffic's libraries only in live"),
        ("scale/pool.py", "import openai", "The live traffic's libraries only in live"),
        ("live/relay.py", "from ..cli import run", "Layers"),
        ("fix/event.py", "from ..live import capture", "Layers"),
    ],
)
def test_a_bad_import_breaks_a_contract(copy: Path, module: str, line: str, contract: str) -> None:
    path = copy / "validator" / module
    before = path.read_text()
    try:
        path.write_text(before + f"\n\ndef _bad() -> None:\n    {line}  # inside a function\n")
        proc = lint_imports(copy)
    finally:
        path.write_text(before)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    broken = [row for row in proc.stdout.splitlines() if row.endswith(" BROKEN")]
    assert any(row.startswith(contract) for row in broken), proc.stdout


def _imported(graph: grimp.ImportGraph, module: str) -> Iterator[str]:
    return iter(sorted(graph.find_modules_directly_imported_by(module)))


def strongly_connected(graph: grimp.ImportGraph) -> list[set[str]]:
    """Return the import circles of the graph: its strongly connected sets of two or more."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[set[str]] = []
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, _imported(graph, root))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append(
                        (child, iter(sorted(graph.find_modules_directly_imported_by(child))))
                    )
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    found = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        found.add(member)
                        if member == node:
                            break
                    if len(found) > 1:
                        circles.append(found)
    return circles


def test_no_import_circle() -> None:
    graph = grimp.build_graph("validator")
    assert strongly_connected(graph) == []


def test_the_circle_finder_finds_a_circle(copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = copy / "validator" / "core" / "violation.py"
    before = path.read_text()
    monkeypatch.syspath_prepend(str(copy))
    try:
        path.write_text(before + "\n\ndef _bad() -> None:\n    from . import statistics\n")
        (copy / "validator" / "core" / "statistics.py").write_text(
            (copy / "validator" / "core" / "statistics.py").read_text()
            + "\n\ndef _back() -> None:\n    from . import violation\n"
        )
        for name in [m for m in sys.modules if m == "validator" or m.startswith("validator.")]:
            monkeypatch.delitem(sys.modules, name)
        graph = grimp.build_graph("validator", cache_dir=None)
        circles = strongly_connected(graph)
    finally:
        path.write_text(before)
        shutil.copy(ROOT / "validator/core/statistics.py", copy / "validator/core/statistics.py")
    assert {"validator.core.violation", "validator.core.statistics"} in circles


def test_each_package_says_its_job() -> None:
    for name in PACKAGES:
        doc = (ROOT / "validator" / name / "__init__.py").read_text()
        assert doc.startswith('"""'), name
    top = {p.name for p in (ROOT / "validator").iterdir() if p.suffix == ".py"}
    assert top == {"__init__.py", "__main__.py"}, "modules outside the role packages"
