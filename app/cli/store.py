"""`escalate audit verify` and `escalate users add|list`: the store and the accounts from a shell."""

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from app.cli.io import fail, guard
from app.core.errors import EscalateError
from app.core.llm.settings import get_settings
from app.core.users import Role, UsersFile

if TYPE_CHECKING:
    from app.core.store import Store

# The store (SQLAlchemy) is imported inside the commands that use it, so that registering these
# commands costs the rest of the CLI nothing.

EXIT_BROKEN_CHAIN = 1

audit_app = typer.Typer(help="The append-only audit log.", no_args_is_help=True)
users_app = typer.Typer(help="Local accounts (argon2-hashed passwords).", no_args_is_help=True)


def _store() -> "Store":
    from app.core.store import Store

    try:
        store = Store(get_settings().db_url)
        store.migrate()
    except EscalateError as exc:
        guard(exc)
    return store


@audit_app.command("verify")
def verify_cmd() -> None:
    """Recompute the audit hash chain; exit 1 and name the broken entries if it does not hold."""
    from app.core.store import verify_chain

    store = _store()
    try:
        with store.read() as session:
            report = verify_chain(session)
    except EscalateError as exc:
        guard(exc)
    finally:
        store.dispose()
    typer.echo(f"{store.display_url}: {report.summary()}")
    for problem in report.problems:
        typer.echo(f"  - {problem}", err=True)
    if not report.ok:
        raise typer.Exit(EXIT_BROKEN_CHAIN)


def _read_password() -> str:
    if sys.stdin.isatty():
        password: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
        return password
    # Piped: the first line is the password, so it never appears in argv or the shell history.
    line = sys.stdin.readline().rstrip("\r\n")
    if not line:
        fail("no password on standard input")
    return line


@users_app.command("add")
def add_cmd(
    name: Annotated[str, typer.Argument(help="Sign-in name: lower-case letters, digits, '.', '_', '-'.")],
    role: Annotated[Role, typer.Option("--role", help="agent, reviewer or admin.")] = Role.agent,
    email: Annotated[
        str | None, typer.Option("--email", help="E-mail for OIDC sign-in; with --no-password, OIDC only.")
    ] = None,
    no_password: Annotated[bool, typer.Option("--no-password", help="OIDC-only account.")] = False,
) -> None:
    """Add a user; the password is read from a hidden prompt or the first line of standard input."""
    from app.core.store.settings import load_app_settings
    from app.services.auth import Accounts

    password = None if no_password else _read_password()
    store = _store()
    try:
        settings = load_app_settings()
        accounts = Accounts(UsersFile(settings.users_file), store)
        user = accounts.add_user_as_operator(name, role, password, email)
    except EscalateError as exc:
        guard(exc)
    finally:
        store.dispose()
    typer.echo(f"added {user.name} ({user.role.value}) to {settings.users_file}")


@users_app.command("list")
def list_cmd() -> None:
    """Names and roles (never hashes)."""
    from app.core.store.settings import load_app_settings

    try:
        settings = load_app_settings()
        users = UsersFile(settings.users_file).load()
    except EscalateError as exc:
        guard(exc)
    for user in sorted(users.values(), key=lambda u: u.name):
        how = "password" if user.password_hash else "oidc"
        typer.echo(f"{user.name}\t{user.role.value}\t{how}\t{user.email or ''}")


def register(app: typer.Typer) -> None:
    app.add_typer(audit_app, name="audit")
    app.add_typer(users_app, name="users")
