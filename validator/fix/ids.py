"""Fresh event ids for RT402's rename: ``evt-2``, ``evt-3``..., unique and deterministic, found
in time linear in the input however often one id repeats.

An id is taken when the session has seen it, or when the input holds it as a whole string
(between quotes, plain or escaped as in a HAR message: ``"evt-2"``, ``\\"evt-2\\"``,
``\\u0022evt-2\\u0022``): a later event, or an error answering one, may use it. The input is
read once, for the strings that end in ``-N``, the only ones a fresh id can equal. Each id's
counter goes on where it stopped, so the n-th rename of one id tries no candidate twice. Two
ids never share a candidate (``stem-N`` splits at its last ``-`` into one stem), so no set of
the ids given is needed.
"""

from __future__ import annotations

import re
from collections.abc import Callable

# a string's content ending in -N (no leading zero, as str(n) writes it), up to a quote that
# may be escaped once or more (a HAR message inside a string); the content holds no quote and
# no backslash, so each byte is looked at from one opening quote at most
_SUFFIXED = re.compile(rb'(?:"|\\u0022)([^"\\]*-[1-9][0-9]*)(?=\\*"|\\+u0022)')


class FreshIds:
    """Returns, for a repeated event id, the first ``id-N`` (N = 2, 3...) not taken."""

    def __init__(self, data: bytes, seen: Callable[[str], bool]) -> None:
        self._data = data
        self._seen = seen
        self._strings: set[bytes] | None = None  # read on the first rename only
        self._next: dict[str, int] = {}

    def __call__(self, event_id: str) -> str:
        """Return a fresh id for ``event_id``: neither seen nor in the input, nor given before."""
        n = self._next.get(event_id, 2)
        while self._taken(f"{event_id}-{n}"):
            n += 1
        self._next[event_id] = n + 1
        return f"{event_id}-{n}"

    def _taken(self, candidate: str) -> bool:
        """Return True when the session has seen ``candidate`` or the input holds it."""
        if self._seen(candidate):
            return True
        if self._strings is None:
            self._strings = {m.group(1) for m in _SUFFIXED.finditer(self._data)}
        return candidate.encode("utf-8", "surrogatepass") in self._strings
