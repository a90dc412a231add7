"""``RunSettings``: everything one run of ``lint`` needs, settled from argv and configuration."""

from collections.abc import Callable
from typing import NamedTuple

from ..engine.options import Options


class RunSettings(NamedTuple):  # not a dataclass: making one costs a millisecond of start-up
    """Everything a run needs, settled from the command line and the configuration."""

    paths: tuple[str, ...]
    options: Options
    output_format: str = "text"
    output: str | None = None
    fail_on: str = "error"
    statistics: bool = False
    quiet: bool = False
    event_pointer: str | None = None
    jobs: int = 1  # 0: every core this process may run on
    dask: str | None = None  # a Dask scheduler's address, or "local": lint on that cluster
    progress: bool = False  # a progress line on err for large inputs (a terminal, not CI)
    # each input's options, from the configuration nearest it (may raise ConfigError)
    options_for: Callable[[str], Options] | None = None
    extend_include: tuple[str, ...] = ()  # globs of more file names that directory walks take
    exclude: tuple[str, ...] = ()  # globs of files and folders that directory walks skip
    exclude_base: str | None = None  # where an exclude glob with a '/' starts from
    respect_gitignore: bool = True  # directory walks skip what .gitignore files ignore
    exit_zero: bool = False  # findings do not make the exit code 1
    stdin_name: str | None = None  # the name standard input's findings carry
    fix: bool = False  # fix what can be fixed first (validator.fix), then lint what is left
    diff: bool = False  # show the fixes as a unified diff instead, and write nothing
    unsafe_fixes: bool = False  # also the fixes that change the audio or the event
    show_fixes: bool = False  # list the fixes applied, by file and rule
