"""What every rule sees: the brief, its ticket, the policy and the clock, with the triage of the
ticket and the SLA computed at most once per check and shared by all rules."""

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from app.core.sla import SlaResult, compute_sla
from app.core.triage import TriageBasis, evidence_kinds, max_value, triage_with_basis
from schemas.brief import EscalationBrief
from schemas.finding import Finding, Level
from schemas.policy import Policy, Rule
from schemas.triage import TriageResult


@dataclass
class RuleContext:
    brief: EscalationBrief
    source: str
    policy: Policy
    now: datetime

    @cached_property
    def _triaged(self) -> tuple[TriageResult, TriageBasis]:
        return triage_with_basis(self.source, self.policy, self.now)

    @property
    def triage(self) -> TriageResult:
        return self._triaged[0]

    @property
    def basis(self) -> TriageBasis:
        return self._triaged[1]

    @cached_property
    def kinds(self) -> frozenset[str]:
        """Signal kinds that count as evidence (see triage.evidence_kinds)."""
        return frozenset(evidence_kinds(self.triage.signals, self.source))

    @cached_property
    def customers(self) -> float:
        """Customers affected: the larger of what the ticket says and what the brief claims."""
        return max(max_value(self.triage.signals, "customer_count"), self.brief.impact.customers_affected or 0)

    @cached_property
    def hours(self) -> float:
        return max_value(self.triage.signals, "duration")

    @cached_property
    def sla(self) -> SlaResult:
        return compute_sla(self.source, self.brief.severity, self.policy, self.now)

    def signal_text(self, kind: str) -> str:
        """The first span of a signal kind, quoted for a message."""
        span = next((s.text for s in self.triage.signals if s.kind == kind), "")
        return f" ({span!r})" if span else ""


@dataclass(frozen=True, slots=True)
class Issue:
    """What a rule found; the engine adds the rule id, the policy quote and the citation."""

    field: str
    message: str
    fix: str
    level: Level | None = None  # None: the level the policy gives the rule


def to_finding(rule_id: str, rule: Rule, issue: Issue) -> Finding:
    return Finding(
        rule=rule_id,
        level=issue.level or rule.level,
        field=issue.field,
        message=issue.message,
        fix=issue.fix,
        policy_quote=rule.quote,
        citation=rule.cite,
    )
