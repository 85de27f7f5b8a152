"""The use cases on top of the store, on SQLite and PostgreSQL: roles, submission rules,
self-approval, concurrent decisions, exports and the live SLA."""

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
from tests.ui.fakes import INVENTED_ID, INVENTED_QUOTE, FakeDrafter

ANA = Principal("ana", Role.agent)
BEA = Principal("bea", Role.agent)
RUI = Principal("rui", Role.reviewer)
SAM = Principal("sam", Role.reviewer)
ROOT = Principal("root", Role.admin)
NOW = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)


@pytest.fixture
def workspace(store: Store) -> Workspace:
    return Workspace(store, FakeDrafter(), clock=lambda: NOW)


@pytest.fixture
def review(store: Store) -> ReviewService:
    return ReviewService(store, cached_policy(None), clock=lambda: NOW)


def start(workspace: Workspace, who: Principal = ANA, text: str = "Exports are slow for acct-2") -> int:
    events = list(workspace.start(who, TicketInput(text=text)))
    assert isinstance(events[-1], DraftSaved)
    return events[-1].draft.id


def submitted(workspace: Workspace, who: Principal = ANA, text: str = "Exports are slow for acct-2") -> int:
    draft_id = start(workspace, who, text)
    workspace.submit(who, draft_id, 1)
    return draft_id


def test_submission_with_an_error_finding_is_refused(workspace: Workspace) -> None:
    draft_id = start(workspace, text="Exports are slow for one workspace")
    with pytest.raises(SubmissionBlocked, match="engineering escalations need the account ID") as caught:
        workspace.submit(ANA, draft_id, 1)
    assert [f.field for f in caught.value.findings if f.blocks] == ["diagnostics.account_ids"]
    assert workspace.open(ANA, draft_id).status == "draft"


def test_overriding_the_rules_needs_a_justification(workspace: Workspace) -> None:
    draft_id = start(workspace, text="Checkout down at all stores for acct-1")
    record = workspace.open(ANA, draft_id)
    lowered = record.brief.model_copy(update={"severity": Severity.sev3})
    record = workspace.save(ANA, draft_id, record.version, lowered, "")
    with pytest.raises(SubmissionBlocked, match="overrides the rules' Critical"):
        workspace.submit(ANA, draft_id, record.version)
    record = workspace.save(ANA, draft_id, record.version, lowered, "Two stores still sell offline.")
    assert workspace.submit(ANA, draft_id, record.version).status == "submitted"


def test_an_unchanged_save_writes_no_version(workspace: Workspace) -> None:
    draft_id = start(workspace)
    record = workspace.open(ANA, draft_id)
    assert workspace.save(ANA, draft_id, 1, record.brief, "", autosave=True).version == 1


def test_unverified_quotes_are_removed_by_the_author_only(workspace: Workspace) -> None:
    draft_id = start(workspace, text=f"Exports are slow for acct-2\n{INVENTED_QUOTE}")
    with pytest.raises(PermissionDenied, match="only its author edits it"):
        workspace.remove_unverified_quotes(BEA, draft_id, 1)
    record = workspace.remove_unverified_quotes(ANA, draft_id, 1)
    assert record.version == 2
    assert [e.quote for e in record.brief.evidence] == ["Exports are slow for acct-2", "acct-2"]
    assert not [f for f in record.findings if f.rule == "evidence_verbatim"]
    # Nothing left to remove: no new version.
    assert workspace.remove_unverified_quotes(ANA, draft_id, 2).version == 2
    with pytest.raises(ConflictError):
        workspace.remove_unverified_quotes(ANA, start(workspace, text=f"x acct-3\n{INVENTED_QUOTE}"), 7)


def test_invented_diagnostic_values_are_removed_by_the_author_only(workspace: Workspace) -> None:
    draft_id = start(workspace, text=f"Exports are slow for acct-2\n{INVENTED_ID}")
    assert workspace.open(ANA, draft_id).brief.diagnostics.account_ids == ["acct-2", "acct-9999"]
    with pytest.raises(PermissionDenied, match="only its author edits it"):
        workspace.remove_invented_values(BEA, draft_id, 1)
    record = workspace.remove_invented_values(ANA, draft_id, 1)
    assert record.version == 2
    assert record.brief.diagnostics.account_ids == ["acct-2"] and record.brief.diagnostics.timestamps == []
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
    within = submitted(workspace, text="Exports are slow for acct-2")
    breached = submitted(workspace, text="Checkout down at all stores for acct-1 since 2026-11-23T09:00Z")
    queue = review.queue(RUI)
    assert [(i.draft.id, i.sla.status) for i in queue] == [(breached, SlaStatus.breached), (within, SlaStatus.within)]
    assert [i.draft.id for i in review.queue(RUI, sla=[SlaStatus.within])] == [within]
    assert [i.draft.id for i in review.queue(RUI, severities=[Severity.sev1])] == [breached]


def test_a_ticket_without_timestamps_starts_its_clock_on_arrival(workspace: Workspace, review: ReviewService) -> None:
    draft_id = submitted(workspace, text="Checkout down at all stores for acct-1")
    summary = review.queue(RUI)[0].draft
    assert summary.id == draft_id
    policy = cached_policy(None)
    assert live_sla(summary, "no time here", policy, NOW + timedelta(minutes=5)).status is SlaStatus.within
    assert live_sla(summary, "no time here", policy, NOW + timedelta(minutes=12)).status is SlaStatus.at_risk
    assert live_sla(summary, "no time here", policy, NOW + timedelta(minutes=16)).status is SlaStatus.breached


def test_missing_diagnostics_become_a_message_for_the_customer(workspace: Workspace) -> None:
    record = workspace.open(ANA, start(workspace, text="Exports are slow for one workspace"))
    message = customer_request(record.findings)
    assert message is not None
    assert "- the account, organisation or workspace ID that is affected" in message
    assert "- a screenshot or screen recording of the problem" in message


# ------------------------------------------------------------------------------------------ exports
def _exporter(store: Store, handler: httpx.MockTransport | None, fmt: str = "slack") -> ExportService:
    settings = AppSettings(
        users_file=Path("unused.json"), webhook_url=SecretStr("https://hooks.example/T1/B2/TOKEN"), webhook_format=fmt
    )
    return ExportService(store, settings, clock=lambda: NOW, transport=handler)


def _approved(workspace: Workspace, review: ReviewService, text: str = "Exports are slow for acct-2") -> int:
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

    draft_id = _approved(workspace, review, text="<!channel> exports are slow for acct-2 <https://evil.example|click>")
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
    assert payload["brief"]["summary"] == "Exports are slow for acct-2"  # type: ignore[index]
    assert str(payload["text"]).startswith("ESCALATION: Exports are slow for acct-2")


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
