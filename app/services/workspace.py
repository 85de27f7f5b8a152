"""An agent's drafts: start one from a ticket, edit and autosave it, regenerate, submit for review.

Every method checks the caller's role first and writes through the store, so each change is a
new version with an audit entry. Edits carry the version the agent last saw; a stale one is
refused (ConflictError) instead of silently overwriting someone else's change.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from app.core.errors import EscalateError, InputError, PermissionDenied
from app.core.grounding import evidence_quotes_missing, without_invented_list_items
from app.core.store import DraftRecord, DraftSummary, Store, VersionRecord
from app.core.store.repo import (
    brief_columns,
    create_draft,
    findings_json,
    get_draft,
    list_drafts,
    list_versions,
    update_draft,
)
from app.core.store.requests import DraftRequest, create_request, finish_request, get_request, list_requests
from app.services.auth import Permission, Principal, require
from app.services.drafting import DraftDone, DraftEvent, PartialBrief, Phase, PriorRedaction, Verdict
from schemas.assessment import Assessment
from schemas.brief import EscalationBrief, field_title, with_field_titles
from schemas.common import Severity
from schemas.draft import DraftResult, TicketInput
from schemas.finding import Finding, Level

Clock = Callable[[], datetime]
SaveDraft = Callable[[EscalationBrief, list[Finding], DraftResult], DraftRecord]


class Drafter(Protocol):
    """What the workspace needs from drafting (app.services.drafting.DraftingService has it)."""

    def ingest(self, text: str, files: list[tuple[str, bytes]]) -> TicketInput: ...

    def draft(self, ticket: TicketInput, now: datetime | None = None) -> DraftResult: ...

    def stream(
        self, ticket: TicketInput, now: datetime | None = None, prior: PriorRedaction | None = None
    ) -> Iterator[DraftEvent]: ...

    def recheck(
        self,
        brief: EscalationBrief,
        source_text: str,
        now: datetime | None = None,
        assessment: Assessment | None = None,
    ) -> list[Finding]: ...


@dataclass(frozen=True)
class DraftSaved:
    """The last event of a drafting stream: the result is stored and has an id."""

    draft: DraftRecord
    result: DraftResult


WorkspaceEvent = PartialBrief | Phase | Verdict | DraftSaved


class SubmissionBlocked(InputError):
    """Submission refused: error findings, or an override of the rules' severity without a reason."""

    def __init__(self, problems: list[str], findings: list[Finding]) -> None:
        super().__init__("cannot submit yet: " + "; ".join(problems))
        self.problems = problems
        self.findings = findings


def submission_problems(
    brief: EscalationBrief, findings: list[Finding], rules_severity: Severity, justification: str
) -> list[str]:
    """Why a brief may not go to review yet; empty when it may. The pages show the same list."""
    problems = [
        f"{field_title(f.field) if f.field else 'Whole brief'}: {with_field_titles(f.message)}"
        for f in findings
        if f.level == Level.error
    ]
    if brief.severity != rules_severity and not justification.strip():
        problems.append(
            f"severity {brief.severity.label} overrides the rules' {rules_severity.label}: "
            "write a justification for the reviewer"
        )
    return problems


# What to ask a customer for each diagnostic the policy requires (seed 002 line 12), in their words.
CUSTOMER_ASKS = {
    "diagnostics.account_ids": "the account, organisation or workspace ID that is affected",
    "diagnostics.timestamps": "the date and time (with time zone) when it last happened",
    "diagnostics.error_messages": "the exact error message or code you see (a screenshot is fine)",
    "diagnostics.environment": "your setup: plan, region, integrations in use",
    "reproduction.environment": "your environment: product version, browser, operating system and region",
    "reproduction.steps": "the steps that lead to the problem, one by one",
    "impact.workflow_impact": "what you cannot do because of this, and how many people it affects",
    "diagnostics.logs_attached": "any logs from around the time it happened",
    "diagnostics.har_attached": (
        "a HAR file recorded while it happens (browser developer tools > Network > 'Save all as HAR')"
    ),
    "diagnostics.screenshots": "a screenshot or screen recording of the problem",
    "diagnostics.traceroute_attached": "a traceroute from your network to our service",
    "tried": "what you have already tried, and what happened",
    "description": "a short description of what happens and since when",
}
REQUIRED_DIAGNOSTICS_RULE = "required_diagnostics"


