"""An absurd amount is refused with a clear error naming the field, and the next ordinary submission works —
through the site (CSRF on) and through the API, on SQLite and PostgreSQL (issue 18 point 1).

Before: 10^61 yuan was accepted; triage then raised OverflowError for the whole queue after the commit, and
every later submission, by anyone, answered 500.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sitekit import login, seeded_site, token_of

from engine.model import RuleSet
from tests.conftest import sample
from tests.web.bureau_kit import PDF, PNG, apply_data, files, open_call
from tests.web.conftest import PAGES, PASSWORD, SAMPLE_A, Seeded, web_ruleset  # noqa: F401
from web.db_session import db, dispose
from web.store import triage_queries

HUGE_WAN = "1" + "0" * 57  # 10^57 万元 = 10^61 yuan


@pytest.fixture
def site(db_url: str, web_ruleset: RuleSet) -> Iterator[tuple[Flask, Seeded]]:  # noqa: F811
    app, data = seeded_site(db_url, web_ruleset, PROPAGATE_EXCEPTIONS=False)
    yield app, data
    dispose(app)


def _selfcheck(client: FlaskClient, pages: dict[str, dict[str, str]]) -> dict[str, object]:
    """Post the enterprise pages with their CSRF tokens; returns {page: response} of the last one posted."""
    start = client.post("/selfcheck/", data={"kind": "enterprise",
                                             "csrf_token": token_of(client.get("/selfcheck/").get_data(as_text=True))})
    assert start.status_code == 302
    last: dict[str, object] = {}
    for page, data in pages.items():
        url = f"/selfcheck/enterprise/{page}"
        response = client.post(url, data={**data, "action": "next",
                                          "csrf_token": token_of(client.get(url).get_data(as_text=True))})
        last = {"page": page, "response": response}
        if response.status_code != 302:
            break
    return last


def test_through_the_site(site: tuple[Flask, Seeded]) -> None:
    app, _data = site
    client = app.test_client()
    login(client, "alice")
    bad = {**PAGES, "finance": {**PAGES["finance"], "finance-2-sales": HUGE_WAN}}
    refused = _selfcheck(client, bad)
    response = refused["response"]
    body = response.get_data(as_text=True)  # type: ignore[attr-defined]
    assert refused["page"] == "finance" and response.status_code == 200  # type: ignore[attr-defined]
    assert "金额过大" in body and "销售收入" in body  # the error, next to the field it names
    assert _selfcheck(client, PAGES)["response"].status_code == 302  # type: ignore[attr-defined]
    call = open_call(app)
    page = f"/applications/new?call={call}"
    token = token_of(client.get(page).get_data(as_text=True))
    done = client.post("/applications/new", data={**apply_data(call), "csrf_token": token,
                                                  **files(form=(PDF, "申报表.pdf"), licence=(PNG, "licence.png"))})
    assert done.status_code == 302, done.get_data(as_text=True)[:2000]
    app_id = int(done.location.rsplit("/", 1)[1])
    with app.app_context():
        assert triage_queries.application_triage(db(), app_id) is not None  # triaged, nothing failed


def test_through_the_api(site: tuple[Flask, Seeded]) -> None:
    app, _data = site
    client = app.test_client()
    token = client.post("/api/v1/tokens", json={"username": "alice", "password": PASSWORD}).json["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    profile = json.loads(json.dumps(sample(SAMPLE_A), default=str))
    body = {"as_of": "2025-06-30", "measures": ["qingyuan.webtest_award"]}
    for amount, status in ((10**61, 400), (10**20, 422)):  # too many digits to read; read but above 10^15 yuan
        huge = json.loads(json.dumps(profile))
        huge["finance"][-1]["sales"] = amount
        refused = client.post("/api/v1/applications", json={**body, "profile": huge}, headers=headers)
        assert refused.status_code == status, refused.get_data(as_text=True)
        assert "sales" in json.dumps(refused.json["errors"]), refused.json  # the field is named
    ordinary = client.post("/api/v1/applications", json={**body, "profile": profile}, headers=headers)
    assert ordinary.status_code == 201, ordinary.get_data(as_text=True)
    with app.app_context():
        assert triage_queries.application_triage(db(), ordinary.json["id"]) is not None
