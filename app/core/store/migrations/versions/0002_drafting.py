"""Draft requests: the ticket is stored before the model is called.

Revision ID: 0002_drafting
Revises: 0001
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_drafting"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "draft_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(length=120), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ticket", sa.Text(), nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "status IN ('drafting', 'done', 'failed', 'cancelled')", name=op.f("ck_draft_requests_status")
        ),
        sa.ForeignKeyConstraint(
            ["draft_id"], ["drafts.id"], name=op.f("fk_draft_requests_draft_id_drafts"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_draft_requests")),
    )
    op.create_index(op.f("ix_draft_requests_author"), "draft_requests", ["author"], unique=False)
    op.create_index(op.f("ix_draft_requests_status"), "draft_requests", ["status"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_draft_requests_status"), table_name="draft_requests")
    op.drop_index(op.f("ix_draft_requests_author"), table_name="draft_requests")
    op.drop_table("draft_requests")
