"""The build step that pyproject.toml cannot say: fastjsonschema's code for each generated
client event schema, written into the wheel (``validator/check/spec_code.py`` says why).

Everything else about the package is in ``pyproject.toml``. An editable install skips this
step: it compiles at first use instead.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


class BuildPy(build_py):
    """``build_py`` that also writes ``validator/check/_compiled/<api>__<type>.py``."""

    def run(self) -> None:
        """Build the package, then the precompiled validators beside it."""
        super().run()
        if getattr(self, "editable_mode", False):
            return
        loaded = importlib.util.spec_from_file_location(
            "spec_code", HERE / "validator" / "check" / "spec_code.py"
        )
        assert loaded is not None and loaded.loader is not None
        spec_code = importlib.util.module_from_spec(loaded)
        sys.modules["spec_code"] = spec_code
        loaded.loader.exec_module(spec_code)
        target = Path(self.build_lib) / "validator" / "check" / "_compiled"
        target.mkdir(parents=True, exist_ok=True)
        (target / "__init__.py").write_text(
            '"""fastjsonschema validators of the generated schemas, written by setup.py."""\n',
            encoding="utf-8",
        )
        for path in sorted((HERE / "schemas").glob("*/*.schema.json")):
            api, event_type = path.parent.name, path.name.removesuffix(".schema.json")
            source = spec_code.module_source(path.read_text(encoding="utf-8"))
            name = spec_code.module_name(api, event_type)
            (target / f"{name}.py").write_text(source, encoding="utf-8")


setup(cmdclass={"build_py": BuildPy})
