"""This file defines the admin's pages: the rule catalogue by issuer, the RuleSet versions decisions
reference, and user management (create with a role, deactivate, reactivate)."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from web.access import role_required
from web.admin import bp
from web.admin.forms import ROLE_LABELS, ToggleForm, UserForm
from web.db_session import db
from web.extensions import current_ruleset
from web.i18n import tr
from web.notices.mailer import send_mail
from web.reading import CONFIDENCE, ISSUERS, source_text
from web.store import account_queries, queries, web_queries
from web.store.queries import StoreError


@bp.route("/")
@role_required("admin")
def index() -> str:
    ruleset = current_ruleset()
    by_issuer: dict[str, list[Any]] = {}
    for measure in sorted(ruleset.measures.values(), key=lambda m: m.id):
        by_issuer.setdefault(measure.issuer, []).append(measure)
    order = list(ISSUERS) + sorted(set(by_issuer) - set(ISSUERS))
    groups = [(issuer, ISSUERS.get(issuer, issuer), by_issuer[issuer]) for issuer in order if issuer in by_issuer]
    return render_template("admin/catalogue.html", groups=groups, ruleset=ruleset, source_text=source_text,
                           confidence=CONFIDENCE)


@bp.route("/rulesets")
@role_required("admin")
def rulesets() -> str:
    return render_template("admin/rulesets.html", rows=web_queries.rulesets_in_use(db()),
                           current=current_ruleset().hash)


@bp.route("/users", methods=["GET", "POST"])
@role_required("admin")
def users() -> Response | str | tuple[str, int]:
    form = UserForm()
    if form.validate_on_submit():
        session = db()
        queries.create_user(session, str(form.username.data), str(form.password.data), str(form.role.data),
                            applicant_id=form.applicant_id)
        web_queries.commit(session)
        flash(_("已创建账号 %(name)s。", name=form.username.data), "success")
        return redirect(url_for(".users"))
    page = render_template("admin/users.html", form=form, users=web_queries.list_users(db()),
                           toggle=ToggleForm(), roles=dict(ROLE_LABELS))
    return (page, 400) if form.errors else page


@bp.route("/users/<int:user_id>/<any(activate, deactivate):action>", methods=["POST"])
@role_required("admin")
def toggle_user(user_id: int, action: str) -> Response:
    if not ToggleForm().validate_on_submit():
        abort(400)
    if action == "deactivate" and request.form.get("confirm") != "yes":  # one click never deactivates
        return redirect(url_for(".confirm_deactivate", user_id=user_id))
    if user_id == current_user.id:
        flash(_("不能停用自己的账号。"), "error")
        return redirect(url_for(".users"))
    session = db()
    user = web_queries.set_user_active(session, user_id, action == "activate")
    if user is None:
        abort(404)
    if not user.active:
        web_queries.bump_session_epoch(session, user_id)  # end the account's open sessions now
    web_queries.commit(session)
    message = _("已启用账号 %(name)s。", name=user.username) if user.active else \
        _("已停用账号 %(name)s，该用户已无法登录。", name=user.username)
    flash(message, "success")
    return redirect(url_for(".users"))


@bp.route("/users/<int:user_id>/deactivate")
@role_required("admin")
def confirm_deactivate(user_id: int) -> str:
    """Ask before deactivating: who, and what happens (sessions end at once, no more logins)."""
    user = web_queries.user_by_id(db(), user_id)
    if user is None:
        abort(404)
    return render_template("admin/confirm_deactivate.html", user=user, toggle=ToggleForm(), roles=dict(ROLE_LABELS))


@bp.route("/users/<int:user_id>/confirm", methods=["POST"])
@role_required("admin")
def confirm_registration(user_id: int) -> Response:
    """Confirm a self-registered applicant account; the applicant is told by e-mail."""
    if not ToggleForm().validate_on_submit():
        abort(400)
    session = db()
    try:
        user = account_queries.confirm(session, user_id)
    except StoreError as refused:
        flash(tr(refused), "error")
        return redirect(url_for(".users"))
    web_queries.commit(session)
    if user.email:
        login = url_for("auth.login", _external=True)
        send_mail(user.email, "账号已确认 / Account confirmed",
                  f"{user.username}：您的申请人账号已由管理员确认，现在可以登录：{login}\n\n"
                  f"{user.username}: your applicant account has been confirmed; you can log in now: {login}")
    flash(_("已确认注册：%(name)s 现在可以登录。", name=user.username), "success")
    return redirect(url_for(".users"))
