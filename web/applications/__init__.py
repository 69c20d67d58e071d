"""The applications blueprint (applicant accounts): apply with the self-check profile, track, answer requests."""

from flask import Blueprint

bp = Blueprint("applications", __name__, url_prefix="/applications", template_folder="templates")

from web.applications import routes  # noqa: E402,F401  (registers the views on bp)
