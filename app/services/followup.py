"""Follow-through after approval: send -> acknowledged -> updates -> resolved.

Seed 002: 'Notify on-call ... Post a concise summary with ticket link', 'Acknowledge and track:
Confirm receipt from engineering, update the customer with expected timelines, and follow up until
resolution', Sev1/Sev2 outside business hours page on-call. Seed 001: the customer always knows
the next touch-point. Every transition is one transaction: the escalation row, its timeline event,
the messages it causes (outbox) and the audit entries commit together; delivery runs after.

Who may act: anyone who may export an approved brief (agents, reviewers, admins) follows it through.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, Protocol

from app.core.errors import InputError
from app.core.extract import Extractor
from app.core.followup import (
    AckClock,
    AckStatus,
    TouchStatus,
    UpdateProblem,
    ack_clock,
    ack_due,
    check_customer_update,
    default_touchpoint,
    needs_page,
    touch_status,
)
from app.core.prompts import load_prompt
from app.core.render import impact_line
from app.core.store import DraftRecord, DraftSummary, Store
from app.core.store.delivery_settings import DeliverySettings
from app.core.store.lifecycle import (
    EscalationRecord,
    EventRecord,
    OutboxRecord,
    add_event,
    create_escalation,
    enqueue,
    find_escalation,
    get_escalation,
    list_escalations,
    list_events,
    list_outbox,
    update_escalation,
)
from app.core.store.repo import as_utc, get_draft, list_drafts
from app.services.auth import Permission, Principal, require
from app.services.outbox import (
    DeliveryResult,
    OutboxService,
    notify_payload,
    pagerduty_payload,
    slack_page_payload,
)
from app.services.patterns import find_pattern
from schemas.assessment import PatternMatch
from schemas.policy import Policy

Clock = Callable[[], datetime]
Audience = Literal["internal", "customer"]
_ACK_ORDER = {AckStatus.breached: 0, AckStatus.waiting: 1, AckStatus.no_clock: 2, AckStatus.acknowledged: 3}
_TOUCH_ORDER = {
    TouchStatus.overdue: 0,
    TouchStatus.unset: 1,
    TouchStatus.due_soon: 2,
    TouchStatus.scheduled: 3,
    TouchStatus.closed: 4,
}


class UpdateWriter(Protocol):
    """Writes the prose of a customer update from facts (the model, or the template)."""

    def __call__(self, facts: dict[str, str]) -> str: ...


def template_update(facts: dict[str, str]) -> str:
    """The deterministic customer update: the facts in fixed sentences, no model involved."""
    parts = [f"Thank you for your patience while we work on this: {facts['summary']}."]
    parts.append(f"Current status: {facts['state']}.")
    if facts.get("engineering"):
        parts.append(facts["engineering"] + ".")
    parts.append(f"We will update you again by {facts['next_touch']}.")
    return " ".join(parts)


class ModelUpdateWriter:
    """The customer update written by the configured model (prompts/customer_update): prose only,
    from the same facts the template uses; what it writes is checked like anything the agent types."""

    def __init__(self, extractor: Extractor, prompt_ref: str = "customer_update@v1") -> None:
        self.extractor = extractor
        self.prompt = load_prompt(prompt_ref)

    def __call__(self, facts: dict[str, str]) -> str:
        return self.extractor.complete_text(self.prompt, dict(facts)).text.strip()


@dataclass(frozen=True)
class BoardItem:
    """One line of the Escalations board. `escalation` is None for an approved brief not sent yet."""

    draft: DraftSummary
    escalation: EscalationRecord | None
    ack: AckClock | None
    touch: TouchStatus

    @property
    def state(self) -> str:
        return self.escalation.state if self.escalation else "approved"


@dataclass(frozen=True)
class EscalationCase:
    draft: DraftRecord
    escalation: EscalationRecord | None
    ack: AckClock | None
    touch: TouchStatus
    events: list[EventRecord]
    outbox: list[OutboxRecord]
    pattern: PatternMatch | None
    paging_needed: bool


@dataclass(frozen=True)
class SendOutcome:
    escalation: EscalationRecord
    paged: bool
    queued: list[OutboxRecord]
    delivered: list[DeliveryResult]


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _when(moment: datetime | None) -> str:
    return f"{as_utc(moment):%Y-%m-%d %H:%M} UTC" if moment else "not set"


class FollowService:
    def __init__(
        self,
        store: Store,
        policy: Policy,
        delivery: OutboxService,
        clock: Clock = _utcnow,
    ) -> None:
        self.store = store
        self.policy = policy
        self.delivery = delivery
        self.clock = clock

    @property
    def settings(self) -> DeliverySettings:
        return self.delivery.settings

    # ------------------------------------------------------------------ reading

    def _touch(self, esc: EscalationRecord, now: datetime) -> TouchStatus:
        interval = self.policy.followup.touchpoint.default_minutes[esc.severity]
        return touch_status(esc.next_touch_at, now, resolved=not esc.open, interval_minutes=interval)

    def _ack(self, esc: EscalationRecord, now: datetime) -> AckClock:
        return ack_clock(
            severity=esc.severity,
            sent_at=esc.sent_at,
            acknowledged_at=esc.acknowledged_at,
            now=now,
            policy=self.policy,
        )

    def board(self, principal: Principal, *, include_resolved: bool = False) -> list[BoardItem]:
        """Approved briefs not yet sent and open escalations: acknowledgement breaches first, then
        overdue touch-points, then by severity."""
        require(principal, Permission.view_approved)
        now = self.clock()
        with self.store.read() as session:
            drafts = {d.id: d for d in list_drafts(session, statuses=["approved"])}
            escalations = {e.draft_id: e for e in list_escalations(session)}
        items: list[BoardItem] = []
        for draft_id, summary in drafts.items():
            esc = escalations.get(draft_id)
            if esc is None:
                items.append(BoardItem(summary, None, None, TouchStatus.unset))
            elif esc.open or include_resolved:
                items.append(BoardItem(summary, esc, self._ack(esc, now), self._touch(esc, now)))

        def order(item: BoardItem) -> tuple[int, int, int, float, int]:
            ack = _ACK_ORDER[item.ack.status] if item.ack else 1
            touch = _TOUCH_ORDER[item.touch]
            due = item.escalation.next_touch_at if item.escalation and item.escalation.next_touch_at else None
            return (ack, touch, item.draft.severity.rank, due.timestamp() if due else 0.0, item.draft.id)

        return sorted(items, key=order)

    def open(self, principal: Principal, draft_id: int) -> EscalationCase:
        require(principal, Permission.view_approved)
        now = self.clock()
        with self.store.read() as session:
            draft = get_draft(session, draft_id)
            esc = find_escalation(session, draft_id)
            events = list_events(session, [draft_id]) if esc else []
            outbox = list_outbox(session, draft_id=draft_id)
        if draft.status != "approved":
            raise InputError(f"draft #{draft_id} is {draft.status}; only approved briefs are followed through")
        pattern = find_pattern(self.store, self.policy, draft_id=draft_id)
        return EscalationCase(
            draft=draft,
            escalation=esc,
            ack=self._ack(esc, now) if esc else None,
            touch=self._touch(esc, now) if esc else TouchStatus.unset,
            events=events,
            outbox=outbox,
            pattern=pattern,
            paging_needed=needs_page(draft.brief.severity, now, self.policy),
        )

    # ------------------------------------------------------------------ transitions

    def send(self, principal: Principal, draft_id: int, *, deliver: bool = True) -> SendOutcome:
        """approved -> sent: start the acknowledgement clock, set the first touch-point, post the
        summary to the webhook and, for Sev1/Sev2 outside business hours, page on-call."""
        require(principal, Permission.export)
        now = self.clock()
        with self.store.write() as session:
            draft = get_draft(session, draft_id)
            if draft.status != "approved":
                raise InputError(f"draft #{draft_id} is {draft.status}; only approved briefs are sent")
            if find_escalation(session, draft_id) is not None:
                raise InputError(f"draft #{draft_id} was already sent")
            severity = draft.brief.severity
            due = ack_due(now, severity, self.policy)
            touch = default_touchpoint(now, severity, self.policy)
            esc = create_escalation(
                session,
                draft_id=draft_id,
                severity=severity,
                actor=principal.name,
                at=now,
                ack_due_at=due,
                next_touch_at=touch,
                body=f"sent; engineering to acknowledge by {_when(due)}",
            )
            queued: list[OutboxRecord] = []
            destination = self.delivery.destination("webhook")
            if destination:
                queued.append(
                    enqueue(
                        session,
                        draft_id=draft_id,
                        kind="notify",
                        channel="webhook",
                        destination=destination,
                        payload=notify_payload(draft, self.settings, principal.name),
                        actor=principal.name,
                        at=now,
                    )
                )
            paged = needs_page(severity, now, self.policy)
            if paged:
                channels = self.settings.pager_channels
                for channel in channels:
                    payload = (
                        pagerduty_payload(draft, self.settings, principal.name, now)
                        if channel == "pager"
                        else slack_page_payload(draft, self.settings, principal.name)
                    )
                    queued.append(
                        enqueue(
                            session,
                            draft_id=draft_id,
                            kind="page",
                            channel=channel,
                            destination=self.delivery.destination(channel) or "",
                            payload=payload,
                            actor=principal.name,
                            at=now,
                        )
                    )
                rule = self.policy.paging
                body = (
                    f"outside business hours: paged on-call via {', '.join(channels)} ({rule.cite})"
                    if channels
                    else f"outside business hours and no pager is configured: page on-call by phone ({rule.cite})"
                )
                add_event(session, draft_id=draft_id, at=now, actor=principal.name, kind="paged", body=body)
        delivered = self.delivery.deliver_due(only=[m.id for m in queued]) if deliver and queued else []
        return SendOutcome(esc, paged, queued, delivered)

    def acknowledge(self, principal: Principal, draft_id: int, expected_version: int, by: str) -> EscalationRecord:
        """sent -> acknowledged: engineering confirmed receipt (`by`: who confirmed)."""
        require(principal, Permission.export)
        who = by.strip()
        if not who:
            raise InputError("say who in engineering confirmed receipt")
        if len(who) > 120:
            raise InputError("the name of who acknowledged is longer than 120 characters")
        now = self.clock()
        with self.store.write() as session:
            esc = get_escalation(session, draft_id)
            if esc.state != "sent":
                raise InputError(f"escalation #{draft_id} is {esc.state}; only a sent one can be acknowledged")
            updated = update_escalation(
                session,
                draft_id,
                expected_version=expected_version,
                actor=principal.name,
                action="acknowledged",
                at=now,
                changes={"state": "acknowledged", "acknowledged_at": now, "acknowledged_by": who},
            )
            clock = self._ack(updated, now)
            add_event(
                session, draft_id=draft_id, at=now, actor=principal.name, kind="acknowledged",
                body=f"receipt confirmed by {who}; {clock.reason}",
            )  # fmt: skip
        return updated

    def check_update(self, text: str) -> list[UpdateProblem]:
        return check_customer_update(text, self.policy)

    def add_update(
        self,
        principal: Principal,
        draft_id: int,
        expected_version: int,
        *,
        audience: Audience,
        body: str,
        next_touch_at: datetime | None = None,
    ) -> EscalationRecord:
        """An internal note, or an update sent to the customer. A customer update must pass the
        checks (no PII, nothing internal-only) and names the next touch-point."""
        require(principal, Permission.export)
        text = body.strip()
        if not text:
            raise InputError("the update is empty")
        now = self.clock()
        changes: dict[str, Any] = {}
        if audience == "customer":
            problems = self.check_update(text)
            if problems:
                raise InputError("not sent to the customer: " + "; ".join(p.message for p in problems))
            if next_touch_at is None:
                raise InputError("say when the customer hears from us next (the next touch-point)")
            if as_utc(next_touch_at) <= now:
                raise InputError("the next touch-point must be in the future")
            changes = {"next_touch_at": as_utc(next_touch_at), "last_customer_update_at": now}
        elif audience != "internal":
            raise InputError(f"unknown audience {audience!r}: internal or customer")
        with self.store.write() as session:
            esc = get_escalation(session, draft_id)
            if not esc.open:
                raise InputError(f"escalation #{draft_id} is resolved")
            updated = update_escalation(
                session,
                draft_id,
                expected_version=expected_version,
                actor=principal.name,
                action=f"update_{audience}",
                at=now,
                changes=changes,
            )
            add_event(
                session, draft_id=draft_id, at=now, actor=principal.name, kind="update", audience=audience,
                body=text, next_touch_at=changes.get("next_touch_at"),
            )  # fmt: skip
        return updated

    def set_touchpoint(
        self, principal: Principal, draft_id: int, expected_version: int, next_touch_at: datetime
    ) -> EscalationRecord:
        require(principal, Permission.export)
        now = self.clock()
        if as_utc(next_touch_at) <= now:
            raise InputError("the next touch-point must be in the future")
        with self.store.write() as session:
            esc = get_escalation(session, draft_id)
            if not esc.open:
                raise InputError(f"escalation #{draft_id} is resolved")
            updated = update_escalation(
                session,
                draft_id,
                expected_version=expected_version,
                actor=principal.name,
                action="touchpoint",
                at=now,
                changes={"next_touch_at": as_utc(next_touch_at)},
            )
            add_event(
                session, draft_id=draft_id, at=now, actor=principal.name, kind="touchpoint",
                body=f"next touch-point {_when(next_touch_at)}", next_touch_at=as_utc(next_touch_at),
            )  # fmt: skip
        return updated

    def take_ownership(self, principal: Principal, draft_id: int, expected_version: int) -> EscalationRecord:
        """Seed 001: the next on-call engineer takes over at a handoff."""
        require(principal, Permission.export)
        now = self.clock()
        with self.store.write() as session:
            esc = get_escalation(session, draft_id)
            if esc.owner == principal.name:
                return esc
            updated = update_escalation(
                session,
                draft_id,
                expected_version=expected_version,
                actor=principal.name,
                action="owner",
                at=now,
                changes={"owner": principal.name},
            )
            add_event(
                session, draft_id=draft_id, at=now, actor=principal.name, kind="owner",
                body=f"owner {esc.owner} -> {principal.name}",
            )  # fmt: skip
        return updated

    def set_links(
        self, principal: Principal, draft_id: int, expected_version: int, *, room: str, doc: str
    ) -> EscalationRecord:
        """Seed 001: link the Slack room for the duration and the escalation document."""
        require(principal, Permission.export)
        room, doc = room.strip(), doc.strip()
        for name, value in (("room", room), ("document", doc)):
            if len(value) > 300:
                raise InputError(f"the {name} link is longer than 300 characters")
        now = self.clock()
        with self.store.write() as session:
            esc = get_escalation(session, draft_id)
            if not esc.open:
                raise InputError(f"escalation #{draft_id} is resolved")
            if (esc.room, esc.doc) == (room, doc):
                return esc
            updated = update_escalation(
                session,
                draft_id,
                expected_version=expected_version,
                actor=principal.name,
                action="links",
                at=now,
                changes={"room": room, "doc": doc},
            )
            add_event(
                session, draft_id=draft_id, at=now, actor=principal.name, kind="links",
                body=f"room: {room or '—'}; escalation doc: {doc or '—'}",
            )  # fmt: skip
        return updated

    def resolve(self, principal: Principal, draft_id: int, expected_version: int, resolution: str) -> EscalationRecord:
        """-> resolved (seed 003: 'follow escalation through to resolution'). Needs acknowledgement first."""
        require(principal, Permission.export)
        text = resolution.strip()
        if not text:
            raise InputError("say how it was resolved")
        now = self.clock()
        with self.store.write() as session:
            esc = get_escalation(session, draft_id)
            if esc.state == "resolved":
                raise InputError(f"escalation #{draft_id} is already resolved")
            if esc.state != "acknowledged":
                raise InputError(f"escalation #{draft_id} was never acknowledged by engineering; record that first")
            updated = update_escalation(
                session,
                draft_id,
                expected_version=expected_version,
                actor=principal.name,
                action="resolved",
                at=now,
                changes={"state": "resolved", "resolved_at": now, "resolved_by": principal.name, "resolution": text},
            )
            add_event(session, draft_id=draft_id, at=now, actor=principal.name, kind="resolved", body=text)
        return updated

    # ------------------------------------------------------------------ customer update draft

    def update_facts(self, case: EscalationCase, next_touch_at: datetime) -> dict[str, str]:
        """What a customer update may say: only facts safe to share (no ids, names, labels)."""
        esc = case.escalation
        state = {
            None: "our engineering team has the issue",
            "sent": "our engineering team has been notified and is picking it up",
            "acknowledged": "our engineering team is actively investigating",
            "resolved": "the issue is resolved",
        }[esc.state if esc else None]
        last = next((e.body for e in reversed(case.events) if e.kind == "update" and e.audience == "customer"), "")
        return {
            "summary": case.draft.brief.impact.workflow_impact.strip().rstrip(".") or case.draft.brief.summary,
            "state": state,
            "engineering": "Engineering has confirmed they are working on it" if esc and esc.acknowledged_at else "",
            "next_touch": _when(next_touch_at),
            "last_update": last,
        }

    def draft_customer_update(
        self, principal: Principal, draft_id: int, next_touch_at: datetime, writer: UpdateWriter | None = None
    ) -> tuple[str, list[UpdateProblem]]:
        """A customer update for the agent to edit: written by `writer` (the model) or the template,
        then checked; the agent sees the problems before anything is sent."""
        case = self.open(principal, draft_id)
        facts = self.update_facts(case, next_touch_at)
        text = (writer or template_update)(facts).strip()
        return text, self.check_update(text)

    # ------------------------------------------------------------------ helpers for pages

    def impact(self, draft: DraftRecord) -> str:
        return impact_line(draft.brief)
