"""Draft requests: the ticket stored the moment the agent asks for a draft, before redaction or the
model run (either may take minutes, fail, or outlive the browser tab that asked)."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import desc, select
from sqlalchemy.orm import Session

from app.core.errors import NotFound
from app.core.store.audit import append_audit
from app.core.store.models import DraftRequestRow
from app.core.store.repo import as_utc
from schemas.draft import TicketInput


@dataclass(frozen=True)
class DraftRequest:
    id: int
    author: str
    status: str  # drafting | done | failed | cancelled
    created_at: datetime
    updated_at: datetime
    ticket: TicketInput
    draft_id: int | None
    error: str


def _record(row: DraftRequestRow) -> DraftRequest:
    return DraftRequest(
        id=row.id,
        author=row.author,
        status=row.status,
        created_at=as_utc(row.created_at),
        updated_at=as_utc(row.updated_at),
        ticket=TicketInput.model_validate_json(row.ticket),
        draft_id=row.draft_id,
        error=row.error,
    )


def _state(row: DraftRequestRow) -> dict[str, object]:
    return {"author": row.author, "status": row.status, "draft_id": row.draft_id, "error": row.error}


def create_request(session: Session, *, author: str, at: datetime, ticket: TicketInput) -> DraftRequest:
    row = DraftRequestRow(
        author=author, status="drafting", created_at=at, updated_at=at, ticket=ticket.model_dump_json(), error=""
    )
    session.add(row)
    session.flush()
    append_audit(
        session,
        actor=author,
        action="request.create",
        entity="draft_request",
        entity_id=row.id,
        before=None,
        after=_state(row),
        at=at,
    )
    return _record(row)


def get_request(session: Session, request_id: int) -> DraftRequest:
    row = session.get(DraftRequestRow, request_id)
    if row is None:
        raise NotFound(f"draft request #{request_id} does not exist")
    return _record(row)


def finish_request(
    session: Session, request_id: int, *, actor: str, at: datetime, status: str, draft_id: int | None, error: str = ""
) -> DraftRequest:
    row = session.get(DraftRequestRow, request_id)
    if row is None:
        raise NotFound(f"draft request #{request_id} does not exist")
    before = _state(row)
    row.status, row.draft_id, row.error, row.updated_at = status, draft_id, error, at
    session.flush()
    append_audit(
        session,
        actor=actor,
        action=f"request.{status}",
        entity="draft_request",
        entity_id=row.id,
        before=before,
        after=_state(row),
        at=at,
    )
    return _record(row)


def list_requests(session: Session, *, author: str, statuses: tuple[str, ...]) -> list[DraftRequest]:
    rows = session.scalars(
        select(DraftRequestRow)
        .where(DraftRequestRow.author == author, DraftRequestRow.status.in_(statuses))
        .order_by(desc(DraftRequestRow.id))
    )
    return [_record(row) for row in rows]
