"""Faults: inputs that cannot be read and outputs that cannot be written.

Each fault must end the run with exit 2 and a one-line message naming the input (or output),
the other inputs must still be linted (their findings printed), and no partial report may be
passed off as complete. Run through the installed command (a real process, real stdout) and
through ``CliRunner`` or ``validator.cli.run`` where a fault has to be staged in-process.
"""

from __future__ import annotations

import errno
import io
import json
import os
import stat
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import COMMAND

from validator.cli import run as runner
from validator.cli.app import cli
from validator.cli.run_settings import RunSettings
from validator.core.statistics import Statistics
from validator.engine.options import Options
from validator.report import REPORTER_BY_NAME
from validator.sources import walk as walk_module
from validator.sources.inputs import LocalFile
from validator.sources.walk import walk_sized

BAD = '{"type":"input_audio_buffer.append","event_id":"evt_2","audio":"AA-A"}\n'
FINDING = ":1:67: RT301 "
ROOT_USER = hasattr(os, "geteuid") and os.geteuid() == 0
DEV_FULL = Path("/dev/full")


Runner = Callable[..., tuple[int, str, str]]


def process(
    *args: str | Path, cwd: Path | None = None, stdout: int | None = None
) -> tuple[int, str, str]:
    """Run the installed command; return exit code, stdout and stderr."""
    proc = subprocess.run(
        [*COMMAND, "lint", "--isolated", *map(str, args)],
        stdout=stdout if stdout is not None else subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=cwd,
        timeout=60,
    )
    return proc.returncode, proc.stdout or "", proc.stderr


def invoke(*args: str | Path) -> tuple[int, str, str]:
    """Run the command in-process through CliRunner; an exception other than exit fails."""
    result = CliRunner().invoke(cli, ["lint", "--isolated", *map(str, args)])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def errors(err: str) -> list[str]:
    """Return the error lines of stderr (the summary line is not one)."""
    assert "Traceback" not in err
    return [line for line in err.splitlines() if line.startswith("realtime-validator: error:")]


def assert_fault(result: tuple[int, str, str], *names: str, linted: Path | None = None) -> None:
    """Exit 2, one error line per name naming it, and the good input's finding printed."""
    code, out, err = result
    assert code == 2, err
    lines = errors(err)
    assert len(lines) == len(names), err
    for line, name in zip(lines, names, strict=True):
        assert name in line, (name, line)
    if linted is not None:
        assert f"{linted}{FINDING}" in out
    # the summary line still ends standard error
    assert err.splitlines()[-1].startswith("Checked ")


@pytest.fixture
def good(tmp_path: Path) -> Path:
    """An input that can be read, with one finding."""
    path = tmp_path / "good.jsonl"
    path.write_text(BAD)
    return path


@pytest.fixture(params=["process", "clirunner"])
def run(request: pytest.FixtureRequest) -> Runner:
    """Both ways of running the command."""
    return process if request.param == "process" else invoke


# -- inputs that cannot be read ----------------------------------------------------------------


def test_missing_file(run: Runner, tmp_path: Path, good: Path) -> None:
    missing = tmp_path / "missing.jsonl"
    result = run(missing, good)
    assert_fault(result, f"cannot read {missing}: No such file or directory", linted=good)


def test_path_whose_parent_is_a_file(run: Runner, good: Path) -> None:
    """ENOTDIR: unreadable even as root, where permissions do not bite."""
    inside = good / "inner.jsonl"
    result = run(inside, good)
    assert_fault(result, f"cannot read {inside}: Not a directory", linted=good)


@pytest.mark.skipif(ROOT_USER, reason="as root a directory without read permission is readable")
def test_directory_without_read_permission(tmp_path: Path, good: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "x.jsonl").write_text(BAD)
    locked.chmod(0)
    try:
        assert_fault(process(locked, good), str(locked), linted=good)
    finally:
        locked.chmod(stat.S_IRWXU)


