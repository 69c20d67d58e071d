"""Same inputs ⇒ same flags (twice, in any order), and durable-rules agrees with the reference evaluator.

The generated application sets are built to meet each other (few credit codes, names, phones, project
keys and measures) and to sit on the edges the C core gets wrong: ratios exactly at 5 %, integers
above 2^63, averages with decimals, equal figures, consecutive and non-consecutive years.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.lifecycle import State
from engine.triage import ApplicationFacts, Exclusions, Register, RegisterEntry, TriageRuleSet, triage
from tests.engine.triage.conftest import CODE_A, CODE_B, CODE_C, TODAY

MEASURES = ["m.a", "m.b", "m.c"]
OUTCOMES = ["eligible", "ineligible", "undetermined"]
BIG = 2**63
NUMBERS = st.one_of(
    st.integers(-10, 10**7),
    st.sampled_from([0, 1, 10, 10**7, BIG - 1, BIG, BIG + 1, 10**20, 10**20 + 1, 10 * (BIG + 1)]),
    st.fractions(min_value=0, max_value=1000, max_denominator=100),
)
SHORTFALLS = st.one_of(
    st.sampled_from([Fraction(1, 20), Fraction(1, 20) + Fraction(1, 10**30),
                     Fraction(1, 20) - Fraction(1, 10**30), Fraction(1, 50), Fraction(1, 10),
                     Fraction(BIG + 1, 20 * BIG)]),
    st.fractions(min_value=Fraction(1, 10**6), max_value=1, max_denominator=10**12),
)


def _year(year: int) -> st.SearchStrategy[dict[str, Any]]:
    names = ["sales", "total_income", "hitech_income", "rd_expense", "total_assets", "net_assets"]
    return st.fixed_dictionaries({"year": st.just(year)}, optional={n: NUMBERS for n in names})


@st.composite
def application(draw: st.DrawFn, index: int) -> dict[str, Any]:
    measures = draw(st.lists(st.sampled_from(MEASURES), unique=True, max_size=3))
    decided = draw(st.lists(st.sampled_from(MEASURES), unique=True, max_size=3))
    years = draw(st.lists(st.sampled_from([2021, 2022, 2023, 2024]), unique=True, max_size=3))
    return {
        "application_id": f"A{index}",
        "credit_code": draw(st.sampled_from([CODE_A, CODE_B, CODE_C])),
        "name": draw(st.sampled_from(["甲公司", "甲公司（清城）", "甲公司(清城)", "乙公司"])),
        "contact_phone": draw(st.sampled_from([None, "0763-3312345", "07633312345", "13800000000"])),
        "contact_email": draw(st.sampled_from([None, "a@x.cn", "A@X.CN", "b@y.cn"])),
        "measures": measures,
        "project_keys": draw(st.lists(st.sampled_from(["P1", "P2", "P3"]), unique=True, max_size=2)),
        "status": draw(st.sampled_from(list(State))),
        "status_since": draw(st.dates(dt.date(2025, 5, 1), dt.date(2025, 7, 10))),
        "decision": [{"measure_id": mid, "outcome": draw(st.sampled_from(OUTCOMES)),
                      "missing": draw(st.lists(st.just("staff.total"), max_size=1)),
                      "gaps": [{"condition": f"c{i}", "shortfall": draw(SHORTFALLS)}
                               for i in range(draw(st.integers(0, 2)))]} for mid in decided],
        "figures": {"staff": draw(st.fixed_dictionaries({}, optional={"total": NUMBERS,
                                                                      "sci_tech": NUMBERS})),
                    "finance": [draw(_year(y)) for y in years]},
        "declared": {"dishonesty": draw(st.sampled_from([None, True, False])),
                     "incident": draw(st.sampled_from([None, True, False]))},
        "materials_complete": draw(st.sampled_from([None, True, False])),
    }


@st.composite
def scenario(draw: st.DrawFn) -> tuple[list[ApplicationFacts], Register, Exclusions, dt.date]:
    n = draw(st.integers(0, 6))
    apps = [ApplicationFacts.model_validate(draw(application(i))) for i in range(n)]
    entries = draw(st.lists(st.tuples(st.sampled_from([CODE_A, CODE_B, CODE_C]),
                                      st.sampled_from(["dishonesty", "incident"]),
                                      st.sampled_from(["r1", "r2"])), unique=True, max_size=3))
    register = Register(entries=tuple(RegisterEntry(credit_code=c, kind=k, reason=r) for c, k, r in entries))
    pairs = draw(st.lists(st.tuples(st.sampled_from(MEASURES), st.sampled_from(MEASURES)), max_size=3))
    exclusions = Exclusions.of({a: [b] for a, b in pairs})
    today = draw(st.dates(dt.date(2024, 12, 25), dt.date(2025, 7, 31)))
    return apps, register, exclusions, today


def _view(result: Any) -> tuple[Any, ...]:
    return (result.flags, result.priority, result.routes, result.skipped, result.inputs_hash,
            result.ruleset_hash)


@settings(max_examples=150, deadline=None)
@given(scenario())
def test_durable_rules_and_the_reference_agree(rules: TriageRuleSet, inputs: Any) -> None:
    apps, register, exclusions, today = inputs
    durable = triage(apps, register, today, rules, exclusions=exclusions, engine="durable")
    reference = triage(apps, register, today, rules, exclusions=exclusions, engine="reference")
    assert durable.engine_used.startswith("durable-rules") and reference.engine_used == "reference"
    assert _view(durable) == _view(reference)


@settings(max_examples=40, deadline=None)
@given(scenario(), st.randoms(use_true_random=False))
def test_same_inputs_same_flags_in_any_order(rules: TriageRuleSet, inputs: Any, rnd: Any) -> None:
    apps, register, exclusions, today = inputs
    first = triage(apps, register, today, rules, exclusions=exclusions)
    shuffled = list(apps)
    rnd.shuffle(shuffled)
    second = triage(shuffled, register, today, rules, exclusions=exclusions)
    assert first == second


def test_run_twice_gives_identical_results(rules: TriageRuleSet) -> None:
    apps = [ApplicationFacts.model_validate({"application_id": f"A{i}", "credit_code": CODE_A,
                                             "name": "甲公司",
                                             "project_keys": ["P1"], "status": "submitted",
                                             "status_since": dt.date(2025, 6, 2)}) for i in range(4)]
    first = triage(apps, Register(), TODAY, rules)
    second = triage(apps, Register(), TODAY, rules)
    assert first == second and len(first.flags) == 4 * 3 + 4
