# ruff: noqa: F811  (pytest fixtures imported from the store tests shadow by name, as pytest intends)
"""Issue 23, the payee account on the audit chain: every set or change of an applicant's payee account is a chained
`payee_account` entry, a payment names the account it was paid into, and `audit verify` catches an account row an
insider edited (no longer the last chained one) or wrote without the chain. The chain is read widely (auditors,
exports), so it keeps the number's last four digits and an HMAC under the instance's ledger key — never a value
from which the full number can be recovered without the key (an unkeyed SHA-256 is undone by trying the ~10^11
numbers the masked form leaves). Verifying without the key that made the digests says so once, not "tampered" per
account. On SQLite and PostgreSQL (the store's fixtures)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import itertools
import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from engine.model import RuleSet
from tests.store.conftest import database_url, db_engine, db_url, mini_rules, ruleset, session  # noqa: F401
from tests.store.test_bureau_store import AFTER, approve, open_call, submit
from web import settings
from web.store import account_queries, allocation_queries, queries
from web.store.models import Application, LedgerEntry

FIRST, SECOND = "6222 0212 3456 7890 123", "6217003320001234567"
BANK = "中国工商银行清远分行营业部"


def _digits(number: str) -> str:
    return number.replace(" ", "")


def _sha(number: str) -> str:
    return hashlib.sha256(_digits(number).encode()).hexdigest()


def _problems(session: Session) -> list[tuple[str, str]]:
    session.expire_all()
    return [(p.code, p.message) for p in queries.verify_chain(session).problems]


@pytest.fixture
def key_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This test's ledger key file (both backends: the PostgreSQL leg would otherwise use instance/ledger_key)."""
    path = tmp_path / "keys" / "ledger_key"
    monkeypatch.setenv("SUBSIDY_LEDGER_KEY_FILE", str(path))
    monkeypatch.delenv("SUBSIDY_LEDGER_KEY", raising=False)
    return path


def _key(path: Path) -> bytes:
    return path.read_text(encoding="ascii").strip().encode("ascii")


def _hmac(key: bytes, number: str) -> str:
    return hmac.new(key, _digits(number).encode(), hashlib.sha256).hexdigest()


@pytest.fixture
def applicant(session: Session, ruleset: RuleSet, key_file: Path) -> int:
    app_id = submit(session, ruleset, open_call(session).id, 50)
    application = session.get(Application, app_id)
    assert application is not None
    return int(application.applicant_id)


def _set(session: Session, applicant: int, number: str = FIRST, bank: str = BANK) -> Any:
    return account_queries.set_payee(session, applicant, payee_name="清远测试科技有限公司", bank_name=bank,
                                     bank_account=number)


def test_every_set_and_change_of_the_account_is_a_chained_entry(session: Session, applicant: int,
                                                                key_file: Path) -> None:
    first = _set(session, applicant)
    assert first is not None and first.before is None
    assert _set(session, applicant, _digits(FIRST)) is None  # the same account: nothing chained
    second = _set(session, applicant, SECOND, "中国农业银行清远分行")
    assert second is not None
    entries = list(session.scalars(select(LedgerEntry).where(LedgerEntry.kind == "payee_account")
                                   .order_by(LedgerEntry.chain_seq)))
    assert [e.id for e in entries] == [first.entry.id, second.entry.id]
    key = _key(key_file)  # made on first use, readable by its owner only
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600 and len(key) == 64
    key_id = hashlib.sha256(key).hexdigest()[:8]
    body = json.loads(entries[1].body)
    assert body["applicant_id"] == applicant
    assert body["payee"] == {"name": "清远测试科技有限公司", "bank": "中国农业银行清远分行", "account": "****4567",
                             "account_hmac": _hmac(key, SECOND), "key_id": key_id}
    assert body["previous"]["account"] == "****0123" and body["previous"]["account_hmac"] == _hmac(key, FIRST)
    assert queries.chain_link(session, "ledger", entries[1].id) is not None
    assert _problems(session) == []


