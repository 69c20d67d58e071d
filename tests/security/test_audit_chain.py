# ruff: noqa: F811  (pytest fixtures imported from the store tests shadow by name, as pytest intends)
"""Issue 19 #4, #10, #11: what `audit verify` catches in a database an insider edited — a payment's amount, a
material's hash, the name frozen for the 公示, a status — and a cut tail against a published head; the status
history replayed against the statechart. On SQLite and PostgreSQL (the store's fixtures)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import text
from sqlalchemy.orm import Session

from engine.model import RuleSet
from tests.store.conftest import database_url, db_engine, db_url, mini_rules, ruleset, session  # noqa: F401
from tests.store.test_bureau_store import AFTER, approve, open_call, submit
from web.cli import main
from web.store import allocation_queries, queries
from web.store.models import Allocation, Application, Payment

LATER = AFTER + dt.timedelta(days=10)


@pytest.fixture
def paid(session: Session, ruleset: RuleSet) -> dict[str, Any]:
    """A call allocated, its 公示 over, one line paid — every step through the store's own functions."""
    reviewer = queries.create_user(session, "rita", "correct-horse-battery", "reviewer").id
    session.commit()
    call = open_call(session, budget=200_000, notice_days=5)
    apps = [submit(session, ruleset, call.id, n) for n in (30, 31)]
    for app_id in apps:
        approve(session, app_id, reviewer)
    allocation_queries.allocate_call(session, call.id, reviewer, AFTER)
    allocation_queries.finalize_allocation(session, call.id, reviewer, LATER)
    line = next(x for x in allocation_queries.allocation_lines(session, call.id) if x.granted)
    payment = allocation_queries.record_payment(session, line.id, paid_on=dt.date(2025, 8, 1), amount=line.granted,
                                                voucher_no="V-19", user_id=reviewer)
    session.commit()
    return {"call": call.id, "line": line.id, "payment": payment.id, "app": line.application_id}


def _problems(session: Session, **kwargs: Any) -> list[tuple[str, str]]:
    session.expire_all()
    return [(p.code, p.message) for p in queries.verify_chain(session, **kwargs).problems]


def test_the_honest_history_verifies_including_every_status_step(session: Session, paid: dict[str, Any]) -> None:
    assert _problems(session) == []
    application = session.get(Application, paid["app"])
    assert application is not None and application.status == "paid"


@pytest.mark.parametrize(("statement", "code", "words"), [
    ("UPDATE payment SET amount = amount - 1", "ledger-mismatch", "amount"),
    ("UPDATE payment SET voucher_no = 'V-FAKE'", "ledger-mismatch", "voucher_no"),
    ("UPDATE material SET sha256 = '" + "f" * 64 + "' WHERE id = (SELECT MIN(id) FROM material)", "ledger-mismatch",
     "material"),
    ("UPDATE allocation SET name = '改名后的公司' WHERE granted > 0", "ledger-mismatch", "公示"),
    ("UPDATE allocation SET granted = granted + 1 WHERE granted > 0", "ledger-mismatch", "granted"),
    ("UPDATE application SET status = 'approved' WHERE status = 'paid'", "status-altered", "approved"),
])
def test_an_edit_in_the_database_is_detected(session: Session, paid: dict[str, Any], statement: str, code: str,
                                             words: str) -> None:
    session.execute(text(statement))
    session.commit()
    found = _problems(session)
    assert any(c == code and words in m for c, m in found), found


def test_an_illegal_status_step_is_named(session: Session, ruleset: RuleSet) -> None:
    """A code path (or an insider with the app) that jumps a status inside a chain transaction: logged, then named."""
    call = open_call(session)
    app_id = submit(session, ruleset, call.id, 40)
    with queries.chain_transaction(session):
        application = session.get(Application, app_id)
        assert application is not None
        application.status = "paid"  # decided → paid skips review, allocation and funding
    found = _problems(session)
    assert any(c == "status-illegal" and f"application #{app_id}: decided → paid" in m for c, m in found), found


def test_a_status_changed_outside_the_chain_is_reported(session: Session, ruleset: RuleSet) -> None:
    app_id = submit(session, ruleset, open_call(session).id, 41)
    application = session.get(Application, app_id)
    assert application is not None
    application.status = "approved"
    session.commit()  # no chain lock: not logged
    assert any(c == "status-altered" for c, _m in _problems(session))


def test_a_cut_tail_is_detected_against_the_published_head(session: Session, paid: dict[str, Any],
                                                           db_url: str) -> None:
    runner = CliRunner()
    published = runner.invoke(main, ["audit", "head", "--db", db_url])
    assert published.exit_code == 0, published.output
    head_hash = published.output.split()[0]
    assert len(head_hash) == 64
    # the insider removes the payment (its link, its ledger entry, the row) and rewrites the head to the new tail
    last = session.execute(text("SELECT seq, kind, record_id, prev_hash FROM chain_link ORDER BY seq DESC")).first()
    assert last is not None and last.kind == "ledger"
    session.execute(text("DELETE FROM payment"))
    session.execute(text("DELETE FROM chain_link WHERE seq = :s"), {"s": last.seq})
    session.execute(text("DELETE FROM ledger_entry WHERE id = :i"), {"i": last.record_id})
    session.execute(text("UPDATE chain_head SET seq = :s, hash = :h"), {"s": last.seq - 1, "h": last.prev_hash})
    session.execute(text("UPDATE application SET status = 'funded' WHERE status = 'paid'"))
    session.execute(text("DELETE FROM status_change WHERE new_status = 'paid'"))
    session.execute(text("UPDATE chain_head SET status_seq = (SELECT MAX(chain_seq) FROM status_change), "
                         "status_hash = (SELECT hash FROM status_change ORDER BY chain_seq DESC LIMIT 1)"))
    session.commit()
    assert not any(c != "status-log" for c, _m in _problems(session))  # without the published head: only the log
    plain = runner.invoke(main, ["audit", "verify", "--db", db_url, "--head", head_hash])
    assert plain.exit_code == 1 and "公布的链头不在链上" in plain.output, plain.output
    assert Payment.__tablename__ and Allocation.__tablename__  # the tables the fixture filled
