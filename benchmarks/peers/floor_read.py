"""Floor: read the lines with 1 MiB buffering and count them, nothing else."""

from __future__ import annotations

import sys


def count_lines(path: str) -> int:
    """Return the number of lines in the file at path."""
    with open(path, "rb", buffering=1 << 20) as f:
        return sum(1 for _ in f)


def main(argv: list[str]) -> int:
    """Count the lines of argv[1] and print the count."""
    print(f"{count_lines(argv[1])} lines")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
