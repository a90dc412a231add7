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
from ..fix.inputs import Refused, fix_input, write_atomic
from ..fix.safety import OpenFiles, refusal
from ..sources.inputs import reason
from .config import ConfigError

if TYPE_CHECKING:
    from ..engine.options import Options
    from ..sources.inputs import Input
    from .run_settings import RunSettings


URL_REFUSED = "URL inputs are linted, not rewritten; fix a local copy"


class FixOutcome(NamedTuple):
    """What the fixing half of a run did: findings fixed (or that would be, with ``--diff``),
    the findings more that ``--unsafe-fixes`` would fix, standard input's fixed bytes (None:
    not read), the inputs that could not be written, the fixes by input and rule
    (``--show-fixes``), and the findings the fixes leave by severity (``--diff``'s exit code)."""

    fixed: int
    unsafe_available: int
    stdin: bytes | None
    unwritten: list[str]
    by_input: dict[str, Counter[str]]
    left: Counter[str]

    def summary(self, diff: bool) -> str:
        """Return ruff's line: "Fixed 46 findings (3 additional fixes available with
        `--unsafe-fixes`)."; with ``diff`` "Would fix ..."; "" where there is nothing to say."""
        fixed, unapplied = self.fixed, self.unsafe_available
        noun = "finding" if fixed == 1 else "findings"
        done = f"Would fix {fixed:,} {noun}" if diff else f"Fixed {fixed:,} {noun}"
        if not unapplied:
            return f"{done}." if fixed else ""
        es = "" if unapplied == 1 else "es"
        if not fixed:
            none = "No findings would be fixed" if diff else "No findings fixed"
            return f"{none} ({unapplied:,} fix{es} available with `--unsafe-fixes`)."
        return f"{done} ({unapplied:,} additional fix{es} available with `--unsafe-fixes`)."

    def fix_list(self, diff: bool) -> list[str]:
        """Return ruff's ``--show-fixes`` list: "Fixed 3 findings:", then each input and its
        fixes by rule, the most first ("    2 \u00d7 RT301 (base64-invalid-character)")."""
        if not self.fixed:
            return []
        from ..core.rules import RULES

        noun = "finding" if self.fixed == 1 else "findings"
        lines = [f"{'Would fix' if diff else 'Fixed'} {self.fixed:,} {noun}:"]
        width = len(f"{max(max(c.values()) for c in self.by_input.values()):,}")
        for name in sorted(self.by_input):
            lines.append(f"- {display(name)}:")
            for code, count in sorted(self.by_input[name].items(), key=lambda i: (-i[1], i[0])):
                lines.append(f"    {count:>{width},} \u00d7 {code} ({RULES[code].name})")
        return lines

    def left_line(self) -> str:
        """Return what ``--diff``'s fixes would leave: "2 findings would be left (1 error,
        1 warning)."; "" for none."""
        total = sum(self.left.values())
        if not total:
            return ""
        errors, warnings = self.left["error"], self.left["warning"]
        return (
            f"{total:,} finding{'' if total == 1 else 's'} would be left ({errors:,} "
            f"error{'' if errors == 1 else 's'}, {warnings:,} warning"
            f"{'' if warnings == 1 else 's'}); lint without --diff to see them."
        )


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
    fixed. Inputs that cannot be read are left to the lint that follows, which reports them
    (with ``--diff`` nothing follows: they are said here). A write to ``out`` that fails
    raises OSError."""
    fixed = available = 0
    stdin: bytes | None = None
    unwritten: list[str] = []
    notes: Counter[str] = Counter()
    by_input: dict[str, Counter[str]] = {}
    left: Counter[str] = Counter()
    seen = OpenFiles()  # the files other processes hold open: looked at once a second at most
    for inp in inputs:
        if not inp.local and inp.path != "-":  # a URL: linted, never rewritten
            unwritten.append(inp.name)
            _tell(err, f"realtime-validator: error: cannot fix {display(inp.name)}: {URL_REFUSED}")
            continue
        path = inp.path
        name = (settings.stdin_name or "<stdin>") if path == "-" else path
        read = _read(settings, path, name)
        if isinstance(read, str):
            if settings.diff:  # no lint follows to say it
                unwritten.append(name)
                _tell(err, f"realtime-validator: error: {read}")
            continue  # the lint that follows reports it
        data, before, options = read
        stdin = data if before is None else stdin
        try:
            done = fix_input(data, name, options, settings.unsafe_fixes)
        except Refused as exc:
            unwritten.append(name)
            _tell(err, f"realtime-validator: error: cannot fix {display(name)}: {exc}")
            continue
        available += done.unsafe_available
        for note in done.notes:
            if note.line is not None:
                notes[note.text] += 1
            elif not settings.quiet:  # the whole input: said now, with its name
                _tell(err, f"realtime-validator: {display(name)}: {note.text}")
        if settings.diff:
            found = done.left if done.left is not None else _left(done.data, name, options)
            if isinstance(found, str):  # no lint follows to say it
                unwritten.append(name)
                _tell(err, f"realtime-validator: error: {found}")
            else:
                left += found
        if not done.fixes:
            continue
        if settings.diff:
            out.write(unified_diff(display(name), done.text_before, done.text_after))
        elif before is None:
            stdin = done.data
        elif not _replaced(path, name, done.data, before, err, seen):
            unwritten.append(name)
            continue
        fixed += len(done.fixes)
        by_input[name] = by_input.get(name, Counter()) + Counter(f.fix.rule for f in done.fixes)
    if not settings.quiet:
        for text, count in sorted(notes.items()):
            _tell(
                err,
                f"realtime-validator: {count:,} x {text}"
                if count > 1
                else f"realtime-validator: {text}",
            )
    return FixOutcome(fixed, available, stdin, unwritten, by_input, left)


def _left(data: bytes, name: str, options: Options) -> Counter[str] | str:
    """Return the findings of an input the fixer could not read as records, by severity; or
    why it cannot be read (as the lint would say it)."""
    import io

    from ..core.statistics import Statistics
    from ..engine.linting import lint_stream

    try:
        return Counter(
            v.severity.value for v in lint_stream(io.BytesIO(data), name, options, Statistics())
        )
    except (OSError, EOFError) as exc:
        return f"cannot read {display(name)}: {reason(exc)}"


def _read(
    settings: RunSettings, path: str, name: str
) -> tuple[bytes, os.stat_result | None, Options] | str:
    """Return an input's bytes, its status when read (None: standard input) and options; or
    why it cannot be read or configured."""
    try:
        options = settings.options if settings.options_for is None else settings.options_for(name)
        if path == "-":
            return sys.stdin.buffer.read(), None, options
        with open(path, "rb") as stream:
            before = os.fstat(stream.fileno())  # first: a file that grows while read differs
            return stream.read(), before, options
    except ConfigError as exc:
        return display(str(exc))
    except OSError as exc:
        return f"cannot read {display(name)}: {reason(exc)}"


def _replaced(
    path: str, name: str, data: bytes, before: os.stat_result, err: TextIO, seen: OpenFiles
) -> bool:
    """Write the fixed ``data`` over the file ``path``; return False, said on ``err``, where it
    must not (``safety.refusal``) or could not be."""
    refused = refusal(path, before, seen)
    if refused is not None:
        _tell(err, f"realtime-validator: error: cannot fix {display(name)}: {refused}")
        return False
    try:
        write_atomic(path, data, before)
    except OSError as exc:
        _tell(err, f"realtime-validator: error: cannot write {display(name)}: {reason(exc)}")
        return False
    return True


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
        _tell(err, f"realtime-validator: error: cannot write standard output: {reason(exc)}")
        return False
    return True


def _tell(err: TextIO, line: str) -> None:
    with contextlib.suppress(OSError):
        err.write(line + "\n")
