"""Issue 18, continued: the notices' e-mails leave through an outbox, sent after the commit by a sender thread.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07

Written by hand against web/store/models.py. `notice` gains `email_due_at` (when its e-mail is next to be tried;
NULL once sent, given up, or never to be sent; indexed: the sender reads the due ones) and `email_attempts` (tries
so far). Existing rows keep NULL: their e-mails were tried at the time (web.notices.outbox).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("notice") as batch:
        batch.add_column(sa.Column("email_due_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("email_attempts", sa.Integer(), server_default="0", nullable=False))
    op.create_index(op.f("ix_notice_email_due_at"), "notice", ["email_due_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_notice_email_due_at"), table_name="notice")
    with op.batch_alter_table("notice") as batch:
        batch.drop_column("email_attempts")
        batch.drop_column("email_due_at")
