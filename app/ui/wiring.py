"""Build the services once per process (st.cache_resource) from the settings; pages take them from here.

The drafter is built on first use, not at start-up: with the embedded backend that starts the
local model server, which the review and settings pages never need. ESCALATE_DRAFTER_FACTORY
names the callable that builds it (default: the real drafting service); the browser test points
it at a drafting service whose model traffic is replayed from a recording.
"""

import importlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import cast

import streamlit as st

from app.core.errors import InputError
from app.core.llm.settings import Settings, get_settings
from app.core.policy import cached_policy
from app.core.store import Store
from app.core.store.settings import AppSettings, get_app_settings
from app.core.users import UsersFile
from app.services.auth import Accounts
from app.services.drafting import DraftEvent, DraftingService, PatternFinder, PriorRedaction
from app.services.export import ExportService
from app.services.jobs import DraftJobs
from app.services.patterns import find_pattern
from app.services.review import ReviewService
from app.services.sessions import Sessions
from app.services.workspace import Drafter, Workspace
from schemas.assessment import Assessment, PatternMatch
from schemas.brief import EscalationBrief
from schemas.draft import DraftResult, TicketInput
from schemas.finding import Finding


def load_factory(path: str) -> Callable[[], Drafter]:
    module_name, _, attr = path.partition(":")
    try:
        factory = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        raise InputError(f"ESCALATE_DRAFTER_FACTORY {path!r} cannot be loaded: {exc}") from exc
    return cast(Callable[[], Drafter], factory)


class LazyDrafter:
    """A Drafter that builds the real one the first time it is asked to do anything."""

    def __init__(self, factory_path: str, find_pattern: PatternFinder | None = None) -> None:
        self.factory_path = factory_path
        # Given to the drafting service once built: it needs the store, which the factory has not.
        self.find_pattern = find_pattern
        self._drafter: Drafter | None = None
        self._lock = threading.Lock()

    @property
    def built(self) -> Drafter | None:
        return self._drafter

    def _get(self) -> Drafter:
        with self._lock:
            if self._drafter is None:
                self._drafter = load_factory(self.factory_path)()
                if isinstance(self._drafter, DraftingService) and self._drafter.find_pattern is None:
                    self._drafter.find_pattern = self.find_pattern
            return self._drafter

    def ingest(self, text: str, files: list[tuple[str, bytes]]) -> TicketInput:
        return self._get().ingest(text, files)

    def draft(self, ticket: TicketInput, now: datetime | None = None) -> DraftResult:
        return self._get().draft(ticket, now)

    def stream(
        self, ticket: TicketInput, now: datetime | None = None, prior: PriorRedaction | None = None
    ) -> Iterator[DraftEvent]:
        return self._get().stream(ticket, now, prior)

    def recheck(
        self,
        brief: EscalationBrief,
        source_text: str,
        now: datetime | None = None,
        assessment: Assessment | None = None,
    ) -> list[Finding]:
        return self._get().recheck(brief, source_text, now, assessment)


@dataclass(frozen=True)
class Services:
    settings: Settings
    app_settings: AppSettings
    store: Store
    drafter: LazyDrafter
    accounts: Accounts
    workspace: Workspace
    review: ReviewService
    export: ExportService
    jobs: DraftJobs
    sessions: Sessions


@st.cache_resource(show_spinner="Opening the database…")
def _build(_settings: Settings, _app_settings: AppSettings, key: str) -> Services:
    # `key` (the settings as JSON) is what the cache hashes; the objects ride along unhashed.
    store = Store(_settings.db_url)
    store.migrate()
    policy = cached_policy(str(_settings.policy_file) if _settings.policy_file else None)

    def patterns(brief: EscalationBrief, source_text: str, now: datetime) -> PatternMatch | None:
        return find_pattern(store, policy, brief=brief, source_text=source_text, received_at=now)

    drafter = LazyDrafter(_app_settings.drafter_factory, patterns)
    workspace = Workspace(store, drafter)
    return Services(
        settings=_settings,
        app_settings=_app_settings,
        store=store,
        drafter=drafter,
        accounts=Accounts(UsersFile(_app_settings.users_file), store),
        workspace=workspace,
        review=ReviewService(store, policy),
        export=ExportService(store, _app_settings),
        jobs=DraftJobs(workspace),
        sessions=Sessions(_app_settings.session_ttl_minutes),
    )


def services() -> Services:
    settings, app_settings = get_settings(), get_app_settings()
    return _build(settings, app_settings, settings.model_dump_json() + app_settings.model_dump_json())
