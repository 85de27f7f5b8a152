"""The review queue and the decision on a draft.

Nobody decides on their own draft: refused here, and again by the database's CHECK constraints
should any other code try. Two reviewers deciding the same draft at once cannot both win: each
decision names the version the reviewer saw, and only the first write at that version lands.
"""

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from app.core.errors import InputError, PermissionDenied
from app.core.sla import AT_RISK_SHARE, SlaResult, business_minutes_between, clock_reason, compute_sla
from app.core.store import DraftRecord, DraftSummary, ReviewRecord, Store, VersionRecord
from app.core.store.repo import (
    add_review,
    conflict_error,
    get_draft,
    list_drafts,
    list_reviews,
    list_versions,
    source_texts,
    update_draft,
)
from app.services.auth import Permission, Principal, require
from schemas.brief import EscalationBrief, field_title, leaf_paths
from schemas.common import Severity, SlaStatus, Target
from schemas.policy import Policy

Clock = Callable[[], datetime]
# Breached first, then the ones about to breach; tickets without a clock last.
SLA_ORDER = {SlaStatus.breached: 0, SlaStatus.at_risk: 1, SlaStatus.within: 2, SlaStatus.unknown: 3}


@dataclass(frozen=True)
class QueueItem:
    draft: DraftSummary
    sla: SlaResult


@dataclass(frozen=True)
class FieldChange:
    """One field of the brief as the model wrote it and as the agent submits it."""

    path: str
    label: str
    model: str  # the value shown as text ("" when empty)
    agent: str

    @property
    def changed(self) -> bool:
        return self.model != self.agent


@dataclass(frozen=True)
class ReviewCase:
    """Everything a reviewer looks at before deciding."""

    draft: DraftRecord
    changes: list[FieldChange]  # every field of the brief, changed or not, in the brief's order
    versions: list[VersionRecord]
    reviews: list[ReviewRecord]

    @property
    def changed(self) -> list[FieldChange]:
        return [c for c in self.changes if c.changed]


def live_sla(summary: DraftSummary, source_text: str, policy: Policy, now: datetime) -> SlaResult:
    """The ticket's escalation clock at `now` for the severity the agent chose.

    The clock starts at the earliest timestamp in the ticket; a ticket that states none starts it
    when it reached support (`received_at`), so a draft left waiting still turns 'breached'.
    """
    result = compute_sla(source_text, summary.severity, policy, now)
    if result.opened_at is not None or result.limit_minutes is None:
        return result
    level = policy.severities[summary.severity]
    opened = summary.received_at
    if level.business_hours_only:
        elapsed, unit = business_minutes_between(opened, now, policy), "business minutes"
    else:
        elapsed, unit = max((now - opened).total_seconds() / 60, 0.0), "minutes"
    limit = result.limit_minutes
    status = (
        SlaStatus.breached
        if elapsed > limit
        else SlaStatus.at_risk
        if elapsed >= AT_RISK_SHARE * limit
        else SlaStatus.within
    )
    reason = clock_reason(elapsed, limit, unit, "since it reached support (the ticket states no time)")
    return SlaResult(status, opened, round(elapsed, 1), limit, reason)


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return "\n".join(_as_text(item) for item in value)
    if isinstance(value, dict):
        if set(value) == {"field", "quote"}:
            return f"{field_title(value['field'])}: “{value['quote']}”"
        if set(value) == {"action", "result"}:
            return f"{value['action']} -> {value['result']}" if value["result"] else str(value["action"])
        return "; ".join(f"{k}: {_as_text(v)}" for k, v in value.items())
    return str(value)


def field_changes(model_brief: EscalationBrief | None, agent_brief: EscalationBrief) -> list[FieldChange]:
    """Every field of the brief, the model's value against the agent's (none from the model: all new)."""
    before = model_brief.model_dump(mode="json") if model_brief else {}
    after = agent_brief.model_dump(mode="json")

    def get(data: dict[str, Any], path: str) -> Any:
        value: Any = data
        for part in path.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        return value

    return [
        FieldChange(path, field_title(path), _as_text(get(before, path)), _as_text(get(after, path)))
        for path in leaf_paths()
    ]


def _utcnow() -> datetime:
    return datetime.now(UTC)


class ReviewService:
    def __init__(self, store: Store, policy: Policy, clock: Clock = _utcnow) -> None:
        self.store = store
        self.policy = policy
        self.clock = clock

    def queue(
        self,
        principal: Principal,
        *,
        severities: Collection[Severity] = (),
        targets: Collection[Target] = (),
        sla: Collection[SlaStatus] = (),
    ) -> list[QueueItem]:
        """Submitted drafts, SLA computed now, breached first; empty filters mean 'all'."""
        require(principal, Permission.review)
        now = self.clock()
        with self.store.read() as session:
            drafts = [
                d
                for d in list_drafts(session, statuses=["submitted"])
                if (not severities or d.severity in severities) and (not targets or d.target in targets)
            ]
            texts = source_texts(session, (d.id for d in drafts))
        items = [QueueItem(d, live_sla(d, texts[d.id], self.policy, now)) for d in drafts]
        items = [item for item in items if not sla or item.sla.status in sla]
        return sorted(
            items,
            key=lambda item: (
                SLA_ORDER[item.sla.status],
                item.draft.severity.rank,
                -(item.sla.elapsed_minutes or 0) / (item.sla.limit_minutes or 1),
                item.draft.id,
            ),
        )

    def open(self, principal: Principal, draft_id: int) -> ReviewCase:
        require(principal, Permission.review)
        with self.store.read() as session:
            record = get_draft(session, draft_id)
            versions = list_versions(session, draft_id)
            reviews = list_reviews(session, draft_id)
        return ReviewCase(record, field_changes(record.model_result.brief, record.brief), versions, reviews)

    def approve(self, principal: Principal, draft_id: int, expected_version: int, reason: str = "") -> DraftRecord:
        return self._decide(principal, draft_id, expected_version, "approved", reason)

    def reject(self, principal: Principal, draft_id: int, expected_version: int, reason: str) -> DraftRecord:
        if not reason.strip():
            raise InputError("say why you reject the draft, so its author can fix it")
        return self._decide(principal, draft_id, expected_version, "rejected", reason)

    def _decide(
        self, principal: Principal, draft_id: int, expected_version: int, decision: str, reason: str
    ) -> DraftRecord:
        require(principal, Permission.review)
        now = self.clock()
        with self.store.write() as session:
            record = get_draft(session, draft_id)
            if record.author == principal.name:
                raise PermissionDenied(f"you wrote draft #{draft_id}; another reviewer must decide on it")
            if record.version != expected_version:
                raise conflict_error(session, draft_id, expected_version)
            if record.status != "submitted":
                raise InputError(f"draft #{draft_id} is {record.status}, not waiting for review")
            add_review(session, draft=record, reviewer=principal.name, decision=decision, reason=reason, at=now)
            return update_draft(
                session,
                draft_id,
                expected_version=expected_version,
                actor=principal.name,
                kind="approve" if decision == "approved" else "reject",
                at=now,
                changes={
                    "status": decision,
                    "reviewed_by": principal.name,
                    "reviewed_at": now,
                    "review_reason": reason.strip(),
                },
            )
