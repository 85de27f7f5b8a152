"""Patterns across tickets, from the store: the input `assess(pattern=...)` takes.

`find_pattern` reads the drafts received within the policy's window of the given one and returns
the seed 003 pattern (signature, related drafts, accounts) when 3+ different accounts share an
error signature; see `app.core.patterns` for what a signature and an account are.
"""

from datetime import datetime, timedelta

from sqlalchemy import select

from app.core.patterns import Candidate, match_pattern
from app.core.store import Store
from app.core.store.models import DraftRow
from app.core.store.repo import as_utc
from schemas.assessment import PatternMatch
from schemas.brief import EscalationBrief
from schemas.policy import Policy


def _candidates(store: Store, start: datetime, end: datetime) -> list[Candidate]:
    with store.read() as session:
        rows = session.execute(
            select(DraftRow.id, DraftRow.received_at, DraftRow.brief, DraftRow.source_text).where(
                DraftRow.received_at >= start, DraftRow.received_at <= end
            )
        ).all()
    return [
        Candidate(row.id, as_utc(row.received_at), EscalationBrief.model_validate_json(row.brief), row.source_text)
        for row in rows
    ]


def find_pattern(
    store: Store,
    policy: Policy,
    *,
    draft_id: int | None = None,
    brief: EscalationBrief | None = None,
    source_text: str = "",
    received_at: datetime | None = None,
) -> PatternMatch | None:
    """The pattern a draft belongs to, or None.

    Pass `draft_id` for a stored draft, or `brief`, `source_text` and `received_at` for one being
    drafted (not stored yet; its id in the result is then 0)."""
    if draft_id is not None:
        with store.read() as session:
            row = session.get(DraftRow, draft_id)
            if row is None:
                return None
            target = Candidate(
                row.id, as_utc(row.received_at), EscalationBrief.model_validate_json(row.brief), row.source_text
            )
    elif brief is not None and received_at is not None:
        target = Candidate(0, as_utc(received_at), brief, source_text)
    else:
        raise ValueError("find_pattern needs a draft_id, or a brief with its received_at")
    window = timedelta(hours=policy.patterns.window_hours)
    others = _candidates(store, target.received_at - window, target.received_at + window)
    return match_pattern(target, others, policy)
