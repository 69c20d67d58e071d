"""This file defines the auditor's pages: search, a decision with its replay and today's-rules comparison,
the chain verification, and the export downloads.

Replaying and comparing only read: they are GET pages (a link can be put in an audit report). The stored
RuleSet snapshot is what replay evaluates with, so a decision replays without the rule files of its day.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Response, abort, render_template, request
from flask_babel import gettext as _

from engine.errors import RuleLoadError
from engine.profile.labels import field_label
from engine.replay import ReplayError, compare_with_current, replay
from web.access import role_required
from web.audit import bp
from web.audit.forms import SearchForm
from web.bureau import stored
from web.bureau.present import ALLOCATION_REASONS, wan
from web.db_session import db
from web.extensions import current_ruleset
from web.i18n import current_lang
from web.store import allocation_queries, call_queries, export, queries, web_queries
from web.store.contacts import mask_email, mask_name, mask_phone

MAX_DIFF = 200


@bp.route("/")
@role_required("auditor")
def index() -> str:
    form = SearchForm(formdata=request.args)
    query = str(form.q.data or "").strip() if form.validate() else ""
    session = db()
    found = web_queries.search_decisions(session, query) if query else None
    recent = web_queries.recent_decisions(session) if found is None else []
    calls = [c for c in call_queries.list_calls(session) if c.allocated_at is not None]
    return render_template("audit/index.html", form=form, query=query, found=found, recent=recent,
                           labels=stored.STATUS_LABELS, calls=calls)


def _decision(decision_id: int) -> Any:
    row = queries.get_decision(db(), decision_id)
    if row is None:
        abort(404)
    return row


def _render(row: Any, **checks: Any) -> str:
    session = db()
    link = queries.chain_link(session, "decision", row.id)
    ruleset, lang = current_ruleset(), current_lang()
    return render_template("audit/decision.html", row=row, link=link,
                           rows=stored.results(row.decision_json, ruleset, lang),
                           title_of=lambda m: stored.title_of(m, ruleset), outcome_label=stored.outcome_label,
                           amount_of=lambda a: stored.amount_of(a, lang) if isinstance(a, dict) else "—",
                           field_text=lambda p: field_label(p).get(lang),
                           labels=stored.STATUS_LABELS, actions=stored.ACTION_LABELS,
                           history=stored.history(row.application), contacts=_masked(row.application), **checks)


def _masked(application: Any) -> dict[str, str] | None:
    """An auditor need not see contacts: shown masked (the reviewer's page shows them in full)."""
    if not (application.contact_phone or application.contact_email):
        return None
    return {"name": mask_name(application.contact_name), "phone": mask_phone(application.contact_phone),
            "email": mask_email(application.contact_email)}


@bp.route("/decisions/<int:decision_id>")
@role_required("auditor")
def decision(decision_id: int) -> str:
    return _render(_decision(decision_id))


@bp.route("/decisions/<int:decision_id>/replay")
@role_required("auditor")
def replay_decision(decision_id: int) -> str:
    row = _decision(decision_id)
    snapshot = queries.ruleset_snapshot(db(), row.ruleset_hash)
    if snapshot is None:
        return _render(row, replay_error=_("规则集快照 %(hash)s 缺失，无法重放。", hash=row.ruleset_hash[:12]))
    try:
        result = replay(row.decision_json, snapshot, row.profile_json, row.as_of, today=row.checked_on)
    except (ReplayError, RuleLoadError) as exc:
        return _render(row, replay_error=str(exc))
    return _render(row, replayed=result, diff=result.diff[:MAX_DIFF])


@bp.route("/decisions/<int:decision_id>/current")
@role_required("auditor")
def current(decision_id: int) -> str:
    row = _decision(decision_id)
    ruleset = current_ruleset()
    measures = [m for m in row.application.measures if m in ruleset.measures] or None
    try:
        comparison = compare_with_current(row.decision_json, ruleset, row.profile_json, row.as_of,
                                          today=row.checked_on, measures=measures)
    except ReplayError as exc:
        return _render(row, current_error=str(exc))
    return _render(row, comparison=comparison)


@bp.route("/chain")
@role_required("auditor")
def chain() -> str:
    report = queries.verify_chain(db())
    return render_template("audit/chain.html", report=report)


def _download(body: str, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.route("/decisions/<int:decision_id>/export.json")
@role_required("auditor")
def export_json(decision_id: int) -> Response:
    record = _record(decision_id)
    return _download(json.dumps(record, ensure_ascii=False, sort_keys=True, indent=2) + "\n",
                     "application/json", f"decision-{decision_id}.json")


@bp.route("/decisions/<int:decision_id>/export.html")
@role_required("auditor")
def export_html(decision_id: int) -> Response:
    # An attachment: the page has its own inline CSS, which this site's CSP would not apply if shown here.
    return _download(export.render_html(_record(decision_id), current_lang()), "text/html",
                     f"decision-{decision_id}.html")


def _record(decision_id: int) -> dict[str, Any]:
    try:
        bundle = queries.decision_bundle(db(), decision_id)
    except queries.NotFound:
        abort(404)
    return export.build_record(bundle)


@bp.route("/calls/<int:call_id>/allocation")
@role_required("auditor")
def allocation(call_id: int) -> str:
    """Re-derive a call's allocation from the stored applications, decisions and budget (a GET: it only reads)."""
    session = db()
    call = call_queries.get_call(session, call_id)
    if call is None or call.allocated_at is None:
        abort(404)
    proof = allocation_queries.rederive(session, call.id)
    ruleset, lang = current_ruleset(), current_lang()
    return render_template("audit/allocation.html", call=call, proof=proof, REASONS=ALLOCATION_REASONS,
                           lines=allocation_queries.allocation_lines(session, call.id), money=lambda v: wan(v, lang),
                           title_of=lambda m: stored.title_of(m, ruleset))
