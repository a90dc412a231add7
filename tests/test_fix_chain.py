"""Fixes that chain, as ruff's do, and ruff's display of them (issue 24).

A fix is kept when its own finding is gone and it caused nothing new; what the broken base64
hid is the sender's audio (the bytes are exact), reported after the fix and fixed in the same
run where its fix is allowed. Each case runs through the installed command on real files and
through ``validator.fix_event``, which must agree. Then the ``[*]`` marks, the summary's
"fixable" line in ruff's words, ``--show-fixes``, ``--output-format`` and exit codes.
"""

from __future__ import annotations

import base64
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import COMMAND, FIXTURES

import validator
from validator.engine.options import Options
from validator.fix import event as fix_event_module
from validator.fix.event import MAX_PASSES, fix_text
from validator.fix.inputs import fix_input

APPEND = "input_audio_buffer.append"
SPEECH_WAV = FIXTURES / "audio" / "speech.wav"  # 16 kHz mono 16-bit: decoded, resampled


def lint(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*COMMAND, "lint", "--isolated", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=180,
    )


def line(audio: str, **more: Any) -> str:
    return json.dumps({"type": APPEND, "audio": audio, **more}) + "\n"


def audio_of(path: Path) -> bytes:
    (first,) = path.read_text().splitlines()
    return base64.b64decode(json.loads(first)["audio"], validate=True)


def wav_24k() -> bytes:
    """A WAV file already in the session's format: 24 kHz mono 16-bit, 0.1 s."""
    import io
    import wave

    samples = bytes(range(256)) * 18 + bytes(192)  # 4,800 bytes: 2,400 samples
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(24000)
        w.writeframes(samples)
    return out.getvalue()


def data_uri(wav: bytes) -> str:
    return "data:audio/wav;base64," + base64.b64encode(wav).decode()


# -- data: plus a WAV (the browser's readAsDataURL) ------------------------------------------


@pytest.mark.parametrize("wav", ["24k", "16k"])
def test_a_data_uri_of_a_wav_loses_its_prefix_and_with_unsafe_fixes_its_header(
    tmp_path: Path, wav: str
) -> None:
    pytest.importorskip("soundfile")
    data = wav_24k() if wav == "24k" else SPEECH_WAV.read_bytes()
    capture = tmp_path / "browser.jsonl"
    capture.write_text(line(data_uri(data)))
    original = capture.read_bytes()

    diff = lint("--diff", capture.name, cwd=tmp_path)  # the prefix would go; RT307 left
    assert diff.returncode == 1, diff.stderr
    assert "RT301 not fixed" not in diff.stderr
    assert "Would fix 1 finding (1 additional fix available with `--unsafe-fixes`)." in diff.stderr
    assert "1 finding would be left (1 error, 0 warnings)" in diff.stderr
    assert capture.read_bytes() == original  # --diff writes nothing

    unsafe_diff = lint("--diff", "--unsafe-fixes", capture.name, cwd=tmp_path)
    assert unsafe_diff.returncode == 1 and unsafe_diff.stdout.startswith("--- browser.jsonl")
    assert "Would fix 2 findings." in unsafe_diff.stderr

    fixed = lint("--fix", capture.name, cwd=tmp_path)
    assert fixed.returncode == 1  # RT307 is an error, reported after the fix
    assert "RT307 audio is a WAV/RIFF file" in fixed.stdout and "RT301" not in fixed.stdout
    assert audio_of(capture) == data  # the prefix gone: the very bytes the sender meant

    capture.write_bytes(original)
    both = lint("--fix", "--unsafe-fixes", "--show-fixes", capture.name, cwd=tmp_path)
    assert both.returncode == 0, both.stdout + both.stderr
    assert both.stdout == ""
    assert "1 \u00d7 RT301 (base64-invalid-character)" in both.stderr
    assert "1 \u00d7 RT307 (audio-container)" in both.stderr
    pcm = audio_of(capture)
    if wav == "24k":
        assert pcm == data[44:]  # only the header dropped
    else:  # 0.5 s at 16 kHz decoded and resampled to 24 kHz, 16-bit
        assert len(pcm) == 2 * 12000
    assert validator.validate_event({"type": APPEND, "audio": base64.b64encode(pcm).decode()}) == []

    # the library's call agrees, one event at a time
    event = {"type": APPEND, "audio": data_uri(data)}
    safe = validator.fix_event(event)
    assert [f.rule for f in safe.fixes] == ["RT301"] and safe.unsafe_available == 1
    assert [v.rule for v in safe.violations] == ["RT307"] and safe.notes == ()
    assert isinstance(safe.event, dict) and base64.b64decode(safe.event["audio"]) == data
    unsafe = validator.fix_event(event, unsafe=True)
    assert [f.rule for f in unsafe.fixes] == ["RT301", "RT307"] and unsafe.violations == []
    assert isinstance(unsafe.event, dict) and base64.b64decode(unsafe.event["audio"]) == pcm