def test_unlistable_directory_in_a_walk(
    tmp_path: Path, good: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A subdirectory that cannot be listed (staged: as root, permissions do not bite)."""
    tree = tmp_path / "tree"
    (tree / "locked").mkdir(parents=True)
    (tree / "locked" / "x.jsonl").write_text(BAD)
    (tree / "ok.jsonl").write_text(BAD)
    scandir = os.scandir

    def refusing(path: str | os.PathLike[str] = ".") -> object:
        if os.fspath(path).endswith("locked"):
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))
        return scandir(path)

    monkeypatch.setattr(os, "scandir", refusing)
    assert_fault(invoke(tree), str(tree / "locked"), linted=tree / "ok.jsonl")


def test_symlink_loop_passed_directly(run: Runner, tmp_path: Path, good: Path) -> None:
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    a.symlink_to(b)
    b.symlink_to(a)
    result = run(a, good)
    assert_fault(result, f"cannot read {a}: Too many levels of symbolic links", linted=good)


def test_symlink_loop_inside_a_walked_directory(run: Runner, tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "a.jsonl").symlink_to(tree / "b.jsonl")
    (tree / "b.jsonl").symlink_to(tree / "a.jsonl")
    (tree / "loop").symlink_to(tree, target_is_directory=True)  # not followed: no endless walk
    (tree / "c.jsonl").write_text(BAD)
    result = run(tree)
    assert_fault(result, str(tree / "a.jsonl"), str(tree / "b.jsonl"), linted=tree / "c.jsonl")


def _settings(*paths: Path) -> RunSettings:
    return RunSettings(paths=tuple(map(str, paths)), options=Options())


@pytest.mark.parametrize("jobs", [1, 2])
def test_file_that_vanishes_between_walk_and_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    for name in ("a.jsonl", "b.jsonl", "c.jsonl"):
        (tree / name).write_text(BAD)
    victim = str(tree / "b.jsonl")
    walk = walk_sized

    def walk_then_delete(paths: tuple[str, ...], *more: Any) -> Iterator[tuple[str, int | None]]:
        for path, size in walk(paths, *more):  # listed; b vanishes before it is read
            if path == victim:
                os.unlink(path)
            yield path, size

    monkeypatch.setattr(walk_module, "walk_sized", walk_then_delete)
    stats = Statistics()
    err = io.StringIO()
    found = list(runner.findings(_settings(tree)._replace(jobs=jobs), stats, err))
    assert [(v.source, v.rule) for v in found] == [
        (str(tree / "a.jsonl"), "RT301"),
        (str(tree / "c.jsonl"), "RT301"),
    ]
    assert stats.unreadable == [victim]
    assert err.getvalue() == (
        f"realtime-validator: error: cannot read {victim}: No such file or directory\n"
    )
    (tree / "b.jsonl").write_text(BAD)
    assert_fault(invoke(tree), victim, linted=tree / "a.jsonl")


class _FailingRead(io.RawIOBase):
    """A file that gives ``good`` bytes, then fails as a disk or a network share can (EIO)."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self.pos >= len(self.data):
            raise OSError(errno.EIO, "Input/output error")
        n = min(len(buffer), len(self.data) - self.pos)
        buffer[:n] = self.data[self.pos : self.pos + n]
        self.pos += n
        return n


def _open_failing(victim: str) -> Callable[[LocalFile], object]:
    real_open = LocalFile.open

    def failing_open(inp: LocalFile) -> object:
        if inp.path == victim:
            # two whole lines, then part of a third, then the read fails
            return io.BufferedReader(_FailingRead((BAD * 2 + BAD[:20]).encode()))
        return real_open(inp)

    return failing_open


@pytest.mark.parametrize("jobs", [1, 2])  # read here, or whole in a worker
def test_file_truncated_while_being_read(
    tmp_path: Path, good: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    victim = tmp_path / "victim.jsonl"
    victim.write_text(BAD * 5)
    monkeypatch.setattr(LocalFile, "open", _open_failing(str(victim)))
    stats = Statistics()
    err = io.StringIO()
    found = list(runner.findings(_settings(victim, good)._replace(jobs=jobs), stats, err))
    # what was read is reported, the rest is not guessed at, and the other input is linted
    assert [(v.source, v.line, v.rule) for v in found] == [
        (str(victim), 1, "RT301"),
        (str(victim), 2, "RT402"),  # the same event_id again
        (str(victim), 2, "RT301"),
        (str(good), 1, "RT301"),
    ]
    assert stats.unreadable == [str(victim)]
    assert err.getvalue() == (
        f"realtime-validator: error: cannot read {victim}: Input/output error\n"
    )
    assert_fault(invoke(victim, good), str(victim), linted=good)
    # the machine-readable report says which input is incomplete
    code, out, _ = invoke("--format", "json", victim, good)
    assert code == 2
    assert json.loads(out)["statistics"]["unreadable"] == [str(victim)]


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        (
            "truncated.jsonl.gz",
            b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03",
            "Compressed file ended",
        ),
        ("corrupt.jsonl.gz", b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03garbage!", "corrupt"),
    ],
)
def test_broken_gzip(
    run: Runner, tmp_path: Path, good: Path, name: str, data: bytes, reason: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    result = run(path, good)
    assert_fault(result, f"cannot read {path}: ", linted=good)
    assert reason in errors(result[2])[0]


# -- outputs that cannot be written ----------------------------------------------------------


def _no_temp_files(directory: Path) -> None:
    assert not [p.name for p in directory.iterdir() if p.name.startswith(".realtime-validator-")]


@pytest.mark.skipif(not DEV_FULL.exists(), reason="no /dev/full")
@pytest.mark.parametrize("entry", ["validator.cli.main", "validator.cli.app"])
def test_working_directory_removed_under_the_run(tmp_path: Path, good: Path, entry: str) -> None:
    """No configuration can be searched for from a removed directory; absolute paths are
    still linted, relative ones cannot be read: findings and errors, never a traceback."""
    gone = tmp_path / "gone"
    gone.mkdir()
    program = f"import sys; from {entry} import main; main(sys.argv[1:])"
    proc = subprocess.run(
        ["sh", "-c", 'cd "$1" && rmdir "$1" && shift && exec "$@"', "sh", str(gone),
         sys.executable, "-c", program, "lint", str(good), "relative.jsonl"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 2, proc.stderr
    assert f"{good}{FINDING}" in proc.stdout
    assert errors(proc.stderr) == [
        "realtime-validator: error: cannot read relative.jsonl: No such file or directory"
    ]


def test_output_to_dev_full(run: Runner, good: Path) -> None:
    """--output /dev/full: written in place, never replaced by a renamed temporary file."""
    code, out, err = run("--output", DEV_FULL, good)
    assert code == 2
    assert errors(err) == [
        "realtime-validator: error: cannot write /dev/full: No space left on device"
    ]
    assert out == ""
    assert stat.S_ISCHR(DEV_FULL.stat().st_mode), "/dev/full must still be the device"
    _no_temp_files(Path("/dev"))


@pytest.mark.skipif(not DEV_FULL.exists(), reason="no /dev/full")
@pytest.mark.parametrize("output_format", ["text", "json", "sarif"])
def test_stdout_to_dev_full(tmp_path: Path, good: Path, output_format: str) -> None:
    missing = tmp_path / "missing.jsonl"
    with DEV_FULL.open("w") as full:
        code, _, err = process("--format", output_format, missing, good, stdout=full.fileno())
    assert code == 2
    assert errors(err) == [
        f"realtime-validator: error: cannot read {missing}: No such file or directory",
        "realtime-validator: error: cannot write standard output: No space left on device",
    ]


@pytest.mark.skipif(not DEV_FULL.exists(), reason="no /dev/full")
@pytest.mark.parametrize(
    ("inputs", "stdout_full", "code"),
    [
        (("missing",), False, 2),  # the error line is lost; the exit code still says so
        (("clean",), False, 0),  # the summary is lost; that is no reason to fail
        (("bad",), True, 2),
    ],
)
def test_stderr_to_dev_full(
    tmp_path: Path, inputs: tuple[str, ...], stdout_full: bool, code: int
) -> None:
    files = {
        "missing": tmp_path / "missing.jsonl",
        "clean": tmp_path / "clean.jsonl",
        "bad": tmp_path / "bad.jsonl",
    }
    files["clean"].write_text('{"type":"input_audio_buffer.clear"}\n')
    files["bad"].write_text(BAD)
    with DEV_FULL.open("w") as full:
        proc = subprocess.run(
            [*COMMAND, "lint", "--isolated", *(str(files[name]) for name in inputs)],
            stdout=full if stdout_full else subprocess.DEVNULL,
            stderr=full,
            timeout=60,
        )
    assert proc.returncode == code


def test_output_in_a_missing_directory(run: Runner, tmp_path: Path, good: Path) -> None:
    target = tmp_path / "no" / "such" / "report.txt"
    code, out, err = run("--output", target, good)
    assert code == 2 and out == ""
    assert errors(err) == [
        f"realtime-validator: error: cannot write {target}: No such file or directory"
    ]


def test_output_whose_parent_is_a_file(run: Runner, good: Path) -> None:
    target = good / "report.txt"
    code, out, err = run("--output", target, good)
    assert code == 2 and out == ""
    assert errors(err) == [f"realtime-validator: error: cannot write {target}: Not a directory"]


@pytest.mark.skipif(ROOT_USER, reason="as root a read-only directory is writable")
def test_output_in_a_read_only_directory(tmp_path: Path, good: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        code, _, err = process("--output", locked / "report.txt", good)
        assert code == 2
        assert errors(err) == [
            f"realtime-validator: error: cannot write {locked / 'report.txt'}: Permission denied"
        ]
    finally:
        locked.chmod(stat.S_IRWXU)


def test_disk_full_while_writing_keeps_the_previous_report(
    tmp_path: Path, good: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A write that fails half-way leaves the old report whole and no temporary file."""
    target = tmp_path / "report.txt"
    target.write_text("previous report\n")
    reporter_class = REPORTER_BY_NAME["text"]

    class FullDisk(reporter_class):  # type: ignore[misc, valid-type]
        def report(self, violation: object) -> None:
            super().report(violation)
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(runner, "REPORTER_BY_NAME", {**REPORTER_BY_NAME, "text": FullDisk})
    code, out, err = invoke("--output", target, good)
    assert code == 2 and out == ""
    assert errors(err) == [
        f"realtime-validator: error: cannot write {target}: No space left on device"
    ]
    assert target.read_text() == "previous report\n"
    _no_temp_files(tmp_path)


def test_output_through_a_symlink_updates_the_file(tmp_path: Path, good: Path) -> None:
    real = tmp_path / "real.txt"
    real.write_text("old\n")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    code, _, _ = process("--output", link, good)
    assert code == 1
    assert link.is_symlink()
    assert real.read_text().startswith(f"{good}{FINDING}")
    _no_temp_files(tmp_path)


# -- what the linter never does: touch the network, run code from its input -------------------

PACKAGE = Path(__file__).resolve().parent.parent / "validator"
FORBIDDEN_MODULES = {
    "socket",
    "ssl",
    "http",
    "urllib.request",
    "requests",
    "ftplib",
    "smtplib",
    "subprocess",
    "pickle",
    "marshal",
    "shelve",
    "ctypes",
}
FORBIDDEN_CALLS = {"eval", "exec", "compile", "__import__", "system", "popen", "execv"}


def test_the_package_imports_no_network_and_runs_no_code() -> None:
    """No network or process module, no eval/exec, anywhere in validator/ (fastjsonschema's
    compiler is the one code generator, and it is fed only the package's own schemas)."""
    import ast

    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            for name in names:
                if name in FORBIDDEN_MODULES or name.split(".")[0] in FORBIDDEN_MODULES:
                    found.append(f"{path.name}:{getattr(node, 'lineno', 0)} imports {name}")
            if isinstance(node, ast.Call):
                func = node.func
                called = func.id if isinstance(func, ast.Name) else None
                if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
                    called = func.attr if func.value.id == "os" else None
                if called in FORBIDDEN_CALLS:
                    found.append(f"{path.name}:{node.lineno} calls {called}")
    assert found == []


def test_lint_with_the_network_cut(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every fixture, every output format, with sockets refused: nothing changes."""
    import socket

    def refused(*args: object, **kwargs: object) -> None:
        raise AssertionError("the linter opened a socket")

    monkeypatch.setattr(socket, "socket", refused)
    monkeypatch.setattr(socket, "create_connection", refused)
    monkeypatch.setattr(socket, "getaddrinfo", refused)
    fixtures = PACKAGE.parent / "fixtures"
    for output_format in ("text", "json", "sarif", "github", "junit"):
        code, out, _ = invoke("--format", output_format, fixtures)
        assert code == 1 and out


def test_schemas_are_compiled_only_from_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    """An event's "$schema" or "$ref" is a property like any other, never a schema to load."""
    import fastjsonschema

    import validator
    from validator.check.schema import compiled, structural_schema

    seen: list[object] = []
    real_compile = fastjsonschema.compile

    def recording(definition: object, *args: object, **kwargs: object) -> object:
        seen.append(definition)
        return real_compile(definition, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(fastjsonschema, "compile", recording)
    compiled.cache_clear()
    try:
        event = {
            "type": "input_audio_buffer.append",
            "audio": "AAAA",
            "$schema": "http://example.invalid/schema",
            "$ref": "http://example.invalid/ref",
        }
        rules = [v.rule for v in validator.validate_event(event)]
        translation = dict(event, type="session.input_audio_buffer.append")
        rules += [v.rule for v in validator.validate_event(translation)]
    finally:
        compiled.cache_clear()  # the next caller compiles with the real function again
    assert rules.count("RT203") == 4
    assert seen == [
        structural_schema("input_audio_buffer.append"),
        structural_schema("session.input_audio_buffer.append"),
    ]
