"""Load and concurrency (issue 18): triage join keys and shared rate-limit events.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07

Written by hand against web/store/models.py (tests/store check that `alembic check` finds no difference on
SQLite and PostgreSQL).

- `triage_key` (application, kind, value), indexed on (kind, value): what triage can join an application on
  (company, contact phone and e-mail, project). A submission re-triages the new application and only the
  applications sharing one of its keys. Existing databases get their keys from the next
  `subsidy triage --all` (the keys come from the stored profiles, which a migration does not parse).
- `rate_event` (name, subject, at), indexed on (name, subject, at): submissions per applicant and resume
  links per address, counted in the database so that every worker sees the same count.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "triage_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("value", sa.String(254), nullable=False),
        sa.ForeignKeyConstraint(["application_id"], ["application.id"],
                                name=op.f("fk_triage_key_application_id_application")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_triage_key")),
    )
    op.create_index(op.f("ix_triage_key_application_id"), "triage_key", ["application_id"])
    op.create_index("ix_triage_key_kind_value", "triage_key", ["kind", "value"])
    op.create_table(
        "rate_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(32), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rate_event")),
    )
    op.create_index("ix_rate_event_name_subject_at", "rate_event", ["name", "subject", "at"])
    op.create_index(op.f("ix_rate_event_at"), "rate_event", ["at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_rate_event_at"), table_name="rate_event")
    op.drop_index("ix_rate_event_name_subject_at", table_name="rate_event")
    op.drop_table("rate_event")
    op.drop_index("ix_triage_key_kind_value", table_name="triage_key")
    op.drop_index(op.f("ix_triage_key_application_id"), table_name="triage_key")
    op.drop_table("triage_key")
