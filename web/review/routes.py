"""This file defines the reviewer's pages: the queue, one application's file, and the decision on it.

A decision goes validate → check the move against the lifecycle statechart → record it on the audit chain
(`record_review`, reason mandatory) → flash → redirect. A move the chart refuses is shown with the
chart's own message and nothing is recorded.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections import OrderedDict
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from werkzeug.wrappers import Response

from engine import lifecycle
from engine.errors import Message
from engine.reading.labels import TRIAGE_ROUTES
from web.access import role_required
from web.bureau import stored
from web.bureau import triage_now as triage_now_module
from web.bureau.present import MATERIAL_STATUS, local_time, wan, wan_to_yuan
from web.bureau.serve import send_material
from web.bureau.triage_now import triage_now
from web.db_session import db
from web.extensions import current_ruleset
from web.forms import choice
from web.i18n import current_lang, tr
from web.masking import mask_json_text, payee_for
from web.notices.send import notify_review
from web.reading import ISSUERS
from web.review import bp, queue
from web.review.forms import (
    ACTIONS,
    AmountsForm,
    BulkForm,
    DecideForm,
    MaterialForm,
    QueueForm,
    ReasonOnlyForm,
)
from web.store import (
    allocation_queries,
    material_queries,
    queries,
    review_queries,
    triage_queries,
    web_queries,
)
from web.store.queries import StoreError

SEVERITIES = {"block": Message("阻断", "blocking"), "warn": Message("警告", "warning"), "info": Message("提示", "info")}
STATUS_FILTERS = ("open", "all", "decided", "in_review", "info_requested", "escalated", "approved", "rejected",
                  "withdrawn")


def _today() -> dt.date:
    return dt.date.today()


def _queue_form(calls: list[Any], flags: list[tuple[str, str]]) -> QueueForm:
    """The queue's filter form as the request's arguments fill it (`calls`: every call, as queue_calls gives them;
    `flags`: the flag filter's rules and words, `_flag_choices`)."""
    ruleset, lang = current_ruleset(), current_lang()
    form = QueueForm(formdata=request.args)
    issuer_order = list(ISSUERS)
    measures = [(m.id, f"{m.title.get(lang)}（{tr(ISSUERS[m.issuer])}）" if lang == "zh" else
                 f"{m.title.get(lang)} ({tr(ISSUERS[m.issuer])})")
                for m in sorted(ruleset.measures.values(),
                                key=lambda m: (issuer_order.index(m.issuer) if m.issuer in issuer_order else 99,
                                               m.title.get(lang)))]
    issuers = [(key, label) for key, label in ISSUERS.items()
               if any(m.issuer == key for m in ruleset.measures.values())]
    statuses = [("open", _("待处理（未结案）")), ("all", _("全部"))] + \
        [(s, tr(stored.status_label(s))) for s in STATUS_FILTERS[2:]]
    form.set_choices(measures, issuers, flags, statuses, [(str(c.id), f"#{c.id} {c.title}") for c in calls])
    if not request.args.get("status"):
        form.status.data = "open"
    return form


def _flag_choices() -> list[tuple[str, str]]:
    """The flag filter's triage rules (those with a current flag) and their words."""
    titles = _flag_titles()
    return [(r, _("提示：%(rule)s", rule=titles.get(r, r))) for r in web_queries.flag_rules(db())]


def _flag_titles() -> dict[str, str]:
    """Each triage rule's title in the current language (a flag is shown in words, never by its id)."""
    rules = triage_now_module._rules()  # the triage rules the site triages with (loaded once)
    return {rule_id: tr(rule.title) for rule_id, rule in (rules.rules.items() if rules is not None else ())}


def _values(form: QueueForm) -> dict[str, Any]:
    """The filter values that validated (a bad value is ignored, never an error)."""
    form.validate()
    return {name: field.data for name, field in form._fields.items()
            if not field.errors and field.data not in (None, "")}


def _query(values: dict[str, Any], page_size: int | None = None) -> Any:
    return queue.build_query(values, current_ruleset(), user_id=current_user.id, today=_today(),
                             page_size=page_size or queue.PAGE_SIZE)


FILTERS_KEPT = 512  # drawn filter forms kept per application (languages × filter values)
_FILTERS = "review.filters"


def _filters(calls: list[Any], export_args: dict[str, str]) -> tuple[Markup, dict[str, Any]]:
    """The queue's filter form drawn, and the filter values that validated. Kept once drawn while nothing is typed
    in the search box and no value was refused: it is then the same for every reviewer with the same language,
    rules, calls, flag rules and filter arguments, so a worker draws its ≈ 90 options and ten fields once instead
    of on every queue page (issue 18). A typed search is never kept."""
    flags = _flag_choices()
    key = None
    if not request.args.get("q") and not current_app.jinja_env.auto_reload:
        key = (current_lang(), current_ruleset().hash, tuple(flags), tuple((c.id, c.title) for c in calls),
               tuple(sorted(request.args.items(multi=True))))
    kept: dict[Any, tuple[Markup, dict[str, Any]]] = current_app.extensions.setdefault(_FILTERS, {})
    if key is not None and key in kept:
        html, values = kept[key]
        return html, dict(values)
    form = _queue_form(calls, flags)
    values = _values(form)
    html = Markup(render_template("review/_queue_filters.html", form=form, export_args=export_args))
    if key is not None and not form.errors and len(kept) < FILTERS_KEPT:
        kept[key] = (html, dict(values))
    return html, values


@bp.route("/")
@role_required("reviewer")
def index() -> str:
    session = db()
    listed = review_queries.queue_calls(session)
    args = {k: v for k, v in request.args.items() if k not in ("page", "lang") and v}
    filters, values = _filters(listed, args)
    page = web_queries.queue_page(session, _query(values))

    def page_url(number: int) -> str:
        return f"{url_for('.index')}?{urlencode({**args, 'page': number})}"

    calls = {c.id: c for c in listed}
    bulk_form, bulk_fields = (BulkForm(), _bulk_fields()) if page.rows else (None, Markup())
    return render_template("review/queue.html", filters=filters, page=page, labels=stored.STATUS_LABELS,
                           today=_today(), page_url=page_url, bulk_form=bulk_form, bulk_fields=bulk_fields,
                           numbers=_numbers(page.page, page.pages), severities=SEVERITIES, titles=_flag_titles(),
                           stage_of=lambda r: tr(review_queries.stage_label(calls.get(r.call_id), r.stage)),
                           money=lambda v: _exact_amount(v, current_lang()) if v else "—")


_BULK = "review.bulk_fields"


def _bulk_fields() -> Markup:
    """The queue's bulk-action fields drawn (nothing typed: a GET page), kept per language and active reviewers."""
    reviewers = tuple((str(u.id), u.username) for u in web_queries.reviewers(db()))
    key = (current_lang(), reviewers)
    kept: dict[Any, Markup] = current_app.extensions.setdefault(_BULK, {})
    if key in kept and not current_app.jinja_env.auto_reload:
        return kept[key]
    form = BulkForm()
    form.reviewer.choices = [choice(value, name) for value, name in reviewers]
    html = Markup(render_template("review/_queue_bulk.html", bulk_form=form))
    if len(kept) < FILTERS_KEPT:
        kept[key] = html
    return html


@lru_cache(maxsize=4096)
def _exact_amount(yuan: int, lang: str) -> str:
    """An exact amount in words, as stored.amount_of writes it, remembered per process (a queue page writes one per
    row, ≈ 90 µs each: amounts repeat, awards being fixed sums)."""
    return stored.amount_of({"kind": "exact", "value": yuan}, lang)


def _numbers(page: int, pages: int) -> list[int | None]:
    """Page numbers to show: the first, the last and two either side of the current one (None: a gap)."""
    keep = sorted({1, pages, *range(max(1, page - 2), min(pages, page + 2) + 1)})
    out: list[int | None] = []
    for number in keep:
        if out and number - (out[-1] or 0) > 1:
            out.append(None)
        out.append(number)
    return out


@bp.route("/export.<any(csv, xlsx):format>")
@role_required("reviewer")
def export(format: str) -> Response:  # noqa: A002  (the URL's word)
    session = db()
    listed = review_queries.queue_calls(session)
    calls = {c.id: c for c in listed}
    rows = queue.export_rows(queue.all_rows(session, _query(_values(_queue_form(listed, _flag_choices())))),
                             lambda s: tr(stored.status_label(s)), local_time,
                             lambda r: tr(review_queries.stage_label(calls.get(r.call_id), r.stage)))
    if format == "csv":
        response = Response(queue.as_csv(rows), mimetype="text/csv")
    else:
        response = Response(queue.as_xlsx(rows),
                            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response.headers["Content-Disposition"] = f'attachment; filename="review-queue.{format}"'
    return response


@bp.route("/bulk", methods=["POST"])
@role_required("reviewer")
def bulk() -> tuple[str, int] | str:
    session = db()
    form = BulkForm()
    form.reviewer.choices = [choice(str(u.id), u.username) for u in web_queries.reviewers(session)]
    ids = [int(i) for i in request.form.getlist("ids") if i.isdigit()]
    if not form.validate_on_submit() or not ids:
        problem = _("请勾选申请、选择批量操作并填写理由。")
        return render_template("review/bulk.html", results=[], problem=problem), 400
    if form.act.data == "assign" and not str(form.reviewer.data or "").isdigit():
        return render_template("review/bulk.html", results=[], problem=_("请选择要指派的审核人员。")), 400
    results = review_queries.bulk(session, ids[:500], str(form.act.data), current_user.id, str(form.reason.data),
                                  int(form.reviewer.data) if str(form.reviewer.data or "").isdigit() else None)
    for result in results:
        if result.ok and form.act.data == "request_info":
            notify_review(session, result.application_id, "request_info", str(form.reason.data))
    return render_template("review/bulk.html", results=results, problem=None,
                           done=sum(r.ok for r in results), refused=sum(not r.ok for r in results))


def _application(application_id: int) -> Any:
    application = web_queries.application_of(db(), application_id)
    if application is None:
        abort(404)
    return application


@bp.route("/applications/<int:application_id>")
@role_required("reviewer")
def application(application_id: int) -> str:
    return _render(_application(application_id), DecideForm())


def _render(application: Any, form: DecideForm, refusal: str | None = None) -> str:
    """The application page; the call read once, and each of its smaller forms built only where the page shows it
    (moving to the next stage, an appeal, a material's check, the approved amounts)."""
    session, ruleset, lang = db(), current_ruleset(), current_lang()
    latest = application.decisions[-1] if application.decisions else None
    rows, results_html = _results(latest.decision_json, ruleset, lang) if latest else ([], Markup())
    lines = allocation_queries.approvable_lines(session, application.id, latest)
    call = review_queries.call_of(session, application.call_id)
    stages = review_queries.stages_of(call)
    materials = material_queries.materials_of(session, application.id)
    try:
        allowed = [tr(lifecycle.LABELS[s]) for s in lifecycle.allowed_next(stored.lifecycle_state(application.status))]
    except lifecycle.LifecycleError as exc:
        allowed, refusal = [], refusal or tr(exc.message)
    return render_template(
        "review/application.html", application=application, decision=latest, rows=rows, form=form,
        decide_fields=_decide_fields(form), results_html=results_html,
        refusal=refusal, allowed=allowed, labels=stored.STATUS_LABELS, actions=stored.ACTION_LABELS,
        history=stored.history(application), profile=stored.profile_rows(mask_json_text(latest.profile_json, current_user.role))
        if latest else [],
        flags=triage_queries.flags_for_application(session, application.id),
        triage=triage_queries.application_triage(session, application.id),
        wanted=set(application.measures or ()), severities=SEVERITIES,
        mark_form=MaterialForm() if call is not None and materials else None, call=call,
        items=material_queries.checklist(session, application.call_id, application.measures or ()),
        materials=materials, MATERIAL_STATUS=MATERIAL_STATUS, stages=stages,
        stage_form=ReasonOnlyForm(prefix="stage") if application.status in ("in_review", "escalated") and
        application.stage < len(stages) - 1 else None,
        appeal_form=ReasonOnlyForm(prefix="appeal") if application.status in ("rejected", "not_funded") else None,
        titles=_flag_titles(), amount_lines=lines, amounts_form=AmountsForm(score=application.score) if lines else None,
        problems=allocation_queries.approval_problems(session, application.id, _measure_titles(), lines),
        route_label=lambda r: tr(TRIAGE_ROUTES.get(r, Message(r, r))), money=lambda v: wan(v, lang), title_of=lambda m: tr(ruleset.measures[m].title) if m in ruleset.measures else m,
        payee=payee_for(current_user.role, application.applicant.party, application.applicant.payee_name,
                        application.applicant.bank_name, application.applicant.bank_account))


RESULTS_KEPT = 64  # decisions whose cards and table a worker keeps (the most recently shown)
_RESULTS = "review.results"
_results_lock = threading.Lock()


def _results(decision_json: str, ruleset: Any, lang: str) -> tuple[list[Any], Markup]:
    """A stored decision's cards and their table with every trace, kept for the RESULTS_KEPT decisions a worker
    showed last: they depend only on the decision's JSON (never changed once stored), the rules and the language,
    and drawing them was most of the application page's time for a whole-catalogue decision (a reviewer comes back
    to the same application after each act)."""
    key = (hashlib.sha256(decision_json.encode()).digest(), ruleset.hash, lang)
    kept: OrderedDict[Any, tuple[list[Any], Markup]] = current_app.extensions.setdefault(_RESULTS, OrderedDict())
    with _results_lock:
        found = kept.get(key)
        if found is not None:
            kept.move_to_end(key)
            return found
    rows = stored.results(decision_json, ruleset, lang)
    drawn = (rows, Markup(render_template("review/_results.html", rows=rows)))
    if not current_app.jinja_env.auto_reload:
        with _results_lock:
            kept[key] = drawn
            while len(kept) > RESULTS_KEPT:
                kept.popitem(last=False)
    return drawn


_DECIDE = "review.decide_fields"


def _decide_fields(form: DecideForm) -> Markup:
    """The decision form's fields drawn: on a GET nothing is typed and nothing refused, so they are the same for every
    application in a language and a worker draws them once (WTForms' radio buttons and their attributes escaped on
    every application page before); after a refused post they are drawn with what was typed and the errors."""
    kept: dict[str, Markup] = current_app.extensions.setdefault(_DECIDE, {})
    shown_first = request.method == "GET" and not form.errors and not current_app.jinja_env.auto_reload
    if shown_first and current_lang() in kept:
        return kept[current_lang()]
    html = Markup(render_template("review/_decide_fields.html", form=form))
    if shown_first:
        kept[current_lang()] = html
    return html


def _measure_titles() -> dict[str, tuple[str, str]]:
    """Every measure's title (zh, en), for messages the store words without the rules."""
    return {mid: (m.title.zh, m.title.en) for mid, m in current_ruleset().measures.items()}


@bp.route("/applications/<int:application_id>/decide", methods=["POST"])
@role_required("reviewer")
def decide(application_id: int) -> Response | tuple[str, int]:
    application = _application(application_id)
    form = DecideForm()
    if not form.validate_on_submit():
        return _render(application, form), 400
    _value, _label, action, target = next(a for a in ACTIONS if a[0] == form.action.data)
    if target is not None:
        try:
            lifecycle.advance(stored.lifecycle_state(application.status), target)
        except lifecycle.LifecycleError as exc:
            return _render(application, form, refusal=tr(exc.message)), 409
    refusal = review_queries.stage_refusal(db(), application, current_user.id, action)
    if refusal is not None and action != "comment":
        return _render(application, form, refusal=refusal[0] if current_lang() == "zh" else refusal[1]), 409
    problems = allocation_queries.approval_problems(db(), application.id, _measure_titles()) \
        if action == "approve" else []
    if problems:
        return _render(application, form, refusal="；".join(zh if current_lang() == "zh" else en
                                                            for zh, en in problems)), 409
    latest = application.decisions[-1].id if application.decisions else None
    try:  # checked again inside the locked transaction: another reviewer may have decided meanwhile
        queries.record_review(db(), application_id=application.id, user_id=current_user.id, action=action,
                              reason=str(form.reason.data), decision_id=latest)
    except lifecycle.LifecycleError as exc:
        return _render(_application(application_id), form, refusal=tr(exc.message)), 409
    notify_review(db(), application.id, action, str(form.reason.data))
    flash(_("已记录：%(action)s（申请 #%(id)s）。", action=tr(stored.ACTION_LABELS[action]), id=application.id),
          "success")
    return redirect(url_for(".application", application_id=application.id))


@bp.route("/applications/<int:application_id>/amounts", methods=["POST"])
@role_required("reviewer")
def amounts(application_id: int) -> Response | tuple[str, int]:
    """Set the approved amount of each measure line filled in (万元; a reason when lower) and the score."""
    application = _application(application_id)
    form = AmountsForm()
    if not form.validate_on_submit():
        return _render(application, DecideForm(), refusal=_("评审得分须为0至100。")), 400
    session, done = db(), 0
    try:
        for line in allocation_queries.approvable_lines(session, application.id):
            raw = request.form.get(f"amount-{line.measure_id}", "").strip()
            if not raw or not line.approvable:
                continue
            try:
                yuan = wan_to_yuan(raw)
            except ValueError:
                return _render(application, DecideForm(), refusal=_("请填写以万元为单位的金额，如 500 或 12.5（精确到元）。")), 400
            if line.approved is not None and line.approved.amount == yuan and \
                    (line.approved.reason or "") == request.form.get(f"reason-{line.measure_id}", "").strip():
                continue
            allocation_queries.set_approved_amount(session, application.id, line.measure_id, yuan,
                                                   request.form.get(f"reason-{line.measure_id}", ""), current_user.id)
            done += 1
        if form.score.data != application.score:
            allocation_queries.set_score(session, application.id, form.score.data, current_user.id)
            done += 1
    except StoreError as refused:
        return _render(_application(application_id), DecideForm(), refusal=tr(refused)), 409
    flash(_("已保存核定金额（%(n)s 项变更）。", n=done), "success")
    return redirect(url_for(".application", application_id=application.id) + "#amounts")


@bp.route("/applications/<int:application_id>/next-stage", methods=["POST"])
@role_required("reviewer")
def next_stage(application_id: int) -> Response | tuple[str, int]:
    return _reason_act(application_id, "stage", review_queries.next_stage, _("已转入下一审核阶段。"))


@bp.route("/applications/<int:application_id>/appeal", methods=["POST"])
@role_required("reviewer")
def appeal(application_id: int) -> Response | tuple[str, int]:
    """Open a 复议 (appeal) on a rejected or unfunded application; then "转入审核" takes it back into review."""
    return _reason_act(application_id, "appeal", review_queries.open_appeal, _("已开启复议，请转入审核后重新处理。"))


def _reason_act(application_id: int, prefix: str, act: Any, done: str) -> Response | tuple[str, int]:
    application = _application(application_id)
    form = ReasonOnlyForm(prefix=prefix)
    if not form.validate_on_submit():
        return _render(application, DecideForm(), refusal=_("每项审核操作都必须填写理由。")), 400
    try:
        act(db(), application.id, current_user.id, str(form.reason.data))
    except StoreError as refused:
        return _render(_application(application_id), DecideForm(), refusal=tr(refused)), 409
    except lifecycle.LifecycleError as refused:
        return _render(_application(application_id), DecideForm(), refusal=tr(refused.message)), 409
    flash(done, "success")
    return redirect(url_for(".application", application_id=application.id))


@bp.route("/materials/<int:material_id>")
@role_required("reviewer", "auditor")
def material(material_id: int) -> Response:
    row = material_queries.get_material(db(), material_id)
    if row is None:
        abort(404)
    return send_material(row)


@bp.route("/materials/<int:material_id>/mark", methods=["POST"])
@role_required("reviewer")
def mark_material(material_id: int) -> Response | tuple[str, int]:
    session = db()
    row = material_queries.get_material(session, material_id)
    if row is None:
        abort(404)
    application = _application(row.application_id)
    form = MaterialForm()
    if not form.validate_on_submit():
        flash(_("请选择“通过”或“需补正”。"), "error")
        return _render(application, DecideForm()), 400
    try:
        material_queries.mark(session, row.id, str(form.status.data), str(form.reason.data or ""), current_user.id)
    except StoreError as refused:
        web_queries.rollback(session)
        flash(tr(refused), "error")
        return _render(application, DecideForm()), 400
    web_queries.commit(session)
    triage_now(application.id, _today())  # "materials complete" is a triage fact (fast track)
    flash(_("已保存材料审核结果。"), "success")
    return redirect(url_for(".application", application_id=application.id) + f"#material-{row.id}")
