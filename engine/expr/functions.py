"""Built-in functions of the condition language. Each takes the evaluation context and exact values.

Every function is three-valued: an Unknown argument gives an Unknown result (with the missing fields),
except where documented. Policy numbers never appear here: they live in rule parameters.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Protocol

from engine.expr.values import Interval, Unknown, exact, unknown_of
from engine.parameters import band_lookup


class FunctionContext(Protocol):
    as_of: dt.date

    def lookup(self, name: str) -> Any: ...
    def measure_outcome(self, measure_id: str) -> Any: ...


@dataclass(frozen=True)
class Builtin:
    """One builtin: its scalar definition and its signature. The compiled (engine.fast.calls) and columnar
    (engine.fast.vcalls) backends lower some builtins to faster forms; every case those forms do not
    specialise is handed back to `fn`, so this is the one definition of what each builtin means."""

    fn: Callable[..., Any]
    min_args: int
    max_args: int
    unit: str  # result unit; "arg" = unit of the first argument
    doc: str
    pure: bool = False  # depends on its arguments only (not on as_of or the profile): results may be cached


def _known(values: list[Any]) -> Unknown | None:
    flat: list[Any] = []
    for v in values:
        flat.extend(v if isinstance(v, list) else [v])
    return unknown_of(*flat)


def _sum(ctx: FunctionContext, items: Any) -> Any:
    if isinstance(items, Unknown):
        return items
    missing = _known(items)
    if missing is not None:
        return missing
    if not items:
        return Unknown(reason="no values to add up (no completed fiscal year)")
    total: Any = 0
    for item in items:
        total = total + item
    return exact(total) if not isinstance(total, Interval) else total


def _extreme(pick: Callable[..., Any]) -> Callable[..., Any]:
    def run(ctx: FunctionContext, *args: Any) -> Any:
        values = args[0] if len(args) == 1 and isinstance(args[0], list) else list(args)
        missing = _known(values)
        if missing is not None:
            return missing
        return pick(values) if values else Unknown(reason="empty list")
    return run


def _count(ctx: FunctionContext, items: Any) -> Any:
    return items if isinstance(items, Unknown) else len(items)


def _last(ctx: FunctionContext, items: Any) -> Any:
    if isinstance(items, Unknown):
        return items
    return items[-1] if items else Unknown(reason="empty list")


def _first(ctx: FunctionContext, items: Any) -> Any:
    if isinstance(items, Unknown):
        return items
    return items[0] if items else Unknown(reason="empty list")


def _abs(ctx: FunctionContext, value: Any) -> Any:
    return value if isinstance(value, Unknown) else abs(value)


def _days_between(ctx: FunctionContext, start: Any, end: Any) -> Any:
    missing = unknown_of(start, end)
    return missing if missing is not None else (end - start).days


def whole_years(start: dt.date, end: dt.date) -> int:
    """Completed years from `start` to `end` (anniversary rule; 29 Feb anniversaries fall on 28 Feb)."""
    years = end.year - start.year
    anniversary = (start.month, start.day) if (start.month, start.day) != (2, 29) else (2, 28)
    return years - 1 if (end.month, end.day) < anniversary else years


def _years_between(ctx: FunctionContext, start: Any, end: Any) -> Any:
    missing = unknown_of(start, end)
    return missing if missing is not None else whole_years(start, end)


def _add_years(ctx: FunctionContext, start: Any, years: Any) -> Any:
    missing = unknown_of(start, years)
    if missing is not None:
        return missing
    try:
        return start.replace(year=start.year + int(years))
    except ValueError:
        return start.replace(year=start.year + int(years), day=28)


def _date(ctx: FunctionContext, text: Any) -> Any:
    return dt.date.fromisoformat(text)


def _year_of(ctx: FunctionContext, value: Any) -> Any:
    return value if isinstance(value, Unknown) else value.year


def _finance_years(ctx: FunctionContext, n: Any) -> Any:
    """Records of the last `n` completed fiscal years before as_of, or fewer when the firm is younger."""
    if isinstance(n, Unknown):
        return n
    registered = ctx.lookup("registered_on")
    if isinstance(registered, Unknown):
        return registered
    by_year = {record["year"]: record for record in ctx.lookup("finance")}
    last = ctx.as_of.year - 1
    first = max(last - int(n) + 1, registered.year)
    return [by_year.get(y) or Unknown(frozenset({f"finance[{y}]"})) for y in range(first, last + 1)]


def _fy(ctx: FunctionContext, k: Any) -> Any:
    """The record of fiscal year as_of.year − k (k = 1 is the latest completed year)."""
    if isinstance(k, Unknown):
        return k
    year = ctx.as_of.year - int(k)
    for record in ctx.lookup("finance"):
        if record["year"] == year:
            return record
    return Unknown(frozenset({f"finance[{year}]"}))


def _band(ctx: FunctionContext, x: Any, table: Any) -> Any:
    missing = unknown_of(x, table)
    if missing is not None:
        return missing
    if isinstance(x, Interval):
        lo, hi = band_lookup(x.lo, table), band_lookup(x.hi, table)
        return lo if lo == hi else Unknown(reason="value range spans two bands")
    found = band_lookup(x, table)
    return Unknown(reason="no band matches") if found is None else found


def _interval(ctx: FunctionContext, lo: Any, hi: Any) -> Any:
    missing = unknown_of(lo, hi)
    return missing if missing is not None else Interval(lo, hi)


def _within(ctx: FunctionContext, x: Any, lo_or_range: Any, hi: Any = None) -> Any:
    """lo ≤ x ≤ hi, or x inside an interval: a typed figure checked against the range the rules compute.

    Three-valued: unknown when x or a bound is unknown. An interval x is within only when all of it is,
    outside only when none of it is, unknown when it straddles a bound.
    """
    bounds = lo_or_range if hi is None else Interval(lo_or_range, hi)
    missing = unknown_of(x, bounds)
    if missing is not None:
        return missing
    lo, top = (bounds.lo, bounds.hi) if isinstance(bounds, Interval) else (bounds, bounds)
    x_lo, x_hi = (x.lo, x.hi) if isinstance(x, Interval) else (x, x)
    if lo <= x_lo and x_hi <= top:
        return True
    if x_hi < lo or x_lo > top:
        return False
    return Unknown(reason="the range straddles a bound")


def mean_growth(values: list[Any]) -> Any:
    """G195 growth rate over up to three year-end values, with its zero rules.

    ½(v2/v1 + v3/v2) − 1; v1 = 0 → v3/v2 − 1 on the last two years; a zero divisor after that → 0
    (scores 0 points); fewer than two values → 0.
    """
    if len(values) == 3 and values[0] == 0:
        values = values[1:]
    if len(values) < 2 or any(v == 0 for v in values[:-1]):
        return 0
    if len(values) == 2:
        return exact(Fraction(values[1]) / Fraction(values[0]) - 1)
    v1, v2, v3 = (Fraction(v) for v in values)
    return exact((v2 / v1 + v3 / v2) / 2 - 1)


def _mean_growth(ctx: FunctionContext, items: Any) -> Any:
    if isinstance(items, Unknown):
        return items
    missing = _known(items)
    return missing if missing is not None else mean_growth(list(items))


def _cap(ctx: FunctionContext, value: Any, limit: Any) -> Any:
    """min(value, limit), also for intervals: a score sub-total capped at its maximum."""
    missing = unknown_of(value, limit)
    if missing is not None:
        return missing
    if isinstance(value, Interval):
        return Interval(min(value.lo, limit), min(value.hi, limit))
    return min(value, limit)


def _best(ctx: FunctionContext, *values: Any) -> Any:
    """The largest of the known values (the applicant may supply either); unknown only if none is known."""
    known = [v for v in values if not isinstance(v, Unknown)]
    if not known:
        return unknown_of(*values)
    return max(known)


def _tech_field_l1(ctx: FunctionContext, code: Any) -> Any:
    if isinstance(code, Unknown):
        return code
    from engine.standards.tech_fields import l1_of
    try:
        return l1_of(code)
    except ValueError:
        return Unknown(frozenset({"tech_field"}), f"'{code}' is not a high-tech field code")


def _filter(ctx: FunctionContext, items: Any, key: Any, value: Any) -> Any:
    missing = unknown_of(items, key, value)
    if missing is not None:
        return missing
    wanted = value if isinstance(value, list) else [value]
    return [item for item in items if isinstance(item, dict) and item.get(key) in wanted]


def _certificates(ctx: FunctionContext) -> Any:
    """The certificates list, or Unknown naming `certificates` when the applicant has not answered it."""
    certs = ctx.lookup("certificates")
    return certs if type(certs) is list or isinstance(certs, Unknown | list) else Unknown(frozenset({"certificates"}))


def _holds(ctx: FunctionContext, cert_type: Any, *levels: Any) -> Any:
    """Holds a certificate of this type (and one of these levels) in force on as_of.

    True as soon as one listed certificate qualifies; unknown (certificates missing) when the list is not
    answered and none qualifies — an unanswered list is not "none".
    """
    certs = _certificates(ctx)
    if type(certs) is not list and isinstance(certs, Unknown):
        return certs
    for cert in certs:
        if cert["type"] != cert_type or (levels and cert.get("level") not in levels):
            continue
        expires = cert.get("expires_on")
        if cert["issued_on"] <= ctx.as_of and (expires is None or ctx.as_of <= expires):
            return True
    return False


def _recognised_within(ctx: FunctionContext, cert_type: Any, days: Any, *levels: Any) -> Any:
    """A certificate of this type (level) was issued within `days` before as_of."""
    certs = _certificates(ctx)
    if isinstance(certs, Unknown):
        return certs
    for cert in certs:
        if cert["type"] != cert_type or (levels and cert.get("level") not in levels):
            continue
        if 0 <= (ctx.as_of - cert["issued_on"]).days <= int(days):
            return True
    return False


def _recognised_since(ctx: FunctionContext, cert_type: Any, since: Any, *levels: Any) -> Any:
    """A certificate of this type (level) was issued on or after `since` and no later than as_of."""
    certs = _certificates(ctx)
    if isinstance(since, Unknown) or isinstance(certs, Unknown):
        return unknown_of(since, certs)
    for cert in certs:
        if cert["type"] != cert_type or (levels and cert.get("level") not in levels):
            continue
        if since <= cert["issued_on"] <= ctx.as_of:
            return True
    return False


def _start_of_year(ctx: FunctionContext, offset: Any) -> Any:
    """1 January of the year as_of.year + offset (start_of_year(-1) = 1 January of last year)."""
    return offset if isinstance(offset, Unknown) else dt.date(ctx.as_of.year + int(offset), 1, 1)


def _latest(ctx: FunctionContext, items: Any, key: Any) -> Any:
    """The record with the greatest value of `key` (e.g. the latest certificate by issued_on)."""
    if isinstance(items, Unknown):
        return items
    dated = [item for item in items if isinstance(item, dict) and item.get(key) is not None]
    if not dated:
        return Unknown(reason="empty list")
    return max(dated, key=lambda item: item[key])


def _any_of(ctx: FunctionContext, items: Any, key: Any, value: Any) -> Any:
    """Three-valued: some record's field equals value; unknown when none does and some field is blank."""
    if isinstance(items, Unknown):
        return items
    wanted = value if isinstance(value, list) else [value]
    blanks: list[str] = []
    for item in items:
        got = item.get(key) if isinstance(item, dict) else None
        if got is None:
            blanks.append(f"{item.get('__path__', '')}.{key}" if isinstance(item, dict) else key)
        elif got in wanted:
            return True
    return Unknown(frozenset(blanks)) if blanks else False


