"""Issue 14 point 6: chain rows reordered — two links swapped in place, or two links pointing at each other's
records — are named by `subsidy audit verify` (seq, kind, record), on SQLite and PostgreSQL. Rows merely stored
in another physical order are not tampering and still verify."""

from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session
from storekit import decide

from engine.model import RuleSet
from web.cli import main
from web.store import queries


def _chain_of_four(session: Session, ruleset: RuleSet) -> list[int]:
    ids = [decide(session, ruleset).id for _ in range(4)]
    assert queries.verify_chain(session).ok
    return ids


def _verify(db_url: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["audit", "verify", "--db", db_url])
    return result.exit_code, result.output


def _link(engine: Engine, seq: int) -> tuple[str, int]:
    with engine.connect() as conn:
        row = conn.execute(text("SELECT kind, record_id FROM chain_link WHERE seq = :s"), {"s": seq}).one()
    return row.kind, row.record_id


def test_two_links_swapped_in_place_are_named(session: Session, ruleset: RuleSet, db_engine: Engine,
                                              db_url: str) -> None:
    _chain_of_four(session, ruleset)
    second, third = _link(db_engine, 2), _link(db_engine, 3)
    with db_engine.begin() as conn:  # seq is the primary key: move one aside first
        conn.execute(text("UPDATE chain_link SET seq = -1 WHERE seq = 2"))
        conn.execute(text("UPDATE chain_link SET seq = 2 WHERE seq = 3"))
        conn.execute(text("UPDATE chain_link SET seq = 3 WHERE seq = -1"))
    report = queries.verify_chain(session)
    first = report.first
    assert not report.ok and first is not None
    assert (first.seq, first.kind, first.record_id) == (2, *third)  # the record now standing at seq 2
    assert first.code in ("prev-mismatch", "record-altered")
    assert any(p.seq == 3 and (p.kind, p.record_id) == second for p in report.problems)
    code, output = _verify(db_url)
    assert code == 1 and "seq 2" in output and f"decision #{third[1]}" in output


def test_links_pointing_at_each_others_records_are_named(session: Session, ruleset: RuleSet, db_engine: Engine,
                                                         db_url: str) -> None:
    ids = _chain_of_four(session, ruleset)
    with db_engine.begin() as conn:  # (kind, record_id) is unique: park one on an unused id first
        conn.execute(text("UPDATE chain_link SET record_id = -1 WHERE seq = 2"))
        conn.execute(text("UPDATE chain_link SET record_id = :a WHERE seq = 3"), {"a": ids[1]})
        conn.execute(text("UPDATE chain_link SET record_id = :b WHERE seq = 2"), {"b": ids[2]})
    report = queries.verify_chain(session)
    first = report.first
    assert not report.ok and first is not None
    assert (first.code, first.seq, first.record_id) == ("record-altered", 2, ids[2])
    code, output = _verify(db_url)
    assert code == 1 and "seq 2" in output and f"decision #{ids[2]}" in output


def test_rows_stored_in_another_physical_order_still_verify(session: Session, ruleset: RuleSet,
                                                            db_engine: Engine) -> None:
    _chain_of_four(session, ruleset)
    with db_engine.begin() as conn:  # rewrite the table with its rows inserted newest first
        rows = conn.execute(text("SELECT seq, kind, record_id, prev_hash, hash, created_at FROM chain_link")).all()
        conn.execute(text("DELETE FROM chain_link"))
        for row in sorted(rows, key=lambda r: -r.seq):
            conn.execute(text("INSERT INTO chain_link (seq, kind, record_id, prev_hash, hash, created_at) "
                              "VALUES (:seq, :kind, :record_id, :prev_hash, :hash, :created_at)"), row._asdict())
    report = queries.verify_chain(session)
    assert report.ok and report.links == 4
