"""This file defines the applicant's pages: my applications, apply under an open call, one application,
answer a request (with corrected files), the applicant's own uploaded files, and its payee account.

Views go validate → act → commit → flash → redirect. An applicant only ever reaches applications of the
applicant their account belongs to: any other id is "not found" (404), never "forbidden". Applying
needs an open call covering every measure chosen; files are checked by content and kept across a
refused post (web.bureau.uploads), and the submission is triaged right after its commit, off the request
(web.bureau.triage_now).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from engine import evaluate, lifecycle
from web.access import role_required
from web.applications import bp
from web.applications.forms import AnswerForm, ApplyForm, PayeeForm
from web.applications.profile import SelfcheckProfile, selfcheck_profile
from web.bureau import stored, uploads
from web.bureau.present import ALLOCATION_REASONS, CALL_STATUS, MATERIAL_STATUS, local_time, wan
from web.bureau.serve import blob_store, send_material
from web.bureau.triage_now import triage_after_commit
from web.db_session import db
from web.extensions import current_ruleset
from web.forms import choice
from web.i18n import current_lang, tr
from web.notices.send import mail_after_commit, notify, notify_payee_changed
from web.security import request_limit
from web.store import (
    account_queries,
    allocation_queries,
    call_queries,
    intake,
    material_queries,
    rate_queries,
    submission_queries,
    web_queries,
)
from web.store.call_queries import CallNotOpen
from web.store.contacts import Contacts
from web.store.identity import identity_of

MATERIAL_MAX_BYTES = 5 * 1024 * 1024
UPLOAD_REQUEST_MAX = 40 * 1024 * 1024
SUBMISSIONS_PER_APPLICANT = "20/hour"


def _today() -> dt.date:
    return dt.date.today()


def _max_file() -> int:
    return int(current_app.config.get("MATERIAL_MAX_BYTES") or MATERIAL_MAX_BYTES)


def _mine(application_id: int) -> Any:
    application = web_queries.application_of(db(), application_id, current_user.applicant_id)
    if application is None:
        abort(404)
    return application


@bp.route("/")
@role_required("applicant")
def index() -> str:
    session = db()
    applicant = web_queries.get_applicant(session, current_user.applicant_id)
    rows = web_queries.applications_of(session, current_user.applicant_id)
    return render_template("applications/index.html", applicant=applicant, rows=rows, labels=stored.STATUS_LABELS,
                           title_of=lambda mid: stored.title_of(mid, current_ruleset()))


def _choose_call(measure: str | None) -> Response | str:
    calls = call_queries.open_calls(db())
    if measure:
        covering = [c for c in calls if any(m.measure_id == measure for m in c.measures)]
        if len(covering) == 1:
            return redirect(url_for(".new", call=covering[0].id, measure=measure))
        calls = covering or calls
    return render_template("applications/choose_call.html", calls=calls, measure=measure, local_time=local_time,
                           title_of=lambda mid: tr(stored.title_of(mid, current_ruleset())))


@bp.route("/new", methods=["GET", "POST"])
@request_limit("UPLOAD_REQUEST_MAX")  # set before CSRF reads the form (web/security.py)
@role_required("applicant")
def new() -> Response | str | tuple[str, int]:
    call_id = request.values.get("call", type=int)
    if call_id is None:
        return _choose_call(request.args.get("measure"))
    session = db()
    call = call_queries.get_call(session, call_id)
    if call is None:
        abort(404)
    applicant = web_queries.get_applicant(session, current_user.applicant_id)
    page: dict[str, Any] = {"applicant": applicant, "call": call, "form": None, "CALL_STATUS": CALL_STATUS,
                            "local_time": local_time}
    status = call_queries.status_of(call, call_queries.now())
    if status != "open":
        return render_template("applications/new.html", **page, closed=status), 409 if request.method == "POST" else 200
    found = selfcheck_profile(_today())
    page["found"] = found
    if found.problem or found.parsed is None:
        return render_template("applications/new.html", **page)
    if not web_queries.profile_is_applicant(session, current_user.applicant_id, found.parsed.profile):
        return render_template("applications/new.html", **page, wrong_applicant=True)
    decision = evaluate(current_ruleset(), found.parsed, _today())
    form = ApplyForm()
    in_call = {m.measure_id for m in call.measures}
    form.measures.choices = _measure_choices(decision, current_lang(), in_call)
    if request.method == "GET":
        wanted = request.args.get("measure")
        offered = {c.value for c in form.measures.choices}
        form.measures.data = [wanted] if wanted in offered else \
            [r.measure_id for r in decision.results if r.outcome.value == "eligible" and r.measure_id in in_call]
    items = material_queries.checklist(session, call.id, in_call)
    scope = f"call-{call.id}"
    page.update(form=form, decision=decision, items=items, upload_errors={}, missing_items=[],
                kept=uploads.kept(scope), max_mb=_max_file() // (1024 * 1024))
    if request.method == "GET":
        return render_template("applications/new.html", **page)
    valid = form.validate_on_submit()
    fresh, errors = uploads.collect(request.files, [i["key"] for i in items], blob_store(), _max_file())
    kept = uploads.keep(scope, fresh)
    chosen = list(form.measures.data or [])
    required = [i["key"] for i in material_queries.checklist(session, call.id, chosen)]
    missing = [k for k in required if not any(f.item == k for f in kept)]
    if not valid or errors or missing:
        page.update(kept=kept, upload_errors=errors, missing_items=missing)
        return render_template("applications/new.html", **page), 400
    try:
        intake.check_intake(session, call_id=call.id, measures=chosen, files=kept,
                            identity_digest=identity_of(found.parsed.profile).digest)
    except CallNotOpen as refused:
        flash(tr(refused), "error")
        return render_template("applications/new.html", **page), 409
    wait = rate_queries.limited(session, "submissions", f"applicant:{current_user.applicant_id}",
                                current_app.config.get("API_SUBMISSIONS_RATE_LIMIT", SUBMISSIONS_PER_APPLICANT))
    if wait:  # per applicant, counted in the database (all workers): issue 18
        flash(_("提交过于频繁，请%(n)s秒后再试。", n=int(wait) + 1), "error")
        return render_template("applications/new.html", **page), 429
    contacts = Contacts(str(form.contact_name.data), str(form.contact_phone.data), str(form.contact_email.data))
    return _submit(found, call.id, chosen, contacts, [f for f in kept if f.item in required], scope)


def _measure_choices(decision: Any, lang: str, in_call: set[str]) -> list[Any]:
    ruleset, out = current_ruleset(), []
    order = {"eligible": 0, "conditional": 1, "undetermined": 2, "ineligible": 3}
    applicable = [r for r in decision.results if r.outcome.value in order and r.measure_id in in_call]
    for r in sorted(applicable, key=lambda r: (order[r.outcome.value], r.measure_id)):
        outcome = stored.outcome_label(r.outcome.value).get(lang)
        amount = stored.amount_of({"kind": r.amount.kind, "value": r.amount.value}, lang)
        label = f"{tr(stored.title_of(r.measure_id, ruleset))} — {outcome}" + (f" · {amount}" if amount != "—" else "")
        out.append(choice(r.measure_id, label))
    return out


def _submit(found: SelfcheckProfile, call_id: int, measures: list[str], contacts: Contacts, files: list[Any],
            scope: str) -> Response:
    ruleset, today = current_ruleset(), _today()
    assert found.parsed is not None and found.data is not None
    decision = evaluate(ruleset, found.parsed, today, measures=sorted(measures))
    lost = uploads.promote(files, blob_store())  # staged uploads into the store, just before the commit
    if lost:  # cleaned up meanwhile (a form left open for days): shown as still to upload
        uploads.forget(scope, lost)
        return redirect(url_for(".new", call=call_id))
    call = call_queries.get_call(db(), call_id)

    def receipt(session: Any, application: Any) -> None:  # told in the submission's own transaction
        notify(session, application.id, "receipt", {"call": call.title if call else "—",
                                                    "when": local_time(application.submitted_at)}, commit=False)

    row = submission_queries.submit_to_call(
        db(), call_id=call_id, profile=found.parsed.profile, profile_data=found.data, ruleset=ruleset,
        decision=decision, checked_on=today, measures=measures, contacts=contacts, files=files,
        user_id=current_user.id, within=receipt)
    uploads.drop(scope)
    mail_after_commit()  # the receipt's e-mail leaves from the sender thread (web.notices.outbox)
    triage_after_commit()  # and its triage from the triage thread (web.bureau.triage_now)
    flash(_("申请已提交，编号 #%(id)s。系统已完成初步判断，请等待审核。", id=row.application_id), "success")
    return redirect(url_for(".detail", application_id=row.application_id))


@bp.route("/<int:application_id>")
@role_required("applicant")
def detail(application_id: int) -> str:
    return _render_detail(_mine(application_id), AnswerForm())


def _render_detail(application: Any, form: AnswerForm, upload_errors: dict[str, Any] | None = None) -> str:
    session, ruleset, lang = db(), current_ruleset(), current_lang()
    latest = application.decisions[-1] if application.decisions else None
    rows = stored.results(latest.decision_json, ruleset, lang) if latest else []
    wanted = set(application.measures or ())
    if wanted:
        rows = [r for r in rows if r.measure_id in wanted]
    requests = [r for r in application.reviews if r.action == "request_info"]
    items = material_queries.checklist(session, application.call_id, application.measures or ())
    return render_template("applications/detail.html", application=application, decision=latest, rows=rows,
                           requests=requests, form=form, labels=stored.STATUS_LABELS,
                           actions=stored.ACTION_LABELS, history=stored.history(application, for_applicant=True),
                           may_answer=application.status == "info_requested", items=items,
                           materials=material_queries.materials_of(session, application.id),
                           MATERIAL_STATUS=MATERIAL_STATUS, upload_errors=upload_errors or {},
                           call=call_queries.get_call(session, application.call_id) if application.call_id else None,
                           allocation=allocation_queries.lines_of_application(session, application.id),
                           REASONS=ALLOCATION_REASONS, RANKS=call_queries.RANK_LABELS, local_time=local_time, money=lambda v: wan(v, lang),
                           title_of=lambda m: tr(ruleset.measures[m].title) if m in ruleset.measures else m)


@bp.route("/<int:application_id>/answer", methods=["POST"])
@request_limit("UPLOAD_REQUEST_MAX")  # set before CSRF reads the form (web/security.py)
@role_required("applicant")
def answer(application_id: int) -> Response | tuple[str, int]:
    application = _mine(application_id)
    form = AnswerForm()
    try:
        lifecycle.advance(stored.lifecycle_state(application.status), lifecycle.State.IN_REVIEW)
    except lifecycle.LifecycleError as exc:
        flash(tr(exc.message), "error")
        return redirect(url_for(".detail", application_id=application.id))
    session = db()
    items = [i["key"] for i in material_queries.checklist(session, application.call_id, application.measures or ())]
    fresh, errors = uploads.collect(request.files, items, blob_store(), _max_file())
    scope = f"answer-{application.id}"
    kept = uploads.keep(scope, fresh)
    if not form.validate_on_submit() or errors:
        return _render_detail(application, form, errors), 400
    lost = uploads.promote(kept, blob_store())
    if lost:
        uploads.forget(scope, lost)
        return _render_detail(application, form, errors), 400
    latest = application.decisions[-1].id if application.decisions else None
    try:  # files and the move in one locked transaction: a concurrent second answer is refused, nothing kept
        submission_queries.answer(session, application.id, files=kept, user_id=current_user.id,
                                  reason=str(form.reason.data), decision_id=latest)
    except lifecycle.LifecycleError as exc:
        flash(tr(exc.message), "error")
        return redirect(url_for(".detail", application_id=application.id))
    uploads.drop(scope)
    triage_after_commit()
    flash(_("您的答复已提交，申请已转回审核。"), "success")
    return redirect(url_for(".detail", application_id=application.id))


@bp.route("/payee", methods=["GET", "POST"])
@role_required("applicant")
def payee() -> Response | tuple[str, int] | str:
    session = db()
    applicant = web_queries.get_applicant(session, current_user.applicant_id)
    if applicant is None:
        abort(404)
    form = PayeeForm(obj=applicant if request.method == "GET" else None)
    if not form.validate_on_submit():
        page = render_template("applications/payee.html", form=form, applicant=applicant)
        return (page, 400) if request.method == "POST" else page
    change = account_queries.set_payee(session, applicant.id, payee_name=str(form.payee_name.data),
                                       bank_name=str(form.bank_name.data), bank_account=str(form.bank_account.data),
                                       user_id=current_user.id)
    if change is None:
        flash(_("收款账户未变化。"), "info")
        return redirect(url_for(".payee"))
    notify_payee_changed(session, change)  # on the audit chain, and the applicant is told (every account, e-mail)
    flash(_("收款账户已保存。"), "success")
    return redirect(url_for(".payee"))


@bp.route("/<int:application_id>/materials/<int:material_id>")
@role_required("applicant")
def material(application_id: int, material_id: int) -> Response:
    application = _mine(application_id)
    row = material_queries.get_material(db(), material_id)
    if row is None or row.application_id != application.id:
        abort(404)
    return send_material(row)
