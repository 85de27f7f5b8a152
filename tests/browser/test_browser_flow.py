"""One real browser (Debian's chromium, driven by Playwright) through the agent's and the reviewer's day:
the agent signs in, pastes a ticket and starts a draft (model traffic replayed at a model's pace),
reloads mid-draft and finds it still coming (still signed in), fixes what the findings ask by
clicking them (each opens and focuses its field), submits; the reviewer lands on the queue, reads
the brief as it will be sent and the field-by-field diff, approves; the text export holds the
diagnostics; webhook and download. Screenshots of each step are left in artifacts/.
"""

import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect, sync_playwright

from app.core.users import Role, UsersFile
from tests.browser.replay import CASSETTE, CITED_TICKET, TICKET
from tests.ui.webhook_server import Received, webhook_server

CHROMIUM = Path("/usr/bin/chromium")
REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(__file__).with_name("artifacts")
PASSWORD = "correct horse battery"
DRAFT_TIMEOUT_MS = 120_000  # replayed traffic takes seconds; a live CPU model can take minutes
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium: apt-get install -y chromium"),
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def drafter_factory() -> str:
    # ESCALATE_TEST_BROWSER_DRAFTER lets a developer run this flow before cassettes exist, e.g. with
    # tests.ui.endpoint:build_function_drafter (the real service, a function as its model endpoint);
    # CI uses the replayed recording.
    override = os.environ.get("ESCALATE_TEST_BROWSER_DRAFTER")
    if override:
        return override
    if not CASSETTE.exists():
        pytest.skip(f"no recorded model traffic yet ({CASSETTE.name}); record the tests/drafting cassettes")
    return "tests.browser.replay:build_replayed_drafter"


@pytest.fixture
def app_url(tmp_path: Path, drafter_factory: str) -> Iterator[tuple[str, Received]]:
    users = UsersFile(tmp_path / "users.json")
    users.add("ana", Role.agent, PASSWORD)
    users.add("rui", Role.reviewer, PASSWORD)
    port = _free_port()
    with webhook_server() as (webhook_url, received):
        env = {
            **os.environ,
            "PYTHONPATH": str(REPO),
            "ESCALATE_DB_URL": f"sqlite:///{tmp_path / 'app.db'}",
            "ESCALATE_USERS_FILE": str(users.path),
            "ESCALATE_DRAFTER_FACTORY": drafter_factory,
            "ESCALATE_WEBHOOK_URL": webhook_url,
            "ESCALATE_WEBHOOK_FORMAT": "slack",
            # The recording streams at once; at a model's pace there is time to reload mid-draft.
            "ESCALATE_TEST_REPLAY_PACE_S": "0.01",
        }
        log = (tmp_path / "streamlit.log").open("w")
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                str(REPO / "app" / "ui" / "main.py"),
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
                "--server.headless",
                "true",
                "--browser.gatherUsageStats",
                "false",
                "--client.toolbarMode",
                "minimal",
                "--server.fileWatcherType",
                "none",
            ],
            cwd=tmp_path,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
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
            yield url, received
        finally:
            server.terminate()
            server.wait(20)
            log.close()


def _settle(page: Page) -> None:
    """Wait for Streamlit to finish the rerun an interaction started before the next interaction."""
    page.wait_for_timeout(250)
    expect(page.get_by_test_id("stStatusWidget")).to_be_hidden(timeout=30_000)


def _sign_in(page: Page, url: str, name: str) -> None:
    page.goto(url)
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(f"Signed in as {name}")).to_be_visible(timeout=20_000)


def _sign_out(page: Page) -> None:
    # The sign-out rerun clears the session cookie; going on before it lands would sign back in.
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_label("User name")).to_be_visible()


def _choose(page: Page, label: str, option: str) -> None:
    page.get_by_label(label).click()  # Streamlit selectboxes open a listbox of options
    page.get_by_role("option", name=re.compile(re.escape(option))).first.click()


def _saved(page: Page) -> None:
    # One copy: the previous run's caption stays (faded) until the rerun that replaces it ends.
    expect(page.get_by_text(re.compile(r"All changes saved · version \d+"))).to_have_count(1, timeout=20_000)


def _fill_field(page: Page, section: str, label: str, text: str) -> None:
    _settle(page)
    field = page.get_by_label(label, exact=True)
    expect(field).to_have_count(1)  # Streamlit fades out the previous run's elements before removing them
    if not field.is_visible():
        page.locator("summary").get_by_text(section, exact=True).click()  # open the expander
    field.fill(text)
    field.press("Tab")  # Streamlit commits a text field on blur; the page autosaves then
    _settle(page)
    _saved(page)


