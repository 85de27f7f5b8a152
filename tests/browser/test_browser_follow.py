"""A real browser (Debian's chromium, Playwright) through the follow-through, as a new user does it:
a reviewer approves a submitted brief -> sends it to engineering (summary posted to a local webhook)
-> records engineering's acknowledgement -> drafts, checks and sends a customer update -> records
the shift handoff -> resolves. The submitted draft is made beforehand through the services with
the web app's real drafting service, its model endpoint a function (tests/ui/endpoint.py), which
the app is given too; everything else is the real app.
"""

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect, sync_playwright

from app.core.store import Store, verify_chain
from app.core.store.lifecycle import list_events
from app.core.users import Role, UsersFile
from app.services.auth import Principal
from app.services.workspace import DraftSaved, Workspace
from schemas.common import Severity
from schemas.draft import TicketInput
from tests.browser.test_browser_flow import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    REPO,
    _choose,
    _free_port,
    _settle,
    _sign_in,
)
from tests.ui.endpoint import build_function_drafter
from tests.ui.webhook_server import Received, webhook_server

# Complete for an engineering escalation (account, time, error, steps, environment), so the real
# policy lets it be submitted; it started a few minutes ago, so its SLA clock is not breached.
TICKET = (
    "Exports are slow for acct-2\n"
    "Account ID: acct-2. The customer says CSV exports take ten minutes, then show error EXPORT_QUEUE_FULL.\n"
    f"It started at {datetime.now(UTC) - timedelta(minutes=5):%Y-%m-%d %H:%M} UTC.\n"
    "Steps: open Reports and export a year of data\n"
    "Environment: web app 5.2 on Chrome 131"
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium: apt-get install -y chromium"),
]


@pytest.fixture
def app_url(tmp_path: Path) -> Iterator[tuple[str, Received, Store]]:
    users = UsersFile(tmp_path / "users.json")
    users.add("ana", Role.agent, "correct horse battery")
    users.add("rui", Role.reviewer, "correct horse battery")
    db_url = f"sqlite:///{tmp_path / 'app.db'}"
    store = Store(db_url)
    store.migrate()
    workspace = Workspace(store, build_function_drafter())
    events = list(workspace.start(Principal("ana", Role.agent), TicketInput(text=TICKET)))
    assert isinstance(events[-1], DraftSaved)
    assert events[-1].draft.brief.severity is Severity.sev3  # the handoff and the webhook say Medium
    workspace.submit(Principal("ana", Role.agent), events[-1].draft.id, 1)
    port = _free_port()
    with webhook_server() as (webhook_url, received):
        env = {
            **os.environ,
            "PYTHONPATH": str(REPO),
            "ESCALATE_DB_URL": db_url,
            "ESCALATE_USERS_FILE": str(users.path),
            "ESCALATE_DRAFTER_FACTORY": "tests.ui.endpoint:build_function_drafter",
            "ESCALATE_WEBHOOK_URL": webhook_url,
            "ESCALATE_WEBHOOK_FORMAT": "slack",
            "ESCALATE_APP_URL": f"http://127.0.0.1:{port}",
        }
        log = (tmp_path / "streamlit.log").open("w")
        server = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(REPO / "app" / "ui" / "main.py"),
             "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true",
             "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
            cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(f"{url}/_stcore/health", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline or server.poll() is not None:
                    log.flush()
                    pytest.fail("streamlit did not start:\n" + (tmp_path / "streamlit.log").read_text()[-3000:])
                time.sleep(0.3)
            yield url, received, store
        finally:
            server.terminate()
            server.wait(20)
            log.close()
            store.dispose()


def _done(page: Page, text: str) -> None:
    """Wait for what an action shows, then for its run to end (Streamlit keeps the previous run's
    elements on screen until then, so a click before it may hit a stale copy)."""
    expect(page.get_by_text(text).first).to_be_visible()
    _settle(page)


def test_approve_send_acknowledge_update_handoff_resolve(app_url: tuple[str, Received, Store]) -> None:
    url, received, store = app_url
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1400})
        page.set_default_timeout(30_000)
        expect.set_options(timeout=30_000)  # the first customer-update check loads the PII detectors
        try:
            _sign_in(page, url, "rui")
            page.get_by_role("link", name="Review queue").click()
            _choose(page, "Open a draft", "#1")
            page.get_by_role("button", name="Approve").click()
            _done(page, "Draft #1 approved.")

            page.get_by_role("link", name="Escalations").click()
            _done(page, "not sent yet")
            page.get_by_role("button", name="Send to engineering").click()
            _done(page, "Escalation #1 sent; engineering to acknowledge by")

            who = page.get_by_label("Acknowledged by (who in engineering confirmed receipt)")
            who.fill("Priya, data platform on-call")
            who.press("Tab")
            _settle(page)
            ack = page.get_by_role("button", name="Record acknowledgement")
            # A rerun can leave Streamlit's stale copy on screen for a moment: wait for the live one alone.
            for _ in range(50):
                if ack.count() == 1:
                    break
                time.sleep(0.2)
            ack.click()
            _done(page, "Acknowledgement: done.")

            _settle(page)
            page.get_by_role("button", name="Draft the update").click()
            _settle(page)
            # Streamlit keeps the previous run's elements on screen until a run ends; `.first` is the live one.
            message = page.get_by_role("textbox", name="Message to the customer").first
            expect(message).not_to_have_value("", timeout=90_000)
            _settle(page)
            message.press("End")
            message.type(" Call me on +1 415 555 0134.")
            message.press("Tab")
            _settle(page)
            _done(page, "contains personal or secret data (PHONE)")
            expect(page.get_by_role("button", name="Send to customer")).to_be_disabled()
            page.get_by_role("button", name="Draft the update").click()  # start again from the template
            _settle(page)
            expect(page.get_by_role("button", name="Send to customer")).to_be_enabled()
            page.get_by_role("button", name="Send to customer").click()
            _done(page, "Customer update recorded as sent")

            page.get_by_role("link", name="Shift handoff").click()
            _done(page, "#1 [sev3] Exports are slow for acct-2")
            _done(page, "Acknowledged by Priya, data platform on-call")
            page.get_by_role("button", name="Record and send to webhook").click()
            _done(page, "Handoff #1 recorded and sent to http://127.0.0.1:")

            page.get_by_role("link", name="Escalations").click()
            resolution = page.get_by_label("Resolution")
            resolution.fill("Export queue resized; CSV exports back under a minute")
            resolution.press("Tab")
            _settle(page)
            page.get_by_role("button", name="Mark resolved").click()
            _done(page, "Resolve: done.")
            _done(page, "No open escalations and no approved brief waiting to be sent.")
            page.get_by_text("Show resolved").click()
            _done(page, "Resolved by rui at")
            expect(page.get_by_text("Export queue resized; CSV exports back under a minute").first).to_be_visible()
            page.screenshot(path=str(ARTIFACTS / "escalation_resolved.png"), full_page=True)
        except Exception:
            page.screenshot(path=str(ARTIFACTS / "follow_failure.png"), full_page=True)
            raise
        finally:
            browser.close()
    with store.read() as session:
        kinds = [(e.kind, e.audience) for e in list_events(session, [1])]
        assert verify_chain(session).ok
    assert kinds == [("sent", None), ("acknowledged", None), ("update", "customer"), ("resolved", None)]
    notify, handoff = received.posts
    assert notify["text"] == "Medium → Engineering: Exports are slow for acct-2"
    assert "escalations?draft=1" in notify["blocks"][0]["text"]["text"]
    assert handoff["text"].startswith("SHIFT HANDOFF ")
