"""Interval columns (engine.fast.col_interval) and the column-wise mean_growth, band and cap decide what the
engine decides: every 高企 innovation-score fact column-wise equals the reference Evaluation's value row by row
(numbers, Intervals, unknowns), and every verdict of the whole catalogue equals the scalar path's.

The profiles sit on the score's edges: every band letter or none, IP counts on the band bounds, growth rates
exactly on a band bound and one yuan off it (three years, two years, a zero first year, a zero divisor, negative
net assets, amounts so large their products do not fit 64 bits — those rows must fall back, not be guessed),
assessed totals on the computed range's bounds and one point outside.
"""

from __future__ import annotations

import random
from fractions import Fraction
from typing import Any

import numpy as np
import pytest

from bench.generate import AS_OF, TODAY, generate
from engine import evaluate, parse_profile
from engine.evaluate import Evaluation
from engine.expr.nodes import Name
from engine.expr.values import Interval, Unknown
from engine.fast import compile_ruleset
from engine.fast.batch import Batch
from engine.fast.columnar import Columnar
from engine.fast.vector import VectorEval
from engine.model import RuleSet

FACTS = ("hnte_ip_pair_points", "hnte_ip_quantity_points", "hnte_ip_acquisition_points", "hnte_standard_bonus_points",
         "hnte_ip_points", "hnte_ip_bounds", "hnte_conversions_per_year", "hnte_conversion_points", "net_asset_growth",
         "sales_growth", "hnte_growth_points", "hnte_innovation_computed", "hnte_innovation_bounds",
         "hnte_assessed_total_fits", "hnte_assessed_total_outside", "hnte_innovation_score")
BANDS = ["A", "B", "C", "D", "E", None]
# (v1, v2, v3) year-end values: growth exactly on each band bound (35 %, 25 %, 15 %, 5 %, 0) and one yuan under,
# zero rules, negative values, and values whose squares overflow int64 (fall back to the scalar path)
SERIES = [(10000, 10000, v) for v in (17000, 16999, 15000, 14999, 13000, 12999, 11000, 10999, 10001, 10000, 9999)] + [
    (0, 10000, 13500), (0, 10000, 13499), (10000, 0, 5000), (0, 0, 7), (-20000, 10000, 30000), (10000, -3, 4),
    (3_000_000_000, 3_100_000_000, 4_000_000_000), (7, 9, 2**40), (1, 2**31, 2**31 + 1), (None, 10000, 12000),
    (10000, None, 12000), (10000, 12000, None)]


def _shaped(profile: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    p = dict(profile)
    p["innovation"] = {"ip_advancement": rng.choice(BANDS), "ip_core_support": rng.choice(BANDS),
                       "standard_setting": rng.choice([True, False, None]),
                       "conversions_3y": rng.choice([None, 0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 16]),
                       "assessed_total": rng.choice([None, 0, 30, 58, 59, 60, 69, 70, 71, 80, 94, 95, 100])}
    p["ip"] = {**profile["ip"], "class1": rng.choice([None, 0, 0, 1, 2]), "class2": rng.choice([None, 0, 1, 2, 3, 4, 5, 6]),
               "self_developed": rng.choice([True, False, None])}
    records = sorted((dict(r) for r in profile["finance"]), key=lambda r: r["year"])
    for field in ("net_assets", "sales"):
        series = rng.choice(SERIES)
        for record, value in zip(records[-3:], series[-len(records[-3:]):] if records else (), strict=False):
            if value is None or (field == "sales" and value < 0):
                record.pop(field, None)
            else:
                record[field] = value
    p["finance"] = records
    return p


def shaped_profiles(n: int) -> list[dict[str, Any]]:
    """n generated enterprises reshaped onto the innovation score's edges (those the profile model accepts)."""
    rng = random.Random(22)
    profiles = [_shaped(p, rng) for p in generate(n, seed=22)[0]]
    return [p for p in profiles if not isinstance(_parsed(p), str)]


@pytest.fixture(scope="module")
def shaped() -> list[dict[str, Any]]:
    return shaped_profiles(2400)


def _parsed(profile: dict[str, Any]) -> Any:
    try:
        return parse_profile(profile, TODAY)
    except Exception as exc:  # noqa: BLE001 - a shape the profile model refuses is left out
        return str(exc)


def _rows(column: Any, i: int) -> Any:
    """Row i of a column as the engine's value (None: unknown; "fb": left to the scalar path)."""
    if column.fb is not None and np.broadcast_to(column.fb, (len(column.known),))[i]:
        return "fb"
    if not np.broadcast_to(column.known, (len(column.known),))[i]:
        return None
    if column.kind == "bool":
        return bool(column.val[i])
    lo = Fraction(int(column.val[i]), int(np.broadcast_to(column.den, column.val.shape)[i]))
    if column.kind == "num":
        return lo
    hi = Fraction(int(column.hi[0][i]), int(np.broadcast_to(column.hi[1], column.val.shape)[i]))
    return Interval(lo, hi) if column.span[i] else (lo if lo == hi else ("bad bounds", lo, hi))


def _reference(value: Any) -> Any:
    if type(value) is Unknown:
        return None
    if type(value) is Interval:
        return Interval(Fraction(value.lo), Fraction(value.hi))
    return value if type(value) is bool else Fraction(value)


def test_innovation_facts_column_wise_equal_the_engine(ruleset: RuleSet, shaped: list[dict[str, Any]]) -> None:
    program = compile_ruleset(ruleset, AS_OF)
    batch = Batch(program, shaped)
    batch.finance_fields = {"net_assets", "sales"}

    def rowwise(node: Any, scope: Any, active: Any) -> Any:
        raise AssertionError(f"evaluated row by row: {node}")

    ev = VectorEval(batch, rowwise)
    columns = {fact: ev.value(Name(path=fact)) for fact in FACTS}
    fell_back, kinds = set(), set()
    for i, profile in enumerate(shaped):
        run = Evaluation(ruleset, parse_profile(profile, TODAY).profile, AS_OF)
        for fact in FACTS:
            got = _rows(columns[fact], i)
            if got == "fb":
                fell_back.add(i)
                continue
            expected = _reference(run.lookup(fact))
            assert got == expected, (i, fact, got, expected)
            kinds.add(type(expected).__name__)
    assert {"Interval", "Fraction", "bool", "NoneType"} <= kinds
    assert 0 < len(fell_back) < len(shaped) // 5, len(fell_back)  # the overflowing series fall back, only they


def test_catalogue_verdicts_with_intervals_equal_the_scalar_path(ruleset: RuleSet,
                                                                 shaped: list[dict[str, Any]]) -> None:
    program = compile_ruleset(ruleset, AS_OF)
    table = Columnar(program).evaluate(shaped)
    assert table.measures["national.hnte_recognition"].rowwise == 0, "the innovation score ran row by row"
    outcomes = set()
    for i, profile in enumerate(shaped):
        verdicts = program.verdicts(profile)
        assert list(table.verdicts(i)) == list(verdicts), i
        outcomes.update((v.measure_id, v.outcome.value) for v in verdicts)
    assert {("national.hnte_recognition", o) for o in ("eligible", "ineligible", "undetermined")} <= outcomes
    for profile in shaped[:120]:
        expected = [(r.measure_id, r.outcome, r.reason, r.amount, r.failing, r.missing)
                    for r in evaluate(ruleset, parse_profile(profile, TODAY), AS_OF).results]
        assert [(v.measure_id, v.outcome, v.reason, v.amount, v.failing, v.missing)
                for v in program.verdicts(profile)] == expected
