"""Issue 23, the reviewer's queue for thousands, on SQLite and PostgreSQL: filtered, searched, sorted and paged in
the database with a fixed number of queries per page (no query per row); bulk acts with a result per
application; review stages per call with who may act; 复议 (appeal) on a rejected application."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session
from test_bureau_store import MEASURE, code, open_call, submit

from engine import lifecycle
from engine.model import RuleSet
from web.store import queries, review_queries, web_queries
from web.store.models import Applicant, Application, TriageFlag, TriageRun
from web.store.queries import StoreError
from web.store.web_queries import QueueQuery

T0 = dt.datetime(2025, 6, 1, 8, 0)


@pytest.fixture
def users(session: Session) -> dict[str, int]:
    out = {name: queries.create_user(session, name, "correct-horse-battery", "reviewer").id for name in ("rita", "ravi")}
    session.commit()
    return out


def _many(session: Session, n: int, call_id: int | None = None) -> list[int]:
    """n applications straight into the tables (no decision): priorities 0..4, one a minute, every 7th approved."""
    ids = []
    for i in range(n):
        applicant = Applicant(kind="enterprise", party="organisation", name=f"清远队列{i:03d}号科技有限公司",
                              credit_code=code(500 + i), identity_digest=f"{500 + i:064x}")
        session.add(applicant)
        session.flush()
        application = Application(applicant_id=applicant.id, measures=[MEASURE], priority=i % 5, call_id=call_id,
                                  status="approved" if i % 7 == 6 else "decided", submitted_at=T0 + dt.timedelta(minutes=i))
        session.add(application)
        session.flush()
        ids.append(application.id)
    session.commit()
    return ids


def _ids(page: Any) -> list[int]:
    return [r.application_id for r in page.rows]


def test_sort_page_search_and_filter_in_the_database(session: Session) -> None:
    call = open_call(session)
    ids = _many(session, 45, call.id)
    open_ids = [a for i, a in enumerate(ids) if i % 7 != 6]
    first = web_queries.queue_page(session, QueueQuery())
    assert (first.total, first.pages, len(first.rows)) == (len(open_ids), 2, 20)
    by_priority = sorted(open_ids, key=lambda a: (-(ids.index(a) % 5), ids.index(a)))
    assert _ids(first) == by_priority[:20]
    assert _ids(web_queries.queue_page(session, QueueQuery(sort="age", page_size=5))) == open_ids[:5]
    assert _ids(web_queries.queue_page(session, QueueQuery(sort="newest", page_size=3))) == open_ids[::-1][:3]
    last = web_queries.queue_page(session, QueueQuery(page=9))
    assert last.page == 2 and len(last.rows) == len(open_ids) - 20
    assert web_queries.queue_page(session, QueueQuery(status="all")).total == 45
    assert _ids(web_queries.queue_page(session, QueueQuery(search="队列012号"))) == [ids[12]]
    assert _ids(web_queries.queue_page(session, QueueQuery(search=code(503)))) == [ids[3]]
    assert _ids(web_queries.queue_page(session, QueueQuery(search=f"#{ids[4]}"))) == [ids[4]]
    assert web_queries.queue_page(session, QueueQuery(call_id=call.id + 1)).total == 0
    assert web_queries.queue_page(session, QueueQuery(measures=("national.other",))).total == 0
    assert web_queries.queue_page(session, QueueQuery(measures=(MEASURE,))).total == len(open_ids)
    run = TriageRun(today=T0.date(), triage_ruleset_hash="0" * 64, inputs_hash="0" * 64, engine_used="t",
                    applications=1, flags=1)
    session.add(run)
    session.flush()
    session.add(TriageFlag(application_id=ids[1], run_id=run.id, rule_id="shared_phone", severity="info",
                           route="verify", priority_delta=2, message_zh="同一电话", message_en="same phone", details={},
                           triage_ruleset_hash="0" * 64, inputs_hash="0" * 64))
    session.commit()
    assert _ids(web_queries.queue_page(session, QueueQuery(flags="shared_phone"))) == [ids[1]]
    assert _ids(web_queries.queue_page(session, QueueQuery(flags="any"))) == [ids[1]]
    assert web_queries.queue_page(session, QueueQuery(flags="none")).total == len(open_ids) - 1
    (row,) = web_queries.queue_page(session, QueueQuery(flags="any")).rows
    assert [f.message_zh for f in row.flags] == ["同一电话"]


@contextmanager
def _counting(session: Session) -> Iterator[list[str]]:
    statements: list[str] = []
    engine = session.get_bind()

    def count(*args: Any) -> None:
        if not str(args[2]).startswith(("BEGIN", "SAVEPOINT", "RELEASE")):
            statements.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_a_page_costs_the_same_queries_whatever_its_size(session: Session) -> None:
    _many(session, 60)
    session.expire_all()
    with _counting(session) as small:
        web_queries.queue_page(session, QueueQuery(page_size=5))
    session.expire_all()
    with _counting(session) as large:
        web_queries.queue_page(session, QueueQuery(page_size=50))
    assert len(small) == len(large) <= 6, large


def test_bulk_acts_report_each_application(session: Session, ruleset: RuleSet, users: dict[str, int]) -> None:
    call = open_call(session)
    apps = [submit(session, ruleset, call.id, n) for n in (60, 61, 62)]
    for app_id in apps[:2]:
        queries.record_review(session, application_id=app_id, user_id=users["rita"], action="reopen", reason="start")
    results = review_queries.bulk(session, apps, "request_info", users["rita"], "请补充盖章申报表")
    assert [(r.application_id, r.ok) for r in results] == [(apps[0], True), (apps[1], True), (apps[2], False)]
    assert "待补充材料" in str(results[2].message.zh) or "info" in str(results[2].message.en)
    assigned = review_queries.bulk(session, apps, "assign", users["rita"], "", reviewer_id=users["ravi"])
    assert all(r.ok for r in assigned)
    mine = web_queries.queue_page(session, QueueQuery(assigned_to=users["ravi"], status="all"))
    assert sorted(_ids(mine)) == sorted(apps) and {r.assigned for r in mine.rows} == {"ravi"}
    with pytest.raises(StoreError):
        review_queries.bulk(session, apps, "approve", users["rita"], "x")
    assert queries.verify_chain(session).ok


def test_review_stages_and_who_may_act(session: Session, ruleset: RuleSet, users: dict[str, int]) -> None:
    call = open_call(session)
    review_queries.set_stages(session, call.id, [{"zh": "初审", "en": "first", "users": []},
                                                 {"zh": "复审", "en": "second", "users": [users["ravi"]]}])
    session.commit()
    app_id = submit(session, ruleset, call.id, 70)
    queries.record_review(session, application_id=app_id, user_id=users["rita"], action="reopen", reason="start")
    application = session.get(Application, app_id)
    assert application is not None
    refusal = review_queries.stage_refusal(session, application, users["rita"], "approve")
    assert refusal is not None and "复审" in refusal[0]
    review_queries.next_stage(session, app_id, users["rita"], "初审通过")
    session.refresh(application)
    assert application.stage == 1
    refusal = review_queries.stage_refusal(session, application, users["rita"], "approve")
    assert refusal is not None and "指定的审核人员" in refusal[0]
    assert review_queries.stage_refusal(session, application, users["ravi"], "approve") is None
    with pytest.raises(StoreError) as last:
        review_queries.next_stage(session, app_id, users["ravi"], "again")
    assert last.value.code == "last-stage"


def test_an_appeal_reopens_a_rejected_application(session: Session, ruleset: RuleSet, users: dict[str, int]) -> None:
    call = open_call(session)
    app_id = submit(session, ruleset, call.id, 80)
    with pytest.raises(lifecycle.LifecycleError):
        review_queries.open_appeal(session, app_id, users["rita"], "not yet decided")
    queries.record_review(session, application_id=app_id, user_id=users["rita"], action="reopen", reason="start")
    queries.record_review(session, application_id=app_id, user_id=users["rita"], action="reject", reason="不符合")
    review_queries.open_appeal(session, app_id, users["rita"], "申请人提交复议申请及补充证明")
    application = session.get(Application, app_id)
    assert application is not None and application.status == "appeal"
    queries.record_review(session, application_id=app_id, user_id=users["rita"], action="reopen", reason="复议受理")
    session.refresh(application)
    assert application.status == "in_review"
    assert [r.action for r in queries.list_reviews(session, app_id)] == ["reopen", "reject", "appeal", "reopen"]
    assert queries.verify_chain(session).ok


