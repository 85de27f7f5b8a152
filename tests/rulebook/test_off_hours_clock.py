"""The off-hours finding is judged on when the escalation happens (the draft's clock, then the
check's or submission's), in the policy's [business_hours] time zone; never on a time written in
the ticket. Through the real drafting service, only the model endpoint a function."""

from datetime import UTC, datetime

import pytest

from app.core.rules import check_brief
from schemas.draft import DraftResult, TicketInput
from tests.ui import endpoint

# Monday 2026-11-23 17:00 UTC is 09:00 in Los Angeles (in hours); Sunday 03:00 UTC is Saturday 19:00 PT.
BUSINESS = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)
OFF_HOURS = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)
TICKET = "Checkout fails at all stores for acct-1234\nEvery till shows error GW-502."
NOTED_OFF_HOURS = f"Sent: 2026-11-22 03:00 UTC\n{TICKET}"
NOTED_IN_HOURS = f"Sent: 2026-11-23 17:00 UTC\n{TICKET}"


def _draft(text: str, now: datetime) -> DraftResult:
    drafter = endpoint.build_function_drafter()
    endpoint.GATE.set()
    try:
        return drafter.draft(TicketInput(text=text), now)
    finally:
        drafter.close()


def _off_hours(result: DraftResult) -> tuple[list[str], list[str]]:
    assert result.assessment is not None
    return (
        [f.message for f in result.findings if f.rule == "off_hours"],
        [s.source for s in result.assessment.signals if s.kind == "off_hours"],
    )


def test_a_note_written_off_hours_does_not_make_an_escalation_in_hours_off_hours() -> None:
    result = _draft(NOTED_OFF_HOURS, BUSINESS)
    assert result.severity.final.value == "sev1"
    assert _off_hours(result) == ([], [])


def test_an_escalation_off_hours_is_off_hours_whatever_time_the_ticket_notes() -> None:
    result = _draft(NOTED_IN_HOURS, OFF_HOURS)
    findings, sources = _off_hours(result)
    assert sources == ["clock"]
    [message] = findings
    assert "outside business hours (Sat 19:00 PST)" in message


@pytest.mark.parametrize(("checked_at", "expected"), [(BUSINESS, 0), (OFF_HOURS, 1)])
def test_a_recheck_judges_off_hours_at_its_own_time(checked_at: datetime, expected: int) -> None:
    # Drafted in hours; checked (an edit, or the submission) at `checked_at`.
    result = _draft(NOTED_OFF_HOURS, BUSINESS)
    assert result.brief is not None
    drafter = endpoint.build_function_drafter()
    findings = check_brief(result.brief, result.redacted_text, drafter.policy, checked_at, result.assessment)
    assert len([f for f in findings if f.rule == "off_hours"]) == expected
