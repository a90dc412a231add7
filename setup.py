"""The build steps that pyproject.toml cannot say:

- fastjsonschema's code for each generated client event schema, and its yes-or-no check as
  Python source, written into the wheel (``validator/check/spec_code.py`` and
  ``validator/check/predicate.py`` say why); an editable install skips this step: it
  compiles at first use instead;
- the fast road's native half, ``validator/engine/_fastscan.c``: one C file against the
  Python headers, no library. It is optional: where no C compiler is found the build goes on
  without it and ``fastroad.scan`` runs its Python loop alone (the same results, slower).

Everything else about the package is in ``pyproject.toml``.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


class BuildPy(build_py):
    """``build_py`` that also writes ``validator/check/_compiled/<api>__<type>.py`` and
    ``is_<api>__<type>.py``."""

    def run(self) -> None:
        """Build the package, then the precompiled validators beside it."""
        super().run()
        if getattr(self, "editable_mode", False):
            return
        spec_code = _load("spec_code")
        predicate = _load("predicate")
        pins = json.loads((HERE / "schemas" / "SOURCE.json").read_text(encoding="utf-8"))
        target = Path(self.build_lib) / "validator" / "check" / "_compiled"
        target.mkdir(parents=True, exist_ok=True)
        (target / "__init__.py").write_text(
            '"""fastjsonschema validators of the generated schemas, written by setup.py."""\n',
            encoding="utf-8",
        )
        for path in sorted((HERE / "schemas").glob("*/*.schema.json")):
            api, event_type = path.parent.name, path.name.removesuffix(".schema.json")
            text = path.read_text(encoding="utf-8")
            source = spec_code.module_source(text)
            name = spec_code.module_name(api, event_type)
            (target / f"{name}.py").write_text(source, encoding="utf-8")
            # the yes-or-no check as Python source: no JSON to read, no closures to build
            pin = pins["schemas"][api][event_type]["sha256"]
            name = f"is_{api}__{event_type.replace('.', '_')}"  # check.spec's module name
            (target / f"{name}.py").write_text(predicate.module_source(text, pin), encoding="utf-8")


def _load(name: str) -> Any:
    """Load ``validator/check/<name>.py`` by its path: it stands alone, and the package's
    dependencies need not be importable at build time."""
    loaded = importlib.util.spec_from_file_location(
        name, HERE / "validator" / "check" / f"{name}.py"
    )
    assert loaded is not None and loaded.loader is not None
    module = importlib.util.module_from_spec(loaded)
    sys.modules[name] = module
    loaded.loader.exec_module(module)
    return module


class BuildExt(build_ext):
    """``build_ext`` that asks GCC and Clang for their vectorizer (-O3), whatever the
    interpreter was built with: the base64 check is one loop written for it."""

    def build_extensions(self) -> None:
        """Build the extensions, with -O3 where the compiler takes Unix options."""
        if self.compiler.compiler_type == "unix":
            for extension in self.extensions:
                extension.extra_compile_args = [*extension.extra_compile_args, "-O3"]
        super().build_extensions()


FASTSCAN = Extension("validator.engine._fastscan", ["validator/engine/_fastscan.c"], optional=True)

setup(cmdclass={"build_py": BuildPy, "build_ext": BuildExt}, ext_modules=[FASTSCAN])
