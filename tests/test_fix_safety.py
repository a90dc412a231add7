"""``lint --fix`` and ``--diff`` as a hostile user finds them (issue #21), through the
installed command: what is not fixed says why; a gzip bomb is refused before it is held; a
diff is one ``patch`` applies to give the bytes ``--fix`` writes; a URL is linted, never
rewritten; read-only and hard-linked files are refused and owners kept; SIGTERM leaves no
temporary file; a file another process holds open for writing is refused."""

from __future__ import annotations

import base64
import gzip
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import COMMAND, FIXTURES, LAUNCHER

FIXABLE = '{"type":"input_audio_buffer.append","audio":"AA-_AA=="}'  # RT301, 4 bytes


def lint(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*COMMAND, "lint", "--isolated", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )


def errors(proc: subprocess.CompletedProcess[str]) -> list[str]:
    assert "Traceback" not in proc.stderr
    return [line for line in proc.stderr.splitlines() if "error:" in line]


# -- a note on a whole input keeps its reason ----------------------------------------------------


def test_a_corrupt_gzip_says_why_it_was_not_fixed(tmp_path: Path) -> None:
    capture = tmp_path / "capture.jsonl.gz"
    data = bytearray(gzip.compress((FIXABLE + "\n").encode() * 200))
    data[-8:-4] = bytes(4)  # the CRC: every byte inflates, and the stream is still corrupt
    capture.write_bytes(bytes(data))
    proc = lint("--fix", capture)
    assert proc.returncode == 2
    notes = [line for line in proc.stderr.splitlines() if "nothing was fixed" in line]
    assert len(notes) == 1
    assert re.fullmatch(
        rf"realtime-validator: {re.escape(str(capture))}: the gzip data is corrupt "
        r"\(CRC check failed 0x0 != 0x[0-9a-f]+\): nothing was fixed",
        notes[0],
    ), notes
    assert capture.read_bytes() == bytes(data)


def test_an_input_that_is_not_utf8_says_why_it_was_not_fixed(tmp_path: Path) -> None:
    capture = tmp_path / "event.json"
    capture.write_bytes(FIXABLE.encode()[:-1] + b',"x":"\xff"}')
    proc = lint("--fix", capture)
    assert f"realtime-validator: {capture}: it is not UTF-8 (RT102): nothing was fixed" in (
        proc.stderr.splitlines()
    )


# -- a gzip bomb is refused before it is held ------------------------------------------------


def _measured(argv: list[str], folder: Path) -> tuple[subprocess.CompletedProcess[str], int]:
    """Run ``argv``; return what it did and its peak resident memory in bytes (Linux), taken
    by conftest's LAUNCHER: of the command alone, not of the pytest process it forked from."""
    peak = folder / "peak.txt"
    proc = subprocess.run(
        [sys.executable, "-c", LAUNCHER, str(peak), *argv],
        capture_output=True,
        text=True,
        timeout=300,
    )
    return proc, int(peak.read_text()) * 1024


