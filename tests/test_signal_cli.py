"""RT601-RT606 from the installed command, on captures of real speech in every form.

Each case of ``signal_cases.py`` (espeak-ng speech converted by sox) is written as the capture
a client leaves: JSONL appends (and commits, and the session update a format or a manual
commit needs), or the proxy's timed records read with ``--event-pointer /event``. Then
``realtime-validator lint`` runs on them: each rule fires on its forms, the clean forms stay
clean, and what the command finds is what the evidence finds fed directly, on every road.
CI installs the programs: ``apt-get install -y espeak-ng sox libsox-fmt-all``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import signal_cases as cases

KNOWN_MISSES = {"48k-10ms"}  # 10 ms at 48 kHz is 20 ms at 24 kHz: nothing tells them apart
BY_NAME = {case.name: case for case in cases.CASES}


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, bytes]]]:
    """Every case's audio and capture, from speech synthesised for this run."""
    missing = cases.tools_missing()
    if missing:
        pytest.skip(f"needs {', '.join(missing)} (apt-get install espeak-ng sox libsox-fmt-all)")
    directory = tmp_path_factory.mktemp("signal-cli")
    speech = cases.make_speech(directory)
    audio = {case.name: cases.build(case, speech, directory) for case in cases.CASES}
    for case in cases.CASES:
        cases.write_capture(case, audio[case.name], directory)
    yield directory, audio


@pytest.fixture(scope="module")
def linted(made: tuple[Path, dict[str, bytes]]) -> dict[str, list[dict[str, object]]]:
    """The installed command's findings on every capture, by case name (two runs: the timed
    captures with --event-pointer)."""
    directory, _ = made
    found: dict[str, list[dict[str, object]]] = {}
    for timed in (False, True):
        paths = [directory / f"{c.name}.jsonl" for c in cases.CASES if bool(c.pace) is timed]
        found.update(cases.lint_captures(paths, timed))
    return found


def signal_codes(findings: list[dict[str, object]]) -> set[str]:
    """Return the audio-signal rules among ``findings``."""
    return {str(f["rule"]) for f in findings if str(f["rule"]).startswith("RT6")}


@pytest.mark.parametrize("name", [case.name for case in cases.CASES])
def test_each_form_raises_its_rule_and_the_clean_ones_nothing(
    name: str, linted: dict[str, list[dict[str, object]]]
) -> None:
    case = BY_NAME[name]
    found = signal_codes(linted[name])
    assert found <= case.expected, f"false alarm: {sorted(found - case.expected)}"
    assert found == (set() if name in KNOWN_MISSES else case.expected)
    others = {str(f["rule"]) for f in linted[name]} - found
    assert not others  # the captures are otherwise sound: no session rule fires


def test_the_command_finds_what_the_evidence_finds_fed_directly(
    made: tuple[Path, dict[str, bytes]], linted: dict[str, list[dict[str, object]]]
) -> None:
    _, audio = made
    for case in cases.CASES:
        direct = cases.run(case, audio[case.name])
        assert signal_codes(linted[case.name]) == direct.codes, case.name
        by_code = {f.code: f for f in direct.findings}  # type: ignore[attr-defined]
        for finding in linted[case.name]:
            assert finding["message"] == by_code[finding["rule"]].message
            assert finding["severity"] == by_code[finding["rule"]].severity


def test_findings_sit_on_an_append_audio_string(
    made: tuple[Path, dict[str, bytes]], linted: dict[str, list[dict[str, object]]]
) -> None:
    directory, _ = made
    placed = 0
    for name, findings in linted.items():
        lines = (directory / f"{name}.jsonl").read_text().splitlines()
        for finding in findings:
            record = json.loads(lines[int(str(finding["line"])) - 1])
            event = record.get("event", record)
            assert event["type"] == cases.APPEND and finding["pointer"] == "/audio"
            assert finding["event_id"] == event["event_id"]
            text = lines[int(str(finding["line"])) - 1]
            assert finding["column"] == text.index('"audio":') + len('"audio":') + 1
            placed += 1
    assert placed >= len([c for c in cases.CASES if c.expected]) - len(KNOWN_MISSES)


