"""The command line: a thin click shell around ``lint``. Options in, one call, exit code out."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import ExitStack
from typing import TextIO

import click

from . import __version__
from .audio import MAX_AUDIO_BYTES
from .formats import ACCEPTED_SPELLINGS, normalize_format
from .lint import Options, Statistics, lint_records
from .reporters import REPORTER_BY_NAME
from .rules import RULES, Severity, select_rules, unknown_patterns
from .sources import SourceError, open_input, walk_paths
from .sources.base import DEFAULT_MAX_RECORD_BYTES
from .sources.detect import records
from .violation import Violation

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _split(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(p.strip() for v in values for p in v.split(",") if p.strip())


def _size(text: str) -> str:
    n = float(text)
    for unit in ("B", "kB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return text


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def summary(stats: Statistics) -> str:
    """Return the one-line summary: records, append events, audio, bytes, time, findings."""
    errors = sum(
        n for c, n in stats.findings_by_rule.items() if RULES[c].severity is Severity.ERROR
    )
    warnings = stats.findings - errors
    files = f" in {stats.files} files" if stats.files != 1 else ""
    return (
        f"Checked {_count(stats.records, 'record')}{files}: "
        f"{_count(stats.append_events, 'append event')}, "
        f"{stats.audio_seconds:,.1f} s of audio, {_size(str(stats.bytes))} in "
        f"{stats.seconds:.2f} s; {_count(stats.findings, 'finding')} "
        f"({_count(errors, 'error')}, {_count(warnings, 'warning')})"
    )


def _findings(
    paths: tuple[str, ...], options: Options, stats: Statistics, err: TextIO
) -> Iterator[Violation]:
    for path in walk_paths(paths or ("-",)):
        name = "<stdin>" if path == "-" else path
        try:
            stream = open_input(path)
        except SourceError as exc:
            stats.unreadable.append(name)
            err.write(f"realtime-validator: error: {exc}\n")
            continue
        try:
            yield from lint_records(
                records(stream, name, options.max_record_bytes), options, stats, name
            )
        except (OSError, EOFError) as exc:
            stats.unreadable.append(name)
            reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
            err.write(f"realtime-validator: error: cannot read {name}: {reason}\n")
        finally:
            if path != "-":
                stream.close()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="realtime-validator")
def cli() -> None:
    """Validate OpenAI Realtime API input_audio_buffer.append events and lint traffic logs."""


@cli.command("lint")
@click.argument("paths", nargs=-1, type=click.Path(allow_dash=True))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(sorted(REPORTER_BY_NAME)),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, allow_dash=True),
    help="Write findings to FILE instead of standard output.",
)
@click.option(
    "--select",
    multiple=True,
    metavar="CODES",
    help="Only these rule codes, prefixes or names (comma-separated, repeatable).",
)
@click.option(
    "--ignore",
    multiple=True,
    metavar="CODES",
    help="Not these rule codes, prefixes or names (comma-separated, repeatable).",
)
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning"]),
    default="error",
    show_default=True,
    help="Exit 1 when a finding of this severity or worse is found.",
)
@click.option(
    "--audio-format",
    default="pcm16",
    show_default=True,
    metavar="|".join(ACCEPTED_SPELLINGS),
    help="Input audio format at the start of each log (session events change it).",
)
@click.option(
    "--max-audio-bytes",
    type=click.IntRange(min=0),
    default=MAX_AUDIO_BYTES,
    show_default=True,
    help="Largest decoded audio of one append.",
)
@click.option(
    "--max-record-bytes",
    type=click.IntRange(min=1),
    default=DEFAULT_MAX_RECORD_BYTES,
    show_default=True,
    help="Largest record; longer ones are skipped unread (RT105).",
)
@click.option("--statistics", is_flag=True, help="Show the count of findings by rule.")
@click.option("--quiet", "-q", is_flag=True, help="No summary line on standard error.")
def lint_command(
    paths: tuple[str, ...],
    output_format: str,
    output: str | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    fail_on: str,
    audio_format: str,
    max_audio_bytes: int,
    max_record_bytes: int,
    statistics: bool,
    quiet: bool,
) -> None:
    """Lint JSONL logs and JSON event files (PATH '-' or none: standard input)."""
    selected, ignored = _split(select), _split(ignore)
    bad = unknown_patterns(selected + ignored)
    if bad:
        raise click.BadParameter(
            f"no rule matches {', '.join(bad)}", param_hint="--select/--ignore"
        )
    try:
        fmt = normalize_format(audio_format)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--audio-format") from exc
    options = Options(fmt, max_audio_bytes, max_record_bytes, select_rules(selected, ignored))
    stats = Statistics()
    threshold = Severity(fail_on).rank
    failed = False
    err = sys.stderr
    with ExitStack() as stack:
        if output and output != "-":
            try:
                out: TextIO = stack.enter_context(open(output, "w", encoding="utf-8"))
            except OSError as exc:
                err.write(f"realtime-validator: error: cannot write {output}: {exc.strerror}\n")
                sys.exit(EXIT_ERROR)
        else:
            out = sys.stdout
        reporter = REPORTER_BY_NAME[output_format](out, show_statistics=statistics)
        reporter.start()
        for violation in _findings(paths, options, stats, err):
            failed = failed or violation.severity.rank >= threshold
            reporter.report(violation)
        reporter.finish(stats)
    if not quiet:
        err.write(summary(stats) + "\n")
    if stats.unreadable:
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_FINDINGS if failed else EXIT_OK)


@cli.command("rule")
@click.argument("code", required=False)
def rule_command(code: str | None) -> None:
    """Explain rule CODE (e.g. RT301 or base64-invalid-character), or list all rules."""
    if code is None:
        for rule in RULES.values():
            click.echo(f"{rule.code}  {rule.name:<26} {rule.severity.value:<8} {rule.summary}")
        return
    matches = [r for r in RULES.values() if r.code == code.upper() or r.name == code]
    if not matches:
        raise click.BadParameter(
            f"no rule {code!r}; `realtime-validator rule` lists them", param_hint="CODE"
        )
    click.echo(matches[0].page(), nl=False)


@cli.command("schema")
@click.option(
    "--translation",
    is_flag=True,
    help="The translation variant (session.input_audio_buffer.append).",
)
def schema_command(translation: bool) -> None:
    """Print the JSON Schema of the append event."""
    from .event_types import APPEND, TRANSLATION_APPEND
    from .schema import schema_text

    click.echo(schema_text(TRANSLATION_APPEND if translation else APPEND), nl=False)


def main(argv: list[str] | None = None) -> None:
    """Run the command line; exits with 0 (clean), 1 (findings) or 2 (usage or unreadable)."""
    cli.main(args=argv, prog_name="realtime-validator")
