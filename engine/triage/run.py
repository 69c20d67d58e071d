"""triage(): evaluate the triage rules over a set of applications and turn matches into sorted flags.

durable-rules runs when it imports (Python 3.11/3.12); otherwise, or on request, the reference
evaluator does, and `TriageResult.engine_used` says which. Both return the same matches (tested).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from types import ModuleType
from typing import Literal

from engine.canonical import sha256_of
from engine.errors import EngineError
from engine.triage import reference
from engine.triage.facts import ApplicationFacts, Exclusions, Register
from engine.triage.kinds import render
from engine.triage.model import ROUTE_ORDER, Flag, Match, TriageResult, TriageRule, TriageRuleSet
from engine.triage.reference import Inputs

EngineChoice = Literal["auto", "durable", "reference"]
REFERENCE = "reference"


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
           *, exclusions: Exclusions | None = None, engine: EngineChoice = "auto") -> TriageResult:
    """Flag every application; deterministic: the same inputs give the same result, flags sorted.

    Args:
        applications: the applications to triage together (joins run across all of them).
        register: the bureau register (失信 / incident lists) by credit code.
        today: the clock date: working days waited and dated parameters are read on this date.
        rules: the triage RuleSet (rules/triage/); its hash is recorded in every flag.
        exclusions: mutually exclusive measures (Exclusions.from_ruleset(measure_ruleset)).
        engine: "auto" (durable-rules if it imports, else the reference), "durable" or "reference".

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
    matches, engine_used = _evaluate(active, inputs, engine)
    flags = _flags(matches, rules)
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
