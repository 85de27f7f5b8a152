"""Every page, for every role that has it, on the inputs a URL or a stale session can give it:
no exception reaches the person, whatever they pass."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.ui.conftest import USERS, AppFactory
from tests.ui.flows import FRESH_TICKET, draft, submit, texts

VIEWS = Path(__file__).resolve().parents[2] / "app" / "ui" / "views"
PAGES = [f"views/{p.name}" for p in sorted(VIEWS.glob("*.py")) if p.name not in ("__init__.py", "sign_in.py")]
URL_INPUTS = [{}, {"draft": "1"}, {"draft": "999"}, {"draft": "abc"}, {"request": "1"}, {"request": "-4"}]


def _pages(at: AppTest) -> list[str]:
    found = []
    for page in PAGES:
        try:
            at.switch_page(page)
        except ValueError:  # not one of this role's pages
            continue
        found.append(page)
    return found


@pytest.mark.parametrize("user", list(USERS))
def test_every_page_of_every_role_on_every_url_input(make_app: AppFactory, user: str) -> None:
    # One draft exists (ana's, submitted) so that ids in the URL name something real for some roles.
    submit(draft(make_app("ana").run(), FRESH_TICKET))
    pages = _pages(make_app(user).run())
    assert pages, user
    for page in pages:
        for params in URL_INPUTS:
            at = make_app(user)
            for name, value in params.items():
                at.query_params[name] = value
            at.run()
            at.switch_page(page).run()
            assert not at.exception, (user, page, params, at.exception)
            assert "Traceback" not in texts(at)


def test_every_view_file_is_a_page_some_role_visits() -> None:
    assert {"views/escalations.py", "views/handoff.py", "views/draft.py", "views/evals.py"} <= set(PAGES)


@pytest.mark.parametrize("params", URL_INPUTS)
def test_the_sign_in_page_on_every_url_input(make_app: AppFactory, params: dict[str, str]) -> None:
    at = make_app(None)
    for name, value in params.items():
        at.query_params[name] = value
    at.run()
    assert not at.exception, (params, at.exception)
    assert "Traceback" not in texts(at)
