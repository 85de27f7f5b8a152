"""The use cases on top of the store, on SQLite and PostgreSQL: roles, submission rules,
self-approval, concurrent decisions, exports and the live SLA.

Drafts come from the web app's real drafting service (the production factory); only the model
endpoint behind its openai client is a function (tests/ui/endpoint.py). So the real policy decides
what blocks a submission, and the test tickets carry what an engineering escalation needs."""

import json
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from app.core.errors import ConflictError, InputError, NotFound, PermissionDenied
from app.core.policy import cached_policy
from app.core.store import Store, verify_chain
from app.core.store.settings import AppSettings
from app.core.users import Role
from app.services.auth import Principal
from app.services.export import ExportService
from app.services.review import ReviewService, live_sla
from app.services.workspace import DraftSaved, SubmissionBlocked, Workspace, customer_request
from schemas.common import Severity, SlaStatus
from schemas.draft import TicketInput
from tests.ui.endpoint import INVENTED_ID, INVENTED_QUOTE, build_function_drafter, build_v1_drafter

ANA = Principal("ana", Role.agent)
BEA = Principal("bea", Role.agent)
RUI = Principal("rui", Role.reviewer)
SAM = Principal("sam", Role.reviewer)
ROOT = Principal("root", Role.admin)
NOW = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)
# Five minutes before NOW, in the form the ticket reader takes as a timestamp.
RECENTLY = "2026-11-23 16:55 UTC"
STEPS_AND_ENVIRONMENT = "Steps: open Reports and export a year of data\nEnvironment: web app 5.2 on Chrome 131"
# Complete for an engineering escalation: account ID, time, error, steps and environment.
TICKET = (
    "Exports are slow for acct-2042\n"
    f"Since {RECENTLY} large exports take 10 minutes, then end with error 504 Gateway Timeout.\n"
    f"{STEPS_AND_ENVIRONMENT}"
)
SUMMARY = "Exports are slow for acct-2042"
# Complete but for the account ID.
NO_ACCOUNT_TICKET = (
    "Exports are slow for the northwind-sales workspace\n"
    f"Since {RECENTLY} large exports end with error 504 Gateway Timeout.\n"
    f"{STEPS_AND_ENVIRONMENT}"
)


def all_stores(since: str = RECENTLY) -> str:
    """A complete ticket the policy reads as Critical (every store affected)."""
    return (
        f"Checkout down at all stores for acct-1001 since {since}\n"
        "Every till shows error GW-502: Payment declined.\n"
        "Steps: ring up any item and pay by card\nEnvironment: POS app 7.4.2 on Windows 10"
    )


@pytest.fixture
def workspace(store: Store) -> Workspace:
    """The web app's drafting service (brief@v2): code reads the IDs and times from the ticket."""
    return Workspace(store, build_function_drafter(), clock=lambda: NOW)


@pytest.fixture
def whole_brief_workspace(store: Store) -> Workspace:
    """Drafting under brief@v1, where the model writes evidence and identifiers itself, so the
    invented ones (INVENTED_QUOTE, INVENTED_ID) reach the rules."""
    return Workspace(store, build_v1_drafter(), clock=lambda: NOW)


@pytest.fixture
def review(store: Store) -> ReviewService:
    return ReviewService(store, cached_policy(None), clock=lambda: NOW)


def start(workspace: Workspace, who: Principal = ANA, text: str = TICKET) -> int:
    events = list(workspace.start(who, TicketInput(text=text)))
    assert isinstance(events[-1], DraftSaved)
    return events[-1].draft.id


def submitted(workspace: Workspace, who: Principal = ANA, text: str = TICKET) -> int:
    draft_id = start(workspace, who, text)
    workspace.submit(who, draft_id, 1)
    return draft_id


def test_submission_with_an_error_finding_is_refused(workspace: Workspace) -> None:
    draft_id = start(workspace, text=NO_ACCOUNT_TICKET)
    with pytest.raises(SubmissionBlocked, match="engineering escalations need the account ID") as caught:
        workspace.submit(ANA, draft_id, 1)
    assert [f.field for f in caught.value.findings if f.blocks] == ["diagnostics.account_ids"]
    assert workspace.open(ANA, draft_id).status == "draft"


