"""Classes that behave as dataclasses without ``dataclasses`` imported at start-up.

Importing ``dataclasses`` (it imports ``inspect``, which imports ``ast``, ``dis`` and
``tokenize``) executes 43 M instructions, and making one dataclass 6 M more (callgrind,
CPython 3.11): together more than a bare interpreter's whole start (36 M), and the start-up bar
is twice that. So the classes every run makes (``Violation``, ``Statistics``) are written out by
hand, and their ``__dataclass_fields__`` is made at first use (``LazyFields``), from a dataclass
twin declared with the same fields: ``dataclasses.fields``, ``replace``, ``asdict`` and
``is_dataclass`` take them as they took the dataclasses. ``tests/test_shape.py`` holds each class
to its twin: the same fields, ``repr``, equality and hash.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class LazyFields:
    """A class's ``__dataclass_fields__``: the fields of ``twin()``, a dataclass with the same
    fields, made and put in the class's place at the first look (only ``dataclasses`` looks)."""

    __slots__ = ("twin",)

    def __init__(self, twin: Callable[[], type]) -> None:
        self.twin = twin

    def __get__(self, instance: object, owner: type) -> dict[str, Any]:
        fields: dict[str, Any] = self.twin().__dataclass_fields__  # type: ignore[attr-defined]
        type.__setattr__(owner, "__dataclass_fields__", fields)  # once: the descriptor is replaced
        return fields


def shown(obj: object, names: tuple[str, ...]) -> str:
    """Return ``Name(a=1, b='x')``, the ``repr`` a dataclass gives, of ``names``."""
    inner = ", ".join(f"{name}={getattr(obj, name)!r}" for name in names)
    return f"{type(obj).__qualname__}({inner})"
