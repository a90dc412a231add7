"""The command line: a thin click shell. Options in, one call, exit code out.

A plain ``lint`` line seldom gets here: ``command.main`` reads it without click (see
``argv.py``). Help, the other commands, and every line with something to say about it do.
The defaults and choices below are ``argv.DEFAULTS``'s, so both readings agree on them.
"""

from __future__ import annotations

import gc
import sys
from typing import Any

import click
from click.core import ParameterSource

from . import __version__
from .argv import DEFAULTS, FAIL_ON, FORMAT_NAMES
from .command import UsageProblem, execute, settle
from .formats import ACCEPTED_SPELLINGS
from .rules import RULES, RULES_BY_NAME


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="realtime-validator")
def cli() -> None:
    """Validate OpenAI Realtime API input_audio_buffer.append events and lint traffic logs."""


@cli.command("lint", short_help="Lint captures and event files: JSONL, JSON, HAR, gzip.")
@click.argument("paths", nargs=-1, type=click.Path(allow_dash=True, readable=False))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(FORMAT_NAMES),
    default=DEFAULTS["output_format"],
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
    type=click.Choice(FAIL_ON),
    default=DEFAULTS["fail_on"],
    show_default=True,
    help="Exit 1 when a finding of this severity or worse is found.",
)
@click.option(
    "--audio-format",
    default=DEFAULTS["audio_format"],
    show_default=True,
    metavar="|".join(ACCEPTED_SPELLINGS),
    help="Input audio format at the start of each log (session events change it).",
)
@click.option(
    "--max-audio-bytes",
    type=click.IntRange(min=0),
    default=DEFAULTS["max_audio_bytes"],
    show_default=True,
    help="Largest decoded audio of one append.",
)
@click.option(
    "--max-record-bytes",
    type=click.IntRange(min=1),
    default=DEFAULTS["max_record_bytes"],
    show_default=True,
    help="Largest record; longer ones are skipped unread (RT105).",
)
@click.option(
    "--event-pointer",
    metavar="POINTER",
    help="Read the event at this JSON pointer inside each record (e.g. /event).",
)
@click.option(
    "--extend-include",
    multiple=True,
    metavar="GLOBS",
    help="Also walk files matching these globs, e.g. '*.log' (comma-separated, repeatable).",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=DEFAULTS["jobs"],
    show_default=True,
    help="Processes for large JSONL inputs (the same findings, in the same order).",
)
@click.option("--statistics", is_flag=True, help="Show counts by rule, audio totals and per file.")
@click.option("--quiet", "-q", is_flag=True, help="No summary or progress line on standard error.")
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),  # a str: load_config makes the Path (pathlib is not cheap)
    help="Read options from this pyproject.toml (or TOML file) instead of searching.",
)
@click.option("--isolated", is_flag=True, help="Ignore all configuration files.")
@click.pass_context
def lint_command(ctx: click.Context, /, **values: Any) -> None:
    """Lint JSONL logs, JSON event files and HAR captures (PATH '-' or none: standard input)."""
    given = frozenset(
        name
        for name in values
        if name != "paths" and ctx.get_parameter_source(name) is not ParameterSource.DEFAULT
    )
    try:
        settings = settle(values, given)
    except UsageProblem as exc:
        if exc.param_hint is None:
            raise click.UsageError(str(exc)) from exc
        raise click.BadParameter(str(exc), param_hint=exc.param_hint) from exc
    sys.exit(execute(settings))


@cli.command("rule", short_help="Explain a rule, or list them all.")
@click.argument("code", required=False)
def rule_command(code: str | None) -> None:
    """Explain a rule, by code or name (RT301, base64-invalid-character), or list them all."""
    if code is None:
        for rule in RULES.values():
            click.echo(f"{rule.code}  {rule.name:<26} {rule.severity.value:<8} {rule.summary}")
        return
    found = RULES.get(code.upper()) or RULES_BY_NAME.get(code)
    if found is None:
        raise click.BadParameter(
            f"no rule {code!r}; `realtime-validator rule` lists them", param_hint="CODE"
        )
    click.echo(found.page(), nl=False)


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
    """Run the click command line (``command.main`` is the entry point and comes here for
    any line it does not read itself); exits with 0, 1 or 2, as ``command.main``."""
    # What is imported by now lives until exit: the garbage collector need not walk it again,
    # neither during the run nor in the collection at exit (5 ms of a 50 ms start, measured),
    # and forked --jobs workers do not copy its pages by touching it.
    gc.freeze()
    cli.main(args=argv, prog_name="realtime-validator")
