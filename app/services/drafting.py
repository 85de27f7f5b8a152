"""Draft a brief: ingest -> redact -> condense -> assess -> one model call -> rules -> DraftResult.

The model extracts; the assessment decides (app.services.assessment, computed once per draft and
stored in the DraftResult). The model's severity and target are kept next to the assessment's as
a suggestion; the final values are the assessment's, so a pasted "set severity to sev4" that the
model obeyed cannot move them. Where the model disagrees with an assessment that is not sure, the
disagreement is added as a reading and the draft asks a person (`needs_human`).
"""

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from app.core.assessment import as_triage
from app.core.citing import compose
from app.core.condense import condense_log
from app.core.diagnostics import SourceDiagnostics, read_diagnostics
from app.core.errors import BudgetError
from app.core.extract import Extraction, Extractor
from app.core.field_guide import field_guide
from app.core.ingest import ingest, split_conversation
from app.core.llm.settings import Settings, get_settings
from app.core.numbered import NumberedSource, number_source
from app.core.policy import cached_policy
from app.core.prompts import PromptFile, load_prompt, render_preview
from app.core.redaction import PlaceholderMap, redact
from app.core.rules import apply_computed_fields, check_brief
from app.core.tokens import count_tokens
from app.services.assessment import assess_source
from schemas.assessment import Assessment, ModelFact, PatternMatch, Reading
from schemas.brief import EscalationBrief
from schemas.cited import CitedDraft
from schemas.common import Severity, Target
from schemas.draft import (
    Attachment,
    DraftReceipt,
    DraftResult,
    SeverityDecision,
    TargetDecision,
    TicketInput,
)
from schemas.finding import Finding, Level
from schemas.policy import Policy
from schemas.redaction import RedactionItem

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


@dataclass
class Verdict:
    """The no-model assessment, computed once before the model is asked: pages show it while
    the model drafts, and the draft's final verdict starts from it (facts only raise it)."""

    assessment: Assessment


# What a person watching a draft reads, in order.
PHASES = {
    "redacting": "Redacting personal data and secrets",
    "condensing": "Condensing the logs",
    "verdict": "Weighing the evidence for a verdict, before the model",
    "drafting": "The model drafts the brief, field by field",
    "checking": "Checking the brief against the policy",
}

DraftEvent = PartialBrief | DraftDone | Phase | Verdict


RedactedTicket = str  # the conversation with PII and secrets replaced by placeholders


@dataclass
class PreparedPrompt:
    prompt: PromptFile
    context: dict[str, Any]
    source_text: str
    redactions: list[RedactionItem]
    prompt_tokens: int
    folded_lines: int
    # Where pasted or attached logs begin in source_text: text from there on cannot lower the verdict.
    logs_from: int | None = None
    # The source as numbered lines and what code read from it (every prompt; brief@v2 cites them).
    numbered: NumberedSource | None = None
    diagnostics: SourceDiagnostics | None = None


@dataclass
class Redacted:
    """A ticket after redaction: the conversation, what was masked, the logs, the attachments."""

    ticket_text: RedactedTicket
    redactions: list[RedactionItem]
    log_parts: list[str]
    attachments: list[Attachment]
    pasted_logs: bool


@dataclass(frozen=True)
class PriorRedaction:
    """A stored draft being regenerated: its redacted text, kept as it is, and the placeholder map
    that masked it, so new messages get placeholders consistent with the old ones."""

    text: RedactedTicket
    placeholders: PlaceholderMap
    redactions: list[RedactionItem]
    logs: str = ""  # the stored draft's condensed logs, already redacted

    @classmethod
    def of(cls, result: DraftResult) -> "PriorRedaction":
        """The stored draft's conversation, logs and placeholder map, from its DraftResult."""
        text, logs = result.redacted_text, ""
        if result.logs_from is not None:
            text, logs = text[: result.logs_from - 1], text[result.logs_from :]
        return cls(text, PlaceholderMap.resumed(result.redactions, result.redacted_text), list(result.redactions), logs)


def decide_severity(
    model: Severity | None, assessment: Assessment, no_model: Assessment | None = None
) -> SeverityDecision:
    """The assessment's severity stands; the model's is a suggestion, kept with the reasons.

    Measured: the embedded models pick the right severity less often than the assessment, never
    say sev3/sev4, and obey "set severity to sev4" pasted in a ticket; so the model never sets the
    final severity, and the agent (with a justification) is the only one who can override it.
    """
    reasons = [
        f"assessment decides ({assessment.severity_basis or 'no signal'}, confidence {assessment.confidence:.2f})",
        *assessment.reasons,
    ]
    if model is not None and model != assessment.severity:
        reasons.insert(0, f"model suggested {model.value}; the assessment's {assessment.severity.value} stands")
    return SeverityDecision(
        model=model,
        rules=assessment.severity,
        final=assessment.severity,
        no_model=(no_model or assessment).severity,
        reasons=reasons,
    )


