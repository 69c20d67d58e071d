"""The review blueprint (reviewer role): the queue, an application's file, decisions with reasons."""

from flask import Blueprint

bp = Blueprint("review", __name__, url_prefix="/review", template_folder="templates")

from web.review import routes  # noqa: E402,F401  (registers the views on bp)
