"""The CI formats: sarif, github and junit, through the reporters, the CLI and the command."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from validator import RULES, __version__
from validator.cli.app import cli
from validator.core.install import REPOSITORY
from validator.core.statistics import Statistics
from validator.core.violation import Violation
from validator.report import REPORTER_BY_NAME, Reporter
from validator.report.common import display_path
from validator.report.github import GithubReporter, escape_data, escape_property
from validator.report.junit import JunitReporter
from validator.report.sarif import FINGERPRINT_KEY, SarifReporter

SARIF_SCHEMA = Path(__file__).resolve().parent / "data" / "sarif" / "sarif-schema-2.1.0.json"

GOOD = '{"type": "input_audio_buffer.append", "event_id": "evt_1", "audio": "AAABAAIA"}\n'
BAD = (
    '{"type": "input_audio_buffer.append", "event_id": "evt_2", "audio": "AAA-AAAA"}\n'
    '{"type": "input_audio_buffer.append", "audio": ""}\n'
)
RT301_MESSAGE = (
    "audio is not valid base64: '-' at index 3; this looks like URL-safe base64 ('-' and '_'): "
    "use the standard alphabet (base64.b64encode, not urlsafe_b64encode), or replace '-' with "
    "'+' and '_' with '/'"
)
RT305_MESSAGE = "audio is empty: the append adds nothing to the input buffer; skip empty chunks"

V301 = Violation(
    "RT301",
    "bad character '-'",
    "/audio",
    "logs/a.jsonl",
    3,
    40,
    "evt_1",
    "input_audio_buffer.append",
)
V305 = Violation("RT305", "audio is empty", "/audio", "logs/a.jsonl", 4, 9)


def run(
    reporter_class: type[Reporter],
    violations: list[Violation],
    statistics: Statistics | None = None,
    *,
    sources: tuple[str, ...] = (),
    show_statistics: bool = False,
) -> str:
    """Return what a reporter writes for ``violations``."""
    out = io.StringIO()
    reporter = reporter_class(out, show_statistics=show_statistics)
    for name in sources:
        reporter.note_source(name)  # type: ignore[attr-defined]
    reporter.start()
    for v in violations:
        reporter.report(v)
    reporter.finish(statistics or Statistics())
    return out.getvalue()


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory with one log with findings and one without."""
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "bad.jsonl").write_text(BAD, encoding="utf-8")
    (tmp_path / "logs" / "good.jsonl").write_text(GOOD, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_registered() -> None:
    assert REPORTER_BY_NAME["sarif"] is SarifReporter
    assert REPORTER_BY_NAME["github"] is GithubReporter
    assert REPORTER_BY_NAME["junit"] is JunitReporter


# -- github ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "data", "prop"),
    [
        ("plain", "plain", "plain"),
        ("100%", "100%25", "100%25"),
        ("a\r\nb", "a%0D%0Ab", "a%0D%0Ab"),
        ("a:b,c", "a:b,c", "a%3Ab%2Cc"),
        ("%0A", "%250A", "%250A"),
        ("::error::x", "::error::x", "%3A%3Aerror%3A%3Ax"),
    ],
)
def test_github_escaping(text: str, data: str, prop: str) -> None:
    assert escape_data(text) == data
    assert escape_property(text) == prop


@pytest.mark.parametrize(
    ("violation", "expected"),
    [
        (
            V301,
            "::error file=logs/a.jsonl,line=3,col=40,title=RT301 base64-invalid-character"
            "::bad character '-'",
        ),
        (V305, "::warning file=logs/a.jsonl,line=4,col=9,title=RT305 audio-empty::audio is empty"),
        (
            Violation("RT101", "cut\nshort: 50%", "", "a,b:c.jsonl", 1),
            "::error file=a%2Cb%3Ac.jsonl,line=1,title=RT101 invalid-json::cut%0Ashort: 50%25",
        ),
        (
            Violation("RT105", "too large", "", "big.jsonl"),
            "::error file=big.jsonl,title=RT105 record-too-large::too large",
        ),
        (
            Violation("RT201", "no type", "", "<stdin>", 2, 1),
            "::error file=<stdin>,line=2,col=1,title=RT201 missing-property::no type",
        ),
        (
            Violation("RT203", "unknown property 'x'", "/x"),
            "::error title=RT203 unknown-property::unknown property 'x'",
        ),
    ],
)
def test_github_command(violation: Violation, expected: str) -> None:
    assert run(GithubReporter, [violation]) == expected + "\n"


