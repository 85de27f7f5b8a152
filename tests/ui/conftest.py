"""Page tests run the real entry script with AppTest against a fresh SQLite file and users file.

The drafter is the web app's real drafting service; only the model endpoint behind its openai
client is a function (tests/ui/endpoint.py, named by ESCALATE_DRAFTER_FACTORY). Everything else
(redaction, assessment, instructor, rules, store, services, role checks, audit) is the real thing.
"""

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from app.core.llm.settings import get_settings
from app.core.store import Store, verify_chain
from app.core.store.settings import get_app_settings
from app.core.users import Role, UsersFile
from app.services.auth import Principal
from app.ui import state

MAIN = Path(__file__).resolve().parents[2] / "app" / "ui" / "main.py"
PASSWORD = "correct horse battery"
USERS = {"ana": Role.agent, "bea": Role.agent, "rui": Role.reviewer, "sam": Role.reviewer, "root": Role.admin}

AppFactory = Callable[[str | None], AppTest]


def reload_settings() -> None:
    """Settings are read once per process; call after changing ESCALATE_* variables."""
    get_settings.cache_clear()
    get_app_settings.cache_clear()


@pytest.fixture(scope="session")
def users_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # argon2 is slow on purpose: hash the test accounts once per session, copy the file per test.
    path = tmp_path_factory.mktemp("users") / "users.json"
    users = UsersFile(path)
    for name, role in USERS.items():
        users.add(name, role, PASSWORD)
    return path


@pytest.fixture
def app_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, users_template: Path) -> Iterator[Path]:
    users_file = tmp_path / "users.json"
    users_file.write_bytes(users_template.read_bytes())
    monkeypatch.setenv("ESCALATE_DB_URL", f"sqlite:///{tmp_path / 'app.db'}")
    monkeypatch.setenv("ESCALATE_USERS_FILE", str(users_file))
    monkeypatch.setenv("ESCALATE_DRAFTER_FACTORY", "tests.ui.endpoint:build_function_drafter")
    reload_settings()
    yield tmp_path
    st.cache_resource.clear()
    reload_settings()
    # Whatever the pages did, the audit chain they left behind verifies.
    db = tmp_path / "app.db"
    if db.exists():
        store = Store(f"sqlite:///{db}")
        try:
            with store.read() as session:
                report = verify_chain(session)
            assert report.ok, report.summary()
        finally:
            store.dispose()


@pytest.fixture
def whole_brief_prompt(app_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Draft under brief@v1, where the model writes the whole brief (its severity, evidence and
    identifiers too), through the same function endpoint."""
    monkeypatch.setenv("ESCALATE_DRAFTER_FACTORY", "tests.ui.endpoint:build_v1_drafter")
    reload_settings()


@pytest.fixture
def make_app(app_env: Path) -> AppFactory:
    """A fresh browser session, signed in as `user` (or signed out for None)."""

    def make(user: str | None) -> AppTest:
        at = AppTest.from_file(str(MAIN), default_timeout=30)
        if user is not None:
            at.session_state[state.PRINCIPAL] = Principal(user, USERS[user])
            at.session_state[state.SIGNED_IN_AT] = datetime.now(UTC)
        return at

    return make
