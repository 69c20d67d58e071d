"""This file defines /login, /logout and /account/password (a user changes their own password).

Login goes validate → login policy (web/auth_policy.py, shared with the API) → authenticate → log in → redirect: to `next` when it is a local
path, to the apply page when an applicant came from the self-check result's "Apply" button (keeping the
measure chosen there), else to the home page of the user's role.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from web.auth import bp
from web.auth.forms import LoginForm, LogoutForm, PasswordForm
from web.auth.users import SessionUser, remember_epoch, revoke_sessions
from web.auth_policy import login_policy, retry_minutes
from web.db_session import db
from web.i18n import current_lang
from web.passwords import password_problems
from web.security import safe_redirect_target
from web.store import queries, web_queries

HOME = {"applicant": "applications.index", "reviewer": "review.index", "auditor": "audit.index",
        "admin": "admin.index"}


safe_next = safe_redirect_target  # the one redirect check (web/security.py)


def destination(user: Any, target: str | None, measure: str | None) -> str:
    """Where a user goes after logging in (see the module docstring)."""
    target = safe_next(target)
    from_selfcheck = bool(measure) or (target or "").split("?")[0] == url_for("selfcheck.result")
    if user.role == "applicant" and from_selfcheck:
        return url_for("applications.new", measure=measure or None)
    return target or url_for(HOME.get(user.role, "index"))


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | str | tuple[str, int]:
    target, measure = safe_next(request.values.get("next")), request.values.get("measure")
    if current_user.is_authenticated:
        return redirect(destination(current_user, target, measure))
    form = LoginForm(next=target or "", measure=measure or "")
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form, selfcheck_saved=_selfcheck_saved())
    address, username = request.remote_addr or "?", str(form.username.data).strip()
    policy = login_policy()  # the one policy of the form and the API (web/auth_policy.py)
    verdict = policy.attempt(address, username, "web")  # decided and reserved atomically
    if verdict.wait:
        form.form_errors.append(_("登录失败次数过多，请 %(minutes)s 分钟后再试。", minutes=retry_minutes(verdict)))
        page = render_template("auth/login.html", form=form, selfcheck_saved=_selfcheck_saved())
        return page, 429, {"Retry-After": str(verdict.wait)}
    row = queries.authenticate(db(), username, str(form.password.data))
    policy.settle(verdict, address, username, row is not None, "web")
    if row is None:
        form.form_errors.append(_("用户名或密码不正确，或账号已停用。"))
        return render_template("auth/login.html", form=form, selfcheck_saved=_selfcheck_saved()), 200
    user = SessionUser.of(row)
    login_user(user)
    remember_epoch(row)
    flash(_("您已登录：%(name)s。", name=user.username), "success")
    return redirect(destination(user, form.next.data, form.measure.data))


def _selfcheck_saved() -> bool:
    """Whether this visitor has self-check answers to go back to."""
    from web.answers import store

    kind = store.kind()
    return bool(kind and store.saved_pages(kind))


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    if LogoutForm().validate_on_submit():
        if current_user.is_authenticated:
            revoke_sessions(int(current_user.id))  # a copy of this session cookie dies too (bug A1)
        logout_user()
        session.clear()  # the self-check answers too: a shared computer keeps nothing
        flash(_("您已退出登录。"), "info")
    return redirect(url_for("index"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password() -> Response | str | tuple[str, int]:
    """The current password (checked under the login policy), then a new one that passes the password rule;
    every other session and API token of the account ends, this session continues."""
    form = PasswordForm()
    if not form.validate_on_submit():
        return render_template("auth/password.html", form=form), 400 if request.method == "POST" else 200
    address, username = request.remote_addr or "?", str(current_user.username)
    policy = login_policy()
    verdict = policy.attempt(address, username, "web")
    if verdict.wait:
        form.form_errors.append(_("登录失败次数过多，请 %(minutes)s 分钟后再试。", minutes=retry_minutes(verdict)))
        return render_template("auth/password.html", form=form), 429, {"Retry-After": str(verdict.wait)}
    row = queries.authenticate(db(), username, str(form.current.data))
    policy.settle(verdict, address, username, row is not None, "web")
    if row is None:
        form.current.errors = [_("当前密码不正确。")]
        return render_template("auth/password.html", form=form), 400
    problems = password_problems(str(form.new.data), username)
    if problems:
        english = current_lang() == "en"
        form.new.errors = [p.en if english else p.zh for p in problems]
        return render_template("auth/password.html", form=form), 400
    web_queries.change_password(db(), row.id, str(form.new.data))
    web_queries.commit(db())
    remember_epoch(web_queries.user_by_id(db(), row.id))
    flash(_("密码已修改。其他设备上的登录和接口令牌已失效。"), "success")
    return redirect(url_for(HOME.get(current_user.role, "index")))
