"""The wheel ships the schemas: build it, install it into a fresh venv, validate from there."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest
from conftest import ROOT


@pytest.mark.skipif(os.environ.get("RTV_SKIP_WHEEL") == "1", reason="RTV_SKIP_WHEEL=1")
def test_wheel_installs_and_validates(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(dist),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = dist.glob("realtime_validator-*.whl")
    import zipfile

    names = zipfile.ZipFile(wheel).namelist()
    assert "validator/schemas/input_audio_buffer.append.schema.json" in names
    assert "validator/schemas/session.input_audio_buffer.append.schema.json" in names
    assert "validator/py.typed" in names
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(site)
    # the dependencies come from this environment, after the wheel on sys.path
    import sysconfig

    Path(site, "deps.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n" + sysconfig.get_paths()["platlib"] + "\n"
    )
    code = (
        "import validator, validator.check.schema as s, json;"
        f"assert s.__file__.startswith({str(env_dir)!r}), s.__file__;"
        "print(json.dumps([v.rule for v in validator.validate_event("
        "{'type': 'input_audio_buffer.append', 'audio': 'AA-A', 'x': 1})]));"
        "print(validator.SCHEMA['title'])"
    )
    out = subprocess.run(
        [str(python), "-c", code], check=True, capture_output=True, text=True, cwd=tmp_path
    ).stdout.splitlines()
    assert out == ['["RT203", "RT301"]', "OpenAI Realtime client event: input_audio_buffer.append"]
    # the generated schemas, and fastjsonschema's code for each, written by setup.py: a
    # refused session.update is judged without compiling at start-up
    generated = sorted((ROOT / "schemas").glob("*/*.schema.json"))
    for path in generated:
        assert f"validator/schemas/{path.parent.name}/{path.name}" in names
        module = f"{path.parent.name}__{path.name.removesuffix('.schema.json').replace('.', '_')}"
        assert f"validator/check/_compiled/{module}.py" in names
    code = (
        "import validator; from validator.check import spec;"
        "print(spec.compiled_origin('ga', 'session.update'));"
        "event = {'type': 'session.update', 'session': {'type': 'realtime', 'bogus': 1}};"
        "print([(v.rule, v.pointer) for v in validator.validate_event(event)])"
    )
    out = subprocess.run(
        [str(python), "-c", code], check=True, capture_output=True, text=True, cwd=tmp_path
    ).stdout.splitlines()
    assert out == ["precompiled", "[('RT206', '/session/bogus')]"]
