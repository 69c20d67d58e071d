"""This file defines the `call_badge(measure_id)` Jinja global: 申报中 / 即将开始 / 已截止, or nothing.

Registered by the app factory; the self-check's result cards call it as
``{% if call_badge is defined %}{{ call_badge(measure_id) }}{% endif %}``. The statuses of every measure
are read once per request (one query) and kept on `flask.g`.
"""

from __future__ import annotations

from flask import g
from markupsafe import Markup, escape

from web.bureau.present import CALL_STATUS
from web.db_session import db
from web.i18n import tr
from web.store import call_queries


def _statuses() -> dict[str, str]:
    if "call_statuses" not in g:
        g.call_statuses = call_queries.measure_statuses(db())
    statuses: dict[str, str] = g.call_statuses
    return statuses


def call_status(measure_id: str) -> str | None:
    """'open', 'upcoming', 'closed', or None when no call covers the measure."""
    return _statuses().get(measure_id)


def call_badge(measure_id: str) -> Markup:
    status = call_status(measure_id)
    if status is None:
        return Markup("")
    return Markup('<span class="call-badge call-badge-{0}">{1}</span>').format(status, escape(tr(CALL_STATUS[status])))
