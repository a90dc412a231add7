"""``python -m validator``: the same as the ``realtime-validator`` command."""

from .command import main

if __name__ == "__main__":
    main()
