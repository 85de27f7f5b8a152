"""The append-only audit log as a hash chain.

Each entry's hash is sha256(prev_hash + canonical JSON of the entry), so changing, removing or
reordering any entry breaks every hash after it. `before_hash`/`after_hash` fingerprint the
entity as it was and became; `verify_chain` also checks that each draft in the table still
matches the last fingerprint the log recorded for it, which catches edits that bypassed the log.
"""

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.store.models import AuditHeadRow, AuditRow, DraftRow, EscalationRow

# Kept in step with the literal in migration 0001, which must not import app code.
GENESIS_HASH = "0" * 64


def utc_iso(moment: datetime) -> str:
    """One spelling per instant on both backends (SQLite hands back naive UTC datetimes)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return utc_iso(value)
    raise TypeError(f"cannot hash a {type(value).__name__}")


def canonical_json(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_default)


def state_hash(state: Mapping[str, Any] | None) -> str | None:
    if state is None:
        return None
    return hashlib.sha256(canonical_json(state).encode("utf-8")).hexdigest()


def draft_state(row: DraftRow) -> dict[str, Any]:
    """Every column of a draft: what `before_hash`/`after_hash` fingerprint."""
    return {column.key: getattr(row, column.key) for column in DraftRow.__table__.columns}


def _entry_hash(row: AuditRow) -> str:
    entry = {
        "seq": row.seq,
        "at": utc_iso(row.at),
        "actor": row.actor,
        "action": row.action,
        "entity": row.entity,
        "entity_id": row.entity_id,
        "before_hash": row.before_hash,
        "after_hash": row.after_hash,
    }
    return hashlib.sha256((row.prev_hash + canonical_json(entry)).encode("utf-8")).hexdigest()


def append_audit(
    session: Session,
    *,
    actor: str,
    action: str,
    entity: str,
    entity_id: str | int,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    at: datetime,
) -> AuditRow:
    """Add the next link in the caller's transaction, so the change and its record commit together."""
    head = session.execute(select(AuditHeadRow).where(AuditHeadRow.id == 1).with_for_update()).scalar_one()
    row = AuditRow(
        seq=head.seq + 1,
        # Microseconds survive both backends; anything finer would change the hash on read-back.
        at=at.astimezone(UTC) if at.tzinfo else at.replace(tzinfo=UTC),
        actor=actor,
        action=action,
        entity=entity,
        entity_id=str(entity_id),
        before_hash=state_hash(before),
        after_hash=state_hash(after),
        prev_hash=head.hash,
    )
    row.hash = _entry_hash(row)
    session.add(row)
    head.seq, head.hash = row.seq, row.hash
    session.flush()
    return row


@dataclass
class ChainReport:
    ok: bool
    entries: int
    problems: list[str] = field(default_factory=list)
    head_hash: str = GENESIS_HASH

    def summary(self) -> str:
        if self.ok:
            return f"audit chain OK: {self.entries} entries, head {self.head_hash[:16]}…"
        return f"audit chain BROKEN ({len(self.problems)} problems in {self.entries} entries): " + "; ".join(
            self.problems[:5]
        )


def verify_chain(session: Session, batch: int = 1000) -> ChainReport:
    """Recompute every link, in order, reading in batches so a long log fits in memory."""
    problems: list[str] = []
    prev_hash, expected_seq, count = GENESIS_HASH, 1, 0
    last_after: dict[str, str | None] = {}
    last_escalation: dict[str, str | None] = {}
    last_seq = 0
    while True:
        rows = session.scalars(
            select(AuditRow).where(AuditRow.seq > last_seq).order_by(AuditRow.seq).limit(batch)
        ).all()
        if not rows:
            break
        for row in rows:
            count += 1
            if row.seq != expected_seq:
                problems.append(f"entry {expected_seq} is missing (next is {row.seq})")
            if row.prev_hash != prev_hash:
                problems.append(f"entry {row.seq} does not follow entry {row.seq - 1} (prev_hash differs)")
            if _entry_hash(row) != row.hash:
                problems.append(f"entry {row.seq} was altered (its hash does not match its content)")
            if row.entity == "draft":
                last_after[row.entity_id] = row.after_hash
            elif row.entity == "escalation":
                last_escalation[row.entity_id] = row.after_hash
            prev_hash, expected_seq, last_seq = row.hash, row.seq + 1, row.seq
    head = session.get(AuditHeadRow, 1)
    if head is None or head.seq != last_seq or head.hash != prev_hash:
        problems.append("the chain's head does not match its last entry (entries removed from the end?)")
    problems += _check_drafts(session, last_after)
    problems += _check_escalations(session, last_escalation)
    return ChainReport(ok=not problems, entries=count, problems=problems, head_hash=prev_hash)


def _check_drafts(session: Session, last_after: dict[str, str | None]) -> list[str]:
    problems = []
    for row in session.scalars(select(DraftRow).order_by(DraftRow.id)):
        recorded = last_after.get(str(row.id))
        if recorded is None:
            problems.append(f"draft {row.id} has no audit entry")
        elif state_hash(draft_state(row)) != recorded:
            problems.append(f"draft {row.id} differs from its last audited state (changed outside the app)")
    return problems


def _check_escalations(session: Session, last_after: dict[str, str | None]) -> list[str]:
    """Each escalation (sent -> acknowledged -> resolved) still matches its last audited state."""
    problems = []
    for row in session.scalars(select(EscalationRow).order_by(EscalationRow.draft_id)):
        state = {column.key: getattr(row, column.key) for column in EscalationRow.__table__.columns}
        recorded = last_after.get(str(row.draft_id))
        if recorded is None:
            problems.append(f"escalation {row.draft_id} has no audit entry")
        elif state_hash(state) != recorded:
            problems.append(f"escalation {row.draft_id} differs from its last audited state (changed outside the app)")
    return problems
