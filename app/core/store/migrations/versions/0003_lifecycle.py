"""After approval: escalations (sent -> acknowledged -> resolved), their timeline, the delivery
outbox (webhook and pager messages, retried until delivered) and shift handoffs.

Revision ID: 0002_lifecycle
Revises: 0001
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_lifecycle"
down_revision: str | None = "0002_drafting"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TZ = sa.DateTime(timezone=True)
_NAME = sa.String(length=120)


def upgrade() -> None:
    op.create_table(
        "escalations",
        sa.Column("draft_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("severity", sa.String(length=8), nullable=False),
        sa.Column("owner", _NAME, nullable=False),
        sa.Column("sent_by", _NAME, nullable=False),
        sa.Column("sent_at", _TZ, nullable=False),
        sa.Column("ack_due_at", _TZ, nullable=True),
        sa.Column("acknowledged_at", _TZ, nullable=True),
        sa.Column("acknowledged_by", _NAME, nullable=True),
        sa.Column("next_touch_at", _TZ, nullable=True),
        sa.Column("last_customer_update_at", _TZ, nullable=True),
        sa.Column("resolved_at", _TZ, nullable=True),
        sa.Column("resolved_by", _NAME, nullable=True),
        sa.Column("resolution", sa.Text(), nullable=False),
        sa.Column("room", sa.String(length=300), nullable=False),
        sa.Column("doc", sa.String(length=300), nullable=False),
        sa.Column("updated_at", _TZ, nullable=False),
        sa.CheckConstraint("state IN ('sent', 'acknowledged', 'resolved')", name=op.f("ck_escalations_state")),
        sa.CheckConstraint(
            "state = 'sent' OR (acknowledged_at IS NOT NULL AND acknowledged_by IS NOT NULL)",
            name=op.f("ck_escalations_ack_has_who"),
        ),
        sa.CheckConstraint(
            "state <> 'resolved' OR (resolved_at IS NOT NULL AND resolved_by IS NOT NULL)",
            name=op.f("ck_escalations_resolved_has_who"),
        ),
        sa.ForeignKeyConstraint(
            ["draft_id"], ["drafts.id"], name=op.f("fk_escalations_draft_id_drafts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("draft_id", name=op.f("pk_escalations")),
    )
    with op.batch_alter_table("escalations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_escalations_state"), ["state"], unique=False)

    op.create_table(
        "escalation_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=False),
        sa.Column("at", _TZ, nullable=False),
        sa.Column("actor", _NAME, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("audience", sa.String(length=16), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("next_touch_at", _TZ, nullable=True),
        sa.CheckConstraint(
            "kind IN ('sent', 'paged', 'acknowledged', 'update', 'touchpoint', 'owner', 'links', 'resolved')",
            name=op.f("ck_escalation_events_kind"),
        ),
        sa.CheckConstraint(
            "audience IS NULL OR audience IN ('internal', 'customer')", name=op.f("ck_escalation_events_audience")
        ),
        sa.CheckConstraint(
            "kind <> 'update' OR audience IS NOT NULL", name=op.f("ck_escalation_events_update_has_audience")
        ),
        sa.ForeignKeyConstraint(
            ["draft_id"],
            ["escalations.draft_id"],
            name=op.f("fk_escalation_events_draft_id_escalations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalation_events")),
    )
    with op.batch_alter_table("escalation_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_escalation_events_draft_id"), ["draft_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_escalation_events_at"), ["at"], unique=False)

    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("destination", sa.String(length=300), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("response_code", sa.Integer(), nullable=True),
        sa.Column("created_by", _NAME, nullable=False),
        sa.Column("created_at", _TZ, nullable=False),
        sa.Column("next_attempt_at", _TZ, nullable=False),
        sa.Column("delivered_at", _TZ, nullable=True),
        sa.CheckConstraint("kind IN ('notify', 'page', 'handoff')", name=op.f("ck_outbox_kind")),
        sa.CheckConstraint("channel IN ('webhook', 'pager', 'pager_slack')", name=op.f("ck_outbox_channel")),
        sa.CheckConstraint("status IN ('pending', 'delivered')", name=op.f("ck_outbox_status")),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_outbox_attempts_non_negative")),
        sa.ForeignKeyConstraint(
            ["draft_id"], ["drafts.id"], name=op.f("fk_outbox_draft_id_drafts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_draft_id"), ["draft_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_status"), ["status"], unique=False)

    op.create_table(
        "handoffs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", _TZ, nullable=False),
        sa.Column("actor", _NAME, nullable=False),
        sa.Column("since", _TZ, nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("facts", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handoffs")),
    )
    with op.batch_alter_table("handoffs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_handoffs_at"), ["at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("handoffs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_handoffs_at"))
    op.drop_table("handoffs")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_status"))
        batch_op.drop_index(batch_op.f("ix_outbox_draft_id"))
    op.drop_table("outbox")
    with op.batch_alter_table("escalation_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_escalation_events_at"))
        batch_op.drop_index(batch_op.f("ix_escalation_events_draft_id"))
    op.drop_table("escalation_events")
    with op.batch_alter_table("escalations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_escalations_state"))
    op.drop_table("escalations")