def test_timestamps_make_a_rate_an_error_chunk_sizes_alone_a_warning(
    linted: dict[str, list[dict[str, object]]],
) -> None:
    (alone,) = linted["16k-20ms"]
    (timed,) = linted["16k-20ms-timed"]
    assert (alone["rule"], alone["severity"]) == ("RT601", "warning")
    assert (timed["rule"], timed["severity"]) == ("RT601", "error")
    assert "timestamps show 0.67 s of 24 kHz audio" in str(timed["message"])


def test_jobs_give_the_same_findings_in_the_same_order(made: tuple[Path, dict[str, bytes]]) -> None:
    """The untimed captures as one log of many sessions, over the --jobs size: split into
    chunks that workers scan, replayed here, measured where the session asks."""
    directory, _ = made
    big = directory / "sessions.jsonl"
    created = b'{"type":"session.created","event_id":"s","session":{}}\n'
    parts = [(directory / f"{c.name}.jsonl").read_bytes() for c in cases.CASES if not c.pace]
    data = b"".join(created + part for part in parts)
    big.write_bytes(data * (16 * 2**20 // len(data) + 1))  # 16 MiB and up are split
    command = ["realtime-validator", "lint", "--format", "jsonl", "--exit-zero", "-q", str(big)]
    one = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    two = subprocess.run([*command, "--jobs", "2"], capture_output=True, text=True, check=True)
    assert two.stdout == one
    rules = {json.loads(line)["rule"] for line in one.splitlines()}
    assert {f"RT{n}" for n in range(601, 607)} <= rules


def test_the_detection_table_in_the_docs_is_what_the_command_finds(
    linted: dict[str, list[dict[str, object]]],
) -> None:
    """docs/audio-rules.md's table (``tools/signal_table.py``): every case, with the rules and
    severities the command finds in this run (the lines it places them on depend on the
    speech espeak-ng makes, and are not compared)."""
    doc = Path(__file__).resolve().parent.parent / "docs" / "audio-rules.md"
    rows = {}
    for text in doc.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in text.strip("|").split("|")]
        if len(cells) == 9 and cells[0] in BY_NAME:
            rows[cells[0]] = (cells[5], cells[6])
    assert sorted(rows) == sorted(BY_NAME)
    for name, findings in linted.items():
        found = [f for f in findings if str(f["rule"]).startswith("RT6")]
        said = ", ".join(f"{f['rule']} {f['severity']}" for f in found) or "-"
        expected = BY_NAME[name].expected
        verdict = "detected" if expected and found else "missed" if expected else "clean"
        assert rows[name] == (said, verdict), name


def test_the_readme_says_what_the_command_catches(
    linted: dict[str, list[dict[str, object]]],
) -> None:
    """The README's row of detections per rule, and false alarms over the sound forms, is
    what the command finds on the cases in this run."""
    readme = Path(__file__).resolve().parent.parent / "README.md"
    (row,) = [
        line for line in readme.read_text(encoding="utf-8").splitlines()
        if line.startswith("| caught |")
    ]  # fmt: skip
    said = [cell.strip() for cell in row.strip("|").split("|")][1:]
    codes = [f"RT60{n}" for n in range(1, 7)]
    counted = []
    for code in codes:
        forms = [c.name for c in cases.CASES if code in c.expected]
        caught = sum(code in signal_codes(linted[name]) for name in forms)
        counted.append(f"{caught} of {len(forms)}")
    sound = [c.name for c in cases.CASES if not c.expected]
    alarms = sum(bool(signal_codes(linted[name])) for name in sound)
    counted.append(f"{alarms} false alarms in {len(sound)}")
    assert said == counted
