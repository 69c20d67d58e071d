"""This file defines onboarding pages: an applicant registers (tied to a credit code, one account per code; the
account waits for an admin's confirmation), and anyone with an e-mail on their account resets a forgotten
password by a link sent to it (expiring, single use). The reset request says the same whether or not the
account exists. Views go validate → act → commit → flash → redirect."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from web.account import bp
from web.account.forms import NewPasswordForm, RegisterForm, ResetRequestForm
from web.db_session import db
from web.i18n import tr
from web.notices.mailer import send_mail
from web.store import account_queries, web_queries
from web.store.queries import StoreError


@bp.route("/register", methods=["GET", "POST"])
def register() -> Response | str | tuple[str, int]:
    form = RegisterForm()
    if form.validate_on_submit():
        session = db()
        try:
            account_queries.register(session, name=str(form.name.data), credit_code=str(form.credit_code.data),
                                     username=str(form.username.data), password=str(form.password.data),
                                     email=str(form.email.data), lang=str(form.lang.data or "zh"))
        except StoreError as refused:
            web_queries.rollback(session)
            flash(tr(refused), "error")
            return render_template("account/register.html", form=form), 409
        web_queries.commit(session)
        flash(_("注册申请已提交：管理员确认后即可登录（确认结果会发送到您的邮箱）。"), "success")
        return redirect(url_for("account.registered"))
    page = render_template("account/register.html", form=form)
    return (page, 400) if form.errors else page


@bp.route("/registered")
def registered() -> str:
    return render_template("account/done.html", title=_("注册申请已提交"),
                           text=_("管理员确认后即可登录；确认结果会发送到您的邮箱。"))


@bp.route("/reset", methods=["GET", "POST"])
def reset_request() -> Response | str | tuple[str, int]:
    form = ResetRequestForm()
    if form.validate_on_submit():
        session = db()
        found = account_queries.start_reset(session, str(form.login.data))
        web_queries.commit(session)
        if found is not None:
            user, token = found
            link = url_for("account.reset", token=token, _external=True)
            zh = (f"{user.username}：请在1小时内打开以下链接设置新密码（只能使用一次）：\n{link}\n如非本人操作，请忽略本邮件。")
            en = (f"{user.username}: open this link within one hour to choose a new password (it works once):\n{link}\n"
                  "If you did not ask for this, ignore this e-mail.")
            send_mail(str(user.email), "重置密码 / Password reset" if user.lang != "en" else "Password reset",
                      zh + "\n\n" + en if user.lang != "en" else en)
        flash(_("如果该账号存在并登记了邮箱，重置链接已发送到该邮箱（1小时内有效）。"), "success")
        return redirect(url_for("account.reset_sent"))
    page = render_template("account/reset_request.html", form=form)
    return (page, 400) if form.errors else page


@bp.route("/reset/sent")
def reset_sent() -> str:
    return render_template("account/done.html", title=_("请查收邮件"),
                           text=_("如果该账号存在并登记了邮箱，重置链接已发送到该邮箱（1小时内有效，只能使用一次）。"))


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset(token: str) -> Response | str | tuple[str, int]:
    session = db()
    if account_queries.reset_user(session, token) is None:
        return render_template("account/done.html", title=_("链接无效"),
                               text=_("重置链接无效、已过期或已使用，请重新申请。")), 404
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            account_queries.finish_reset(session, token, str(form.password.data))
        except StoreError as refused:
            flash(tr(refused), "error")
            return render_template("account/reset.html", form=form), 409
        web_queries.commit(session)
        flash(_("密码已重置，请用新密码登录。"), "success")
        return redirect(url_for("auth.login"))
    page = render_template("account/reset.html", form=form)
    return (page, 400) if form.errors else page
