"""Resumable self-check links; login attempt, lock and clearance events shared by the web form and the API.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03

Written by hand against web/store/models.py (tests/store check that `alembic check` finds no difference
on SQLite and PostgreSQL). `selfcheck_share` keeps only the SHA-256 of a link's token. `auth_event` is the
one record of login failures, successes, locks and clearances that every gunicorn worker reads, so the
throttle is the same for the site and the API and an admin can see and clear locks.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "selfcheck_share",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_digest", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_selfcheck_share")),
        sa.UniqueConstraint("token_digest", name=op.f("uq_selfcheck_share_token_digest")),
    )
    op.create_index(op.f("ix_selfcheck_share_expires_at"), "selfcheck_share", ["expires_at"])
    op.create_table(
        "auth_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("username", sa.String(length=150), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.CheckConstraint("kind IN ('failure', 'success', 'lock', 'clear')", name=op.f("ck_auth_event_kind")),
        sa.ForeignKeyConstraint(["actor_id"], ["user.id"], name=op.f("fk_auth_event_actor_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_event")),
    )
    op.create_index(op.f("ix_auth_event_at"), "auth_event", ["at"])
    op.create_index(op.f("ix_auth_event_username"), "auth_event", ["username"])
    op.create_index(op.f("ix_auth_event_address"), "auth_event", ["address"])


def downgrade() -> None:
    op.drop_table("auth_event")
    op.drop_table("selfcheck_share")
