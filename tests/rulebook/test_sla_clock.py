"""Ticket timestamps, business hours (seed 000 line 5) and the escalation clock (seed 002 lines 6-9)."""

from datetime import UTC, datetime, time, timedelta

import pytest

from app.core.errors import PolicyError
from app.core.sla import (
    _TIMESTAMP,
    _matches,
    business_minutes_between,
    compute_sla,
    find_timestamps,
    human_minutes,
    is_business_hours,
)
from schemas.common import Severity, SlaStatus
from schemas.policy import Policy


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "span", "moment"),
    [
        ("at 2026-11-20T14:05:00Z it broke", "2026-11-20T14:05:00Z", utc(2026, 11, 20, 14, 5)),
        ("log 2026-11-20 14:05:07,123 ERROR", "2026-11-20 14:05:07,123", utc(2026, 11, 20, 14, 5, 7, 123000)),
        ("sent 2026-11-20 14:05 UTC", "2026-11-20 14:05 UTC", utc(2026, 11, 20, 14, 5)),
        ("no zone 2026-11-20 14:05 means UTC", "2026-11-20 14:05", utc(2026, 11, 20, 14, 5)),
        ("offset 2026-11-20T06:05:00-08:00", "2026-11-20T06:05:00-08:00", utc(2026, 11, 20, 14, 5)),
        ("on Nov 20, 2026 2:05 PM PST we saw", "Nov 20, 2026 2:05 PM PST", utc(2026, 11, 20, 22, 5)),
        ("on 20 Nov 2026 at 14:05 UTC", "20 Nov 2026 at 14:05 UTC", utc(2026, 11, 20, 14, 5)),
        ("11/20/2026 9:05 AM EST", "11/20/2026 9:05 AM EST", utc(2026, 11, 20, 14, 5)),
        ("July 6, 2026 2:00 AM PT", "July 6, 2026 2:00 AM PT", utc(2026, 7, 6, 9, 0)),
    ],
)
def test_timestamps_are_found_and_read(text: str, span: str, moment: datetime) -> None:
    [found] = find_timestamps(text)
    assert (found.text, found.moment) == (span, moment)
    assert text[found.start : found.end] == span


def test_a_bare_time_takes_the_date_written_before_it() -> None:
    text = "Opened 2026-11-20. At 14:05 UTC the sync stopped; syslog Nov 20 15:10:02 worker died."
    assert [(t.text, t.moment) for t in find_timestamps(text)] == [
        ("14:05 UTC", utc(2026, 11, 20, 14, 5)),
        ("Nov 20 15:10:02", utc(2026, 11, 20, 15, 10, 2)),
    ]


@pytest.mark.parametrize(
    "text", ["at 14:05 UTC with no date", "version 3.3.0", "2026-13-45 10:00 is no date", "call 415 555 0142"]
)
def test_what_is_not_a_timestamp_is_skipped(text: str) -> None:
    assert find_timestamps(text) == ()


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (utc(2026, 11, 16, 9, 59), False),  # Monday 01:59 PST
        (utc(2026, 11, 16, 10, 0), True),  # Monday 02:00 PST
        (utc(2026, 11, 17, 1, 59), True),  # Monday 17:59 PST
        (utc(2026, 11, 17, 2, 0), False),  # Monday 18:00 PST
        (utc(2026, 11, 21, 20, 0), False),  # Saturday noon
        (utc(2026, 7, 6, 9, 0), True),  # Monday 02:00 PDT (daylight saving time)
        (utc(2026, 7, 6, 8, 59), False),
        (datetime(2026, 11, 16, 10, 0), True),  # naive: read as UTC
    ],
)
def test_business_hours(moment: datetime, expected: bool, policy: Policy) -> None:
    assert is_business_hours(moment, policy) is expected


def test_business_minutes_skip_nights_and_weekends(policy: Policy) -> None:
    friday_5pm_pt, monday_10am_pt = utc(2026, 11, 21, 1, 0), utc(2026, 11, 23, 18, 0)
    assert business_minutes_between(friday_5pm_pt, monday_10am_pt, policy) == 60 + 8 * 60
    assert business_minutes_between(monday_10am_pt, friday_5pm_pt, policy) == 0


def test_business_minutes_over_many_weeks(policy: Policy) -> None:
    monday_midnight_pt = utc(2026, 11, 2, 8, 0)
    ten_weeks = business_minutes_between(monday_midnight_pt, monday_midnight_pt + timedelta(weeks=10), policy)
    assert ten_weeks == 10 * 5 * 16 * 60


SEV2_TICKET = "Customer 2026-11-17 17:05 UTC: users cannot log in.\nAgent 2026-11-17 17:20 UTC: reproduced."


