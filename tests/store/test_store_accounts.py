"""Local accounts: argon2 hashes in an atomically written file, sign-in, and its audit trail."""

from pathlib import Path

import pytest
from sqlalchemy import select

from app.core.errors import InputError, PermissionDenied
from app.core.store import Store, verify_chain
from app.core.store.models import AuditRow
from app.core.users import Role, UsersFile
from app.services.auth import Accounts, Principal

PASSWORD = "correct horse battery"


@pytest.fixture
def accounts(store: Store, tmp_path: Path) -> Accounts:
    return Accounts(UsersFile(tmp_path / "users.json"), store)


def test_first_admin_only_on_a_fresh_install(accounts: Accounts) -> None:
    assert accounts.needs_first_admin()
    admin = accounts.create_first_admin("boss", PASSWORD)
    assert admin == Principal("boss", Role.admin)
    with pytest.raises(PermissionDenied, match="users already exist"):
        accounts.create_first_admin("intruder", PASSWORD)


def test_sign_in_checks_the_argon2_hash_and_is_audited(accounts: Accounts, store: Store) -> None:
    admin = accounts.create_first_admin("boss", PASSWORD)
    accounts.add_user(admin, "ana", Role.agent, PASSWORD)
    assert accounts.sign_in(" ana ", PASSWORD) == Principal("ana", Role.agent)
    for name, password in (("ana", "wrong password!"), ("nobody", PASSWORD), ("", PASSWORD)):
        with pytest.raises(PermissionDenied, match="wrong user name or password"):
            accounts.sign_in(name, password)
    with store.read() as session:
        actions = [(r.actor, r.action) for r in session.scalars(select(AuditRow).order_by(AuditRow.seq))]
        assert verify_chain(session).ok
    assert actions == [("boss", "user.add"), ("boss", "user.add"), ("ana", "user.sign_in")]


def test_only_admins_manage_users(accounts: Accounts) -> None:
    accounts.create_first_admin("boss", PASSWORD)
    with pytest.raises(PermissionDenied, match="'manage_users' needs one of: admin"):
        accounts.add_user(Principal("rui", Role.reviewer), "eve", Role.admin, PASSWORD)
    with pytest.raises(PermissionDenied):
        accounts.list_users(Principal("ana", Role.agent))


def test_oidc_users_map_by_email_and_have_no_password(accounts: Accounts) -> None:
    admin = accounts.create_first_admin("boss", PASSWORD)
    accounts.add_user(admin, "rita", Role.reviewer, None, email="Rita@Example.com")
    assert accounts.sign_in_oidc("rita@example.COM") == Principal("rita", Role.reviewer, via="oidc")
    with pytest.raises(PermissionDenied, match="wrong user name or password"):
        accounts.sign_in("rita", "")
    with pytest.raises(PermissionDenied, match="has no role here yet"):
        accounts.sign_in_oidc("someone@example.com")


def test_a_broken_users_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "users.json"
    path.write_text('{"users": [{"name": "ana", "role": "superuser"}]}')
    with pytest.raises(InputError, match=r"users file .*users.json: 'users.0.role'"):
        UsersFile(path).load()
    path.write_text("not json")
    with pytest.raises(InputError, match="users file"):
        UsersFile(path).load()
