"""Enums and constrained aliases shared by every schema."""

from enum import StrEnum
from typing import Annotated

from pydantic import StringConstraints

NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
OneLine = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=r"^[^\n]*$")]


class Severity(StrEnum):
    """Severity levels of seed 002 lines 6-9."""

    sev1 = "sev1"
    sev2 = "sev2"
    sev3 = "sev3"
    sev4 = "sev4"

    @property
    def label(self) -> str:
        return SEVERITY_LABELS[self]

    @property
    def rank(self) -> int:
        """1 is the most severe; lets callers compare without string tricks."""
        return int(self.value[-1])

    @classmethod
    def from_label(cls, label: str) -> "Severity":
        wanted = label.strip().lower()
        for sev, name in SEVERITY_LABELS.items():
            if name.lower() == wanted or sev.value == wanted:
                return sev
        raise ValueError(f"unknown severity label {label!r}; expected one of {list(SEVERITY_LABELS.values())}")


SEVERITY_LABELS: dict[Severity, str] = {
    Severity.sev1: "Critical",
    Severity.sev2: "High",
    Severity.sev3: "Medium",
    Severity.sev4: "Low",
}


class Target(StrEnum):
    """Escalation tiers of seed 003 lines 11-15."""

    engineering = "engineering"
    product = "product"
    security = "security"
    leadership = "leadership"
    support_l2 = "support_l2"


TARGET_LABELS: dict[Target, str] = {
    Target.engineering: "Engineering",
    Target.product: "Product",
    Target.security: "Security",
    Target.leadership: "Leadership",
    Target.support_l2: "Support L2",
}


class SlaStatus(StrEnum):
    """Seed 003 line 25. Computed by the rules engine from ticket timestamps, never asked of a model."""

    within = "within_sla"
    at_risk = "at_risk"
    breached = "breached"
    unknown = "unknown"
