"""Compiled forms of the built-in functions that batch evaluation spends its time in.

Each returns exactly what the engine's own builtin returns (engine.expr.functions.BUILTINS), and hands
every case it does not specialise — Unknown arguments, intervals, unusual types — to that builtin, so the
engine's semantics (and its Unknown `missing` sets) are kept by construction.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable
from fractions import Fraction
from typing import Any

from engine.expr.functions import BUILTINS, whole_years
from engine.expr.nodes import COMPARISONS, arithmetic, compare, index_value
from engine.expr.values import Unknown, ratio
from engine.fast.protocol import Fn, Program
from engine.fast.source import exact_value

MISS = object()
OPS = COMPARISONS
_BOUND = {"min": operator.ge, "over": operator.gt, "max": operator.le, "under": operator.lt}
_BAND, _SUM = BUILTINS["band"].fn, BUILTINS["sum"].fn
LOWERED = frozenset({"band", "sum", "years_between", "days_between", "fy", "recent_years"})  # faster forms here  # the definitions every case they do not speed up goes to


def band_plan(table: Any) -> Callable[[Any], Any] | None:
    """A band lookup over a constant table of exact numeric bounds, as integer comparisons.

    x ≥ p/q  ⇔  n·q ≥ p·d  for x = n/d with d, q > 0; anything but an exact number in x goes to the
    engine's own `band()`, so intervals and unknowns keep their meaning.
    """
    plans = band_plans(table)
    return plans[0] if plans is not None else None


Bounds = tuple[tuple[Callable[[Any, Any], bool], int, int], ...]


def _band_rows(table: Any) -> list[tuple[Bounds, Any]] | None:
    """Each row's bounds as (comparison, p, q) and its value; None unless every bound is an exact number."""
    if not isinstance(table, list) or not all(isinstance(r, dict) and "value" in r for r in table):
        return None
    rows: list[tuple[Bounds, Any]] = []
    for row in table:
        tests = []
        for key in ("min", "over", "max", "under"):
            if key in row:
                bound = ratio(row[key])
                if bound is None:
                    return None
                tests.append((_BOUND[key], bound[0], bound[1]))
        rows.append((tuple(tests), row["value"]))
    return rows


def band_plans(table: Any) -> tuple[Callable[[Any], Any], Callable[[int, int], Any]] | None:
    """(lookup of x, lookup of the quotient n/d of two ints with d > 0 — no Fraction built) of band_plan."""
    rows = _band_rows(table)
    if rows is None:
        return None

    def quotient(n: int, d: int) -> Any:
        for tests, value in rows:
            for check, p, q in tests:
                if not check(n * q, p * d):
                    break
            else:
                return value
        return Unknown(reason="no band matches")

    def lookup(x: Any) -> Any:
        kind = type(x)
        if kind is int:
            return quotient(x, 1)
        if kind is Fraction:
            return quotient(x.numerator, x.denominator)
        return _BAND(None, x, table)
    return lookup, quotient


def _year_field(item: Any, name: str, is_dict: bool) -> Any:
    return item.get(name) if is_dict else getattr(item, name, None)


def fiscal_year_field(year: int, name: str, generic: Fn) -> Fn:
    """`fy(k).name` read straight from the source's records."""
    no_year = Unknown(frozenset({f"finance[{year}]"}))
    no_value = Unknown(frozenset({f"finance[{year}].{name}"}))

    def read(run: Any) -> Any:
        by_year = run.finance()
        if by_year is None:
            return generic(run)
        item = by_year.get(year)
        if item is None:
            return no_year
        value = _year_field(item, name, run.is_dict)
        return no_value if value is None else exact_value(value)
    return read


def recent_years_field(last: int, n: int, name: str, generic: Fn, registered_on: Fn) -> Fn:
    """`recent_years(n).name` read straight from the source's records."""
    no_year = {y: Unknown(frozenset({f"finance[{y}]"})) for y in range(last - n + 1, last + 1)}
    no_value = {y: Unknown(frozenset({f"finance[{y}].{name}"})) for y in range(last - n + 1, last + 1)}

    def read(run: Any) -> Any:
        registered = registered_on(run)  # the memoised reader of registered_on
        if type(registered) is Unknown:
            return registered
        by_year = run.finance()
        if by_year is None:
            return generic(run)
        is_dict, out = run.is_dict, []
        for year in range(max(last - n + 1, registered.year), last + 1):
            item = by_year.get(year)
            if item is None:
                out.append(no_year[year])
                continue
            value = _year_field(item, name, is_dict)
            out.append(no_value[year] if value is None else exact_value(value))
        return out
    return read


