"""lint --fix: the edits, one event, every writer byte for byte, atomic writes, the command."""

from __future__ import annotations

import base64
import gzip
import io
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, ROOT
from hypothesis import given, settings
from hypothesis import strategies as st

import validator
from validator.cli.app import cli as cli_main
from validator.core.install import install_hint
from validator.core.rules import RULES, rule_data
from validator.engine.options import Options
from validator.fix.edits import standard_base64
from validator.fix.escapes import Escaped
from validator.fix.event import SAFE, UNSAFE
from validator.fix.ids import FreshIds
from validator.fix.inputs import fix_input, write_atomic
from validator.fix.session_audio import SESSION_FIXES

APPEND = "input_audio_buffer.append"
FIXABLE = sorted(code for code, rule in RULES.items() if rule.fix is not None)


def event(audio: str, **more: object) -> str:
    return json.dumps({"type": APPEND, "audio": audio, **more})


# -- the edits ----------------------------------------------------------------------------------


def _non_canonical(text: str) -> str:
    """Set an unused padding bit of the last character before '=' (same bytes)."""
    if not text.endswith("="):
        return text
    at = len(text) - (3 if text.endswith("==") else 2)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    return text[:at] + alphabet[alphabet.index(text[at]) | 1] + text[at + 1 :]


BROKEN = {
    "url-safe": lambda a: base64.urlsafe_b64encode(a).decode(),
    "wrapped": lambda a: base64.encodebytes(a).decode(),
    "data-uri": lambda a: "data:audio/pcm;base64," + base64.b64encode(a).decode(),
    "unpadded": lambda a: base64.b64encode(a).decode().rstrip("="),
    "non-canonical": lambda a: _non_canonical(base64.b64encode(a).decode()),
    "all-at-once": lambda a: (
        "data:audio/pcm;base64,"
        + base64.urlsafe_b64encode(a).decode().rstrip("=").replace("A", "A\r\n", 1)
    ),
}


@settings(max_examples=300, deadline=None)
@given(st.binary(min_size=1, max_size=300), st.sampled_from(sorted(BROKEN)))
def test_each_broken_encoding_fixes_back_to_the_standard_one(audio: bytes, kind: str) -> None:
    broken = BROKEN[kind](audio)
    expected = base64.b64encode(audio).decode()
    fixed = standard_base64(broken)
    assert (fixed or broken) == expected
    # and through the whole road: the event's finding gone, the event otherwise the same
    result = validator.fix_event(event(broken))
    assert isinstance(result.event, str)
    if result.fixes:
        assert json.loads(result.event)["audio"] == expected
        assert all(v.rule not in SAFE for v in result.violations)
    else:  # nothing to fix, or refused: the right bytes would raise a finding of their own
        assert result.event == event(broken)
        assert broken == expected or any("would raise" in note for note in result.notes)


@pytest.mark.parametrize(
    "audio",
    ["AAAAA", "AA==AA==", "AAA-AA+A", "A", "AAAA==="],
    ids=["4n+1", "joined", "both alphabets", "one character", "three '='"],
)
def test_doubtful_base64_is_left_alone(audio: str) -> None:
    assert standard_base64(audio) is None
    result = validator.fix_event(event(audio))
    assert result.fixes == [] and result.event == event(audio)


# -- one event ----------------------------------------------------------------------------------


def _fixture_events(code: str) -> list[Path]:
    return sorted((FIXTURES / "events" / "invalid" / code).glob("*.json"))


@pytest.mark.parametrize("code", [c for c in FIXABLE if c != "RT402" and c not in SESSION_FIXES])
def test_every_fixable_rule_is_fixed_on_a_fixture(code: str) -> None:
    fixed_one = False
    for path in _fixture_events(code):
        text = path.read_text(encoding="utf-8")
        before = [v.rule for v in validator.validate_event(text)]
        result = validator.fix_event(text, unsafe=True)
        if code in {f.rule for f in result.fixes}:
            fixed_one = True
            assert code not in [v.rule for v in result.violations]
            assert not set(v.rule for v in result.violations) - set(before)
    assert fixed_one, f"no fixture of {code} was fixed"


def test_unsafe_fixes_wait_for_unsafe() -> None:
    text = (FIXTURES / "events" / "invalid" / "RT203" / "sample_rate.json").read_text()
    safe = validator.fix_event(text)
    assert safe.fixes == [] and safe.event == text and safe.unsafe_available == 1
    unsafe = validator.fix_event(text, unsafe=True)
    assert [f.rule for f in unsafe.fixes] == ["RT203"] and unsafe.violations == []


