"""This file defines the applicant's inbox (notices, newest first; opening one marks it read) and the 受理回执 of a
submission (receipt number, application number, applicant, call, accepting body, measures, time received in
Beijing time, each material with its SHA-256, and the audit-chain entry that proves them): as a page and as a
PDF (web.notify.receipt_pdf) — in the viewer's language for the applicant, in the applicant's language for
the bureau's staff; names and contacts masked as web.masking says for the viewer's role."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from web.bureau.present import local_time
from web.db_session import db
from web.extensions import current_ruleset
from web.i18n import current_lang
from web.notices import receipt_pdf
from web.store import notice_queries, web_queries

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


def _application_or_404(application_id: int) -> Any:
    mine = current_user.applicant_id if current_user.role == "applicant" else None
    if current_user.role not in ("applicant", "reviewer", "auditor", "admin"):
        abort(404)
    application = web_queries.application_of(db(), application_id, mine)
    if application is None or (current_user.role == "applicant" and mine is None):
        abort(404)
    return application


def _receipt_lang(application: Any) -> str:
    """The applicant reads its receipt in its own language; staff get it in the applicant's (its first account's)."""
    if current_user.role == "applicant":
        return current_lang()
    accounts = notice_queries.accounts_of(db(), application.applicant_id)
    return accounts[0].lang if accounts and accounts[0].lang in ("zh", "en") else "zh"


@bp.route("/receipt/<int:application_id>")
@login_required
def receipt(application_id: int) -> str:
    application = _application_or_404(application_id)
    data = receipt_pdf.receipt_of(db(), application, current_lang(), current_user.role, current_ruleset())
    return render_template("notify/receipt.html", application=application, receipt=data)


@bp.route("/receipt/<int:application_id>.pdf")
@login_required
def receipt_file(application_id: int) -> Response:
    application = _application_or_404(application_id)
    lang = _receipt_lang(application)
    data = receipt_pdf.receipt_of(db(), application, lang, current_user.role, current_ruleset())
    response = Response(receipt_pdf.pdf(data, lang), mimetype="application/pdf")
    name = f"receipt-{data.number}.pdf"
    response.headers["Content-Disposition"] = f'inline; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