def traced_years_field(kind: str, this_year: int, n: int, name: str) -> Fn:
    """`fy(n).name` / `recent_years(n).name` in traced mode: the same reads recorded, records indexed once."""
    last = this_year - 1 if kind == "recent_years" else this_year - n
    first = last - n + 1 if kind == "recent_years" else last
    no_year = {y: Unknown(frozenset({f"finance[{y}]"})) for y in range(first, last + 1)}
    no_value = {y: Unknown(frozenset({f"finance[{y}].{name}"})) for y in range(first, last + 1)}

    def value_of(by_year: dict[int, Any], year: int) -> Any:
        record = by_year.get(year)
        if record is None:
            return no_year[year]
        value = record.get(name)
        return no_value[year] if value is None else value  # records already hold exact values

    def fiscal_year(run: Any) -> Any:
        return value_of(run.records_by_year(run.lookup("finance")), last)

    def recent(run: Any) -> Any:
        registered = run.lookup("registered_on")
        if type(registered) is Unknown:
            return registered
        by_year = run.records_by_year(run.lookup("finance"))
        return [value_of(by_year, y) for y in range(max(first, registered.year), last + 1)]
    return recent if kind == "recent_years" else fiscal_year


def sum_recent_years(last: int, n: int, name: str, listing: Fn, registered_on: Fn) -> Fn:
    """`sum(recent_years(n).name)`: one loop over whole-yuan ints; anything else through `sum`'s definition."""
    first_year = last - n + 1

    def total(run: Any) -> Any:
        registered = registered_on(run)
        by_year = run.finance() if type(registered) is not Unknown else None
        if by_year is not None:
            is_dict, acc, start = run.is_dict, 0, max(first_year, registered.year)
            for year in range(start, last + 1):
                item = by_year.get(year)
                if item is None:
                    break
                value = item.get(name) if is_dict else getattr(item, name, None)
                if type(value) is not int:
                    break
                acc += value
            else:
                if start <= last:
                    return acc
        return _SUM(run, listing(run))
    return total


def fast_sum(items: Any) -> Any:
    if type(items) is list and items:
        acc = 0
        for value in items:
            if type(value) is not int:
                return _SUM(None, items)
            acc += value
        return acc
    return _SUM(None, items)


def dated(name: str, start: Fn, as_of: dt.date) -> Fn | None:
    """`years_between(x, as_of)` / `days_between(x, as_of)` against the compiled as-of date."""
    if name == "years_between":
        def years(run: Any) -> Any:
            value = start(run)
            return value if type(value) is Unknown else whole_years(value, as_of)
        return years
    if name == "days_between":
        def days(run: Any) -> Any:
            value = start(run)
            return value if type(value) is Unknown else (as_of - value).days
        return days
    return None


def memoised(name: str, arg: Fn) -> Fn:
    """A one-argument builtin that depends on nothing but its argument, cached by argument value."""
    fn = BUILTINS[name].fn
    cache: dict[Any, Any] = {}

    def call(run: Any) -> Any:
        value = arg(run)
        if type(value) is not str:
            return fn(run, value)
        found = cache.get(value)
        if found is None:
            found = fn(run, value)
            if len(cache) < 65536:
                cache[value] = found
        return found
    return call




def traced_name(program: Program, path: str) -> Fn:
    """Evaluation.lookup for one name, with the fact / special / field decision taken at compile time."""
    if path in program.ruleset.facts:
        fact = program.ruleset.facts[path]

        def read_fact(run: Any) -> Any:
            value = run.facts.get(path, MISS)
            if value is MISS:
                value = run._fact(fact)
            run.frames[-1].reads[path] = value
            return value
        return read_fact
    if path == "as_of":
        return lambda run: run.lookup(path)
    missing = Unknown(frozenset({path}))

    def read_field(run: Any) -> Any:
        value = run.ns.get(path)
        if value is None:
            value = missing
        run.frames[-1].reads[path] = value
        return value
    return read_field


def compare_const(op: str, negate: bool, left: Fn, value: Any) -> Fn | None:
    """Untraced comparison against a constant: numbers, booleans and code lists get a typed fast path."""
    check = OPS.get(op)
    if check is not None and type(value) in (int, Fraction):
        num, den = value.numerator, value.denominator

        def number(run: Any) -> Any:
            a = left(run)
            kind = type(a)
            if kind is int:
                return check(a * den, num) if den != 1 else check(a, num)
            if kind is Fraction:
                return check(a.numerator * den, num * a.denominator)
            return compare(op, a, value)
        return number
    if op in ("==", "!=") and type(value) is bool:
        same = op == "=="

        def flag(run: Any) -> Any:
            a = left(run)
            return ((a is value) is same) if type(a) is bool else compare(op, a, value)
        return flag
    if op == "in" and isinstance(value, list) and value and all(type(v) is str for v in value):
        members = frozenset(value)

        def member(run: Any) -> Any:
            a = left(run)
            result = (a in members) if type(a) is str else compare(op, a, value)
            return result if not negate or type(result) is Unknown else not result
        return member
    return None


def divide(a: Any, b: Any) -> Any:
    """`arithmetic('/', a, b)` with a fast path for two ints."""
    if type(a) is int and type(b) is int and b:
        q, r = divmod(a, b)
        return q if r == 0 else Fraction(a, b)
    return arithmetic("/", a, b)


index = index_value  # Index.evaluate on already evaluated operands