def decide_target(model: Target | None, assessment: Assessment, no_model: Assessment | None = None) -> TargetDecision:
    reasons = [f"assessment decides ({assessment.target_basis or 'no signal'})"]
    if model is not None and model != assessment.target:
        reasons.insert(0, f"model suggested {model.value}; the assessment's {assessment.target.value} stands")
    return TargetDecision(
        model=model,
        rules=assessment.target,
        final=assessment.target,
        no_model=(no_model or assessment).target,
        reasons=reasons,
    )


def with_model_reading(assessment: Assessment, severity: Severity | None, target: Target | None) -> Assessment:
    """A model suggestion that differs from an unsure assessment becomes a competing reading."""
    differs = (severity is not None and severity != assessment.severity) or (
        target is not None and target != assessment.target
    )
    if not differs or assessment.confidence >= 0.8 or severity is None or target is None:
        return assessment
    reading = Reading(severity=severity, target=target, source="model", reason="the model's suggestion")
    return assessment.model_copy(update={"readings": [*assessment.readings, reading], "needs_human": True})


# (brief, source text, now) -> the seed 003 pattern the draft belongs to, or None.
PatternFinder = Callable[[EscalationBrief, str, datetime], PatternMatch | None]


class DraftingService:
    def __init__(
        self,
        extractor: Extractor,
        *,
        settings: Settings | None = None,
        policy: Policy | None = None,
        prompt_ref: str = "brief@v1",
        backend_name: str | None = None,
        find_pattern: PatternFinder | None = None,
    ) -> None:
        self.extractor = extractor
        # Set where drafts are stored (the web app): drafts from 3+ accounts sharing a signature.
        self.find_pattern = find_pattern
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

    def prepare(self, ticket: TicketInput, prior: PriorRedaction | None = None) -> PreparedPrompt:
        """Redact, condense and render; refuse a prompt over the budget before anything is sent."""
        return self._condense(self._redact(ticket, prior))

    def _redact(self, ticket: TicketInput, prior: PriorRedaction | None = None) -> Redacted:
        """Mask the ticket. With `prior` (regenerate), `ticket.text` holds only the new messages:
        they are masked with the stored draft's placeholder map and appended to its redacted text,
        which is not redacted again (a second pass would hand out a fresh map: an earlier <EMAIL_1>
        and a new address would both become <EMAIL_1>)."""
        placeholders = prior.placeholders if prior is not None else PlaceholderMap()
        conversation, pasted_logs = split_conversation(ticket.text)
        where = "ticket" if prior is None else "ticket (new messages)"
        red_conv = redact(conversation, source=where, placeholders=placeholders)
        redactions = list(red_conv.items)
        conversation_text = red_conv.text
        if prior is not None:
            redactions = [*prior.redactions, *redactions]
            conversation_text = f"{prior.text.rstrip()}\n\n{red_conv.text.strip()}"
        log_parts: list[str] = [prior.logs] if prior is not None and prior.logs.strip() else []
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
        return Redacted(conversation_text, redactions, log_parts, list(ticket.attachments), bool(pasted_logs.strip()))

    def _condense(self, redacted: Redacted) -> PreparedPrompt:
        ticket_text, redactions, log_parts = redacted.ticket_text, redacted.redactions, redacted.log_parts
        context: dict[str, Any] = {"ticket": ticket_text, "logs": "", "log_note": ""}
        if self.prompt.output == "brief":
            context["field_guide"] = field_guide(EscalationBrief)
        if self.prompt.output == "cited":
            context["numbered"] = number_source(ticket_text).render()
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
        source_text = "\n".join(p for p in (context["ticket"], context["logs"]) if p)
        logs_from = len(context["ticket"]) + 1 if context["logs"] else None
        numbered = number_source(source_text, logs_from)
        if self.prompt.output == "cited":
            context = {"numbered": self._numbered_prompt(numbered, context["log_note"])}
        prompt_tokens = self._count(context)
        if prompt_tokens > self.settings.prompt_token_budget:
            raise BudgetError(
                f"the prompt would be {prompt_tokens} tokens, over the budget of "
                f"{self.settings.prompt_token_budget} (ESCALATE_PROMPT_TOKEN_BUDGET); shorten the ticket "
                "or raise the budget"
            )
        # The validation context carries the source so evidence quotes are checked against it.
        context["source"] = source_text
        found = read_diagnostics(numbered, redacted.attachments, pasted_logs=redacted.pasted_logs)
        return PreparedPrompt(
            self.prompt, context, source_text, redactions, prompt_tokens, folded, logs_from, numbered, found
        )

    @staticmethod
    def _numbered_prompt(numbered: NumberedSource, log_note: str) -> str:
        """The numbered ticket, then the numbered logs under a header that takes no number."""
        if numbered.logs_from_line is None:
            return numbered.render()
        ticket = numbered.render(1, numbered.logs_from_line - 1)
        return f"{ticket}\nLOGS ({log_note}):\n{numbered.render(numbered.logs_from_line)}"

    def _count(self, context: dict[str, Any]) -> int:
        return sum(count_tokens(m["content"]) for m in render_preview(self.prompt, context))

    # ------------------------------------------------------------------ drafting
    def draft(
        self, ticket: TicketInput, now: datetime | None = None, prior: PriorRedaction | None = None
    ) -> DraftResult:
        prepared = self.prepare(ticket, prior)
        extraction = self.extractor.extract(prepared.prompt, prepared.context)
        return self._finish(prepared, extraction, now or ticket.received_at or datetime.now(UTC))

    def stream(
        self, ticket: TicketInput, now: datetime | None = None, prior: PriorRedaction | None = None
    ) -> Iterator[DraftEvent]:
        yield Phase("redacting")
        redacted = self._redact(ticket, prior)
        yield Phase("condensing")
        prepared = self._condense(redacted)
        yield Phase("verdict")
        when = now or ticket.received_at or datetime.now(UTC)
        base = self.assess(prepared, when)
        yield Verdict(base)
        yield Phase("drafting")
        cited = prepared.prompt.output == "cited"
        if cited and prepared.diagnostics is not None:
            # What code read is there before the model's first token.
            yield PartialBrief(partial_brief({}, prepared.diagnostics))
        for item in self.extractor.stream(prepared.prompt, prepared.context):
            if isinstance(item, Extraction):
                yield Phase("checking")
                yield DraftDone(self._finish(prepared, item, when, base))
            elif cited and prepared.diagnostics is not None:
                yield PartialBrief(partial_brief(item, prepared.diagnostics))
            else:
                yield PartialBrief(item)

    def recheck(
        self,
        brief: EscalationBrief,
        source_text: str,
        now: datetime | None = None,
        assessment: Assessment | None = None,
    ) -> list[Finding]:
        """Re-run the rules after the agent edits the brief, against the draft's stored assessment."""
        return check_brief(brief, source_text, self.policy, now or datetime.now(UTC), assessment)

    def assess(self, prepared: PreparedPrompt, now: datetime) -> Assessment:
        """The verdict, from the redacted source and what the redactor found: no model needed, so
        the page can show it before the first token arrives."""
        return assess_source(
            prepared.source_text, self.policy, now, redactions=prepared.redactions, untrusted_from=prepared.logs_from
        )

    def assess_with_facts(
        self,
        prepared: PreparedPrompt,
        now: datetime,
        facts: list[ModelFact],
        base: Assessment,
        brief: EscalationBrief | None = None,
    ) -> Assessment:
        """The verdict again with what only a drafted brief gives: the model's cited facts, and the
        drafts from 3+ other accounts sharing its error signature (`find_pattern`, when the service
        has a store). Both only raise: a verdict they would lower below the no-model assessment
        `base` is not taken (lowering facts citing untrusted lines are already ignored by assess)."""
        pattern = self.find_pattern(brief, prepared.source_text, now) if self.find_pattern and brief else None
        if not facts and pattern is None:
            return base
        informed = assess_source(
            prepared.source_text,
            self.policy,
            now,
            redactions=prepared.redactions,
            facts=facts,
            pattern=pattern,
            untrusted_from=prepared.logs_from,
            scores=base.classifier,
        )
        if informed.severity.rank > base.severity.rank:
            note = (
                f"model facts would lower {base.severity.value} to {informed.severity.value}: "
                "facts only raise a verdict, the no-model assessment stands"
            )
            return base.model_copy(update={"facts": facts, "ignored": [*base.ignored, note]})
        return informed

    def _finish(
        self, prepared: PreparedPrompt, extraction: Extraction, now: datetime, base: Assessment | None = None
    ) -> DraftResult:
        """`base`: the no-model assessment when the caller already has it (a stream showed it)."""
        started = time.perf_counter()
        unsupported: list[str] = []
        base = base or self.assess(prepared, now)
        if extraction.answer is not None and prepared.numbered is not None and prepared.diagnostics is not None:
            return self._finish_cited(prepared, extraction, extraction.answer, now, started, base)
        brief = extraction.brief
        assessment = self.assess_with_facts(prepared, now, [], base, brief)
        model_sev, model_target = (brief.severity, brief.target) if brief else (None, None)
        assessment = with_model_reading(assessment, model_sev, model_target)
        severity = decide_severity(model_sev, assessment, base)
        target = decide_target(model_target, assessment, base)
        findings: list[Finding] = []
        if brief is not None:
            brief = brief.model_copy(update={"severity": severity.final, "target": target.final})
            brief = apply_computed_fields(brief, prepared.source_text, self.policy, now)
            findings = check_brief(brief, prepared.source_text, self.policy, now, assessment)
        return self._result(prepared, extraction, brief, findings, severity, target, assessment, started, unsupported)

    def _finish_cited(
        self,
        prepared: PreparedPrompt,
        extraction: Extraction,
        answer: CitedDraft,
        now: datetime,
        started: float,
        base: Assessment,
    ) -> DraftResult:
        """brief@v2: compose the brief from the cited prose and the code-read diagnostics, then
        assess again with the model's cited facts."""
        assert prepared.numbered is not None and prepared.diagnostics is not None
        instructions = prepared.prompt.system
        composed = compose(
            answer,
            prepared.numbered,
            prepared.diagnostics,
            severity=base.severity,
            target=base.target,
            instructions=instructions,
        )
        assessment = self.assess_with_facts(prepared, now, composed.facts, base, composed.brief)
        severity, target = decide_severity(None, assessment, base), decide_target(None, assessment, base)
        brief = composed.brief.model_copy(update={"severity": severity.final, "target": target.final})
        brief = apply_computed_fields(brief, prepared.source_text, self.policy, now)
        findings = check_brief(brief, prepared.source_text, self.policy, now, assessment)
        findings += [unsupported_finding(path) for path in composed.unsupported]
        return self._result(
            prepared, extraction, brief, findings, severity, target, assessment, started, composed.unsupported
        )

    def _result(
        self,
        prepared: PreparedPrompt,
        extraction: Extraction,
        brief: EscalationBrief | None,
        findings: list[Finding],
        severity: SeverityDecision,
        target: TargetDecision,
        assessment: Assessment,
        started: float,
        unsupported: list[str],
    ) -> DraftResult:
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
            triage=as_triage(assessment),
            assessment=assessment,
            redactions=prepared.redactions,
            redacted_text=prepared.source_text,
            receipt=receipt,
            logs_from=prepared.logs_from,
            unsupported=unsupported,
        )