def test_fix_event_gives_back_the_type_it_was_given() -> None:
    audio = base64.urlsafe_b64encode(b"\xfb\xff\xfe\xff").decode()
    as_dict = validator.fix_event({"type": APPEND, "audio": audio})
    assert as_dict.event == {"type": APPEND, "audio": "+//+/w=="}
    as_bytes = validator.fix_event(event(audio).encode())
    assert as_bytes.event == event("+//+/w==").encode()
    assert as_dict.fixes == as_bytes.fixes and as_dict.fixes[0].rule == "RT301"


def test_a_finding_the_broken_base64_hid_is_reported_after_its_fix() -> None:
    # 5 bytes of audio without padding: padded, they are pcm16 with an odd size (RT306)
    result = validator.fix_event(event(base64.b64encode(b"abcde").decode().rstrip("=")))
    assert [f.rule for f in result.fixes] == ["RT302"]
    assert [v.rule for v in result.violations] == ["RT306"] and result.notes == ()
    wav = (FIXTURES / "audio" / "speech.wav").read_bytes()[:4000]
    uri = validator.fix_event(event("data:audio/wav;base64," + base64.b64encode(wav).decode()))
    assert [f.rule for f in uri.fixes] == ["RT301"] and uri.unsafe_available == 1
    assert [v.rule for v in uri.violations] == ["RT307"]


def test_float32_becomes_16_bit_clipped_and_rounded() -> None:
    import numpy as np

    text = (FIXTURES / "events" / "invalid" / "RT308" / "float32_speech.json").read_text()
    floats = np.frombuffer(base64.b64decode(json.loads(text)["audio"]), "<f4")
    result = validator.fix_event(json.loads(text), unsafe=True)
    assert [f.rule for f in result.fixes] == ["RT308"] and result.violations == []
    assert isinstance(result.event, dict)
    samples = np.frombuffer(base64.b64decode(result.event["audio"]), "<i2")
    assert samples.tolist() == np.rint(np.clip(floats, -1, 1) * 32767).astype(int).tolist()


def test_a_wav_in_the_session_format_only_loses_its_header() -> None:
    import struct

    pcm = struct.pack("<6h", 0, 1000, -1000, 2000, -2000, 0) * 200
    header = (
        b"RIFF"
        + struct.pack("<I", 36 + len(pcm))
        + b"WAVEfmt "
        + struct.pack("<IHHIIHH", 16, 1, 1, 24000, 48000, 2, 16)
        + b"data"
        + struct.pack("<I", len(pcm))
    )
    result = validator.fix_event(event(base64.b64encode(header + pcm).decode()), unsafe=True)
    assert [f.rule for f in result.fixes] == ["RT307"] and "header" in result.fixes[0].description
    assert isinstance(result.event, str)
    assert base64.b64decode(json.loads(result.event)["audio"]) == pcm


def test_without_the_audio_extra_the_fix_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "soundfile", None)  # import soundfile raises ImportError
    flac = (FIXTURES / "events" / "invalid" / "RT307" / "speech_flac.json").read_text()
    result = validator.fix_event(flac, unsafe=True)
    assert result.fixes == []
    assert any(install_hint("audio") in note for note in result.notes)


# -- every writer, byte for byte -------------------------------------------------------------------

URL_SAFE = base64.urlsafe_b64encode(b"\x00\x01\xfb\xff\xfe\xff").decode()  # AAH7__7_
FIXED = "AAH7//7/"


def _fix(data: bytes, name: str, unsafe: bool = False) -> bytes:
    return fix_input(data, name, Options(), unsafe).data


def test_jsonl_keeps_every_other_byte_bom_crlf_and_escapes() -> None:
    lines = [
        "\ufeff" + '{"type": "session.created", "session": {"id": "s\\u00e9"}}',
        f'{{ "audio" :"{URL_SAFE}",  "type":"{APPEND}" , "event_id": "a\\/b"}}',
        '{"type": "input_audio_buffer.commit"}   ',
        f'{{"type":"{APPEND}","audio":"AAH7\\/\\/7\\/"}}',
        f'{{"type":"{APPEND}","audio":"AAH7\\u005f_7_"}}',
    ]
    data = "\r\n".join(lines).encode("utf-8")  # no line ending after the last line
    expected = data.replace(URL_SAFE.encode(), FIXED.encode()).replace(
        b'"AAH7\\u005f_7_"', b'"AAH7//7/"'
    )
    assert _fix(data, "capture.jsonl") == expected


