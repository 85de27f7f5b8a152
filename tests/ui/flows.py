"""Steps the page tests repeat, done the way a user does them: through the widgets."""

import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from app.core.store import Store
from app.core.store.models import DraftRow, ReviewRow
from app.ui import state

# Complete for an engineering escalation: IDs, time, error, steps and environment are all there.
TICKET = (
    "Checkout fails at all stores for acct-1234 since 2026-11-20 09:10 UTC\n"
    "ana.lee@example.com says every till shows error GW-502: Payment declined.\n"
    "Steps: ring up any item and pay by card\n"
    "Environment: POS app 7.4.2 on Windows 10"
)
# A few minutes ago, in the form the ticket reader takes as a timestamp: an SLA clock not yet breached.
RECENTLY = f"{datetime.now(UTC) - timedelta(minutes=5):%Y-%m-%d %H:%M} UTC"
FRESH_TICKET = (
    "Exports are slow for acct-2042\n"
    f"Since {RECENTLY} large exports take 10 minutes, then end with error 504 Gateway Timeout.\n"
    "Steps: open Reports and export a year of data\n"
    "Environment: web app 5.2 on Chrome 131"
)


def complete(ticket: str, since: str = RECENTLY) -> str:
    """`ticket` with what an engineering escalation needs besides its IDs and error (a time,
    steps, the environment), so the policy's required diagnostics do not block it."""
    return f"{ticket}\nIt started at {since}.\nSteps: open the page and retry\nEnvironment: web app 5.2 on Chrome 131"


# Complete but for the account ID.
NO_ACCOUNT_TICKET = (
    "Exports time out for the northwind-sales workspace since 2026-11-20 09:10 UTC\n"
    "The customer sees error 504 Gateway Timeout on every export.\n"
    "Steps: open Reports and click Export\n"
    "Environment: web app 5.2 on Chrome 131"
)


def texts(at: AppTest) -> str:
    """Everything a page shows as text, to look for (or rule out) a string anywhere on it."""
    parts: list[str] = []
    for kind in (
        "title",
        "header",
        "subheader",
        "markdown",
        "caption",
        "error",
        "warning",
        "info",
        "success",
        "code",
        "text",
        "metric",
        "exception",
    ):
        for element in getattr(at, kind):
            parts.append(str(getattr(element, "value", "")))
    for frame in (*at.dataframe, *at.table):
        parts.append(frame.value.to_string())
    for widget in (*at.text_area, *at.text_input):
        parts.append(str(widget.value))
    # Pages escape Markdown in dynamic text; read it as the user sees it.
    return re.sub(r"\\(.)", r"\1", "\n".join(parts))


def draft(at: AppTest, ticket: str = TICKET, *, wait_s: float = 60) -> AppTest:
    """Paste, click 'Draft the brief', and rerun the page until the drafting (on a worker
    thread of the app, as in the browser) has ended and the page shows its outcome."""
    at.text_area(key=state.TICKET_TEXT).input(ticket)
    at.button(key="draft.start").click().run()
    return wait_for_draft(at, wait_s)


def wait_for_draft(at: AppTest, wait_s: float = 60) -> AppTest:
    deadline = time.monotonic() + wait_s
    while at.session_state[state.REQUEST] is not None if state.REQUEST in at.session_state else False:
        if time.monotonic() > deadline:
            raise AssertionError(f"drafting did not end within {wait_s} s:\n{texts(at)}")
        time.sleep(0.05)
        at.run()
        if at.button(key="draft.again") if _has_button(at, "draft.again") else None:
            break  # it failed or was cancelled: the page says so and offers to draft again
    return at


def _has_button(at: AppTest, key: str) -> bool:
    return any(b.key == key for b in at.button)


def edit(at: AppTest, draft_id: int, path: str, value: object) -> AppTest:
    key = state.field_key(draft_id, path)
    widget = next(w for w in (*at.text_input, *at.text_area, *at.selectbox, *at.checkbox) if w.key == key)
    widget.set_value(value)
    return at.run()


def submit(at: AppTest) -> AppTest:
    assert _has_button(at, "draft.submit"), texts(at)[-1500:]  # say why no draft came, not just a KeyError
    return at.button(key="draft.submit").click().run()


def open_in_review(at: AppTest, draft_id: int) -> AppTest:
    at.switch_page("views/review.py").run()
    at.selectbox(key=state.REVIEW_PICK).set_value(draft_id)
    return at.run()


def db(tmp_path: Path) -> Store:
    return Store(f"sqlite:///{tmp_path / 'app.db'}")


def draft_row(tmp_path: Path, draft_id: int) -> DraftRow:
    store = db(tmp_path)
    with store.read() as session:
        row = session.get(DraftRow, draft_id)
        assert row is not None
    store.dispose()
    return row


def review_rows(tmp_path: Path) -> list[ReviewRow]:
    store = db(tmp_path)
    with store.read() as session:
        rows = list(session.scalars(select(ReviewRow)))
    store.dispose()
    return rows
