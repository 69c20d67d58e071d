"""triage(): evaluate the triage rules over a set of applications and turn matches into sorted flags.

durable-rules runs when it imports (Python 3.11/3.12); otherwise, or on request, the reference
evaluator does, and `TriageResult.engine_used` says which. Both return the same matches (tested).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from types import ModuleType
from typing import Literal

from engine.canonical import sha256_of
from engine.errors import EngineError, Message
from engine.triage import reference
from engine.triage.facts import ApplicationFacts, Exclusions, Register
from engine.triage.kinds import render
from engine.triage.model import ROUTE_ORDER, Flag, Match, TriageResult, TriageRule, TriageRuleSet
from engine.triage.reference import Inputs

EngineChoice = Literal["auto", "durable", "reference"]
REFERENCE = "reference"
MANUAL_RULE = "needs_manual_triage"
MANUAL_MESSAGE = Message("系统无法自动核查此申请（{why}），请人工逐项审核；申请本身已正常受理",
                         "Automatic triage could not check this application ({why}); review it by hand — "
                         "the application itself was received normally")
MANUAL_REASONS = {
    "figure-out-of-range": Message("某项数值超出自动核查可处理的范围", "a figure is beyond what the automatic "
                                   "checks can handle"),
    "unreadable": Message("存档的申报数据无法读取", "the stored application data cannot be read"),
}


class TriageInputError(EngineError):
    """The applications given to triage() cannot be triaged together (e.g. two share an id)."""


def durable_engine() -> tuple[ModuleType | None, str]:
    """(the durable-rules adapter, "") when durable-rules imports, else (None, why not)."""
    try:
        from engine.triage import durable_adapter
    except ImportError as exc:  # Python 3.13: durable-rules 2.0.28 does not build or import
        return None, f"{type(exc).__name__}: {exc}"
    return durable_adapter, ""


def triage(applications: Iterable[ApplicationFacts], register: Register, today: dt.date, rules: TriageRuleSet,
           *, exclusions: Exclusions | None = None, engine: EngineChoice = "auto",
           manual: Mapping[str, str] | None = None) -> TriageResult:
    """Flag every application; deterministic: the same inputs give the same result, flags sorted.

    Args:
        applications: the applications to triage together (joins run across all of them).
        register: the bureau register (失信 / incident lists) by credit code.
        today: the clock date: working days waited and dated parameters are read on this date.
        rules: the triage RuleSet (rules/triage/); its hash is recorded in every flag.
        exclusions: mutually exclusive measures (Exclusions.from_ruleset(measure_ruleset)).
        engine: "auto" (durable-rules if it imports, else the reference), "durable" or "reference".
        manual: applications the caller could not turn into facts ({id: reason key of MANUAL_REASONS});
            they get a MANUAL_RULE flag. An application on which the rules themselves fail (a poison pill)
            is found, left out of the run and flagged the same way: one application never fails the rest.

    Raises:
        TriageInputError: two applications share an id, or engine="durable" and durable-rules is missing.
    """
    apps = tuple(sorted(applications, key=lambda a: a.application_id))
    ids = [a.application_id for a in apps]
    if len(set(ids)) != len(ids):
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        raise TriageInputError(f"application ids must be unique; repeated: {', '.join(dupes)}")
    inputs = Inputs(apps, register, exclusions or Exclusions(), today)
    active = [r for _, r in sorted(rules.rules.items()) if r.in_force(today)]
    skipped = tuple(sorted(rid for rid, r in rules.rules.items() if not r.in_force(today)))
    manual = dict(manual or {})
    try:
        matches, engine_used = _evaluate(active, inputs, engine)
    except TriageInputError:
        raise
    except Exception:  # noqa: BLE001 — find the application(s) the rules fail on, leave them out, flag them
        poisoned = _poisoned(active, inputs, engine)
        if not poisoned:
            raise
        manual.update(dict.fromkeys(poisoned, "figure-out-of-range"))
        kept = tuple(a for a in apps if a.application_id not in poisoned)
        inputs = Inputs(kept, register, exclusions or Exclusions(), today)  # the hash covers what was read
        matches, engine_used = _evaluate(active, inputs, engine)
    flags = _flags(matches, rules) + _manual_flags(manual, rules)
    flags = tuple(sorted(flags, key=lambda f: f.sort_key))
    ids = sorted(set(ids) | set(manual))
    return TriageResult(flags, _priorities(flags, ids), _routes(flags, ids), engine_used, rules.hash,
                        inputs_hash(inputs), today, skipped)


def _evaluate(active: list[TriageRule], inputs: Inputs, engine: EngineChoice) -> tuple[list[Match], str]:
    if engine == "reference":
        return reference.evaluate(active, inputs), REFERENCE
    adapter, why = durable_engine()
    if adapter is None:
        if engine == "durable":
            raise TriageInputError(f"durable-rules is not available here ({why}); use engine='reference'")
        return reference.evaluate(active, inputs), f"{REFERENCE} (durable-rules unavailable: {why})"
    try:
        return adapter.run(active, inputs), adapter.ENGINE
    except adapter.DurableRunError as exc:
        if engine == "durable":
            raise
        # durable-rules occasionally refuses a large run (a fact "asserted twice" that is unique in the
        # input, seen at ~10,000 applications); the reference evaluator gives the same matches (tested),
        # and the result says which engine produced it.
        return reference.evaluate(active, inputs), f"{REFERENCE} (durable-rules failed: {exc})"


def _poisoned(active: list[TriageRule], inputs: Inputs, engine: EngineChoice) -> set[str]:
    """The applications on which the rules fail when each runs alone."""
    bad = set()
    for app in inputs.applications:
        try:
            _evaluate(active, Inputs((app,), inputs.register, inputs.exclusions, inputs.today), engine)
        except TriageInputError:
            raise
        except Exception:  # noqa: BLE001 — any failure on this application alone makes it a poison pill
            bad.add(app.application_id)
    return bad


def manual_flag(application_id: str, reason: str, ruleset_hash: str) -> Flag:
    """The flag of an application triage could not check: reviewers check it by hand (route verify)."""
    why = MANUAL_REASONS.get(reason, MANUAL_REASONS["unreadable"])
    message = Message(MANUAL_MESSAGE.zh.format(why=why.zh), MANUAL_MESSAGE.en.format(why=why.en))
    return Flag(MANUAL_RULE, application_id, "warn", 0, "verify", message, {"reason": reason}, ruleset_hash)


def _manual_flags(manual: Mapping[str, str], rules: TriageRuleSet) -> tuple[Flag, ...]:
    return tuple(manual_flag(app, reason, rules.hash) for app, reason in sorted(manual.items()))


def _flags(matches: list[Match], rules: TriageRuleSet) -> tuple[Flag, ...]:
    flags = []
    for match in set(matches):
        rule = rules.rules[match.rule_id]
        details = dict(match.details)
        flags.append(Flag(rule.id, match.application_id, rule.severity, rule.priority, rule.route,
                          render(rule, details), details, rules.hash))
    return tuple(sorted(flags, key=lambda f: f.sort_key))


def _priorities(flags: tuple[Flag, ...], ids: list[str]) -> dict[str, int]:
    """Sum of the priority adjustments of the distinct rules that flagged each application."""
    seen = {(f.application_id, f.rule_id): f.priority_delta for f in flags}
    return {app: sum(delta for (a, _), delta in seen.items() if a == app) for app in ids}


def _routes(flags: tuple[Flag, ...], ids: list[str]) -> dict[str, str | None]:
    """Each application's strongest route: block > escalate > senior_review > verify > fast_track."""
    out: dict[str, str | None] = {}
    for app in ids:
        routes = {f.route for f in flags if f.application_id == app and f.route}
        out[app] = next((r for r in ROUTE_ORDER if r in routes), None)
    return out


def inputs_hash(inputs: Inputs) -> str:
    """Hash of everything a triage run reads besides the rules: replaying needs exactly these."""
    return sha256_of({"applications": list(inputs.applications), "register": inputs.register,
                      "exclusions": sorted(inputs.exclusions.pairs), "today": inputs.today})
