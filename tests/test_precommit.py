"""The pre-commit hook: the manifest, a real ``pre-commit try-repo`` run on a tiny repo, and
the README's configuration run by ``pre-commit run``.

Both runs share one PRE_COMMIT_HOME, so pre-commit builds the hook's environment once (a pip
install of this repository, offline from whatever index pip is given): about a minute.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from validator.sources.sniff import NOT_A_CAPTURE_HINT

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = ROOT / ".pre-commit-hooks.yaml"
README = ROOT / "README.md"
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


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """Return a committed copy of this repository and the environment that runs pre-commit
    with one cache for the whole module (the hook is installed once)."""
    pytest.importorskip("pre_commit")
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    base = tmp_path_factory.mktemp("pre-commit")
    repo = hook_repository(base / "hook")
    env = {**os.environ, "PRE_COMMIT_HOME": str(base / "cache"), "PRE_COMMIT_COLOR": "never"}
    env.pop("PRE_COMMIT_ALLOW_NO_CONFIG", None)
    return repo, env


def test_try_repo(tmp_path: Path, hook_repo: tuple[Path, dict[str, str]]) -> None:
    repo, env = hook_repo
    project = tmp_path / "project"
    project.mkdir()
    # JSONL has no identify tag: a finding in it shows that the hook's `files` passes it
    (project / "valid.json").write_text(VALID, encoding="utf-8")
    (project / "invalid.jsonl").write_text(INVALID, encoding="utf-8")
    (project / "notes.txt").write_text("not an event\n", encoding="utf-8")
    for step in (("init", "-q"), ("add", "-A")):
        assert run(*GIT, *step, cwd=project).returncode == 0
    command = (sys.executable, "-m", "pre_commit", "try-repo", str(repo), HOOK_ID, "--all-files")

    failing = run(*command, cwd=project, env=env)
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert (
        "invalid.jsonl:1:73: RT301 [*] audio is not valid base64: '-' at index 3" in failing.stdout
    )
    assert "notes.txt" not in failing.stdout  # it would be "not a capture" had it been passed

    assert run(*GIT, "rm", "-q", "-f", "invalid.jsonl", cwd=project).returncode == 0
    passing = run(*command, cwd=project, env=env)
    assert passing.returncode == 0, passing.stdout + passing.stderr
    assert re.search(r"^realtime-validator\.+Passed$", passing.stdout, re.MULTILINE)


NOT_CAPTURES = {
    "fixtures/README.md": b"# Fixtures\n\nEvents the tests send.\n\n- valid\n- invalid\n",
    "fixtures/make.py": b'"""Write the fixtures."""\n\nimport json\n\n\ndef main():\n    pass\n',
    "fixtures/logo.png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
}


def readme_config() -> dict[str, Any]:
    """Return the README's .pre-commit-config.yaml, parsed."""
    yaml = pytest.importorskip("yaml")
    blocks = re.findall(r"```yaml\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    (block,) = [b for b in blocks if "repos:" in b]
    config: dict[str, Any] = yaml.safe_load(block)
    return config


def test_readme_config_passes_captures_only(
    tmp_path: Path, hook_repo: tuple[Path, dict[str, str]]
) -> None:
    """The README's `files:` keeps to capture suffixes under fixtures/; a wider pattern hands
    the hook a README, a script and an image: each is one finding, never a line-by-line RT101."""
    yaml = pytest.importorskip("yaml")
    repo, env = hook_repo
    config = readme_config()
    (hook,) = config["repos"][0]["hooks"]
    assert hook["id"] == HOOK_ID
    rev = run("git", "rev-parse", "HEAD", cwd=repo).stdout.strip()
    config["repos"][0].update(repo=str(repo), rev=rev)
    project = tmp_path / "project"
    (project / "fixtures").mkdir(parents=True)
    (project / "fixtures" / "session.jsonl").write_text(VALID + INVALID, encoding="utf-8")
    (project / "fixtures" / "event.json").write_text(VALID, encoding="utf-8")
    (project / "notes.md").write_text("# Notes\n", encoding="utf-8")
    for name, data in NOT_CAPTURES.items():
        (project / name).write_bytes(data)
    command = (sys.executable, "-m", "pre_commit", "run", "--all-files")

    def pre_commit_run(files: str) -> str:
        hook["files"] = files
        (project / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
        assert run(*GIT, "add", "-A", cwd=project).returncode == 0
        done = run(*command, cwd=project, env=env)
        assert done.returncode == 1, done.stdout + done.stderr
        assert "fixtures/session.jsonl:2:73: RT301 [*] audio is not valid base64" in done.stdout
        return done.stdout

    assert run(*GIT, "init", "-q", cwd=project).returncode == 0
    narrowed = pre_commit_run(readme_config()["repos"][0]["hooks"][0]["files"])
    assert not [name for name in [*NOT_CAPTURES, "notes.md"] if name in narrowed], narrowed

    widened = pre_commit_run("^fixtures/")  # what the README said before: every file there
    assert "fix the syntax" not in widened
    for name in NOT_CAPTURES:
        lines = [line for line in widened.splitlines() if line.startswith(f"{name}:")]
        assert len(lines) == 1, widened
        assert lines[0].startswith(f"{name}:1:1: RT101 not a capture: "), lines
        assert lines[0].endswith(NOT_A_CAPTURE_HINT), lines
