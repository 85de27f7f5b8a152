"""Shift handoff (seed 001: 'At the end of your shift, update the next on-call Support Engineer &
Manager of the escalation so they can take over').

For each open escalation: what changed since the last handoff, what is pending, the next
touch-point and the owner. The facts come from the timeline and the clocks, deterministically;
the note is those facts in fixed sentences, so every id and time in it is one the timeline holds.
(A model may rephrase prose later; the facts would still come from here.)
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from app.core.errors import InputError
from app.core.extract import Extractor
from app.core.followup import AckStatus, TouchStatus, ack_clock, touch_status
from app.core.prompts import load_prompt
from app.core.store import Store
from app.core.store.lifecycle import (
    HandoffRecord,
    OutboxRecord,
    add_handoff,
    enqueue,
    last_handoff,
    list_escalations,
    list_events,
    list_outbox,
)
from app.core.store.repo import as_utc, get_draft
from app.services.auth import Permission, Principal, require
from app.services.export import slack_escape
from app.services.outbox import DeliveryResult, OutboxService
from schemas.policy import Policy

Clock = Callable[[], datetime]
DEFAULT_SHIFT = timedelta(hours=8)


def when(moment: datetime | None) -> str:
    """The one spelling of a time in handoffs (and the timeline on the pages)."""
    return f"{as_utc(moment):%Y-%m-%d %H:%M} UTC" if moment else "not set"


def parse_since(text: str) -> timedelta:
    """'8h', '90m', '2d', '1h30m' -> a duration; anything else is a clear error."""
    cleaned = text.strip().lower()
    parts = re.fullmatch(r"(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?", cleaned)
    if not cleaned or parts is None or not any(parts.groups()):
        raise InputError(f"--since {text!r}: expected a duration like 8h, 90m, 2d or 1h30m")
    days, hours, minutes = (int(g or 0) for g in parts.groups())
    return timedelta(days=days, hours=hours, minutes=minutes)


@dataclass(frozen=True)
class Handoff:
    generated_at: datetime
    since: datetime
    since_reason: str
    escalations: list[dict[str, Any]]

    def as_json(self) -> dict[str, Any]:
        return {
            "generated_at": self.generated_at.isoformat(),
            "since": self.since.isoformat(),
            "escalations": self.escalations,
        }


_NOTE_ID = re.compile(r"#(\d+)")
_NOTE_TIME = re.compile(r"\b\d{4}-\d{2}-\d{2} \d{2}:\d{2}\b|\b\d{1,2}:\d{2}\b")


class ProseWriter(Protocol):
    def __call__(self, facts: dict[str, str]) -> str: ...


class ModelHandoffWriter:
    """The configured model writing the handoff's summary (prompts/handoff) from the facts' text."""

    def __init__(self, extractor: Extractor, prompt_ref: str = "handoff@v1") -> None:
        self.extractor = extractor
        self.prompt = load_prompt(prompt_ref)

    def __call__(self, facts: dict[str, str]) -> str:
        return self.extractor.complete_text(self.prompt, dict(facts)).text.strip()


def ungrounded(prose: str, facts_text: str) -> list[str]:
    """Escalation numbers and times in `prose` that the facts do not hold."""
    known_ids = set(_NOTE_ID.findall(facts_text))
    known_times = set(_NOTE_TIME.findall(facts_text))
    known_clock = {t[-5:] for t in known_times}
    problems = [f"#{i}" for i in _NOTE_ID.findall(prose) if i not in known_ids]
    for found in _NOTE_TIME.findall(prose):
        if found not in known_times and found.zfill(5)[-5:] not in known_clock:
            problems.append(found)
    return problems


def summarise(handoff: "Handoff", writer: ProseWriter) -> tuple[str | None, list[str]]:
    """A prose summary by `writer`, kept only if every id and time in it is in the facts."""
    facts_text = render_note(handoff)
    prose = writer({"facts": facts_text}).strip()
    problems = ungrounded(prose, facts_text)
    if not prose or problems:
        return None, problems or ["the model wrote nothing"]
    return prose, []


def render_note(handoff: "Handoff", summary: str | None = None) -> str:
    lines = [
        f"SHIFT HANDOFF {when(handoff.generated_at)} (changes since {when(handoff.since)}, {handoff.since_reason})"
    ]
    if summary:
        lines.append(f"Summary: {summary}")
    if not handoff.escalations:
        lines.append("No open escalations.")
        return "\n".join(lines)
    lines.append(f"{len(handoff.escalations)} open escalation(s).")
    for item in handoff.escalations:
        lines.append("")
        lines.append(f"#{item['draft_id']} [{item['severity']}] {item['summary']}")
        lines.append(f"  Owner: {item['owner']} · state: {item['state']} · sent {when(_dt(item['sent_at']))}")
        if item["acknowledged_by"]:
            lines.append(f"  Acknowledged by {item['acknowledged_by']} at {when(_dt(item['acknowledged_at']))}")
        lines.append(f"  Next touch-point: {when(_dt(item['next_touch_at']))} ({item['touch_status']})")
        if item["room"] or item["doc"]:
            lines.append(f"  Room: {item['room'] or '—'} · escalation doc: {item['doc'] or '—'}")
        if item["changes"]:
            lines.append("  Changed since the last handoff:")
            for change in item["changes"]:
                label = change["kind"] + (f" ({change['audience']})" if change["audience"] else "")
                lines.append(f"    - {when(_dt(change['at']))} {change['actor']}: {label}: {change['text']}")
        else:
            lines.append("  No change since the last handoff.")
        if item["pending"]:
            lines.append("  Pending:")
            lines.extend(f"    - {p}" for p in item["pending"])
    return "\n".join(lines)


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _iso(moment: datetime | None) -> str | None:
    return as_utc(moment).isoformat() if moment else None


class HandoffService:
    def __init__(self, store: Store, policy: Policy, delivery: OutboxService, clock: Clock | None = None) -> None:
        self.store = store
        self.policy = policy
        self.delivery = delivery
        self.clock = clock or (lambda: datetime.now(UTC))

    def build(self, principal: Principal, since: timedelta | None = None) -> Handoff:
        """The handoff at now: `since` ago, or since the last recorded handoff (else 8 hours)."""
        require(principal, Permission.view_approved)
        now = self.clock()
        with self.store.read() as session:
            previous = last_handoff(session)
            if since is not None:
                start, reason = now - since, f"the last {_duration(since)}"
            elif previous is not None:
                start, reason = previous.at, f"the last handoff by {previous.actor}"
            else:
                start, reason = now - DEFAULT_SHIFT, "no handoff recorded yet: the last 8 hours"
            escalations = list_escalations(session, open_only=True)
            ids = [e.draft_id for e in escalations]
            events = list_events(session, ids, since=start) if ids else []
            pending_messages = [m for m in list_outbox(session, pending_only=True) if m.draft_id in ids]
            summaries = {e.draft_id: get_draft(session, e.draft_id).brief.summary for e in escalations}
        items = []
        for esc in sorted(escalations, key=lambda e: (e.severity.rank, e.draft_id)):
            ack = ack_clock(
                severity=esc.severity,
                sent_at=esc.sent_at,
                acknowledged_at=esc.acknowledged_at,
                now=now,
                policy=self.policy,
            )
            interval = self.policy.followup.touchpoint.default_minutes[esc.severity]
            touch = touch_status(esc.next_touch_at, now, interval_minutes=interval)
            pending: list[str] = []
            if ack.status == AckStatus.breached:
                pending.append(f"engineering has not acknowledged; it was due {when(ack.due_at)}")
            elif ack.status == AckStatus.waiting:
                pending.append(f"engineering to acknowledge by {when(ack.due_at)}")
            if touch == TouchStatus.overdue:
                pending.append(f"customer update overdue since {when(esc.next_touch_at)}")
            elif touch == TouchStatus.unset:
                pending.append("no next touch-point promised to the customer")
            else:
                pending.append(f"customer update due by {when(esc.next_touch_at)}")
            pending += [_pending_message(m) for m in pending_messages if m.draft_id == esc.draft_id]
            items.append(
                {
                    "draft_id": esc.draft_id,
                    "summary": summaries[esc.draft_id],
                    "severity": esc.severity.value,
                    "state": esc.state,
                    "owner": esc.owner,
                    "sent_at": _iso(esc.sent_at),
                    "acknowledged_by": esc.acknowledged_by,
                    "acknowledged_at": _iso(esc.acknowledged_at),
                    "ack_status": ack.status.value,
                    "ack_due_at": _iso(ack.due_at),
                    "next_touch_at": _iso(esc.next_touch_at),
                    "touch_status": touch.value,
                    "room": esc.room,
                    "doc": esc.doc,
                    "changes": [
                        {
                            "event_id": e.id,
                            "at": _iso(e.at),
                            "actor": e.actor,
                            "kind": e.kind,
                            "audience": e.audience,
                            "text": e.body,
                        }
                        for e in events
                        if e.draft_id == esc.draft_id
                    ],
                    "pending": pending,
                }
            )
        return Handoff(now, as_utc(start), reason, items)

    def record(
        self, principal: Principal, handoff: Handoff, *, send: bool = False, summary: str | None = None
    ) -> tuple[HandoffRecord, list[DeliveryResult]]:
        """Keep the handoff (the next one starts from it) and, if asked, post it to the webhook."""
        require(principal, Permission.export)
        note = render_note(handoff, summary)
        queued: list[OutboxRecord] = []
        with self.store.write() as session:
            record = add_handoff(
                session, actor=principal.name, at=handoff.generated_at, since=handoff.since, note=note,
                facts=handoff.as_json(),
            )  # fmt: skip
            if send:
                destination = self.delivery.destination("webhook")
                if destination is None:
                    raise InputError("no webhook is configured: set ESCALATE_WEBHOOK_URL")
                payload: dict[str, Any] = (
                    {"event": "handoff", "note": note, **handoff.as_json()}
                    if self.delivery.settings.webhook_format == "generic"
                    else {"text": slack_escape(note)}
                )
                queued.append(
                    enqueue(
                        session,
                        draft_id=None,
                        kind="handoff",
                        channel="webhook",
                        destination=destination,
                        payload=payload,
                        actor=principal.name,
                        at=handoff.generated_at,
                    )
                )
        delivered = self.delivery.deliver_due(only=[m.id for m in queued]) if queued else []
        return record, delivered


def _pending_message(message: OutboxRecord) -> str:
    error = f": {message.last_error}" if message.last_error else ""
    return f"{message.kind} message to {message.destination} not delivered yet ({message.attempts} tries{error})"


def _duration(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if minutes else f"{hours}h"
