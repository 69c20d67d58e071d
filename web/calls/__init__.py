"""The calls blueprint: the public list of calls (申报通知) and their 公示, the admin's call form, allocation, payments."""

from flask import Blueprint

bp = Blueprint("calls", __name__, url_prefix="/calls", template_folder="templates")

from web.calls import allocate, manage, payments, routes  # noqa: E402,F401  (registers the views on bp)
