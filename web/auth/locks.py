"""This file defines the admin's view of the login policy: the locks and guards in force, and clearing one.

GET /login-locks lists them (web/auth_policy.py computes them from the `auth_event` table) with the latest lock
and clear events; POST /login-locks/clear lifts one, recorded as an event with the admin's id and logged.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from web.access import role_required
from web.auth import bp
from web.auth.forms import ClearLockForm
from web.auth_policy import login_policy
from web.db_session import db
from web.store import auth_queries


@bp.route("/login-locks", methods=["GET"])
@role_required("admin")
def locks() -> str:
    return render_template("auth/locks.html", locks=login_policy().locks(), form=ClearLockForm(),
                           history=auth_queries.recent_locks_and_clears(db()))


@bp.route("/login-locks/clear", methods=["POST"])
@role_required("admin")
def clear_lock() -> Response:
    form = ClearLockForm()
    if not form.validate_on_submit():
        abort(400)
    scope, username, address = str(form.scope.data), str(form.username.data or ""), str(form.address.data or "")
    login_policy().clear(scope, username, address, int(current_user.id), str(current_user.username))
    flash(_("已解除锁定：%(who)s。", who=" @ ".join(p for p in (username, address) if p)), "success")
    return redirect(url_for("auth.locks"))
