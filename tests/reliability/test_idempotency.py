"""One Idempotency-Key, one application (issue 18 point 4), on SQLite and PostgreSQL.

Before: the claim was completed only after the response was built, and released on any exception — a 500
after the application was stored freed the key, and the retry stored a second application.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sitekit import seeded_site
from sqlalchemy import func, select

from engine.model import RuleSet
from tests.conftest import sample
from tests.web.conftest import PASSWORD, SAMPLE_A, Seeded, web_ruleset  # noqa: F401
from web.api import views
from web.db_session import dispose
from web.store.db import make_engine, make_session_factory
from web.store.models import Application, IdempotencyKey

PROFILE = json.loads(json.dumps(sample(SAMPLE_A), default=str))
BODY = {"profile": PROFILE, "as_of": "2025-06-30", "measures": ["qingyuan.webtest_award"]}


@pytest.fixture
def site(db_url: str, web_ruleset: RuleSet) -> Iterator[tuple[Flask, Seeded]]:  # noqa: F811
    app, data = seeded_site(db_url, web_ruleset, PROPAGATE_EXCEPTIONS=False)
    yield app, data
    dispose(app)


def _bearer(client: FlaskClient) -> dict[str, str]:
    response = client.post("/api/v1/tokens", json={"username": "alice", "password": PASSWORD})
    assert response.status_code == 200, response.get_data(as_text=True)
    return {"Authorization": f"Bearer {response.json['access_token']}"}


def _count(url: str) -> int:
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            return int(session.scalar(select(func.count()).select_from(Application)) or 0)
    finally:
        engine.dispose()


def test_a_retry_after_a_500_returns_the_original_answer(site: tuple[Flask, Seeded], db_url: str,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    app, _data = site
    client = app.test_client()
    headers = {**_bearer(client), "Idempotency-Key": "retry-after-500"}
    before = _count(db_url)
    real = views.application_out
    failures = iter([True])

    def fails_once(application: Any) -> Any:
        if next(failures, False):
            raise RuntimeError("the response could not be built (after the commit)")
        return real(application)

    monkeypatch.setattr(views, "application_out", fails_once)
    first = client.post("/api/v1/applications", json=BODY, headers=headers)
    assert first.status_code == 500
    assert _count(db_url) == before + 1  # stored before the failure
    retry = client.post("/api/v1/applications", json=BODY, headers=headers)
    assert retry.status_code == 201, retry.get_data(as_text=True)
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert _count(db_url) == before + 1  # and not a second time
    again = client.post("/api/v1/applications", json=BODY, headers=headers)
    assert again.json["id"] == retry.json["id"] and again.status_code == 201
    assert retry.headers["Location"].endswith(f"/{retry.json['id']}")


def test_concurrent_posts_with_one_key_make_one_application(site: tuple[Flask, Seeded], db_url: str) -> None:
    app, _data = site
    headers = {**_bearer(app.test_client()), "Idempotency-Key": "four-at-once"}
    before, start = _count(db_url), threading.Barrier(4, timeout=30)
    results: list[Any] = [None] * 4

    def post(i: int) -> None:
        start.wait()
        results[i] = app.test_client().post("/api/v1/applications", json=BODY, headers=headers)

    threads = [threading.Thread(target=post, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    statuses = [r.status_code for r in results]
    assert set(statuses) <= {201, 409} and 201 in statuses, statuses
    assert _count(db_url) == before + 1
    assert len({r.json["id"] for r in results if r.status_code == 201}) == 1
    engine = make_engine(db_url)
    with make_session_factory(engine)() as session:
        row = session.scalars(select(IdempotencyKey).where(IdempotencyKey.key == "four-at-once")).one()
        assert row.response_status == 201
    engine.dispose()