def test_a_gzip_bomb_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    """1.06 GiB of zeros in 1 MB of gzip: counted, not held, and refused; the lint that
    follows streams it as ever. Peak memory of the command: under 150 MB (it took 3.9 GB)."""
    bomb = tmp_path / "bomb.jsonl.gz"
    member = gzip.compress(bytes(64 << 20), mtime=0)  # 64 MiB of zeros, 65 kB
    bomb.write_bytes(member * 17)  # members one after another: one gzip stream, 1.06 GiB
    before = bomb.read_bytes()
    proc, peak = _measured([*COMMAND, "lint", "--isolated", "--fix", str(bomb)], tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert errors(proc) == [
        f"realtime-validator: error: cannot fix {bomb}: it inflates past 1 GiB; fix a "
        "decompressed copy"
    ]
    assert peak < 150 << 20, f"{peak / 2**20:.0f} MB"
    assert bomb.read_bytes() == before
    assert "RT105" in proc.stdout  # linted all the same: one record over the record limit


# -- --diff is a patch: split at \n alone, applied by GNU patch ----------------------------------

LINES = {
    # line separators of Unicode inside strings, a lone CR as JSON whitespace, CRLF endings
    "separators.jsonl": (
        FIXABLE.replace('"audio"', '"event_id":"a\u2028b","audio"') + "\r\n"
        + FIXABLE.replace('"type":', '"type":\r') + "\r\n"
        + '{"type":"input_audio_buffer.append","audio":"AAAA","event_id":"c\u0085d"}\n'
        + FIXABLE + "\n"
    ),
    "no-final-newline.jsonl": FIXABLE + "\n" + FIXABLE,
    "crlf.jsonl": (FIXABLE + "\r\n") * 3 + '{"type":"input_audio_buffer.clear"}\r\n' + FIXABLE,
    "document.json": "[\n  " + FIXABLE.replace('"audio"', '"event_id":"e\u2029f",\r"audio"')
    + ",\n  " + FIXABLE + "\n]",
}  # fmt: skip


def _old_lines_changed(diff: str) -> list[int]:
    """Return the line numbers (before) of the lines a unified diff removes."""
    changed = []
    line = 0
    for row in diff.split("\n"):
        hunk = re.match(r"@@ -(\d+)", row)
        if hunk:
            line = int(hunk.group(1))
        elif row.startswith("-") and not row.startswith("---"):
            changed.append(line)
            line += 1
        elif row.startswith(" "):
            line += 1
    return changed


def _patch(directory: Path, diff: str, *target: str) -> None:
    """Apply ``diff`` in ``directory`` with GNU patch (``apt-get install patch``)."""
    if shutil.which("patch") is None:
        pytest.fail("GNU patch is needed: apt-get install -y patch")
    proc = subprocess.run(
        ["patch", "--batch", "--forward", "-p0", *target],
        input=diff.encode("utf-8", "surrogateescape"),
        cwd=directory,
        capture_output=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("name", [*LINES, "session.jsonl", "session.har", "capture.jsonl.gz"])
def test_patch_applies_the_diff_and_gives_the_bytes_of_fix(tmp_path: Path, name: str) -> None:
    if name in LINES:
        data = LINES[name].encode()
    elif name.endswith(".gz"):
        data = gzip.compress(LINES["separators.jsonl"].encode(), mtime=0)
    else:
        data = (FIXTURES / "fix" / name).read_bytes()
    (tmp_path / "diffed").mkdir()
    (tmp_path / "fixed").mkdir()
    (tmp_path / "diffed" / name).write_bytes(data)
    (tmp_path / "fixed" / name).write_bytes(data)
    diff = subprocess.run(
        [*COMMAND, "lint", "--isolated", "--diff", name],
        capture_output=True,
        cwd=tmp_path / "diffed",
        timeout=120,
    )
    assert diff.returncode == 1, diff.stderr
    text = diff.stdout.decode("utf-8", "surrogateescape")
    assert lint("--fix", name, cwd=tmp_path / "fixed").returncode in (0, 1)
    fixed = (tmp_path / "fixed" / name).read_bytes()
    assert fixed != data
    # the diff's lines are the lines --fix changed, and the lines of their findings
    before, after = (gzip.decompress(d) if name.endswith(".gz") else d for d in (data, fixed))
    pairs = zip(before.split(b"\n"), after.split(b"\n"), strict=True)
    changed = [number for number, (old, new) in enumerate(pairs, 1) if old != new]
    assert _old_lines_changed(text) == changed
    report = lint("--format", "jsonl", name, cwd=tmp_path / "diffed").stdout
    findings = [json.loads(row) for row in report.split("\n") if row]
    assert set(changed) <= {finding["line"] for finding in findings}
    if name in LINES or name.endswith(".gz"):  # each RT301 is fixed, and nothing else is
        assert changed == sorted({f["line"] for f in findings if f["rule"] == "RT301"})
    if name.endswith(".gz"):  # the diff is of the inflated text: patch a decompressed copy
        plain = tmp_path / "diffed" / "plain.jsonl"
        plain.write_bytes(gzip.decompress(data))
        _patch(tmp_path / "diffed", text, "plain.jsonl")
        assert plain.read_bytes() == gzip.decompress(fixed)
    else:
        _patch(tmp_path / "diffed", text)
        assert (tmp_path / "diffed" / name).read_bytes() == fixed


# -- a URL is linted, never rewritten ----------------------------------------------------------


@pytest.mark.parametrize("option", ["--fix", "--diff"])
def test_a_url_input_is_refused_for_fixing_and_still_linted(tmp_path: Path, option: str) -> None:
    pytest.importorskip("fsspec")
    remote = tmp_path / "remote.jsonl"
    local = tmp_path / "local.jsonl"
    for path in (remote, local):
        path.write_text(FIXABLE + "\n")
    url = remote.as_uri()
    proc = lint(option, url, local)
    assert proc.returncode == 2
    assert errors(proc) == [
        f"realtime-validator: error: cannot fix {url}: URL inputs are linted, not rewritten; "
        "fix a local copy"
    ]
    assert remote.read_text() == FIXABLE + "\n"
    if option == "--fix":
        assert local.read_text() == FIXABLE.replace("-_", "+/") + "\n"  # the rest is fixed
        assert f"{url}:1:" in proc.stdout  # and the URL linted
        assert proc.stderr.splitlines()[-1] == "Fixed 1 finding."
    else:
        assert proc.stdout.startswith(f"--- {local}\n")
        assert url not in proc.stdout


# -- files the user may not write, hard links, owners ------------------------------------------

ROOT_USER = hasattr(os, "geteuid") and os.geteuid() == 0
OTHER = 54321  # a uid and gid of nobody here
FIXED = FIXABLE.replace("-_", "+/")


def _capture(path: Path, mode: int = 0o644) -> Path:
    path.write_text(FIXABLE + "\n")
    path.chmod(mode)
    return path


def test_a_read_only_file_is_refused_and_the_rest_fixed(tmp_path: Path) -> None:
    locked = _capture(tmp_path / "locked.jsonl", 0o444)
    free = _capture(tmp_path / "free.jsonl")
    proc = lint("--fix", locked, free)
    assert proc.returncode == 2
    assert errors(proc) == [f"realtime-validator: error: cannot fix {locked}: it is read-only"]
    assert locked.read_text() == FIXABLE + "\n" and locked.stat().st_mode & 0o777 == 0o444
    assert free.read_text() == FIXED + "\n"
    assert f"{locked}:1:" in proc.stdout  # still linted: its finding is left
    assert proc.stderr.splitlines()[-1] == "Fixed 1 finding."


def test_a_read_only_file_with_nothing_to_fix_is_no_error(tmp_path: Path) -> None:
    clean = tmp_path / "clean.jsonl"
    clean.write_text('{"type":"input_audio_buffer.clear"}\n')
    clean.chmod(0o444)
    assert lint("--fix", clean).returncode == 0


def test_diff_shows_what_a_read_only_file_would_get(tmp_path: Path) -> None:
    locked = _capture(tmp_path / "locked.jsonl", 0o444)
    proc = lint("--diff", locked)
    assert proc.returncode == 1 and proc.stdout.startswith(f"--- {locked}\n")


def test_hard_links_are_refused(tmp_path: Path) -> None:
    first = _capture(tmp_path / "first.jsonl")
    second = tmp_path / "second.jsonl"
    os.link(first, second)
    proc = lint("--fix", first)
    assert proc.returncode == 2
    assert errors(proc) == [
        f"realtime-validator: error: cannot fix {first}: it has 2 hard links; fixing would "
        "split them"
    ]
    assert os.path.samefile(first, second) and first.read_text() == FIXABLE + "\n"


@pytest.mark.skipif(not ROOT_USER, reason="giving a file to another user takes root")
def test_a_fixed_file_keeps_its_owner_group_and_mode(tmp_path: Path) -> None:
    theirs = _capture(tmp_path / "theirs.jsonl", 0o640)
    os.chown(theirs, OTHER, OTHER + 1)
    proc = lint("--fix", theirs)
    assert proc.returncode == 0, proc.stderr
    status = theirs.stat()
    assert theirs.read_text() == FIXED + "\n"
    assert (status.st_uid, status.st_gid, status.st_mode & 0o7777) == (OTHER, OTHER + 1, 0o640)


def _as_other_user(function: Callable[[], str | None]) -> str | None:
    """Return what ``function`` returns, run in a child process as the user OTHER."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: give up root, answer, leave
        try:
            os.setgid(OTHER)
            os.setuid(OTHER)
            os.write(write_end, json.dumps(function()).encode())
        except BaseException as exc:
            os.write(write_end, json.dumps(repr(exc)).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as answer:
        data = answer.read()
    os.waitpid(pid, 0)
    return json.loads(data)  # type: ignore[no-any-return]


@pytest.fixture
def shared() -> Iterator[Path]:
    """A directory every user may enter and write (pytest's own is root's alone)."""
    folder = Path(tempfile.mkdtemp(prefix="realtime-validator-test-"))
    folder.chmod(0o777)
    yield folder
    shutil.rmtree(folder)


@pytest.mark.skipif(not ROOT_USER, reason="another user's file takes root to make")
def test_a_file_another_user_may_not_write_is_read_only(shared: Path) -> None:
    """The owner may write it (0644), this user may not: refused as read-only."""
    from validator.fix.safety import refusal

    owned = _capture(shared / "owned.jsonl")  # root's
    assert _as_other_user(lambda: refusal(str(owned), os.stat(owned))) == "it is read-only"
    mine = _capture(shared / "mine.jsonl")
    os.chown(mine, OTHER, OTHER)
    assert _as_other_user(lambda: refusal(str(mine), os.stat(mine))) is None
    try:  # the same through the command, where another user can run it
        proc = subprocess.run(
            [*COMMAND, "lint", "--isolated", "--fix", str(owned)],
            user=OTHER, group=OTHER, capture_output=True, text=True, cwd=shared, timeout=120,
        )  # fmt: skip
    except PermissionError:
        return  # the interpreter lies under a directory only root may enter (/root)
    assert errors(proc) == [f"realtime-validator: error: cannot fix {owned}: it is read-only"]


# -- SIGTERM cleans up as Ctrl-C does --------------------------------------------------------------

URL_SAFE_APPEND = (
    '{"type":"input_audio_buffer.append","audio":"'
    + base64.urlsafe_b64encode(bytes(range(256)) * 38).decode()
    + '"}\n'
).encode()


def _terminated_when_temporary_file_appears(argv: list[str], folder: Path) -> tuple[int, str]:
    """Run ``argv``, send it SIGTERM as soon as a temporary file of ours is in ``folder``;
    return its exit code and standard error."""
    child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while child.poll() is None and time.monotonic() < deadline:
            if any(p.name.startswith(".realtime-validator-") for p in folder.iterdir()):
                child.send_signal(signal.SIGTERM)
                break
        else:
            pytest.fail("no temporary file was seen while the command ran")
        _, err = child.communicate(timeout=120)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    return child.returncode, err


def test_sigterm_during_a_fix_leaves_no_temporary_file(tmp_path: Path) -> None:
    big = tmp_path / "big.jsonl"
    big.write_bytes(URL_SAFE_APPEND * 4000)  # 52 MB: its fix is written for about 0.1 s
    before = big.read_bytes()
    code, err = _terminated_when_temporary_file_appears(
        [*COMMAND, "lint", "--isolated", "--fix", str(big)], tmp_path
    )
    assert code == 143, err
    assert err.endswith("Aborted! (SIGTERM)\n") and "Traceback" not in err
    assert [p.name for p in tmp_path.iterdir()] == ["big.jsonl"]  # no temporary file left
    after = big.read_bytes()
    assert after == before or after == before.replace(b"-", b"+").replace(b"_", b"/")


def test_sigterm_while_writing_a_report_keeps_the_previous_one(tmp_path: Path) -> None:
    big = tmp_path / "big.jsonl"
    big.write_bytes(URL_SAFE_APPEND * 4000)
    report = tmp_path / "report.txt"
    report.write_text("previous report\n")
    code, err = _terminated_when_temporary_file_appears(
        [*COMMAND, "lint", "--isolated", "--output", str(report), str(big)], tmp_path
    )
    assert code == 143, err
    assert err.endswith("Aborted! (SIGTERM)\n") and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.jsonl", "report.txt"]
    assert report.read_text() == "previous report\n"


def test_a_temporary_file_not_yet_in_hand_is_still_removed(tmp_path: Path) -> None:
    """An interrupt between a temporary file's making and its owner's ``try``: the file is
    noted from the start, and the run's interrupt handling removes it."""
    from validator.fix.atomic import Replacement, discard_all

    target = tmp_path / "capture.jsonl"
    target.write_text("old\n")
    Replacement(str(target), ".realtime-validator-fix-")  # dropped: as if interrupted
    assert len(list(tmp_path.iterdir())) == 2
    discard_all()
    assert [p.name for p in tmp_path.iterdir()] == ["capture.jsonl"]


# -- a writer that holds the capture open ---------------------------------------------------------

HOLD = """
import sys, time
stream = open(sys.argv[1], sys.argv[2])
print("ready", flush=True)
sys.stdin.readline()  # told to go on
if "a" in sys.argv[2]:
    stream.write(b"appended after the fix\\n")
    stream.flush()
print("done", flush=True)
time.sleep(60)
"""


@pytest.fixture
def holder() -> Iterator[Callable[[Path, str], subprocess.Popen[bytes]]]:
    """Start processes that hold a file open (mode "ab": a recorder; "rb": a reader); each is
    killed at the end."""
    started: list[subprocess.Popen[bytes]] = []

    def start(path: Path, mode: str) -> subprocess.Popen[bytes]:
        child = subprocess.Popen(
            [sys.executable, "-c", HOLD, str(path), mode],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        started.append(child)
        assert child.stdout is not None and child.stdout.readline() == b"ready\n"
        return child

    yield start
    for child in started:
        child.kill()
        child.wait()


def _go_on(child: subprocess.Popen[bytes]) -> None:
    assert child.stdin is not None and child.stdout is not None
    child.stdin.write(b"\n")
    child.stdin.flush()
    assert child.stdout.readline() == b"done\n"


@pytest.mark.skipif(not Path("/proc/self/fdinfo").is_dir(), reason="no /proc: writers unseen")
def test_a_file_held_open_for_writing_is_refused(
    tmp_path: Path, holder: Callable[[Path, str], subprocess.Popen[bytes]]
) -> None:
    capture = _capture(tmp_path / "live.jsonl")
    recorder = holder(capture, "ab")
    proc = lint("--fix", capture)
    command = Path(f"/proc/{recorder.pid}/comm").read_text().strip()
    assert proc.returncode == 2
    assert errors(proc) == [
        f"realtime-validator: error: cannot fix {capture}: process {recorder.pid} ({command}) "
        "holds it open for writing; what it writes after the fix would be lost: stop it, or "
        "fix a copy"
    ]
    _go_on(recorder)  # the recorder goes on writing: nothing it writes is lost
    assert capture.read_text() == FIXABLE + "\nappended after the fix\n"


@pytest.mark.skipif(not Path("/proc/self/fdinfo").is_dir(), reason="no /proc: writers unseen")
def test_a_file_held_open_for_reading_is_fixed(
    tmp_path: Path, holder: Callable[[Path, str], subprocess.Popen[bytes]]
) -> None:
    capture = _capture(tmp_path / "read.jsonl")
    reader = holder(capture, "rb")
    proc = lint("--fix", capture)
    assert proc.returncode == 0, proc.stderr
    assert capture.read_text() == FIXED + "\n"
    _go_on(reader)
