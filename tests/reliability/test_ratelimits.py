"""Submissions are limited per applicant, counted in the database so that every worker shares the count
(issue 18 point 7), on SQLite and PostgreSQL. Two app instances stand for two gunicorn workers.

Before: no per-applicant limit, and the API's in-memory buckets gave each worker its own count.
"""

from __future__ import annotations

import json
from typing import Any

from sitekit import csrf_app, seeded_site, token_of

from engine.model import RuleSet
from tests.conftest import sample
from tests.web.conftest import PASSWORD, SAMPLE_A, web_ruleset  # noqa: F401
from web.db_session import dispose

BODY = {"profile": json.loads(json.dumps(sample(SAMPLE_A), default=str)), "as_of": "2025-06-30",
        "measures": ["qingyuan.webtest_award"]}


def test_the_submission_limit_is_shared_by_all_workers(db_url: str, web_ruleset: RuleSet) -> None:  # noqa: F811
    first, _data = seeded_site(db_url, web_ruleset, API_SUBMISSIONS_RATE_LIMIT="3/hour")
    second = csrf_app(db_url, web_ruleset, API_SUBMISSIONS_RATE_LIMIT="3/hour")
    try:
        statuses = []
        for app in (first, second, first, second):
            client = app.test_client()
            token = client.post("/api/v1/tokens", json={"username": "alice", "password": PASSWORD}).json
            headers = {"Authorization": f"Bearer {token['access_token']}"}
            statuses.append(client.post("/api/v1/applications", json=BODY, headers=headers))
        assert [r.status_code for r in statuses] == [201, 201, 201, 429]
        refused = statuses[-1]
        assert int(refused.headers["Retry-After"]) > 0 and "提交过于频繁" in refused.json["detail"]
        other = second.test_client()  # another applicant is not affected
        token = other.post("/api/v1/tokens", json={"username": "bob", "password": PASSWORD}).json["access_token"]
        bob = json.loads(json.dumps(sample("hnte_rd_ratio_near_miss"), default=str))
        answer = other.post("/api/v1/applications", json={**BODY, "profile": bob},
                            headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code != 429
    finally:
        dispose(first)
        dispose(second)


def test_resume_links_are_limited_per_address_across_workers(db_url: str, web_ruleset: RuleSet) -> None:  # noqa: F811
    from sqlalchemy import func, select

    from tests.web.conftest import PAGES
    from web.store.db import make_engine, make_session_factory
    from web.store.models import SelfcheckShare

    apps = [csrf_app(db_url, web_ruleset, RESUME_LINK_RATE_LIMIT="2/hour") for _ in range(2)]
    try:
        client = apps[0].test_client()
        client.post("/selfcheck/", data={"kind": "enterprise",
                                         "csrf_token": token_of(client.get("/selfcheck/").get_data(as_text=True))})
        for page, data in PAGES.items():
            url = f"/selfcheck/enterprise/{page}"
            client.post(url, data={**data, "action": "next",
                                   "csrf_token": token_of(client.get(url).get_data(as_text=True))})
        answers = []
        for app in (apps[0], apps[1], apps[0]):  # the same visitor's cookie on either worker
            other = app.test_client()
            other.set_cookie(*_cookie(client))
            token = token_of(other.get("/selfcheck/result").get_data(as_text=True))
            answers.append(other.post("/selfcheck/share", data={"csrf_token": token}, follow_redirects=True))
        texts = [a.get_data(as_text=True) for a in answers]
        assert "保存链接过于频繁" not in texts[0] and "保存链接过于频繁" not in texts[1]
        assert "保存链接过于频繁" in texts[2]
        engine = make_engine(db_url)
        with make_session_factory(engine)() as session:
            assert session.scalar(select(func.count()).select_from(SelfcheckShare)) == 2
        engine.dispose()
    finally:
        for app in apps:
            dispose(app)


def _cookie(client: Any) -> tuple[str, str]:
    cookie = client.get_cookie("subsidy_session")
    return cookie.key, cookie.value
