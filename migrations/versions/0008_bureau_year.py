"""The bureau's year (issue 23).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07

Placeholder created by the lead so that three helpers can each own one migration of this round
(issue 23); its owner replaces this text and fills upgrade/downgrade. Empty until then.
"""

from __future__ import annotations

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
