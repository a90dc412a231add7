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
from collections.abc import Iterator

_PROC = "/proc"
_ACCESS_MODE = 0o3  # O_ACCMODE: the low two bits of the open flags (Linux)
_WRITING = (os.O_WRONLY, os.O_RDWR)


def refusal(path: str, status: os.stat_result) -> str | None:
    """Return why the file ``path`` (``status``: what it was when read) must not be replaced
    by its fix, or None: it may be."""
    if not status.st_mode & stat.S_IWUSR or not _writable(path):
        return "it is read-only"
    if status.st_nlink > 1:
        return f"it has {status.st_nlink:,} hard links; fixing would split them"
    holders = writers(path, status)
    if holders:
        who = (
            f"process {holders[0]} holds"
            if len(holders) == 1
            else (f"processes {', '.join(holders)} hold")
        )
        return (
            f"{who} it open for writing; what it writes after the fix would be lost: stop "
            "it, or fix a copy"
        )
    return None


def writers(path: str, status: os.stat_result) -> list[str]:
    """Return "PID (command)" of each other process that holds the file ``path`` (its
    ``status``) open for writing, as ``/proc`` shows them; [] where it cannot say."""
    try:
        pids = [name for name in os.listdir(_PROC) if name.isdigit()]
    except OSError:
        return []  # no /proc: nothing can be seen
    name = os.path.basename(os.path.realpath(path))
    me = str(os.getpid())
    return [
        f"{pid} ({_command(pid)})"
        for pid in pids
        if pid != me and any(_writes(pid, fd) for fd in _descriptors_on(pid, name, status))
    ]


def _descriptors_on(pid: str, name: str, status: os.stat_result) -> Iterator[str]:
    """Yield the descriptors of process ``pid`` open on the file of ``status`` (named
    ``name``: a descriptor whose link names another file is not looked at further, so that no
    other file system is touched)."""
    folder = f"{_PROC}/{pid}/fd"
    try:
        descriptors = os.listdir(folder)
    except OSError:
        return  # gone, or another user's
    for fd in descriptors:
        link = f"{folder}/{fd}"
        try:
            if os.path.basename(os.readlink(link)) != name:
                continue
            found = os.stat(link)
        except OSError:
            continue
        if (found.st_dev, found.st_ino) == (status.st_dev, status.st_ino):
            yield fd


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


def _writable(path: str) -> bool:
    """Return True when this user may write ``path``; root may write anything, but a file
    without its owner's write bit is read-only all the same (``refusal``)."""
    geteuid = getattr(os, "geteuid", None)
    return (geteuid is not None and geteuid() == 0) or os.access(path, os.W_OK)
