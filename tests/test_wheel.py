"""The wheel ships the schemas: build it, install it into a fresh venv, validate from there."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest
from conftest import ROOT


def _wheel(tmp_path: Path, env: dict[str, str] | None = None) -> Path:
    """Build the wheel of this checkout's files (a copy without what a build or an editable
    install left in it) into ``tmp_path/dist``; return it."""
    import shutil

    source = tmp_path / "source"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(
            ".git",
            "build",
            "*.so",
            "*.pyd",
            "*.egg-info",
            "__pycache__",
            ".data",
            ".*_cache",
            ".hypothesis",
        ),
    )
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
            str(source),
        ],
        check=True,
        capture_output=True,
        env=env,
    )
    (wheel,) = dist.glob("realtime_validator-*.whl")
    return wheel


def _installed(tmp_path: Path, wheel: Path) -> Path:
    """Install ``wheel`` into a fresh venv (its dependencies from this one); return its Python."""
    import sysconfig
    import zipfile

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
    Path(site, "deps.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n" + sysconfig.get_paths()["platlib"] + "\n"
    )
    return python


LINT_FIXTURES = (
    "import json, pathlib, validator; from validator.engine import fastroad;"
    "print(fastroad._EXTEND is not None);"
    "paths = sorted(pathlib.Path('{root}/fixtures').glob('*/*.jsonl'));"
    "print(json.dumps([(p.name, v.rule, v.line, v.column, v.message) "
    "for p in paths for v in validator.lint(str(p))]))"
)


@pytest.mark.skipif(os.environ.get("RTV_SKIP_WHEEL") == "1", reason="RTV_SKIP_WHEEL=1")
def test_wheel_installs_and_validates(tmp_path: Path) -> None:
    wheel = _wheel(tmp_path)
    import zipfile

    names = zipfile.ZipFile(wheel).namelist()
    assert "validator/schemas/input_audio_buffer.append.schema.json" in names
    assert "validator/schemas/session.input_audio_buffer.append.schema.json" in names
    assert "validator/py.typed" in names
    # the fast road's native half, compiled (a C compiler is on every machine CI runs on)
    assert any(n.startswith("validator/engine/_fastscan.") and n.endswith(".so") for n in names)
    python = _installed(tmp_path, wheel)
    code = (
        "import validator, validator.check.schema as s, json;"
        f"assert s.__file__.startswith({str(tmp_path / 'venv')!r}), s.__file__;"
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


@pytest.mark.skipif(os.environ.get("RTV_SKIP_WHEEL") == "1", reason="RTV_SKIP_WHEEL=1")
def test_a_wheel_built_without_a_c_compiler_lints_the_same(tmp_path: Path) -> None:
    """The native half is optional: with no working C compiler the build goes on without it,
    and the installed package finds what the native build finds, by the Python loop."""
    code = LINT_FIXTURES.format(root=ROOT)
    native = subprocess.run(  # the installed package: not the checkout's, from its root
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=tmp_path
    ).stdout.splitlines()
    assert native[0] == "True" and len(native[1]) > 1000
    wheel = _wheel(tmp_path, {**os.environ, "CC": "false", "LDSHARED": "false"})
    import zipfile

    assert not any(
        "_fastscan." in n and n.endswith(".so") for n in zipfile.ZipFile(wheel).namelist()
    )
    python = _installed(tmp_path, wheel)
    out = subprocess.run(
        [str(python), "-c", code], check=True, capture_output=True, text=True, cwd=tmp_path
    ).stdout.splitlines()
    assert out == ["False", native[1]]
