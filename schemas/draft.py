"""A drafted brief with everything a reviewer needs to trust it."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from schemas.assessment import Assessment
from schemas.brief import EscalationBrief
from schemas.common import Severity, Target
from schemas.finding import Finding
from schemas.redaction import RedactionItem
from schemas.triage import TriageResult


class Attachment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    text: str = Field(description="Decoded text of the attachment.")
    kind: str = Field(default="log", description="log, har, json, text or screenshot (kept by name; no text).")


class TicketInput(BaseModel):
    """What the agent pasted and attached, decoded to text."""

    model_config = ConfigDict(extra="forbid")

    text: str
    attachments: list[Attachment] = Field(default_factory=list)
    received_at: datetime | None = Field(default=None, description="When the agent drafted; 'now' for SLA math.")


class SeverityDecision(BaseModel):
    """The model's suggestion, the rules' verdict and the one that stands, each with reasons."""

    model_config = ConfigDict(extra="forbid")

    model: Severity | None
    rules: Severity
    final: Severity
    no_model: Severity | None = Field(
        default=None,
        description="The assessment before the model answered (shown first); the model's facts only raise it.",
    )
    reasons: list[str] = Field(default_factory=list)


class TargetDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    model: Target | None
    rules: Target
    final: Target
    no_model: Target | None = Field(default=None, description="The assessment's target before the model answered.")
    reasons: list[str] = Field(default_factory=list)


class Reask(BaseModel):
    model_config = ConfigDict(extra="forbid")

    attempt: int
    validator: str = Field(description="Which check failed: 'evidence', 'severity', 'schema', ...")
    message: str


class DraftReceipt(BaseModel):
    """How the draft was made: enough to reproduce it and to bill it."""

    model_config = ConfigDict(extra="forbid")

    prompt_id: str
    prompt_version: int
    backend: str
    model: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    attempts: int = 0
    reasks: list[Reask] = Field(default_factory=list)
    latency_s: float = 0.0
    token_budget: int = 0
    prompt_tokens_estimated: int = 0
    folded_log_lines: int = 0
    tokens_estimated: bool = Field(
        default=False,
        description="A streamed attempt's usage was not reported by the server; its tokens were counted locally.",
    )


class DraftResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    brief: EscalationBrief | None
    valid: bool = Field(description="False when retries ran out; `errors` then says why.")
    errors: list[str] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)
    severity: SeverityDecision
    target: TargetDecision
    triage: TriageResult = Field(description="The assessment's narrower view, kept for older readers.")
    assessment: Assessment | None = Field(
        default=None, description="The one verdict, computed once for this draft (None in drafts saved before it)."
    )
    redactions: list[RedactionItem] = Field(default_factory=list)
    redacted_text: str = Field(description="The exact text the model saw (ticket + condensed logs, redacted).")
    receipt: DraftReceipt
    logs_from: int | None = Field(
        default=None, description="Where the logs begin in redacted_text (they cannot lower a verdict); None without."
    )
    unsupported: list[str] = Field(
        default_factory=list, description="Brief fields the model wrote but cited no source line for (brief@v2)."
    )
