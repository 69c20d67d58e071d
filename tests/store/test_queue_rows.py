"""Issue 18, the reviewer's queue in three statements, on SQLite and PostgreSQL: a page's rows give the latest
decision's stacking total (as decoding the whole JSON gives it, a hand-written dump too), say which applications
still wait for their triage, and count the matching applications with the page (a page past the last gives the
last)."""

from __future__ import annotations

import json

from sqlalchemy import update
from sqlalchemy.orm import Session
from test_bureau_queue import _counting, _many
from test_bureau_store import open_call, submit

from engine.model import RuleSet
from web.store import triage_due, web_queries
from web.store.models import Decision, TriageDue
from web.store.web_queries import QueueQuery


def _rows(session: Session, **query: object) -> dict[int, web_queries.QueueLine]:
    return {r.application_id: r for r in web_queries.queue_page(session, QueueQuery(**query)).rows}  # type: ignore[arg-type]


def _latest(session: Session, application_id: int) -> Decision:
    return max(session.query(Decision).filter(Decision.application_id == application_id), key=lambda d: d.id)


def test_the_stacking_total_as_the_whole_json_gives_it(session: Session, ruleset: RuleSet) -> None:
    call = open_call(session)
    stored, canonical, spaced, without = (submit(session, ruleset, call.id, n) for n in (60, 61, 62, 65))
    data = json.loads(_latest(session, stored).decision_json)
    rewritten = {
        canonical: json.dumps({**data, "stacking": {**data["stacking"], "total": 2_000_000}}, ensure_ascii=False,
                              sort_keys=True, separators=(",", ":")),
        spaced: json.dumps({**data, "stacking": {"total": 12_345}}),  # a hand-written dump: ", " and ": "
        without: json.dumps({k: v for k, v in data.items() if k != "stacking"}),
    }
    for application_id, text in rewritten.items():
        session.execute(update(Decision).where(Decision.application_id == application_id).values(decision_json=text))
    session.commit()
    rows = _rows(session)
    assert [rows[a].amount for a in (stored, canonical, spaced, without)] == \
        [int(data["stacking"]["total"]), 2_000_000, 12_345, 0]
    assert rows[stored].outcomes == json.loads(_latest(session, stored).outcomes_json)


def test_a_row_says_whether_its_triage_is_pending(session: Session, ruleset: RuleSet) -> None:
    call = open_call(session)
    waiting, triaged = (submit(session, ruleset, call.id, n) for n in (63, 64))
    session.query(TriageDue).filter(TriageDue.application_id == triaged).delete()
    triage_due.mark(session, waiting)
    session.commit()
    rows = _rows(session)
    assert (rows[waiting].triage_pending, rows[triaged].triage_pending) == (True, False)
    assert triage_due.pending(session, [waiting, triaged]) == {waiting}  # the same meaning as H4's reader


def test_count_and_page_in_one_statement_and_past_the_last_page(session: Session) -> None:
    ids = _many(session, 45)
    open_ids = [a for i, a in enumerate(ids) if i % 7 != 6]
    session.expire_all()
    with _counting(session) as statements:
        first = web_queries.queue_page(session, QueueQuery())
    assert (first.total, first.pages, first.page, len(first.rows)) == (len(open_ids), 2, 1, 20)
    assert len(statements) == 3, statements  # page of ids with the count, rows, flags
    past = web_queries.queue_page(session, QueueQuery(page=9, sort="age"))
    assert (past.total, past.page, [r.application_id for r in past.rows]) == (len(open_ids), 2, open_ids[20:])
    none = web_queries.queue_page(session, QueueQuery(search="没有这个名字", page=3))
    assert (none.total, none.page, none.pages, none.rows) == (0, 1, 1, [])
