"""The account blueprint (issue 23): an applicant's self-registration tied to a credit code, and password reset
by e-mail."""

from flask import Blueprint

bp = Blueprint("account", __name__, url_prefix="/account", template_folder="templates")

from web.account import routes  # noqa: E402,F401  (registers the views on bp)
