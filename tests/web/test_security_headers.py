"""Security of the web layer: headers on every response, no inline script or style (CSP without
unsafe-inline), no third-party assets, cookie flags, error pages (HTML and /api/ JSON), and settings that
refuse to run production with the demo secret key."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine.model import RuleSet
from tests.web.conftest import AS_OF, fill_enterprise
from web.app import create_app
from web.security import CSP
from web.settings import DEMO_SECRET_KEY, InsecureSettingsError, load_settings

PAGES = ["/selfcheck/", "/selfcheck/enterprise/identity", "/selfcheck/enterprise/finance",
         "/selfcheck/enterprise/certificates", "/selfcheck/enterprise/declarations", "/selfcheck/enterprise/ip",
         "/selfcheck/enterprise/staff", "/selfcheck/talent", "/selfcheck/team", "/selfcheck/incubator",
         "/selfcheck/institution",
         f"/selfcheck/result?as_of={AS_OF}", f"/selfcheck/summary?as_of={AS_OF}", "/login", "/no-such-page"]


class InlineFinder(HTMLParser):
    """Collects what a strict CSP would block: inline scripts, style blocks and attributes, handlers, and
    any asset or link to another origin."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        if tag == "script" and not names.get("src"):
            self.problems.append("inline <script>")
        if tag == "style":
            self.problems.append("<style> block")
        for name, value in attrs:
            if name == "style":
                self.problems.append(f"style attribute on <{tag}>")
            if name.startswith("on"):
                self.problems.append(f"{name} handler on <{tag}>")
            if name in ("src", "href", "action") and value and re.match(r"^(https?:)?//", value):
                self.problems.append(f"external {name}={value}")


@pytest.fixture
def filled(client: FlaskClient) -> FlaskClient:
    fill_enterprise(client)
    return client


@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_the_security_headers(filled: FlaskClient, path: str) -> None:
    response = filled.get(path)
    headers = response.headers
    assert headers["Content-Security-Policy"] == CSP
    assert "unsafe-inline" not in CSP and "unsafe-eval" not in CSP and "script-src 'self'" in CSP
    assert "frame-ancestors 'none'" in CSP and "object-src 'none'" in CSP
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "camera=()" in headers["Permissions-Policy"]
    assert headers["Cache-Control"] == "no-store"  # pages carry the applicant's answers
    assert "Strict-Transport-Security" not in headers  # development: plain HTTP


@pytest.mark.parametrize("path", PAGES)
def test_no_inline_script_or_style_and_no_third_party_assets(filled: FlaskClient, path: str) -> None:
    finder = InlineFinder()
    finder.feed(filled.get(path).get_data(as_text=True))
    assert finder.problems == []


def test_static_assets_are_served_locally_and_cacheable(client: FlaskClient) -> None:
    html = client.get("/selfcheck/").get_data(as_text=True)
    assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', html)
    assert {"/static/css/site.css", "/static/css/print.css", "/static/js/enhance.js"} <= set(assets)
    for asset in assets:
        response = client.get(asset)
        assert response.status_code == 200
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers.get("Cache-Control") != "no-store"
        response.close()


