"""The review queue: live SLA order and filters, the model-vs-agent diff, decisions, and the two
ways a decision is refused (own draft; someone else decided first)."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

from app.ui import state
from schemas.common import SlaStatus
from tests.ui.conftest import AppFactory
from tests.ui.flows import FRESH_TICKET, complete, draft, draft_row, edit, open_in_review, review_rows, submit, texts

BREACHED = complete(
    "Checkout fails at all stores for acct-1001 since 2020-01-01T09:00Z\n"
    "Every till shows error GW-502: Payment declined.",
    "2020-01-01 09:00 UTC",
)
FRESH = FRESH_TICKET


def submitted(make_app: AppFactory, author: str, *tickets: str) -> AppTest:
    at = make_app(author).run().switch_page("views/draft.py").run()
    for ticket in tickets:
        at.selectbox(key=state.DRAFT_PICKER).set_value(0).run()
        draft(at, ticket)
        submit(at)
    return at


def test_queue_puts_breached_first_and_filters_by_sla(make_app: AppFactory) -> None:
    submitted(make_app, "ana", FRESH, BREACHED)
    at = make_app("rui").run().switch_page("views/review.py").run()
    queue = at.dataframe[0].value
    assert list(queue["#"]) == [2, 1]
    assert list(queue["SLA"]) == ["Breached", "Within SLA"]
    at.multiselect(key="review.f.sla").set_value([SlaStatus.within]).run()
    assert list(at.dataframe[0].value["#"]) == [1]
    at.multiselect(key="review.f.sla").set_value([]).run()
    at.multiselect(key="review.f.severity").set_value([]).run()
    assert len(at.dataframe[0].value) == 2


def test_reviewer_reads_the_brief_as_sent_and_a_field_diff_then_approves(make_app: AppFactory, app_env: Path) -> None:
    ana = draft(make_app("ana").run(), FRESH)
    ana = edit(ana, 1, "summary", "Exports take 10 minutes for acct-2042")
    # Fields the export text used to leave out are in the diff too.
    ana = edit(ana, 1, "diagnostics.customer_contact", "Ops lead, prefers Slack")
    submit(ana)
    rui = open_in_review(make_app("rui").run(), 1)
    assert not rui.exception
    # The brief exactly as the exports carry it, first.
    sent = rui.code[0].value
    assert sent.startswith("ESCALATION: Exports take 10 minutes for acct-2042\n")
    assert "- Customer contact and preferred channel: Ops lead, prefers Slack\n" in sent
    assert "DIAGNOSTICS\n" in sent and "HANDOFF CHECKLIST\n" in sent
    assert any(c.language == "json" and '"customer_contact": "Ops lead, prefers Slack"' in c.value for c in rui.code)
    # The field-by-field diff names exactly what changed: the two fields the agent rewrote, and the
    # evidence, which loses the model's quote for the rewritten summary (it backed the old words).
    diff = rui.table[0].value
    assert list(diff["field"]) == ["One-line summary", "Customer contact and preferred channel", "Evidence"]
    assert list(diff["model's draft"])[:2] == ["Exports are slow for acct-2042", "—"]
    assert list(diff["agent's version"])[:2] == ["Exports take 10 minutes for acct-2042", "Ops lead, prefers Slack"]
    assert "One-line summary\\: “Exports are slow for acct-2042”" in diff["model's draft"][2]  # Markdown-escaped
    assert "One-line summary" not in diff["agent's version"][2]
    assert "The agent changed 3 of 30 fields." in texts(rui)
    # Every field of the brief is one toggle away.
    rui.toggle(key="review.diff_all.1").set_value(True).run()
    assert len(rui.table[0].value) == 30
    rui.text_area(key=state.review_reason_key(1)).input("Clear and complete.")
    rui.button(key="review.approve").click().run()
    assert "Draft #1 approved." in texts(rui)
    row = draft_row(app_env, 1)
    assert (row.status, row.reviewed_by, row.review_reason) == ("approved", "rui", "Clear and complete.")


def test_a_reviewer_cannot_approve_their_own_draft(make_app: AppFactory, app_env: Path) -> None:
    rui = submitted(make_app, "rui", FRESH)
    rui = open_in_review(rui, 1)
    assert "You wrote this draft. Another reviewer must approve or reject it." in texts(rui)
    assert rui.button(key="review.approve").disabled and rui.button(key="review.reject").disabled
    assert draft_row(app_env, 1).status == "submitted"
    # Another reviewer can.
    sam = open_in_review(make_app("sam").run(), 1)
    sam.button(key="review.approve").click().run()
    assert draft_row(app_env, 1).reviewed_by == "sam"


def test_two_reviewers_at_once_the_second_is_told_clearly(make_app: AppFactory, app_env: Path) -> None:
    submitted(make_app, "ana", FRESH)
    rui = open_in_review(make_app("rui").run(), 1)
    sam = open_in_review(make_app("sam").run(), 1)  # both now look at version 2
    rui.button(key="review.approve").click().run()
    sam.text_area(key=state.review_reason_key(1)).input("No account ID")
    sam.button(key="review.reject").click().run()
    page = texts(sam)
    assert "Someone else decided first, so your decision was not recorded." in page
    assert "rui did 'approve'" in page and "it is now approved" in page
    assert [(r.reviewer, r.decision) for r in review_rows(app_env)] == [("rui", "approved")]
    assert draft_row(app_env, 1).status == "approved"


def test_rejecting_needs_a_reason_and_returns_the_draft_to_its_author(make_app: AppFactory, app_env: Path) -> None:
    submitted(make_app, "ana", FRESH)
    rui = open_in_review(make_app("rui").run(), 1)
    rui.button(key="review.reject").click().run()
    assert "say why you reject the draft" in texts(rui)
    assert draft_row(app_env, 1).status == "submitted"
    rui.text_area(key=state.review_reason_key(1)).input("Add the export job ID.")
    rui.button(key="review.reject").click().run()
    assert draft_row(app_env, 1).status == "rejected"
    ana = make_app("ana").run()
    ana.selectbox(key=state.DRAFT_PICKER).set_value(1).run()
    assert "Rejected by rui: Add the export job ID. Fix it and submit again." in texts(ana)  # not ".."
    assert not ana.button(key="draft.submit").disabled


def test_a_drafts_url_opens_it_for_the_reviewer(make_app: AppFactory) -> None:
    submitted(make_app, "ana", FRESH)
    rui = make_app("rui")
    rui.query_params["draft"] = "1"
    rui.run()  # reviewers land on the queue; the link opens the draft there
    assert not rui.exception
    assert rui.header[0].value.startswith("#1: Exports are slow")
    missing = make_app("rui")
    missing.query_params["draft"] = "99"
    missing.run()
    assert not missing.exception
    assert "draft #99 does not exist" in texts(missing)
