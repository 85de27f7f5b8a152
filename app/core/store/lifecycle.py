"""Escalations after approval: rows, their timeline, the outbox and handoffs.

Like `repo`, each function works inside the caller's transaction and writes its audit entry there,
so a transition, its timeline event, the messages it causes and its audit record commit together.
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.core.errors import ConflictError, NotFound
from app.core.store.audit import append_audit
from app.core.store.models import EscalationEventRow, EscalationRow, HandoffRow, OutboxRow
from app.core.store.repo import as_utc
from schemas.common import Severity


def _opt(moment: datetime | None) -> datetime | None:
    return as_utc(moment) if moment is not None else None


@dataclass(frozen=True)
class EscalationRecord:
    draft_id: int
    state: str
    version: int
    severity: Severity
    owner: str
    sent_by: str
    sent_at: datetime
    ack_due_at: datetime | None
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    next_touch_at: datetime | None
    last_customer_update_at: datetime | None
    resolved_at: datetime | None
    resolved_by: str | None
    resolution: str
    room: str
    doc: str
    updated_at: datetime

    @property
    def open(self) -> bool:
        return self.state != "resolved"


@dataclass(frozen=True)
class EventRecord:
    id: int
    draft_id: int
    at: datetime
    actor: str
    kind: str
    audience: str | None
    body: str
    next_touch_at: datetime | None


@dataclass(frozen=True)
class OutboxRecord:
    id: int
    draft_id: int | None
    kind: str
    channel: str
    destination: str
    payload: dict[str, Any]
    status: str
    attempts: int
    last_error: str
    response_code: int | None
    created_by: str
    created_at: datetime
    next_attempt_at: datetime
    delivered_at: datetime | None


@dataclass(frozen=True)
class HandoffRecord:
    id: int
    at: datetime
    actor: str
    since: datetime
    note: str
    facts: dict[str, Any]


def _columns(row: Any) -> dict[str, Any]:
    return {column.key: getattr(row, column.key) for column in type(row).__table__.columns}


def _escalation(row: EscalationRow) -> EscalationRecord:
    return EscalationRecord(
        draft_id=row.draft_id,
        state=row.state,
        version=row.version,
        severity=Severity(row.severity),
        owner=row.owner,
        sent_by=row.sent_by,
        sent_at=as_utc(row.sent_at),
        ack_due_at=_opt(row.ack_due_at),
        acknowledged_at=_opt(row.acknowledged_at),
        acknowledged_by=row.acknowledged_by,
        next_touch_at=_opt(row.next_touch_at),
        last_customer_update_at=_opt(row.last_customer_update_at),
        resolved_at=_opt(row.resolved_at),
        resolved_by=row.resolved_by,
        resolution=row.resolution,
        room=row.room,
        doc=row.doc,
        updated_at=as_utc(row.updated_at),
    )


def _event(row: EscalationEventRow) -> EventRecord:
    return EventRecord(
        id=row.id,
        draft_id=row.draft_id,
        at=as_utc(row.at),
        actor=row.actor,
        kind=row.kind,
        audience=row.audience,
        body=row.body,
        next_touch_at=_opt(row.next_touch_at),
    )


def _outbox(row: OutboxRow) -> OutboxRecord:
    return OutboxRecord(
        id=row.id,
        draft_id=row.draft_id,
        kind=row.kind,
        channel=row.channel,
        destination=row.destination,
        payload=json.loads(row.payload),
        status=row.status,
        attempts=row.attempts,
        last_error=row.last_error,
        response_code=row.response_code,
        created_by=row.created_by,
        created_at=as_utc(row.created_at),
        next_attempt_at=as_utc(row.next_attempt_at),
        delivered_at=_opt(row.delivered_at),
    )


def _handoff(row: HandoffRow) -> HandoffRecord:
    return HandoffRecord(
        id=row.id,
        at=as_utc(row.at),
        actor=row.actor,
        since=as_utc(row.since),
        note=row.note,
        facts=json.loads(row.facts),
    )


# ------------------------------------------------------------------ escalations


def find_escalation(session: Session, draft_id: int) -> EscalationRecord | None:
    row = session.get(EscalationRow, draft_id)
    return _escalation(row) if row is not None else None


def get_escalation(session: Session, draft_id: int) -> EscalationRecord:
    found = find_escalation(session, draft_id)
    if found is None:
        raise NotFound(f"draft #{draft_id} has not been sent yet")
    return found


def list_escalations(session: Session, *, open_only: bool = False) -> list[EscalationRecord]:
    query = select(EscalationRow).order_by(EscalationRow.draft_id)
    if open_only:
        query = query.where(EscalationRow.state != "resolved")
    return [_escalation(row) for row in session.scalars(query)]


def create_escalation(
    session: Session,
    *,
    draft_id: int,
    severity: Severity,
    actor: str,
    at: datetime,
    ack_due_at: datetime | None,
    next_touch_at: datetime | None,
    body: str,
) -> EscalationRecord:
    row = EscalationRow(
        draft_id=draft_id,
        state="sent",
        severity=severity.value,
        owner=actor,
        sent_by=actor,
        sent_at=at,
        ack_due_at=ack_due_at,
        next_touch_at=next_touch_at,
        resolution="",
        room="",
        doc="",
        updated_at=at,
    )
    session.add(row)
    session.flush()
    append_audit(
        session,
        actor=actor,
        action="escalation.sent",
        entity="escalation",
        entity_id=draft_id,
        before=None,
        after=_columns(row),
        at=at,
    )
    add_event(session, draft_id=draft_id, at=at, actor=actor, kind="sent", body=body, next_touch_at=next_touch_at)
    return _escalation(row)


def update_escalation(
    session: Session,
    draft_id: int,
    *,
    expected_version: int,
    actor: str,
    action: str,
    at: datetime,
    changes: dict[str, Any],
) -> EscalationRecord:
    """Apply `changes` only if the escalation is still at the version the user saw."""
    row = session.get(EscalationRow, draft_id)
    if row is None:
        raise NotFound(f"draft #{draft_id} has not been sent yet")
    if row.version != expected_version:
        raise ConflictError(
            f"escalation #{draft_id} changed after you opened it (you saw version {expected_version}, "
            f"it is at {row.version}, {row.state}); reload it"
        )
    before = _columns(row)
    for key, value in changes.items():
        setattr(row, key, value)
    row.updated_at = at
    try:
        session.flush()
    except StaleDataError:
        raise ConflictError(
            f"escalation #{draft_id} was changed by someone else at the same moment; reload it"
        ) from None
    append_audit(
        session,
        actor=actor,
        action=f"escalation.{action}",
        entity="escalation",
        entity_id=draft_id,
        before=before,
        after=_columns(row),
        at=at,
    )
    return _escalation(row)


def add_event(
    session: Session,
    *,
    draft_id: int,
    at: datetime,
    actor: str,
    kind: str,
    body: str = "",
    audience: str | None = None,
    next_touch_at: datetime | None = None,
) -> EventRecord:
    row = EscalationEventRow(
        draft_id=draft_id, at=at, actor=actor, kind=kind, audience=audience, body=body, next_touch_at=next_touch_at
    )
    session.add(row)
    session.flush()
    append_audit(
        session,
        actor=actor,
        action=f"timeline.{kind}",
        entity="escalation_event",
        entity_id=row.id,
        before=None,
        after=_columns(row),
        at=at,
    )
    return _event(row)


def list_events(
    session: Session, draft_ids: Iterable[int] | None = None, *, since: datetime | None = None
) -> list[EventRecord]:
    query = select(EscalationEventRow).order_by(EscalationEventRow.at, EscalationEventRow.id)
    if draft_ids is not None:
        query = query.where(EscalationEventRow.draft_id.in_(list(draft_ids)))
    if since is not None:
        query = query.where(EscalationEventRow.at > since)
    return [_event(row) for row in session.scalars(query)]


# ------------------------------------------------------------------ outbox


def enqueue(
    session: Session,
    *,
    draft_id: int | None,
    kind: str,
    channel: str,
    destination: str,
    payload: dict[str, Any],
    actor: str,
    at: datetime,
) -> OutboxRecord:
    row = OutboxRow(
        draft_id=draft_id,
        kind=kind,
        channel=channel,
        destination=destination,
        payload=json.dumps(payload, ensure_ascii=False, sort_keys=True),
        status="pending",
        attempts=0,
        last_error="",
        created_by=actor,
        created_at=at,
        next_attempt_at=at,
    )
    session.add(row)
    session.flush()
    append_audit(
        session,
        actor=actor,
        action=f"outbox.{kind}",
        entity="outbox",
        entity_id=row.id,
        before=None,
        after=_columns(row),
        at=at,
    )
    return _outbox(row)


def due_outbox(session: Session, now: datetime, *, limit: int = 50) -> list[OutboxRecord]:
    rows = session.scalars(
        select(OutboxRow)
        .where(OutboxRow.status == "pending", OutboxRow.next_attempt_at <= now)
        .order_by(OutboxRow.next_attempt_at, OutboxRow.id)
        .limit(limit)
    )
    return [_outbox(row) for row in rows]


def list_outbox(session: Session, *, draft_id: int | None = None, pending_only: bool = False) -> list[OutboxRecord]:
    query = select(OutboxRow).order_by(OutboxRow.id)
    if draft_id is not None:
        query = query.where(OutboxRow.draft_id == draft_id)
    if pending_only:
        query = query.where(OutboxRow.status == "pending")
    return [_outbox(row) for row in session.scalars(query)]


def record_attempt(
    session: Session,
    outbox_id: int,
    *,
    at: datetime,
    tries: int,
    delivered: bool,
    response_code: int | None,
    error: str,
    next_attempt_at: datetime,
) -> OutboxRecord:
    """The outcome of a delivery run (several tries with backoff): delivered, or still pending."""
    row = session.get(OutboxRow, outbox_id, with_for_update=True)
    if row is None:
        raise NotFound(f"outbox message #{outbox_id} does not exist")
    if row.status == "delivered":
        return _outbox(row)  # another worker delivered it meanwhile
    before = _columns(row)
    row.attempts += tries
    row.response_code = response_code
    row.last_error = error
    if delivered:
        row.status = "delivered"
        row.delivered_at = at
    else:
        row.next_attempt_at = next_attempt_at
    session.flush()
    append_audit(
        session,
        actor="outbox",
        action="outbox.delivered" if delivered else "outbox.retry_later",
        entity="outbox",
        entity_id=row.id,
        before=before,
        after=_columns(row),
        at=at,
    )
    return _outbox(row)


# ------------------------------------------------------------------ handoffs


def add_handoff(
    session: Session, *, actor: str, at: datetime, since: datetime, note: str, facts: dict[str, Any]
) -> HandoffRecord:
    row = HandoffRow(actor=actor, at=at, since=since, note=note, facts=json.dumps(facts, ensure_ascii=False))
    session.add(row)
    session.flush()
    append_audit(
        session,
        actor=actor,
        action="handoff.recorded",
        entity="handoff",
        entity_id=row.id,
        before=None,
        after=_columns(row),
        at=at,
    )
    return _handoff(row)


def last_handoff(session: Session) -> HandoffRecord | None:
    row = session.scalars(select(HandoffRow).order_by(HandoffRow.at.desc(), HandoffRow.id.desc()).limit(1)).first()
    return _handoff(row) if row is not None else None
