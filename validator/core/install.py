"""Where the project lives, and how to install an extra from there: the package is not
published to a package index, so an install by name finds nothing."""

REPOSITORY = "https://github.com/realtime-validator/realtime-validator"
"""The repository (pyproject's ``[project.urls]``, the README's install lines, SARIF's
``informationUri``)."""


def install_hint(extra: str) -> str:
    """Return how to install ``extra``: in a clone, or straight from the repository."""
    return (
        f"pip install '.[{extra}]' in a clone, or "
        f"pip install 'realtime-validator[{extra}] @ git+{REPOSITORY}'"
    )
