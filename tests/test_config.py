"""``[tool.realtime-validator]``: finding the file, reading each key, and every error."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from validator import RULES
from validator.cli.config import (
    KEYS,
    Config,
    ConfigError,
    find_config,
    load_config,
    parse_table,
    per_file_ignored,
)
from validator.cli.options import FORMAT_NAMES
from validator.engine.options import build_options

FULL = """\
[project]
name = "voice-agent"

[tool.realtime-validator]
select = ["RT3", "RT201"]
ignore = ["audio-empty"]
fail-on = "warning"
audio-format = "g711_ulaw"
max-audio-bytes = 1048576
max-record-bytes = 2097152
format = "sarif"
output = "reports/lint.sarif"

[tool.realtime-validator.per-file-ignores]
"fixtures/invalid/*" = ["RT3"]
"legacy.jsonl" = ["RT402", "RT305"]
"""


def write(path: Path, text: str) -> Path:
    """Write ``text`` to ``path``, making its directories, and return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_full_table(tmp_path: Path) -> None:
    path = write(tmp_path / "pyproject.toml", FULL)
    assert load_config(tmp_path) == Config(
        values={
            "select": ("RT3", "RT201"),
            "ignore": ("audio-empty",),
            "fail_on": "warning",
            "audio_format": "g711_ulaw",
            "max_audio_bytes": 1048576,
            "max_record_bytes": 2097152,
            "output_format": "sarif",
            "output": os.path.join(tmp_path, "reports/lint.sarif"),
        },
        per_file_ignores=(("fixtures/invalid/*", ("RT3",)), ("legacy.jsonl", ("RT402", "RT305"))),
        path=path,
    )


def test_empty_table(tmp_path: Path) -> None:
    path = write(tmp_path / "pyproject.toml", "[tool.realtime-validator]\n")
    assert load_config(tmp_path) == Config(path=path)


def test_no_file_anywhere(tmp_path: Path) -> None:
    if any((d / "pyproject.toml").exists() for d in tmp_path.parents):
        pytest.skip("a pyproject.toml above the temporary directory")
    assert find_config(tmp_path) is None
    assert load_config(tmp_path) == Config()


def test_walks_up_to_the_first_file_with_the_table(tmp_path: Path) -> None:
    outer = write(tmp_path / "pyproject.toml", '[tool.realtime-validator]\nfail-on = "warning"\n')
    write(tmp_path / "a" / "pyproject.toml", '[project]\nname = "no-table"\n')
    deep = tmp_path / "a" / "b" / "c"
    deep.mkdir(parents=True)
    config = load_config(deep)
    assert (config.path, config.get("fail_on")) == (outer, "warning")


def test_nearest_file_wins(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.realtime-validator]\nfail-on = "warning"\n')
    inner = write(
        tmp_path / "a" / "pyproject.toml", '[tool.realtime-validator]\nformat = "github"\n'
    )
    config = load_config(tmp_path / "a")
    assert (config.path, config.get("fail_on"), config.get("output_format")) == (
        inner,
        None,
        "github",
    )


def test_start_may_be_a_file(tmp_path: Path) -> None:
    path = write(tmp_path / "pyproject.toml", '[tool.realtime-validator]\nformat = "junit"\n')
    log = write(tmp_path / "logs" / "a.jsonl", "")
    assert load_config(log).path == path


def test_broken_unrelated_file_on_the_way_is_skipped(tmp_path: Path) -> None:
    outer = write(tmp_path / "pyproject.toml", '[tool.realtime-validator]\nformat = "junit"\n')
    write(tmp_path / "a" / "pyproject.toml", "[project\nname = \n")
    assert load_config(tmp_path / "a").path == outer


def test_broken_file_with_the_table_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path / "pyproject.toml", "[tool.realtime-validator]\nformat = \n")
    with pytest.raises(ConfigError, match=rf"^cannot parse {path}: Invalid value \(at line 2"):
        load_config(tmp_path)


