"""Settings (admin): what is in use, secrets shown as set but never printed, users, audit check."""

from pathlib import Path

import pytest

from app.core.errors import PermissionDenied
from app.core.users import Role, UsersFile
from app.services.auth import describe_settings
from app.ui import state
from app.ui.wiring import services
from tests.ui.conftest import AppFactory, reload_settings
from tests.ui.flows import texts

API_KEY = "sk-test-DO-NOT-SHOW-1234"
WEBHOOK = "https://hooks.slack.com/services/T000/B000/DO-NOT-SHOW-TOKEN"


def test_settings_show_what_is_in_use_and_hide_secrets(make_app: AppFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ESCALATE_BACKEND", "openai")
    monkeypatch.setenv("ESCALATE_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("ESCALATE_MODEL", "qwen-test")
    monkeypatch.setenv("ESCALATE_API_KEY", API_KEY)
    monkeypatch.setenv("ESCALATE_WEBHOOK_URL", WEBHOOK)
    reload_settings()
    at = make_app("root").run().switch_page("views/settings.py").run()
    assert not at.exception
    shown = dict(zip(at.dataframe[0].value["setting"], at.dataframe[0].value["value"], strict=True))
    assert shown["Backend"] == "openai" and shown["Model"] == "qwen-test"
    assert shown["API key"] == "set (hidden)"
    assert shown["Webhook"] == "https://hooks.slack.com/… (path hidden)"
    assert shown["Policy"].startswith("default version ")
    assert shown["Database"].startswith("sqlite:///")
    assert "DO-NOT-SHOW" not in texts(at)


def test_admin_adds_a_user_and_verifies_the_audit_chain(make_app: AppFactory, app_env: Path) -> None:
    at = make_app("root").run().switch_page("views/settings.py").run()
    at.text_input(key="settings.user.name").input("nia")
    at.selectbox(key="settings.user.role").set_value(Role.reviewer)
    at.text_input(key="settings.user.password").input("another long password")
    next(b for b in at.button if b.label == "Add user").click().run()
    assert "Added nia as reviewer." in texts(at)
    # The users table lists her in the same run, not one add later.
    users = next(f.value for f in at.dataframe if "role" in f.value.columns)
    assert ("nia", "reviewer") in list(zip(users["name"], users["role"], strict=True))
    added = UsersFile(app_env / "users.json").find("nia")
    assert added is not None and added.role is Role.reviewer
    at.button(key="settings.verify").click().run()
    assert "audit chain OK: 1 entries" in texts(at)


def test_settings_page_refuses_non_admins_in_the_service_too(make_app: AppFactory) -> None:
    # A reviewer has no Settings page; even with it forced into the session, the service says no.
    at = make_app("rui").run()
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("views/settings.py")
    app = services()
    with pytest.raises(PermissionDenied, match="'view_settings' needs one of: admin"):
        describe_settings(at.session_state[state.PRINCIPAL], app.settings, app.app_settings, app.store, None)
