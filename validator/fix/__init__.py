"""Fixing (``lint --fix``): each fixable finding's edit, verified by linting the result again.

``edits`` holds the edits per rule (pure functions over strings; which rules are safe to fix is
``Rule.fix`` in the catalogue), ``audio`` the unsafe audio conversions, ``event`` one event's
fixes, ``escapes`` the exact map through a HAR message's escapes, ``ids`` the fresh event ids of
RT402's rename, ``safety`` what a fix must refuse to replace, ``inputs`` one writer per source
kind (JSONL, JSON document, HAR, gzip of any), and ``atomic`` the one atomic writer, which
reports written with ``--output`` use too. The command line's part is ``cli.fixing``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .event import Fix, FixResult, fix_event


def __getattr__(name: str) -> Any:
    # fixing one event is loaded when it is used: ``cli.run`` imports only ``atomic``
    if name in ("Fix", "FixResult", "fix_event"):
        from . import event

        return getattr(event, name)
    raise AttributeError(f"module 'validator.fix' has no attribute {name!r}")


__all__ = ["Fix", "FixResult", "fix_event"]
