"""Draft a brief: ingest -> redact -> condense -> one model call -> rules -> DraftResult.

The model extracts; the rules decide what they can. Severity and target from the model are
kept next to the rule-derived ones, and the final values follow the rules whenever a decisive
signal set them (`app.core.triage.DECISIVE_KINDS`: security, outage, data loss, customer counts,
long emergencies, blocked renewals, workarounds, feature requests, questions); otherwise the
model's suggestion stands.
"""

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from app.core.condense import condense_log
from app.core.errors import BudgetError
from app.core.extract import Extraction, Extractor
from app.core.field_guide import field_guide
from app.core.ingest import ingest, split_conversation
from app.core.llm.settings import Settings, get_settings
from app.core.policy import cached_policy
from app.core.prompts import PromptFile, load_prompt, render_preview
from app.core.redaction import PlaceholderMap, redact
from app.core.rules import apply_computed_fields, check_brief
from app.core.tokens import count_tokens
from app.core.triage import TriageBasis, triage_with_basis
from schemas.brief import EscalationBrief
from schemas.common import Severity, Target
from schemas.draft import (
    DraftReceipt,
    DraftResult,
    SeverityDecision,
    TargetDecision,
    TicketInput,
)
from schemas.finding import Finding
from schemas.policy import Policy
from schemas.redaction import RedactionItem
from schemas.triage import TriageResult

# Room the rendered instructions and ticket leave for logs is what condensing may use.
MIN_LOG_BUDGET = 200


@dataclass
class PartialBrief:
    data: dict[str, Any]


@dataclass
class DraftDone:
    result: DraftResult


@dataclass
class Phase:
    """Drafting moved on to the next step; pages show its name and how long it has run."""

    name: str  # one of PHASES


# What a person watching a draft reads, in order.
PHASES = {
    "redacting": "Redacting personal data and secrets",
    "condensing": "Condensing the logs",
    "drafting": "The model drafts the brief, field by field",
    "checking": "Checking the brief against the policy",
}

DraftEvent = PartialBrief | DraftDone | Phase


RedactedTicket = str  # the conversation with PII and secrets replaced by placeholders


@dataclass
class PreparedPrompt:
    prompt: PromptFile
    context: dict[str, Any]
    source_text: str
    redactions: list[RedactionItem]
    prompt_tokens: int
    folded_lines: int


def decide_severity(model: Severity | None, triaged: TriageResult, basis: TriageBasis) -> SeverityDecision:
    """The rules' severity stands whenever a signal in the ticket set it; the model's suggestion
    only fills in when none did, and never as sev1, which the policy reserves for signals it names.

    Measured: the embedded models pick the right severity less often than the rules, and obey
    "set severity to sev4" pasted in a ticket; so the model never overrides a rule, and the agent
    (with a justification) is the only one who can.
    """
    if basis.severity_kind or model is None:
        why = f"rules decide: signal '{basis.severity_kind}'" if basis.severity_kind else "no model suggestion"
        reasons = [why, *triaged.reasons]
        if model is not None and model != triaged.severity:
            reasons.insert(0, f"model suggested {model.value}; overruled by the policy")
        return SeverityDecision(model=model, rules=triaged.severity, final=triaged.severity, reasons=reasons)
    final = Severity.sev2 if model is Severity.sev1 else model
    reasons = ["no signal in the ticket sets a severity: the model's suggestion stands", *triaged.reasons]
    if final is not model:
        reasons.insert(0, "model suggested sev1, capped at sev2: sev1 needs a signal the policy names")
    return SeverityDecision(model=model, rules=triaged.severity, final=final, reasons=reasons)


def decide_target(model: Target | None, triaged: TriageResult, basis: TriageBasis) -> TargetDecision:
    """Like severity: a signal's target stands; the model's only when no signal names one."""
    if basis.target_kind or model is None:
        why = f"rules decide: signal '{basis.target_kind}'" if basis.target_kind else "no model suggestion"
        reasons = [why]
        if model is not None and model != triaged.target:
            reasons.insert(0, f"model suggested {model.value}; overruled by the policy")
        return TargetDecision(model=model, rules=triaged.target, final=triaged.target, reasons=reasons)
    return TargetDecision(
        model=model, rules=triaged.target, final=model, reasons=["no signal names a team: the model's target stands"]
    )


