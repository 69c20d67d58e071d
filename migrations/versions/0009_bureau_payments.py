"""The bureau's year, continued (issue 23): payee bank fields for the finance office's batch file, and their changes
on the audit chain.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07

Written by hand against web/store/models.py. `applicant` gains the payee account the applicant enters (account
name, bank, account number), read by the payment export (full for the role that pays, masked for the others,
web.masking) and matched by the paid-voucher import. All three are nullable: an applicant that has not entered
them yet is paid by nobody until it does (the export says so). Every set or change of the account is a chained
`payee_account` ledger entry (the number masked, its SHA-256), and the applicant is sent a `payee` notice.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | None = None
depends_on: str | None = None

NEW_KINDS = ("payee_account",)
NOTICE_KINDS = ("receipt", "info_requested", "decision", "allocation", "publicity", "payment", "call_opened",
                "account")  # 0008's


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _old_kinds() -> tuple[str, ...]:
    from web.store.models import LEDGER_KINDS

    return tuple(k for k in LEDGER_KINDS if k not in NEW_KINDS)


def upgrade() -> None:
    with op.batch_alter_table("applicant") as batch:
        batch.add_column(sa.Column("payee_name", sa.String(100), nullable=True))
        batch.add_column(sa.Column("bank_name", sa.String(100), nullable=True))
        batch.add_column(sa.Column("bank_account", sa.String(40), nullable=True))
    with op.batch_alter_table("ledger_entry") as batch:
        batch.drop_constraint(op.f("ck_ledger_entry_kind"), type_="check")
        batch.create_check_constraint(op.f("ck_ledger_entry_kind"), _in("kind", (*_old_kinds(), *NEW_KINDS)))
    with op.batch_alter_table("notice") as batch:
        batch.drop_constraint(op.f("ck_notice_kind"), type_="check")
        batch.create_check_constraint(op.f("ck_notice_kind"), _in("kind", (*NOTICE_KINDS, "payee")))


def downgrade() -> None:
    op.execute("DELETE FROM notice WHERE kind = 'payee'")
    # The payee entries cannot pass the old CHECK: their links go too (audit verify shows the gap).
    op.execute("DELETE FROM chain_link WHERE kind = 'ledger' AND record_id IN "
               "(SELECT id FROM ledger_entry WHERE kind = 'payee_account')")
    op.execute("DELETE FROM ledger_entry WHERE kind = 'payee_account'")
    with op.batch_alter_table("notice") as batch:
        batch.drop_constraint(op.f("ck_notice_kind"), type_="check")
        batch.create_check_constraint(op.f("ck_notice_kind"), _in("kind", NOTICE_KINDS))
    with op.batch_alter_table("ledger_entry") as batch:
        batch.drop_constraint(op.f("ck_ledger_entry_kind"), type_="check")
        batch.create_check_constraint(op.f("ck_ledger_entry_kind"), _in("kind", _old_kinds()))
    with op.batch_alter_table("applicant") as batch:
        batch.drop_column("bank_account")
        batch.drop_column("bank_name")
        batch.drop_column("payee_name")