# -- padding missing on an odd byte count ----------------------------------------------------


def test_padding_is_added_then_the_odd_byte_count_is_reported(tmp_path: Path) -> None:
    audio = bytes(range(1, 204))  # 203 bytes: pcm16 with half a sample
    unpadded = base64.b64encode(audio).decode().rstrip("=")
    capture = tmp_path / "odd.jsonl"
    capture.write_text(line(unpadded))
    fixed = lint("--fix", capture.name, cwd=tmp_path)
    assert fixed.returncode == 0  # RT306 is a warning
    assert fixed.stdout.startswith("odd.jsonl:1:") and " RT306 " in fixed.stdout
    assert "RT302" not in fixed.stdout and "Fixed 1 finding." in fixed.stderr
    assert audio_of(capture) == audio
    result = validator.fix_event(line(unpadded))
    assert [f.rule for f in result.fixes] == ["RT302"]
    assert [v.rule for v in result.violations] == ["RT306"]
    assert result.event == line(base64.b64encode(audio).decode())


# -- a Python bytes repr -----------------------------------------------------------------------


@pytest.mark.parametrize("encode", ["b64encode", "encodebytes"])
def test_a_python_bytes_repr_is_unwrapped(tmp_path: Path, encode: str) -> None:
    audio = bytes(range(256)) * 2  # encodebytes breaks it into lines: "\\n" in the repr
    text = str(getattr(base64, encode)(audio))
    assert text.startswith("b'") and ("\\n" in text) == (encode == "encodebytes")
    capture = tmp_path / "repr.jsonl"
    capture.write_text(line(text))
    before = lint(capture.name, cwd=tmp_path)
    assert " RT301 [*] " in before.stdout and "Python bytes repr" in before.stdout
    assert before.stderr.splitlines()[-2] == "[*] 1 fixable with the `--fix` option."
    fixed = lint("--fix", capture.name, cwd=tmp_path)
    assert fixed.returncode == 0 and fixed.stdout == ""
    assert audio_of(capture) == audio
    result = validator.fix_event(line(text).encode())
    assert [f.rule for f in result.fixes] == ["RT301"] and result.violations == []
    assert "Python's bytes repr" in result.fixes[0].description


def test_a_repr_with_another_escape_is_left_alone() -> None:
    # b'\x00' is not base64 text: what it meant is in doubt
    result = validator.fix_event(line("b'AAAA\\x00'"))
    assert result.fixes == [] and [v.rule for v in result.violations] == ["RT301"]


# -- chaining ----------------------------------------------------------------------------------


def test_fixes_stop_after_max_passes_and_say_so(monkeypatch: pytest.MonkeyPatch) -> None:
    flip = {"AAAA": "AAAB", "AAAB": "AAAA"}  # a step that never settles (none of ours)

    def step(text: str, value: Any, targets: Any, fmt: str) -> Any:
        start = text.index('"AAA') + 1
        return [fix_event_module.Edit(start, start + 4, flip[text[start : start + 4]])], "flip"

    def check(text: str, fmt: str, limit: int) -> Any:
        parsed = fix_event_module.parse_record(text, fix_event_module.KEPT_KEYS)
        return parsed, [fix_event_module.Violation("RT301", "x", pointer="/audio")]

    monkeypatch.setattr(fix_event_module, "_STEPS", ((frozenset({"RT301"}), step),))
    monkeypatch.setattr(fix_event_module, "_check", check)
    monkeypatch.setattr(fix_event_module, "_verified", lambda *args: True)
    done = fix_text(line("AAAA"))
    assert len(done.fixes) == MAX_PASSES
    assert done.notes == [f"the fixes did not settle after {MAX_PASSES} passes"]


