"""This file triages applications the moment they arrive (submit, re-submit): the reviewer sees the flags at once.

Triage rules are loaded once per app from <RULES_DIR>/triage, falling back to the project's
rules/triage when the rule directory has none (a test RuleSet); exclusions come from the app's RuleSet.
Triage is advice: it never fails a submission. If the rules do not load, or a run fails for any reason, the
submission stands (it is committed before), the answer stays 201/302 and the failure is logged with its
traceback (`subsidy triage --all` redoes the queue). An application the rules cannot check gets a "needs
manual triage" flag (engine.triage.run.MANUAL_RULE), also logged. The run is incremental: the application
and the applications sharing a join key with it (web.store.triage_queries).

A submission does not wait for its triage (issue 18: on PostgreSQL the triage's own transaction and commit flush
were half of a submission's database time): it stores a "to triage" mark in its own transaction
(web.store.triage_due) and, after the commit, `triage_after_commit()` wakes this process's **triage thread**, which
drains the due marks — a batch per run — within moments, so a reviewer sees the flags about as soon as the
application itself. A mark whose drainer died is taken again when its claim runs out (each thread sweeps every
minute); `subsidy triage` and `subsidy cleanup` drain too. Under the test client (``app.testing``) the marks are
drained on the request's thread after the commit; `TRIAGE_QUEUE` = "thread" or "inline" chooses explicitly.
`triage_now()` stays for a reviewer's action that changes a triage fact (triaged on the request's thread).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from flask import Flask, current_app

from engine import RuleLoadError
from engine.triage import Exclusions, TriageRuleSet, load_triage_rules
from engine.triage.run import MANUAL_RULE
from web.db_session import db
from web.extensions import current_ruleset
from web.notices.outbox import Sender
from web.settings import PROJECT_ROOT
from web.store import triage_due, triage_queries
from web.store.triage_queries import RunReport

KEY = "subsidy.triage_rules"
THREAD_KEY = "subsidy.triage_thread"


def triage_rules_dir(rules_dir: str | Path) -> Path:
    """Where the triage rules of a rule directory are: its triage/, else the project's rules/triage."""
    here = Path(rules_dir) / "triage"
    return here if here.is_dir() else PROJECT_ROOT / "rules" / "triage"


def _rules() -> TriageRuleSet | None:
    if KEY not in current_app.extensions:
        directory = triage_rules_dir(current_app.config["RULES_DIR"])
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
    _log_manual(report)
    return True


def _log_manual(report: RunReport) -> None:
    for flag in report.result.flags:
        if flag.rule_id == MANUAL_RULE:
            current_app.logger.error("application #%s needs manual triage: %s (%s)", flag.application_id,
                                     flag.details.get("reason"), dict(report.skipped).get(int(flag.application_id), ""))


def triage_after_commit() -> None:
    """The applications just committed carry a "to triage" mark: wake this process's triage thread (under the test
    client, or with TRIAGE_QUEUE = "inline", drain the marks now on this thread). Never raises."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # werkzeug's proxy
    if (app.config.get("TRIAGE_QUEUE") or ("inline" if app.testing else "thread")) == "inline":
        try:
            drain_due()
        except Exception:  # noqa: BLE001 — advice only: the marks stay for the next drain
            current_app.logger.exception("triage marks not drained; the submission stands")
    else:
        start_triage_thread(app)


def start_triage_thread(app: Flask) -> None:
    """Start (or wake) the app's triage thread in this process (a `subsidy serve` worker at boot: marks a restart
    left go through)."""
    thread: Sender | None = app.extensions.get(THREAD_KEY)
    if thread is None:
        thread = app.extensions.setdefault(THREAD_KEY, Sender(app, drain_due))
    thread.kick()


def drain_due() -> int:
    """Triage the applications whose marks are due (web.store.triage_due.drain) with the app's session and rules;
    returns how many were settled (0 when the rules do not load: the marks stay)."""
    rules = _rules()
    if rules is None:
        return 0
    return triage_due.drain(db(), rules, exclusions=Exclusions.from_ruleset(current_ruleset()),
                            on_report=_log_manual)