def test_a_json_document_keeps_its_layout() -> None:
    doc = (
        '[\n  {\n    "type": "' + APPEND + '",\n    "audio": "' + URL_SAFE + '",\n'
        '    "sample_rate": 24000\n  },\n'
        '  {"type": "' + APPEND + '", "x": 1, "audio": "AAAA"}\n]\n'
    )
    fixed = _fix(doc.encode(), "events.json", unsafe=True).decode()
    assert fixed == (
        '[\n  {\n    "type": "' + APPEND + '",\n    "audio": "' + FIXED + '"\n  },\n'
        '  {"type": "' + APPEND + '", "audio": "AAAA"}\n]\n'
    )


def test_a_har_gets_the_event_back_inside_its_data_string() -> None:
    path = FIXTURES / "fix" / "session.har"
    data = path.read_bytes()
    fixed = _fix(data, path.name)
    har = json.loads(fixed)
    messages = har["log"]["entries"][0]["_webSocketMessages"]
    first, second = (json.loads(m["data"]) for m in messages)
    assert first["audio"] == base64.b64encode(b"\x00\x01\xfb\xff\xfe\xff" * 20).decode()
    assert first["event_id"] == "evt_1/a" and second["audio"] == "EAAgAA=="
    # only the two audio strings changed: the rest of the file is as it was
    text, new = data.decode(), fixed.decode()
    wrapped = re.search(r'\\"audio\\": \\"(.*?)\\"', text).group(1)  # type: ignore[union-attr]
    assert new == text.replace(wrapped, first["audio"]).replace('EAAgAA\\"', 'EAAgAA==\\"')
    # and the lint of the fixed HAR is clean
    assert list(validator.lint(io.BytesIO(fixed))) == []


def test_the_escape_map_is_exact() -> None:
    raw = '{\\"a\\": \\"x\\\\ny\\u00e9\\ud83d\\ude00z\\/\\", \\"audio\\": \\"AA-_\\"}'
    escaped = Escaped(raw)
    assert escaped.exact() and escaped.message == json.loads(f'"{raw}"')
    for index, char in enumerate(escaped.message):
        at = escaped.file_offset(index)
        assert json.loads(f'"{raw[at : escaped.file_offset(index + 1)]}"') == char
    start = escaped.message.index("AA-_")
    replaced = escaped.replaced(start, start + 4, "AA+/")
    assert replaced is not None
    assert replaced.raw == raw.replace("AA-_", "AA+\\/")  # this file escapes '/'


@pytest.mark.parametrize(
    ("raw", "text", "written"),
    [
        ("\\u0022a\\u0022", '"b"', "\\u0022b\\u0022"),  # the file's own quote
        ('\\u0022a\\"', '"b"', '\\"b\\"'),  # both ways: json's
        ("a\\u000Ab", "x\ny", "x\\u000Ay"),  # its newline, its hex case
        ("a\\\\nb\\u000a", "x\ny\\n", "x\\u000ay\\\\n"),  # an escaped backslash, then n
        ("\\u005c", "\\", "\\u005c"),  # its backslash
        ("\\u005c\\\\", "\\", "\\\\"),  # both ways
        ("\\u002B+", "+", "+"),  # '+' written plain somewhere: plain
        ("\\u002Bx", "a+b", "a\\u002Bb"),
        ("\\u0061", "ab", "ab"),  # a letter: escapes are made of them
    ],
)
def test_a_fix_writes_characters_as_the_file_escapes_them(
    raw: str, text: str, written: str
) -> None:
    escaped = Escaped(raw)
    assert escaped.escape(text) == written
    assert json.loads(f'"{written}"') == text


def test_gzip_is_written_back_compressed(tmp_path: Path) -> None:
    plain = (FIXTURES / "fix" / "session.jsonl").read_bytes()
    fixed = _fix(gzip.compress(plain), "capture.jsonl.gz")
    assert fixed[:2] == b"\x1f\x8b"
    assert gzip.decompress(fixed) == _fix(plain, "capture.jsonl")


def test_fixing_twice_is_fixing_once() -> None:
    for path in [FIXTURES / "logs" / "session.jsonl", *sorted((FIXTURES / "fix").iterdir())]:
        for unsafe in (False, True):
            once = _fix(path.read_bytes(), path.name, unsafe)
            assert _fix(once, path.name, unsafe) == once


def test_repeated_event_ids_are_renamed_to_fresh_ones() -> None:
    path = FIXTURES / "events" / "invalid" / "RT402" / "repeated_event_id.jsonl"
    done = fix_input(path.read_bytes(), path.name, Options(), True)
    assert [f.fix.rule for f in done.fixes] == ["RT402"]
    assert "renamed the repeated event_id" in done.fixes[0].fix.description
    assert [v.rule for v in validator.lint(io.BytesIO(done.data))] == []


