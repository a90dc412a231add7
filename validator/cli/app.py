"""The command line: a thin click shell. Options in, one call, exit code out.

A plain ``lint`` line seldom gets here: ``command.main`` reads it without click (see
``argv.py``). Help, the other commands, and every line with something to say about it do.
The defaults and choices below are ``argv.DEFAULTS``'s, so both readings agree on them.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click
from click.core import ParameterSource

from .. import __version__
from ..core.rules import RULES, RULES_BY_NAME, rule_data
from .options import CHOICE, CODES, FLAG, GLOBS, INT, PATH, SPECS, Spec
from .settings import UsageProblem, execute, settle

FC = TypeVar("FC", bound=Callable[..., Any])


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="realtime-validator")
def cli() -> None:
    """Validate OpenAI Realtime API input_audio_buffer.append events and lint traffic logs."""


def _click_option(spec: Spec) -> Callable[[FC], FC]:
    """Return the click option of ``spec``: the same names, kind and default as argv.py's."""
    decls = [*spec.flags, spec.name] if spec.off is None else [f"{spec.flags[0]}/{spec.off}"]
    if spec.off is not None:
        decls.append(spec.name)
    kwargs: dict[str, Any] = {"help": spec.help, "metavar": spec.metavar}
    if spec.kind == FLAG:
        kwargs["is_flag"] = True
        kwargs["default"] = spec.default
    elif spec.kind in (CODES, GLOBS):
        kwargs["multiple"] = True
    else:
        kwargs["default"] = spec.default
        kwargs["show_default"] = spec.default is not None
        if spec.kind == CHOICE:
            kwargs["type"] = click.Choice(spec.choices)
        elif spec.kind == INT:
            kwargs["type"] = click.IntRange(min=spec.minimum)
        elif spec.kind == PATH:
            # a str: load_config makes the Path (pathlib is not cheap)
            kwargs["type"] = click.Path(dir_okay=spec.dir_okay, allow_dash=spec.dash)
    return click.option(*decls, **kwargs)


def _lint_options(command: FC) -> FC:
    for spec in reversed(SPECS):  # decorators apply bottom up: --help lists them in order
        command = _click_option(spec)(command)
    return command


@cli.command("lint", short_help="Lint captures and event files: JSONL, JSON, HAR, gzip.")
@click.argument("paths", nargs=-1, type=click.Path(allow_dash=True, readable=False))
@_lint_options
@click.pass_context
def lint_command(ctx: click.Context, /, **values: Any) -> None:
    """Lint JSONL logs, JSON event files and HAR captures (PATH '-': standard input; none:
    '.' on a terminal, else standard input)."""
    given = frozenset(
        name
        for name in values
        if name != "paths" and ctx.get_parameter_source(name) is not ParameterSource.DEFAULT
    )
    try:
        settings = settle(values, given)
    except UsageProblem as exc:
        if exc.config:  # the file is to blame, not the line: no usage banner (exit 2)
            click.echo(f"realtime-validator: error: {exc}", err=True)
            sys.exit(2)
        if exc.param_hint is None:
            raise click.UsageError(str(exc)) from exc
        raise click.BadParameter(str(exc), param_hint=exc.param_hint) from exc
    sys.exit(execute(settings))


@cli.command("rule", short_help="Explain a rule, or list them all.")
@click.argument("code", required=False)
@click.option("--all", "every", is_flag=True, help="Every rule's whole page.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(("text", "json")),
    default="text",
    show_default=True,
    help="json: the catalogue as data, for editors and docs.",
)
def rule_command(code: str | None, every: bool, output_format: str) -> None:
    """Explain a rule, by code or name (RT301, base64-invalid-character), or list them all."""
    if code is not None and every:
        raise click.UsageError("give a rule CODE or --all, not both")
    chosen = list(RULES.values())
    if code is not None:
        found = RULES.get(code.upper()) or RULES_BY_NAME.get(code)
        if found is None:
            raise click.BadParameter(
                f"no rule {code!r}; `realtime-validator rule` lists them", param_hint="CODE"
            )
        chosen = [found]
    if output_format == "json":
        import json

        pages = [rule_data(rule) for rule in chosen]
        click.echo(json.dumps(pages if code is None else pages[0], indent=2, ensure_ascii=False))
        return
    if every:
        click.echo("\n".join(rule.page() for rule in chosen), nl=False)
        return
    if code is None:
        for rule in RULES.values():
            click.echo(f"{rule.code}  {rule.name:<26} {rule.severity.value:<8} {rule.summary}")
        return
    click.echo(chosen[0].page(), nl=False)