def test_isolated_ignores_files(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", FULL)
    assert load_config(tmp_path, isolated=True) == Config()


def test_isolated_and_explicit_conflict(tmp_path: Path) -> None:
    path = write(tmp_path / "pyproject.toml", FULL)
    with pytest.raises(ConfigError, match=r"^--config and --isolated cannot be used together$"):
        load_config(tmp_path, explicit=path, isolated=True)


def test_explicit_pyproject_wins_over_the_walk(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.realtime-validator]\nformat = "junit"\n')
    chosen = write(
        tmp_path / "elsewhere" / "pyproject.toml", '[tool.realtime-validator]\nformat = "github"\n'
    )
    config = load_config(tmp_path, explicit=chosen)
    assert (config.path, config.get("output_format")) == (chosen, "github")


def test_explicit_dedicated_file_has_top_level_keys(tmp_path: Path) -> None:
    chosen = write(tmp_path / "realtime-validator.toml", 'format = "github"\nignore = ["RT402"]\n')
    config = load_config(tmp_path, explicit=chosen)
    assert (config.path, config.get("output_format"), config.get("ignore")) == (
        chosen,
        "github",
        ("RT402",),
    )


def test_explicit_pyproject_without_table(tmp_path: Path) -> None:
    path = write(tmp_path / "pyproject.toml", '[project]\nname = "x"\n')
    with pytest.raises(ConfigError, match=rf"^{path} has no \[tool.realtime-validator\] table$"):
        load_config(tmp_path, explicit=path)


def test_explicit_missing(tmp_path: Path) -> None:
    path = tmp_path / "nope.toml"
    with pytest.raises(ConfigError, match=rf"^configuration file {path} does not exist$"):
        load_config(tmp_path, explicit=path)


def test_tool_table_not_a_table(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", 'tool.realtime-validator = "strict"\n')
    message = 'tool.realtime-validator must be a table, not string "strict"'
    with pytest.raises(ConfigError, match=f"^{re.escape(message)}$"):
        load_config(tmp_path)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('fail_on = "error"', "unknown key 'fail_on'; did you mean 'fail-on'?"),
        ('selct = ["RT3"]', "unknown key 'selct'; did you mean 'select'?"),
        ("max-audio = 10", "unknown key 'max-audio'; did you mean 'max-audio-bytes'?"),
        ("zzz = 4", "unknown key 'zzz'; valid keys: " + ", ".join(KEYS)),
        ("jobs = -1", "jobs = -1 must be at least 0"),
        ("respect-gitignore = 1", "respect-gitignore must be true or false, not integer 1"),
        ('exclude = "*.log"', 'exclude must be a list of globs, not string "*.log"'),
        ('event-pointer = "event"', "event-pointer = 'event' is not a JSON pointer"),
        ('extend-select = ["RT9"]', "extend-select: no rule matches 'RT9'"),
        ('select = "RT3"', 'select must be a list of strings, not string "RT3"'),
        ("select = [301]", "select must be a list of strings, not array [301]"),
        ('select = ["RT999"]', "select: no rule matches 'RT999'"),
        (
            'ignore = ["RT3", "audio-emtpy"]',
            "ignore: no rule matches 'audio-emtpy'; did you mean 'audio-empty'?",
        ),
        ('fail-on = "fatal"', "fail-on = 'fatal' is not one of 'error', 'warning'"),
        ("fail-on = true", "fail-on must be a string, not boolean true"),
        ('audio-format = "mp3"', "audio-format: unknown audio format 'mp3': use one of "),
        ("audio-format = 16", "audio-format must be a string, not integer 16"),
        ('max-audio-bytes = "15MiB"', 'max-audio-bytes must be an integer, not string "15MiB"'),
        ("max-audio-bytes = 1.5", "max-audio-bytes must be an integer, not float 1.5"),
        ("max-audio-bytes = true", "max-audio-bytes must be an integer, not boolean true"),
        ("max-audio-bytes = -1", "max-audio-bytes = -1 must be at least 0"),
        ("max-record-bytes = 0", "max-record-bytes = 0 must be at least 1"),
        ('format = "xml"', "format = 'xml' is not one of " + ", ".join(map(repr, FORMAT_NAMES))),
        ('output = ""', 'output must be a file name, not string ""'),
        (
            'per-file-ignores = ["RT3"]',
            'per-file-ignores must be a table of glob = [codes], not array ["RT3"]',
        ),
        (
            'per-file-ignores = {"*.json" = "RT3"}',
            "per-file-ignores '*.json' must be a list of strings, not string \"RT3\"",
        ),
        (
            'per-file-ignores = {"*.json" = ["RT9"]}',
            "per-file-ignores '*.json': no rule matches 'RT9'",
        ),
    ],
)
def test_errors(tmp_path: Path, body: str, message: str) -> None:
    path = write(tmp_path / "pyproject.toml", f"[tool.realtime-validator]\n{body}\n")
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    assert str(info.value).startswith(f"[tool.realtime-validator] in {path}: {message}")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("pcm16", "pcm16"),
        ("g711_alaw", "g711_alaw"),
        ("audio/pcmu", "audio/pcmu"),
    ],
)
def test_audio_format_kept_as_written(value: str, expected: str) -> None:
    assert parse_table({"audio-format": value}).get("audio_format") == expected


