"""Dates in columns (proleptic Gregorian ordinals, as `date.toordinal()`): year, month and day by table look-up.

numpy's datetime64 conversions to years and months cost about as much per row as a Python call would save;
the year of an ordinal is found by binary search among the first days of the years the column spans, the
month and day by the day of the year in a 366-entry table (one for common years, one for leap years).
`whole_years_to` is engine.expr.functions.whole_years for a column (anniversaries on 29 February fall on
28 February): the days of a year whose anniversary is past `as_of`'s month and day are a suffix of the year,
so one comparison with the length of the prefix decides it.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

import numpy as np

LAST_YEAR = 9999  # dt.MAXYEAR


@cache
def calendar() -> tuple[Any, Any, Any, Any]:
    """(first day of each year 1..10000 as an ordinal, leap year? (1..9999), month and day by (leap, day of
    the year))."""
    years = np.arange(1, LAST_YEAR + 2, dtype=np.int64)
    before = years - 1
    starts = 365 * before + before // 4 - before // 100 + before // 400 + 1
    leap = ((years % 4 == 0) & ((years % 100 != 0) | (years % 400 == 0))).astype(np.intp)[:LAST_YEAR]
    months, days = np.ones((2, 366), np.int64), np.ones((2, 366), np.int64)
    for is_leap in (0, 1):
        lengths = [31, 28 + is_leap, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        months[is_leap, : sum(lengths)] = np.repeat(np.arange(1, 13), lengths)
        days[is_leap, : sum(lengths)] = np.concatenate([np.arange(1, k + 1) for k in lengths])
    return starts, leap, months, days


def year_parts(ordinals: Any) -> tuple[Any, Any, Any]:
    """(year, day of the year from 0, 1 in a leap year) of every ordinal (a value outside 1..9999-12-31, such
    as an unknown row's placeholder, gives some year within it: its readers mask it out).

    The Gregorian year is 365.2425 days on average, so (ordinal - 1) / 365.2425 is the year - 1 or one less
    (for every date: tests/engine/test_fast_columnar_numbers.py): checked against the first day of the next
    year (no per-row search)."""
    starts, leap, _, _ = calendar()
    ordinals = np.asarray(ordinals, np.int64)
    index = ((ordinals - 1) * (1 / 365.2425)).astype(np.int64)  # year - 1, or one less
    np.clip(index, 0, LAST_YEAR - 1, out=index)
    index += starts[index + 1] <= ordinals
    np.clip(index, 0, LAST_YEAR - 1, out=index)
    day = np.clip(ordinals - starts[index], 0, 365)
    return index + 1, day, leap[index]


def month_day(day: Any, leap: Any) -> tuple[Any, Any]:
    """(month, day of the month) of a day of the year (from 0) in a common (0) or leap (1) year."""
    _, _, months, days = calendar()
    return months[leap, day], days[leap, day]


def date_parts(ordinals: Any) -> tuple[Any, Any, Any]:
    """(year, month, day) of every ordinal."""
    year, day, leap = year_parts(ordinals)
    return (year, *month_day(day, leap))


@cache
def _anniversaries_by(month: int, day: int) -> Any:
    """How many days of a (common, leap) year have their anniversary on or before (month, day)."""
    _, _, months, days = calendar()
    counts = []
    for is_leap, length in ((0, 365), (1, 366)):
        m, d = months[is_leap, :length], days[is_leap, :length]
        d = np.where((m == 2) & (d == 29), 28, d)
        counts.append(int(((m < month) | ((m == month) & (d <= day))).sum()))
    return np.array(counts, np.int64)


def whole_years(year: Any, day: Any, leap: Any, as_of: dt.date) -> Any:
    """Completed years from each date (its year_parts) to as_of."""
    before = day >= _anniversaries_by(as_of.month, as_of.day)[leap]  # the anniversary is after as_of's day
    return as_of.year - year - before
