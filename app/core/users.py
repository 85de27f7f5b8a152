"""The local users file: names, roles and argon2id password hashes (argon2-cffi, never hand-rolled).

A JSON file (the standard library reads and writes it) that is only ever replaced whole and
atomically, readable by its owner alone. With OIDC sign-in configured, entries map an e-mail to a
role and carry no password.

    {"users": [{"name": "ana", "role": "agent", "password_hash": "$argon2id$...", "email": null}]}
"""

import json
import os
import tempfile
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Annotated

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from app.core.errors import InputError

MIN_PASSWORD_LENGTH = 10
UserName = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[a-z0-9][a-z0-9._-]{0,62}$")]

_hasher = PasswordHasher()  # argon2id, RFC 9106 low-memory parameters


@cache
def _dummy_hash() -> str:
    """Verified against when the name is unknown, so a wrong name costs as long as a wrong password."""
    return _hasher.hash("not a real password, only here to spend the same time")


class Role(StrEnum):
    agent = "agent"
    reviewer = "reviewer"
    admin = "admin"


class UserEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: UserName
    role: Role
    password_hash: str | None = Field(default=None, description="argon2id hash; None for OIDC-only users.")
    email: str | None = Field(default=None, description="Matches st.user.email when signing in with OIDC.")


class UsersDocument(BaseModel):
    model_config = ConfigDict(extra="forbid")

    users: list[UserEntry] = Field(default_factory=list)


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


class UsersFile:
    def __init__(self, path: Path) -> None:
        self.path = Path(path).expanduser()

    def load(self) -> dict[str, UserEntry]:
        """All users by name; a missing file means no users yet."""
        try:
            raw = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise InputError(f"users file {self.path} cannot be read: {exc.strerror}") from exc
        try:
            document = UsersDocument.model_validate_json(raw)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "(top level)"
            raise InputError(f"users file {self.path}: '{where}': {first['msg']}") from exc
        return {user.name: user for user in document.users}

    def find(self, name: str) -> UserEntry | None:
        return self.load().get(name.strip().lower())

    def find_by_email(self, email: str) -> UserEntry | None:
        wanted = email.strip().lower()
        return next((u for u in self.load().values() if u.email and u.email.lower() == wanted), None)

    def put(self, user: UserEntry) -> None:
        """Add or replace one user, rewriting the file atomically (a crash leaves old or new, never half)."""
        users = self.load()
        users[user.name] = user
        self._write(UsersDocument(users=sorted(users.values(), key=lambda u: u.name)))

    def add(self, name: str, role: Role, password: str | None, email: str | None = None) -> UserEntry:
        try:
            entry = UserEntry(
                name=name.strip().lower(),
                role=role,
                password_hash=hash_password(password) if password is not None else None,
                email=email.strip().lower() if email else None,
            )
        except ValidationError as exc:
            raise InputError(
                f"user name {name!r} is not allowed: use lower-case letters, digits, '.', '_' or '-'"
            ) from exc
        if entry.password_hash is None and entry.email is None:
            raise InputError("a user needs a password, or an e-mail to sign in with OIDC")
        if entry.name in self.load():
            raise InputError(f"user {entry.name!r} already exists")
        self.put(entry)
        return entry

    def _write(self, document: UsersDocument) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".users-", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(json.dumps(document.model_dump(mode="json"), indent=2) + "\n")
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, 0o600)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
