"""Whether ``--fix`` may replace a file: what it must refuse, and says why.

A fix renames a new file over the input. That would write through a read-only file's
protection (root may rename over anything), split a file's hard links into two files, or
cut a writer that holds the file open off from it: what the writer appends after the rename
goes to the old file, which no name reaches any more. ``refusal`` names the first that applies.

Writers are looked for in ``/proc`` (Linux): every other process's open descriptors, those on
the same file (device and inode) whose ``fdinfo`` flags say write-only or read-write. A user
other than root sees only their own processes there; where there is no ``/proc`` (macOS) no
writer can be seen, and only a change of the file's size or time before the rename is caught.
"""

from __future__ import annotations

import os
import stat
import time

_PROC = "/proc"
_ACCESS_MODE = 0o3  # O_ACCMODE: the low two bits of the open flags (Linux)
_WRITING = (os.O_WRONLY, os.O_RDWR)


def refusal(path: str, status: os.stat_result, seen: OpenFiles | None = None) -> str | None:
    """Return why the file ``path`` (``status``: what it was when read) must not be replaced
    by its fix, or None: it may be. ``seen``: the run's view of open files (None: a new one)."""
    if not status.st_mode & stat.S_IWUSR or not _writable(path):
        return "it is read-only"
    if status.st_nlink > 1:
        return f"it has {status.st_nlink:,} hard links; fixing would split them"
    holders = (seen or OpenFiles()).writers(path, status)
    if not holders:
        return None
    who = "process {} holds" if len(holders) == 1 else "processes {} hold"
    return (
        f"{who.format(', '.join(holders))} it open for writing; what it writes after the fix "
        "would be lost: stop it, or fix a copy"
    )


def _writable(path: str) -> bool:
    """Return True when this user may write ``path``; root may write anything, but a file
    without its owner's write bit is read-only all the same (``refusal``)."""
    geteuid = getattr(os, "geteuid", None)
    return (geteuid is not None and geteuid() == 0) or os.access(path, os.W_OK)


class OpenFiles:
    """The descriptors other processes hold open, by the name of their file, as ``/proc``
    showed them at most ``MAX_AGE`` seconds ago: one look at every process serves the files
    fixed meanwhile (5 ms for 480 descriptors here, where a fix takes about as much). Only
    names are read then (``readlink``): no other file system is touched."""

    MAX_AGE = 1.0

    def __init__(self) -> None:
        self.taken = -self.MAX_AGE
        self.by_name: dict[str, list[tuple[str, str]]] = {}

    def writers(self, path: str, status: os.stat_result) -> list[str]:
        """Return "PID (command)" of each other process that holds the file ``path`` (its
        ``status``) open for writing; [] where that cannot be seen (no ``/proc``)."""
        if time.monotonic() - self.taken > self.MAX_AGE:
            self.by_name = _descriptors_by_name()
            self.taken = time.monotonic()
        name = os.path.basename(os.path.realpath(path))
        pids = {
            pid
            for pid, fd in self.by_name.get(name, [])
            if _on(pid, fd, status) and _writes(pid, fd)
        }
        return [f"{pid} ({_command(pid)})" for pid in sorted(pids, key=int)]


def _descriptors_by_name() -> dict[str, list[tuple[str, str]]]:
    """Return (pid, fd) of every descriptor of the other processes, by the name (last part of
    the path) of what it is open on; {} without ``/proc``."""
    found: dict[str, list[tuple[str, str]]] = {}
    try:
        pids = [name for name in os.listdir(_PROC) if name.isdigit()]
    except OSError:
        return found  # no /proc: nothing can be seen
    me = str(os.getpid())
    for pid in pids:
        if pid == me:
            continue
        folder = f"{_PROC}/{pid}/fd"
        try:
            descriptors = os.listdir(folder)
        except OSError:
            continue  # gone, or another user's
        for fd in descriptors:
            try:
                target = os.readlink(f"{folder}/{fd}")
            except OSError:
                continue
            found.setdefault(os.path.basename(target), []).append((pid, fd))
    return found


def _on(pid: str, fd: str, status: os.stat_result) -> bool:
    """Return True when descriptor ``fd`` of process ``pid`` is open on the file of ``status``
    (its device and inode: a name alone may be another file's)."""
    try:
        found = os.stat(f"{_PROC}/{pid}/fd/{fd}")
    except OSError:
        return False
    return (found.st_dev, found.st_ino) == (status.st_dev, status.st_ino)


def _writes(pid: str, fd: str) -> bool:
    """Return True when descriptor ``fd`` of process ``pid`` was opened for writing."""
    try:
        with open(f"{_PROC}/{pid}/fdinfo/{fd}", encoding="ascii") as info:
            for line in info:
                if line.startswith("flags:"):
                    return (int(line.split()[1], 8) & _ACCESS_MODE) in _WRITING
    except (OSError, ValueError, IndexError):
        pass
    return False


def _command(pid: str) -> str:
    """Return the command name of process ``pid`` ("python3"), or "?"."""
    try:
        with open(f"{_PROC}/{pid}/comm", encoding="utf-8", errors="replace") as comm:
            return comm.read().strip() or "?"
    except OSError:
        return "?"
