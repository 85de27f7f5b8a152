"""The normalised record of one drafted case: everything the scorers read, whatever produced it.

A typed brief (brief@vN) and a prose brief (baseline@vN) reach the scorers in this one shape, so a
new way of drafting only needs a new adapter (evals/adapters.py), never new scorers.
"""

from pydantic import BaseModel, ConfigDict, Field

from schemas.common import Severity, Target
from schemas.finding import Level


class FindingRef(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    rule: str
    level: Level


class Outcome(BaseModel):
    model_config = ConfigDict(extra="forbid")

    case_id: str
    repeat: int = Field(default=0, ge=0)
    error: str | None = Field(default=None, description="Why drafting failed; the case then scores 0.")
    valid: bool = Field(default=False, description="The draft passed schema validation within its re-asks.")

    severity_model: Severity | None = None
    severity_assessment: Severity | None = Field(
        default=None, description="The no-model assessment (before the model's facts); none in older runs."
    )
    severity_rules: Severity | None = None
    severity_final: Severity | None = None
    target_model: Target | None = None
    target_assessment: Target | None = None
    target_rules: Target | None = None
    target_final: Target | None = None

    brief_text: str = Field(default="", description="The brief's free text (or the prose): facts are searched here.")
    customer_count: int | None = None
    reproduction_steps: bool = False
    workaround: bool = False
    identifiers: int = Field(default=0, ge=0, description="Identifier-like tokens the brief states.")
    ungrounded: list[str] = Field(default_factory=list, description="Those not found in the input.")
    findings: list[FindingRef] = Field(default_factory=list)
    facts: list[str] = Field(
        default_factory=list, description="The model's cited facts the assessment read: 'kind=value@lines'."
    )
    rules_checked: bool = Field(
        default=True, description="The policy's rules ran on this draft (a prose draft has no fields to check)."
    )

    prompt_tokens: int = 0
    completion_tokens: int = 0
    reasks: int = 0
    latency_s: float = 0.0
    replayed: bool = Field(False, description="Answered from a recording: latency_s is not a measurement.")

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def key(self) -> tuple[str, int]:
        return self.case_id, self.repeat


def failed(case_id: str, repeat: int, error: BaseException) -> Outcome:
    """A case whose drafting raised: recorded with its error, scored 0 by every metric."""
    message = str(error).strip() or "(no message)"
    return Outcome(case_id=case_id, repeat=repeat, error=f"{type(error).__name__}: {message}"[:1000])
