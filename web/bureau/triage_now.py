"""This file triages applications the moment they arrive (submit, re-submit): the reviewer sees the flags at once.

Triage rules are loaded once per app from <RULES_DIR>/triage, falling back to the project's
rules/triage when the rule directory has none (a test RuleSet); exclusions come from the app's RuleSet.
Triage is advice: it never fails a submission. If the rules do not load, or a run fails for any reason, the
submission stands (it is committed before), the answer stays 201/302 and the failure is logged with its
traceback (`subsidy triage --all` redoes the queue). An application the rules cannot check gets a "needs
manual triage" flag (engine.triage.run.MANUAL_RULE), also logged. The run is incremental: the application
and the applications sharing a join key with it (web.store.triage_queries).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from flask import current_app

from engine import RuleLoadError
from engine.triage import Exclusions, TriageRuleSet, load_triage_rules
from engine.triage.run import MANUAL_RULE
from web.db_session import db
from web.extensions import current_ruleset
from web.settings import PROJECT_ROOT
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
    """Triage this application (and those a join pairs with it); False when it could not (logged, never raised)."""
    rules = _rules()
    if rules is None:
        return False
    try:
        report = triage_queries.retriage(db(), [application_id], today, rules,
                                         exclusions=Exclusions.from_ruleset(current_ruleset()))
    except Exception:  # noqa: BLE001 — advice only: the stored submission must still get its answer
        current_app.logger.exception("triage of application #%s failed; the submission stands", application_id)
        return False
    for flag in report.result.flags:
        if flag.rule_id == MANUAL_RULE:
            current_app.logger.error("application #%s needs manual triage: %s (%s)", flag.application_id,
                                     flag.details.get("reason"), dict(report.skipped).get(int(flag.application_id), ""))
    return True