@pytest.mark.parametrize(
    ("output", "expected"),
    [
        ("-", "-"),
        ("report.xml", "{dir}/report.xml"),
        ("/abs/report.xml", "/abs/report.xml"),
    ],
)
def test_output_is_relative_to_the_file(tmp_path: Path, output: str, expected: str) -> None:
    path = tmp_path / "pyproject.toml"
    config = parse_table({"output": output}, path)
    assert config.get("output") == expected.format(dir=tmp_path)


def test_option_values() -> None:
    config = parse_table(
        {"fail-on": "warning", "format": "github", "max-audio-bytes": 10, "select": ["RT3"]}
    )
    assert config.option_values() == {
        "fail_on": "warning",
        "output_format": "github",
        "max_audio_bytes": 10,
    }
    assert Config().option_values() == {}


ALL = frozenset(RULES)
RT3 = frozenset(c for c in RULES if c.startswith("RT3"))


@pytest.mark.parametrize(
    ("table", "select", "ignore", "expected"),
    [
        ({}, (), (), ALL),
        ({"select": ["RT3"]}, (), (), RT3),
        ({"select": ["RT3"], "ignore": ["RT305"]}, (), (), RT3 - {"RT305"}),
        # the command line's --ignore adds to the file's
        ({"ignore": ["RT305"]}, (), ("RT402",), ALL - {"RT305", "RT402"}),
        ({"select": ["RT3"]}, (), ("audio-empty",), RT3 - {"RT305"}),
        # the command line's --select starts afresh
        ({"select": ["RT3"], "ignore": ["RT305"]}, ("RT305", "RT402"), (), {"RT305", "RT402"}),
        ({"ignore": ["RT4"]}, ("RT4",), ("RT401",), {"RT402", "RT403", "RT404", "RT405"}),
    ],
)
def test_rule_selection_reads_the_file_then_the_command_line(
    table: dict[str, list[str]],
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    expected: frozenset[str],
) -> None:
    config = parse_table(table)
    options = build_options(
        select=select,
        ignore=ignore,
        extend_select=config.get("extend_select", ()),
        extend_ignore=config.get("extend_ignore", ()),
        base_select=config.get("select", ()),
        base_ignore=config.get("ignore", ()),
    )
    assert options.enabled == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("fixtures/invalid/a.json", RT3),
        ("fixtures/invalid/deep/b.jsonl", RT3),
        ("fixtures/valid/a.json", frozenset()),
        ("legacy.jsonl", {"RT402", "RT305"}),
        ("logs/old/legacy.jsonl", {"RT402", "RT305"}),
        ("fixtures/invalid/legacy.jsonl", RT3 | {"RT402"}),
        ("{root}/fixtures/invalid/a.json", RT3),
        ("other.jsonl", frozenset()),
        ("<stdin>", frozenset()),
        ("-", frozenset()),
    ],
)
def test_per_file_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str, expected: frozenset[str]
) -> None:
    write(tmp_path / "pyproject.toml", FULL)
    monkeypatch.chdir(tmp_path)
    config = load_config(tmp_path)
    assert per_file_ignored(config, source.format(root=tmp_path)) == expected


def test_per_file_ignores_relative_to_the_config_not_the_cwd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path / "pyproject.toml", FULL)
    (tmp_path / "fixtures").mkdir()
    monkeypatch.chdir(tmp_path / "fixtures")
    config = load_config(Path.cwd())
    assert per_file_ignored(config, "invalid/a.json") == RT3
    assert per_file_ignored(config, "a.json") == frozenset()


def test_per_file_ignored_without_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert per_file_ignored(Config(), "fixtures/invalid/a.json") == frozenset()
    # a table given without its file: globs are relative to the working directory
    config = parse_table({"per-file-ignores": {"fixtures/*": ["RT3"]}})
    assert per_file_ignored(config, "fixtures/a.json") == RT3
    assert per_file_ignored(config, str(tmp_path / "fixtures/a.json")) == RT3


def test_a_projects_own_pyproject_is_not_parsed(tmp_path: Path) -> None:
    # names the package but holds no table: skipped without a TOML parse (a broken one too)
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "realtime-validator"\n[[[broken')
    assert load_config(tmp_path) == Config()


@pytest.mark.parametrize(
    "text",
    [
        '[tool.realtime-validator]\nfail-on = "warning"\n',
        'tool.realtime-validator.fail-on = "warning"\n',
        '[tool]\nrealtime-validator = { fail-on = "warning" }\n',
        '[tool."realtime-validator"]\nfail-on = "warning"\n',
    ],
)
def test_every_spelling_of_the_table_is_found(tmp_path: Path, text: str) -> None:
    (tmp_path / "pyproject.toml").write_text(text)
    assert load_config(tmp_path).get("fail_on") == "warning"
