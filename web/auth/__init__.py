"""The accounts blueprint: log in, log out, the role check every other blueprint's views use."""

from flask import Blueprint

bp = Blueprint("auth", __name__, template_folder="templates")

from web.auth import locks, routes  # noqa: E402,F401  (registers the views on bp)