def test_a_session_s_audio_revealed_by_base64_fixes_is_repaired_in_the_same_run() -> None:
    pytest.importorskip("soxr")
    data = (FIXTURES / "events" / "invalid" / "RT604" / "big_endian.jsonl").read_bytes()
    urlsafe = data.replace(b"+", b"-").replace(b"/", b"_")  # most appends now RT301
    assert urlsafe != data
    safe = fix_input(urlsafe, "x.jsonl", Options(), False)
    assert safe.text_after == data  # every append's base64 repaired, the audio as sent
    assert safe.unsafe_available == 1  # and RT604, heard once the audio could be read
    unsafe = fix_input(urlsafe, "x.jsonl", Options(), True)
    assert "RT604" in {f.fix.rule for f in unsafe.fixes}
    assert unsafe.data == fix_input(data, "x.jsonl", Options(), True).data
    assert unsafe.left == {}  # linted again after the repair: nothing left


# -- ruff's display: [*], the summary line, --show-fixes ---------------------------------------


def capture_of_three(tmp_path: Path) -> Path:
    """A safe fix (RT301), an unsafe one (RT203) and a finding without a fix (RT401)."""
    path = tmp_path / "three.jsonl"
    path.write_text(
        line("AA-_AA==")
        + line("AAAAAA==", x=1)
        + json.dumps({"type": "input_audio_buffer.commit"})
        + "\n"
    )
    return path


def test_fixable_findings_are_marked_in_text_full_and_grouped(tmp_path: Path) -> None:
    path = capture_of_three(tmp_path)
    text = lint(path.name, cwd=tmp_path)
    assert text.returncode == 1
    rules = [row.split(": ", 1)[1][:9] for row in text.stdout.splitlines()]
    assert rules == ["RT301 [*]", "RT203 unk", "RT401 com"]
    assert text.stderr.splitlines()[-2] == (
        "[*] 1 fixable with the `--fix` option (1 hidden fix can be enabled with the "
        "`--unsafe-fixes` option)."
    )
    full = lint("--format", "full", path.name, cwd=tmp_path).stdout
    assert full.count(" [*] ") == 1 and "three.jsonl:1:51: RT301 [*] audio" in full
    grouped = lint("--output-format", "grouped", path.name, cwd=tmp_path).stdout
    assert "  1:51  RT301  [*] audio" in grouped and grouped.count("[*]") == 1
    unsafe = lint("--unsafe-fixes", path.name, cwd=tmp_path)
    assert unsafe.stdout.count(" [*] ") == 2 and " RT203 [*] " in unsafe.stdout
    assert unsafe.stderr.splitlines()[-2] == "[*] 2 fixable with the `--fix` option."
    after_fix = lint("--fix", path.name, cwd=tmp_path)  # as ruff: nothing marked after --fix
    assert "[*]" not in after_fix.stdout + after_fix.stderr


def test_only_hidden_fixes_say_no_fixes_available(tmp_path: Path) -> None:
    path = tmp_path / "unknown.jsonl"
    path.write_text(line("AAAAAA==", x=1) + line("AAAAAA==", y=2))
    proc = lint(path.name, cwd=tmp_path)
    assert "[*]" not in proc.stdout
    assert proc.stderr.splitlines()[-2] == (
        "No fixes available (2 hidden fixes can be enabled with the `--unsafe-fixes` option)."
    )
    assert "fixable" not in lint("-q", path.name, cwd=tmp_path).stderr


