"""Repository functions: every write of a draft also writes its version row and its audit entry.

Each function works inside the caller's transaction (`Store.write()` / `Store.read()`), so a
service's whole use case commits or rolls back as one.
"""

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import desc, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.core.errors import ConflictError, NotFound
from app.core.store.audit import append_audit, draft_state
from app.core.store.models import DraftRow, DraftVersionRow, ExportRow, ReviewRow
from app.core.store.records import DraftRecord, DraftSummary, ExportRecord, ReviewRecord, VersionRecord
from schemas.brief import EscalationBrief
from schemas.common import Severity, Target
from schemas.draft import DraftResult
from schemas.finding import Finding


def as_utc(moment: datetime) -> datetime:
    """SQLite returns naive datetimes; everything is stored in UTC, so say so."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _opt_utc(moment: datetime | None) -> datetime | None:
    return as_utc(moment) if moment is not None else None


def findings_json(findings: Iterable[Finding]) -> str:
    return "[" + ",".join(f.model_dump_json() for f in findings) + "]"


def _findings(raw: str) -> list[Finding]:
    return [Finding.model_validate(item) for item in json.loads(raw)]


def to_record(row: DraftRow) -> DraftRecord:
    return DraftRecord(
        id=row.id,
        author=row.author,
        status=row.status,
        version=row.version,
        created_at=as_utc(row.created_at),
        updated_at=as_utc(row.updated_at),
        received_at=as_utc(row.received_at),
        submitted_at=_opt_utc(row.submitted_at),
        source_text=row.source_text,
        model_result=DraftResult.model_validate_json(row.model_result),
        brief=EscalationBrief.model_validate_json(row.brief),
        findings=_findings(row.findings),
        override_justification=row.override_justification,
        reviewed_by=row.reviewed_by,
        reviewed_at=_opt_utc(row.reviewed_at),
        review_reason=row.review_reason,
    )


def _summary(row: DraftRow) -> DraftSummary:
    return DraftSummary(
        id=row.id,
        author=row.author,
        status=row.status,
        version=row.version,
        summary=row.summary,
        severity=Severity(row.severity),
        rules_severity=Severity(row.rules_severity),
        target=Target(row.target),
        received_at=as_utc(row.received_at),
        submitted_at=_opt_utc(row.submitted_at),
        updated_at=as_utc(row.updated_at),
        reviewed_by=row.reviewed_by,
    )


def brief_columns(brief: EscalationBrief) -> dict[str, Any]:
    """The denormalised columns the queue filters on, derived from the brief so they never drift."""
    return {
        "brief": brief.model_dump_json(),
        "summary": brief.summary[:200],
        "severity": brief.severity.value,
        "target": brief.target.value,
    }


def _add_version(session: Session, row: DraftRow, *, kind: str, actor: str, at: datetime) -> None:
    session.add(
        DraftVersionRow(
            draft_id=row.id,
            version=row.version,
            kind=kind,
            actor=actor,
            at=at,
            status=row.status,
            brief=row.brief,
            severity=row.severity,
            override_justification=row.override_justification,
        )
    )


def create_draft(
    session: Session,
    *,
    author: str,
    at: datetime,
    received_at: datetime,
    result: DraftResult,
    brief: EscalationBrief,
    findings: list[Finding],
) -> DraftRecord:
    row = DraftRow(
        author=author,
        status="draft",
        created_at=at,
        updated_at=at,
        received_at=received_at,
        source_text=result.redacted_text,
        model_result=result.model_dump_json(),
        findings=findings_json(findings),
        rules_severity=result.severity.rules.value,
        override_justification="",
        **brief_columns(brief),
    )
    session.add(row)
    session.flush()
    _add_version(session, row, kind="created", actor=author, at=at)
    append_audit(
        session,
        actor=author,
        action="draft.create",
        entity="draft",
        entity_id=row.id,
        before=None,
        after=draft_state(row),
        at=at,
    )
    return to_record(row)


def _row(session: Session, draft_id: int) -> DraftRow:
    row = session.get(DraftRow, draft_id)
    if row is None:
        raise NotFound(f"draft #{draft_id} does not exist")
    return row


def get_draft(session: Session, draft_id: int) -> DraftRecord:
    return to_record(_row(session, draft_id))


def conflict_error(session: Session, draft_id: int, seen: int) -> ConflictError:
    latest = session.scalars(
        select(DraftVersionRow).where(DraftVersionRow.draft_id == draft_id).order_by(desc(DraftVersionRow.version))
    ).first()
    if latest is None or latest.version == seen:
        return ConflictError(f"draft #{draft_id} was changed by someone else at the same moment; reload it")
    when = as_utc(latest.at).strftime("%Y-%m-%d %H:%M:%S UTC")
    return ConflictError(
        f"draft #{draft_id} changed after you opened it: {latest.actor} did '{latest.kind}' at {when} "
        f"and it is now {latest.status} (you saw version {seen}, it is at {latest.version}). Reload to see it."
    )


def update_draft(
    session: Session,
    draft_id: int,
    *,
    expected_version: int,
    actor: str,
    kind: str,
    at: datetime,
    changes: dict[str, Any],
) -> DraftRecord:
    """Apply `changes` only if the draft is still at `expected_version` (what the user saw)."""
    row = _row(session, draft_id)
    if row.version != expected_version:
        raise conflict_error(session, draft_id, expected_version)
    before = draft_state(row)
    for key, value in changes.items():
        setattr(row, key, value)
    row.updated_at = at
    try:
        session.flush()
    except StaleDataError:
        # Someone committed between our read and our write (PostgreSQL, READ COMMITTED).
        raise ConflictError(f"draft #{draft_id} was changed by someone else at the same moment; reload it") from None
    _add_version(session, row, kind=kind, actor=actor, at=at)
    append_audit(
        session,
        actor=actor,
        action=f"draft.{kind}",
        entity="draft",
        entity_id=row.id,
        before=before,
        after=draft_state(row),
        at=at,
    )
    return to_record(row)


def add_review(
    session: Session, *, draft: DraftRecord, reviewer: str, decision: str, reason: str, at: datetime
) -> ReviewRecord:
    row = ReviewRow(
        draft_id=draft.id,
        draft_version=draft.version,
        author=draft.author,
        reviewer=reviewer,
        decision=decision,
        reason=reason,
        at=at,
    )
    session.add(row)
    session.flush()
    append_audit(
        session,
        actor=reviewer,
        action=f"review.{decision}",
        entity="review",
        entity_id=row.id,
        before=None,
        after=_columns(row),
        at=at,
    )
    return _review(row)


def add_export(
    session: Session,
    *,
    draft: DraftRecord,
    actor: str,
    at: datetime,
    fmt: str,
    destination: str,
    status: str,
    response_code: int | None = None,
    error: str = "",
) -> ExportRecord:
    row = ExportRow(
        draft_id=draft.id,
        draft_version=draft.version,
        actor=actor,
        at=at,
        format=fmt,
        destination=destination,
        status=status,
        response_code=response_code,
        error=error,
    )
    session.add(row)
    session.flush()
    append_audit(
        session,
        actor=actor,
        action=f"export.{status}",
        entity="export",
        entity_id=row.id,
        before=None,
        after=_columns(row),
        at=at,
    )
    return _export(row)


def record_event(
    session: Session,
    *,
    actor: str,
    action: str,
    entity: str,
    entity_id: str,
    at: datetime,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """An audited action that is not a table row of its own (sign-ins, user accounts)."""
    append_audit(
        session, actor=actor, action=action, entity=entity, entity_id=entity_id, before=before, after=after, at=at
    )


def _columns(row: ReviewRow | ExportRow) -> dict[str, Any]:
    return {column.key: getattr(row, column.key) for column in type(row).__table__.columns}


def _review(row: ReviewRow) -> ReviewRecord:
    return ReviewRecord(
        draft_id=row.draft_id,
        draft_version=row.draft_version,
        author=row.author,
        reviewer=row.reviewer,
        decision=row.decision,
        reason=row.reason,
        at=as_utc(row.at),
    )


def _export(row: ExportRow) -> ExportRecord:
    return ExportRecord(
        draft_id=row.draft_id,
        draft_version=row.draft_version,
        actor=row.actor,
        at=as_utc(row.at),
        format=row.format,
        destination=row.destination,
        status=row.status,
        response_code=row.response_code,
        error=row.error,
    )


def list_drafts(
    session: Session, *, statuses: Iterable[str] | None = None, author: str | None = None
) -> list[DraftSummary]:
    query = select(DraftRow).order_by(desc(DraftRow.updated_at), desc(DraftRow.id))
    if statuses is not None:
        query = query.where(DraftRow.status.in_(list(statuses)))
    if author is not None:
        query = query.where(DraftRow.author == author)
    return [_summary(row) for row in session.scalars(query)]


def source_texts(session: Session, draft_ids: Iterable[int]) -> dict[int, str]:
    ids = list(draft_ids)
    if not ids:
        return {}
    rows = session.execute(select(DraftRow.id, DraftRow.source_text).where(DraftRow.id.in_(ids)))
    return {row.id: row.source_text for row in rows}


def list_versions(session: Session, draft_id: int) -> list[VersionRecord]:
    rows = session.scalars(
        select(DraftVersionRow).where(DraftVersionRow.draft_id == draft_id).order_by(DraftVersionRow.version)
    )
    return [
        VersionRecord(
            draft_id=row.draft_id,
            version=row.version,
            kind=row.kind,
            actor=row.actor,
            at=as_utc(row.at),
            status=row.status,
            brief=EscalationBrief.model_validate_json(row.brief),
            severity=Severity(row.severity),
            override_justification=row.override_justification,
        )
        for row in rows
    ]


def list_reviews(session: Session, draft_id: int) -> list[ReviewRecord]:
    rows = session.scalars(select(ReviewRow).where(ReviewRow.draft_id == draft_id).order_by(ReviewRow.id))
    return [_review(row) for row in rows]


def list_exports(session: Session, draft_id: int) -> list[ExportRecord]:
    rows = session.scalars(select(ExportRow).where(ExportRow.draft_id == draft_id).order_by(ExportRow.id))
    return [_export(row) for row in rows]
