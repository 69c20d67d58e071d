"""This file defines who is logged in: the session user Flask-Login keeps, loaded from the store per request.

The loader reads the account through the request's session and returns a small frozen value (never the
ORM row), so templates and views cannot lazy-load from a closed session. A deactivated account loads as
nobody: deactivation logs the user out on their next request. Sessions are protected "strong": a session
cookie replayed from another address or browser is discarded.

Session revocation (bug A1): the signed session cookie is client-side, so clearing it at logout does not
kill a copy taken earlier. Login stores the account's `session_epoch` in the session (`remember_epoch`);
logout bumps the epoch in the database; the loader refuses a session whose epoch differs (or is missing).
Logging out therefore ends every session of that account, on every device.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask, request, session
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from web.db_session import db
from web.extensions import login_manager
from web.store import web_queries

ROLES = ("applicant", "reviewer", "auditor", "admin")
EPOCH_KEY = "_auth_epoch"


@dataclass(frozen=True)
class SessionUser:
    """The logged-in account as the pages see it."""

    id: int
    username: str
    role: str
    applicant_id: int | None

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        return str(self.id)

    @classmethod
    def of(cls, row: Any) -> SessionUser:
        return cls(row.id, row.username, row.role, row.applicant_id)


def load_user(user_id: str) -> SessionUser | None:
    if not user_id.isdigit():
        return None
    row = web_queries.user_by_id(db(), int(user_id))
    if row is None or not row.active or session.get(EPOCH_KEY) != row.session_epoch:
        return None
    return SessionUser.of(row)


def remember_epoch(row: Any) -> None:
    """Tie the logged-in session to the account's current session epoch (call right after login_user)."""
    session[EPOCH_KEY] = int(row.session_epoch)


def revoke_sessions(user_id: int) -> None:
    """Bump the account's session epoch and commit: every session cookie issued so far stops working."""
    web_queries.bump_session_epoch(db(), user_id)
    web_queries.commit(db())


def init_login(app: Flask) -> None:
    login_manager.user_loader(load_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("请先登录。")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    app.config.setdefault("REMEMBER_COOKIE_SECURE", bool(app.config.get("SESSION_COOKIE_SECURE")))
    app.before_request(_bind_anonymous_session)


def _bind_anonymous_session() -> None:
    """Give a visitor's session the identifier "strong" protection compares, and load the user now.

    Flask-Login checks the identifier whenever a session has content: an anonymous session holding only
    self-check answers or a CSRF token has none, and would be "cleared" on every request (with a
    remember-cookie deletion sent each time). Loading the user at the start of the request, before a view
    puts anything in an empty session, keeps the check to what it is for.

    Not for the JSON API (blueprint "api"): its views never read the site's user or write the session, and
    loading it cost ≈ 150k instructions a request (an API page that draws a template still loads it on first use).
    """
    if request.blueprint == "api":  # bearer tokens, no cookies: the JSON API never reads the site's user
        return
    if session and "_id" not in session and "_user_id" not in session:
        session["_id"] = login_manager._session_identifier_generator()
    _ = current_user.is_authenticated