def customer_request(findings: list[Finding]) -> str | None:
    """A message asking the customer for the diagnostics the brief lacks; None when nothing is missing."""
    asks = [
        CUSTOMER_ASKS[f.field] for f in findings if f.rule == REQUIRED_DIAGNOSTICS_RULE and f.field in CUSTOMER_ASKS
    ]
    if not asks:
        return None
    lines = "\n".join(f"- {ask}" for ask in dict.fromkeys(asks))
    return (
        "Hello,\n\nThank you for your patience. So that our engineers can investigate this without "
        f"delay, could you send us:\n{lines}\n\nMask any passwords or personal data before sending. "
        "We will update you as soon as we have this.\n"
    )


def fallback_brief(result: DraftResult) -> EscalationBrief:
    """When the model gave nothing usable, start the agent from the rules' verdict, not a blank page."""
    first_line = next((line.strip() for line in result.redacted_text.splitlines() if line.strip()), "")
    return EscalationBrief(
        summary=(first_line or "Escalation (the model gave no summary: write one)")[:200],
        severity=result.severity.final,
        target=result.target.final,
    )


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Workspace:
    def __init__(self, store: Store, drafter: Drafter, clock: Clock = _utcnow) -> None:
        self.store = store
        self.drafter = drafter
        self.clock = clock

    # ------------------------------------------------------------------ reading
    def my_drafts(self, principal: Principal) -> list[DraftSummary]:
        require(principal, Permission.draft)
        with self.store.read() as session:
            return list_drafts(session, author=principal.name)

    def open(self, principal: Principal, draft_id: int) -> DraftRecord:
        """The author sees their drafts, reviewers see all, everyone with access sees approved ones."""
        with self.store.read() as session:
            record = get_draft(session, draft_id)
        allowed = (
            (record.author == principal.name and principal.can(Permission.draft))
            or principal.can(Permission.review)
            or (record.status == "approved" and principal.can(Permission.view_approved))
        )
        if not allowed:
            raise PermissionDenied(f"draft #{draft_id} belongs to {record.author}")
        return record

    def versions(self, principal: Principal, draft_id: int) -> list[VersionRecord]:
        self.open(principal, draft_id)
        with self.store.read() as session:
            return list_versions(session, draft_id)

    # ------------------------------------------------------------------ drafting
    def ingest(self, principal: Principal, text: str, files: list[tuple[str, bytes]]) -> TicketInput:
        require(principal, Permission.draft)
        return self.drafter.ingest(text, files)

    def _drafted(
        self, ticket: TicketInput, now: datetime, store: SaveDraft, prior: PriorRedaction | None = None
    ) -> Iterator[WorkspaceEvent]:
        """Pass the model's partial briefs through; store the finished draft with `store`."""
        for event in self.drafter.stream(ticket, now, prior) if prior is not None else self.drafter.stream(ticket, now):
            if isinstance(event, DraftDone):
                result = event.result
                if result.brief is not None:
                    brief, findings = result.brief, result.findings
                else:
                    brief = fallback_brief(result)
                    findings = self.drafter.recheck(brief, result.redacted_text, now, result.assessment)
                shots = [a.name for a in ticket.attachments if a.kind == "screenshot"]
                missing = [name for name in shots if name not in brief.diagnostics.screenshots]
                if missing:  # attached screenshots are diagnostics the brief lists (seed 002 line 12)
                    diagnostics = brief.diagnostics.model_copy(
                        update={"screenshots": [*brief.diagnostics.screenshots, *missing]}
                    )
                    brief = brief.model_copy(update={"diagnostics": diagnostics})
                    findings = self.drafter.recheck(brief, result.redacted_text, now, result.assessment)
                yield DraftSaved(store(brief, findings, result), result)
            else:
                yield event

    def request(self, principal: Principal, ticket: TicketInput) -> DraftRequest:
        """Store the ticket as the agent gave it, before anything slow runs: nothing is lost to a
        reload, a closed tab, a crash or a model failure. Drafting it is `run`."""
        require(principal, Permission.draft)
        if not ticket.text.strip() and not ticket.attachments:
            raise InputError("nothing to draft from: paste the ticket conversation or attach a file")
        with self.store.write() as session:
            return create_request(session, author=principal.name, at=self.clock(), ticket=ticket)

    def open_request(self, principal: Principal, request_id: int) -> DraftRequest:
        require(principal, Permission.draft)
        with self.store.read() as session:
            found = get_request(session, request_id)
        if found.author != principal.name:
            raise PermissionDenied(f"draft request #{request_id} belongs to {found.author}")
        return found

    def unfinished_requests(self, principal: Principal) -> list[DraftRequest]:
        """Tickets the agent asked to draft that have no draft yet (drafting, failed or cancelled)."""
        require(principal, Permission.draft)
        with self.store.read() as session:
            return list_requests(session, author=principal.name, statuses=("drafting", "failed", "cancelled"))

    def close_request(self, principal: Principal, request_id: int, status: str, error: str = "") -> DraftRequest:
        """Mark a request failed or cancelled; its ticket stays stored for the agent to draft again."""
        self.open_request(principal, request_id)
        with self.store.write() as session:
            return finish_request(
                session, request_id, actor=principal.name, at=self.clock(), status=status, draft_id=None, error=error
            )

    def run(
        self, principal: Principal, request_id: int, cancelled: Callable[[], bool] = lambda: False
    ) -> Iterator[WorkspaceEvent]:
        """Draft a stored request: the events of `start`, and the request marked done (with its
        draft), failed (with the reason) or cancelled. `cancelled` is asked between events."""
        stored = self.open_request(principal, request_id)
        if stored.status == "done":
            raise InputError(f"draft request #{request_id} is already drafted as draft #{stored.draft_id}")
        try:
            for event in self.start(principal, stored.ticket):
                if cancelled():
                    self.close_request(principal, request_id, "cancelled")
                    return
                if isinstance(event, DraftSaved):
                    with self.store.write() as session:
                        finish_request(
                            session,
                            request_id,
                            actor=principal.name,
                            at=self.clock(),
                            status="done",
                            draft_id=event.draft.id,
                        )
                yield event
        except EscalateError as exc:
            self.close_request(principal, request_id, "failed", str(exc))
            raise

    def start(self, principal: Principal, ticket: TicketInput) -> Iterator[WorkspaceEvent]:
        """Stream the model's partial brief, then store the finished draft (events end with DraftSaved)."""
        require(principal, Permission.draft)
        if not ticket.text.strip() and not ticket.attachments:
            raise InputError("nothing to draft from: paste the ticket conversation or attach a file")
        now = self.clock()

        def create(brief: EscalationBrief, findings: list[Finding], result: DraftResult) -> DraftRecord:
            with self.store.write() as session:
                return create_draft(
                    session,
                    author=principal.name,
                    at=now,
                    received_at=ticket.received_at or now,
                    result=result,
                    brief=brief,
                    findings=findings,
                )

        yield from self._drafted(ticket, now, create)

    def regenerate(
        self, principal: Principal, draft_id: int, expected_version: int, new_messages: str
    ) -> Iterator[WorkspaceEvent]:
        """Draft again from the stored (redacted) ticket with the customer's new messages appended.

        The stored text is not redacted again: only the new messages are, with the draft's own
        placeholder map rebuilt from its receipt, so a value masked before keeps its placeholder
        and a new one gets the next number (never an earlier value's placeholder)."""
        record = self._editable(principal, draft_id)
        if not new_messages.strip():
            raise InputError("paste the customer's new messages to regenerate with")
        now = self.clock()
        ticket = TicketInput(text=new_messages.strip(), received_at=record.received_at)
        stored = record.model_result
        if not stored.redacted_text:
            stored = stored.model_copy(update={"redacted_text": record.source_text})
        prior = PriorRedaction.of(stored)

        def replace(brief: EscalationBrief, findings: list[Finding], result: DraftResult) -> DraftRecord:
            with self.store.write() as session:
                return update_draft(
                    session,
                    draft_id,
                    expected_version=expected_version,
                    actor=principal.name,
                    kind="regenerate",
                    at=now,
                    changes={
                        **brief_columns(brief),
                        "status": "draft",
                        "source_text": result.redacted_text,
                        "model_result": result.model_dump_json(),
                        "findings": findings_json(findings),
                        "rules_severity": result.severity.rules.value,
                        "override_justification": "",
                    },
                )

        yield from self._drafted(ticket, now, replace, prior)

    # ------------------------------------------------------------------ editing
    def _editable(self, principal: Principal, draft_id: int) -> DraftRecord:
        require(principal, Permission.draft)
        with self.store.read() as session:
            record = get_draft(session, draft_id)
        if record.author != principal.name:
            raise PermissionDenied(f"draft #{draft_id} belongs to {record.author}; only its author edits it")
        if not record.editable:
            raise InputError(f"draft #{draft_id} is {record.status} and cannot be edited now")
        return record

    def save(
        self,
        principal: Principal,
        draft_id: int,
        expected_version: int,
        brief: EscalationBrief,
        justification: str,
        *,
        autosave: bool = False,
    ) -> DraftRecord:
        """Store the agent's edit with fresh findings; an unchanged brief writes nothing."""
        record = self._editable(principal, draft_id)
        if record.version == expected_version and (brief, justification) == (
            record.brief,
            record.override_justification,
        ):
            return record
        now = self.clock()
        findings = self.drafter.recheck(brief, record.source_text, now, record.model_result.assessment)
        with self.store.write() as session:
            return update_draft(
                session,
                draft_id,
                expected_version=expected_version,
                actor=principal.name,
                kind="autosave" if autosave else "edit",
                at=now,
                changes={
                    **brief_columns(brief),
                    "status": "draft",
                    "findings": findings_json(findings),
                    "override_justification": justification,
                },
            )

    def remove_unverified_quotes(self, principal: Principal, draft_id: int, expected_version: int) -> DraftRecord:
        """Drop the evidence quotes that are not in the ticket word for word (the rule's own fix).

        The fields they claimed to support stay as written; the rules then judge those alone.
        """
        record = self._editable(principal, draft_id)
        missing = {m.index for m in evidence_quotes_missing(record.brief, record.source_text)}
        if not missing:
            return record
        kept = [e for i, e in enumerate(record.brief.evidence) if i not in missing]
        brief = record.brief.model_copy(update={"evidence": kept})
        return self.save(principal, draft_id, expected_version, brief, record.override_justification)

    def remove_invented_values(self, principal: Principal, draft_id: int, expected_version: int) -> DraftRecord:
        """Drop diagnostic IDs, timestamps and error codes the ticket does not contain (the
        grounding rule's fix for list fields); free text stays for the agent to correct."""
        record = self._editable(principal, draft_id)
        brief, removed = without_invented_list_items(record.brief, record.source_text)
        if not removed:
            return record
        return self.save(principal, draft_id, expected_version, brief, record.override_justification)

    def submit(self, principal: Principal, draft_id: int, expected_version: int) -> DraftRecord:
        record = self._editable(principal, draft_id)
        now = self.clock()
        findings = self.drafter.recheck(record.brief, record.source_text, now, record.model_result.assessment)
        problems = submission_problems(record.brief, findings, record.rules_severity, record.override_justification)
        if problems:
            raise SubmissionBlocked(problems, findings)
        with self.store.write() as session:
            return update_draft(
                session,
                draft_id,
                expected_version=expected_version,
                actor=principal.name,
                kind="submit",
                at=now,
                changes={"status": "submitted", "submitted_at": now, "findings": findings_json(findings)},
            )

    def withdraw(self, principal: Principal, draft_id: int, expected_version: int) -> DraftRecord:
        """Take a submitted draft back to edit it; it leaves the review queue."""
        require(principal, Permission.draft)
        with self.store.write() as session:
            record = get_draft(session, draft_id)
            if record.author != principal.name:
                raise PermissionDenied(f"draft #{draft_id} belongs to {record.author}")
            if record.status != "submitted" and record.version == expected_version:
                raise InputError(f"draft #{draft_id} is {record.status}, not waiting for review")
            return update_draft(
                session,
                draft_id,
                expected_version=expected_version,
                actor=principal.name,
                kind="edit",
                at=self.clock(),
                changes={"status": "draft", "submitted_at": None},
            )
