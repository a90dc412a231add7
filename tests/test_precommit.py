"""The pre-commit hook: the manifest, and a real ``pre-commit try-repo`` run on a tiny repo."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = ROOT / ".pre-commit-hooks.yaml"
HOOK_ID = "realtime-validator"
VALID = '{"type": "input_audio_buffer.append", "event_id": "evt_1", "audio": "AAABAAIA"}\n'
INVALID = '{"type": "input_audio_buffer.append", "event_id": "evt_2", "audio": "AAA-AAAA"}\n'
GIT = (
    "git",
    "-c",
    "user.name=test",
    "-c",
    "user.email=test@example.com",
    "-c",
    "commit.gpgsign=false",
    "-c",
    "init.defaultBranch=main",
)


def hook() -> dict[str, Any]:
    """Return the hook's manifest entry, validated by pre-commit itself."""
    clientlib = pytest.importorskip("pre_commit.clientlib")
    (entry,) = [h for h in clientlib.load_manifest(str(MANIFEST)) if h["id"] == HOOK_ID]
    result: dict[str, Any] = entry
    return result


def test_manifest() -> None:
    entry = hook()
    assert entry["entry"] == "realtime-validator lint"
    assert entry["language"] == "python"
    assert entry["pass_filenames"] is True


@pytest.mark.parametrize(
    ("name", "passed"),
    [
        ("fixtures/event.json", True),
        ("captures/session.jsonl", True),
        ("captures/session.ndjson", True),
        ("captures/browser.har", True),
        ("captures/session.jsonl.gz", True),
        ("captures/event.json.gz", True),
        ("README.md", False),
        ("captures/session.jsonl.bak", False),
        ("pyproject.toml", False),
        ("schema.json5", False),
    ],
)
def test_files_pattern(name: str, passed: bool) -> None:
    identify = pytest.importorskip("identify.identify")
    entry = hook()
    matched = re.search(entry["files"], name) is not None
    # pre-commit keeps a file only when `files`, `types` and `types_or` all accept it
    tags = identify.tags_from_filename(name) | {"file"}
    typed = set(entry["types"]) <= tags and (not entry["types_or"] or tags & set(entry["types_or"]))
    assert (matched and typed) is passed


def run(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a command and return its completed process (never raising on failure)."""
    return subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False
    )


def hook_repository(destination: Path) -> Path:
    """Copy the working tree (what git would commit) into a fresh repo with one commit."""
    listed = run("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=ROOT)
    if listed.returncode != 0:
        pytest.skip(f"{ROOT} is not a git work tree")
    for name in filter(None, listed.stdout.split("\0")):
        source = ROOT / name
        if source.is_file():
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    # try-repo only sees committed, staged or tracked-modified files, so untracked work in
    # progress would be missing from a try-repo of ROOT itself: commit a copy instead
    for step in (("init", "-q"), ("add", "-A"), ("commit", "-q", "-m", "hook under test")):
        done = run(*GIT, *step, cwd=destination)
        assert done.returncode == 0, done.stderr
    return destination


def test_try_repo(tmp_path: Path) -> None:
    pytest.importorskip("pre_commit")
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = hook_repository(tmp_path / "hook")
    project = tmp_path / "project"
    project.mkdir()
    # JSONL has no identify tag: a finding in it shows that the hook's `files` passes it
    (project / "valid.json").write_text(VALID, encoding="utf-8")
    (project / "invalid.jsonl").write_text(INVALID, encoding="utf-8")
    (project / "notes.txt").write_text("not an event\n", encoding="utf-8")
    for step in (("init", "-q"), ("add", "-A")):
        assert run(*GIT, *step, cwd=project).returncode == 0
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "PRE_COMMIT_COLOR": "never"}
    env.pop("PRE_COMMIT_ALLOW_NO_CONFIG", None)
    command = (sys.executable, "-m", "pre_commit", "try-repo", str(repo), HOOK_ID, "--all-files")

    failing = run(*command, cwd=project, env=env)
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert (
        "invalid.jsonl:1:73: RT301 [*] audio is not valid base64: '-' at index 3" in failing.stdout
    )
    assert "notes.txt" not in failing.stdout  # it would be RT101 had it been passed

    assert run(*GIT, "rm", "-q", "-f", "invalid.jsonl", cwd=project).returncode == 0
    passing = run(*command, cwd=project, env=env)
    assert passing.returncode == 0, passing.stdout + passing.stderr
    assert re.search(r"^realtime-validator\.+Passed$", passing.stdout, re.MULTILINE)
