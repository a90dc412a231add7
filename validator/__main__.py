"""``python -m validator``: the same as the ``realtime-validator`` command."""

from .cli.main import main

if __name__ == "__main__":
    main()