@cli.command("schema")
@click.argument("event_type", metavar="[TYPE]", required=False)
@click.option(
    "--api",
    type=click.Choice(["ga", "beta"]),
    help="The API version's schema (default: GA where the type has one).",
)
@click.option(
    "--translation",
    is_flag=True,
    help="A translation session's schema (session.input_audio_buffer.append by default).",
)
def schema_command(event_type: str | None, api: str | None, translation: bool) -> None:
    """Print the JSON Schema of a client event type (the append's by default)."""
    from ..check.schema import SCHEMA_FILES, schema_text
    from ..check.spec import SPEC_APIS, spec_schema_text
    from ..core.event_types import (
        APPEND,
        SERVER_EVENT_TYPES,
        TRANSLATION_APPEND,
        closest_event_type,
    )

    if event_type is None or (translation and event_type == APPEND):
        event_type = TRANSLATION_APPEND if translation else APPEND
    if event_type in SCHEMA_FILES:  # the appends, commit and clear: the linter's own schema
        click.echo(schema_text(event_type), nl=False)
        return
    apis = SPEC_APIS.get(event_type)
    if apis is None:
        if event_type in SERVER_EVENT_TYPES:
            why = "is a server event: only client events have schemas"
        else:
            guess = closest_event_type(event_type)
            why = "is no client event type" + (f"; did you mean {guess!r}?" if guess else "")
        raise click.BadParameter(f"{event_type!r} {why}", param_hint="TYPE")
    chosen = "translation" if translation else (api or apis[0])
    if chosen not in apis:
        names = ", ".join("GA" if a == "ga" else a for a in apis)
        raise click.BadParameter(
            f"{event_type} has no {'GA' if chosen == 'ga' else chosen} schema (it has: {names})",
            param_hint="--api" if api else "--translation",
        )
    click.echo(spec_schema_text(chosen, event_type), nl=False)


def _listen(ctx: click.Context, param: click.Parameter, value: str) -> tuple[str, int]:
    from .proxying import parse_listen

    try:
        return parse_listen(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc


def _upstream(ctx: click.Context, param: click.Parameter, value: str) -> str:
    from .proxying import check_upstream

    try:
        return check_upstream(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc


@cli.command("proxy", short_help="Relay live Realtime traffic, checking and recording it.")
@click.option(
    "--listen", required=True, metavar="HOST:PORT", callback=_listen, help="Where to listen."
)
@click.option(
    "--upstream",
    required=True,
    metavar="URL",
    callback=_upstream,
    help="The server to relay to (wss://api.openai.com); the client's path and query follow.",
)
@click.option(
    "--record",
    "record_dir",
    type=click.Path(file_okay=False),
    metavar="DIR",
    help="Write one capture per connection here (lint it with --event-pointer /event).",
)
@click.option(
    "--block", is_flag=True, help="Answer events the server would reject with its error event."
)
def proxy_command(
    listen: tuple[str, int], upstream: str, record_dir: str | None, block: bool
) -> None:
    """Relay WebSocket traffic to a Realtime server, printing findings as they happen."""
    from .proxying import run_proxy

    sys.exit(run_proxy(listen, upstream, record_dir, block))


def main(argv: list[str] | None = None) -> None:
    """Run the click command line (``command.main`` is the entry point and comes here for
    any line it does not read itself); exits with 0, 1 or 2, as ``command.main``."""
    # What is imported by now lives until exit: the garbage collector need not walk it again,
    # neither during the run nor in the collection at exit (5 ms of a 50 ms start, measured),
    # and forked --jobs workers do not copy its pages by touching it.
    gc.freeze()
    cli.main(args=argv, prog_name="realtime-validator")
