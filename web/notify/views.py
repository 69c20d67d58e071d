"""This file defines the applicant's inbox (notices, newest first; opening one marks it read) and the 受理回执:
a printable HTML receipt of a submission (application number, applicant, call, measures, time received in
Beijing time, each material with its SHA-256, and the audit-chain position that proves them). A PDF with
CJK fonts is not produced: the receipt page prints (and saves as PDF) from the browser."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required

from web.bureau.present import local_time
from web.db_session import db
from web.store import call_queries, material_queries, notice_queries, web_queries

bp = Blueprint("notify", __name__, url_prefix="/notices", template_folder="templates")


@bp.route("/")
@login_required
def inbox() -> str:
    return render_template("notify/inbox.html", notices=notice_queries.inbox(db(), current_user.id),
                           local_time=local_time)


@bp.route("/<int:notice_id>")
@login_required
def notice(notice_id: int) -> str:
    session = db()
    row = notice_queries.notice_of(session, notice_id, current_user.id)
    if row is None:
        abort(404)
    web_queries.commit(session)
    return render_template("notify/notice.html", notice=row, local_time=local_time)


@bp.route("/receipt/<int:application_id>")
@login_required
def receipt(application_id: int) -> str:
    session = db()
    mine = current_user.applicant_id if current_user.role == "applicant" else None
    if current_user.role not in ("applicant", "reviewer", "auditor", "admin"):
        abort(404)
    application = web_queries.application_of(session, application_id, mine)
    if application is None or (current_user.role == "applicant" and mine is None):
        abort(404)
    call = call_queries.get_call(session, application.call_id) if application.call_id else None
    return render_template("notify/receipt.html", application=application, call=call,
                           materials=material_queries.materials_of(session, application.id),
                           entry=notice_queries.submission_entry(session, application.id), local_time=local_time)
