"""Issue 18, the reviewer's application page reads each thing once, on SQLite and PostgreSQL: its approvable lines
from the latest decision the page has already loaded (the same lines as reading it again), and its call in one
statement."""

from __future__ import annotations

from sqlalchemy.orm import Session
from test_bureau_queue import _counting
from test_bureau_store import open_call, submit

from engine.model import RuleSet
from web.store import allocation_queries, review_queries, web_queries


def test_approvable_lines_from_the_decision_already_read(session: Session, ruleset: RuleSet) -> None:
    call = open_call(session)
    application_id = submit(session, ruleset, call.id, 70)
    session.expire_all()
    application = web_queries.application_of(session, application_id)
    assert application is not None and application.decisions
    with _counting(session) as reading:
        read_here = allocation_queries.approvable_lines(session, application_id)
    with _counting(session) as given:
        from_page = allocation_queries.approvable_lines(session, application_id, application.decisions[-1])
    assert from_page == read_here and [line.measure_id for line in from_page]
    assert any("FROM decision" in s for s in reading) and not any("FROM decision" in s for s in given), given


def test_the_call_in_one_statement(session: Session) -> None:
    call = open_call(session)
    call_id, title = call.id, call.title
    session.expire_all()
    with _counting(session) as statements:
        found = review_queries.call_of(session, call_id)
    assert found is not None and (found.id, found.title) == (call_id, title) and len(statements) == 1, statements
    assert review_queries.stages_of(found) == review_queries.DEFAULT_STAGES
    assert review_queries.call_of(session, None) is None


def test_an_application_with_its_applicant_decisions_and_reviewers_in_three_statements(session: Session,
                                                                                        ruleset: RuleSet) -> None:
    from web.store import queries

    call = open_call(session)
    application_id = submit(session, ruleset, call.id, 71)
    reviewer = queries.create_user(session, "rosa", "correct-horse-battery", "reviewer").id
    session.commit()
    for reason in ("first look", "second look"):
        queries.record_review(session, application_id=application_id, user_id=reviewer, action="comment", reason=reason)
    session.expire_all()
    with _counting(session) as statements:
        application = web_queries.application_of(session, application_id)
        assert application is not None
        seen = (application.applicant.name, len(application.decisions), [(r.reason, r.user.username)
                                                                          for r in application.reviews])
    assert seen == ("清远测试71号科技有限公司", 1, [("first look", "rosa"), ("second look", "rosa")])
    assert len(statements) == 3, statements
