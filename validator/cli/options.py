"""The ``lint`` command's options, each declared once: flags, kind, default, help, config key.

Everything else is made from this table: the click-free reader's option table and defaults
(``argv.py``), the click command's options (``cli.py``), and the keys of
``[tool.realtime-validator]`` with their checks (``config.py``). An option added here is an
option of both command-line readings and, where it has a ``key``, of the configuration file.
``tests/test_argv.py`` holds the two readings equal; ``tests/test_readme.py`` holds README's
option and key tables to this one.
"""

from typing import Any, NamedTuple

from ..check.audio import MAX_AUDIO_BYTES
from ..core.formats import ACCEPTED_SPELLINGS
from ..core.record import DEFAULT_MAX_RECORD_BYTES
from ..report import REPORTER_BY_NAME

FORMAT_NAMES = tuple(sorted(REPORTER_BY_NAME))
FAIL_ON = ("error", "warning")

# kinds of value
FLAG = "flag"  # no value: True when given (or False, for the second of a pair of flags)
CHOICE = "choice"  # one of ``choices``
INT = "int"  # an integer of at least ``minimum``
TEXT = "text"  # any string
PATH = "path"  # a file name; one that exists must be readable and, unless ``dir_okay``, a file
CODES = "codes"  # rule codes, prefixes or names: comma-separated, repeatable
GLOBS = "globs"  # file-name globs: comma-separated, repeatable


class Spec(NamedTuple):
    """One option of ``lint``."""

    name: str  # the parameter's name (click's): the key of the values read
    flags: tuple[str, ...]  # "--format", or "--output", "-o"
    kind: str
    default: Any
    help: str
    metavar: str | None = None
    choices: tuple[str, ...] = ()
    minimum: int = 0
    dir_okay: bool = True
    dash: bool = False  # a path that may be "-" (standard output)
    off: str | None = None  # a flag's opposite ("--no-respect-gitignore"), which gives False
    key: str | None = None  # its key in [tool.realtime-validator], where it may be configured
    alias: str | None = None  # another key for it: ruff's name ("output-format")

    @property
    def multiple(self) -> bool:
        """Return True when the option may be given again and again (lists of values)."""
        return self.kind in (CODES, GLOBS)

    @property
    def keys(self) -> tuple[str, ...]:
        """Return its keys in the configuration: its own, then its alias."""
        return tuple(key for key in (self.key, self.alias) if key is not None)


SPECS: tuple[Spec, ...] = (
    Spec("output_format", ("--format", "--output-format"), CHOICE, "text",
         "Output format (--output-format: ruff's name).",
         choices=FORMAT_NAMES, key="format", alias="output-format"),
    Spec("output", ("--output", "-o"), PATH, None,
         "Write findings to FILE instead of standard output (never over an input).",
         dir_okay=False, dash=True, key="output"),
    Spec("select", ("--select",), CODES, (),
         "Only these rule codes, prefixes or names (comma-separated, repeatable).",
         metavar="CODES", key="select"),
    Spec("ignore", ("--ignore",), CODES, (),
         "Not these rule codes, prefixes or names (comma-separated, repeatable).",
         metavar="CODES", key="ignore"),
    Spec("extend_select", ("--extend-select",), CODES, (),
         "These rules too, on top of --select or the configuration's.", metavar="CODES",
         key="extend-select"),
    Spec("extend_ignore", ("--extend-ignore",), CODES, (),
         "Not these rules either, on top of --ignore or the configuration's.", metavar="CODES",
         key="extend-ignore"),
    Spec("fail_on", ("--fail-on",), CHOICE, "error",
         "Exit 1 when a finding of this severity or worse is found.", choices=FAIL_ON,
         key="fail-on"),
    Spec("exit_zero", ("--exit-zero",), FLAG, False,
         "Exit 0 even with findings (errors of usage or reading still exit 2)."),
    Spec("audio_format", ("--audio-format",), TEXT, "pcm16",
         "Input audio format at the start of each log (session events change it).",
         metavar="|".join(ACCEPTED_SPELLINGS),
         key="audio-format"),
    Spec("max_audio_bytes", ("--max-audio-bytes",), INT, MAX_AUDIO_BYTES,
         "Largest decoded audio of one append.", key="max-audio-bytes"),
    Spec("max_record_bytes", ("--max-record-bytes",), INT, DEFAULT_MAX_RECORD_BYTES,
         "Largest record; longer ones are skipped unread (RT105).", minimum=1,
         key="max-record-bytes"),
    Spec("event_pointer", ("--event-pointer",), TEXT, None,
         "Read the event at this JSON pointer inside each record (e.g. /event).",
         metavar="POINTER", key="event-pointer"),
    Spec("extend_include", ("--extend-include",), GLOBS, (),
         "Also walk files matching these globs, e.g. '*.log' (comma-separated, repeatable).",
         metavar="GLOBS", key="extend-include"),
    Spec("exclude", ("--exclude",), GLOBS, (),
         "Skip files and folders matching these globs (comma-separated, repeatable).",
         metavar="GLOBS", key="exclude"),
    Spec("extend_exclude", ("--extend-exclude",), GLOBS, (),
         "Skip these too, on top of --exclude or the configuration's.", metavar="GLOBS",
         key="extend-exclude"),
    Spec("respect_gitignore", ("--respect-gitignore",), FLAG, True,
         "Skip in directory walks what .gitignore files ignore (the default).",
         off="--no-respect-gitignore", key="respect-gitignore"),
    Spec("stdin_filename", ("--stdin-filename",), TEXT, None,
         "The name standard input's findings carry (and per-file ignores match).",
         metavar="NAME"),
    Spec("jobs", ("--jobs", "-j"), INT, 1,
         "Processes: inputs spread over them, large JSONL inputs split (0: every core; the "
         "same findings, in the same order).",
         minimum=0, key="jobs"),
    Spec("dask", ("--dask",), TEXT, None,
         "Lint on a Dask cluster: a scheduler's address (tcp://host:8786), or 'local' for "
         "this machine's cores (the [dask] extra).",
         metavar="ADDRESS|local"),
    Spec("statistics", ("--statistics",), FLAG, False,
         "Show counts by rule, audio totals and per file."),
    Spec("quiet", ("--quiet", "-q"), FLAG, False,
         "No summary or progress line on standard error."),
    Spec("fix", ("--fix",), FLAG, False,
         "Fix what can be fixed (in place, atomically), then report what is left.",
         off="--no-fix", key="fix"),
    Spec("diff", ("--diff",), FLAG, False,
         "Show the fixes as a unified diff and write nothing (exit 1 when there are any, or "
         "when findings would be left)."),
    Spec("unsafe_fixes", ("--unsafe-fixes",), FLAG, False,
         "Also apply the fixes that change the audio or the event (with --fix or --diff).",
         off="--no-unsafe-fixes", key="unsafe-fixes"),
    Spec("show_fixes", ("--show-fixes",), FLAG, False,
         "List the fixes applied (or, with --diff, that would be), by file and rule.",
         off="--no-show-fixes", key="show-fixes"),
    Spec("config_path", ("--config",), PATH, None,
         "Read options from this pyproject.toml (or TOML file) instead of searching.",
         dir_okay=False),
    Spec("isolated", ("--isolated",), FLAG, False, "Ignore all configuration files."),
)  # fmt: skip

SPEC_BY_NAME = {spec.name: spec for spec in SPECS}
DEFAULTS: dict[str, Any] = {"paths": (), **{spec.name: spec.default for spec in SPECS}}
"""Every parameter of ``lint`` and its default, by parameter name."""
