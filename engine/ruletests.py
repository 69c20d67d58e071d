"""Run the tests embedded in rule files: each case is a profile, an as-of date and expected results.

A case may start from a sample profile (`base:`) and override fields (`set:` with paths such as
`staff.total` or `finance[2].sales`). Used by `subsidy rules test` and by the pytest plugin.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from engine.canonical import plain
from engine.errors import ProfileError
from engine.evaluate import Evaluation, evaluate
from engine.model import RuleSet
from engine.parameters import literal_value
from engine.profile import parse_profile

NO_FUTURE_CHECK = dt.date(9999, 12, 31)  # rule tests test rules, not the "date in the future" check
_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


@dataclass(frozen=True)
class CaseResult:
    file: str
    name: str
    passed: bool
    problems: tuple[str, ...]


def set_path(data: dict[str, Any], path: str, value: Any) -> None:
    """Set `value` at a dotted/indexed path, creating mappings on the way: 'finance[2].sales'."""
    steps: list[str | int] = [m.group(1) if m.group(1) is not None else int(m.group(2))
                              for m in _STEP.finditer(path)]
    node: Any = data
    for step, nxt in zip(steps, steps[1:], strict=False):
        if isinstance(step, int):
            node = node[step]
        else:
            if node.get(step) is None:
                node[step] = [] if isinstance(nxt, int) else {}
            node = node[step]
    last = steps[-1]
    if isinstance(last, int):
        node[last] = value
    elif value is None:
        node.pop(last, None)
    else:
        node[last] = value


def case_profile(case: dict[str, Any], root: Path) -> dict[str, Any]:
    if case.get("base"):
        data = yaml.safe_load((root / case["base"]).read_text(encoding="utf-8"))
    else:
        data = copy.deepcopy(case.get("profile") or {})
    for path, value in (case.get("set") or {}).items():
        set_path(data, path, value)
    return data


def _as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def prepare_case(case: dict[str, Any], root: Path) -> Any:
    """The case's parsed profile, or the text of why it does not validate (parsed once, reused by mutants)."""
    try:
        return parse_profile(case_profile(case, root), NO_FUTURE_CHECK)
    except ProfileError as exc:
        return f"profile does not validate: {exc}"


def case_problems(ruleset: RuleSet, measure_id: str, case: dict[str, Any], parsed: Any) -> list[str]:
    """The problems of one measure test case against an already parsed profile (empty when it passes)."""
    if isinstance(parsed, str):
        return [parsed]
    decision = evaluate(ruleset, parsed, _as_date(case["as_of"]), measures=[measure_id])
    return result_problems(decision.result(measure_id), case["expect"])


def run_measure_case(ruleset: RuleSet, measure_id: str, case: dict[str, Any], root: Path) -> list[str]:
    """Return the problems of one measure test case (empty when it passes)."""
    return case_problems(ruleset, measure_id, case, prepare_case(case, root))


def result_problems(result: Any, expect: dict[str, Any]) -> list[str]:
    """How a measure result differs from a test's `expect:` (outcome, failing, missing, reason, amount, rate)."""
    problems = []
    if result.outcome.value != expect["outcome"]:
        problems.append(f"outcome: expected {expect['outcome']}, got {result.outcome.value}"
                        f" (failing {list(result.failing)}, missing {list(result.missing)})")
    if "failing" in expect and sorted(expect["failing"]) != sorted(result.failing):
        problems.append(f"failing: expected {sorted(expect['failing'])}, got {sorted(result.failing)}")
    for field in expect.get("missing") or []:
        if field not in result.missing:
            problems.append(f"missing: expected {field} among {list(result.missing)}")
    if expect.get("reason") and expect["reason"] not in (result.reason or "").split("; ") \
            and expect["reason"] != result.reason:
        problems.append(f"reason: expected {expect['reason']}, got {result.reason}")
    if "amount" in expect:
        got = "unpublished" if result.amount.kind == "unpublished" else result.amount.value
        if plain(got) != plain(expect["amount"]):
            problems.append(f"amount: expected {expect['amount']}, got {plain(got)}")
    if expect.get("rate") is not None:
        wanted = literal_value(expect["rate"], "ratio")
        if result.amount.kind != "rate" or plain(result.amount.value) != plain(wanted):
            problems.append(f"rate: expected {plain(wanted)}, got {result.amount.kind} {plain(result.amount.value)}")
    return problems


def run_fact_case(ruleset: RuleSet, case: dict[str, Any], root: Path) -> list[str]:
    return fact_case_problems(ruleset, case, prepare_case(case, root))


def fact_case_problems(ruleset: RuleSet, case: dict[str, Any], parsed: Any) -> list[str]:
    """The problems of one facts-file test case against an already parsed profile (empty when it passes)."""
    if isinstance(parsed, str):
        return [parsed]
    run = Evaluation(ruleset, parsed.profile, _as_date(case["as_of"]))
    problems = []
    for fact_id, expected in case["expect"].items():
        got = plain(run.lookup(fact_id))
        if str(got) != str(plain(expected)):
            problems.append(f"{fact_id}: expected {plain(expected)}, got {got}")
    return problems


def run_all(ruleset: RuleSet, root: Path) -> list[CaseResult]:
    """Every embedded test of every measure and facts file, in a stable order."""
    out = []
    for measure_id in sorted(ruleset.measures):
        measure = ruleset.measures[measure_id]
        for case in measure.tests:
            problems = run_measure_case(ruleset, measure_id, case, root)
            out.append(CaseResult(measure.path, case["name"], not problems, tuple(problems)))
    for case in ruleset.fact_tests:
        problems = run_fact_case(ruleset, case, root)
        out.append(CaseResult(case["__file__"], case["name"], not problems, tuple(problems)))
    return out
