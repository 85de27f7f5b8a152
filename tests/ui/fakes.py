"""A test double of the drafting service for the page tests, loaded by the app through
ESCALATE_DRAFTER_FACTORY=tests.ui.fakes:FakeDrafter. Its 'model' is a fixed function of the ticket,
so each page test knows exactly which brief and findings it gets; no model, no network.

- the summary is the ticket's first line; account IDs are the `acct-NNNN` in the text;
- the 'model' always suggests Medium (sev3); the 'rules' say Critical (sev1) when the ticket says
  "all stores", else Medium, and the brief starts at the rules' verdict;
- an empty account-ID list is a blocking finding, no screenshots a warning (both quote the policy);
- e-mail addresses are masked as <EMAIL_n> with a redaction receipt;
- a ticket containing MODEL_DOWN fails the way an unreachable model server does;
- a ticket containing INVENTED_QUOTE gets a brief with a quote that is not in the ticket, which
  the real evidence check reports as a blocking finding;
- a ticket containing INVENTED_ID gets an extra account ID (acct-9999) and timestamp the ticket
  lacks, which the real grounding check reports as blocking findings.
"""

import hashlib
import re
from collections.abc import Iterator
from datetime import datetime

from app.core.errors import BackendUnavailable
from app.core.grounding import IDENTIFIER_LIST_ITEM, evidence_quotes_missing, ungrounded_identifiers
from app.core.ingest import ingest
from app.core.policy import cached_policy
from app.services.drafting import DraftDone, DraftEvent, PartialBrief, PriorRedaction
from schemas.brief import Diagnostics, EscalationBrief, Evidence, Impact
from schemas.common import Severity, Target
from schemas.draft import DraftReceipt, DraftResult, SeverityDecision, TargetDecision, TicketInput
from schemas.finding import Finding, Level
from schemas.redaction import RedactionItem
from schemas.triage import TriageResult

MODEL_DOWN = "MODEL_DOWN"
INVENTED_QUOTE = "INVENTED_QUOTE"
INVENTED_ID = "INVENTED_ID"
_INVENTED = "Payment approval is broken for all customers"  # what a small model wrote, not the ticket
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
_ACCOUNT = re.compile(r"\bacct-\d+\b")


def _redact(text: str) -> tuple[str, list[RedactionItem]]:
    items: list[RedactionItem] = []

    def mask(match: re.Match[str]) -> str:
        placeholder = f"<EMAIL_{len(items) + 1}>"
        value = match.group()
        items.append(
            RedactionItem(
                kind="EMAIL_ADDRESS",
                placeholder=placeholder,
                source="ticket",
                start=match.start(),
                end=match.end(),
                rule="fake:email",
                preview=value[0] + "***",
                digest=hashlib.sha256(value.encode()).hexdigest(),
            )
        )
        return placeholder

    return _EMAIL.sub(mask, text), items


class FakeDrafter:
    def __init__(self) -> None:
        self.policy = cached_policy(None)

    def ingest(self, text: str, files: list[tuple[str, bytes]]) -> TicketInput:
        return ingest(text, files, max_bytes=1_000_000)

    def draft(self, ticket: TicketInput, now: datetime | None = None) -> DraftResult:
        raw = "\n".join([ticket.text, *(a.text for a in ticket.attachments)])
        source, redactions = _redact(raw)
        first_line = next(line.strip() for line in source.splitlines() if line.strip())
        rules = Severity.sev1 if "all stores" in source.lower() else Severity.sev3
        accounts = _ACCOUNT.findall(source)
        brief = EscalationBrief(
            summary=first_line[:150],
            severity=rules,
            target=Target.engineering,
            impact=Impact(workflow_impact="Checkout fails"),
            diagnostics=Diagnostics(
                account_ids=accounts + (["acct-9999"] if INVENTED_ID in source else []),
                timestamps=["2023-04-15T12:34:56Z"] if INVENTED_ID in source else [],
            ),
            evidence=[Evidence(field="summary", quote=first_line[:150])]
            + [Evidence(field="diagnostics.account_ids", quote=a) for a in accounts]
            + ([Evidence(field="impact.workflow_impact", quote=_INVENTED)] if INVENTED_QUOTE in source else []),
        )
        return DraftResult(
            brief=brief,
            valid=True,
            findings=self.recheck(brief, source, now),
            severity=SeverityDecision(
                model=Severity.sev3, rules=rules, final=rules, reasons=[f"fake rules: {rules.label}"]
            ),
            target=TargetDecision(model=Target.engineering, rules=Target.engineering, final=Target.engineering),
            triage=TriageResult(severity=rules, target=Target.engineering),
            redactions=redactions,
            redacted_text=source,
            receipt=DraftReceipt(prompt_id="brief", prompt_version=1, backend="fake", model="fake"),
        )

    def stream(
        self, ticket: TicketInput, now: datetime | None = None, prior: PriorRedaction | None = None
    ) -> Iterator[DraftEvent]:
        if prior is not None:  # regenerate: the stored draft's text, then the new messages
            ticket = ticket.model_copy(update={"text": f"{prior.text}\n\n{ticket.text}"})
        if MODEL_DOWN in ticket.text:
            raise BackendUnavailable("the model server is not reachable (test double)")
        result = self.draft(ticket, now)
        assert result.brief is not None
        yield PartialBrief({"summary": result.brief.summary})
        yield PartialBrief({"summary": result.brief.summary, "severity": result.brief.severity.value})
        yield DraftDone(result)

    def recheck(
        self,
        brief: EscalationBrief,
        source_text: str,
        now: datetime | None = None,
        assessment: object = None,
    ) -> list[Finding]:
        rule = self.policy.rules.required_diagnostics
        findings = [
            Finding(
                rule="evidence_verbatim",
                level=Level.error,
                field=f"evidence[{missing.index}].quote",
                message=f"quote {missing.quote!r} is not in the ticket word for word",
                fix="copy the quote character for character from the ticket, or remove it",
                policy_quote=self.policy.rules.evidence_verbatim.quote,
                citation=self.policy.rules.evidence_verbatim.cite,
            )
            for missing in evidence_quotes_missing(brief, source_text)
        ] + [
            Finding(
                rule="grounding",
                level=Level.error,
                field=item.field,
                message=f"{item.kind} {item.text!r} does not appear in the ticket",
                fix="copy the identifier exactly from the ticket, or remove it",
                policy_quote=self.policy.rules.grounding.quote,
                citation=self.policy.rules.grounding.cite,
            )
            for item in ungrounded_identifiers(brief, source_text)
            if INVENTED_ID in source_text and IDENTIFIER_LIST_ITEM.fullmatch(item.field)
        ]
        if not brief.diagnostics.account_ids:
            findings.append(
                Finding(
                    rule="required_diagnostics",
                    level=Level.error,
                    field="diagnostics.account_ids",
                    message="diagnostics.account_ids is empty: engineering escalations need the account ID",
                    fix="add the account ID from the ticket, or ask the customer for it",
                    policy_quote=rule.quote,
                    citation=rule.cite,
                )
            )
        if not brief.diagnostics.screenshots:
            findings.append(
                Finding(
                    rule="required_diagnostics",
                    level=Level.warning,
                    field="diagnostics.screenshots",
                    message="diagnostics.screenshots is empty",
                    fix="ask for a screenshot",
                    policy_quote=rule.quote,
                    citation=rule.cite,
                )
            )
        return findings