def test_overriding_the_rules_needs_a_justification(workspace: Workspace) -> None:
    draft_id = start(workspace)
    record = workspace.open(ANA, draft_id)
    assert record.brief.severity is Severity.sev3 and record.rules_severity is Severity.sev3
    raised = record.brief.model_copy(update={"severity": Severity.sev2})
    record = workspace.save(ANA, draft_id, record.version, raised, "")
    with pytest.raises(SubmissionBlocked, match="overrides the rules' Medium"):
        workspace.submit(ANA, draft_id, record.version)
    record = workspace.save(ANA, draft_id, record.version, raised, "The customer's month-end close depends on it.")
    assert workspace.submit(ANA, draft_id, record.version).status == "submitted"


def test_a_critical_outage_is_not_lowered_by_a_justification(workspace: Workspace) -> None:
    draft_id = start(workspace, text=all_stores())
    record = workspace.open(ANA, draft_id)
    assert record.brief.severity is Severity.sev1 and record.rules_severity is Severity.sev1
    lowered = record.brief.model_copy(update={"severity": Severity.sev3})
    record = workspace.save(ANA, draft_id, record.version, lowered, "")
    with pytest.raises(SubmissionBlocked, match="overrides the rules' Critical"):
        workspace.submit(ANA, draft_id, record.version)
    # Below what an outage supports, a justification is not enough: a reviewer overrules the signals.
    record = workspace.save(ANA, draft_id, record.version, lowered, "Two stores still sell offline.")
    with pytest.raises(SubmissionBlocked, match="lower than the ticket's signals support, sev1") as caught:
        workspace.submit(ANA, draft_id, record.version)
    assert "overrides the rules'" not in str(caught.value)
    assert workspace.open(ANA, draft_id).status == "draft"


def test_an_unchanged_save_writes_no_version(workspace: Workspace) -> None:
    draft_id = start(workspace)
    record = workspace.open(ANA, draft_id)
    assert workspace.save(ANA, draft_id, 1, record.brief, "", autosave=True).version == 1


def test_unverified_quotes_are_removed_by_the_author_only(whole_brief_workspace: Workspace) -> None:
    workspace = whole_brief_workspace
    draft_id = start(workspace, text=f"{TICKET}\n{INVENTED_QUOTE}")
    assert [f.field for f in workspace.open(ANA, draft_id).findings if f.rule == "evidence_verbatim"] == [
        "evidence[2].quote"
    ]
    with pytest.raises(PermissionDenied, match="only its author edits it"):
        workspace.remove_unverified_quotes(BEA, draft_id, 1)
    record = workspace.remove_unverified_quotes(ANA, draft_id, 1)
    assert record.version == 2
    assert [e.quote for e in record.brief.evidence] == [SUMMARY, "acct-2042"]
    assert not [f for f in record.findings if f.rule == "evidence_verbatim"]
    # Nothing left to remove: no new version.
    assert workspace.remove_unverified_quotes(ANA, draft_id, 2).version == 2
    with pytest.raises(ConflictError):
        workspace.remove_unverified_quotes(ANA, start(workspace, text=f"x acct-3\n{INVENTED_QUOTE}"), 7)


def test_invented_diagnostic_values_are_removed_by_the_author_only(whole_brief_workspace: Workspace) -> None:
    workspace = whole_brief_workspace
    draft_id = start(workspace, text=f"{TICKET}\n{INVENTED_ID}")
    drafted = workspace.open(ANA, draft_id)
    assert drafted.brief.diagnostics.account_ids == ["acct-2042", "acct-9999"]
    assert drafted.brief.diagnostics.timestamps == [RECENTLY, "2023-04-15T12:34:56Z"]
    assert {f.field for f in drafted.findings if f.rule == "grounding"} == {
        "diagnostics.account_ids[1]",
        "diagnostics.timestamps[1]",
    }
    with pytest.raises(PermissionDenied, match="only its author edits it"):
        workspace.remove_invented_values(BEA, draft_id, 1)
    record = workspace.remove_invented_values(ANA, draft_id, 1)
    assert record.version == 2
    # The ticket's own values stay.
    assert record.brief.diagnostics.account_ids == ["acct-2042"]
    assert record.brief.diagnostics.timestamps == [RECENTLY]
    assert not [f for f in record.findings if f.rule == "grounding"]
    assert workspace.remove_invented_values(ANA, draft_id, 2).version == 2  # nothing left: no new version


