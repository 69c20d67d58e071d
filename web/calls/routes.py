"""This file defines the calls pages: the public list and notice of each call (with its changes and reasons),
the 公示 list (page and CSV) and the admin's form to open a call. Managing a call is in web.calls.manage, its
allocation and payments in web.calls.allocate.

Views go validate → act → commit → flash → redirect. Calls, allocations and payments are chained by the
store (web.store.call_queries / allocation_queries); a refusal shows the store's zh/en message.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from engine.io.csv_writer import csv_text
from web.access import role_required
from web.bureau.present import default_materials, to_utc
from web.calls import bp
from web.calls.common import call_or_404, page_context
from web.calls.forms import CallForm, measure_fields
from web.calls.manage import manage_forms
from web.db_session import db
from web.extensions import current_ruleset
from web.i18n import tr
from web.notices.send import notify_call_opened
from web.store import allocation_queries, call_queries
from web.store.queries import StoreError

_page_context, _call = page_context, call_or_404


@bp.route("/")
def index() -> str:
    return render_template("calls/index.html", calls=call_queries.list_calls(db()), **_page_context())


@bp.route("/<int:call_id>")
def detail(call_id: int) -> str:
    return render_template("calls/detail.html", call=_call(call_id), changes=call_queries.changes(db(), call_id),
                           **manage_forms(), **_page_context())


# -- opening a call -----------------------------------------------------------------------------------

def _default_materials(measure: Any) -> str:
    return "\n".join(f"{zh} / {en}" if en != zh else zh for _key, zh, en in default_materials(measure))


def _default_body(measures: list[Any]) -> str:
    """The rule file's accepting body when it is one of the local bodies; else none (the admin chooses): a
    national rule's body (e.g. the national tech-SME office) never becomes a local call's 受理部门."""
    for measure in measures:
        how = getattr(measure, "how_to_apply", None)
        body = getattr(how, "body", None) if how is not None else None
        if body is not None and str(body.zh) in call_queries.LOCAL_BODIES:
            return str(body.zh)
    return ""


@bp.route("/new", methods=["GET", "POST"])
@role_required("admin")
def new() -> Response | str | tuple[str, int]:
    ruleset = current_ruleset()
    chosen = [m for m in dict.fromkeys(request.values.getlist("measure")) if m in ruleset.measures]
    catalogue = sorted(ruleset.measures.values(), key=lambda m: m.id)
    if not chosen:
        missing = request.method == "POST" or "measure" in request.args
        return render_template("calls/pick.html", catalogue=catalogue, missing=missing, **_page_context()), \
            400 if missing else 200
    measures = [ruleset.measures[m] for m in chosen]
    form = CallForm()
    if request.method == "GET":
        form.body.data = _default_body(measures)
        form.year.data = call_queries.now().year
    specs, extra_errors = measure_fields(request.form, chosen) if request.method == "POST" else ([], {})
    if form.validate_on_submit() and not extra_errors:
        try:
            call = call_queries.create_call(
                db(), year=int(form.year.data or 0), title=str(form.title.data), body=str(form.body.data),
                opens_at=to_utc(form.opens.data), closes_at=to_utc(form.closes.data),  # type: ignore[arg-type]
                budget=form.budget.yuan, method=str(form.method.data), measures=specs,  # type: ignore[attr-defined]
                user_id=current_user.id, rank_by=str(form.rank_by.data), notice_days=int(form.notice_days.data or 0))
        except StoreError as refused:
            flash(tr(refused), "error")
        else:
            told = notify_call_opened(db(), call)
            flash(_("已发布申报通知 #%(id)s。", id=call.id) + (_("已通知 %(n)s 个可能符合条件的申请人账号。", n=told)
                                                            if told else ""), "success")
            return redirect(url_for(".detail", call_id=call.id))
    values = {m.id: {"cap": request.form.get(f"cap-{m.id}", ""),
                     "materials": request.form.get(f"materials-{m.id}", _default_materials(m))} for m in measures}
    page = render_template("calls/new.html", form=form, measures=measures, values=values, extra_errors=extra_errors,
                           **_page_context())
    return (page, 400) if request.method == "POST" else page


@bp.route("/<int:call_id>/notice")
def notice(call_id: int) -> str:
    call = _call(call_id)
    return render_template("calls/notice.html", call=call, rows=allocation_queries.notice(db(), call.id),
                           **_page_context())


@bp.route("/<int:call_id>/notice.csv")
def notice_csv(call_id: int) -> Response:
    call = _call(call_id)
    if call.allocated_at is None:
        abort(404)
    rows = allocation_queries.notice(db(), call.id)
    context = _page_context()
    header = ["序号 / no.", "名称 / name", "政策措施 / measure", "措施编号 / measure id", "金额（元） / amount (yuan)"]
    body = [[number, row.name, context["title_of"](row.measure_id), row.measure_id, row.amount]
            for number, row in enumerate(rows, start=1)]
    response = Response(csv_text(header, body, bom=True), mimetype="text/csv")
    response.headers["Content-Disposition"] = f"attachment; filename=\"call-{call.id}-notice.csv\""
    return response
