# ruff: noqa: F811  (pytest fixtures imported from the store tests shadow by name, as pytest intends)
"""Issue 23, the payee account on the audit chain: every set or change of an applicant's payee account is a chained
`payee_account` entry (the number masked, its SHA-256), a payment names the account's SHA-256, and `audit verify`
catches an account row an insider edited (no longer the last chained one) or wrote without the chain. On SQLite and
PostgreSQL (the store's fixtures)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from engine.model import RuleSet
from tests.store.conftest import database_url, db_engine, db_url, mini_rules, ruleset, session  # noqa: F401
from tests.store.test_bureau_store import AFTER, approve, open_call, submit
from web.store import account_queries, allocation_queries, queries
from web.store.models import Application, LedgerEntry

FIRST, SECOND = "6222 0212 3456 7890 123", "6217003320001234567"
BANK = "中国工商银行清远分行营业部"


def _sha(digits: str) -> str:
    return hashlib.sha256(digits.replace(" ", "").encode()).hexdigest()


def _problems(session: Session) -> list[tuple[str, str]]:
    session.expire_all()
    return [(p.code, p.message) for p in queries.verify_chain(session).problems]


@pytest.fixture
def applicant(session: Session, ruleset: RuleSet) -> int:
    app_id = submit(session, ruleset, open_call(session).id, 50)
    application = session.get(Application, app_id)
    assert application is not None
    return int(application.applicant_id)


def test_every_set_and_change_of_the_account_is_a_chained_entry(session: Session, applicant: int) -> None:
    first = account_queries.set_payee(session, applicant, payee_name="清远测试科技有限公司", bank_name=BANK,
                                      bank_account=FIRST)
    assert first is not None and first.before is None
    assert account_queries.set_payee(session, applicant, payee_name="清远测试科技有限公司", bank_name=BANK,
                                     bank_account=FIRST.replace(" ", "")) is None  # the same account: nothing chained
    second = account_queries.set_payee(session, applicant, payee_name="清远测试科技有限公司", bank_name="中国农业银行清远分行",
                                       bank_account=SECOND, user_id=None)
    assert second is not None
    entries = list(session.scalars(select(LedgerEntry).where(LedgerEntry.kind == "payee_account")
                                   .order_by(LedgerEntry.chain_seq)))
    assert [e.id for e in entries] == [first.entry.id, second.entry.id]
    body = json.loads(entries[1].body)
    assert body["applicant_id"] == applicant
    assert body["payee"] == {"name": "清远测试科技有限公司", "bank": "中国农业银行清远分行", "account": "6217***********4567",
                             "account_sha256": _sha(SECOND)}
    assert body["previous"]["account"] == "6222***********0123" and body["previous"]["account_sha256"] == _sha(FIRST)
    assert SECOND not in entries[1].body and FIRST.replace(" ", "") not in entries[1].body  # the number only masked
    assert queries.chain_link(session, "ledger", entries[1].id) is not None
    assert _problems(session) == []


@pytest.mark.parametrize(("statement", "shown"), [
    ("UPDATE applicant SET bank_account = '6217003399998888777'", "6217***********8777"),  # the fraud: another account
    ("UPDATE applicant SET payee_name = '别的公司'", "6222***********0123"),
    ("UPDATE applicant SET bank_account = NULL, payee_name = NULL, bank_name = NULL", "none"),
])
def test_an_account_row_that_is_not_the_last_chained_one_is_detected(session: Session, applicant: int,
                                                                     statement: str, shown: str) -> None:
    account_queries.set_payee(session, applicant, payee_name="清远测试科技有限公司", bank_name=BANK, bank_account=FIRST)
    assert _problems(session) == []
    session.execute(text(statement + " WHERE id = :i"), {"i": applicant})
    session.commit()
    found = _problems(session)
    assert any(c == "ledger-mismatch" and f"applicant #{applicant}: the payee account {shown}" in m
               and "6222***********0123" in m for c, m in found), found


def test_an_account_written_without_the_chain_is_detected(session: Session, applicant: int) -> None:
    session.execute(text("UPDATE applicant SET payee_name = 'x', bank_name = :b, bank_account = :a WHERE id = :i"),
                    {"b": BANK, "a": SECOND, "i": applicant})
    session.commit()
    found = _problems(session)
    assert any(c == "ledger-mismatch" and "no payee account was ever chained" in m for c, m in found), found


def test_a_payment_names_the_sha256_of_the_account_it_was_paid_into(session: Session, ruleset: RuleSet) -> None:
    reviewer = queries.create_user(session, "rita", "correct-horse-battery", "reviewer").id
    session.commit()
    call = open_call(session, budget=200_000)
    app_id = submit(session, ruleset, call.id, 51)
    approve(session, app_id, reviewer)
    allocation_queries.allocate_call(session, call.id, reviewer, AFTER)
    allocation_queries.finalize_allocation(session, call.id, reviewer, AFTER)
    line: Any = next(x for x in allocation_queries.allocation_lines(session, call.id) if x.granted)
    account_queries.set_payee(session, line.application.applicant_id, payee_name="清远测试科技有限公司", bank_name=BANK,
                              bank_account=FIRST)
    payment = allocation_queries.record_payment(session, line.id, paid_on=dt.date(2025, 8, 1), amount=line.granted,
                                                voucher_no="V-P1", user_id=reviewer)
    session.commit()
    entry = session.get(LedgerEntry, payment.ledger_id)
    assert entry is not None
    assert json.loads(entry.body)["payee"]["account_sha256"] == _sha(FIRST)
    assert _problems(session) == []
