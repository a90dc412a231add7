"""Whether ``--fix`` may replace a file: what it must refuse, and says why.

A fix renames a new file over the input. That would write through a read-only file's
protection (root may rename over anything), split a file's hard links into two files, or
cut a writer that holds the file open off from it. ``refusal`` names the first that applies.
"""

from __future__ import annotations

import os
import stat


def refusal(path: str, status: os.stat_result) -> str | None:
    """Return why the file ``path`` (``status``: what it was when read) must not be replaced
    by its fix, or None: it may be."""
    if not status.st_mode & stat.S_IWUSR or not _writable(path):
        return "it is read-only"
    if status.st_nlink > 1:
        return f"it has {status.st_nlink:,} hard links; fixing would split them"
    return None


def _writable(path: str) -> bool:
    """Return True when this user may write ``path``; root may write anything, but a file
    without its owner's write bit is read-only all the same (``refusal``)."""
    geteuid = getattr(os, "geteuid", None)
    return (geteuid is not None and geteuid() == 0) or os.access(path, os.W_OK)
