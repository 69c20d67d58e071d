"""The bureau's year, continued (issue 23): payee bank fields for the finance office's batch file.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07

Written by hand against web/store/models.py.
"""

from __future__ import annotations

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Nothing yet (filled in by the bureau work of this session)."""


def downgrade() -> None:
    """Nothing yet."""
