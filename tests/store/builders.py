"""Valid schema objects for store tests: typed data, not model output (no model is involved here)."""

from schemas.brief import Diagnostics, EscalationBrief, Evidence, Impact
from schemas.common import Severity, Target
from schemas.draft import DraftReceipt, DraftResult, SeverityDecision, TargetDecision
from schemas.triage import TriageResult

SOURCE = "Checkout fails for acct-1234 since 2026-11-20T09:00Z with HTTP 502 for every store."


def make_brief(summary: str = "Checkout down for acct-1234", severity: Severity = Severity.sev2) -> EscalationBrief:
    return EscalationBrief(
        summary=summary,
        severity=severity,
        target=Target.engineering,
        impact=Impact(workflow_impact="Checkout fails"),
        diagnostics=Diagnostics(account_ids=["acct-1234"], error_messages=["HTTP 502"]),
        evidence=[Evidence(field="summary", quote="Checkout fails for acct-1234")],
    )


def make_result(brief: EscalationBrief | None = None, rules: Severity = Severity.sev2) -> DraftResult:
    brief = brief or make_brief()
    return DraftResult(
        brief=brief,
        valid=True,
        severity=SeverityDecision(model=brief.severity, rules=rules, final=rules, reasons=["test"]),
        target=TargetDecision(model=brief.target, rules=brief.target, final=brief.target),
        triage=TriageResult(severity=rules, target=brief.target),
        redacted_text=SOURCE,
        receipt=DraftReceipt(prompt_id="brief", prompt_version=1, backend="test", model="none"),
    )
