"""The admin blueprint (admin role): the rule catalogue, the RuleSet versions in use, user accounts."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")

from web.admin import routes  # noqa: E402,F401  (registers the views on bp)
