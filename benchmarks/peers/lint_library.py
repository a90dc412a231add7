"""realtime-validator as a library, in one process: validator.lint(path), exhausted.

    lint_library.py FILE [IGNORE]

IGNORE (comma-separated codes) is passed to lint(), each code where a rule of this build
matches it (an older build has no RT6xx rules: ignoring them there ignores nothing)."""

from __future__ import annotations

import sys

import validator


def main(argv: list[str]) -> int:
    """Lint argv[1] through the library API and print the finding count and statistics."""
    codes = argv[2].split(",") if len(argv) > 2 else []
    ignore = [c for c in codes if any(rule.startswith(c) for rule in validator.RULES)] or None
    result = validator.lint(argv[1], ignore=ignore)
    n = sum(1 for _ in result)
    print(f"{n} findings", getattr(result, "statistics", None))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