def test_only_the_author_edits_and_agents_see_only_their_own(workspace: Workspace) -> None:
    draft_id = start(workspace)
    record = workspace.open(ANA, draft_id)
    with pytest.raises(PermissionDenied, match="only its author edits it"):
        workspace.save(BEA, draft_id, 1, record.brief, "")
    with pytest.raises(PermissionDenied, match="belongs to ana"):
        workspace.open(BEA, draft_id)
    assert workspace.open(RUI, draft_id).id == draft_id  # reviewers see every draft
    with pytest.raises(NotFound):
        workspace.open(ANA, 999)


def test_agents_cannot_review(workspace: Workspace, review: ReviewService) -> None:
    draft_id = submitted(workspace)
    with pytest.raises(PermissionDenied, match="'review' needs one of: reviewer, admin"):
        review.queue(BEA)
    with pytest.raises(PermissionDenied):
        review.approve(BEA, draft_id, 2)


def test_the_author_cannot_approve_even_as_reviewer_or_admin(workspace: Workspace, review: ReviewService) -> None:
    for author in (RUI, ROOT):
        draft_id = submitted(workspace, author)
        with pytest.raises(PermissionDenied, match="you wrote draft"):
            review.approve(author, draft_id, 2)
        assert workspace.open(author, draft_id).status == "submitted"


def test_a_late_decision_loses_with_a_clear_message(workspace: Workspace, review: ReviewService) -> None:
    draft_id = submitted(workspace)
    review.approve(RUI, draft_id, 2, "fine")
    with pytest.raises(ConflictError, match=r"rui did 'approve' .* it is now approved"):
        review.reject(SAM, draft_id, 2, "missing logs")
    case = review.open(SAM, draft_id)
    assert [(r.reviewer, r.decision) for r in case.reviews] == [("rui", "approved")]


