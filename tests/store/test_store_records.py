"""Applicants, applications, decisions, snapshots, reviews and users through web.store.queries."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from storekit import AS_OF, MINI_MEASURE, PROFILE, decide

from engine import evaluate, parse_profile
from engine.loader import load_from_texts
from engine.model import RuleSet
from web.store import queries
from web.store.models import ChainLink, ReviewAction, RulesetSnapshot, utcnow

TALENT = {"kind": "talent", "name": "张三", "person": {"name": "张三", "id_number": "441802199001011239"}}


def test_decide_stores_applicant_application_decision_and_snapshot(session: Session, ruleset: RuleSet) -> None:
    row = decide(session, ruleset)
    assert row.id and row.chain_seq == 1 and len(row.hash) == 64
    applicant = row.application.applicant
    assert (applicant.kind, applicant.party, applicant.credit_code) == ("enterprise", "organisation",
                                                                        "91441802MA0000031T")
    assert row.application.status == "decided" and row.application.measures == []
    assert row.ruleset_hash == ruleset.hash and row.as_of == AS_OF
    stored = json.loads(row.decision_json)
    assert stored["results"][0]["outcome"] == "ineligible"  # 8.5 staff < 10
    assert json.loads(row.outcomes_json) == {"national.demo_staff": "ineligible"}
    assert json.loads(row.profile_json)["staff"] == {"total": 8.5}
    assert queries.ruleset_snapshot(session, ruleset.hash) == ruleset.snapshot


def test_ruleset_snapshot_is_stored_once_and_applicant_found_again(session: Session, ruleset: RuleSet) -> None:
    first, second = decide(session, ruleset), decide(session, ruleset)
    assert session.scalar(select(func.count()).select_from(RulesetSnapshot)) == 1
    assert first.application.applicant_id == second.application.applicant_id
    assert first.application_id != second.application_id
    assert second.prev_hash == first.hash and second.chain_seq == 2


def test_person_identifier_is_stored_masked_only(session: Session, ruleset: RuleSet) -> None:
    applicant = decide(session, ruleset, TALENT).application.applicant
    assert applicant.party == "person" and applicant.credit_code is None
    assert applicant.id_number_masked == "441802********1239"
    row = session.execute(text("SELECT * FROM applicant")).mappings().one()
    assert "441802199001011239" not in json.dumps({k: str(v) for k, v in row.items()})
    assert [a.id for a in queries.find_applicants(session, "441802199001011239")] == [applicant.id]


def test_list_decisions_filters_by_applicant_code(session: Session, ruleset: RuleSet) -> None:
    company = decide(session, ruleset)
    person = decide(session, ruleset, TALENT)
    assert [d.id for d in queries.list_decisions(session)] == [company.id, person.id]
    assert [d.id for d in queries.list_decisions(session, applicant="91441802ma0000031t")] == [company.id]
    assert queries.list_decisions(session, applicant="91440300708461136T") == []
    assert len(queries.list_decisions(session, ruleset_hash=company.ruleset_hash[:8])) == 2


def test_review_action_without_reason_is_refused(session: Session, ruleset: RuleSet) -> None:
    row = decide(session, ruleset)
    user = queries.create_user(session, "rev", "pw", "reviewer")
    session.commit()
    for reason in ("", "   ", "\n\t"):
        with pytest.raises(queries.StoreError) as info:
            queries.record_review(session, application_id=row.application_id, user_id=user.id, action="approve",
                                  reason=reason)
        assert info.value.code == "reason-required"
    assert queries.chain_head(session)[0] == 1  # nothing appended


def test_database_refuses_a_blank_reason_even_past_the_queries(session: Session, ruleset: RuleSet) -> None:
    row = decide(session, ruleset)
    user = queries.create_user(session, "rev", "pw", "reviewer")
    session.add(ReviewAction(application_id=row.application_id, user_id=user.id, action="comment", reason="  ",
                             chain_seq=99, prev_hash="0" * 64, hash="f" * 64, created_at=utcnow()))
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


def test_review_action_is_chained_and_moves_the_status(session: Session, ruleset: RuleSet) -> None:
    row = decide(session, ruleset)
    user = queries.create_user(session, "rev", "pw", "reviewer")
    session.commit()
    opened = queries.record_review(session, application_id=row.application_id, user_id=user.id, action="reopen",
                                   reason="开始审核 / review started", decision_id=row.id)
    review = queries.record_review(session, application_id=row.application_id, user_id=user.id, action="reject",
                                   reason="职工人数不足 / too few staff", decision_id=row.id)
    assert (opened.chain_seq, opened.prev_hash) == (2, row.hash)
    assert review.chain_seq == 3 and review.prev_hash == opened.hash
    assert queries.get_application(session, row.application_id).status == "rejected"
    link = session.scalars(select(ChainLink).where(ChainLink.seq == 3)).one()
    assert (link.kind, link.record_id, link.hash) == ("review", review.id, review.hash)
    assert [r.reason for r in queries.list_reviews(session, row.application_id)] == [
        "开始审核 / review started", "职工人数不足 / too few staff"]


def test_a_decided_application_cannot_be_rejected_before_review_starts(session: Session, ruleset: RuleSet) -> None:
    """The statechart: the engine's decision (screened) moves only into review; a reviewer's verdict comes after."""
    row = decide(session, ruleset)
    user = queries.create_user(session, "rev", "pw", "reviewer")
    session.commit()
    with pytest.raises(Exception) as refused:
        queries.record_review(session, application_id=row.application_id, user_id=user.id, action="reject",
                              reason="too early", decision_id=row.id)
    assert "审核" in str(refused.value) or "review" in str(refused.value)
    session.rollback()
    assert queries.get_application(session, row.application_id).status == "decided"


def test_unknown_review_action_and_application_are_refused(session: Session, ruleset: RuleSet) -> None:
    row = decide(session, ruleset)
    user = queries.create_user(session, "rev", "pw", "reviewer")
    session.commit()
    with pytest.raises(queries.StoreError):
        queries.record_review(session, application_id=row.application_id, user_id=user.id, action="bless",
                              reason="why not")
    with pytest.raises(queries.NotFound):
        queries.record_review(session, application_id=999, user_id=user.id, action="comment", reason="x")


def test_users_authenticate_with_hashed_passwords(session: Session, ruleset: RuleSet) -> None:
    applicant_id = decide(session, ruleset).application.applicant_id
    queries.create_user(session, "acme", "s3cret", "applicant", applicant_id=applicant_id)
    session.commit()
    user = queries.get_user(session, "acme")
    assert user is not None and user.password_hash != "s3cret"
    assert queries.authenticate(session, "acme", "s3cret") is not None
    assert queries.authenticate(session, "acme", "wrong") is None
    with pytest.raises(queries.StoreError):
        queries.create_user(session, "x", "y", "superuser")


def test_an_applicant_user_must_name_its_applicant(session: Session) -> None:
    queries.create_user(session, "reviewer", "pw", "reviewer")
    with pytest.raises(IntegrityError):
        queries.create_user(session, "orphan", "pw", "applicant")
    session.rollback()


def test_is_empty(session: Session, ruleset: RuleSet) -> None:
    assert queries.is_empty(session)
    decide(session, ruleset)
    assert not queries.is_empty(session)


def test_a_decision_from_another_ruleset_is_refused(session: Session, ruleset: RuleSet) -> None:
    other = load_from_texts({"national/demo_staff.yaml": MINI_MEASURE.replace("value: 10,", "value: 5,")})
    assert other.hash != ruleset.hash
    parsed = parse_profile(PROFILE, AS_OF)
    with pytest.raises(queries.StoreError):
        queries.submit_and_decide(session, profile=parsed.profile, profile_data=PROFILE, ruleset=ruleset,
                                  decision=evaluate(other, parsed, AS_OF), checked_on=AS_OF)