def _fix_by_finding(page: Page, label: str, text: str, screenshot: str = "") -> None:
    """Click the finding's 'Go to' button, then type where the cursor lands (its field, focused)."""
    field = page.get_by_label(label, exact=True)
    # A rerun that lands after the click (an autosave, a slow machine) re-mounts the field and can
    # take the focus back: click the finding again, up to three times; the focus must come from it.
    for attempt in range(3):
        button = page.get_by_role("button", name=f"Go to {label}", exact=True)
        expect(button).to_have_count(1, timeout=10_000)  # a rerun's stale copy is gone
        button.click()
        _settle(page)
        expect(field).to_have_count(1, timeout=10_000)  # the previous run's faded copy is gone
        try:
            expect(field).to_be_focused(timeout=10_000)
            break
        except AssertionError:
            if attempt == 2:
                raise
    if screenshot:
        page.screenshot(path=str(ARTIFACTS / screenshot))
    page.keyboard.press("Control+A")
    if text:
        page.keyboard.type(text)
    else:
        page.keyboard.press("Delete")
    expect(field).to_have_value(text)  # every keystroke landed in the finding's field
    expect(field).to_be_focused()
    page.keyboard.press("Tab")  # Streamlit commits a text field on blur; the page autosaves then
    _settle(page)
    _saved(page)
    expect(field).to_have_value(text)  # and the saved page shows it


def _tall_screenshot(page: Page, name: str, show: Locator) -> None:
    """Streamlit scrolls inside its main area, so a full-page shot is one screen: grow the window."""
    page.set_viewport_size({"width": 1400, "height": 3000})
    _settle(page)
    show.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / name))
    page.set_viewport_size({"width": 1400, "height": 1000})
    _settle(page)


def test_agent_and_reviewer_day(app_url: tuple[str, Received], tmp_path: Path) -> None:
    url, received = app_url
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        page.set_default_timeout(30_000)
        try:
            # The agent pastes the ticket and starts the draft; it gets its own URL at once.
            _sign_in(page, url, "ana")
            expect(page.get_by_role("heading", name="Draft a brief")).to_be_visible()
            ticket = page.get_by_label("Ticket conversation")
            ticket.fill(TICKET.read_text(encoding="utf-8"))
            ticket.press("Tab")
            _settle(page)
            page.get_by_role("button", name="Draft the brief").click()
            expect(page.get_by_text("The model drafts the brief, field by field")).to_be_visible(timeout=20_000)
            assert re.search(r"[?&]request=1\b", page.url), page.url

            # A reload mid-draft: still signed in, and the draft is still coming, brief so far shown.
            page.reload()
            expect(page.get_by_text("Signed in as ana")).to_be_visible(timeout=20_000)
            expect(page.get_by_text(re.compile(r"Drafting the brief · \d+ s so far"))).to_be_visible()
            expect(page.get_by_role("heading", name="The brief so far")).to_be_visible()
            expect(page.get_by_text("One-line summary", exact=True)).to_be_visible(timeout=DRAFT_TIMEOUT_MS)
            page.screenshot(path=str(ARTIFACTS / "1_drafting_after_reload.png"), full_page=True)
            expect(page.get_by_role("heading", name=re.compile(r"Draft #1"))).to_be_visible(timeout=DRAFT_TIMEOUT_MS)
            assert re.search(r"[?&]draft=1\b", page.url), page.url
            expect(page.get_by_text("Model suggested", exact=True)).to_be_visible()
            page.screenshot(path=str(ARTIFACTS / "2_findings.png"), full_page=True)

            # The agent fixes what the findings ask, by clicking them. The recorded draft lacks the
            # business impact and copied the field instructions into both environment fields.
            impact = "Analysts lose an hour every Monday exporting dashboards by hand"
            _fix_by_finding(page, "One-line summary", f"{impact}: asks for scheduled PDFs")
            _fix_by_finding(page, "Environment", "", screenshot="3_finding_opens_and_focuses_its_field.png")
            _fix_by_finding(page, "Customer environment", "")
            page.get_by_role("button", name=re.compile(r"Remove the 1 quote not found in the ticket")).click()
            _settle(page)
            # What engineering needs besides (seed 002): the account and how to reach the customer.
            _fill_field(page, "Diagnostics", "Account / org IDs (one per line)", "INI-0077")
            _fill_field(page, "Diagnostics", "Customer contact and preferred channel", "Omar, analyst; by e-mail")
            expect(page.get_by_text("Findings: 0 blocking")).to_be_visible(timeout=20_000)
            submit = page.get_by_role("button", name="Submit for review")
            expect(submit).to_be_enabled()
            submit.click()
            expect(page.get_by_text("is in the review queue")).to_be_visible()

            # Another person reviews: they land on the queue and open the draft.
            _sign_out(page)
            _sign_in(page, url, "rui")
            expect(page.get_by_role("heading", name="Review queue")).to_be_visible()
            _choose(page, "Open a draft", "#1")
            _settle(page)
            expect(page.get_by_role("heading", name="The brief as it will be sent")).to_be_visible()
            sent = page.locator("[data-testid='stCode']").first
            expect(sent).to_contain_text("ESCALATION: Analysts lose an hour every Monday")
            expect(sent).to_contain_text("Customer contact and preferred channel: Omar, analyst; by e-mail")
            # The field-by-field diff: the agent's changes, including fields the export text once hid.
            diff = page.locator("[data-testid='stTable']").first
            expect(diff).to_contain_text("Customer contact and preferred channel")
            expect(diff).to_contain_text("Account / org IDs")
            expect(diff).to_contain_text("INI-0077")
            _tall_screenshot(page, "4_review_brief_as_sent.png", diff)
            page.get_by_role("button", name="Approve").click()
            expect(page.get_by_text("Draft #1 approved.")).to_be_visible()

            # The approved brief: seed 003 text with seed 002's diagnostics, webhook, JSON download.
            page.get_by_role("link", name="Approved briefs").click()
            _settle(page)
            text_export = page.locator("[data-testid='stCode']").first
            expect(text_export).to_contain_text("ESCALATION:")
            expect(text_export).to_contain_text("DIAGNOSTICS")
            expect(text_export).to_contain_text("Account / org IDs: INI-0077")
            expect(text_export).to_contain_text("HANDOFF CHECKLIST")
            page.get_by_role("button", name="Send to webhook").click()
            expect(page.get_by_text(re.compile(r"Sent to http://127\.0\.0\.1:\d+/… \(HTTP 200\)"))).to_be_visible()
            with page.expect_download() as download_info:
                page.get_by_role("button", name="Download json").click()
            downloaded = json.loads(Path(download_info.value.path()).read_text(encoding="utf-8"))
            _settle(page)  # the download is recorded by a rerun; the screenshot waits for it
            expect(page.get_by_text("Exports of this brief: 2")).to_be_visible()
            _tall_screenshot(page, "5_approved_brief.png", text_export)
            # No Streamlit 'Deploy' button anywhere.
            expect(page.get_by_role("button", name="Deploy")).to_have_count(0)
        except Exception:
            page.screenshot(path=str(ARTIFACTS / "failure.png"), full_page=True)
            raise
        finally:
            browser.close()
    assert downloaded["diagnostics"]["account_ids"] == ["INI-0077"]
    (payload,) = received.posts
    assert payload["blocks"][0]["type"] == "header"
    assert "ESCALATION:" in json.dumps(payload) and "DIAGNOSTICS" in json.dumps(payload)