@pytest.mark.parametrize(
    ("severity", "now", "status", "elapsed", "limit"),
    [
        (Severity.sev2, utc(2026, 11, 17, 17, 30), SlaStatus.within, 25, 60),
        (Severity.sev2, utc(2026, 11, 17, 17, 50), SlaStatus.at_risk, 45, 60),
        (Severity.sev2, utc(2026, 11, 17, 18, 5), SlaStatus.at_risk, 60, 60),
        (Severity.sev2, utc(2026, 11, 17, 18, 6), SlaStatus.breached, 61, 60),
        # Sev1 escalates at once; its 15-minute response expectation is the clock.
        (Severity.sev1, utc(2026, 11, 17, 17, 15), SlaStatus.within, 10, 15),
        (Severity.sev1, utc(2026, 11, 17, 17, 17), SlaStatus.at_risk, 12, 15),
        (Severity.sev1, utc(2026, 11, 17, 17, 25), SlaStatus.breached, 20, 15),
    ],
)
def test_clock_statuses(
    severity: Severity, now: datetime, status: SlaStatus, elapsed: float, limit: int, policy: Policy
) -> None:
    result = compute_sla(SEV2_TICKET, severity, policy, now)
    assert (result.status, result.elapsed_minutes, result.limit_minutes) == (status, elapsed, limit)
    assert result.opened_at == utc(2026, 11, 17, 17, 5)
    # Said in human units: how far past (or how much is left), against the limit.
    said = human_minutes(abs(elapsed - limit))
    assert result.reason.startswith(f"breached by {said}:" if elapsed > limit else f"{said} left:"), result.reason
    assert result.reason.endswith(f"against a limit of {human_minutes(limit)} ({severity.value} clock)")


def test_durations_read_in_human_units() -> None:
    assert human_minutes(18355 - 15) == "12 days 17 hours"
    assert human_minutes(61) == "1 hour 1 minute"
    assert human_minutes(1440, business=True) == "24 business hours"
    assert human_minutes(0.2) == "0 minutes"


def test_sev3_counts_business_minutes_only(policy: Policy) -> None:
    opened_monday_2am_pt = "Reported 2026-11-16 10:00 UTC: dashboards are slow."
    at_limit = compute_sla(opened_monday_2am_pt, Severity.sev3, policy, utc(2026, 11, 17, 18, 0))
    assert (at_limit.status, at_limit.elapsed_minutes) == (SlaStatus.at_risk, 1440)
    past = compute_sla(opened_monday_2am_pt, Severity.sev3, policy, utc(2026, 11, 17, 18, 1))
    assert past.status is SlaStatus.breached
    # Friday 17:00 PT to Monday 10:00 PT is 9 business hours, not 65 hours.
    weekend = compute_sla("Reported 2026-11-21 01:00 UTC.", Severity.sev3, policy, utc(2026, 11, 23, 18, 0))
    assert (weekend.status, weekend.elapsed_minutes) == (SlaStatus.within, 540)


@pytest.mark.parametrize(
    ("text", "severity", "now", "why"),
    [
        (SEV2_TICKET, Severity.sev4, utc(2026, 11, 17, 18, 0), "no escalation clock"),
        ("users cannot log in", Severity.sev2, utc(2026, 11, 17, 18, 0), "no timestamp"),
        (SEV2_TICKET, Severity.sev2, None, "no current time"),
        (SEV2_TICKET, Severity.sev2, utc(2026, 11, 17, 17, 0), "later than now"),
    ],
)
def test_unknown_when_the_clock_cannot_run(
    text: str, severity: Severity, now: datetime | None, why: str, policy: Policy
) -> None:
    result = compute_sla(text, severity, policy, now)
    assert result.status is SlaStatus.unknown
    assert why in result.reason


def test_earliest_timestamp_opens_the_clock(policy: Policy) -> None:
    text = "Agent 2026-11-17 17:20 UTC: reproduced.\nCustomer first wrote 2026-11-17 16:50 UTC."
    assert compute_sla(text, Severity.sev2, policy, utc(2026, 11, 17, 18, 0)).opened_at == utc(2026, 11, 17, 16, 50)


def test_broken_business_hours_are_a_policy_error(policy: Policy) -> None:
    hours = policy.business_hours.model_copy(update={"timezone": "Mars/Olympus_Mons"})
    with pytest.raises(PolicyError, match="IANA"):
        is_business_hours(utc(2026, 11, 17, 18, 0), policy.model_copy(update={"business_hours": hours}))
    backwards = policy.business_hours.model_copy(update={"start": time(18), "end": time(2)})
    with pytest.raises(PolicyError, match="later than"):
        is_business_hours(utc(2026, 11, 17, 18, 0), policy.model_copy(update={"business_hours": backwards}))


def test_candidate_scan_finds_what_the_timestamp_regex_finds() -> None:
    texts = [
        "x2026-11-20 14:05 UTC, (2026-11-20T14:05Z) 12/01/2026 9:00 am pst; jan. 5, 2026 10:00; mayday 14:05 utc",
        "Sept 3 2026 at 4:05 pm et and 3 sept 2026 04:05; 2026-11-2014:05; nov 20 14:05:06 h; 123:45 utc 9:05 gmt",
        SEV2_TICKET.lower(),
    ]
    for text in texts:
        assert [m.span() for m in _matches(text)] == [m.span() for m in _TIMESTAMP.finditer(text)], text
