"""Helpers of the reliability tests that go through the real request path: the app with CSRF *on* over a
seeded database (SQLite or PostgreSQL), logging in and posting forms with the token read from the page."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from engine.model import RuleSet
from tests.web.conftest import PASSWORD, Seeded, seed
from web.app import create_app

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
CONFIG = {"TESTING": True, "WTF_CSRF_ENABLED": True, "SECRET_KEY": "reliability-secret-0123456789",
          "API_EVALUATE_RATE_LIMIT": "off", "API_TOKENS_RATE_LIMIT": "off"}


def csrf_app(url: str, ruleset: RuleSet, **config: Any) -> Flask:
    return create_app({**CONFIG, "DATABASE_URL": url, **config}, ruleset=ruleset)


def seeded_site(url: str, ruleset: RuleSet, **config: Any) -> tuple[Flask, Seeded]:
    """The seed of tests/web (alice, bob, rita, …, applications A and B) in `url`, and an app with CSRF on."""
    return csrf_app(url, ruleset, **config), seed(url, ruleset)


def token_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "no csrf_token on the page"
    return found.group(1) or found.group(2)


def login(client: FlaskClient, username: str, password: str = PASSWORD) -> Any:
    page = client.get("/login").get_data(as_text=True)
    response = client.post("/login", data={"username": username, "password": password, "csrf_token": token_of(page)})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


def post_form(client: FlaskClient, page: str, action: str, data: dict[str, Any], **kwargs: Any) -> Any:
    """GET `page`, then POST `data` to `action` with the page's CSRF token."""
    token = token_of(client.get(page).get_data(as_text=True))
    return client.post(action, data={**data, "csrf_token": token}, **kwargs)


def walk_selfcheck(client: FlaskClient) -> None:
    """The logged-in applicant walks the enterprise self-check's six pages (tests/web's PAGES), CSRF on."""
    from tests.web.conftest import PAGES

    post_form(client, "/selfcheck/", "/selfcheck/", {"kind": "enterprise"})
    for page, data in PAGES.items():
        url = f"/selfcheck/enterprise/{page}"
        post_form(client, url, url, {**data, "action": "next"})


def submit_through_site(client: FlaskClient, call: int, measures: list[str]) -> int:
    """Walk the self-check, then submit to `call` through the apply form with a PDF and a PNG; the application's id."""
    from tests.web.bureau_kit import PDF, PNG, apply_data, files

    walk_selfcheck(client)
    page = f"/applications/new?call={call}"
    done = post_form(client, page, "/applications/new", {**apply_data(call, measures=measures),
                                                         **files(form=(PDF, "申报表.pdf"), licence=(PNG, "执照.png"))})
    assert done.status_code == 302, done.get_data(as_text=True)[:1500]
    return int(done.location.rsplit("/", 1)[1])
