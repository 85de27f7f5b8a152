"""`escalate users add|list` and `escalate audit verify`."""

from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from app.cli.main import app
from app.core.llm.settings import get_settings
from app.core.store import Store
from app.core.users import UsersFile, verify_password


@pytest.fixture
def cli_env(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    users_file = tmp_path / "users.json"
    monkeypatch.setenv("ESCALATE_DB_URL", db_url)
    monkeypatch.setenv("ESCALATE_USERS_FILE", str(users_file))
    get_settings.cache_clear()
    return users_file


def test_users_add_reads_the_password_from_stdin(cli_env: Path) -> None:
    result = CliRunner().invoke(app, ["users", "add", "Nia", "--role", "reviewer"], input="a long password\n")
    assert result.exit_code == 0, result.output
    assert "added nia (reviewer)" in result.output
    user = UsersFile(cli_env).find("nia")
    assert user is not None and user.password_hash and user.password_hash.startswith("$argon2id$")
    assert verify_password(user.password_hash, "a long password")
    assert "a long password" not in cli_env.read_text()
    assert oct(cli_env.stat().st_mode & 0o777) == "0o600"
    listed = CliRunner().invoke(app, ["users", "list"])
    assert listed.output.split() == ["nia", "reviewer", "password"]


def test_users_add_refuses_bad_input(cli_env: Path) -> None:
    short = CliRunner().invoke(app, ["users", "add", "nia"], input="short\n")
    assert short.exit_code == 2 and "at least 10 characters" in short.output
    bad_name = CliRunner().invoke(app, ["users", "add", "Nia Smith"], input="a long password\n")
    assert bad_name.exit_code == 2 and "is not allowed" in bad_name.output
    CliRunner().invoke(app, ["users", "add", "nia"], input="a long password\n")
    again = CliRunner().invoke(app, ["users", "add", "nia"], input="a long password\n")
    assert again.exit_code == 2 and "already exists" in again.output


def test_audit_verify_passes_then_finds_tampering(cli_env: Path, db_url: str) -> None:
    CliRunner().invoke(app, ["users", "add", "nia"], input="a long password\n")
    ok = CliRunner().invoke(app, ["audit", "verify"])
    assert ok.exit_code == 0, ok.output
    assert "audit chain OK: 1 entries" in ok.output
    store = Store(db_url)
    with store.engine.begin() as connection:
        if store.dialect == "postgresql":
            connection.exec_driver_sql("DROP TRIGGER audit_log_append_only ON audit_log")
        else:
            connection.exec_driver_sql("DROP TRIGGER audit_log_no_update")
        connection.execute(text("UPDATE audit_log SET actor = 'mallory'"))
    store.dispose()
    broken = CliRunner().invoke(app, ["audit", "verify"])
    assert broken.exit_code == 1
    assert "audit chain BROKEN" in broken.output and "entry 1 was altered" in broken.output
