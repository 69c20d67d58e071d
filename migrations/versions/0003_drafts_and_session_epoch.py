"""Self-check drafts of logged-in users; a per-user session epoch that logout bumps.

Revision ID: 0003
Revises: 0002
Create Date: 2025-07-02

Written by hand against web/store/models.py (tests/store check that `alembic check` finds no difference
on SQLite and PostgreSQL). `selfcheck_draft` is unique per (user_id, kind), which also serves lookups by
user. `user.session_epoch` is added NOT NULL with a server default of 0, so existing rows need no
backfill; on SQLite, batch mode adds the column with ALTER TABLE ADD COLUMN (no table rebuild).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("user") as batch:
        batch.add_column(sa.Column("session_epoch", sa.Integer(), server_default="0", nullable=False))

    op.create_table(
        "selfcheck_draft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_selfcheck_draft_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_selfcheck_draft")),
        sa.UniqueConstraint("user_id", "kind", name=op.f("uq_selfcheck_draft_user_id_kind")),
    )


def downgrade() -> None:
    op.drop_table("selfcheck_draft")
    with op.batch_alter_table("user") as batch:
        batch.drop_column("session_epoch")
