# ruff: noqa: F811  (the web tests' fixtures are re-exported here; helpers take a client of the same name)
"""Fixtures of the security tests: the web tests' app and seeded store (imported, not copied), and the same app
with CSRF protection ON — every form test here fetches the page, reads its token and posts it, as a browser does.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine.model import RuleSet
from tests.web.conftest import (  # noqa: F401  (fixtures re-exported for this folder)
    PASSWORD,
    TEST_CONFIG,
    Seeded,
    app,
    client,
    db_url,
    migrated_template,
    seeded,
    seeded_template,
    web_ruleset,
)
from web.app import create_app
from web.db_session import dispose

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


@pytest.fixture
def secure(web_ruleset: RuleSet, db_url: str, seeded: Seeded, tmp_path: Path) -> Iterator[Flask]:
    """The seeded site with CSRF protection on (the production setting)."""
    site = create_app({**TEST_CONFIG, "WTF_CSRF_ENABLED": True, "DATABASE_URL": db_url,
                       "MATERIALS_DIR": str(tmp_path / "materials")}, ruleset=web_ruleset)
    yield site
    dispose(site)


def token_of(html: str) -> str:
    found = TOKEN.search(html)
    assert found, "the page has no CSRF token"
    return found.group(1)


def post_form(client: FlaskClient, page: str, data: dict[str, Any], action: str | None = None, **kwargs: Any) -> Any:
    """GET the page, read its CSRF token, POST the data (to `action`, default the page) with it."""
    shown = client.get(page, **kwargs)
    assert shown.status_code == 200, (page, shown.status_code)
    return client.post(action or page, data={**data, "csrf_token": token_of(shown.get_data(as_text=True))}, **kwargs)


def login(client: FlaskClient, username: str, password: str = PASSWORD, **kwargs: Any) -> Any:
    return post_form(client, "/login", {"username": username, "password": password}, **kwargs)