def test_the_chain_holds_nothing_that_gives_the_number_back_without_the_key(session: Session, applicant: int) -> None:
    """Brute force as a reader of the chain would run it: the real 10^11-candidate search is too long for a test,
    so the attacker here is told all but four middle digits (10^4 candidates) and tries each candidate's SHA-256
    (and its SHA-256 under the other obvious spellings) against every value of the entry. Nothing matches."""
    _set(session, applicant)
    entry = session.scalars(select(LedgerEntry).where(LedgerEntry.kind == "payee_account")).one()
    digits = _digits(FIRST)
    values = set(_strings(json.loads(entry.body)))
    found = []
    for middle in itertools.product("0123456789", repeat=4):
        candidate = digits[:6] + "".join(middle) + digits[10:]
        for spelling in (candidate, " ".join(candidate[i:i + 4] for i in range(0, len(candidate), 4))):
            for digest in (hashlib.sha256, hashlib.sha512, hashlib.sha1, hashlib.md5):
                if digest(spelling.encode()).hexdigest() in values:
                    found.append(candidate)
    assert found == []
    assert digits not in entry.body and _sha(FIRST) not in values
    assert json.loads(entry.body)["payee"]["account"] == "****0123"  # neither the bank's prefix nor the length


def _strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [value] if isinstance(value, str) else []


@pytest.mark.parametrize(("statement", "shown"), [
    ("UPDATE applicant SET bank_account = '6217003399998888777'", "****8777"),  # the fraud: another account
    ("UPDATE applicant SET bank_account = '6222021234567000123'", "****0123"),  # same ends, only the HMAC tells
    ("UPDATE applicant SET payee_name = '别的公司'", "****0123"),
    ("UPDATE applicant SET bank_account = NULL, payee_name = NULL, bank_name = NULL", "none"),
])
def test_an_account_row_that_is_not_the_last_chained_one_is_detected(session: Session, applicant: int,
                                                                     statement: str, shown: str) -> None:
    _set(session, applicant)
    assert _problems(session) == []
    session.execute(text(statement + " WHERE id = :i"), {"i": applicant})
    session.commit()
    found = _problems(session)
    assert any(c == "ledger-mismatch" and f"applicant #{applicant}: the payee account {shown}" in m
               and "registered ****0123" in m for c, m in found), found


def test_an_account_written_without_the_chain_is_detected(session: Session, applicant: int) -> None:
    session.execute(text("UPDATE applicant SET payee_name = 'x', bank_name = :b, bank_account = :a WHERE id = :i"),
                    {"b": BANK, "a": SECOND, "i": applicant})
    session.commit()
    found = _problems(session)
    assert any(c == "ledger-mismatch" and "no payee account was ever chained" in m for c, m in found), found


def test_a_missing_ledger_key_is_reported_once_not_as_tampering(session: Session, applicant: int,
                                                                 key_file: Path) -> None:
    _set(session, applicant)
    key_id = hashlib.sha256(_key(key_file)).hexdigest()[:8]
    key_file.unlink()
    found = _problems(session)
    assert [c for c, _ in found] == ["ledger-key"], found
    assert f"1 payee account digest(s) not checked (1 with key {key_id})" in found[0][1]
    assert "this instance has no ledger key" in found[0][1] and "缺少记账时的账本密钥" in found[0][1]
    assert not key_file.exists()  # verifying never makes up a key


def test_the_cli_says_unchecked_not_broken_when_only_the_key_is_missing(session: Session, applicant: int,
                                                                       key_file: Path, db_url: str) -> None:
    from click.testing import CliRunner

    from web.cli import main

    _set(session, applicant)
    key_file.unlink()
    result = CliRunner().invoke(main, ["audit", "verify", "--db", db_url])
    assert result.exit_code != 0
    assert result.output.startswith("UNCHECKED  审计链各环完整") and "BROKEN" not in result.output, result.output


