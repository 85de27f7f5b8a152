"""The clocks and checks of the follow-through after approval, as pure functions of a fixed `now`.

- Acknowledgement clock (seed 002 'Acknowledge and track'): starts when the escalation is sent and
  runs for the severity's own clock in the policy's [severities] table (Sev1 15 minutes, Sev2 one
  hour, Sev3 24 business hours, Sev4 none), so the numbers have one home.
- Next touch-point (seed 001): when the customer hears next; overdue once `now` passes it.
- Customer-facing updates (seed 002 line 18): no personal data (the redactor's detectors) and no
  internal-only content (the policy's patterns).
- Paging (seed 002 line 24): the policy's severities outside business hours.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from app.core.sla import as_utc, business_minutes_between, is_business_hours
from schemas.common import Severity
from schemas.policy import Policy

_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# A touch-point this close is 'due soon' on the board.
DUE_SOON_SHARE = 0.25


class AckStatus(StrEnum):
    breached = "breached"  # not acknowledged and the clock ran out
    waiting = "waiting"  # not acknowledged, clock running
    acknowledged = "acknowledged"
    no_clock = "no clock"  # the severity has none (Sev4)


class TouchStatus(StrEnum):
    overdue = "overdue"
    due_soon = "due soon"
    scheduled = "scheduled"
    unset = "not set"
    closed = "closed"  # resolved: nothing more is owed


@dataclass(frozen=True)
class AckClock:
    status: AckStatus
    due_at: datetime | None
    minutes_left: float | None  # negative once breached
    reason: str


def ack_limit(severity: Severity, policy: Policy) -> tuple[int | None, bool]:
    """Minutes engineering has to confirm receipt, and whether they are business minutes.

    Sev1 escalates at once (0 minutes); its 15-minute response expectation is the clock, as in the
    SLA computation (`app.core.sla.compute_sla`)."""
    level = policy.severities[severity]
    limit = level.escalate_within_minutes
    if limit == 0 and level.response_minutes:
        limit = level.response_minutes
    return limit, level.business_hours_only


def add_business_minutes(start: datetime, minutes: float, policy: Policy) -> datetime:
    """The moment `minutes` business minutes after `start` (the inverse of business_minutes_between)."""
    hours = policy.business_hours
    zone = ZoneInfo(hours.timezone)
    left = float(minutes)
    moment = as_utc(start)
    day = moment.astimezone(zone).date()
    for _ in range(366 * 2):  # a policy with business days always finishes far sooner
        if _WEEKDAYS[day.weekday()] in hours.days:
            opens = datetime.combine(day, hours.start, zone).astimezone(UTC)
            closes = datetime.combine(day, hours.end, zone).astimezone(UTC)
            begin = max(opens, moment)
            if closes > begin:
                available = (closes - begin).total_seconds() / 60
                if left <= available:
                    return begin + timedelta(minutes=left)
                left -= available
        day += timedelta(days=1)
    raise ValueError("the policy's business hours never add up to the clock")


def ack_due(sent_at: datetime, severity: Severity, policy: Policy) -> datetime | None:
    limit, business_only = ack_limit(severity, policy)
    if limit is None:
        return None
    if business_only:
        return add_business_minutes(sent_at, limit, policy)
    return as_utc(sent_at) + timedelta(minutes=limit)


def ack_clock(
    *,
    severity: Severity,
    sent_at: datetime,
    acknowledged_at: datetime | None,
    now: datetime,
    policy: Policy,
) -> AckClock:
    """Where the acknowledgement stands at `now`; the same inputs always give the same answer."""
    limit, business_only = ack_limit(severity, policy)
    level = policy.severities[severity]
    due = ack_due(sent_at, severity, policy)
    if acknowledged_at is not None:
        late = due is not None and as_utc(acknowledged_at) > due
        when = f"{as_utc(acknowledged_at):%Y-%m-%d %H:%M} UTC"
        return AckClock(
            AckStatus.acknowledged, due, None, f"acknowledged {when}" + (" (after the clock ran out)" if late else "")
        )
    if due is None or limit is None:
        return AckClock(AckStatus.no_clock, None, None, f"{severity.value} has no acknowledgement clock ({level.cite})")
    now = as_utc(now)
    if business_only:
        elapsed = business_minutes_between(sent_at, now, policy)
        unit = "business minutes"
    else:
        elapsed = max((now - as_utc(sent_at)).total_seconds() / 60, 0.0)
        unit = "minutes"
    left = round(limit - elapsed, 1)
    status = AckStatus.breached if elapsed > limit else AckStatus.waiting
    reason = (
        f"{elapsed:.0f} of {limit} {unit} since sent without acknowledgement ({severity.value} clock, {level.cite})"
    )
    return AckClock(status, due, left, reason)


def touch_status(
    next_touch_at: datetime | None, now: datetime, *, resolved: bool = False, interval_minutes: int = 60
) -> TouchStatus:
    """Overdue once `now` is past the promised moment; 'due soon' within a quarter of the interval."""
    if resolved:
        return TouchStatus.closed
    if next_touch_at is None:
        return TouchStatus.unset
    left = (as_utc(next_touch_at) - as_utc(now)).total_seconds() / 60
    if left < 0:
        return TouchStatus.overdue
    if left <= DUE_SOON_SHARE * interval_minutes:
        return TouchStatus.due_soon
    return TouchStatus.scheduled


def default_touchpoint(after: datetime, severity: Severity, policy: Policy) -> datetime:
    """The policy's default next touch-point after an update at `after`."""
    return as_utc(after) + timedelta(minutes=policy.followup.touchpoint.default_minutes[severity])


def needs_page(severity: Severity, at: datetime, policy: Policy) -> bool:
    """Seed 002: Sev1/Sev2 (the policy's list) outside business hours go to the on-call pager."""
    return severity in policy.paging.severities and not is_business_hours(at, policy)


@dataclass(frozen=True)
class UpdateProblem:
    kind: str  # "pii" or "internal"
    text: str  # what was found (for PII: the kind only, never the value)
    message: str


def check_customer_update(text: str, policy: Policy) -> list[UpdateProblem]:
    """What keeps `text` from going to the customer: personal data or internal-only content."""
    from app.core.redaction import scan_sensitive  # loads presidio; only customer updates need it

    rule = policy.followup.customer_update
    problems: list[UpdateProblem] = []
    if not text.strip():
        return [UpdateProblem("empty", "", "the update is empty")]
    kinds = sorted({span.kind for span in scan_sensitive(text)})
    for kind in kinds:
        problems.append(
            UpdateProblem("pii", kind, f"contains personal or secret data ({kind}); {rule.quote} ({rule.cite})")
        )
    for pattern in rule.internal_patterns:
        for match in re.finditer(pattern, text, flags=re.IGNORECASE | re.MULTILINE):
            found = match.group().strip()
            problems.append(
                UpdateProblem("internal", found, f"{found!r} is internal-only; remove it before the customer sees it")
            )
    return problems
