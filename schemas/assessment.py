"""The assessment: the one verdict on a ticket (severity, target, urgency), built once from evidence.

`app.core.assessment.assess` computes it once per draft (and per regenerate); the rules engine,
the pages, the CLI and the evals read the stored object instead of triaging again. Evidence comes
from several independent sources, each a `Signal` with its `source`; the fusion rules that turn
them into a verdict are written in the policy file, not in code.
"""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas.common import Severity, Target
from schemas.triage import Signal

# Where a piece of evidence came from. Only some sources may lower a severity (see the policy's
# [fusion] table): a pasted log line or a comment never can.
SignalSource = Literal["pattern", "redactor", "classifier", "model_fact", "store", "clock"]
# Whose words carried the evidence: the customer's or agent's own turns are trusted to lower a
# severity; "untrusted" is pasted logs, HTML/Markdown comments, text addressed to an assistant.
Speaker = Literal["customer", "agent", "untrusted", "unknown"]


class ClassifierScores(BaseModel):
    """Calibrated probabilities of the learned triage classifier for one ticket."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    model_id: str = Field(description="Name and version of the shipped artifact, e.g. 'triage-clf@2026.12.1'.")
    severity: dict[Severity, float] = Field(description="P(severity) for each level; sums to 1.")
    security: float = Field(ge=0.0, le=1.0, description="P(this ticket is a security matter).")
    target: dict[Target, float] = Field(default_factory=dict, description="P(target), where the artifact has it.")
    sev1_threshold: float = Field(ge=0.0, le=1.0, description="Calibrated cut above which sev1 is raising evidence.")
    security_threshold: float = Field(ge=0.0, le=1.0, description="Calibrated cut for security.")


# The impact facts a model may extract (one home: schemas.cited's answer shape uses it too).
FactKind = Literal[
    "service_unavailable",
    "customers_affected",
    "data_lost",
    "data_exposed",
    "credential_exposed",
    "workaround_confirmed",
    "duration_hours",
    "business_event_blocked",
    "question_only",
    "feature_request",
    "past_or_hypothetical",
]


class ModelFact(BaseModel):
    """A fact the model extracted, with the numbered source lines it cites.

    The assessment trusts a fact only when its citations exist and the cited lines support it
    (the caller checks the lines; the assessment checks that there are some).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: FactKind
    value: bool | float = True
    lines: list[int] = Field(default_factory=list, description="1-based line numbers of the numbered source.")
    quote: str = Field(default="", description="The cited lines' text, filled in by code, never by the model.")


class Reading(BaseModel):
    """One way to read the ticket, when the sources disagree."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    severity: Severity
    target: Target
    source: str = Field(description="Which evidence supports this reading.")
    reason: str


class PatternMatch(BaseModel):
    """Drafts from 3+ accounts within the policy's window that share an error signature (seed 003)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    signature: str
    draft_ids: list[int]
    accounts: list[str]


class Assessment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    severity: Severity
    target: Target
    immediate: bool = Field(description="Escalate now, whatever the hour (security; Sev1/Sev2 off hours).")
    confidence: float = Field(ge=0.0, le=1.0, description="How sure the verdict is, from the evidence that decided it.")
    needs_human: bool = Field(description="Sources disagree or none is confident: a person decides.")
    readings: list[Reading] = Field(default_factory=list, description="The competing readings when needs_human.")
    signals: list[Signal] = Field(default_factory=list, description="All evidence, each with its source and span.")
    decided_by: list[str] = Field(default_factory=list, description="Kinds of the signals that set the verdict.")
    severity_basis: str = Field(default="", description="The signal kind that set the severity ('' for the fallback).")
    target_basis: str = Field(default="", description="The signal kind that set the target ('' for the fallback).")
    reasons: list[str] = Field(default_factory=list, description="One line each, with the policy citation.")
    ignored: list[str] = Field(
        default_factory=list,
        description="Evidence that was not allowed to count, and why (e.g. lowering text in a log).",
    )
    classifier: ClassifierScores | None = None
    facts: list[ModelFact] = Field(default_factory=list)
    pattern: PatternMatch | None = None
    policy_version: str = ""
    assessed_at: datetime | None = None
    escalate_by: datetime | None = Field(default=None, description="When the policy's SLA says escalate at the latest.")
