"""Tables of the store. The migrations under `migrations/versions/` create exactly these.

Rules that must hold whatever code writes to the database are constraints here, not only checks
in the services: nobody reviews their own draft (`reviews` carries the draft's author through a
composite foreign key and a CHECK compares the two), a decided draft names its reviewer, and the
audit log is append-only (triggers added by the migration).
"""

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

DRAFT_STATUSES = ("draft", "submitted", "approved", "rejected")
VERSION_KINDS = ("created", "autosave", "edit", "regenerate", "submit", "approve", "reject")
DECISIONS = ("approved", "rejected")
EXPORT_STATUSES = ("ok", "failed", "recorded")

NAME = String(120)
HASH = String(64)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    # Stable constraint names so migrations can refer to them on both SQLite and PostgreSQL.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


class DraftRow(Base):
    __tablename__ = "drafts"
    __table_args__ = (
        # The target of reviews' composite foreign key: (draft, its real author).
        UniqueConstraint("id", "author", name="uq_drafts_id_author"),
        CheckConstraint(_in("status", DRAFT_STATUSES), name="status"),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint("reviewed_by IS NULL OR reviewed_by <> author", name="no_self_review"),
        CheckConstraint(
            "status NOT IN ('approved', 'rejected') OR reviewed_by IS NOT NULL", name="decided_has_reviewer"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    author: Mapped[str] = mapped_column(NAME, index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # The SLA clock starts when the ticket reached support, not when the agent drafted.
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Only redacted text is ever stored: the original ticket never reaches the database.
    source_text: Mapped[str] = mapped_column(Text)
    model_result: Mapped[str] = mapped_column(Text, doc="DraftResult JSON as the model and rules made it.")
    brief: Mapped[str] = mapped_column(Text, doc="EscalationBrief JSON as the agent last saved it.")
    findings: Mapped[str] = mapped_column(Text, doc="JSON list of the rules' findings on `brief`.")
    summary: Mapped[str] = mapped_column(String(200))
    severity: Mapped[str] = mapped_column(String(8), index=True)
    rules_severity: Mapped[str] = mapped_column(String(8))
    target: Mapped[str] = mapped_column(String(16), index=True)
    override_justification: Mapped[str] = mapped_column(Text, default="")
    reviewed_by: Mapped[str | None] = mapped_column(NAME)
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    review_reason: Mapped[str | None] = mapped_column(Text)

    # SQLAlchemy's optimistic locking: every UPDATE says "AND version = <the one I read>" and
    # bumps it, so of two concurrent writers exactly one wins (StaleDataError for the other).
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class DraftVersionRow(Base):
    """Every change of a draft, so the model's text and each of the agent's edits can be compared."""

    __tablename__ = "draft_versions"
    __table_args__ = (
        UniqueConstraint("draft_id", "version", name="uq_draft_versions_draft_version"),
        CheckConstraint(_in("kind", VERSION_KINDS), name="kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(NAME)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16))
    brief: Mapped[str] = mapped_column(Text)
    severity: Mapped[str] = mapped_column(String(8))
    override_justification: Mapped[str] = mapped_column(Text, default="")


class ReviewRow(Base):
    __tablename__ = "reviews"
    __table_args__ = (
        # `author` must be the draft's real author (composite FK), and never the reviewer (CHECK).
        ForeignKeyConstraint(["draft_id", "author"], ["drafts.id", "drafts.author"], name="fk_reviews_draft_author"),
        CheckConstraint("reviewer <> author", name="reviewer_is_not_author"),
        CheckConstraint(_in("decision", DECISIONS), name="decision"),
        CheckConstraint("decision = 'approved' OR length(reason) > 0", name="reject_has_reason"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    draft_id: Mapped[int] = mapped_column(Integer, index=True)
    draft_version: Mapped[int] = mapped_column(Integer)
    author: Mapped[str] = mapped_column(NAME)
    reviewer: Mapped[str] = mapped_column(NAME)
    decision: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ExportRow(Base):
    __tablename__ = "exports"
    __table_args__ = (CheckConstraint(_in("status", EXPORT_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"), index=True)
    draft_version: Mapped[int] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(NAME)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    format: Mapped[str] = mapped_column(String(16))
    # Never the full webhook URL: its path is the credential.
    destination: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(16))
    response_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str] = mapped_column(Text, default="")


class AuditRow(Base):
    """One entry of the hash chain: hash = sha256(prev_hash + canonical JSON of the entry)."""

    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(NAME)
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(64))
    before_hash: Mapped[str | None] = mapped_column(HASH)
    after_hash: Mapped[str | None] = mapped_column(HASH)
    prev_hash: Mapped[str] = mapped_column(HASH)
    hash: Mapped[str] = mapped_column(HASH, unique=True)


class AuditHeadRow(Base):
    """The chain's tip, one row. Appenders lock it (SELECT ... FOR UPDATE), which serialises them
    on PostgreSQL; on SQLite write transactions begin IMMEDIATE and are serial anyway."""

    __tablename__ = "audit_head"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(HASH)


# ------------------------------------------------------------------ after approval (migration 0002)
ESCALATION_STATES = ("sent", "acknowledged", "resolved")
EVENT_KINDS = ("sent", "paged", "acknowledged", "update", "touchpoint", "owner", "links", "resolved")
AUDIENCES = ("internal", "customer")
OUTBOX_KINDS = ("notify", "page", "handoff")
OUTBOX_CHANNELS = ("webhook", "pager", "pager_slack")
OUTBOX_STATUSES = ("pending", "delivered")


class EscalationRow(Base):
    """An approved draft once it has been sent: who owns it, whether engineering confirmed receipt,
    when the customer hears next, and whether it is resolved. One row per draft."""

    __tablename__ = "escalations"
    __table_args__ = (
        CheckConstraint(_in("state", ESCALATION_STATES), name="state"),
        CheckConstraint(
            "state = 'sent' OR (acknowledged_at IS NOT NULL AND acknowledged_by IS NOT NULL)", name="ack_has_who"
        ),
        CheckConstraint(
            "state <> 'resolved' OR (resolved_at IS NOT NULL AND resolved_by IS NOT NULL)", name="resolved_has_who"
        ),
    )

    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"), primary_key=True)
    state: Mapped[str] = mapped_column(String(16), index=True)
    version: Mapped[int] = mapped_column(Integer)
    severity: Mapped[str] = mapped_column(String(8))
    owner: Mapped[str] = mapped_column(NAME)
    sent_by: Mapped[str] = mapped_column(NAME)
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # None: the severity has no clock (Sev4, backlog).
    ack_due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    acknowledged_by: Mapped[str | None] = mapped_column(NAME, doc="Who in engineering confirmed receipt.")
    next_touch_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_customer_update_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_by: Mapped[str | None] = mapped_column(NAME)
    resolution: Mapped[str] = mapped_column(Text, default="")
    # Seed 001: the Slack room for the duration and the escalation document, linked for anyone who
    # needs to catch up (internal: never in a customer update).
    room: Mapped[str] = mapped_column(String(300), default="")
    doc: Mapped[str] = mapped_column(String(300), default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class EscalationEventRow(Base):
    """The timeline of an escalation: every transition and update, timestamped and attributed."""

    __tablename__ = "escalation_events"
    __table_args__ = (
        CheckConstraint(_in("kind", EVENT_KINDS), name="kind"),
        CheckConstraint(f"audience IS NULL OR {_in('audience', AUDIENCES)}", name="audience"),
        CheckConstraint("kind <> 'update' OR audience IS NOT NULL", name="update_has_audience"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("escalations.draft_id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    actor: Mapped[str] = mapped_column(NAME)
    kind: Mapped[str] = mapped_column(String(16))
    audience: Mapped[str | None] = mapped_column(String(16))
    body: Mapped[str] = mapped_column(Text, default="")
    next_touch_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class OutboxRow(Base):
    """A message to deliver (webhook, pager): written in the same transaction as the change that
    causes it, so it is never lost; retried with backoff until the receiver takes it. The URL is
    not stored: `channel` names the configured setting, `destination` is its scheme and host."""

    __tablename__ = "outbox"
    __table_args__ = (
        CheckConstraint(_in("kind", OUTBOX_KINDS), name="kind"),
        CheckConstraint(_in("channel", OUTBOX_CHANNELS), name="channel"),
        CheckConstraint(_in("status", OUTBOX_STATUSES), name="status"),
        CheckConstraint("attempts >= 0", name="attempts_non_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(16))
    destination: Mapped[str] = mapped_column(String(300))
    payload: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    response_code: Mapped[int | None] = mapped_column(Integer)
    created_by: Mapped[str] = mapped_column(NAME)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class HandoffRow(Base):
    """A shift handoff note as it was written, and the moment it covers from."""

    __tablename__ = "handoffs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    actor: Mapped[str] = mapped_column(NAME)
    since: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    note: Mapped[str] = mapped_column(Text)
    facts: Mapped[str] = mapped_column(Text, doc="The handoff's facts as JSON (what the note was built from).")


REQUEST_STATUSES = ("drafting", "done", "failed", "cancelled")


class DraftRequestRow(Base):
    """A ticket as the agent gave it, saved before the model is called: a reload, a crash or a
    model failure loses nothing. `draft_id` names the draft once the model's brief is stored."""

    __tablename__ = "draft_requests"
    __table_args__ = (CheckConstraint(_in("status", REQUEST_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    author: Mapped[str] = mapped_column(NAME, index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ticket: Mapped[str] = mapped_column(Text, doc="TicketInput JSON: the text and the decoded attachments.")
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("drafts.id", ondelete="SET NULL"))
    error: Mapped[str] = mapped_column(Text, default="")
