"""This file defines the Flask extension instances (CSRF, Babel, login) that the app factory init_apps.

Also the one accessor views use for the RuleSet the factory was given: `current_ruleset()`.  [microblog]
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import Babel
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from engine.model import RuleSet

csrf = CSRFProtect()
babel = Babel()
login_manager = LoginManager()
login_manager.login_view = None  # phase 2 (accounts) sets its login endpoint

RULESET_KEY = "subsidy.ruleset"


@login_manager.user_loader
def _no_users_yet(user_id: str) -> Any:
    """Phase 1 has no accounts: every visitor is anonymous."""
    return None


def current_ruleset() -> RuleSet:
    """The RuleSet this application evaluates with (loaded once by `create_app`)."""
    ruleset: RuleSet = current_app.extensions[RULESET_KEY]
    return ruleset
