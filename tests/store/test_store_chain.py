"""The audit chain: `audit verify` names the first altered, deleted or missing record."""

from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session
from storekit import decide

from engine.model import RuleSet
from web.cli import main
from web.store import queries


def _chain_of_five(session: Session, ruleset: RuleSet) -> list[int]:
    """Decisions at seq 1–4 and a review at seq 5; returns the ids of the first three decisions."""
    ids = [decide(session, ruleset).id for _ in range(3)]
    user = queries.create_user(session, "rev", "pw", "reviewer")
    session.commit()
    queries.record_review(session, application_id=decide(session, ruleset).application_id,
                          user_id=user.id, action="comment", reason="看过 / seen")
    return ids


def _sql(engine: Engine, statement: str, **params: object) -> None:
    with engine.begin() as conn:
        conn.execute(text(statement), params)


def _verify(db_url: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["audit", "verify", "--db", db_url])
    return result.exit_code, result.output


def test_an_intact_chain_verifies(session: Session, ruleset: RuleSet, db_url: str) -> None:
    assert queries.verify_chain(session).ok  # the empty chain
    _chain_of_five(session, ruleset)
    report = queries.verify_chain(session)
    assert report.ok and report.links == 5 and report.head_seq == 5
    code, output = _verify(db_url)
    assert code == 0 and "5 link(s)" in output


def test_one_edited_byte_names_the_record(session: Session, ruleset: RuleSet, db_engine: Engine,
                                          db_url: str) -> None:
    ids = _chain_of_five(session, ruleset)
    with db_engine.connect() as conn:
        stored = conn.execute(text("SELECT decision_json FROM decision WHERE id = :i"), {"i": ids[1]}).scalar_one()
    at = stored.index('"total":') + len('"total":')  # change one digit of the stored staff count
    edited = stored[:at] + ("9" if stored[at] != "9" else "8") + stored[at + 1:]
    assert len(edited) == len(stored) and sum(a != b for a, b in zip(edited, stored, strict=True)) == 1
    _sql(db_engine, "UPDATE decision SET decision_json = :j WHERE id = :i", j=edited, i=ids[1])
    report = queries.verify_chain(session)
    assert not report.ok
    first = report.first
    assert first is not None
    assert (first.code, first.seq, first.kind, first.record_id) == ("record-altered", 2, "decision", ids[1])
    assert len(report.problems) == 1  # the next link still chains to the stored hash
    code, output = _verify(db_url)
    assert code == 1 and "seq 2" in output and f"decision #{ids[1]}" in output


def test_an_edit_that_also_rewrites_the_hash_column_is_caught(session: Session, ruleset: RuleSet,
                                                              db_engine: Engine) -> None:
    ids = _chain_of_five(session, ruleset)
    _sql(db_engine, "UPDATE decision SET as_of = '2024-01-01', hash = :h WHERE id = :i", h="a" * 64, i=ids[0])
    first = queries.verify_chain(session).first
    assert first is not None and (first.code, first.seq, first.record_id) == ("record-altered", 1, ids[0])


def test_a_deleted_record_is_named(session: Session, ruleset: RuleSet, db_engine: Engine, db_url: str) -> None:
    ids = _chain_of_five(session, ruleset)
    _sql(db_engine, "DELETE FROM decision WHERE id = :i", i=ids[1])
    first = queries.verify_chain(session).first
    assert first is not None and (first.code, first.seq, first.record_id) == ("missing-record", 2, ids[1])
    code, output = _verify(db_url)
    assert code == 1 and "seq 2" in output and "no longer exists" in output


def test_a_deleted_link_and_record_leave_a_named_gap(session: Session, ruleset: RuleSet, db_engine: Engine,
                                                     db_url: str) -> None:
    ids = _chain_of_five(session, ruleset)
    _sql(db_engine, "DELETE FROM chain_link WHERE seq = 2")
    _sql(db_engine, "DELETE FROM decision WHERE id = :i", i=ids[1])
    first = queries.verify_chain(session).first
    assert first is not None and first.code == "missing-link" and first.seq == 3
    assert "seq 2 missing" in first.message
    code, output = _verify(db_url)
    assert code == 1 and "seq 2 missing" in output


def test_a_link_deleted_alone_leaves_an_unchained_record(session: Session, ruleset: RuleSet,
                                                         db_engine: Engine) -> None:
    ids = _chain_of_five(session, ruleset)
    _sql(db_engine, "DELETE FROM chain_link WHERE seq = 2")
    codes = [(p.code, p.record_id) for p in queries.verify_chain(session).problems]
    assert codes == [("missing-link", ids[2]), ("unchained-record", ids[1])]


def test_a_cut_tail_is_detected_by_the_head(session: Session, ruleset: RuleSet, db_engine: Engine) -> None:
    _chain_of_five(session, ruleset)
    _sql(db_engine, "DELETE FROM chain_link WHERE seq = 5")
    _sql(db_engine, "DELETE FROM review_action")
    first = queries.verify_chain(session).first
    assert first is not None and (first.code, first.seq) == ("tail-cut", 5)


def test_appends_continue_after_verification(session: Session, ruleset: RuleSet) -> None:
    decide(session, ruleset)
    assert queries.verify_chain(session).ok
    assert decide(session, ruleset).chain_seq == 2
    assert queries.verify_chain(session).ok
