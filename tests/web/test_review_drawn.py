"""Issue 18, the reviewer's queue drawn cheaply: the filter form and the bulk-action fields are drawn once per
language and filter values and then reused — the page stays the same as drawn afresh, a typed search is shown but
never kept, a new call or reviewer appears at once — and an application whose triage has not run yet says so."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.web.conftest import Seeded, login


@pytest.fixture
def reviewer(client: FlaskClient, seeded: Seeded) -> FlaskClient:
    login(client, "rita")
    client.get("/review/")  # the login's flash shown once
    return client


def _kept(app: Flask) -> dict[Any, Any]:
    return app.extensions.get("review.filters", {})


def _csrf_free(page: str) -> str:
    return re.sub(r'name="csrf_token" type="hidden" value="[^"]+"', "", page)


@pytest.mark.parametrize("query", ["", "?lang=en", "?status=all&sort=age", "?status=approved&flags=none&mine=y",
                                   "?status=nonsense&page=x"])
def test_a_kept_filter_form_gives_the_page_drawn_afresh(app: Flask, reviewer: FlaskClient, query: str) -> None:
    first = _csrf_free(reviewer.get(f"/review/{query}").get_data(as_text=True))
    assert _kept(app)  # drawn once, then kept
    again = _csrf_free(reviewer.get(f"/review/{query}").get_data(as_text=True))
    app.extensions.pop("review.filters")
    app.extensions.pop("review.bulk_fields", None)
    fresh = _csrf_free(reviewer.get(f"/review/{query}").get_data(as_text=True))
    assert first == again == fresh


def test_the_filter_values_are_shown_as_chosen(reviewer: FlaskClient) -> None:
    for _ in range(2):
        page = reviewer.get("/review/?status=all&sort=age").get_data(as_text=True)
        assert re.search(r'<option selected value="all">', page) and re.search(r'<option selected value="age">', page)
    page = reviewer.get("/review/?status=all").get_data(as_text=True)
    assert re.search(r'<option selected value="priority">', page)


def test_a_typed_search_is_shown_but_never_kept(app: Flask, reviewer: FlaskClient, seeded: Seeded) -> None:
    reviewer.get("/review/")
    kept = len(_kept(app))
    page = reviewer.get("/review/?q=瓷韵").get_data(as_text=True)
    assert 'value="瓷韵"' in page and len(_kept(app)) == kept
    assert "瓷韵" not in repr(_kept(app))


def test_a_new_call_and_a_new_reviewer_appear_at_once(app: Flask, reviewer: FlaskClient) -> None:
    from web.db_session import db
    from web.store import call_queries, queries
    from web.store.call_queries import LOCAL_BODIES, MeasureSpec

    before = reviewer.get("/review/").get_data(as_text=True)
    assert "第二批测试申报" not in before and "ruth" not in before
    with app.test_request_context():
        session = db()
        now = call_queries.now()
        call_queries.create_call(session, year=2025, title="第二批测试申报", body=sorted(LOCAL_BODIES)[0],
                                 opens_at=now - dt.timedelta(days=1), closes_at=now + dt.timedelta(days=30),
                                 budget=10**6, method="rank_full", measures=[MeasureSpec("qingyuan.webtest_award", None, ())],
                                 user_id=None)
        queries.create_user(session, "ruth", "correct-horse-battery", "reviewer")
        session.commit()
    after = reviewer.get("/review/").get_data(as_text=True)
    assert "第二批测试申报" in after and ">ruth</option>" in after


def test_an_application_waiting_for_its_triage_says_so(app: Flask, reviewer: FlaskClient, seeded: Seeded) -> None:
    from web.db_session import db
    from web.store import triage_due

    page = reviewer.get("/review/").get_data(as_text=True)
    assert "分诊中" not in page
    with app.test_request_context():
        triage_due.mark(db(), seeded.application_a)
        db().commit()
    page = reviewer.get("/review/").get_data(as_text=True)
    assert page.count("分诊中") == 1
    row = page[page.index(f'value="{seeded.application_a}"'):]
    assert row.index("分诊中") < row.index("</tr>")
    assert "Triage pending" in reviewer.get("/review/?lang=en").get_data(as_text=True)


def test_the_decision_fields_kept_and_after_a_refused_post(app: Flask, reviewer: FlaskClient, seeded: Seeded) -> None:
    url = f"/review/applications/{seeded.application_a}"
    first = _csrf_free(reviewer.get(url).get_data(as_text=True))
    assert app.extensions.get("review.decide_fields")
    again = _csrf_free(reviewer.get(url).get_data(as_text=True))
    app.extensions.pop("review.decide_fields")
    assert first == again == _csrf_free(reviewer.get(url).get_data(as_text=True))
    refused = reviewer.post(f"{url}/decide", data={"action": "approve", "reason": ""}).get_data(as_text=True)
    assert "每项审核操作都必须填写理由。" in refused and re.search(r'<input checked[^>]*value="approve"', refused)
    typed = reviewer.post(f"{url}/decide", data={"action": "approve", "reason": "材料待核"}).get_data(as_text=True)
    assert "材料待核</textarea>" in typed
    shown = reviewer.get(url).get_data(as_text=True)
    assert "材料待核</textarea>" not in shown and "每项审核操作都必须填写理由。" not in shown
    assert not re.search(r'<input checked[^>]*name="action"', shown)


def test_the_decision_table_kept_per_decision_and_language(app: Flask, reviewer: FlaskClient, seeded: Seeded) -> None:
    from sqlalchemy import update

    from web.db_session import db
    from web.store.models import Decision

    url = f"/review/applications/{seeded.application_a}"
    zh = reviewer.get(f"{url}?lang=zh").get_data(as_text=True)
    en = reviewer.get(f"{url}?lang=en").get_data(as_text=True)
    assert len(app.extensions["review.results"]) == 2  # one per language
    assert _csrf_free(reviewer.get(f"{url}?lang=zh").get_data(as_text=True)) == _csrf_free(zh)
    app.extensions["review.results"].clear()
    assert _csrf_free(reviewer.get(f"{url}?lang=en").get_data(as_text=True)) == _csrf_free(en)
    with app.test_request_context():  # a different stored JSON is another table, never the one kept
        session = db()
        stored = session.scalars(db().query(Decision).filter(Decision.application_id == seeded.application_a)
                                 .statement).all()[-1]
        data = stored.decision_json
        assert '"outcome":"eligible"' in data
        session.execute(update(Decision).where(Decision.id == stored.id)
                        .values(decision_json=data.replace('"outcome":"eligible"', '"outcome":"ineligible"')))
        session.commit()
    changed = reviewer.get(f"{url}?lang=zh").get_data(as_text=True)
    assert changed != zh and len(app.extensions["review.results"]) == 2
