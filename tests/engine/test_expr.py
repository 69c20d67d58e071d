"""The condition language: parsing, exact arithmetic, Kleene logic and interval comparisons."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.errors import ExprError
from engine.expr.nodes import Compare, compare, kleene
from engine.expr.parser import parse
from engine.expr.values import Interval, Unknown


class Ctx:
    """A minimal evaluation context over a dict of names."""

    def __init__(self, names: dict[str, Any]):
        self.names = names
        self.as_of = dt.date(2025, 6, 30)

    def lookup(self, name: str) -> Any:
        value = self.names.get(name)
        return Unknown(frozenset({name})) if value is None else value

    def param(self, name: str) -> Any:
        return self.names[f"param.{name}"]

    def call(self, name: str, args: list[Any]) -> Any:
        from engine.expr.functions import BUILTINS
        return BUILTINS[name].fn(self, *args)

    def record_comparison(self, node: Compare, left: Any, right: Any, result: Any) -> None:
        pass


def ev(text: str, **names: Any) -> Any:
    return parse(text).evaluate(Ctx(names))


def test_units_are_exact() -> None:
    assert parse("5000万元").value == 50_000_000
    assert parse("2亿元").value == 200_000_000
    assert parse("10%").value == Fraction(1, 10)
    assert parse("0.6").value == Fraction(3, 5)


def test_one_yuan_under_a_threshold_fails() -> None:
    assert ev("sales <= 20000万元", sales=200_000_000) is True
    assert ev("sales <= 20000万元", sales=200_000_001) is False
    assert ev("rd / sales >= 5%", rd=2_499_999, sales=50_000_000) is False
    assert ev("rd / sales >= 5%", rd=2_500_000, sales=50_000_000) is True


def test_missing_is_unknown_not_zero() -> None:
    result = ev("a + b >= 10", a=5)
    assert isinstance(result, Unknown)
    assert result.missing == frozenset({"b"})


def test_division_by_zero_is_unknown_with_reason() -> None:
    result = ev("a / b >= 10%", a=5, b=0)
    assert isinstance(result, Unknown) and "division by zero" in result.reason


def test_kleene_short_circuits_with_a_decisive_value() -> None:
    assert ev("a > 1 or b > 1", a=2) is True
    assert ev("a > 1 and b > 1", a=0) is False
    assert isinstance(ev("a > 1 and b > 1", a=2), Unknown)


TRI = st.sampled_from([True, False, Unknown(frozenset({"x"}))])


def _norm(v: Any) -> str:
    return "u" if isinstance(v, Unknown) else str(v)


@given(st.lists(TRI, min_size=1, max_size=6))
def test_kleene_matches_the_truth_tables(values: list[Any]) -> None:
    known = [v for v in values if not isinstance(v, Unknown)]
    conj = kleene("and", values)
    disj = kleene("or", values)
    if False in known:
        assert conj is False
    elif len(known) == len(values):
        assert conj is True
    else:
        assert isinstance(conj, Unknown)
    if True in known:
        assert disj is True
    elif len(known) == len(values):
        assert disj is False
    else:
        assert isinstance(disj, Unknown)


@given(st.lists(TRI, min_size=1, max_size=5))
def test_de_morgan_holds_in_three_valued_logic(values: list[Any]) -> None:
    neg = [v if isinstance(v, Unknown) else not v for v in values]
    left = kleene("and", values)
    right = kleene("or", neg)
    assert _norm(left if isinstance(left, Unknown) else not left) == _norm(right)


@given(st.integers(0, 100), st.integers(0, 30), st.integers(0, 100))
def test_interval_decides_only_when_wholly_on_one_side(lo: int, width: int, threshold: int) -> None:
    hi = lo + width
    result = compare(">", Interval(lo, hi), threshold)
    if lo > threshold:
        assert result is True
    elif hi <= threshold:
        assert result is False
    else:
        assert isinstance(result, Unknown) and "expert judgement" in result.reason


def test_interval_of_exactly_70_fails_strictly_greater() -> None:
    assert compare(">", Interval(70, 70), 70) is False
    assert compare(">", Interval(71, 80), 70) is True


@pytest.mark.parametrize("text", ["a >=", "(a", "a ? b", "", "f(", "a..b"])
def test_bad_expressions_raise_located_errors(text: str) -> None:
    with pytest.raises(ExprError):
        parse(text)


def test_no_eval_of_python() -> None:
    with pytest.raises(ExprError):
        parse("__import__('os').system('true')")
