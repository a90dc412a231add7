"""``lint --fix`` and ``lint --diff`` on the command line: each input fixed (or its diff
shown) before the run lints what is left.

With ``--fix`` a file is written over atomically (``inputs.write_atomic``), standard input's
fixed stream goes to standard output; with ``--diff`` nothing is written and the unified diff
of each input goes to the output instead of the findings.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import sys
from collections import Counter
from typing import TYPE_CHECKING, NamedTuple, TextIO

from ..core.violation import printable as display
from ..fix.inputs import fix_input, write_atomic
from .config import ConfigError

if TYPE_CHECKING:
    from ..sources.inputs import Input
    from .run_settings import RunSettings


URL_REFUSED = "URL inputs are linted, not rewritten; fix a local copy"


class FixOutcome(NamedTuple):
    """What the fixing half of a run did: findings fixed (or that would be, with ``--diff``),
    the findings more that ``--unsafe-fixes`` would fix, standard input's fixed bytes (None:
    not read), and the inputs that could not be written."""

    fixed: int
    unsafe_available: int
    stdin: bytes | None
    unwritten: list[str]

    def summary(self, diff: bool) -> str:
        """Return "Fixed 46 findings (3 more with --unsafe-fixes)" (``diff``: "Would fix")."""
        more = (
            f" ({self.unsafe_available:,} more with --unsafe-fixes)"
            if self.unsafe_available
            else ""
        )
        noun = "finding" if self.fixed == 1 else "findings"
        return f"{'Would fix' if diff else 'Fixed'} {self.fixed:,} {noun}{more}"


def unified_diff(name: str, before: bytes, after: bytes) -> str:
    """Return the unified diff of an input's text before and after fixing."""
    old = _lines(before.decode("utf-8", "surrogateescape"))
    new = _lines(after.decode("utf-8", "surrogateescape"))
    lines = difflib.unified_diff(old, new, fromfile=name, tofile=name)
    return "".join(
        line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines
    )


def _lines(text: str) -> list[str]:
    """Return the lines of ``text`` with their endings, split at "\\n" alone, as the
    findings count lines (and as ``patch`` reads them): a lone CR, U+0085 or U+2028 stays
    inside its line."""
    lines = text.split("\n")
    last = lines.pop()
    return [line + "\n" for line in lines] + ([last] if last else [])


def fix_inputs(settings: RunSettings, inputs: list[Input], out: TextIO, err: TextIO) -> FixOutcome:
    """Fix each input (or write its diff to ``out``); say on ``err`` what could not be
    fixed. Inputs that cannot be read are left to the lint that follows, which reports them.
    A write to ``out`` that fails raises OSError."""
    fixed = available = 0
    stdin: bytes | None = None
    unwritten: list[str] = []
    notes: Counter[str] = Counter()
    paths = []
    for inp in inputs:
        if inp.local or inp.path == "-":
            paths.append(inp.path)
        else:  # a URL is linted, never rewritten: it is no file of this machine
            unwritten.append(inp.name)
            _tell(err, f"realtime-validator: error: cannot fix {display(inp.name)}: {URL_REFUSED}")
    for path in paths:
        name = (settings.stdin_name or "<stdin>") if path == "-" else path
        options = settings.options
        try:
            if settings.options_for is not None:
                options = settings.options_for(name)
            if path == "-":
                data = sys.stdin.buffer.read()
                stdin = data
                before = None
            else:
                with open(path, "rb") as stream:
                    before = os.fstat(stream.fileno())
                    data = stream.read()
        except (OSError, ConfigError):
            continue  # the lint that follows reports it
        done = fix_input(data, name, options, settings.unsafe_fixes)
        available += done.unsafe_available
        for note in done.notes:
            if note.line is None:  # the whole input: said now, with its name
                if not settings.quiet:
                    _tell(err, f"realtime-validator: {display(name)}: {note.text}")
            else:
                notes[note.text] += 1
        if not done.fixes:
            continue
        fixed += len(done.fixes)
        if settings.diff:
            out.write(unified_diff(display(name), done.text_before, done.text_after))
        elif before is None:
            stdin = done.data
        else:
            try:
                write_atomic(path, done.data, before)
            except OSError as exc:
                fixed -= len(done.fixes)
                unwritten.append(name)
                why = exc.strerror or str(exc)
                _tell(err, f"realtime-validator: error: cannot write {display(name)}: {why}")
    if not settings.quiet:
        for text, count in sorted(notes.items()):
            _tell(
                err,
                f"realtime-validator: {count:,} x {text}"
                if count > 1
                else f"realtime-validator: {text}",
            )
    return FixOutcome(fixed, available, stdin, unwritten)


def send_stdin(data: bytes, out: TextIO, err: TextIO) -> bool:
    """Write standard input's fixed stream to standard output ``out``; return False when it
    could not be written whole (said on ``err``). A reader gone away (``| head``) is no error."""
    buffer = getattr(out, "buffer", None)
    try:
        out.flush()
        if buffer is not None:
            buffer.write(data)
            buffer.flush()
        else:
            out.write(data.decode("utf-8", "surrogateescape"))
            out.flush()
    except BrokenPipeError:
        return True
    except OSError as exc:
        why = exc.strerror or str(exc)
        _tell(err, f"realtime-validator: error: cannot write standard output: {why}")
        return False
    return True


def _tell(err: TextIO, line: str) -> None:
    with contextlib.suppress(OSError):
        err.write(line + "\n")