def test_machine_formats_and_jobs_do_not_change(tmp_path: Path) -> None:
    capture_of_three(tmp_path)
    (tmp_path / "b.jsonl").write_text(line("AAAAAA==", x=1) * 3 + line("A A A A"))
    for fmt in ("json", "jsonl", "sarif", "junit", "gitlab", "github"):
        out = lint("--format", fmt, "--unsafe-fixes", ".", cwd=tmp_path).stdout
        assert "[*]" not in out and "fixable" not in out, fmt
    for fmt in ("text", "full", "grouped", "jsonl"):
        one = lint("--format", fmt, "-j", "1", ".", cwd=tmp_path)
        two = lint("--format", fmt, "-j", "2", ".", cwd=tmp_path)
        assert one.stdout == two.stdout and one.stdout, fmt
        said = [
            [x for x in p.stderr.splitlines() if not x.startswith("Checked")] for p in (one, two)
        ]
        assert said[0] == said[1], fmt


def test_standard_input_is_not_marked(tmp_path: Path) -> None:
    path = capture_of_three(tmp_path)
    proc = subprocess.run(
        [*COMMAND, "lint", "--isolated", "-"],
        input=path.read_text(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1 and "[*]" not in proc.stdout + proc.stderr


def test_show_fixes_lists_them_by_file_and_rule(tmp_path: Path) -> None:
    capture_of_three(tmp_path)
    (tmp_path / "b.jsonl").write_text(line("AA-_AA==") * 2)
    proc = lint("--fix", "--show-fixes", "--unsafe-fixes", "-q", ".", cwd=tmp_path)
    assert proc.stderr.splitlines() == [
        "Fixed 4 findings:",
        "- ./b.jsonl:",
        "    2 \u00d7 RT301 (base64-invalid-character)",
        "- ./three.jsonl:",
        "    1 \u00d7 RT203 (unknown-property)",
        "    1 \u00d7 RT301 (base64-invalid-character)",
    ]
    again = lint("--fix", "--show-fixes", ".", cwd=tmp_path)
    assert "Fixed" not in again.stderr  # nothing fixed: nothing listed, nothing said


# -- exit codes, --output-format, the configuration ----------------------------------------------


def test_diff_exits_1_when_an_error_would_be_left(tmp_path: Path) -> None:
    path = tmp_path / "commit.jsonl"
    path.write_text(json.dumps({"type": "input_audio_buffer.commit"}) + "\n")
    proc = lint("--diff", path.name, cwd=tmp_path)
    assert (proc.returncode, proc.stdout) == (1, "")
    assert "1 finding would be left (1 error, 0 warnings)" in proc.stderr
    assert lint("--diff", "--exit-zero", path.name, cwd=tmp_path).returncode == 0
    warning = tmp_path / "empty.jsonl"
    warning.write_text(line(""))  # RT305, a warning: below --fail-on error
    assert lint("--diff", warning.name, cwd=tmp_path).returncode == 0
    assert lint("--diff", "--fail-on", "warning", warning.name, cwd=tmp_path).returncode == 1
    assert lint("--diff", "missing.jsonl", cwd=tmp_path).returncode == 2


def test_output_format_is_format_on_the_line_and_in_the_configuration(tmp_path: Path) -> None:
    capture_of_three(tmp_path)
    as_format = lint("--format", "jsonl", "three.jsonl", cwd=tmp_path).stdout
    assert lint("--output-format", "jsonl", "three.jsonl", cwd=tmp_path).stdout == as_format
    (tmp_path / "pyproject.toml").write_text('[tool.realtime-validator]\noutput-format = "jsonl"\n')
    configured = subprocess.run(
        [*COMMAND, "lint", "three.jsonl"], capture_output=True, text=True, cwd=tmp_path
    )
    assert configured.stdout == as_format
    (tmp_path / "pyproject.toml").write_text(
        '[tool.realtime-validator]\noutput-format = "jsonl"\nformat = "text"\n'
    )
    both = subprocess.run(
        [*COMMAND, "lint", "three.jsonl"], capture_output=True, text=True, cwd=tmp_path
    )
    assert both.returncode == 2 and "Usage:" not in both.stderr
    assert both.stderr.startswith("realtime-validator: error: [tool.realtime-validator] in ")
    assert "format and output-format set the same option" in both.stderr
