"""The audit blueprint (auditor role): find a decision, replay it, compare with today's rules, verify the chain."""

from flask import Blueprint

bp = Blueprint("audit", __name__, url_prefix="/audit", template_folder="templates")

from web.audit import routes  # noqa: E402,F401  (registers the views on bp)
