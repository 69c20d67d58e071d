"""This file defines the application factory: settings, extensions, blueprints, error pages, headers.

`create_app(config=None, ruleset=None)` takes what it needs as arguments (a mapping that overrides the
settings, and a RuleSet, loaded from RULES_DIR when not given), so tests pass a dict and a RuleSet.
`flask --app web.app:create_app run` is the development server; `subsidy serve` runs gunicorn.
[flaskr __init__.py; openfisca_web_api/app.py]
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, Request, redirect, url_for
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

import engine
from engine import load_ruleset
from engine.model import RuleSet
from web.bureau.flags import flag_words
from web.bureau.present import local_time
from web.extensions import RULESET_KEY, babel, csrf, current_ruleset, login_manager
from web.settings import check_settings, load_settings

# (blueprint, endpoint, label, roles) — a user group's entry shows to the roles that may use it
# (None: everyone, logged in or not).
NAV = (
    ("selfcheck", "selfcheck.start", _l("资格自测"), None),
    ("calls", "calls.index", _l("申报通知"), None),
    ("applications", "applications.index", _l("我的申请"), ("applicant",)),
    ("review", "review.index", _l("审核"), ("reviewer",)),
    ("audit", "audit.index", _l("审计"), ("auditor",)),
    ("admin", "admin.index", _l("管理"), ("admin",)),
    ("dashboard", "dashboard.index", _l("年度概览"), ("admin", "reviewer")),
    ("notify", "notify.inbox", _l("站内通知"), ("applicant", "reviewer", "auditor", "admin")),
)
ROLE_NAMES = {"applicant": _l("申请人"), "reviewer": _l("审核人员"), "auditor": _l("审计人员"), "admin": _l("管理员")}


def create_app(config: Mapping[str, Any] | None = None, ruleset: RuleSet | None = None) -> Flask:
    """Build the Flask application.

    Args:
        config: settings overriding the environment's (e.g. {"TESTING": True, "WTF_CSRF_ENABLED": False}).
            "SUBSIDY_ENV" in it picks the environment class; otherwise $SUBSIDY_ENV does.
        ruleset: the RuleSet to evaluate with; loaded from RULES_DIR when None.

    Raises:
        InsecureSettingsError: production settings with the demo secret key or insecure cookies.
        RuleLoadError: the rule directory does not load (every error listed).
    """
    overrides = dict(config or {})
    app = Flask(__name__)
    app.config.from_mapping(load_settings(overrides.get("SUBSIDY_ENV")).as_mapping())
    app.config.from_mapping(overrides)
    check_settings(app.config)
    app.permanent_session_lifetime = int(app.config["PERMANENT_SESSION_LIFETIME"])
    app.session_interface = CookieSessions()
    app.extensions[RULESET_KEY] = ruleset if ruleset is not None else load_ruleset(app.config["RULES_DIR"])
    _init_extensions(app)
    _register_blueprints(app)
    _register_context(app)
    if app.config.get("PRELOAD_TEMPLATES"):
        warm_templates(app)
    return app


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed cookie session, opened without building its signing serializer when the request has no
    session cookie (an API client, a first visit): the serializer (itsdangerous, the key derivation set up) was
    built for every request only to find nothing to read. A request with a cookie is read exactly as before;
    an empty session is never written (Flask's save_session), so no serializer is needed there either."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)


def warm_templates(app: Flask) -> None:
    """Compile every template now, into the app's template cache.

    `subsidy serve` builds the app once in gunicorn's master (`preload_app`) and forks its workers from it, so
    templates compiled here are every worker's (≈ 1 s of CPU once) instead of each worker compiling them on its
    first requests, while they wait for a core with everyone else. On when `PRELOAD_TEMPLATES` is set, as
    `subsidy serve` sets it (other commands and tests build apps that draw few pages: they skip the second)."""
    for name in app.jinja_env.list_templates(extensions=("html", "txt", "xml")):
        app.jinja_env.get_template(name)


def _init_extensions(app: Flask) -> None:
    from web.auth.users import init_login
    from web.db_session import init_db
    from web.errors import init_errors
    from web.i18n import init_i18n, select_locale
    from web.security import init_security

    init_db(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    login_manager.init_app(app)
    init_login(app)
    init_i18n(app)
    init_security(app)
    init_errors(app)


def _register_blueprints(app: Flask) -> None:
    from web.account import bp as account_bp  # issue 23 (H7)
    from web.admin import bp as admin_bp
    from web.api import bp as api_bp
    from web.applications import bp as applications_bp
    from web.audit import bp as audit_bp
    from web.auth import bp as auth_bp
    from web.calls import bp as calls_bp
    from web.dashboard import bp as dashboard_bp  # issue 23 (H7)
    from web.notify.views import bp as notify_bp  # issue 23 (H7)
    from web.review import bp as review_bp
    from web.selfcheck import bp as selfcheck_bp

    for bp in (selfcheck_bp, auth_bp, applications_bp, review_bp, audit_bp, admin_bp, calls_bp, notify_bp, account_bp,
               dashboard_bp):
        app.register_blueprint(bp)
    app.register_blueprint(api_bp)
    app.add_url_rule("/", "index", _home)


def _home() -> Response:
    return redirect(url_for("selfcheck.start"))


def _register_context(app: Flask) -> None:
    from flask_login import current_user

    from web.auth.forms import LogoutForm
    from web.bureau.badge import call_badge

    app.add_template_global(call_badge, "call_badge")  # SELFCHECK's result cards: 申报中 / 即将开始 / 已截止
    app.add_template_global(local_time, "local_time")  # every stored time shown in Beijing time
    app.add_template_global(flag_words, "flag_words")  # a triage flag in words (measures by title, not id)
    app.add_template_global(_audit_head, "audit_head")  # the chain head to publish (the 公示 page shows it)

    @app.context_processor
    def _site() -> dict[str, Any]:
        ruleset = current_ruleset()
        role = current_user.role if current_user.is_authenticated else None
        nav = [(endpoint, label) for name, endpoint, label, roles in NAV
               if name in app.blueprints and endpoint in app.view_functions and (roles is None or role in roles)]
        return {"ruleset_hash": ruleset.hash, "engine_version": engine.__version__, "nav_items": nav,
                "logout_form": LogoutForm(formdata=None) if role else None, "ROLE_NAMES": ROLE_NAMES}


def _audit_head() -> tuple[int, str]:
    """The audit chain's head (seq, hash), for pages that publish it."""
    from web.db_session import db
    from web.store import queries

    return queries.chain_head(db())
