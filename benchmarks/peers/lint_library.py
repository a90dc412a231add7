"""realtime-validator as a library, in one process: validator.lint(path), exhausted.

    lint_library.py FILE [IGNORE]

IGNORE is passed to lint() where a rule of this build matches it (an older build has no
RT6xx rules: ignoring them there ignores nothing)."""

from __future__ import annotations

import sys

import validator


def main(argv: list[str]) -> int:
    """Lint argv[1] through the library API and print the finding count and statistics."""
    ignore = argv[2] if len(argv) > 2 else None
    if ignore and not any(rule.startswith(ignore) for rule in validator.RULES):
        ignore = None
    result = validator.lint(argv[1], ignore=ignore)
    n = sum(1 for _ in result)
    print(f"{n} findings", getattr(result, "statistics", None))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
