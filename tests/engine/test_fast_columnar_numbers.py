"""The columnar evaluator's number and date helpers against the engine's scalar definitions: dates by table
look-up (engine.fast.col_dates) against datetime and engine.expr.functions.whole_years, products proven exact
for a whole column at once (engine.fast.columns.safe_product), first_of against np.select."""

from __future__ import annotations

import datetime as dt
import random

import numpy as np

from engine.expr.functions import whole_years
from engine.fast.col_dates import date_parts, year_parts
from engine.fast.col_dates import whole_years as column_whole_years
from engine.fast.columns import LIMIT, first_of, safe_product, unsafe


def test_every_ordinal_has_its_year_month_and_day() -> None:
    ordinals = np.arange(1, dt.date.max.toordinal() + 1)
    year, month, day = date_parts(ordinals)
    assert (year == np.array([dt.date(y, 1, 1).toordinal() for y in range(1, 10000)]).searchsorted(
        ordinals, "right")).all()
    for k in range(0, len(ordinals), 101):
        date = dt.date.fromordinal(k + 1)
        assert (date.year, date.month, date.day) == (year[k], month[k], day[k])
    for first in (1, 4, 100, 1900, 2000, 2023, 2024, 9999):
        start = dt.date(first, 1, 1).toordinal()
        for k in range(start - 1, dt.date(first, 12, 31).toordinal()):
            date = dt.date.fromordinal(k + 1)
            assert (date.year, date.month, date.day) == (year[k], month[k], day[k])


def test_placeholders_outside_the_calendar_do_not_fail() -> None:
    year, day, leap = year_parts(np.array([0, -5, 2**62, -(2**62), dt.date.max.toordinal()]))
    assert ((year >= 1) & (year <= 9999)).all() and ((day >= 0) & (day <= 365)).all()


def test_whole_years_is_the_engines() -> None:
    rng = random.Random(5)
    starts = [dt.date.fromordinal(rng.randrange(dt.date(1900, 1, 1).toordinal(), dt.date(2030, 1, 1).toordinal()))
              for _ in range(3000)]
    starts += [dt.date(y, m, d) for y in (2000, 2001, 2020, 2023, 2024) for m, d in ((2, 28), (2, 29), (3, 1),
                                                                                       (12, 31), (1, 1))
               if not (m == 2 and d == 29 and y % 4)]
    ordinals = np.array([s.toordinal() for s in starts])
    for as_of in (dt.date(2025, 6, 30), dt.date(2024, 2, 29), dt.date(2023, 2, 28), dt.date(2024, 2, 28),
                  dt.date(2024, 3, 1), dt.date(2025, 1, 1), dt.date(2025, 12, 31)):
        got = column_whole_years(*year_parts(ordinals), as_of)
        assert got.tolist() == [whole_years(s, as_of) for s in starts], as_of


def test_products_are_exact_or_marked() -> None:
    rng = np.random.default_rng(3)
    for scale in (2**10, 2**30, 2**40, 2**62):
        a = rng.integers(-scale, scale, 1000)
        for b in (rng.integers(-scale, scale, 1000), 7, 1, 0, -(2**40), 2**70):
            product, ok = safe_product(a, b)
            exact = [int(x) * int(y) for x, y in zip(a.tolist(), np.broadcast_to(np.asarray(b, object), (1000,)),
                                                     strict=True)]
            rows = np.ones(1000, bool) if ok is None else ok
            assert all(abs(e) < 2**62 for e, r in zip(exact, rows, strict=True) if r)
            assert [int(p) for p, r in zip(np.broadcast_to(product, (1000,)), rows, strict=True) if r] == \
                [e for e, r in zip(exact, rows, strict=True) if r]
            if scale <= 2**20 and abs(int(b) if not isinstance(b, np.ndarray) else 0) < LIMIT:
                assert ok is None
    assert unsafe(None, None) is None
    assert unsafe(None, np.array([True, False])).tolist() == [False, True]


def test_first_of_is_select() -> None:
    rng = np.random.default_rng(4)
    n = 500
    for _ in range(100):
        k = int(rng.integers(1, 6))
        conds = [rng.random(n) < rng.random() for _ in range(k)]
        numbers = [int(v) if rng.random() < 0.5 else rng.integers(-(2**59), 2**59, n)
                   for v in rng.integers(-(2**59), 2**59, k)]
        default = int(rng.integers(-5, 5))
        assert (first_of(conds, numbers, default) == np.select(conds, numbers, default)).all()
        flags = [bool(rng.random() < 0.5) if rng.random() < 0.5 else rng.random(n) < 0.5 for _ in range(k)]
        assert (first_of(conds, flags, True) == np.select(conds, flags, True)).all()
