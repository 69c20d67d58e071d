"""Issue 18, continued: the reviewers' default queue read from a partial index on open applications.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07

Written by hand against web/store/models.py. The queue's default page — applications not closed, by priority
(highest first), then submission time, then id — and its count were a scan of every application and a top-N sort
(PostgreSQL, 10,000 open: 8–24 ms under load); the index holds only open applications in that order (3.5–7.8 ms).
The query writes the closed statuses into its SQL (web.store.web_queries) so both databases can use it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | None = None
depends_on: str | None = None

# the closed statuses as this revision knows them (web.store.models.CLOSED_STATUSES at the time)
_OPEN = sa.text("status NOT IN ('approved', 'rejected', 'withdrawn', 'funded', 'not_funded', 'paid')")


def upgrade() -> None:
    op.create_index("ix_application_open_queue", "application",
                    [sa.text("priority DESC"), "submitted_at", "id"], sqlite_where=_OPEN, postgresql_where=_OPEN)


def downgrade() -> None:
    op.drop_index("ix_application_open_queue", table_name="application")