def test_github_statistics_are_not_in_the_commands() -> None:
    # the command writes them to standard error, where they are plain log lines
    stats = Statistics()
    stats.findings_by_rule.update({"RT305": 2, "RT301": 1})
    assert run(GithubReporter, [], stats, show_statistics=True) == ""
    assert GithubReporter.statistics_in_output is False


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("logs/a.jsonl", "logs/a.jsonl"),
        ("./logs/../logs/a.jsonl", "logs/a.jsonl"),
        ("{cwd}/logs/a.jsonl", "logs/a.jsonl"),
        ("/elsewhere/a.jsonl", "/elsewhere/a.jsonl"),
        ("../up.jsonl", "../up.jsonl"),
        ("<stdin>", "<stdin>"),
    ],
)
def test_display_path(tmp_path: Path, source: str, expected: str) -> None:
    cwd = tmp_path / "repo"
    assert display_path(source.format(cwd=cwd), str(cwd)) == expected


# -- sarif ----------------------------------------------------------------------------------


def sarif_log(
    violations: list[Violation], statistics: Statistics | None = None, **kwargs: Any
) -> dict[str, Any]:
    """Return the SARIF log a SarifReporter writes, parsed."""
    document: dict[str, Any] = json.loads(run(SarifReporter, violations, statistics, **kwargs))
    return document


def assert_valid_sarif(document: dict[str, Any]) -> None:
    """Validate against the OASIS schema (a copy in tests/data: see its README)."""
    import jsonschema

    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]


def test_sarif_document(project: Path) -> None:
    document = sarif_log([V301, V305])
    assert_valid_sarif(document)
    assert document["$schema"].endswith("sarif-schema-2.1.0.json")
    assert document["version"] == "2.1.0"
    (run_,) = document["runs"]
    driver = run_["tool"]["driver"]
    assert driver["name"] == "realtime-validator"
    assert driver["version"] == __version__
    assert driver["informationUri"] == REPOSITORY  # the project's home: it is on no index
    assert [r["id"] for r in driver["rules"]] == list(RULES)
    assert run_["invocations"] == [{"executionSuccessful": True}]
    assert run_["originalUriBaseIds"] == {"%SRCROOT%": {"uri": project.as_uri() + "/"}}
    assert run_["columnKind"] == "unicodeCodePoints"
    first = run_["results"][0]
    assert first == {
        "ruleId": "RT301",
        "ruleIndex": list(RULES).index("RT301"),
        "level": "error",
        "message": {"text": "bad character '-'"},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": "logs/a.jsonl", "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": 3, "startColumn": 40},
                }
            }
        ],
        "partialFingerprints": {FINGERPRINT_KEY: first["partialFingerprints"][FINGERPRINT_KEY]},
        "properties": {
            "pointer": "/audio",
            "eventId": "evt_1",
            "eventType": "input_audio_buffer.append",
        },
    }
    assert run_["results"][1]["level"] == "warning"
    for result in run_["results"]:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]


@pytest.mark.parametrize("code", list(RULES))
def test_sarif_rule_descriptor(code: str) -> None:
    rule = RULES[code]
    descriptor = sarif_log([])["runs"][0]["tool"]["driver"]["rules"][list(RULES).index(code)]
    assert descriptor == {
        "id": code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": " ".join(rule.explanation.split())},
        "help": {"text": rule.page()},
        "defaultConfiguration": {"level": rule.severity.value},
    }


@pytest.mark.parametrize(
    ("source", "artifact"),
    [
        ("logs/a.jsonl", {"uri": "logs/a.jsonl", "uriBaseId": "%SRCROOT%"}),
        ("{cwd}/logs/a.jsonl", {"uri": "logs/a.jsonl", "uriBaseId": "%SRCROOT%"}),
        (
            "logs/my capture#1.jsonl",
            {"uri": "logs/my%20capture%231.jsonl", "uriBaseId": "%SRCROOT%"},
        ),
        ("logs/café.jsonl", {"uri": "logs/caf%C3%A9.jsonl", "uriBaseId": "%SRCROOT%"}),
        ("/elsewhere/a.jsonl", {"uri": "/elsewhere/a.jsonl"}),
        ("<stdin>", {"uri": "<stdin>"}),
    ],
)
def test_sarif_artifact_uri(project: Path, source: str, artifact: dict[str, str]) -> None:
    v = Violation("RT305", "audio is empty", "/audio", source.format(cwd=project), 1, 2)
    result = sarif_log([v])["runs"][0]["results"][0]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"] == artifact


