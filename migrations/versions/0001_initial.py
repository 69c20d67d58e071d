"""Initial schema: applicants, users, applications, decisions, review actions, RuleSet snapshots, audit chain.

Revision ID: 0001
Revises:
Create Date: 2025-06-30

Reviewed by hand against web/store/models.py (tests/store check that `alembic check` finds no
difference on SQLite and PostgreSQL). Constraint names follow the naming convention of the models'
MetaData. `chain_link.record_id` deliberately has no foreign key: a deleted decision or review must
leave a visible gap for `subsidy audit verify`, not cascade or be blocked silently. The single
`chain_head` row (seq 0, the genesis hash) is created here, because every append locks it.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

GENESIS_HASH = "0" * 64
HASH = sa.String(length=64)


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _chain_columns() -> list[sa.Column]:
    """Position, predecessor and own hash of an append-only record on the audit chain."""
    return [
        sa.Column("chain_seq", sa.Integer(), nullable=False),
        sa.Column("prev_hash", HASH, nullable=False),
        sa.Column("hash", HASH, nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    ]


def _timestamps() -> list[sa.Column]:
    return [
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "applicant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("party", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("credit_code", sa.String(length=18), nullable=True),
        sa.Column("id_number_masked", sa.String(length=40), nullable=True),
        sa.Column("identity_digest", HASH, nullable=False),
        *_timestamps(),
        sa.CheckConstraint("kind IN ('enterprise', 'incubator', 'institution', 'talent', 'team')",
                           name=op.f("ck_applicant_kind")),
        sa.CheckConstraint("party IN ('organisation', 'person')", name=op.f("ck_applicant_party")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_applicant")),
        sa.UniqueConstraint("identity_digest", name=op.f("uq_applicant_identity_digest")),
    )
    op.create_index(op.f("ix_applicant_credit_code"), "applicant", ["credit_code"])

    op.create_table(
        "user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("applicant_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        *_timestamps(),
        sa.CheckConstraint("role <> 'applicant' OR applicant_id IS NOT NULL",
                           name=op.f("ck_user_applicant_has_applicant")),
        sa.CheckConstraint("role IN ('applicant', 'reviewer', 'auditor', 'admin')", name=op.f("ck_user_role")),
        sa.ForeignKeyConstraint(["applicant_id"], ["applicant.id"], name=op.f("fk_user_applicant_id_applicant")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user")),
        sa.UniqueConstraint("username", name=op.f("uq_user_username")),
    )
    op.create_index(op.f("ix_user_applicant_id"), "user", ["applicant_id"])

    op.create_table(
        "application",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("applicant_id", sa.Integer(), nullable=False),
        sa.Column("measures", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("priority", sa.SmallInteger(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        *_timestamps(),
        sa.CheckConstraint("status IN ('submitted', 'decided', 'in_review', 'info_requested', 'escalated', "
                           "'approved', 'rejected', 'withdrawn')", name=op.f("ck_application_status")),
        sa.ForeignKeyConstraint(["applicant_id"], ["applicant.id"],
                                name=op.f("fk_application_applicant_id_applicant")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application")),
    )
    op.create_index(op.f("ix_application_applicant_id"), "application", ["applicant_id"])
    op.create_index(op.f("ix_application_status"), "application", ["status"])

    op.create_table(
        "ruleset_snapshot",
        sa.Column("hash", HASH, nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("hash", name=op.f("pk_ruleset_snapshot")),
    )

    op.create_table(
        "decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("profile_json", sa.Text(), nullable=False),
        sa.Column("profile_hash", HASH, nullable=False),
        sa.Column("ruleset_hash", HASH, nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("checked_on", sa.Date(), nullable=False),
        sa.Column("engine_version", sa.String(length=32), nullable=False),
        sa.Column("decision_json", sa.Text(), nullable=False),
        sa.Column("decision_hash", HASH, nullable=False),
        sa.Column("outcomes_json", sa.Text(), nullable=False),
        sa.Column("warnings_json", sa.Text(), nullable=False),
        *_chain_columns(),
        sa.ForeignKeyConstraint(["application_id"], ["application.id"],
                                name=op.f("fk_decision_application_id_application")),
        sa.ForeignKeyConstraint(["ruleset_hash"], ["ruleset_snapshot.hash"],
                                name=op.f("fk_decision_ruleset_hash_ruleset_snapshot")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decision")),
        sa.UniqueConstraint("chain_seq", name=op.f("uq_decision_chain_seq")),
        sa.UniqueConstraint("hash", name=op.f("uq_decision_hash")),
    )
    op.create_index(op.f("ix_decision_application_id"), "decision", ["application_id"])
    op.create_index(op.f("ix_decision_ruleset_hash"), "decision", ["ruleset_hash"])

    op.create_table(
        "review_action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=24), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        *_chain_columns(),
        sa.CheckConstraint("action IN ('comment', 'approve', 'reject', 'request_info', 'escalate', 'reopen')",
                           name=op.f("ck_review_action_action")),
        sa.CheckConstraint("length(trim(reason)) > 0", name=op.f("ck_review_action_reason_not_empty")),
        sa.ForeignKeyConstraint(["application_id"], ["application.id"],
                                name=op.f("fk_review_action_application_id_application")),
        sa.ForeignKeyConstraint(["decision_id"], ["decision.id"], name=op.f("fk_review_action_decision_id_decision")),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_review_action_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_action")),
        sa.UniqueConstraint("chain_seq", name=op.f("uq_review_action_chain_seq")),
        sa.UniqueConstraint("hash", name=op.f("uq_review_action_hash")),
    )
    op.create_index(op.f("ix_review_action_application_id"), "review_action", ["application_id"])
    op.create_index(op.f("ix_review_action_decision_id"), "review_action", ["decision_id"])
    op.create_index(op.f("ix_review_action_user_id"), "review_action", ["user_id"])

    op.create_table(
        "chain_link",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("prev_hash", HASH, nullable=False),
        sa.Column("hash", HASH, nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('decision', 'review')", name=op.f("ck_chain_link_kind")),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_chain_link")),
        sa.UniqueConstraint("hash", name=op.f("uq_chain_link_hash")),
        sa.UniqueConstraint("kind", "record_id", name=op.f("uq_chain_link_kind_record_id")),
    )

    chain_head = op.create_table(
        "chain_head",
        sa.Column("id", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", HASH, nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_chain_head_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chain_head")),
    )
    op.bulk_insert(chain_head, [{"id": 1, "seq": 0, "hash": GENESIS_HASH, "updated_at": _utcnow()}])


def downgrade() -> None:
    op.drop_table("chain_head")
    op.drop_table("chain_link")
    op.drop_index(op.f("ix_review_action_user_id"), table_name="review_action")
    op.drop_index(op.f("ix_review_action_decision_id"), table_name="review_action")
    op.drop_index(op.f("ix_review_action_application_id"), table_name="review_action")
    op.drop_table("review_action")
    op.drop_index(op.f("ix_decision_ruleset_hash"), table_name="decision")
    op.drop_index(op.f("ix_decision_application_id"), table_name="decision")
    op.drop_table("decision")
    op.drop_table("ruleset_snapshot")
    op.drop_index(op.f("ix_application_status"), table_name="application")
    op.drop_index(op.f("ix_application_applicant_id"), table_name="application")
    op.drop_table("application")
    op.drop_index(op.f("ix_user_applicant_id"), table_name="user")
    op.drop_table("user")
    op.drop_index(op.f("ix_applicant_credit_code"), table_name="applicant")
    op.drop_table("applicant")
