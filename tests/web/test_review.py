"""The reviewer's journey with the test client: the queue's filters, sorting and paging; an application's
file; decisions with mandatory reasons, moved through the lifecycle statechart and recorded on the chain."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.web.conftest import Seeded, login


@pytest.fixture
def reviewer(client: FlaskClient, seeded: Seeded) -> FlaskClient:
    login(client, "rita")
    return client


def _ids(page: str) -> list[int]:
    return [int(i) for i in re.findall(r'<a href="/review/applications/(\d+)">', page)]


def test_the_queue_lists_open_applications(reviewer: FlaskClient, seeded: Seeded) -> None:
    page = reviewer.get("/review/").get_data(as_text=True)
    assert sorted(_ids(page)) == [seeded.application_a, seeded.application_b]
    assert "瓷韵" in page and "已初筛，待审核" in page


@pytest.mark.parametrize(("query", "expected"), [
    ("outcome=eligible&measure=qingyuan.webtest_award", None),  # checked against the stored outcomes below
    ("issuer=qingyuan", ["a", "b"]),
    ("status=approved", []),
    ("status=all", ["a", "b"]),
    ("age=30", []),
    ("flags=any", []),  # no triage run in these tests
    ("flags=none", ["a", "b"]),
])
def test_queue_filters(app: Any, reviewer: FlaskClient, seeded: Seeded, query: str, expected: list[str] | None) -> None:
    ids = {"a": seeded.application_a, "b": seeded.application_b}
    page = reviewer.get(f"/review/?{query}").get_data(as_text=True)
    if expected is None:
        from web.db_session import db
        from web.store import web_queries

        with app.test_request_context():
            rows = web_queries.queue_rows(db())
        expected_ids = [r.application_id for r in rows if r.outcomes.get("qingyuan.webtest_award") == "eligible"]
        assert expected_ids  # the seed has at least one
    else:
        expected_ids = [ids[k] for k in expected]
    assert sorted(_ids(page)) == sorted(expected_ids)


def test_an_unknown_filter_value_is_ignored_not_an_error(reviewer: FlaskClient) -> None:
    assert reviewer.get("/review/?status=nonsense&sort=nonsense&page=x").status_code == 200


def test_queue_pages_keep_the_filters(reviewer: FlaskClient, seeded: Seeded, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("web.review.queue.PAGE_SIZE", 1)
    page = reviewer.get("/review/?sort=age&issuer=qingyuan").get_data(as_text=True)
    assert 'href="/review/?sort=age&amp;issuer=qingyuan&amp;page=2"' in page
    second = reviewer.get("/review/?sort=age&issuer=qingyuan&page=2").get_data(as_text=True)
    assert len(_ids(second)) == 1 and "第 2 / 2 页" in second


def test_the_application_page_shows_profile_trace_flags_and_history(reviewer: FlaskClient, seeded: Seeded) -> None:
    page = reviewer.get(f"/review/applications/{seeded.application_a}").get_data(as_text=True)
    for text in ("91441802MA00000155", "判断过程", "现行标准", "没有分诊提示", "办理记录", "系统判断",
                 "当前状态可变为：审核中", "审核阶段"):
        assert text in page, text
    assert "staff.total" not in page  # the trace reads in words, never a field id (issue 20)


def test_a_decision_moves_through_the_statechart(reviewer: FlaskClient, seeded: Seeded) -> None:
    url = f"/review/applications/{seeded.application_a}"
    refused = reviewer.post(f"{url}/decide", data={"action": "approve", "reason": "looks fine"})
    assert refused.status_code == 409
    assert "申报状态不能从“已初筛”变为“已决定：通过”" in refused.get_data(as_text=True)
    for action, status in (("start", "审核中"), ("request_info", "待补充材料")):
        response = reviewer.post(f"{url}/decide", data={"action": action, "reason": f"reason for {action}"})
        assert response.status_code == 302
        assert status in reviewer.get(url).get_data(as_text=True)
    page = reviewer.get(url).get_data(as_text=True)
    assert "reason for request_info" in page and "要求补充材料" in page


def test_approve_and_reject_are_recorded_on_the_chain(app: Any, reviewer: FlaskClient, seeded: Seeded) -> None:
    from web.db_session import db
    from web.store import queries

    for application, action in ((seeded.application_a, "approve"), (seeded.application_b, "reject")):
        url = f"/review/applications/{application}/decide"
        reviewer.post(url, data={"action": "start", "reason": "taking it"})
        assert reviewer.post(url, data={"action": action, "reason": f"{action}: documents complete"}).status_code == 302
    with app.test_request_context():
        reviews = queries.list_reviews(db(), seeded.application_a)
        assert [r.action for r in reviews] == ["reopen", "approve"] and reviews[-1].reason == "approve: documents complete"
        assert queries.verify_chain(db()).ok
    assert reviewer.get("/review/").get_data(as_text=True).count("/review/applications/") == 0  # both closed
    closed = reviewer.get("/review/?status=all").get_data(as_text=True)
    assert "已决定：通过" in closed and "已决定：不通过" in closed


@pytest.mark.parametrize(("data", "message"), [
    ({"action": "approve", "reason": "   "}, "每项审核操作都必须填写理由。"),
    ({"reason": "why"}, "请选择处理方式。"),
])
def test_a_decision_needs_an_action_and_a_reason(reviewer: FlaskClient, seeded: Seeded, data: dict[str, str],
                                                 message: str) -> None:
    response = reviewer.post(f"/review/applications/{seeded.application_a}/decide", data=data)
    assert response.status_code == 400 and message in response.get_data(as_text=True)


def test_a_comment_changes_nothing_but_the_history(reviewer: FlaskClient, seeded: Seeded) -> None:
    url = f"/review/applications/{seeded.application_a}"
    assert reviewer.post(f"{url}/decide", data={"action": "comment", "reason": "phoned the company"}).status_code == 302
    page = reviewer.get(url).get_data(as_text=True)
    assert "phoned the company" in page and "已初筛，待审核" in page


def test_flags_from_a_triage_run_show_with_their_reasons(app: Any, reviewer: FlaskClient, seeded: Seeded,
                                                         web_ruleset: Any) -> None:
    from engine.triage import Exclusions
    from engine.triage.loader import load_triage_rules
    from tests.conftest import ROOT
    from web.db_session import db
    from web.store import triage_queries

    with app.test_request_context():
        report = triage_queries.retriage(db(), None, dt.date(2025, 9, 30), load_triage_rules(ROOT / "rules" / "triage"),
                                         exclusions=Exclusions.from_ruleset(web_ruleset))
        flagged = {int(f.application_id) for f in report.result.flags}
    assert flagged, "the seeded applications should raise at least one flag"
    page = reviewer.get("/review/?flags=any").get_data(as_text=True)
    assert sorted(_ids(page)) == sorted(flagged)
    for application in flagged:
        detail = reviewer.get(f"/review/applications/{application}").get_data(as_text=True)
        assert "没有分诊提示" not in detail and "flag-list" in detail


def test_the_queue_counts_and_filters_the_conditional_outcome(app: Any, client: Any, seeded: Any) -> None:
    """认定后可申请 (conditional) is shown and filtered by its string, never folded into another outcome."""
    import json

    from web.db_session import db
    from web.store import queries as store

    with app.app_context():
        decision = store.get_decision(db(), seeded.decision_b)
        outcomes = json.loads(decision.outcomes_json)  # type: ignore[union-attr]
        measure = sorted(outcomes)[0]
        outcomes[measure] = "conditional"
        decision.outcomes_json = json.dumps(outcomes)  # type: ignore[union-attr]
        db().commit()
    client.post("/login", data={"username": "rita", "password": "correct-horse-battery"})
    page = client.get("/review/?outcome=conditional&status=all").get_data(as_text=True)
    assert f"#{seeded.application_b}<" in page and f"#{seeded.application_a}<" not in page
    assert "认定后可申请 1" in page