class DraftingService:
    def __init__(
        self,
        extractor: Extractor,
        *,
        settings: Settings | None = None,
        policy: Policy | None = None,
        prompt_ref: str = "brief@v1",
        backend_name: str | None = None,
    ) -> None:
        self.extractor = extractor
        self.settings = settings or get_settings()
        self.policy = policy or cached_policy(str(self.settings.policy_file) if self.settings.policy_file else None)
        self.prompt = load_prompt(prompt_ref)
        self.backend_name = backend_name or self.settings.backend

    def close(self) -> None:
        """Release the extractor's connections (a CLI run or a test ends; the web app keeps one)."""
        close = getattr(self.extractor, "close", None)
        if callable(close):
            close()

    # ------------------------------------------------------------------ inputs
    def ingest(self, text: str, files: list[tuple[str, bytes]]) -> TicketInput:
        return ingest(text, files, max_bytes=self.settings.max_input_bytes)

    def prepare(self, ticket: TicketInput) -> PreparedPrompt:
        """Redact, condense and render; refuse a prompt over the budget before anything is sent."""
        return self._condense(*self._redact(ticket))

    def _redact(self, ticket: TicketInput) -> tuple[RedactedTicket, list[RedactionItem], list[str]]:
        placeholders = PlaceholderMap()
        conversation, pasted_logs = split_conversation(ticket.text)
        red_conv = redact(conversation, source="ticket", placeholders=placeholders)
        redactions = list(red_conv.items)
        log_parts: list[str] = []
        if pasted_logs.strip():
            red = redact(pasted_logs, source="ticket (pasted logs)", placeholders=placeholders)
            redactions += red.items
            log_parts.append(red.text)
        for attachment in ticket.attachments:
            if attachment.kind == "screenshot":
                continue  # an image: named in the brief, never in the prompt
            red = redact(attachment.text, source=attachment.name, placeholders=placeholders)
            redactions += red.items
            log_parts.append(f"--- {attachment.name} ---\n{red.text}")
        return red_conv.text, redactions, log_parts

    def _condense(self, ticket_text: str, redactions: list[RedactionItem], log_parts: list[str]) -> PreparedPrompt:
        context: dict[str, Any] = {"ticket": ticket_text, "logs": "", "log_note": ""}
        if self.prompt.output == "brief":
            context["field_guide"] = field_guide(EscalationBrief)
        base_tokens = self._count(context)
        folded = 0
        if log_parts:
            log_budget = max(self.settings.prompt_token_budget - base_tokens, MIN_LOG_BUDGET)
            condensed = condense_log("\n".join(log_parts), log_budget, count_tokens)
            folded = condensed.folded_lines
            context["logs"] = condensed.text
            context["log_note"] = (
                f"{condensed.lines_in} lines condensed to {condensed.lines_out}; "
                f"{condensed.folded_lines} repeated lines folded into templates with counts"
            )
        prompt_tokens = self._count(context)
        if prompt_tokens > self.settings.prompt_token_budget:
            raise BudgetError(
                f"the prompt would be {prompt_tokens} tokens, over the budget of "
                f"{self.settings.prompt_token_budget} (ESCALATE_PROMPT_TOKEN_BUDGET); shorten the ticket "
                "or raise the budget"
            )
        source_text = "\n".join(p for p in (context["ticket"], context["logs"]) if p)
        # The validation context carries the source so evidence quotes are checked against it.
        context["source"] = source_text
        return PreparedPrompt(self.prompt, context, source_text, redactions, prompt_tokens, folded)

    def _count(self, context: dict[str, Any]) -> int:
        return sum(count_tokens(m["content"]) for m in render_preview(self.prompt, context))

    # ------------------------------------------------------------------ drafting
    def draft(self, ticket: TicketInput, now: datetime | None = None) -> DraftResult:
        prepared = self.prepare(ticket)
        extraction = self.extractor.extract(prepared.prompt, prepared.context)
        return self._finish(prepared, extraction, now or ticket.received_at or datetime.now(UTC))

    def stream(self, ticket: TicketInput, now: datetime | None = None) -> Iterator[DraftEvent]:
        yield Phase("redacting")
        redacted = self._redact(ticket)
        yield Phase("condensing")
        prepared = self._condense(*redacted)
        yield Phase("drafting")
        for item in self.extractor.stream(prepared.prompt, prepared.context):
            if isinstance(item, Extraction):
                yield Phase("checking")
                yield DraftDone(self._finish(prepared, item, now or ticket.received_at or datetime.now(UTC)))
            else:
                yield PartialBrief(item)

    def recheck(self, brief: EscalationBrief, source_text: str, now: datetime | None = None) -> list[Finding]:
        """Re-run the rules after the agent edits the brief."""
        return check_brief(brief, source_text, self.policy, now or datetime.now(UTC))

    def _finish(self, prepared: PreparedPrompt, extraction: Extraction, now: datetime) -> DraftResult:
        started = time.perf_counter()
        triaged, basis = triage_with_basis(prepared.source_text, self.policy, now)
        brief = extraction.brief
        severity = decide_severity(brief.severity if brief else None, triaged, basis)
        target = decide_target(brief.target if brief else None, triaged, basis)
        findings: list[Finding] = []
        if brief is not None:
            brief = brief.model_copy(update={"severity": severity.final, "target": target.final})
            brief = apply_computed_fields(brief, prepared.source_text, self.policy, now)
            findings = check_brief(brief, prepared.source_text, self.policy, now)
        prompt_tokens, completion_tokens = extraction.prompt_tokens, extraction.completion_tokens
        if extraction.unmetered_output is not None:
            # instructor's stream reports no usage: count the streamed attempt here, and say so.
            prompt_tokens += prepared.prompt_tokens
            completion_tokens += count_tokens(extraction.unmetered_output)
        receipt = DraftReceipt(
            prompt_id=prepared.prompt.id,
            prompt_version=prepared.prompt.version,
            backend=self.backend_name,
            model=self.extractor.model_name,
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            tokens_estimated=extraction.unmetered_output is not None,
            attempts=extraction.attempts,
            reasks=extraction.reasks,
            latency_s=round(extraction.latency_s + (time.perf_counter() - started), 3),
            token_budget=self.settings.prompt_token_budget,
            prompt_tokens_estimated=prepared.prompt_tokens,
            folded_log_lines=prepared.folded_lines,
        )
        return DraftResult(
            brief=brief,
            valid=extraction.valid,
            errors=extraction.errors,
            findings=findings,
            severity=severity,
            target=target,
            triage=triaged,
            redactions=prepared.redactions,
            redacted_text=prepared.source_text,
            receipt=receipt,
        )
