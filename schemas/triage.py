"""Rule-derived triage: what the source text alone says about severity and target."""

from pydantic import BaseModel, ConfigDict, Field

from schemas.common import Severity, Target


class Signal(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: str = Field(description="Signal kind from the policy, e.g. 'security', 'outage', 'customer_count'.")
    text: str = Field(description="The exact span of the source that triggered the signal.")
    start: int = Field(ge=0, description="Character offset of the span in the source.")
    end: int = Field(ge=0)
    value: float | None = Field(default=None, description="A number the signal carries (customers, hours).")
    citation: str = Field(default="", description="Seed file and line behind the signal.")
    source: str = Field(
        default="pattern", description="Where the evidence came from: pattern, redactor, classifier, model_fact, store."
    )
    speaker: str = Field(
        default="unknown", description="Whose words: customer, agent, untrusted (pasted log, comment), unknown."
    )


class TriageResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    severity: Severity
    target: Target
    signals: list[Signal] = Field(default_factory=list)
    reasons: list[str] = Field(default_factory=list, description="Why this severity and target, one line each.")
    immediate: bool = Field(
        default=False, description="Escalate now, whatever the hour (security, Sev1/Sev2 off hours)."
    )
