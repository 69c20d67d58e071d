"""This file defines the applicant's pages: my applications, apply, one application, answer a request.

Views go validate → act → commit → flash → redirect. An applicant only ever reaches applications of the
applicant their account belongs to: any other id is "not found" (404), never "forbidden".
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from engine import evaluate, lifecycle
from web.applications import bp, stored
from web.applications.forms import AnswerForm, ApplyForm
from web.applications.profile import SelfcheckProfile, selfcheck_profile
from web.auth.decorators import role_required
from web.db_session import db
from web.extensions import current_ruleset
from web.i18n import current_lang, tr
from web.selfcheck.forms import choice
from web.store import queries, web_queries


def _today() -> dt.date:
    return dt.date.today()


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


@bp.route("/new", methods=["GET", "POST"])
@role_required("applicant")
def new() -> Response | str:
    session = db()
    applicant = web_queries.get_applicant(session, current_user.applicant_id)
    found = selfcheck_profile(_today())
    if found.problem or found.parsed is None:
        return render_template("applications/new.html", applicant=applicant, found=found, form=None)
    if not web_queries.profile_is_applicant(session, current_user.applicant_id, found.parsed.profile):
        return render_template("applications/new.html", applicant=applicant, found=found, form=None,
                               wrong_applicant=True)
    ruleset, lang = current_ruleset(), current_lang()
    decision = evaluate(ruleset, found.parsed, _today())
    form = ApplyForm()
    form.measures.choices = _measure_choices(decision, lang)
    if request.method == "GET":
        wanted = request.args.get("measure")
        offered = {c.value for c in form.measures.choices}
        form.measures.data = [wanted] if wanted in offered else \
            [r.measure_id for r in decision.results if r.outcome.value == "eligible"]
    if not form.validate_on_submit():
        return render_template("applications/new.html", applicant=applicant, found=found, form=form,
                               decision=decision)
    return _submit(found, list(form.measures.data or []))


def _measure_choices(decision: Any, lang: str) -> list[Any]:
    ruleset, out = current_ruleset(), []
    order = {"eligible": 0, "undetermined": 1, "ineligible": 2}
    applicable = [r for r in decision.results if r.outcome.value in order]
    for r in sorted(applicable, key=lambda r: (order[r.outcome.value], r.measure_id)):
        outcome = stored.OUTCOME_LABELS[r.outcome.value].get(lang)
        amount = stored.amount_of({"kind": r.amount.kind, "value": r.amount.value}, lang)
        label = f"{tr(stored.title_of(r.measure_id, ruleset))} — {outcome}" + (f" · {amount}" if amount != "—" else "")
        out.append(choice(r.measure_id, label))
    return out


def _submit(found: SelfcheckProfile, measures: list[str]) -> Response:
    ruleset, today = current_ruleset(), _today()
    assert found.parsed is not None and found.data is not None
    decision = evaluate(ruleset, found.parsed, today, measures=sorted(measures))
    row = queries.submit_and_decide(db(), profile=found.parsed.profile, profile_data=found.data, ruleset=ruleset,
                                    decision=decision, checked_on=today, measures=measures)
    flash(_("申请已提交，编号 #%(id)s。系统已完成初步判断，请等待审核。", id=row.application_id), "success")
    return redirect(url_for(".detail", application_id=row.application_id))


@bp.route("/<int:application_id>")
@role_required("applicant")
def detail(application_id: int) -> str:
    return _render_detail(_mine(application_id), AnswerForm())


def _render_detail(application: Any, form: AnswerForm) -> str:
    ruleset, lang = current_ruleset(), current_lang()
    latest = application.decisions[-1] if application.decisions else None
    rows = stored.results(latest.decision_json, ruleset, lang) if latest else []
    wanted = set(application.measures or ())
    if wanted:
        rows = [r for r in rows if r.measure_id in wanted]
    requests = [r for r in application.reviews if r.action == "request_info"]
    return render_template("applications/detail.html", application=application, decision=latest, rows=rows,
                           requests=requests, form=form, labels=stored.STATUS_LABELS,
                           actions=stored.ACTION_LABELS, history=stored.history(application, for_applicant=True),
                           may_answer=application.status == "info_requested")


@bp.route("/<int:application_id>/answer", methods=["POST"])
@role_required("applicant")
def answer(application_id: int) -> Response | tuple[str, int]:
    application = _mine(application_id)
    form = AnswerForm()
    try:
        lifecycle.advance(stored.lifecycle_state(application.status), lifecycle.State.IN_REVIEW)
    except lifecycle.LifecycleError as exc:
        flash(tr(exc.message), "error")
        return redirect(url_for(".detail", application_id=application.id))
    if not form.validate_on_submit():
        return _render_detail(application, form), 400
    latest = application.decisions[-1].id if application.decisions else None
    queries.record_review(db(), application_id=application.id, user_id=current_user.id, action="reopen",
                          reason=str(form.reason.data), decision_id=latest)
    flash(_("您的答复已提交，申请已转回审核。"), "success")
    return redirect(url_for(".detail", application_id=application.id))