def _repeats(count: int, *more: str) -> bytes:
    """Return ``count`` appends that all carry the event id ``evt``, then the ``more`` lines."""
    line = f'{{"type":"{APPEND}","event_id":"evt","audio":"AAAAAA=="}}\n'
    return (line * count + "".join(more)).encode()


def _fix_seconds(data: bytes) -> tuple[float, bytes]:
    """Return the CPU seconds ``fix_input`` takes (--unsafe-fixes) and what it wrote."""
    start = time.process_time()
    done = fix_input(data, "x.jsonl", Options(), True)
    return time.process_time() - start, done.data


def test_renaming_one_id_repeated_16000_times_takes_linear_time() -> None:
    once, fixed = _fix_seconds(_repeats(16_000))
    twice, _ = _fix_seconds(_repeats(32_000))
    assert once < 5.0
    assert twice < 3 * once  # twice the work; a quadratic rename takes four times as long
    ids = [json.loads(line)["event_id"] for line in fixed.splitlines()]
    assert ids == ["evt", *(f"evt-{n}" for n in range(2, 16_001))]


def test_fresh_ids_avoid_every_id_the_input_holds_and_are_deterministic() -> None:
    later = (
        f'{{"type":"{APPEND}","event_id":"evt-2","audio":"AAAAAA=="}}\n',
        '{"type":"error","event_id":"e","error":{"type":"x","event_id":"evt-3"}}\n',
    )
    data = _repeats(3, *later)
    fixed = fix_input(data, "x.jsonl", Options(), True).data
    assert fix_input(data, "x.jsonl", Options(), True).data == fixed
    ids = [json.loads(line)["event_id"] for line in fixed.splitlines()]
    assert ids == ["evt", "evt-4", "evt-5", "evt-2", "e"]
    assert [v.rule for v in validator.lint(io.BytesIO(fixed))] == ["RT501"]  # the error event


@pytest.mark.parametrize("quote", ['\\"', "\\u0022"])
def test_fresh_ids_avoid_the_ids_of_a_har_message_however_it_escapes_quotes(quote: str) -> None:
    def message(event_id: str) -> str:
        text = json.dumps({"type": APPEND, "event_id": event_id, "audio": "AAAAAA=="})
        return '{"type": "send", "data": "' + text.replace('"', quote) + '"}'

    messages = ", ".join(message(i) for i in ("evt", "evt", "evt-2"))
    har = '{"log": {"entries": [{"_webSocketMessages": [' + messages + "]}]}}"
    assert har.count(quote) == 36
    fixed = json.loads(fix_input(har.encode(), "x.har", Options(), True).data)
    sent = fixed["log"]["entries"][0]["_webSocketMessages"]
    assert [json.loads(m["data"])["event_id"] for m in sent] == ["evt", "evt-3", "evt-2"]


def test_a_fresh_id_tries_no_candidate_twice() -> None:
    asked: list[str] = []
    given: set[str] = set()

    def seen(candidate: str) -> bool:
        asked.append(candidate)
        return candidate in given

    fresh = FreshIds(b'{"event_id":"a-3"}', seen)
    given.update(fresh("a") for _ in range(1000))
    assert len(given) == 1000 and "a-3" not in given
    assert len(asked) == len(set(asked)) == 1001  # a-2 to a-1002, once each


# -- atomic writes ---------------------------------------------------------------------------------