@pytest.mark.parametrize("drafter_factory", ["tests.browser.replay:build_replayed_cited_drafter"])
def test_the_shipped_prompt_drafts_a_brief_that_is_submitted_without_a_repair(
    app_url: tuple[str, Received], drafter_factory: str
) -> None:
    """brief@v2 (what the web app uses), its recorded answer replayed: identifiers are read by code and
    evidence is quoted from the cited lines, so the draft has no blocking finding to repair."""
    url, _ = app_url
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(30_000)
        try:
            _sign_in(page, url, "ana")
            ticket = page.get_by_label("Ticket conversation")
            ticket.fill(CITED_TICKET.read_text(encoding="utf-8"))
            ticket.press("Tab")
            _settle(page)
            page.get_by_role("button", name="Draft the brief").click()
            expect(page.get_by_role("heading", name=re.compile(r"Draft #1"))).to_be_visible(timeout=DRAFT_TIMEOUT_MS)
            expect(page.get_by_text(re.compile(r"Findings: 0 blocking"))).to_be_visible()
            expect(page.get_by_role("button", name=re.compile(r"^Remove the"))).to_have_count(0)
            page.screenshot(path=str(ARTIFACTS / "6_cited_draft_no_repairs.png"), full_page=True)
            submit = page.get_by_role("button", name="Submit for review")
            expect(submit).to_be_enabled()
            submit.click()
            expect(page.get_by_text("is in the review queue")).to_be_visible()

            _sign_out(page)
            _sign_in(page, url, "rui")
            _choose(page, "Open a draft", "#1")
            _settle(page)
            sent = page.locator("[data-testid='stCode']").first
            expect(sent).to_contain_text("ESCALATION:")
            expect(sent).to_contain_text("ACME-4821")  # read by code from the ticket
            page.get_by_role("button", name="Approve").click()
            expect(page.get_by_text("Draft #1 approved.")).to_be_visible()
        except Exception:
            page.screenshot(path=str(ARTIFACTS / "failure_cited.png"), full_page=True)
            raise
        finally:
            browser.close()
