"""Every hint to install an extra names what works: the package is on no index, so the hint
is ``pip install '.[extra]'`` in a clone or the git-URL form, with the one repository URL.

Each missing extra is simulated in a process of its own: ``sys.modules[name] = None`` makes
``import name`` raise ImportError and ``importlib.util.find_spec(name)`` return None, as on a
machine without the package.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT

from validator.core.install import REPOSITORY, install_hint


def hint(extra: str) -> str:
    return (
        f"pip install '.[{extra}]' in a clone, or "
        f"pip install 'realtime-validator[{extra}] @ git+{REPOSITORY}'"
    )


def without(modules: list[str], code: str, cwd: Path = ROOT) -> tuple[int, str, str]:
    """Run ``code`` in a fresh interpreter where ``modules`` cannot be imported."""
    prologue = f"import sys\nfor name in {modules!r}:\n    sys.modules[name] = None\n"
    proc = subprocess.run(
        [sys.executable, "-c", prologue + code],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return proc.returncode, proc.stdout, proc.stderr


def command(modules: list[str], *args: str, cwd: Path = ROOT) -> tuple[int, str, str]:
    """Run the command line (``validator.cli.main``) without ``modules``."""
    code = f"from validator.cli.main import main\nmain({list(args)!r})\n"
    return without(modules, code, cwd)


def test_one_repository_url_everywhere() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["urls"]["Repository"] == REPOSITORY
    assert project["urls"]["Homepage"] == REPOSITORY
    assert install_hint("dask") == hint("dask")
    # no hint in the package names an install from an index
    for path in (ROOT / "validator").rglob("*.py"):
        text = path.read_text()
        assert not re.search(r"pip install '?realtime-validator\[[^\]]+\](?! @ git\+)", text), path
        assert "pypi.org" not in text, path


def test_dask_missing(tmp_path: Path) -> None:
    capture = tmp_path / "x.jsonl"
    capture.write_text("{}\n")
    code, _, err = command(["distributed", "dask"], "lint", "--dask", "local", str(capture))
    assert code == 2
    assert f"needs dask: {hint('dask')}" in " ".join(err.split())
    # the library's road to a cluster says the same
    code, _, err = without(
        ["distributed", "dask"],
        "from validator.scale.distributed import connect\nconnect('local')\n",
    )
    assert code == 1 and f"--dask needs dask and distributed: {hint('dask')}" in err


def test_fsspec_missing(tmp_path: Path) -> None:
    capture = tmp_path / "x.jsonl"
    capture.write_text("{}\n")
    code, _, err = command(["fsspec"], "lint", "--isolated", capture.as_uri())
    assert code == 2
    assert f"cannot read {capture.as_uri()}: URLs need fsspec: {hint('dask')}" in err
    code, _, err = command(["fsspec"], "lint", "--isolated", "s3://bucket/x.jsonl")
    assert code == 2
    assert f"cannot read s3://bucket/x.jsonl: URLs need fsspec: {hint('s3')}" in err


def test_s3fs_missing() -> None:
    pytest.importorskip("fsspec")
    code, _, err = command(["s3fs"], "lint", "--isolated", "s3://bucket/x.jsonl")
    assert code == 2
    assert f"cannot read s3://bucket/x.jsonl: s3:// needs s3fs: {hint('s3')}" in err


def test_websockets_missing() -> None:
    code, _, err = command(
        ["websockets"], "proxy", "--listen", "127.0.0.1:0", "--upstream", "ws://127.0.0.1:9"
    )
    assert code == 2
    assert (
        "realtime-validator: error: the proxy needs the [proxy] extra (websockets is not "
        f"installed): {hint('proxy')}"
    ) in err


def test_audio_missing_for_a_file_sent_as_samples(tmp_path: Path) -> None:
    event = tmp_path / "flac.json"
    event.write_bytes((FIXTURES / "events" / "invalid" / "RT307" / "speech_flac.json").read_bytes())
    before = event.read_bytes()
    code, _, err = command(
        ["soundfile"], "lint", "--isolated", "--fix", "--unsafe-fixes", str(event)
    )
    assert code == 1 and event.read_bytes() == before
    assert f"needs the [audio] extra: {hint('audio')}" in err


def test_audio_missing_for_a_session_repair(tmp_path: Path) -> None:
    log = tmp_path / "stereo.jsonl"
    log.write_bytes(
        (FIXTURES / "events" / "invalid" / "RT603" / "stereo_dual_mono.jsonl").read_bytes()
    )
    code, _, err = command(
        ["numpy", "soxr"], "lint", "--isolated", "--fix", "--unsafe-fixes", str(log)
    )
    assert code == 1
    assert f"repairing the audio needs the [audio] extra: {hint('audio')}" in err
