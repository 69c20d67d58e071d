"""Issue 14 point 5: an English browser gets English unless the user chose otherwise; Chinese stays the default."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

ZH, EN = "资格自测", "eligibility"


def page(client: FlaskClient, accept: str | None, **kwargs: str) -> tuple[str, str]:
    headers = {"Accept-Language": accept} if accept is not None else {}
    response = client.get("/selfcheck/", headers=headers, **kwargs)
    assert response.status_code == 200
    return response.get_data(as_text=True), response.headers.get("Vary", "")


@pytest.mark.parametrize(("accept", "lang"), [
    (None, "zh"), ("en", "en"), ("en-US,en;q=0.9", "en"), ("en-GB,zh;q=0.5", "en"), ("zh-CN,zh;q=0.9,en;q=0.8", "zh"),
    ("fr-FR,de;q=0.8", "zh"), ("*", "zh"), ("zh-TW", "zh"), ("en;q=0,zh;q=0.1", "zh"), ("garbage;;q=x,,", "zh"),
])
def test_the_browser_language_is_the_default(client: FlaskClient, accept: str | None, lang: str) -> None:
    html, vary = page(client, accept)
    assert f'<html lang="{"en" if lang == "en" else "zh-CN"}"' in html
    assert "Accept-Language" in vary and "Cookie" in vary


def test_the_users_choice_wins_over_the_browser(client: FlaskClient) -> None:
    html, _ = page(client, "en-US", query_string={"lang": "zh"})
    assert '<html lang="zh-CN"' in html
    html, _ = page(client, "en-US")  # remembered in the cookie
    assert '<html lang="zh-CN"' in html
    client.get("/selfcheck/?lang=en")
    html, _ = page(client, "zh-CN")
    assert '<html lang="en"' in html
