"""Security and audit coverage (issue 19): status changes on the audit chain.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07

`status_change` holds each application's status changes (its first status included) as a hash-linked log of its
own; `chain_head` gains the log's head (`status_seq`, `status_hash`). Applications stored before this revision
have no status records; `subsidy audit verify` names them ("status not on the chain") until a new status is
logged.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | None = None
depends_on: str | None = None

HASH = sa.String(length=64)
GENESIS_HASH = "0" * 64


def upgrade() -> None:
    op.create_table(
        "status_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("old_status", sa.String(length=20), nullable=True),
        sa.Column("new_status", sa.String(length=20), nullable=False),
        sa.Column("chain_seq", sa.Integer(), nullable=False),
        sa.Column("prev_hash", HASH, nullable=False),
        sa.Column("hash", HASH, nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["application_id"], ["application.id"],
                                name=op.f("fk_status_change_application_id_application")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_change")),
        sa.UniqueConstraint("chain_seq", name=op.f("uq_status_change_chain_seq")),
        sa.UniqueConstraint("hash", name=op.f("uq_status_change_hash")),
    )
    with op.batch_alter_table("status_change") as batch:
        batch.create_index(batch.f("ix_status_change_application_id"), ["application_id"], unique=False)
    with op.batch_alter_table("chain_head") as batch:
        batch.add_column(sa.Column("status_seq", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("status_hash", HASH, server_default=GENESIS_HASH, nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("chain_head") as batch:
        batch.drop_column("status_hash")
        batch.drop_column("status_seq")
    with op.batch_alter_table("status_change") as batch:
        batch.drop_index(batch.f("ix_status_change_application_id"))
    op.drop_table("status_change")
