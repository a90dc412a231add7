"""realtime-validator as a library, in one process: validator.lint(path), exhausted."""

from __future__ import annotations

import sys

import validator


def main(argv: list[str]) -> int:
    """Lint argv[1] through the library API and print the finding count and statistics."""
    result = validator.lint(argv[1])
    n = sum(1 for _ in result)
    print(f"{n} findings", getattr(result, "statistics", None))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
