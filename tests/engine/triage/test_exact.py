"""Order keys compare like the numbers they encode, at any size; working days skip Saturdays and Sundays."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.triage.exact import cross_keys, order_key, working_day_number, working_days_between

HUGE = st.integers(-(10**40), 10**40)


@given(HUGE, HUGE)
def test_order_keys_sort_like_integers(a: int, b: int) -> None:
    assert (order_key(a) < order_key(b)) == (a < b) and (order_key(a) == order_key(b)) == (a == b)


@given(st.fractions(max_denominator=10**15), st.fractions(max_denominator=10**15))
def test_cross_keys_compare_fractions_exactly(x: Fraction, y: Fraction) -> None:
    kl, kr = cross_keys(x, y)
    assert (kl > kr) == (x > y) and (kl == kr) == (x == y)


@given(st.integers(-(10**200), 10**200), st.integers(-(10**200), 10**200))
def test_order_keys_hold_numbers_far_above_any_fixed_width(a: int, b: int) -> None:
    assert (order_key(a) < order_key(b)) == (a < b)


def test_order_keys_past_the_old_limit_and_beyond_str() -> None:
    """10^60 used to raise OverflowError and take the whole queue's triage down (issue 18)."""
    assert order_key(10**60) > order_key(10**60 - 1) > order_key(10**59)
    assert order_key(-(10**5000)) < order_key(-(10**4999)) < order_key(10**4999) < order_key(10**5000)


def test_order_keys_refuse_only_absurd_lengths() -> None:
    with pytest.raises(OverflowError):
        order_key(10**100_000)


@given(st.dates(dt.date(1990, 1, 1), dt.date(2100, 1, 1)), st.integers(0, 40))
def test_working_days_count_weekdays(start: dt.date, days: int) -> None:
    end = start + dt.timedelta(days=days)
    weekdays = sum(1 for i in range(1, days + 1) if (start + dt.timedelta(days=i)).weekday() < 5)
    assert working_days_between(start, end) == weekdays
    assert working_day_number(end) - working_day_number(start) == weekdays


def test_a_weekend_is_not_waiting() -> None:
    assert working_days_between(dt.date(2025, 6, 27), dt.date(2025, 6, 29)) == 0  # Friday → Sunday
    assert working_days_between(dt.date(2025, 6, 13), dt.date(2025, 6, 30)) == 11
