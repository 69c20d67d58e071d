"""The dashboard of the year (issue 23), for admins and reviewers."""

from flask import Blueprint

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard", template_folder="templates")

from web.dashboard import routes  # noqa: E402,F401  (registers the views on bp)
