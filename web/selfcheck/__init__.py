"""The self-check blueprint (no account needed): pick a kind, answer a few pages, see what you qualify for."""

from flask import Blueprint

bp = Blueprint("selfcheck", __name__, url_prefix="/selfcheck", template_folder="templates")

from web.selfcheck import interview, keep, routes  # noqa: E402,F401  (registers the views on bp)
