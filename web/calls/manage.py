"""This file defines the admin's management of a call: edit before it opens, extend, close early, withdraw.

Each change needs a reason; the store chains it (`call_changed`) and the public call page lists it with its
reason. A refusal shows the store's zh/en message. Views go validate → act → flash → redirect.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from web.access import role_required
from web.bureau.present import SHANGHAI, to_utc, wan_to_yuan
from web.calls import bp
from web.calls.common import call_or_404, page_context
from web.calls.forms import EditCallForm, ExtendForm, ReasonForm
from web.db_session import db
from web.i18n import tr
from web.store import call_queries, review_queries, web_queries
from web.store.queries import StoreError


def manage_forms() -> dict[str, Any]:
    """The (empty) forms the call page offers an admin."""
    return {"extend_form": ExtendForm(prefix="extend"), "close_form": ReasonForm(prefix="close"),
            "withdraw_form": ReasonForm(prefix="withdraw"), "stages_form": ReasonForm(prefix="stages"),  # its CSRF token only
            "reviewers": web_queries.reviewers(db()), "STAGE_PRESETS": review_queries.STAGE_PRESETS,
            "stages_of": review_queries.stages_of}


def _refused(refused: StoreError) -> None:
    flash(tr(refused), "error")


def _back(call_id: int) -> Response:
    return redirect(url_for("calls.detail", call_id=call_id) + "#manage")


@bp.route("/<int:call_id>/edit", methods=["GET", "POST"])
@role_required("admin")
def edit(call_id: int) -> Response | str | tuple[str, int]:
    call = call_or_404(call_id)
    form = EditCallForm()
    if not form.is_submitted():
        form.title.data, form.year.data, form.body.data = call.title, call.year, call.body
        form.opens.data, form.closes.data = _local(call.opens_at), _local(call.closes_at)
        form.budget.data, form.method.data = _wan(call.budget), call.method
        form.rank_by.data, form.notice_days.data = call.rank_by, call.notice_days
    elif form.validate():
        try:
            call_queries.edit_call(db(), call.id, reason=str(form.reason.data), user_id=current_user.id,
                                   title=str(form.title.data), body=str(form.body.data),
                                   opens_at=to_utc(form.opens.data), closes_at=to_utc(form.closes.data),  # type: ignore[arg-type]
                                   budget=wan_to_yuan(str(form.budget.data)), method=str(form.method.data),
                                   rank_by=str(form.rank_by.data), notice_days=int(form.notice_days.data or 0))
        except StoreError as refused:
            _refused(refused)
        else:
            flash(_("已修改申报通知，修改理由已公开。"), "success")
            return _back(call.id)
    page = render_template("calls/edit.html", call=call, form=form, **page_context())
    return (page, 400) if form.is_submitted() else page


def _local(utc: dt.datetime) -> dt.datetime:
    return utc.replace(tzinfo=dt.UTC).astimezone(SHANGHAI).replace(tzinfo=None)


def _wan(yuan: int) -> str:
    """Whole yuan as the 万元 text the form takes back (exact: 125000 → '12.5')."""
    text = f"{Decimal(yuan) / 10000:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@bp.route("/<int:call_id>/extend", methods=["POST"])
@role_required("admin")
def extend(call_id: int) -> Response:
    call = call_or_404(call_id)
    form = ExtendForm(prefix="extend")
    if not form.validate_on_submit():
        flash(_("请填写新的截止时间和延期理由。"), "error")
        return _back(call.id)
    try:
        call_queries.extend_call(db(), call.id, to_utc(form.closes.data), reason=str(form.reason.data),  # type: ignore[arg-type]
                                 user_id=current_user.id)
    except StoreError as refused:
        _refused(refused)
    else:
        flash(_("已延长截止时间，理由已公开。"), "success")
    return _back(call.id)


@bp.route("/<int:call_id>/close", methods=["POST"])
@role_required("admin")
def close(call_id: int) -> Response:
    return _with_reason(call_id, "close", call_queries.close_early, _("已提前截止，理由已公开。"))


@bp.route("/<int:call_id>/withdraw", methods=["POST"])
@role_required("admin")
def withdraw(call_id: int) -> Response:
    return _with_reason(call_id, "withdraw", call_queries.withdraw_call, _("已撤回申报通知，理由已公开。"))


def _with_reason(call_id: int, prefix: str, act: Any, done: str) -> Response:
    call = call_or_404(call_id)
    form = ReasonForm(prefix=prefix)
    if not form.validate_on_submit():
        flash(_("请填写理由（将在通知页面公开）。"), "error")
        return _back(call.id)
    try:
        act(db(), call.id, reason=str(form.reason.data), user_id=current_user.id)
    except StoreError as refused:
        _refused(refused)
    else:
        flash(done, "success")
    return _back(call.id)


@bp.route("/<int:call_id>/stages", methods=["POST"])
@role_required("admin")
def stages(call_id: int) -> Response:
    """Set the call's review stages (初审 / 复审 / 终审) and, per stage, the reviewers who may act (none: any)."""
    call = call_or_404(call_id)  # the CSRF token is checked by the app for every POST
    preset = review_queries.STAGE_PRESETS.get(request.form.get("preset", ""))
    if preset is None:
        flash(_("请选择审核阶段。"), "error")
        return _back(call.id)
    chosen = [{**stage, "users": [int(u) for u in request.form.getlist(f"stage-{i}-users") if u.isdigit()]}
              for i, stage in enumerate(preset)]
    try:
        review_queries.set_stages(db(), call.id, chosen)
    except StoreError as refused:
        _refused(refused)
        return _back(call.id)
    web_queries.commit(db())
    flash(_("已设置审核阶段。"), "success")
    return _back(call.id)
