"""This file defines the allocation pages of a call for bureau staff: the preview of a closed call's allocation,
its confirmation (the 公示 starts), objections and their handling during the 公示期, the final allocation, and
single payments. Batch payments (export for the finance office, voucher import) are in web.calls.payments.

Views go validate → act → flash → redirect; the store chains every step and refuses what is out of order
(its zh/en message is shown).
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from engine.errors import Message
from web.access import role_required
from web.bureau import stored
from web.calls import bp
from web.calls.common import STAFF, call_or_404, page_context
from web.calls.forms import ConfirmForm, HandleForm, ObjectionForm, PaymentForm
from web.db_session import db
from web.forms import choice
from web.i18n import tr
from web.masking import payee_for
from web.notices.send import notify_allocation, notify_payment
from web.store import account_queries, allocation_queries, call_queries
from web.store.queries import StoreError


def _objection_form(lines: list[Any]) -> ObjectionForm:
    form = ObjectionForm(prefix="objection")
    form.allocation_id.choices = [choice("", _("不针对具体项目（整体异议）"))] + [
        choice(str(line.id), f"#{line.application_id} {line.name} · {line.measure_id}") for line in lines if line.granted]
    return form


@bp.route("/<int:call_id>/allocation")
@role_required(*STAFF)
def allocation(call_id: int) -> str:
    return _render(call_or_404(call_id))


def _render(call: Any, payment_form: PaymentForm | None = None, objection_form: ObjectionForm | None = None) -> str:
    session, now = db(), call_queries.now()
    stage = allocation_queries.stage_of(call, now)
    preview, refusal = None, None
    if stage == "to_allocate":
        try:
            preview = allocation_queries.preview(session, call.id, now)
        except StoreError as refused:
            refusal = tr(refused)
    lines = allocation_queries.allocation_lines(session, call.id)
    paid = allocation_queries.paid_of(session, [line.id for line in lines])
    objections = allocation_queries.objections_of(session, call.id)
    changes = account_queries.payee_changes(session, sorted({line.application.applicant_id for line in lines}),
                                            since=call.allocated_at) if call.allocated_at else {}
    return render_template(
        "calls/allocation.html", call=call, stage=stage, preview=preview, refusal=refusal, lines=lines, paid=paid,
        counts=allocation_queries.status_counts(session, call.id), objections=objections,
        confirm_form=ConfirmForm(digest=preview.digest if preview else ""),
        objection_form=objection_form or _objection_form(lines), handle_form=HandleForm(prefix="handle"),
        finalize_form=ConfirmForm(digest="final"), payment_form=payment_form or PaymentForm(),
        open_objections=[o for o in objections if o.outcome is None],
        publicity_over=call.publicity_until is not None and now >= call.publicity_until, labels=stored.STATUS_LABELS,
        payee=lambda a: payee_for(current_user.role, a.party, a.payee_name, a.bank_name, a.bank_account),
        account_changed={a: account_queries.changed_after(e, call.allocated_at) for a, e in changes.items()},
        **page_context())


def _done(call_id: int, anchor: str = "") -> Response:
    return redirect(url_for("calls.allocation", call_id=call_id) + anchor)


@bp.route("/<int:call_id>/allocate", methods=["POST"])
@role_required("admin")
def allocate(call_id: int) -> Response:
    """Confirm the previewed allocation: the lines are stored and the 公示 starts."""
    call = call_or_404(call_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        allocation_queries.confirm_allocation(db(), call.id, current_user.id, str(form.digest.data))
    except StoreError as refused:
        flash(tr(refused), "error")
    else:
        notify_allocation(db(), call.id, "allocation")
        flash(_("已确认分配方案，公示开始。"), "success")
    return _done(call.id, "#allocation")


@bp.route("/<int:call_id>/objections", methods=["POST"])
@role_required("admin")
def objection(call_id: int) -> Response | tuple[str, int]:
    call = call_or_404(call_id)
    form = _objection_form(allocation_queries.allocation_lines(db(), call.id))
    if not form.validate_on_submit():
        return _render(call, objection_form=form), 400
    try:
        allocation_queries.raise_objection(db(), call.id, raised_by=str(form.raised_by.data), text=str(form.text.data),
                                           allocation_id=int(form.allocation_id.data) if form.allocation_id.data else None,
                                           user_id=current_user.id)
    except StoreError as refused:
        flash(tr(refused), "error")
    else:
        flash(_("已登记异议，请在公示期内处理。"), "success")
    return _done(call.id, "#objections")


@bp.route("/<int:call_id>/objections/<int:objection_id>", methods=["POST"])
@role_required("admin")
def handle(call_id: int, objection_id: int) -> Response:
    call = call_or_404(call_id)
    form = HandleForm(prefix="handle")
    if not form.validate_on_submit():
        flash(_("请选择处理结果并填写处理意见。"), "error")
        return _done(call.id, "#objections")
    if not any(o.id == objection_id for o in allocation_queries.objections_of(db(), call.id)):
        abort(404)
    try:
        allocation_queries.handle_objection(db(), objection_id, outcome=str(form.outcome.data),
                                            handling=str(form.handling.data), user_id=current_user.id)
    except StoreError as refused:
        flash(tr(refused), "error")
    else:
        flash(_("已记录异议处理结果。"), "success")
    return _done(call.id, "#objections")


@bp.route("/<int:call_id>/finalize", methods=["POST"])
@role_required("admin")
def finalize(call_id: int) -> Response:
    call = call_or_404(call_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        allocation_queries.finalize_allocation(db(), call.id, current_user.id)
    except StoreError as refused:
        flash(tr(refused), "error")
    else:
        notify_allocation(db(), call.id, "publicity")
        flash(_("公示结束，分配已定稿。"), "success")
    return _done(call.id, "#allocation")


@bp.route("/<int:call_id>/payments", methods=["POST"])
@role_required("admin")
def pay(call_id: int) -> Response | tuple[str, int]:
    call = call_or_404(call_id)
    form = PaymentForm()
    if not form.validate_on_submit():
        return _render(call, form), 400
    line = next((x for x in allocation_queries.allocation_lines(db(), call.id) if str(x.id) == form.allocation_id.data),
                None)
    if line is None:
        abort(404)
    wrong = account_queries.payee_mismatch(line.application.applicant, "", str(form.account_last4.data),
                                           last_four=True)  # the voucher import's check, on the last four digits
    if wrong is not None:
        form.account_last4.errors = [tr(Message(*wrong))]
        return _render(call, form), 400
    try:
        payment = allocation_queries.record_payment(
            db(), line.id, paid_on=form.paid_on.data, amount=form.amount.yuan,  # type: ignore[arg-type,attr-defined]
            voucher_no=str(form.voucher_no.data), user_id=current_user.id)
    except StoreError as refused:
        flash(tr(refused), "error")
        return _render(call, form), 409
    notify_payment(db(), payment)
    flash(_("已登记付款（凭证号 %(no)s）。", no=form.voucher_no.data), "success")
    return _done(call.id, "#payments")