def test_a_wrong_ledger_key_is_named_and_the_visible_fields_are_still_checked(
        session: Session, applicant: int, key_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _set(session, applicant)
    made_with = hashlib.sha256(_key(key_file)).hexdigest()[:8]
    other = "f" * 64
    monkeypatch.setenv("SUBSIDY_LEDGER_KEY", other)
    found = _problems(session)
    assert [c for c, _ in found] == ["ledger-key"], found
    assert f"with key {made_with}" in found[0][1]
    assert f"this instance's key is {hashlib.sha256(other.encode()).hexdigest()[:8]}" in found[0][1]
    session.execute(text("UPDATE applicant SET bank_account = '6217003399998888777' WHERE id = :i"), {"i": applicant})
    session.commit()
    assert [c for c, _ in _problems(session)] == ["ledger-mismatch"]  # last four differ: caught without the key
    monkeypatch.delenv("SUBSIDY_LEDGER_KEY")
    assert [c for c, _ in _problems(session)] == ["ledger-mismatch"]


def test_a_payment_names_the_keyed_digest_of_the_account_it_was_paid_into(session: Session, ruleset: RuleSet,
                                                                          key_file: Path) -> None:
    reviewer = queries.create_user(session, "rita", "correct-horse-battery", "reviewer").id
    session.commit()
    call = open_call(session, budget=200_000)
    app_id = submit(session, ruleset, call.id, 51)
    approve(session, app_id, reviewer)
    allocation_queries.allocate_call(session, call.id, reviewer, AFTER)
    allocation_queries.finalize_allocation(session, call.id, reviewer, AFTER)
    line: Any = next(x for x in allocation_queries.allocation_lines(session, call.id) if x.granted)
    _set(session, line.application.applicant_id)
    payment = allocation_queries.record_payment(session, line.id, paid_on=dt.date(2025, 8, 1), amount=line.granted,
                                                voucher_no="V-P1", user_id=reviewer)
    session.commit()
    entry = session.get(LedgerEntry, payment.ledger_id)
    assert entry is not None
    payee = json.loads(entry.body)["payee"]
    assert payee["account_hmac"] == _hmac(_key(key_file), FIRST) and payee["account"] == "****0123"
    assert _sha(FIRST) not in entry.body
    assert _problems(session) == []


def test_the_ledger_key_file_beside_the_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'subsidy.db'}"
    assert settings.ledger_key(url, create=False, environ={}) is None
    key = settings.ledger_key(url, environ={})
    assert key is not None and (tmp_path / "ledger_key").read_text().strip().encode() == key
    assert settings.ledger_key(url, environ={}) == key == settings.ledger_key(url, create=False, environ={})
    assert settings.ledger_key(url, environ={"SUBSIDY_LEDGER_KEY": "k" * 32}) == b"k" * 32
    with pytest.raises(settings.InsecureSettingsError, match="SUBSIDY_LEDGER_KEY"):
        settings.ledger_key(url, environ={"SUBSIDY_LEDGER_KEY": "short"})
    assert [p.name for p in tmp_path.iterdir()] == ["ledger_key"]  # no staged file left behind


def test_an_entry_chained_before_the_ledger_key_still_verifies(session: Session, applicant: int,
                                                               key_file: Path) -> None:
    """A chain written before the key took (the number masked 4+4 and its SHA-256) is checked as it was written."""
    legacy = {"name": "清远测试科技有限公司", "bank": BANK, "account": "6222***********0123", "account_sha256": _sha(FIRST)}
    with queries.chain_transaction(session) as head:
        queries.append_ledger(session, head, "payee_account", {"applicant_id": applicant, "payee": legacy,
                                                               "previous": None})
        session.execute(text("UPDATE applicant SET payee_name = :n, bank_name = :b, bank_account = :a WHERE id = :i"),
                        {"n": legacy["name"], "b": BANK, "a": _digits(FIRST), "i": applicant})
    session.commit()
    assert _problems(session) == []
    session.execute(text("UPDATE applicant SET bank_account = '6222021234567000123' WHERE id = :i"), {"i": applicant})
    session.commit()
    assert [c for c, _ in _problems(session)] == ["ledger-mismatch"]
