"""This file defines the calls pages: the public list and notice of each call, the 公示 list (page and CSV),
the admin's form to open a call, and, for bureau staff, the allocation of a closed call and its payments.

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
from web.auth.decorators import role_required
from web.bureau import stored
from web.bureau.present import (
    ALLOCATION_REASONS,
    CALL_STATUS,
    METHODS,
    default_materials,
    local_time,
    to_utc,
    wan,
)
from web.calls import bp
from web.calls.forms import AllocateForm, CallForm, PaymentForm, measure_fields
from web.db_session import db
from web.extensions import current_ruleset
from web.i18n import current_lang, tr
from web.store import allocation_queries, call_queries, web_queries
from web.store.queries import StoreError

STAFF = ("admin", "reviewer", "auditor")


def _page_context() -> dict[str, Any]:
    ruleset, lang = current_ruleset(), current_lang()

    def title(measure_id: str) -> str:
        measure = ruleset.measures.get(measure_id)
        return tr(measure.title) if measure is not None else measure_id

    return {"title_of": title, "local_time": local_time, "money": lambda v: wan(v, lang), "CALL_STATUS": CALL_STATUS,
            "METHODS": METHODS, "REASONS": ALLOCATION_REASONS, "now": call_queries.now(), "status_of": call_queries.status_of}


def _call(call_id: int) -> Any:
    call = call_queries.get_call(db(), call_id)
    if call is None:
        abort(404)
    return call


@bp.route("/")
def index() -> str:
    return render_template("calls/index.html", calls=call_queries.list_calls(db()), **_page_context())


@bp.route("/<int:call_id>")
def detail(call_id: int) -> str:
    return render_template("calls/detail.html", call=_call(call_id), **_page_context())


# -- opening a call -----------------------------------------------------------------------------------

def _default_materials(measure: Any) -> str:
    return "\n".join(f"{zh} / {en}" if en != zh else zh for _key, zh, en in default_materials(measure))


def _default_body(measures: list[Any]) -> str:
    for measure in measures:
        how = getattr(measure, "how_to_apply", None)
        body = getattr(how, "body", None) if how is not None else None
        if body is not None:
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
                user_id=current_user.id)
        except StoreError as refused:
            flash(f"{refused.zh} / {refused.en}", "error")
        else:
            flash(_("已发布申报通知 #%(id)s。", id=call.id), "success")
            return redirect(url_for(".detail", call_id=call.id))
    values = {m.id: {"cap": request.form.get(f"cap-{m.id}", ""),
                     "materials": request.form.get(f"materials-{m.id}", _default_materials(m))} for m in measures}
    page = render_template("calls/new.html", form=form, measures=measures, values=values, extra_errors=extra_errors,
                           **_page_context())
    return (page, 400) if request.method == "POST" else page


# -- allocation, notice and payments ------------------------------------------------------------------

@bp.route("/<int:call_id>/allocation")
@role_required(*STAFF)
def allocation(call_id: int) -> str:
    return _render_allocation(_call(call_id), PaymentForm())


def _render_allocation(call: Any, payment_form: PaymentForm) -> str:
    session = db()
    lines = allocation_queries.allocation_lines(session, call.id)
    paid = {line.id: allocation_queries.paid_total(session, line.id) for line in lines}
    applications = [row for row in web_queries.queue_rows(session) if row.application_id in
                    web_queries.application_ids_of_call(session, call.id)]
    return render_template("calls/allocation.html", call=call, lines=lines, paid=paid, applications=applications,
                           payments=allocation_queries.payments_of(session, call.id), allocate_form=AllocateForm(),
                           payment_form=payment_form, labels=_status_labels(), **_page_context())


def _status_labels() -> Any:
    return stored.STATUS_LABELS


@bp.route("/<int:call_id>/allocate", methods=["POST"])
@role_required("admin")
def allocate(call_id: int) -> Response:
    call = _call(call_id)
    if not AllocateForm().validate_on_submit():
        abort(400)
    try:
        allocation_queries.allocate_call(db(), call.id, current_user.id)
    except StoreError as refused:
        flash(f"{refused.zh} / {refused.en}", "error")
    else:
        flash(_("已完成资金分配，请核对后发布公示。"), "success")
    return redirect(url_for(".allocation", call_id=call.id))


@bp.route("/<int:call_id>/payments", methods=["POST"])
@role_required("admin")
def pay(call_id: int) -> Response | tuple[str, int]:
    call = _call(call_id)
    form = PaymentForm()
    if not form.validate_on_submit():
        return _render_allocation(call, form), 400
    try:
        allocation_queries.record_payment(db(), int(form.allocation_id.data or 0), paid_on=form.paid_on.data,  # type: ignore[arg-type]
                                          amount=form.amount.yuan, voucher_no=str(form.voucher_no.data),  # type: ignore[attr-defined]
                                          user_id=current_user.id)
    except StoreError as refused:
        flash(f"{refused.zh} / {refused.en}", "error")
        return _render_allocation(call, form), 409
    flash(_("已登记付款（凭证号 %(no)s）。", no=form.voucher_no.data), "success")
    return redirect(url_for(".allocation", call_id=call.id))


@bp.route("/<int:call_id>/notice")
def notice(call_id: int) -> str:
    call = _call(call_id)
    return render_template("calls/notice.html", call=call, rows=allocation_queries.notice(db(), call.id),
                           **_page_context())


@bp.route("/<int:call_id>/notice.csv")
def notice_csv(call_id: int) -> Response:
    call = _call(call_id)
    rows = allocation_queries.notice(db(), call.id)
    if call.allocated_at is None:
        abort(404)
    context = _page_context()
    header = ["序号 / no.", "名称 / name", "政策措施 / measure", "措施编号 / measure id", "金额（元） / amount (yuan)"]
    body = [[number, row.name, context["title_of"](row.measure_id), row.measure_id, row.amount]
            for number, row in enumerate(rows, start=1)]
    response = Response(csv_text(header, body, bom=True), mimetype="text/csv")
    response.headers["Content-Disposition"] = f"attachment; filename=\"call-{call.id}-notice.csv\""
    return response
