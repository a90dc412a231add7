"""Fixing (``lint --fix``): a room of its own.

``edits`` holds the edits per rule (pure functions over strings), ``audio`` the unsafe audio
conversions, ``event`` one event's fixes verified by the linter's own check, ``escapes`` the
exact map through a HAR message's escapes, ``ids`` the fresh event ids of RT402's rename,
``inputs`` one writer per source kind (JSONL, JSON document, HAR, gzip of any) with atomic
writes, and ``run`` the command line's part.
"""

from __future__ import annotations

from .event import Fix, FixResult, fix_event

__all__ = ["Fix", "FixResult", "fix_event"]