def _size_band(ctx: FunctionContext, industry: Any, staff: Any, revenue: Any, assets: Any) -> Any:
    """NBS 2017 enterprise size band (large/medium/small/micro); unknown when an indicator is missing."""
    missing = unknown_of(industry, staff, revenue, assets)
    if missing is not None:
        return missing
    from engine.standards.size_band import size_band
    band = size_band(industry, int(staff), int(revenue), int(assets))
    return Unknown(reason="size band not determinable") if band is None else band


def _unknown(ctx: FunctionContext, reason: Any) -> Any:
    """Always Unknown, with the reason: a condition the sources leave to the bureau's judgement (one immutable
    value per reason text)."""
    text = str(reason)
    found = _UNKNOWNS.get(text)
    if found is None:
        found = Unknown(reason=text)
        if len(_UNKNOWNS) < 4096:
            _UNKNOWNS[text] = found
    return found


_UNKNOWNS: dict[str, Unknown] = {}


def _eligible(ctx: FunctionContext, measure_id: Any) -> Any:
    return ctx.measure_outcome(measure_id)


def _exists(ctx: FunctionContext, items: Any) -> Any:
    return items if isinstance(items, Unknown) else len(items) > 0


BUILTINS: dict[str, Builtin] = {
    "sum": Builtin(_sum, 1, 1, "arg", "sum of a list; unknown if any item is unknown"),
    "min": Builtin(_extreme(min), 1, 9, "arg", "smallest of the arguments (or of one list)"),
    "max": Builtin(_extreme(max), 1, 9, "arg", "largest of the arguments (or of one list)"),
    "count": Builtin(_count, 1, 1, "count", "number of items in a list"),
    "exists": Builtin(_exists, 1, 1, "bool", "the list has at least one item"),
    "first": Builtin(_first, 1, 1, "arg", "first item of a list"),
    "last": Builtin(_last, 1, 1, "arg", "last item of a list"),
    "abs": Builtin(_abs, 1, 1, "arg", "absolute value"),
    "days_between": Builtin(_days_between, 2, 2, "days", "calendar days from the first date to the second"),
    "years_between": Builtin(_years_between, 2, 2, "years", "completed years between two dates"),
    "add_years": Builtin(_add_years, 2, 2, "date", "the date n years later"),
    "date": Builtin(_date, 1, 1, "date", "a date literal: date('2016-01-01')"),
    "year_of": Builtin(_year_of, 1, 1, "years", "the calendar year of a date"),
    "recent_years": Builtin(_finance_years, 1, 1, "list",
                            "the last n completed fiscal years before as_of (fewer if registered later)"),
    "fy": Builtin(_fy, 1, 1, "record", "fiscal year as_of.year − k (fy(1) = the latest completed year)"),
    "band": Builtin(_band, 2, 2, "any", "value of the first row of a band table that admits x"),
    "interval": Builtin(_interval, 2, 2, "points", "the closed range [lo, hi]"),
    "within": Builtin(_within, 2, 3, "bool", "lo ≤ x ≤ hi: within(x, lo, hi) or within(x, interval)", pure=True),
    "mean_growth": Builtin(_mean_growth, 1, 1, "ratio", "G195 growth rate with its zero rules"),
    "cap": Builtin(_cap, 2, 2, "arg", "min(value, limit), interval-aware"),
    "best": Builtin(_best, 1, 9, "arg", "largest known argument; unknown only when all are unknown"),
    "tech_field_l1": Builtin(_tech_field_l1, 1, 1, "code", "first-level high-tech field code ('1'–'8')", pure=True),
    "filter": Builtin(_filter, 3, 3, "list", "items of a list whose field equals the value (or one of a list)"),
    "holds": Builtin(_holds, 1, 4, "bool", "holds a certificate of this type (and level) in force on as_of"),
    "recognised_within": Builtin(_recognised_within, 2, 5, "bool",
                                 "a certificate of this type was issued within n days before as_of"),
    "recognised_since": Builtin(_recognised_since, 2, 5, "bool",
                                "a certificate of this type was issued between a date and as_of"),
    "start_of_year": Builtin(_start_of_year, 1, 1, "date", "1 January of as_of's year plus an offset"),
    "latest": Builtin(_latest, 2, 2, "record", "the record with the greatest value of a field"),
    "any_of": Builtin(_any_of, 3, 3, "bool", "three-valued: some record's field equals the value"),
    "size_band": Builtin(_size_band, 4, 4, "code",
                         "NBS 2017 size band from industry, staff, revenue and assets"),
    "unknown": Builtin(_unknown, 1, 1, "bool", "always unknown, with a reason (left to the bureau)"),
    "eligible": Builtin(_eligible, 1, 1, "bool", "the outcome of another measure (eligible → true)"),
}
