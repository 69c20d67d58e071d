"""Triage runs, flags and per-application triage outcome; idempotency keys for the JSON API.

Revision ID: 0002
Revises: 0001
Create Date: 2025-07-01

Written by hand against web/store/models.py (tests/store check that `alembic check` finds no difference
on SQLite and PostgreSQL). New tables only, so nothing existing is rebuilt; indexes are added in batch
mode like every later change to these tables will be. `idempotency_key` is unique per (key, user_id):
both databases treat NULLs as distinct, so an anonymous key is not unique by constraint — the API
refuses anonymous idempotent requests instead.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None

HASH = sa.String(length=64)


def upgrade() -> None:
    op.create_table(
        "triage_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("today", sa.Date(), nullable=False),
        sa.Column("triage_ruleset_hash", HASH, nullable=False),
        sa.Column("inputs_hash", HASH, nullable=False),
        sa.Column("engine_used", sa.Text(), nullable=False),
        sa.Column("applications", sa.Integer(), nullable=False),
        sa.Column("flags", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_triage_run")),
    )
    with op.batch_alter_table("triage_run") as batch:
        batch.create_index(batch.f("ix_triage_run_triage_ruleset_hash"), ["triage_ruleset_hash"])

    op.create_table(
        "triage_flag",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("rule_id", sa.String(length=64), nullable=False),
        sa.Column("severity", sa.String(length=8), nullable=False),
        sa.Column("route", sa.String(length=16), nullable=True),
        sa.Column("priority_delta", sa.Integer(), nullable=False),
        sa.Column("message_zh", sa.Text(), nullable=False),
        sa.Column("message_en", sa.Text(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("triage_ruleset_hash", HASH, nullable=False),
        sa.Column("inputs_hash", HASH, nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["application_id"], ["application.id"],
                                name=op.f("fk_triage_flag_application_id_application")),
        sa.ForeignKeyConstraint(["run_id"], ["triage_run.id"], name=op.f("fk_triage_flag_run_id_triage_run")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_triage_flag")),
    )
    with op.batch_alter_table("triage_flag") as batch:
        batch.create_index(batch.f("ix_triage_flag_application_id"), ["application_id"])
        batch.create_index(batch.f("ix_triage_flag_run_id"), ["run_id"])
        batch.create_index(batch.f("ix_triage_flag_rule_id"), ["rule_id"])

    op.create_table(
        "application_triage",
        sa.Column("application_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("route", sa.String(length=16), nullable=True),
        sa.Column("priority_delta", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["application_id"], ["application.id"],
                                name=op.f("fk_application_triage_application_id_application")),
        sa.ForeignKeyConstraint(["run_id"], ["triage_run.id"], name=op.f("fk_application_triage_run_id_triage_run")),
        sa.PrimaryKeyConstraint("application_id", name=op.f("pk_application_triage")),
    )
    with op.batch_alter_table("application_triage") as batch:
        batch.create_index(batch.f("ix_application_triage_run_id"), ["run_id"])

    op.create_table(
        "idempotency_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("method", sa.String(length=8), nullable=False),
        sa.Column("path", sa.String(length=500), nullable=False),
        sa.Column("request_hash", HASH, nullable=False),
        sa.Column("response_status", sa.SmallInteger(), nullable=True),
        sa.Column("response_body", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_idempotency_key_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_key")),
        sa.UniqueConstraint("key", "user_id", name=op.f("uq_idempotency_key_key_user_id")),
    )
    with op.batch_alter_table("idempotency_key") as batch:
        batch.create_index(batch.f("ix_idempotency_key_created_at"), ["created_at"])
        batch.create_index(batch.f("ix_idempotency_key_user_id"), ["user_id"])


def downgrade() -> None:
    with op.batch_alter_table("idempotency_key") as batch:
        batch.drop_index(batch.f("ix_idempotency_key_user_id"))
        batch.drop_index(batch.f("ix_idempotency_key_created_at"))
    op.drop_table("idempotency_key")
    with op.batch_alter_table("application_triage") as batch:
        batch.drop_index(batch.f("ix_application_triage_run_id"))
    op.drop_table("application_triage")
    with op.batch_alter_table("triage_flag") as batch:
        batch.drop_index(batch.f("ix_triage_flag_rule_id"))
        batch.drop_index(batch.f("ix_triage_flag_run_id"))
        batch.drop_index(batch.f("ix_triage_flag_application_id"))
    op.drop_table("triage_flag")
    with op.batch_alter_table("triage_run") as batch:
        batch.drop_index(batch.f("ix_triage_run_triage_ruleset_hash"))
    op.drop_table("triage_run")
