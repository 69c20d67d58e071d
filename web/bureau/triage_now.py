"""This file triages applications the moment they arrive (submit, re-submit): the reviewer sees the flags at once.

Triage rules are loaded once per app from <RULES_DIR>/triage, falling back to the project's
rules/triage when the rule directory has none (a test RuleSet); exclusions come from the app's RuleSet.
Triage is advice: if the rules do not load, the submission stands and the failure is logged
(`subsidy triage --all` redoes the queue).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from flask import current_app

from engine import RuleLoadError
from engine.triage import Exclusions, TriageRuleSet, load_triage_rules
from web.settings import PROJECT_ROOT
from web.db_session import db
from web.extensions import current_ruleset
from web.store import triage_queries

KEY = "subsidy.triage_rules"


def _rules() -> TriageRuleSet | None:
    if KEY not in current_app.extensions:
        here = Path(current_app.config["RULES_DIR"]) / "triage"
        directory = here if here.is_dir() else PROJECT_ROOT / "rules" / "triage"
        try:
            current_app.extensions[KEY] = load_triage_rules(directory)
        except (RuleLoadError, OSError) as exc:
            current_app.logger.error("triage rules %s do not load: %s", directory, str(exc).splitlines()[0])
            current_app.extensions[KEY] = None
    rules: TriageRuleSet | None = current_app.extensions[KEY]
    return rules


def triage_now(application_id: int, today: dt.date) -> bool:
    """Triage this application (and those a join pairs with it); False when no triage rules load."""
    rules = _rules()
    if rules is None:
        return False
    triage_queries.retriage(db(), [application_id], today, rules, exclusions=Exclusions.from_ruleset(current_ruleset()))
    return True
