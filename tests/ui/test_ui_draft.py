"""The draft page: streaming draft, findings, severities, redaction receipt, autosave, submission rules."""

import json
import re
from pathlib import Path

from app.core.store.repo import list_versions
from app.ui import state
from tests.ui.conftest import AppFactory
from tests.ui.endpoint import INVENTED_ID, INVENTED_QUOTE, MODEL_DOWN
from tests.ui.flows import NO_ACCOUNT_TICKET, TICKET, db, draft, draft_row, edit, submit, texts


def test_a_draft_shows_findings_three_severities_and_the_redaction_receipt(
    make_app: AppFactory, whole_brief_prompt: None
) -> None:
    at = draft(make_app("ana").run())
    assert not at.exception
    assert at.header[0].value.startswith("Draft #1")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {
        "Model suggested": "Medium (sev3)",
        "Assessment": "Critical (sev1)",
        "Agent's choice": "Critical (sev1)",
    }
    page = texts(at)
    # The assessment's reason is shown next to its verdict, and the model's disagreeing reading.
    assert "scope_all: everyone affected 'all stores': at least sev1" in page
    assert "Sources disagree: model reads sev3 / engineering" in page
    # A complete ticket: only recommended diagnostics and the breached clock are left to consider.
    assert "Findings: 0 blocking, 5 to consider" in page
    # The receipt names what was masked, and the raw address appears nowhere on the page.
    receipt = next(f.value for f in at.dataframe if "placeholder" in f.value.columns)
    assert list(receipt["placeholder"]) == ["<EMAIL_1>"] and list(receipt["kind"]) == ["EMAIL"]
    assert "ana.lee@example.com" not in page.replace(TICKET, "")
    # Per-field evidence: hovering a field shows the ticket's words for it.
    accounts = at.text_area(key=state.field_key(1, "diagnostics.account_ids"))
    assert accounts.value == "acct-1234"
    assert "Evidence from the ticket: “acct-1234”" in re.sub(r"\\(.)", r"\1", accounts.help or "")


def test_an_error_finding_blocks_submission_until_fixed(make_app: AppFactory, app_env: Path) -> None:
    at = draft(make_app("ana").run(), NO_ACCOUNT_TICKET)
    assert not at.button(key="draft.submit").value
    assert at.button(key="draft.submit").disabled
    assert "Submission is blocked" in texts(at)
    # The missing diagnostic comes with a message ready for the customer.
    assert any("account, organisation or workspace ID" in c.value for c in at.code)
    assert draft_row(app_env, 1).status == "draft"
    # (The service refuses it too, whatever the page shows: tests/store/test_store_services.py.)
    # Fixing the field clears the finding and the draft goes through.
    # The agent copies the workspace the customer named (grounding holds it to the ticket's words).
    at = edit(at, 1, "diagnostics.account_ids", "northwind-sales")
    assert not at.button(key="draft.submit").disabled
    submit(at)
    assert draft_row(app_env, 1).status == "submitted"
    assert "is in the review queue" in texts(at)


def test_quotes_not_in_the_ticket_are_removed_with_one_button(
    make_app: AppFactory, app_env: Path, whole_brief_prompt: None
) -> None:
    at = draft(make_app("ana").run(), f"{TICKET}\n{INVENTED_QUOTE}")
    assert at.button(key="draft.submit").disabled
    assert "is not in the ticket word for word" in texts(at)
    before = draft_row(app_env, 1).version
    at.button(key="draft.remove_quotes").click().run()
    assert not at.exception
    assert not at.button(key="draft.submit").disabled
    assert "is not in the ticket word for word" not in texts(at)
    # A new version without the invented quote; the ticket's own quotes stay.
    assert draft_row(app_env, 1).version == before + 1
    quotes = [e["quote"] for e in json.loads(draft_row(app_env, 1).brief)["evidence"]]
    assert quotes == [TICKET.splitlines()[0], "acct-1234"]
    assert not [b for b in at.button if b.key == "draft.remove_quotes"]


def test_invented_diagnostics_are_removed_with_one_button(
    make_app: AppFactory, app_env: Path, whole_brief_prompt: None
) -> None:
    at = draft(make_app("ana").run(), f"{TICKET}\n{INVENTED_ID}")
    assert at.button(key="draft.submit").disabled
    assert "'acct-9999' does not appear in the ticket" in texts(at)
    at.button(key="draft.remove_values").click().run()
    assert not at.exception
    assert not at.button(key="draft.submit").disabled
    stored = json.loads(draft_row(app_env, 1).brief)["diagnostics"]
    assert stored["account_ids"] == ["acct-1234"] and stored["timestamps"] == ["2026-11-20 09:10 UTC"]
    # The form shows the saved values, and the button is gone.
    assert at.text_area(key=state.field_key(1, "diagnostics.account_ids")).value == "acct-1234"
    assert not [b for b in at.button if b.key == "draft.remove_values"]