def test_session_and_language_cookies_are_http_only_and_same_site(client: FlaskClient) -> None:
    response = client.post("/selfcheck/", data={"kind": "enterprise"})
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("subsidy_session=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # development over plain HTTP
    lang = client.get("/selfcheck/?lang=en").headers["Set-Cookie"]
    assert lang.startswith("lang=en") and "HttpOnly" in lang and "SameSite=Lax" in lang


def test_production_cookies_are_secure_and_hsts_is_sent(web_ruleset: RuleSet,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUBSIDY_ENV", "production")
    monkeypatch.setenv("SUBSIDY_SECRET_KEY", "a-real-secret-from-the-environment")
    app = create_app(ruleset=web_ruleset)
    client = app.test_client()
    response = client.get("/selfcheck/")  # the CSRF token of the form goes into the session
    assert "Secure" in response.headers["Set-Cookie"] and "HttpOnly" in response.headers["Set-Cookie"]
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_production_refuses_the_demo_secret_key(web_ruleset: RuleSet, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUBSIDY_ENV", "production")
    monkeypatch.delenv("SUBSIDY_SECRET_KEY", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(InsecureSettingsError, match="SECRET_KEY"):
        create_app(ruleset=web_ruleset)
    with pytest.raises(InsecureSettingsError, match="SECRET_KEY"):
        create_app({"SECRET_KEY": DEMO_SECRET_KEY}, ruleset=web_ruleset)
    monkeypatch.setenv("SECRET_KEY", "another-real-secret-0123")
    with pytest.raises(InsecureSettingsError, match="SESSION_COOKIE_SECURE"):
        create_app({"SESSION_COOKIE_SECURE": False}, ruleset=web_ruleset)
    assert create_app(ruleset=web_ruleset).config["SECRET_KEY"] == "another-real-secret-0123"


def test_settings_are_read_from_the_environment() -> None:
    settings = load_settings("development", {"SUBSIDY_SESSION_COOKIE_SAMESITE": "Strict", "WTF_CSRF_ENABLED": "0",
                                             "BABEL_DEFAULT_LOCALE": "en", "LANGUAGES": "zh, en"})
    assert settings.SESSION_COOKIE_SAMESITE == "Strict" and settings.WTF_CSRF_ENABLED is False
    assert settings.BABEL_DEFAULT_LOCALE == "en" and settings.LANGUAGES == ("zh", "en")
    assert load_settings("development", {}).SECRET_KEY == DEMO_SECRET_KEY
    assert load_settings(None, {"SUBSIDY_ENV": "test"}).TESTING is True  # web.config spells it "test"
    with pytest.raises(ValueError, match="SUBSIDY_ENV"):
        load_settings("staging", {})
    with pytest.raises(ValueError, match="boolean"):
        load_settings("development", {"SESSION_COOKIE_SECURE": "maybe"})


def test_csrf_is_enforced_on_every_other_post(web_ruleset: RuleSet) -> None:
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret-key-0123456789"}, ruleset=web_ruleset)
    client = app.test_client()
    for path, data in (("/selfcheck/", {"kind": "enterprise"}), ("/selfcheck/reset", {})):
        response = client.post(path, data=data)
        assert response.status_code == 400 and "页面已过期" in response.get_data(as_text=True)


# ---------------------------------------------------------------- error pages

def test_not_found_is_html_for_people_and_json_under_api(client: FlaskClient) -> None:
    page = client.get("/no-such-page")
    assert page.status_code == 404 and "页面不存在" in page.get_data(as_text=True)
    api = client.get("/api/v1/nothing-here")
    assert api.status_code == 404 and api.mimetype == "application/problem+json"  # RFC 9457 under the API
    problem = api.get_json()
    assert problem["status"] == 404 and problem["title"]
    assert "Page not found" in client.get("/no-such-page?lang=en").get_data(as_text=True)
    assert "Page not found" in client.get("/no-such-page").get_data(as_text=True)  # the language is remembered


def test_method_not_allowed_and_payload_too_large(client: FlaskClient) -> None:
    assert client.get("/selfcheck/reset").status_code == 405
    big = client.post("/selfcheck/enterprise/identity", data={"name": "x" * (600 * 1024)})
    assert big.status_code == 413 and "提交的内容过大" in big.get_data(as_text=True)


def test_bad_request_and_forbidden_pages(app: Flask) -> None:
    from flask import abort

    app.add_url_rule("/boom/<int:code>", "boom", lambda code: abort(code))
    client = app.test_client()
    assert "请求无效" in client.get("/boom/400").get_data(as_text=True)
    assert client.get("/boom/403").status_code == 403 and "无权访问" in client.get("/boom/403").get_data(as_text=True)
    assert client.get("/api/boom").status_code == 404


def test_an_unexpected_error_shows_a_plain_500_page(web_ruleset: RuleSet) -> None:
    app = create_app({"TESTING": False, "PROPAGATE_EXCEPTIONS": False, "SECRET_KEY": "test-secret-key-0123456789"},
                     ruleset=web_ruleset)

    def explode() -> str:
        raise RuntimeError("secret internal detail")

    app.add_url_rule("/explode", "explode", explode)
    app.add_url_rule("/api/explode", "api_explode", explode)
    app.logger.disabled = True
    client = app.test_client()
    page = client.get("/explode")
    html = page.get_data(as_text=True)
    assert page.status_code == 500 and "系统繁忙" in html
    assert "secret internal detail" not in html and "Traceback" not in html
    assert page.headers["Content-Security-Policy"] == CSP
    api = client.get("/api/explode")
    assert api.status_code == 500 and api.get_json()["code"] == "internal_error"
