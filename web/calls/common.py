"""What the calls pages share: the page context (labels, money in 万元, Beijing times) and the call or a 404."""

from __future__ import annotations

from typing import Any

from flask import abort

from web.bureau.present import ALLOCATION_REASONS, CALL_STATUS, METHODS, local_time, wan
from web.db_session import db
from web.extensions import current_ruleset
from web.i18n import current_lang, tr
from web.store import allocation_queries, call_queries

STAFF = ("admin", "reviewer", "auditor")


def page_context() -> dict[str, Any]:
    """Labels and formatters every calls template uses."""
    ruleset, lang = current_ruleset(), current_lang()

    def title(measure_id: str) -> str:
        measure = ruleset.measures.get(measure_id)
        return tr(measure.title) if measure is not None else measure_id

    return {"title_of": title, "local_time": local_time, "money": lambda v: wan(v, lang), "CALL_STATUS": CALL_STATUS,
            "METHODS": METHODS, "REASONS": ALLOCATION_REASONS, "now": call_queries.now(),
            "status_of": call_queries.status_of, "RANKS": call_queries.RANK_LABELS,
            "CHANGES": call_queries.CHANGE_LABELS, "BODIES": call_queries.LOCAL_BODIES,
            "stage_of": allocation_queries.stage_of}


def call_or_404(call_id: int) -> Any:
    call = call_queries.get_call(db(), call_id)
    if call is None:
        abort(404)
    return call
