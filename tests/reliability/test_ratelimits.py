"""Submissions are limited per applicant, counted in the database so that every worker shares the count
(issue 18 point 7), on SQLite and PostgreSQL. Two app instances stand for two gunicorn workers.

Before: no per-applicant limit, and the API's in-memory buckets gave each worker its own count.
"""

from __future__ import annotations

import json

from sitekit import csrf_app, seeded_site

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
