"""Signing in (local accounts, first admin, OIDC) and what each role is shown."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app.core.users import Role, UsersFile
from app.services.auth import Principal
from app.services.sessions import Sessions
from app.ui import state
from tests.ui.conftest import MAIN, PASSWORD, AppFactory
from tests.ui.flows import texts

PAGES = {
    "draft": "views/draft.py",
    "review": "views/review.py",
    "approved": "views/approved.py",
    "evals": "views/evals.py",
    "settings": "views/settings.py",
}


def pages_of(at: AppTest) -> set[str]:
    """The pages the navigation offers this session (switching to any other is refused)."""
    offered = set()
    for name, path in PAGES.items():
        try:
            at.switch_page(path)
        except ValueError:
            continue
        offered.add(name)
    return offered


@pytest.mark.parametrize(
    ("user", "pages"),
    [
        ("ana", {"draft", "approved"}),
        ("rui", {"draft", "review", "approved", "evals"}),
        ("root", {"draft", "review", "approved", "evals", "settings"}),
    ],
)
def test_each_role_gets_its_pages(make_app: AppFactory, user: str, pages: set[str]) -> None:
    at = make_app(user).run()
    assert not at.exception
    assert pages_of(at) == pages


def _sign_in(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input(key="sign_in.name").input(name)
    at.text_input(key="sign_in.password").input(password)
    return at.button[0].click().run()


def test_sign_in_with_a_password(make_app: AppFactory) -> None:
    at = make_app(None).run()
    assert pages_of(at) == set()
    _sign_in(at, "rui", "not the password")
    assert "wrong user name or password" in texts(at)
    assert at.session_state.get(state.PRINCIPAL) is None
    _sign_in(at, "rui", PASSWORD)
    assert at.session_state[state.PRINCIPAL].name == "rui"
    assert at.title[0].value == "Review queue"  # reviewers land on their queue
    # Agents land on their drafts.
    ana = _sign_in(make_app(None).run(), "ana", PASSWORD)
    assert ana.title[0].value == "Draft a brief"


def test_unknown_user_gets_the_same_message(make_app: AppFactory) -> None:
    at = _sign_in(make_app(None).run(), "nobody", PASSWORD)
    assert "wrong user name or password" in texts(at)


def test_a_fresh_install_creates_its_first_admin(make_app: AppFactory, app_env: Path) -> None:
    (app_env / "users.json").unlink()
    at = make_app(None).run()
    assert "No users yet" in texts(at)
    at.text_input(key="first_admin.name").input("boss")
    at.text_input(key="first_admin.password").input("a long enough password")
    at.text_input(key="first_admin.again").input("a long enough password")
    at.button[0].click().run()
    assert at.session_state[state.PRINCIPAL].role is Role.admin
    assert UsersFile(app_env / "users.json").find("boss") is not None
    assert "settings" in pages_of(at)


def test_an_expired_session_signs_out_but_keeps_the_pasted_ticket(make_app: AppFactory) -> None:
    at = make_app("ana")
    at.session_state[state.SIGNED_IN_AT] = datetime.now(UTC) - timedelta(hours=13)
    at.session_state[state.TICKET_TEXT] = "half-pasted ticket"
    at.run()
    assert "Your session expired" in texts(at)
    assert at.session_state.get(state.PRINCIPAL) is None
    assert at.session_state[state.TICKET_TEXT] == "half-pasted ticket"


def _oidc_app(email: str | None, logged_in: bool = True) -> AppTest:
    at = AppTest.from_file(str(MAIN), default_timeout=30)
    at.secrets["auth"] = {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "test",
        "client_id": "id",
        "client_secret": "secret",
        "server_metadata_url": "https://idp.example/.well-known/openid-configuration",
    }
    at.user = {"is_logged_in": logged_in, **({"email": email} if email else {})}
    return at


def test_oidc_sign_in_maps_the_email_to_a_role(app_env: Path) -> None:
    UsersFile(app_env / "users.json").add("rita", Role.reviewer, None, email="Rita@Example.com")
    at = _oidc_app("rita@example.com").run()
    principal = at.session_state[state.PRINCIPAL]
    assert (principal.name, principal.role, principal.via) == ("rita", Role.reviewer, "oidc")
    assert "review" in pages_of(at)


def test_oidc_user_without_a_role_is_not_let_in(app_env: Path) -> None:
    at = _oidc_app("stranger@example.com").run()
    assert at.session_state.get(state.PRINCIPAL) is None
    assert "stranger@example.com has no role here yet" in texts(at)
    assert pages_of(at) == set()


def test_oidc_signed_out_is_offered_the_provider(app_env: Path) -> None:
    at = _oidc_app(None, logged_in=False).run()
    assert [b.label for b in at.button] == ["Sign in with your identity provider"]


def test_a_session_token_resumes_a_sign_in_until_it_expires_or_is_revoked() -> None:
    # What a reload relies on: the browser's cookie carries the token, the server what it stands for.
    sessions = Sessions(ttl_minutes=60)
    at = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
    ana = Principal("ana", Role.agent)
    token = sessions.issue(ana, at)
    assert sessions.resume(token, at + timedelta(minutes=59)) == (ana, at)
    assert sessions.resume("not-a-token", at) is None and sessions.resume(None, at) is None
    assert sessions.resume(token, at + timedelta(minutes=61)) is None  # expired, and forgotten
    assert sessions.resume(token, at) is None
    again = sessions.issue(ana, at)
    sessions.revoke(again)  # sign-out
    assert sessions.resume(again, at) is None
    assert len({sessions.issue(ana, at) for _ in range(50)}) == 50
