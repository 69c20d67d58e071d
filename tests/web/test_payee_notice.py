"""Issue 23, a change of the payee account is told: the applicant that enters or changes its payee account gets a
notice in the inbox of its account and an e-mail (through a real local SMTP server, aiosmtpd — never a mock) in
the account's language, naming the account before and after (masked) and the time in Beijing time; the change is
on the audit chain (its last four digits and a keyed digest: nothing a reader of the chain can turn back into the
number)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.smtp_kit import Inbox, smtp_fixture
from tests.web.conftest import Seeded, login
from web.db_session import db
from web.store import notice_queries, queries, web_queries
from web.store.models import LedgerEntry

PORT = 8362  # H6's ports: 8360-8369
FIRST, SECOND = "6222 0212 3456 7890 123", "6217003320001234567"


smtp = smtp_fixture(PORT)


def _text(mail: Any) -> str:
    return str(mail.get_body(preferencelist=("plain",)).get_content())


def _enter(client: FlaskClient, account: str, bank: str = "中国工商银行清远分行营业部") -> str:
    response = client.post("/applications/payee", data={"payee_name": "清远测试科技有限公司", "bank_name": bank,
                                                         "bank_account": account}, follow_redirects=True)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _beijing_minutes(text: str) -> dt.datetime:
    found = re.search(r"(\d{4}-\d{2}-\d{2} \d{2}:\d{2})", text)
    assert found, text
    return dt.datetime.strptime(found.group(1), "%Y-%m-%d %H:%M")


def test_a_changed_payee_account_is_chained_and_told_in_the_applicants_language(
        app: Flask, client: FlaskClient, seeded: Seeded, smtp: Inbox) -> None:
    with app.app_context():
        user = web_queries.user_by_id(db(), seeded.users["alice"])
        assert user is not None
        user.email, user.lang = "alice@example.cn", "zh"
        db().commit()
    login(client, "alice")
    assert "收款账户已保存" in _enter(client, FIRST)
    (first,) = smtp.messages
    assert first["To"] == "alice@example.cn" and first["Subject"] == "收款账户已变更"
    assert "原账户：（无）" in _text(first) and "新账户：清远测试科技有限公司 · 中国工商银行清远分行营业部 · ****0123" in _text(first)
    assert "收款账户未变化" in _enter(client, FIRST.replace(" ", ""))  # the same account: nothing told, nothing chained
    assert len(smtp.messages) == 1
    with app.app_context():  # alice reads English from now on
        user = web_queries.user_by_id(db(), seeded.users["alice"])
        assert user is not None
        user.lang = "en"
        db().commit()
    before = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(hours=8)
    _enter(client, SECOND, "中国农业银行清远分行")
    changed = smtp.messages[-1]
    body = _text(changed)
    assert changed["Subject"] == "Your payee account was changed"
    assert "Before: 清远测试科技有限公司 · 中国工商银行清远分行营业部 · ****0123" in body
    assert "Now: 清远测试科技有限公司 · 中国农业银行清远分行 · ****4567" in body and "(Beijing time)" in body
    assert abs(_beijing_minutes(body) - before.replace(second=0, microsecond=0)) <= dt.timedelta(minutes=2)
    assert SECOND not in body and FIRST.replace(" ", "") not in body  # the full numbers never travel by e-mail
    with app.app_context():  # nor are they on the chain in any form a reader without the ledger key can undo
        bodies = [e.body for e in db().scalars(select(LedgerEntry).where(LedgerEntry.kind == "payee_account"))]
        assert len(bodies) == 2
        for number in (FIRST.replace(" ", ""), SECOND):
            assert not any(number in b or hashlib.sha256(number.encode()).hexdigest() in b for b in bodies)
    inbox = client.get("/notices/").get_data(as_text=True)
    assert "Your payee account was changed" in inbox and "收款账户已变更" in inbox
    with app.app_context():
        rows = [n for n in notice_queries.inbox(db(), seeded.users["alice"]) if n.kind == "payee"]
        assert [n.lang for n in rows] == ["en", "zh"]
        assert queries.verify_chain(db()).ok
