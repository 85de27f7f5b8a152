"""What every rule sees: the brief, its ticket, the policy and the clock, and the ticket's stored
assessment (the one verdict: rules read it, never triage again). Without a stored assessment
(a brief checked on its own, `escalate check`) it is computed once here from the text alone."""

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from app.core.assessment import assess
from app.core.sla import SlaResult, compute_sla
from schemas.assessment import Assessment
from schemas.brief import EscalationBrief
from schemas.finding import Finding, Level
from schemas.policy import Policy, Rule


@dataclass
class RuleContext:
    brief: EscalationBrief
    source: str
    policy: Policy
    now: datetime
    stored: Assessment | None = None

    @cached_property
    def assessment(self) -> Assessment:
        return self.stored if self.stored is not None else assess(self.source, self.policy, self.now)

    @cached_property
    def kinds(self) -> frozenset[str]:
        """Signal kinds that count as evidence (after negation, cues and speakers)."""
        return frozenset(s.kind for s in self.assessment.signals)

    def only_the_model_says(self, kind: str) -> bool:
        """Every signal of `kind` is a fact the model cited (no pattern, credential or classifier)."""
        found = [s for s in self.assessment.signals if s.kind == kind]
        return bool(found) and all(s.source == "model_fact" for s in found)

    def max_value(self, kind: str) -> float:
        return max((s.value for s in self.assessment.signals if s.kind == kind and s.value is not None), default=0.0)

    @cached_property
    def customers(self) -> float:
        """Customers affected: the larger of what the ticket says and what the brief claims."""
        return max(self.max_value("customer_count"), self.brief.impact.customers_affected or 0)

    @cached_property
    def hours(self) -> float:
        return self.max_value("duration")

    @cached_property
    def sla(self) -> SlaResult:
        return compute_sla(self.source, self.brief.severity, self.policy, self.now)

    def signal_text(self, kind: str) -> str:
        """The first span of a signal kind, quoted for a message."""
        span = next((s.text for s in self.assessment.signals if s.kind == kind), "")
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