def test_overriding_the_rules_severity_requires_a_justification(make_app: AppFactory, app_env: Path) -> None:
    at = draft(make_app("ana").run())
    at = edit(at, 1, "severity", "sev3")
    assert "You chose Medium; the rules derived Critical" in texts(at)
    assert at.button(key="draft.submit").disabled
    assert "write a justification for the reviewer" in texts(at)
    at.text_area(key=state.justification_key(1)).input("Customer confirmed two stores still sell offline.")
    at.run()
    assert not at.button(key="draft.submit").disabled
    submit(at)
    row = draft_row(app_env, 1)
    assert row.status == "submitted" and row.severity == "sev3"
    assert row.override_justification == "Customer confirmed two stores still sell offline."


def test_every_change_is_saved_as_a_version(make_app: AppFactory, app_env: Path) -> None:
    at = draft(make_app("ana").run())
    at = edit(at, 1, "summary", "Checkout down at 40 stores for acct-1234")
    at = edit(at, 1, "impact.customers_affected", "3")
    store = db(app_env)
    with store.read() as session:
        versions = list_versions(session, 1)
    store.dispose()
    assert [v.kind for v in versions] == ["created", "autosave", "autosave"]
    assert versions[-1].brief.impact.customers_affected == 3
    assert versions[1].brief.summary == "Checkout down at 40 stores for acct-1234"
    assert "All changes saved · version 3" in texts(at)


def test_a_rejected_edit_keeps_what_was_typed(make_app: AppFactory, app_env: Path) -> None:
    at = draft(make_app("ana").run())
    at = edit(at, 1, "impact.customers_affected", "about forty")
    assert "Not saved: Customers affected: 'about forty' is not a whole number" in texts(at)
    assert at.text_input(key=state.field_key(1, "impact.customers_affected")).value == "about forty"
    assert at.button(key="draft.submit").disabled
    assert draft_row(app_env, 1).version == 1
    at = edit(at, 1, "impact.customers_affected", "40")
    assert draft_row(app_env, 1).version == 2


def test_a_failed_draft_keeps_the_ticket_text(make_app: AppFactory, app_env: Path) -> None:
    ticket = f"Checkout fails for acct-1 {MODEL_DOWN}"
    at = draft(make_app("ana").run(), ticket)
    page = texts(at)
    assert "Drafting failed: cannot reach the model server at http://model.test" in page
    assert "The ticket is saved" in page
    assert at.session_state.get(state.CURRENT_DRAFT) is None
    # The ticket goes back in the box with one click, nothing retyped.
    at.button(key="draft.edit_ticket").click().run()
    assert not at.exception
    assert at.text_area(key=state.TICKET_TEXT).value == ticket


def test_an_empty_ticket_says_what_is_missing_and_starts_nothing(make_app: AppFactory, app_env: Path) -> None:
    at = make_app("ana").run()
    at.button(key="draft.start").click().run()
    assert "Not drafted: nothing to draft from: paste the ticket conversation or attach a file" in texts(at)
    assert "asking the model" not in texts(at)
    assert at.session_state[state.REQUEST] is None if state.REQUEST in at.session_state else True
    # Typing clears the stale message.
    at.text_area(key=state.TICKET_TEXT).input("Exports are slow for acct-2").run()
    assert "Not drafted" not in texts(at)


def test_new_draft_starts_empty_after_a_draft(make_app: AppFactory) -> None:
    at = draft(make_app("ana").run())
    at.selectbox(key=state.DRAFT_PICKER).set_value(0).run()
    assert at.text_area(key=state.TICKET_TEXT).value == ""


def test_model_text_is_never_rendered_as_markup(make_app: AppFactory) -> None:
    ticket = "![pixel](http://evil.example/p.png) <img src=x onerror=alert(1)> for acct-1"
    at = draft(make_app("ana").run(), ticket)
    header = at.header[0].value
    # Every Markdown/HTML opener arrives escaped, and no bare URL is left for autolinking.
    assert re.search(r"(?<!\\)(!\[|\]\(|<img)", header) is None
    assert "http://" not in header
    assert texts(at).count("![pixel](http://evil.example/p.png) <img src=x onerror=alert(1)>") >= 2