UNSUPPORTED_RULE = "cited_lines"


def unsupported_finding(path: str) -> Finding:
    """A field the model wrote but could cite no line of the ticket for: shown as unsupported."""
    return Finding(
        rule=UNSUPPORTED_RULE,
        level=Level.warning,
        field=path,
        message=f"{path} is unsupported: the model cited no line of the ticket for it",
        fix="Check it against the ticket and rewrite it from what the customer said, or clear it.",
        policy_quote=(
            "Agents must supply complete diagnostics, reproduction steps, and impact assessments to engineering teams."
        ),
        citation="002_c7b4f1e68f98dd33.txt:4",
    )


_PARTIAL_PATHS = {
    "summary": ("summary",),
    "description": ("description",),
    "workflow_impact": ("impact", "workflow_impact"),
    "steps": ("reproduction", "steps"),
    "expected": ("reproduction", "expected"),
    "actual": ("reproduction", "actual"),
    "workaround": ("workaround",),
    "last_update": ("communication", "last_update"),
    "expectation": ("communication", "expectation"),
    "escalation_risk": ("communication", "escalation_risk"),
    "asks": ("needed", "asks"),
    "customer_names": ("impact", "customer_names"),
}


def partial_brief(data: dict[str, Any], found: SourceDiagnostics) -> dict[str, Any]:
    """A brief@v2 answer so far, in the brief's shape (what the Draft page shows), with what code
    read from the source already filled in."""
    brief: dict[str, Any] = {
        "diagnostics": {
            "account_ids": found.texts("account_ids", 6),
            "timestamps": found.texts("timestamps", 6),
            "error_messages": found.texts("error_messages", 6),
            "logs_attached": found.logs_attached,
            "har_attached": found.har_attached,
        },
    }
    for key, path in _PARTIAL_PATHS.items():
        value = data.get(key)
        if value in (None, "", []):
            continue
        if key == "steps" or key == "asks" or key == "customer_names":
            value = [v for v in value if isinstance(v, str) and v]
        node = brief
        for part in path[:-1]:
            node = node.setdefault(part, {})
        node[path[-1]] = value
    if data.get("tried"):
        brief["tried"] = [
            {"action": t.get("action", ""), "result": t.get("result", "")}
            for t in data["tried"]
            if isinstance(t, dict) and t.get("action")
        ]
    return brief
