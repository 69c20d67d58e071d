"""Issue 18, continued: triage leaves the submission's request — a durable "to triage" mark, drained after the commit.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07

Written by hand against web/store/models.py. `triage_due` holds one row per application still to be triaged,
stored in the submission's (or the answer's) own transaction; a process's triage thread claims rows by moving
`due_at` forward and deletes each in the triage run's transaction (web.store.triage_due). Existing applications
get no row: they were triaged at the time.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "triage_due",
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("marked_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["application_id"], ["application.id"],
                                name=op.f("fk_triage_due_application_id_application")),
        sa.PrimaryKeyConstraint("application_id", name=op.f("pk_triage_due")),
    )
    op.create_index(op.f("ix_triage_due_due_at"), "triage_due", ["due_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_triage_due_due_at"), table_name="triage_due")
    op.drop_table("triage_due")
