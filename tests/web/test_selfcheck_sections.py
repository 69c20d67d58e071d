"""A self-check page's sections are drawn once while their fields are as first shown (issue 18): the page is the
same HTML as drawn every time, in each language, and a typed value or an error is never kept."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from tests.web.conftest import PAGES
from web.selfcheck import forms


def _pages(app: Flask, lang: str) -> dict[str, str]:
    client = app.test_client()
    client.post("/selfcheck/", data={"kind": "enterprise"})
    return {page: client.get(f"/selfcheck/enterprise/{page}?lang={lang}").get_data(as_text=True) for page in PAGES}


def test_a_fresh_page_is_the_page_drawn_every_time_in_each_language(app: Flask) -> None:
    forms._drawn.clear()
    app.jinja_env.auto_reload = True  # (templates that may change: nothing is kept)
    drawn = {lang: _pages(app, lang) for lang in ("zh", "en")}
    assert not forms._drawn
    app.jinja_env.auto_reload = False
    for lang in ("zh", "en", "zh"):  # the second zh round is served from what the first kept
        assert _pages(app, lang) == drawn[lang]
    assert forms._drawn
    assert "基本信息" in drawn["zh"]["identity"] and "Basic information" in drawn["en"]["identity"]


def test_a_typed_value_or_an_error_is_shown_and_never_kept(app: Flask, client: FlaskClient) -> None:
    forms._drawn.clear()
    client.post("/selfcheck/", data={"kind": "enterprise"})
    typed = {**PAGES["staff"], "staff-total": "12x34"}  # not a number: the page comes back with its error
    page = client.post("/selfcheck/enterprise/staff", data={**typed, "action": "next"}).get_data(as_text=True)
    assert 'value="12x34"' in page and "field-error" in page
    again = client.get("/selfcheck/enterprise/staff").get_data(as_text=True)  # saved as typed, error attached
    assert 'value="12x34"' in again and "field-error" in again
    kept = "".join(str(html) for _section, html in forms._drawn.values())
    assert "12x34" not in kept and "field-error" not in kept
    fresh = app.test_client()
    fresh.post("/selfcheck/", data={"kind": "enterprise"})
    blank = fresh.get("/selfcheck/enterprise/staff").get_data(as_text=True)
    assert "12x34" not in blank and "field-error" not in blank
