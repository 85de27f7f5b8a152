"""Follow-through tests: the real store (SQLite, and PostgreSQL when ESCALATE_TEST_PG_URL is set),
the real services and policy, a fixed clock that tests move by hand. The approved briefs followed
here are drafted by the web app's real drafting service; the only double is the model endpoint
behind its openai client, a function (tests/ui/endpoint.py)."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest

from app.core.policy import cached_policy
from app.core.redaction.recording import vcr_options
from app.core.store import Store
from app.core.store.delivery_settings import DeliverySettings, load_delivery_settings
from app.core.users import Role
from app.services.auth import Principal
from app.services.followup import FollowService
from app.services.handoff import HandoffService
from app.services.outbox import OutboxService
from app.services.review import ReviewService
from app.services.workspace import DraftSaved, Workspace
from schemas.draft import TicketInput
from schemas.policy import Policy
from tests.store import conftest as store_fixtures
from tests.ui.endpoint import BACKEND, build_function_drafter

# The store's fixtures: every test here runs on SQLite, and on PostgreSQL when it is configured.
db_url = store_fixtures.db_url
store = store_fixtures.store

ANA = Principal("ana", Role.agent)
BEA = Principal("bea", Role.agent)
RUI = Principal("rui", Role.reviewer)
# Monday 2026-11-23 17:00 UTC is 09:00 in Los Angeles: inside the policy's business hours.
BUSINESS = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)
# Sunday 2026-11-22 03:00 UTC is Saturday 19:00 in Los Angeles: outside them.
OFF_HOURS = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)
# Each names its account and error; `complete` adds the time, steps and environment. The first
# lines become the briefs' summaries, as the recorded handoff summary (cassettes/) was taped with.
SEV1_TICKET = (
    "Checkout down at all stores for acct-1\nAccount ID: acct-1. Every till shows error GW-502: Payment declined."
)
SEV3_TICKET = (
    "Exports are slow for acct-2\n"
    "Account ID: acct-2. Large exports take ten minutes, then show error EXPORT_QUEUE_FULL."
)
QUIET_TICKET = "Reports are slow for acct-3\nAccount ID: acct-3. The monthly report ends with error RPT-408."


def complete(ticket: str, at: datetime) -> str:
    """`ticket` with the rest of what the policy requires of an engineering escalation: the time it
    started (`at`: the clock's now, so its SLA clock starts when it arrives), steps, environment."""
    return (
        f"{ticket}\nIt started at {at:%Y-%m-%d %H:%M} UTC.\n"
        "Steps: open the page and retry\nEnvironment: web app 5.2 on Chrome 131"
    )


class FixedClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def vcr_config() -> dict[str, Any]:
    """tests/drafting's cassette settings (body matching, scrubbing), less the drafting model's
    function endpoint: its answers come from tests/ui/endpoint.py, not from the tapes."""
    return {
        "match_on": ["method", "path", "body"],
        **vcr_options(),
        "ignore_hosts": [urlsplit(BACKEND.base_url).hostname],
    }


@pytest.fixture
def policy() -> Policy:
    return cached_policy(None)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(BUSINESS)


@pytest.fixture
def delivery_settings(monkeypatch: pytest.MonkeyPatch) -> DeliverySettings:
    for name in ("WEBHOOK_URL", "PAGER_URL", "PAGER_ROUTING_KEY", "PAGER_SLACK_URL", "APP_URL"):
        monkeypatch.delenv(f"ESCALATE_{name}", raising=False)
    return load_delivery_settings(_env_file=None)


def no_sleep(_seconds: float) -> None:
    """Backoff waits are tenacity's business; the tests count the tries instead of waiting."""


@pytest.fixture
def services(
    store: Store, policy: Policy, clock: FixedClock, delivery_settings: DeliverySettings
) -> Iterator["Services"]:
    yield Services(store, policy, clock, delivery_settings)


class Services:
    def __init__(self, store: Store, policy: Policy, clock: FixedClock, settings: DeliverySettings) -> None:
        self.store, self.policy, self.clock = store, policy, clock
        self.workspace = Workspace(store, build_function_drafter(), clock=clock)
        self.review = ReviewService(store, policy, clock=clock)
        self.configure(settings)

    def configure(self, settings: DeliverySettings) -> None:
        self.outbox = OutboxService(self.store, settings, clock=self.clock, sleep=no_sleep)
        self.follow = FollowService(self.store, self.policy, self.outbox, clock=self.clock)
        self.handoff = HandoffService(self.store, self.policy, self.outbox, clock=self.clock)

    def drafted(self, text: str = SEV3_TICKET, author: Principal = ANA) -> int:
        """A draft of `text`, completed for the policy at the clock's now (see `complete`)."""
        events = list(self.workspace.start(author, TicketInput(text=complete(text, self.clock.now))))
        assert isinstance(events[-1], DraftSaved)
        return events[-1].draft.id

    def approved(self, text: str = SEV3_TICKET, author: Principal = ANA) -> int:
        return self.approve(self.drafted(text, author), author)

    def approve(self, draft_id: int, author: Principal = ANA) -> int:
        """Submit the draft as it stands and have RUI approve it."""
        self.workspace.submit(author, draft_id, self.workspace.open(author, draft_id).version)
        record = self.review.open(RUI, draft_id).draft
        self.review.approve(RUI, draft_id, record.version)
        return draft_id
