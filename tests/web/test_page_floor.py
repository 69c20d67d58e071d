"""What every page pays (issue 18): templates compiled before the workers fork, the templates' `_()` looked up once
per request and language, WTForms' catalogue loaded once per process — each still in the request's language."""

from __future__ import annotations

from typing import Any

from babel import support
from flask import Flask, render_template_string
from flask_babel import force_locale
from flask_wtf import FlaskForm
from wtforms import SelectField

from engine.model import RuleSet
from tests.web.conftest import TEST_CONFIG
from web.app import create_app
from web.db_session import dispose
from web.forms import choice


def test_templates_compiled_when_the_app_is_built_to_serve(web_ruleset: RuleSet, db_url: str) -> None:
    app = create_app({**TEST_CONFIG, "DATABASE_URL": db_url, "PRELOAD_TEMPLATES": True}, ruleset=web_ruleset)
    try:
        names = set(app.jinja_env.list_templates(extensions=("html",)))
        cached = {template.name for template in app.jinja_env.cache.values()}  # type: ignore[union-attr]
        assert {"base.html", "auth/login.html", "selfcheck/page.html", "review/queue.html"} <= names <= cached
    finally:
        dispose(app)
    testing = create_app({**TEST_CONFIG, "DATABASE_URL": db_url}, ruleset=web_ruleset)  # tests: compiled on use
    try:
        assert not testing.jinja_env.cache
    finally:
        dispose(testing)


def test_a_template_follows_the_language_even_when_it_changes_within_a_request(app: Flask) -> None:
    with app.test_request_context("/?lang=en"):
        assert render_template_string("{{ _('退出') }}") == "Log out"
        with force_locale("zh"):
            assert render_template_string("{{ _('退出') }}") == "退出"
        assert render_template_string("{{ _('退出') }}") == "Log out"
    with app.test_request_context("/?lang=zh"):
        assert render_template_string("{{ _('退出') }}") == "退出"


def test_wtforms_words_in_the_request_language_from_a_catalogue_loaded_once(app: Flask, monkeypatch: Any) -> None:
    class Pick(FlaskForm):
        class Meta:
            csrf = False

        x = SelectField(choices=[choice("a", "a")])

    loads = []
    load = support.Translations.load
    monkeypatch.setattr(support.Translations, "load", lambda *a, **k: loads.append(k.get("domain")) or load(*a, **k))
    said = {}
    for lang in ("zh", "en", "zh", "en"):
        with app.test_request_context(f"/?lang={lang}", method="POST", data={"x": "b"}):
            form = Pick()
            form.validate()
            said[lang] = form.x.errors
    assert said == {"zh": ["不是有效的选择。"], "en": ["Not a valid choice."]}
    assert loads.count("wtforms") <= 2  # once per language per process at most (none when already loaded)
    assert app.test_client().get("/login").status_code == 200 and loads.count("wtforms") <= 2
