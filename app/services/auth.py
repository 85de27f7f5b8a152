"""Who is signed in and what their role allows. Every service method starts with `require`.

Roles nest: an agent drafts and exports approved briefs, a reviewer also approves or rejects
other people's drafts, an admin also manages users and sees the settings.
"""

import getpass
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from pydantic import SecretStr

from app.core.errors import InputError, PermissionDenied
from app.core.llm.settings import Settings
from app.core.policy import cached_policy
from app.core.store import ChainReport, Store, verify_chain
from app.core.store.repo import record_event
from app.core.store.settings import AppSettings, safe_destination
from app.core.users import Role, UserEntry, UsersFile, hash_password, needs_rehash, verify_password


class Permission(StrEnum):
    draft = "draft"  # create, edit, submit one's own drafts
    view_approved = "view_approved"
    export = "export"
    review = "review"
    manage_users = "manage_users"
    view_settings = "view_settings"
    verify_audit = "verify_audit"
    view_evals = "view_evals"  # eval reports: how well the model and prompt do, for reviewers and admins


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.agent: frozenset({Permission.draft, Permission.view_approved, Permission.export}),
    Role.reviewer: frozenset(
        {Permission.draft, Permission.view_approved, Permission.export, Permission.review, Permission.view_evals}
    ),
    Role.admin: frozenset(Permission),
}


@dataclass(frozen=True)
class Principal:
    name: str
    role: Role
    via: str = "password"  # or "oidc"

    def can(self, permission: Permission) -> bool:
        return permission in ROLE_PERMISSIONS[self.role]


def require(principal: Principal | None, permission: Permission) -> Principal:
    if principal is None:
        raise PermissionDenied("sign in first")
    if not principal.can(permission):
        allowed = ", ".join(r.value for r in Role if permission in ROLE_PERMISSIONS[r])
        raise PermissionDenied(
            f"{principal.name} is {principal.role.value}; '{permission.value}' needs one of: {allowed}"
        )
    return principal


def session_expired(signed_in_at: datetime, ttl_minutes: int, now: datetime | None = None) -> bool:
    return (now or datetime.now(UTC)) - signed_in_at > timedelta(minutes=ttl_minutes)


class Accounts:
    """Sign-in against the users file, and user management; both leave an audit entry."""

    def __init__(self, users: UsersFile, store: Store) -> None:
        self.users = users
        self.store = store

    def _audit(self, actor: str, action: str, user: UserEntry) -> None:
        with self.store.write() as session:
            record_event(
                session,
                actor=actor,
                action=action,
                entity="user",
                entity_id=user.name,
                at=datetime.now(UTC),
                after={"name": user.name, "role": user.role.value, "email": user.email},
            )

    def sign_in(self, name: str, password: str) -> Principal:
        user = self.users.find(name) if name.strip() else None
        # Verify even for unknown names: the time taken must not reveal which names exist.
        if not verify_password(user.password_hash if user else None, password) or user is None:
            raise PermissionDenied("wrong user name or password")
        if user.password_hash and needs_rehash(user.password_hash):
            self.users.put(user.model_copy(update={"password_hash": hash_password(password)}))
        self._audit(user.name, "user.sign_in", user)
        return Principal(user.name, user.role)

    def sign_in_oidc(self, email: str | None) -> Principal:
        """Map an identity the provider vouched for to a role; unknown people get no role."""
        if not email:
            raise PermissionDenied("the identity provider did not return an e-mail address")
        user = self.users.find_by_email(email)
        if user is None:
            raise PermissionDenied(f"{email} has no role here yet; ask an admin to add you")
        self._audit(user.name, "user.sign_in_oidc", user)
        return Principal(user.name, user.role, via="oidc")

    def needs_first_admin(self) -> bool:
        return not self.users.load()

    def create_first_admin(self, name: str, password: str) -> Principal:
        """Only on a fresh install (no users at all) may someone make themselves admin."""
        if not self.needs_first_admin():
            raise PermissionDenied("users already exist; ask an admin for an account")
        user = self.users.add(name, Role.admin, password)
        self._audit(user.name, "user.add", user)
        return Principal(user.name, user.role)

    def add_user(
        self, actor: Principal, name: str, role: Role, password: str | None, email: str | None = None
    ) -> UserEntry:
        require(actor, Permission.manage_users)
        if not password and not email:
            raise InputError("give a password, or an e-mail for OIDC sign-in")
        user = self.users.add(name, role, password or None, email)
        self._audit(actor.name, "user.add", user)
        return user

    def add_user_as_operator(self, name: str, role: Role, password: str | None, email: str | None = None) -> UserEntry:
        """From the `escalate users add` command: whoever can write the users file is trusted."""
        user = self.users.add(name, role, password, email)
        self._audit(f"cli:{getpass.getuser()}", "user.add", user)
        return user

    def list_users(self, actor: Principal) -> list[UserEntry]:
        require(actor, Permission.manage_users)
        return sorted(self.users.load().values(), key=lambda u: u.name)

    def verify_audit(self, actor: Principal) -> ChainReport:
        require(actor, Permission.verify_audit)
        with self.store.read() as session:
            return verify_chain(session)


@dataclass(frozen=True)
class SettingShown:
    name: str
    value: str


def _secret_state(secret: SecretStr | None) -> str:
    # Shown, never printed: whether a secret is set, not one character of it.
    return "set (hidden)" if secret is not None and secret.get_secret_value() else "not set"


def describe_settings(
    actor: Principal,
    settings: Settings,
    app_settings: AppSettings,
    store: Store,
    prompt_ref: str | None,
) -> list[SettingShown]:
    """What an admin sees on the settings page: backend, model, policy, prompt, store; no secret values."""
    require(actor, Permission.view_settings)
    policy_file = str(settings.policy_file) if settings.policy_file else None
    policy = cached_policy(policy_file)
    webhook = app_settings.webhook_url
    rows = [
        ("Backend", settings.backend),
        ("Model", settings.request_model or "(not set)"),
        ("Model server URL", settings.base_url or ("local llama.cpp server" if settings.backend == "embedded" else "")),
        ("API key", _secret_state(settings.api_key)),
        ("Prompt", prompt_ref or "loaded with the model, on the first draft"),
        ("Policy file", policy_file or "built-in default policy"),
        ("Policy", f"{policy.id} version {policy.version}"),
        ("Database", store.display_url),
        ("Users file", str(app_settings.users_file)),
        ("Webhook", f"{safe_destination(webhook.get_secret_value())} (path hidden)" if webhook else "not set"),
        ("Webhook format", app_settings.webhook_format),
        ("Session lifetime", f"{app_settings.session_ttl_minutes} minutes"),
    ]
    return [SettingShown(name, value) for name, value in rows]