@pytest.mark.parametrize(
    ("line", "column", "region"),
    [
        (3, 40, {"startLine": 3, "startColumn": 40}),
        (3, None, {"startLine": 3}),
        (None, None, None),
        (None, 5, None),
    ],
)
def test_sarif_region(
    project: Path, line: int | None, column: int | None, region: dict[str, int] | None
) -> None:
    v = Violation("RT101", "broken", "", "a.jsonl", line, column)
    document = sarif_log([v])
    assert_valid_sarif(document)
    physical = document["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert physical.get("region") == region


def test_sarif_without_source_has_no_location() -> None:
    result = sarif_log([Violation("RT305", "audio is empty", "/audio")])["runs"][0]["results"][0]
    assert "locations" not in result


def fingerprints(violations: list[Violation]) -> list[str]:
    """Return the fingerprints of ``violations`` in one run."""
    results = sarif_log(violations)["runs"][0]["results"]
    return [r["partialFingerprints"][FINGERPRINT_KEY] for r in results]


def test_sarif_fingerprint_ignores_lines(project: Path) -> None:
    moved = Violation("RT301", V301.message, V301.pointer, V301.source, 90, 1, V301.event_id)
    assert fingerprints([V301]) == fingerprints([moved])
    assert fingerprints([V301])[0].endswith(":1")


@pytest.mark.parametrize(
    "change",
    [
        {"rule": "RT302"},
        {"message": "other"},
        {"pointer": "/x"},
        {"source": "logs/b.jsonl"},
        {"event_id": "evt_9"},
    ],
)
def test_sarif_fingerprint_depends_on(project: Path, change: dict[str, str]) -> None:
    from dataclasses import replace

    assert fingerprints([V301]) != fingerprints([replace(V301, **change)])  # type: ignore[arg-type]


def test_sarif_equal_findings_are_numbered(project: Path) -> None:
    a = Violation("RT101", "cut short", "", "a.jsonl", 1, 1)
    b = Violation("RT101", "cut short", "", "a.jsonl", 7, 1)
    first, second = fingerprints([a, b])
    assert first.split(":")[0] == second.split(":")[0]
    assert (first[-2:], second[-2:]) == (":1", ":2")


def test_sarif_unreadable_and_statistics() -> None:
    stats = Statistics(files=2, unreadable=["missing.jsonl"])
    document = sarif_log([], stats, show_statistics=True)
    assert_valid_sarif(document)
    (invocation,) = document["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False
    assert invocation["toolExecutionNotifications"] == [
        {"level": "error", "message": {"text": "cannot read missing.jsonl"}}
    ]
    assert document["runs"][0]["properties"]["statistics"]["files"] == 2


def test_sarif_undecodable_file_name(project: Path) -> None:
    name = os.fsdecode(b"logs/\xff.jsonl")
    document = sarif_log([Violation("RT305", "empty", "/audio", name, 1, 1)])
    uri = document["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert uri["artifactLocation"]["uri"] == "logs/%5Cudcff.jsonl"


# -- junit ----------------------------------------------------------------------------------

JUNIT_EXPECTED = """\
<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="realtime-validator" tests="3" failures="2" errors="0">
  <testsuite name="logs/a.jsonl" tests="2" failures="2" errors="0">
    <testcase name="RT301 base64-invalid-character" classname="logs/a.jsonl:3:40" \
file="logs/a.jsonl" line="3">
      <failure message="bad character '-'" type="error">logs/a.jsonl:3:40: RT301 bad \
character '-'
pointer: /audio
event_id: evt_1</failure>
    </testcase>
    <testcase name="RT305 audio-empty" classname="logs/a.jsonl:4:9" file="logs/a.jsonl" \
line="4">
      <failure message="audio is empty" type="warning">logs/a.jsonl:4:9: RT305 audio is empty
pointer: /audio</failure>
    </testcase>
  </testsuite>
  <testsuite name="logs/clean.jsonl" tests="1" failures="0" errors="0">
    <testcase name="no findings" classname="logs/clean.jsonl" file="logs/clean.jsonl" />
  </testsuite>
</testsuites>
"""


def test_junit_exact() -> None:
    out = run(JunitReporter, [V301, V305], sources=("logs/a.jsonl", "logs/clean.jsonl"))
    assert out == JUNIT_EXPECTED


def parse_junit(text: str, tmp_path: Path) -> Any:
    """Return the document parsed by junitparser."""
    junitparser = pytest.importorskip("junitparser")
    path = tmp_path / "report.xml"
    path.write_text(text, encoding="utf-8")
    return junitparser.JUnitXml.fromfile(str(path))


@pytest.mark.parametrize(
    ("violations", "sources", "unreadable", "suites"),
    [
        ([], (), [], {}),
        ([], ("a.jsonl",), [], {"a.jsonl": (1, 0, 0)}),
        ([V301, V305], (), [], {"logs/a.jsonl": (2, 2, 0)}),
        ([V301], ("x.json", "logs/a.jsonl"), [], {"x.json": (1, 0, 0), "logs/a.jsonl": (1, 1, 0)}),
        ([], ("x.json",), ["gone.jsonl"], {"x.json": (1, 0, 0), "gone.jsonl": (1, 0, 1)}),
        ([Violation("RT305", "empty", "/audio")], (), [], {"<event>": (1, 1, 0)}),
    ],
)
def test_junit_counts(
    tmp_path: Path,
    violations: list[Violation],
    sources: tuple[str, ...],
    unreadable: list[str],
    suites: dict[str, tuple[int, int, int]],
) -> None:
    xml = parse_junit(
        run(JunitReporter, violations, Statistics(unreadable=unreadable), sources=sources), tmp_path
    )
    assert xml.name == "realtime-validator"
    got = {suite.name: (suite.tests, suite.failures, suite.errors) for suite in xml}
    assert got == suites
    assert xml.tests == sum(t for t, _, _ in suites.values())
    assert xml.failures == sum(f for _, f, _ in suites.values())
    assert xml.errors == sum(e for _, _, e in suites.values())


def test_junit_note_source_twice_is_one_suite() -> None:
    reporter = JunitReporter(io.StringIO())
    reporter.note_source("a.jsonl")
    reporter.note_source("a.jsonl")
    reporter.report(Violation("RT305", "empty", "/audio", "a.jsonl", 1, 1))
    assert reporter.sources == ["a.jsonl"]


def test_junit_control_characters(tmp_path: Path) -> None:
    v = Violation(
        "RT101",
        'bad byte \x00 and \x1b, <tag> & "q"',
        "",
        "a.jsonl",
        1,
        1,
        event_id=os.fsdecode(b"\xff"),
    )
    xml = parse_junit(run(JunitReporter, [v]), tmp_path)
    (case,) = list(next(iter(xml)))
    (failure,) = case.result
    assert failure.message == 'bad byte \\x00 and \\x1b, <tag> & "q"'
    assert failure.type == "error"
    assert failure.text.endswith("event_id: \\udcff")


# -- through the CLI ------------------------------------------------------------------------


def invoke(*args: str, input: str | None = None) -> Any:
    """Run ``realtime-validator lint`` in-process."""
    return CliRunner().invoke(cli, ["lint", "--quiet", *args], input=input)


def test_cli_sarif(project: Path) -> None:
    result = invoke("--format", "sarif", "logs")
    assert result.exit_code == 1, result.output
    document = json.loads(result.stdout)
    assert_valid_sarif(document)
    results = document["runs"][0]["results"]
    assert [(r["ruleId"], r["level"], r["message"]["text"]) for r in results] == [
        ("RT301", "error", RT301_MESSAGE),
        ("RT305", "warning", RT305_MESSAGE),
    ]
    assert [r["locations"][0]["physicalLocation"] for r in results] == [
        {
            "artifactLocation": {"uri": "logs/bad.jsonl", "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": 1, "startColumn": 73},
        },
        {
            "artifactLocation": {"uri": "logs/bad.jsonl", "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": 2, "startColumn": 48},
        },
    ]


def test_cli_sarif_stdin(project: Path) -> None:
    result = invoke("--format", "sarif", "-", input=BAD)
    assert result.exit_code == 1, result.output
    results = json.loads(result.stdout)["runs"][0]["results"]
    assert results[0]["locations"][0]["physicalLocation"]["artifactLocation"] == {"uri": "<stdin>"}


def test_cli_sarif_fingerprints_survive_moved_lines(project: Path) -> None:
    before = json.loads(invoke("--format", "sarif", "logs/bad.jsonl").stdout)
    (project / "logs" / "bad.jsonl").write_text(GOOD + "\n" + BAD, encoding="utf-8")
    after = json.loads(invoke("--format", "sarif", "logs/bad.jsonl").stdout)

    def keys(document: dict[str, Any]) -> list[tuple[int, str]]:
        return [
            (
                r["locations"][0]["physicalLocation"]["region"]["startLine"],
                r["partialFingerprints"][FINGERPRINT_KEY],
            )
            for r in document["runs"][0]["results"]
        ]

    (line1, fp1), (line2, fp2) = keys(before)
    assert keys(after) == [(line1 + 2, fp1), (line2 + 2, fp2)]


def test_cli_sarif_clean(project: Path) -> None:
    result = invoke("--format", "sarif", "logs/good.jsonl")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert_valid_sarif(document)
    assert document["runs"][0]["results"] == []


def test_cli_github(project: Path) -> None:
    result = invoke("--format", "github", "logs")
    assert result.exit_code == 1, result.output
    assert result.stdout == (
        "::error file=logs/bad.jsonl,line=1,col=73,title=RT301 base64-invalid-character::"
        f"{RT301_MESSAGE}\n"
        f"::warning file=logs/bad.jsonl,line=2,col=48,title=RT305 audio-empty::{RT305_MESSAGE}\n"
    )


def test_cli_github_absolute_path(project: Path) -> None:
    result = invoke("--format", "github", "--select", "RT305", str(project / "logs/bad.jsonl"))
    assert result.stdout == (
        f"::warning file=logs/bad.jsonl,line=2,col=48,title=RT305 audio-empty::{RT305_MESSAGE}\n"
    )


def test_cli_junit(project: Path) -> None:
    result = invoke("--format", "junit", "logs/bad.jsonl")
    assert result.exit_code == 1, result.output
    xml = parse_junit(result.stdout, project)
    (suite,) = list(xml)
    assert (suite.name, suite.tests, suite.failures) == ("logs/bad.jsonl", 2, 2)
    cases = [(c.name, c.classname, c.result[0].type, c.result[0].message) for c in suite]
    assert cases == [
        ("RT301 base64-invalid-character", "logs/bad.jsonl:1:73", "error", RT301_MESSAGE),
        ("RT305 audio-empty", "logs/bad.jsonl:2:48", "warning", RT305_MESSAGE),
    ]


def test_cli_junit_clean_files_pass(project: Path) -> None:
    if not hasattr(Reporter, "note_source"):
        pytest.skip("the CLI does not call Reporter.note_source yet")
    xml = parse_junit(invoke("--format", "junit", "logs").stdout, project)
    got = {suite.name: (suite.tests, suite.failures) for suite in xml}
    assert got == {"logs/bad.jsonl": (2, 2), "logs/good.jsonl": (1, 0)}


def test_cli_output_file(project: Path) -> None:
    result = invoke("--format", "junit", "--output", "report.xml", "logs/bad.jsonl")
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert parse_junit((project / "report.xml").read_text(encoding="utf-8"), project).failures == 2


# -- through the installed command, once per format -----------------------------------------


def command() -> str:
    """Return the installed ``realtime-validator`` script, or skip."""
    beside = Path(sys.executable).parent / "realtime-validator"
    found = str(beside) if beside.is_file() else shutil.which("realtime-validator")
    if found is None:
        pytest.skip("realtime-validator is not installed")
    return found


@pytest.mark.parametrize("fmt", ["sarif", "github", "junit"])
def test_installed_command(project: Path, tmp_path: Path, fmt: str) -> None:
    proc = subprocess.run(
        [command(), "lint", "--format", fmt, "logs/bad.jsonl"],
        capture_output=True,
        text=True,
        cwd=project,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    if fmt == "sarif":
        document = json.loads(proc.stdout)
        assert_valid_sarif(document)
        assert [r["ruleId"] for r in document["runs"][0]["results"]] == ["RT301", "RT305"]
    elif fmt == "github":
        assert [line.split(" ", 1)[0] for line in proc.stdout.splitlines()] == [
            "::error",
            "::warning",
        ]
    else:
        assert parse_junit(proc.stdout, tmp_path).failures == 2