def test_simultaneous_decisions_have_exactly_one_winner(
    workspace: Workspace, review: ReviewService, store: Store
) -> None:
    draft_id = submitted(workspace)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def decide(reviewer: Principal) -> None:
        barrier.wait()
        try:
            review.approve(reviewer, draft_id, 2)
            outcomes.append("won")
        except ConflictError:
            outcomes.append("conflict")

    threads = [threading.Thread(target=decide, args=(who,)) for who in (RUI, SAM)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["conflict", "won"]
    assert len(review.open(RUI, draft_id).reviews) == 1
    with store.read() as session:
        assert verify_chain(session).ok


def test_rejection_needs_a_reason_and_reopens_the_draft(workspace: Workspace, review: ReviewService) -> None:
    draft_id = submitted(workspace)
    with pytest.raises(InputError, match="say why"):
        review.reject(RUI, draft_id, 2, "  ")
    rejected = review.reject(RUI, draft_id, 2, "add the export job id")
    assert rejected.editable and rejected.review_reason == "add the export job id"
    resubmitted = workspace.submit(ANA, draft_id, rejected.version)
    assert resubmitted.status == "submitted"


def test_queue_sla_is_live_and_breached_comes_first(workspace: Workspace, review: ReviewService) -> None:
    within = submitted(workspace, text=TICKET)
    breached = submitted(workspace, text=all_stores(since="2026-11-23T09:00Z"))
    queue = review.queue(RUI)
    assert [(i.draft.id, i.sla.status) for i in queue] == [(breached, SlaStatus.breached), (within, SlaStatus.within)]
    assert [i.draft.id for i in review.queue(RUI, sla=[SlaStatus.within])] == [within]
    assert [i.draft.id for i in review.queue(RUI, severities=[Severity.sev1])] == [breached]


def test_a_ticket_without_timestamps_starts_its_clock_on_arrival(workspace: Workspace, review: ReviewService) -> None:
    ticket = (
        "Checkout down at all stores for acct-1001\n"
        "Every till shows error GW-502: Payment declined. It started just before the customer wrote in.\n"
        "Steps: ring up any item and pay by card\nEnvironment: POS app 7.4.2 on Windows 10"
    )
    draft_id = start(workspace, text=ticket)
    # The policy wants a time for an engineering escalation: the draft may not go as it is.
    with pytest.raises(SubmissionBlocked, match="engineering escalations need timestamps") as caught:
        workspace.submit(ANA, draft_id, 1)
    assert [f.field for f in caught.value.findings if f.blocks] == ["diagnostics.timestamps"]
    # The agent records the customer's words for it; still no time the clock could start from.
    record = workspace.open(ANA, draft_id)
    diagnostics = record.brief.diagnostics.model_copy(update={"timestamps": ["just before the customer wrote in"]})
    record = workspace.save(ANA, draft_id, 1, record.brief.model_copy(update={"diagnostics": diagnostics}), "")
    assert workspace.submit(ANA, draft_id, record.version).status == "submitted"
    (item,) = review.queue(RUI)
    summary = item.draft
    assert summary.id == draft_id and summary.received_at == NOW
    assert item.sla.status is SlaStatus.within and item.sla.opened_at == NOW
    policy = cached_policy(None)
    assert live_sla(summary, ticket, policy, NOW + timedelta(minutes=5)).status is SlaStatus.within
    assert live_sla(summary, ticket, policy, NOW + timedelta(minutes=12)).status is SlaStatus.at_risk
    assert live_sla(summary, ticket, policy, NOW + timedelta(minutes=16)).status is SlaStatus.breached


def test_missing_diagnostics_become_a_message_for_the_customer(workspace: Workspace) -> None:
    # A ticket that says little: the real policy's required diagnostics are missing.
    record = workspace.open(ANA, start(workspace, text="Exports are slow for one workspace"))
    message = customer_request(record.findings)
    assert message is not None
    assert "- the account, organisation or workspace ID that is affected" in message
    assert "- the date and time (with time zone) when it last happened" in message
    assert "- the steps that lead to the problem, one by one" in message
    assert "- a screenshot or screen recording of the problem" in message
    # A complete ticket asks only for what is recommended, not for what it already says.
    complete = customer_request(workspace.open(ANA, start(workspace)).findings)
    assert complete is not None and "workspace ID" not in complete and "date and time" not in complete


# ------------------------------------------------------------------------------------------ exports
def _exporter(store: Store, handler: httpx.MockTransport | None, fmt: str = "slack") -> ExportService:
    settings = AppSettings(
        users_file=Path("unused.json"), webhook_url=SecretStr("https://hooks.example/T1/B2/TOKEN"), webhook_format=fmt
    )
    return ExportService(store, settings, clock=lambda: NOW, transport=handler)


def _approved(workspace: Workspace, review: ReviewService, text: str = TICKET) -> int:
    draft_id = submitted(workspace, text=text)
    review.approve(RUI, draft_id, 2)
    return draft_id


def test_only_approved_briefs_are_exported(workspace: Workspace, store: Store) -> None:
    draft_id = submitted(workspace)
    with pytest.raises(InputError, match="only approved briefs"):
        _exporter(store, None).send(ANA, draft_id)


def test_slack_payload_cannot_ping_anyone(workspace: Workspace, review: ReviewService, store: Store) -> None:
    posted: list[dict[str, object]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        posted.append(json.loads(request.content))
        return httpx.Response(200, text="ok")

    ticket = TICKET.replace(SUMMARY, "<!channel> exports are slow for acct-2042 <https://evil.example|click>")
    draft_id = _approved(workspace, review, text=ticket)
    outcome = _exporter(store, httpx.MockTransport(handler)).send(ANA, draft_id)
    assert (outcome.status, outcome.response_code, outcome.destination) == ("ok", 200, "https://hooks.example/…")
    body = json.dumps(posted[0])
    assert "<!channel>" not in body and "&lt;!channel&gt;" in body
    assert "<https://evil.example" not in body


def test_generic_payload_carries_the_typed_brief(workspace: Workspace, review: ReviewService, store: Store) -> None:
    posted: list[dict[str, object]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        posted.append(json.loads(request.content))
        return httpx.Response(202)

    draft_id = _approved(workspace, review)
    _exporter(store, httpx.MockTransport(handler), fmt="generic").send(ANA, draft_id)
    payload = posted[0]
    assert payload["event"] == "escalation.approved" and payload["approved_by"] == "rui"
    assert payload["brief"]["summary"] == SUMMARY  # type: ignore[index]
    assert str(payload["text"]).startswith(f"ESCALATION: {SUMMARY}\n")


def test_an_unreachable_webhook_is_recorded_without_its_url(
    workspace: Workspace, review: ReviewService, store: Store
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"cannot connect to {request.url}")

    exporter = _exporter(store, httpx.MockTransport(handler))
    draft_id = _approved(workspace, review)
    outcome = exporter.send(ANA, draft_id)
    assert outcome.status == "failed" and outcome.response_code is None
    assert outcome.error == "ConnectError: could not deliver to https://hooks.example/…"
    assert [e.status for e in exporter.history(ANA, draft_id)] == ["failed"]
    with store.read() as session:
        assert verify_chain(session).ok
