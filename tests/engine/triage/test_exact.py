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


def test_order_keys_refuse_what_they_cannot_hold() -> None:
    with pytest.raises(OverflowError):
        order_key(10**60)


@given(st.dates(dt.date(1990, 1, 1), dt.date(2100, 1, 1)), st.integers(0, 40))
def test_working_days_count_weekdays(start: dt.date, days: int) -> None:
    end = start + dt.timedelta(days=days)
    weekdays = sum(1 for i in range(1, days + 1) if (start + dt.timedelta(days=i)).weekday() < 5)
    assert working_days_between(start, end) == weekdays
    assert working_day_number(end) - working_day_number(start) == weekdays


def test_a_weekend_is_not_waiting() -> None:
    assert working_days_between(dt.date(2025, 6, 27), dt.date(2025, 6, 29)) == 0  # Friday → Sunday
    assert working_days_between(dt.date(2025, 6, 13), dt.date(2025, 6, 30)) == 11
