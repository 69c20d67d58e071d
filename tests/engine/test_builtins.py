"""One set of builtins: one signature table (engine.expr.functions.BUILTINS); the compiled and columnar
backends only lower some of them to faster forms, which mean exactly what the definition means."""

from __future__ import annotations

import ast
import datetime as dt
from fractions import Fraction
from pathlib import Path

from engine.expr.functions import BUILTINS
from engine.expr.values import Interval, Unknown
from engine.fast import calls, vcalls

FAST = Path(__file__).resolve().parents[2] / "engine" / "fast"


def test_every_lowered_builtin_is_in_the_one_table() -> None:
    assert calls.LOWERED <= set(BUILTINS) and vcalls.LOWERED <= set(BUILTINS)
    for name, builtin in BUILTINS.items():
        assert builtin.doc and 0 <= builtin.min_args <= builtin.max_args, name


def test_no_backend_imports_a_private_name_of_another_module() -> None:
    for path in FAST.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("engine"):
                private = [a.name for a in node.names if a.name.startswith("_") and not a.name.startswith("__")]
                assert not private, f"{path.name} imports {private} from {node.module}"


TABLE = [{"min": Fraction(1, 10), "value": 3}, {"min": 0, "under": Fraction(1, 10), "value": 1}]


def test_the_compiled_band_means_the_definition() -> None:
    fast = calls.band_plan(TABLE)
    assert fast is not None
    for x in (0, Fraction(1, 10), Fraction(99, 1000), 5, -1, Interval(0, 1), Unknown(frozenset({"x"}))):
        assert fast(x) == BUILTINS["band"].fn(None, x, TABLE), x


def test_the_compiled_sum_and_dates_mean_the_definition() -> None:
    for items in ([1, 2, 3], [1, Fraction(1, 2)], [], [1, Unknown(frozenset({"a"}))], Unknown(frozenset({"b"}))):
        assert calls.fast_sum(items) == BUILTINS["sum"].fn(None, items), items
    as_of = dt.date(2025, 6, 30)
    years, days = calls.dated("years_between", lambda run: run, as_of), calls.dated("days_between", lambda r: r, as_of)
    for start in (dt.date(2020, 2, 29), dt.date(2024, 6, 30), dt.date(2024, 7, 1), Unknown(frozenset({"d"}))):
        assert years(start) == BUILTINS["years_between"].fn(None, start, as_of)
        assert days(start) == BUILTINS["days_between"].fn(None, start, as_of)


def test_within_checks_a_typed_figure_against_a_computed_range() -> None:
    within = BUILTINS["within"].fn
    assert within(None, 71, Interval(63, 98)) is True
    assert within(None, 71, Interval(72, 98)) is False  # a typed total below what the indicators allow
    assert within(None, 99, 63, 98) is False and within(None, 63, 63, 98) is True and within(None, 98, 63, 98)
    assert isinstance(within(None, Interval(60, 70), 63, 98), Unknown)  # straddles the lower bound
    assert within(None, Interval(64, 70), 63, 98) is True and within(None, Interval(10, 20), 63, 98) is False
    missing = within(None, Unknown(frozenset({"innovation.assessed_total"})), Interval(63, 98))
    assert isinstance(missing, Unknown) and missing.missing == {"innovation.assessed_total"}


def test_a_fact_warning_is_reported_with_the_decision_when_true() -> None:
    from engine import evaluate, parse_profile
    from engine.evaluate import fact_warnings
    from engine.fast import fast_evaluate
    from engine.loader import load_from_texts
    facts = """\
title: {zh: 测试, en: test}
facts:
  - id: typed_total_outside
    text: {zh: 填报总分超出范围, en: typed total outside the range}
    unit: bool
    value: not within(innovation.assessed_total, interval(60, 80))
    warning: {zh: 填报总分超出按指标计算的范围，已按指标计算, en: the typed total is outside the computed range}
"""
    rules = load_from_texts({"facts/t.yaml": facts})
    base = {"kind": "enterprise", "name": "测试企业"}
    today, as_of = dt.date(2026, 1, 1), dt.date(2025, 6, 30)
    outside = parse_profile({**base, "innovation": {"assessed_total": 90}}, today)
    decision = evaluate(rules, outside, as_of)
    assert [fid for fid, _ in fact_warnings(rules, decision)] == ["typed_total_outside"]
    assert fast_evaluate(rules, outside, as_of).to_json() == decision.to_json()
    inside = evaluate(rules, parse_profile({**base, "innovation": {"assessed_total": 70}}, today), as_of)
    assert fact_warnings(rules, inside) == []
    assert fact_warnings(rules, evaluate(rules, parse_profile(base, today), as_of)) == []  # not typed: no warning
