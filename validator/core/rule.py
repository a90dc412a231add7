"""What a rule is: its ``Severity`` and its catalogue entry, ``Rule``, with the page it prints.

The entries themselves are in ``rules`` (and the audio-signal ones in ``signal_rules``).
"""

from enum import StrEnum
from typing import NamedTuple


class Severity(StrEnum):
    """How bad a finding is; ``--fail-on`` compares against it."""

    ERROR = "error"
    WARNING = "warning"

    @property
    def rank(self) -> int:
        """Return 2 for errors and 1 for warnings, for comparisons."""
        return 2 if self is Severity.ERROR else 1


class Rule(NamedTuple):  # not a dataclass: making one costs a millisecond of start-up
    """One entry of the catalogue.

    ``rejected``: the server answers an event with this finding with an error and applies
    nothing of it (an append adds no audio, a commit empties nothing, an update changes
    nothing), so the session state moves on without it. ``sources``: where the API facts
    behind the rule come from (the spec, the SDKs, public reports of the server's answers).
    ``graded``: for a rule whose findings take their severity from their evidence (the
    audio-signal rules), how; ``severity`` is then the weakest evidence's.
    """

    code: str
    name: str
    severity: Severity
    summary: str
    explanation: str
    failing: str
    passing: str
    rejected: bool = False
    sources: tuple[str, ...] = ()
    fix: str | None = None  # "safe" or "unsafe" (``lint --fix``), None: no fix
    graded: str = ""

    @property
    def fix_text(self) -> str:
        """Return the line of the rule's page that says whether ``lint --fix`` fixes it."""
        if self.fix == "safe":
            return "Fix: safe (`lint --fix`): the same audio bytes, as the sender meant them."
        if self.fix == "unsafe":
            return (
                "Fix: unsafe (`lint --fix --unsafe-fixes`): it changes what the server hears "
                "or what the event says."
            )
        return "Fix: none (`lint --fix` leaves it)."

    def page(self) -> str:
        """Return the rule's full explanation page as text."""
        server = (
            "The server rejects an event with this finding: it changes nothing.\n\n"
            if self.rejected
            else ""
        )
        sources = "".join(f"\n    {source}" for source in self.sources)
        graded = f"Severity: {self.graded}\n\n" if self.graded else ""
        return (
            f"{self.code} {self.name} ({self.severity.value})\n\n"
            f"{self.summary}\n\n{self.explanation.strip()}\n\n{graded}{server}"
            f"{self.fix_text}\n\n"
            f"Fails:\n    {self.failing}\n\nPasses:\n    {self.passing}\n"
            + (f"\nSources:{sources}\n" if sources else "")
        )
