"""Run the tests embedded in triage rule files: given applications → the application ids a rule flags.

Each case runs the whole triage RuleSet (fast track depends on the other rules) and compares only the
flags of the rule that holds the case. Used by tests/engine/triage and by any `rules test` command.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.triage.facts import ApplicationFacts, Exclusions, Register, RegisterEntry
from engine.triage.model import TriageRule, TriageRuleSet
from engine.triage.run import EngineChoice, triage


@dataclass(frozen=True)
class TriageCase:
    file: str
    rule_id: str
    name: str
    data: dict[str, Any]


def cases_of(rules: TriageRuleSet) -> list[TriageCase]:
    """Every embedded case of every rule, in file order."""
    return [TriageCase(rule.path, rule.id, str(case["name"]), case)
            for rule in sorted(rules.rules.values(), key=lambda r: r.path) for case in rule.tests]


def case_inputs(case: dict[str, Any]) -> tuple[list[ApplicationFacts], Register, Exclusions]:
    defaults = case.get("defaults") or {}
    apps = [ApplicationFacts.model_validate({**defaults, **app}) for app in case["applications"]]
    register = Register(entries=tuple(RegisterEntry.model_validate(e) for e in case.get("register") or []))
    return apps, register, Exclusions.of(case.get("excludes") or {})


def run_case(rules: TriageRuleSet, rule: TriageRule, case: dict[str, Any],
             engine: EngineChoice = "auto") -> list[str]:
    """Problems found (empty when the case passes)."""
    apps, register, exclusions = case_inputs(case)
    result = triage(apps, register, case["today"], rules, exclusions=exclusions, engine=engine)
    got = sorted({f.application_id for f in result.flags if f.rule_id == rule.id})
    expected = sorted(str(a) for a in case["flagged"])
    if got == expected:
        return []
    return [f"{rule.path} → {case['name']}: expected {rule.id} to flag {expected or 'nothing'}, "
            f"got {got or 'nothing'} ({result.engine_used})"]
