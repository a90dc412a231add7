"""What the CI reporters share: paths as the repository names them, and fingerprints.

github, sarif and gitlab import it; text runs never do. It imports nothing heavy at import
time (no pathlib, no hashlib): start-up time counts.
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING

from .base import clean

if TYPE_CHECKING:
    from ..core.violation import Violation

STDIN_NAMES = ("<stdin>", "-")
# "(line 12)", "on line 1,234": where an earlier event is; it moves when lines are inserted
_LINE_NUMBER = re.compile(r"\b(lines?) \d[\d,]*")


def working_directory() -> str:
    """Return the working directory, or the root when it no longer exists."""
    try:
        return os.getcwd()
    except OSError:
        return os.path.abspath(os.sep)


def _posix(path: str) -> str:
    return path if os.sep == "/" else path.replace(os.sep, "/")


def relative_path(source: str, cwd: str) -> str | None:
    """Return ``source`` relative to ``cwd`` with forward slashes, or None when it is outside."""
    if source in STDIN_NAMES:
        return None
    path = os.path.join(cwd, source)  # an absolute source stays as it is
    for resolve in (os.path.abspath, os.path.realpath):
        try:
            rel = os.path.relpath(resolve(path), resolve(cwd))
        except ValueError:  # another drive on Windows
            continue
        if rel != os.pardir and not rel.startswith(os.pardir + os.sep):
            return _posix(rel)
    return None


def display_path(source: str, cwd: str) -> str:
    """Return the repository-relative path of ``source`` when inside ``cwd``, else it as given."""
    rel = relative_path(source, cwd)
    return rel if rel is not None else _posix(source)


def content_digest(violation: Violation, path: str) -> str:
    """Return the SHA-256 (hex) of what a finding is: its rule, ``path``, pointer, event id and
    message, with no line number in it, so that it survives lines moving up or down between
    runs (line numbers inside the message, "(line 12)", are masked too)."""
    import hashlib

    message = _LINE_NUMBER.sub(r"\1 #", violation.message)
    parts = (violation.rule, path, violation.pointer, violation.event_id or "", message)
    return hashlib.sha256("\0".join(map(clean, parts)).encode("utf-8")).hexdigest()


class Occurrences:
    """Numbers equal digests in the order they come: 1 for the first, 2 for the next, ...

    Two findings with the same content in one file (the same bad chunk appended twice) have
    the same digest; the number tells them apart, as GitHub's own fingerprints do."""

    def __init__(self) -> None:
        self._seen: dict[str, int] = {}

    def number(self, digest: str) -> int:
        """Return how many times ``digest`` has been seen, this time included."""
        n = self._seen.get(digest, 0) + 1
        self._seen[digest] = n
        return n
