"""What the store hands back: typed, detached records (never live ORM rows) for services and pages."""

from dataclasses import dataclass
from datetime import datetime

from schemas.brief import EscalationBrief
from schemas.common import Severity, Target
from schemas.draft import DraftResult
from schemas.finding import Finding, Level


@dataclass(frozen=True)
class DraftSummary:
    """One line of a list or queue: enough to filter and sort without parsing the brief."""

    id: int
    author: str
    status: str
    version: int
    summary: str
    severity: Severity
    rules_severity: Severity
    target: Target
    received_at: datetime
    submitted_at: datetime | None
    updated_at: datetime
    reviewed_by: str | None


@dataclass(frozen=True)
class DraftRecord:
    id: int
    author: str
    status: str
    version: int
    created_at: datetime
    updated_at: datetime
    received_at: datetime
    submitted_at: datetime | None
    source_text: str
    model_result: DraftResult
    brief: EscalationBrief
    findings: list[Finding]
    override_justification: str
    reviewed_by: str | None
    reviewed_at: datetime | None
    review_reason: str | None

    @property
    def rules_severity(self) -> Severity:
        return self.model_result.severity.rules

    @property
    def overrides_rules(self) -> bool:
        """The agent chose a severity other than the one the rules derived."""
        return self.brief.severity != self.rules_severity

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.level == Level.error]

    @property
    def editable(self) -> bool:
        return self.status in ("draft", "rejected")


@dataclass(frozen=True)
class VersionRecord:
    draft_id: int
    version: int
    kind: str
    actor: str
    at: datetime
    status: str
    brief: EscalationBrief
    severity: Severity
    override_justification: str


@dataclass(frozen=True)
class ReviewRecord:
    draft_id: int
    draft_version: int
    author: str
    reviewer: str
    decision: str
    reason: str
    at: datetime


@dataclass(frozen=True)
class ExportRecord:
    draft_id: int
    draft_version: int
    actor: str
    at: datetime
    format: str
    destination: str
    status: str
    response_code: int | None
    error: str
