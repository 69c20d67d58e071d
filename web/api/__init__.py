"""The JSON API under /api/v1: a blueprint of the web app (see docs/api.md).

Token auth, no cookies: the blueprint is exempt from Flask-WTF's CSRF protection. Errors are RFC 9457
problem documents (web.api.problems), registered on this blueprint only.
"""

from __future__ import annotations

from flask import Blueprint
from flask.blueprints import BlueprintSetupState

from web.api.problems import init_problems
from web.api.views import register_views
from web.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1", template_folder="templates")
register_views(bp)
init_problems(bp)
csrf.exempt(bp)


@bp.record_once
def _ensure_db(state: BlueprintSetupState) -> None:
    """The API needs the request-scoped session; set it up if the app factory has not (yet)."""
    from web.db_session import FACTORY_KEY, init_db

    if FACTORY_KEY not in state.app.extensions:
        init_db(state.app)


__all__ = ["bp"]
