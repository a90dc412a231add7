"""Which files a run reads: the paths named, and the files found walking directories.

A path named is read whatever it is (a FIFO named is read as a stream). A walk takes regular
files (through symlinks) with a known suffix (``SUFFIXES``, with or without ``.gz``) or
matching an ``include`` glob, and skips hidden folders, FIFOs, sockets and devices (which
would block the run or read forever), what the ``exclude`` globs name, and, inside a git
repository, what its ``.gitignore`` files and ``.git/info/exclude`` ignore (``pathspec``'s
gitignore matching, imported only when there is one). Globs are ruff's: one without ``/``
matches any file or folder of that name at any depth; one with ``/`` the path below the
base directory (the configuration file's, else the working directory; for ``include``, the
directory walked). A URL (``s3://bucket/prefix/``, a glob) is listed through fsspec
(``inputs.expand_url``) with the same suffixes and globs; nothing of fsspec is imported for
local paths.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable, Iterator
from fnmatch import fnmatchcase
from typing import Any

from .detect import SUFFIXES
from .inputs import Input, LocalFile, StandardInput, expand_url, is_url


def _matches(globs: tuple[str, ...], path: str, name: str, base: str) -> bool:
    """Return True when a glob names ``path`` (its file or folder ``name``, or its path below
    ``base`` with forward slashes)."""
    for glob in globs:
        if "/" in glob:
            try:
                relative = os.path.relpath(path, base).replace(os.sep, "/")
            except ValueError:  # another drive on Windows
                continue
            if fnmatchcase(relative, glob.removeprefix("./").rstrip("/")):
                return True
        elif fnmatchcase(name, glob):
            return True
    return False


def _repository(directory: str) -> str | None:
    """Return the root of the git repository holding ``directory``, or None."""
    here = os.path.abspath(directory)
    while True:
        if os.path.exists(os.path.join(here, ".git")):
            return here
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent


class _Ignores:
    """The gitignore rules that apply in one walk, by directory: a path is ignored when the
    deepest rule file with a pattern for it says so (a ``!`` pattern un-ignores)."""

    def __init__(self, top: str) -> None:
        try:
            self.root = _repository(top)
        except OSError:  # a relative path in a working directory removed under the run
            self.root = None
        self.specs: dict[str, Any] = {}  # directory -> its compiled .gitignore, or None

    def _spec(self, directory: str) -> Any:
        if directory not in self.specs:
            lines: list[str] = []
            names = [".gitignore"]
            if directory == self.root:
                names.append(os.path.join(".git", "info", "exclude"))
            for name in names:
                try:
                    with open(os.path.join(directory, name), encoding="utf-8") as file:
                        lines.extend(file.read().splitlines())
                except (OSError, UnicodeDecodeError):
                    continue
            spec = None
            if lines:
                from pathspec import GitIgnoreSpec  # only where a rule file exists

                spec = GitIgnoreSpec.from_lines(lines)
            self.specs[directory] = spec
        return self.specs[directory]

    def ignored(self, path: str, is_dir: bool) -> bool:
        """Return True when the rules from ``path``'s folder up to the repository ignore it."""
        if self.root is None:
            return False
        absolute = os.path.abspath(path)
        directory = os.path.dirname(absolute)
        while True:
            spec = self._spec(directory)
            if spec is not None:
                relative = os.path.relpath(absolute, directory).replace(os.sep, "/")
                result = spec.check_file(relative + "/" if is_dir else relative)
                if result.include is not None:
                    return bool(result.include)
            if directory == self.root or os.path.dirname(directory) == directory:
                return False
            directory = os.path.dirname(directory)


def walk_paths(
    paths: Iterable[str],
    onerror: Callable[[str, str], None] | None = None,
    include: Iterable[str] = (),
    exclude: Iterable[str] = (),
    base: str | None = None,
    respect_gitignore: bool = True,
) -> Iterator[str]:
    """Yield the inputs named by ``paths``, directories walked (each one's files sorted).

    A directory that cannot be listed is passed to ``onerror(path, reason)``, not skipped.
    """
    for path, _ in walk_sized(paths, onerror, include, exclude, base, respect_gitignore):
        yield path


