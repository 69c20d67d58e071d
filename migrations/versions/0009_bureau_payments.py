"""The bureau's year, continued (issue 23): payee bank fields for the finance office's batch file.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07

Written by hand against web/store/models.py. `applicant` gains the payee account the applicant enters (account
name, bank, account number), read by the payment export (full for the role that pays, masked for the others,
web.masking) and matched by the paid-voucher import. All three are nullable: an applicant that has not entered
them yet is paid by nobody until it does (the export says so).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("applicant") as batch:
        batch.add_column(sa.Column("payee_name", sa.String(100), nullable=True))
        batch.add_column(sa.Column("bank_name", sa.String(100), nullable=True))
        batch.add_column(sa.Column("bank_account", sa.String(40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("applicant") as batch:
        batch.drop_column("bank_account")
        batch.drop_column("bank_name")
        batch.drop_column("payee_name")