def test_an_interrupted_write_leaves_the_original(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "capture.jsonl"
    original = (FIXTURES / "fix" / "session.jsonl").read_bytes()
    target.write_bytes(original)
    target.chmod(0o640)

    def broken(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken)
    result = CliRunner().invoke(cli_main, ["lint", "--fix", "--isolated", str(target)])
    assert result.exit_code == 2
    assert "cannot write" in result.output
    assert target.read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["capture.jsonl"]  # no temporary file


def test_a_write_keeps_the_mode_and_refuses_a_file_changed_meanwhile(tmp_path: Path) -> None:
    target = tmp_path / "capture.jsonl"
    target.write_bytes(b"old\n")
    target.chmod(0o640)
    before = os.stat(target)
    write_atomic(str(target), b"new\n", before)
    assert target.read_bytes() == b"new\n" and (os.stat(target).st_mode & 0o777) == 0o640
    with pytest.raises(OSError, match="changed while"):
        write_atomic(str(target), b"newer\n", before)
    assert target.read_bytes() == b"new\n"


# -- the command ---------------------------------------------------------------------------------


def _copy(tmp_path: Path, name: str = "session.jsonl") -> Path:
    target = tmp_path / name
    target.write_bytes((FIXTURES / "fix" / name).read_bytes())
    return target


def test_fix_writes_and_reports_what_is_left(tmp_path: Path) -> None:
    target = _copy(tmp_path)
    result = CliRunner().invoke(cli_main, ["lint", "--fix", "--isolated", str(target)])
    assert result.exit_code == 1  # RT203 is left: an error
    assert (
        result.stderr.splitlines()[-1]
        == "Fixed 3 findings (2 additional fixes available with `--unsafe-fixes`)."
    )
    assert [line.split()[1] for line in result.stdout.splitlines()] == ["RT402", "RT203"]
    result = CliRunner().invoke(
        cli_main, ["lint", "--fix", "--unsafe-fixes", "--isolated", str(target)]
    )
    assert result.exit_code == 0 and result.stdout == ""
    assert result.stderr.splitlines()[-1] == "Fixed 2 findings."


def test_diff_writes_nothing_and_exits_1(tmp_path: Path) -> None:
    target = _copy(tmp_path)
    before = target.read_bytes()
    result = CliRunner().invoke(cli_main, ["lint", "--diff", "--isolated", str(target)])
    assert result.exit_code == 1 and target.read_bytes() == before
    assert result.stdout.startswith(f"--- {target}\n+++ {target}\n@@ -1,4 +1,4 @@\n")
    clean = CliRunner().invoke(cli_main, ["lint", "--diff", "--isolated", str(FIXTURES / "fix")])
    assert clean.exit_code == 1  # the fixtures themselves are not touched
    ok = CliRunner().invoke(
        cli_main, ["lint", "--diff", "--isolated", str(FIXTURES / "events" / "valid")]
    )
    assert ok.exit_code == 0 and ok.stdout == ""
    assert "fix" not in ok.stderr  # as ruff: nothing to fix, nothing said of it


def test_a_clean_fix_run_says_nothing_of_fixing(tmp_path: Path) -> None:
    target = _copy(tmp_path)
    first = CliRunner().invoke(
        cli_main, ["lint", "--fix", "--unsafe-fixes", "--isolated", str(target)]
    )
    assert "Fixed 5 findings" in first.stderr, first.stderr
    again = CliRunner().invoke(cli_main, ["lint", "--fix", "--isolated", str(target)])
    assert again.exit_code == 0 and "Fixed" not in again.stderr, again.stderr


def test_stdin_with_fix_writes_the_fixed_stream_to_stdout() -> None:
    data = (FIXTURES / "fix" / "session.jsonl").read_bytes()
    proc = subprocess.run(
        [sys.executable, "-m", "validator", "lint", "--fix", "--isolated", "-"],
        input=data,
        capture_output=True,
        cwd=ROOT,
    )
    assert proc.stdout == _fix(data, "<stdin>")
    assert b"RT203" in proc.stderr and b"Fixed 3 findings" in proc.stderr
    assert proc.returncode == 1


def test_fix_is_an_option_of_the_configuration(tmp_path: Path) -> None:
    target = _copy(tmp_path)
    (tmp_path / "pyproject.toml").write_text(
        "[tool.realtime-validator]\nfix = true\nunsafe-fixes = true\n"
    )
    result = CliRunner().invoke(
        cli_main, ["lint", "--config", str(tmp_path / "pyproject.toml"), str(target)]
    )
    assert result.exit_code == 0, result.output
    assert "Fixed 5 findings" in result.stderr


def test_fix_refuses_wrapped_records() -> None:
    result = CliRunner().invoke(
        cli_main, ["lint", "--fix", "--event-pointer", "/event", str(FIXTURES / "fix")]
    )
    assert result.exit_code == 2 and "--event-pointer" in result.output


def test_rule_pages_say_whether_there_is_a_fix() -> None:
    assert sorted(SAFE | UNSAFE) == FIXABLE
    for code, rule in RULES.items():
        data = rule_data(rule)
        if code in SAFE:
            assert data["fix"] == {"safe": True} and "Fix: safe" in rule.page()
        elif code in UNSAFE:
            assert data["fix"] == {"safe": False} and "Fix: unsafe" in rule.page()
        else:
            assert data["fix"] is None and "Fix: none" in rule.page()
    result = CliRunner().invoke(cli_main, ["rule", "--all", "--format", "json"])
    listed = {r["code"]: r["fix"] for r in json.loads(result.stdout)}
    assert listed["RT301"] == {"safe": True} and listed["RT306"] is None