def walk_sized(
    paths: Iterable[str],
    onerror: Callable[[str, str], None] | None = None,
    include: Iterable[str] = (),
    exclude: Iterable[str] = (),
    base: str | None = None,
    respect_gitignore: bool = True,
) -> Iterator[tuple[str, int | None]]:
    """Yield ``walk_paths``' inputs with the size a walk found them at (None for a path
    named, or one that could not be looked at): the walk's one stat of each file serves
    ``--jobs``' plan too."""
    includes, excludes = tuple(include), tuple(exclude)
    if base is None:
        try:
            base = os.getcwd()
        except OSError:
            base = os.sep

    def failed(exc: OSError) -> None:
        if onerror is not None:
            onerror(exc.filename or path, exc.strerror or str(exc))

    def wanted(root: str, name: str, top: str) -> tuple[str, int | None] | None:
        full = os.path.join(root, name)
        stem = name
        while stem.endswith(".gz"):  # capture.jsonl.gz.gz: gzip inside gzip
            stem = stem[:-3]
        if not stem.endswith(SUFFIXES) and not _matches(includes, full, name, top):
            return None
        if _matches(excludes, full, name, base) or (ignores and ignores.ignored(full, False)):
            return None
        try:
            status = os.stat(full)
        except OSError:
            return full, None  # gone or unreadable: the reader says so, as for a named path
        return (full, status.st_size) if stat.S_ISREG(status.st_mode) else None

    for path in paths:
        if path == "-" or not os.path.isdir(path):
            yield path, None
            continue
        ignores = _Ignores(path) if respect_gitignore else None
        found: list[tuple[str, int | None]] = []
        for root, dirs, files in os.walk(path, onerror=failed, followlinks=False):
            dirs[:] = sorted(
                d
                for d in dirs
                if not d.startswith(".")
                and not _matches(excludes, os.path.join(root, d), d, base)
                and not (ignores and ignores.ignored(os.path.join(root, d), True))
            )
            for n in files:
                entry = wanted(root, n, path)
                if entry is not None:
                    found.append(entry)
        yield from sorted(found)


def _named_as_capture(name: str) -> bool:
    """Return True when a file name has a capture's suffix, with or without ``.gz``."""
    while name.endswith(".gz"):
        name = name[:-3]
    return name.endswith(SUFFIXES)


def walk_inputs(
    paths: Iterable[str],
    onerror: Callable[[str, str], None] | None = None,
    include: Iterable[str] = (),
    exclude: Iterable[str] = (),
    base: str | None = None,
    respect_gitignore: bool = True,
    stdin_name: str | None = None,
) -> Iterator[Input]:
    """Yield the ``Input`` of each file ``walk_paths`` finds, and of each object a URL names.

    A URL that cannot be listed goes to ``onerror(url, reason)``, as a directory does.
    """
    includes, excludes = tuple(include), tuple(exclude)
    local: list[str] = []

    def flush() -> Iterator[Input]:
        walked = walk_sized(local, onerror, includes, excludes, base, respect_gitignore)
        for path, size in walked:
            yield StandardInput(stdin_name) if path == "-" else LocalFile(path, size=size)
        local.clear()

    def wanted(name: str) -> bool:
        if not _named_as_capture(name) and not any(fnmatchcase(name, g) for g in includes):
            return False
        return not any(fnmatchcase(name, g) for g in excludes if "/" not in g)

    for path in paths:
        if not is_url(path):
            local.append(path)
            continue
        yield from flush()
        from ..core.record import SourceError

        try:
            yield from expand_url(path, wanted)
        except SourceError as exc:
            if onerror is not None:
                onerror(path, str(exc).removeprefix(f"cannot read {path}: "))
    yield from flush()
