"""Inputs: each source turns a file or stream into records with their place in the file."""

from __future__ import annotations

from ..core.record import Record, SourceError
from .detect import open_input
from .walk import walk_paths

__all__ = ["Record", "SourceError", "open_input", "walk_paths"]
