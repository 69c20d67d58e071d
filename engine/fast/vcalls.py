"""The builtins that have a column-wise form (band tables, three-year sums, dates, best/max/min, eligible(),
functions of a code); any other call raises Unsupported and is evaluated row by row by the caller."""

from __future__ import annotations

import datetime as dt
import math
import weakref
from typing import TYPE_CHECKING, Any

import numpy as np

from engine.expr.functions import BUILTINS
from engine.expr.nodes import Attr, Call, Literal, Name
from engine.expr.values import Interval, ratio
from engine.fast import col_interval
from engine.fast.columns import (
    LIMIT,
    V,
    first_of,
    from_python,
    magnitude,
    merge_fb,
    safe_product,
    typed,
    unsafe,
)
from engine.fast.vector import (
    CMP,
    EPOCH,
    C,
    Unsupported,
    compare_numbers,
    parts_of,
    ratio_of,
    whole_years_to,
    years_of,
)

if TYPE_CHECKING:
    from engine.fast.batch import Batch
    from engine.fast.vector import VectorEval

ELIGIBLE, INELIGIBLE, UNDETERMINED, CONDITIONAL = 3, 4, 5, 6
LOWERED = frozenset({"band", "sum", "count", "years_between", "days_between", "best", "max", "min", "eligible",
                     "unknown", "start_of_year", "fy", "cap", "mean_growth",
                     "add_years"})  # column-wise forms here (and every `pure` builtin)


class VectorCalls:
    """Builtins with a column-wise form; Unsupported for the others."""

    def __init__(self, batch: Batch):
        self.batch = weakref.proxy(batch)  # no reference cycle with the batch that holds this
        self.text_cache: dict[tuple[str, str], Any] = {}
        self.world: bool | None = None  # eligible() of a forecast in one world: None (not decided here), False, True

    def call(self, ev: VectorEval, node: Call) -> Any:
        name, args = node.name, node.args
        if name == "band" and len(args) == 2:
            return self.band(ev.value(args[0]), ev.value(args[1]))
        if name in ("sum", "count") and len(args) == 1:
            target = args[0].target if name == "sum" and type(args[0]) is Attr else args[0]
            years = _literal_years(target)
            if years is not None:
                field = getattr(args[0], "name", None) if name == "sum" else None
                return self.recent(years, field, ev.as_of)
        if name in ("years_between", "days_between") and len(args) == 2 and type(args[1]) is Name \
                and args[1].path == "as_of":
            start = typed(ev.value(args[0]), "date")
            if not isinstance(start, V) or start.kind != "date":
                raise Unsupported
            if name == "years_between":
                return whole_years_to(start, ev.as_of)
            return V("num", ev.as_of.toordinal() - start.val, start.known, start.fb)
        if name in ("best", "max", "min") and len(args) >= 2:
            return self.extreme(name, [ev.value(a) for a in args])
        if name == "add_years" and len(args) == 2:
            return self.add_years(ev.value(args[0]), ev.value(args[1]))
        if name == "cap" and len(args) == 2:
            value, limit = ev.value(args[0]), ev.value(args[1])
            if isinstance(value, C) and isinstance(limit, C):
                raise Unsupported
            return col_interval.cap(value, limit, self.batch.n)
        if name == "mean_growth" and len(args) == 1 and type(args[0]) is Attr \
                and _literal_years(args[0].target) == 3:
            return self.growth(args[0].name, ev.as_of)
        return self.other(ev, name, args)

    def other(self, ev: VectorEval, name: str, args: list[Any]) -> Any:
        if name == "eligible" and len(args) == 1 and type(args[0]) is Literal:
            return self.eligible(str(args[0].value))
        if BUILTINS[name].pure and len(args) == 1:
            return self.on_text(name, ev.value(args[0]))
        if name == "unknown":  # always unknown; its reason comes with the scalar verdict
            return V("none", np.zeros(self.batch.n, np.int64), np.zeros(self.batch.n, bool))
        if name == "start_of_year" and len(args) == 1:
            offset = ev.value(args[0])
            if isinstance(offset, C) and type(offset.value) is int:
                return C(dt.date(ev.as_of.year + offset.value, 1, 1))
        raise Unsupported

    def band(self, x: Any, table: Any) -> V:
        """band(x, table) of a number column; a table whose values are ranges gives an interval column."""
        if not isinstance(table, C) or not isinstance(table.value, list) or not isinstance(x, V):
            raise Unsupported
        x = typed(x, "num")
        n_, d_, known, fb = ratio_of(x)
        sizes = magnitude(n_), magnitude(d_)
        denominators = [bound[1] for row in table.value if isinstance(row, dict)
                        for bound in map(ratio, (row.get(k) for k in ("min", "over", "max", "under"))) if bound]
        common: list[Any] = [math.lcm(*denominators) if denominators else 1, None]  # n·Q, computed once
        conds: list[Any] = []
        values: list[Any] = []
        rest: Any = None  # a row without bounds: the value of every row no earlier band took
        for row in table.value:
            value = row.get("value") if isinstance(row, dict) else None
            if ratio(value) is None and type(value) is not Interval:
                raise Unsupported
            mask = None
            for key in ("min", "over", "max", "under"):
                if key in row:
                    bound = ratio(row[key])
                    if bound is None:
                        raise Unsupported
                    if rest is not None:
                        continue  # never reached: only checked, as the scalar band would accept it
                    test, bad = _against(key, n_, d_, sizes, bound, common)
                    mask = test if mask is None else mask & test
                    fb = merge_fb(fb, bad)
            if rest is not None:
                continue
            if mask is None:
                rest = (value,)
                continue
            conds.append(mask)
            values.append(value)
        if rest is None:
            known = known & (np.logical_or.reduce(conds) if conds else np.zeros(self.batch.n, bool))
        if all(type(v) is not Interval for v in (*values, *(rest or ()))):
            return _chosen(conds, values, known, fb, rest[0] if rest else 0)
        spans = [type(v) is Interval for v in values]
        other = rest[0] if rest else 0
        lo = _chosen(conds, [v.lo if span else v for v, span in zip(values, spans, strict=True)], known, fb,
                     other.lo if type(other) is Interval else other)
        hi = _chosen(conds, [v.hi if span else v for v, span in zip(values, spans, strict=True)], known, None,
                     other.hi if type(other) is Interval else other)
        return col_interval.make(lo, hi, first_of(conds, spans, type(other) is Interval), self.batch.n)

    @staticmethod
    def add_years(start: Any, years: Any) -> V:
        """add_years(date, whole years): the same day n years on, 29 February → 28 February in a common year
        (engine.expr.functions._add_years); a year outside 1–9999 falls back."""
        start = typed(start, "date")
        if not isinstance(start, V) or start.kind != "date":
            raise Unsupported
        k, den, k_known, k_fb = ratio_of(years)
        if not (isinstance(den, int) and den == 1):
            raise Unsupported
        year, month, day = parts_of(start)
        year = year + k
        known = start.known & k_known
        bad = known & ((year < 1) | (year > 9999))
        year = np.where(bad, 2000, year)
        leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
        day = np.where((month == 2) & (day == 29) & ~leap, 28, day)
        first = ((year - 1970) * 12 + month - 1).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
        return V("date", first + day - 1 + EPOCH, known, merge_fb(merge_fb(start.fb, k_fb), bad))

    def growth(self, field: str, as_of: dt.date) -> V:
        """mean_growth(recent_years(3).field) (engine.expr.functions.mean_growth and its zero rules): over the
        fiscal years the firm has had, of the last three; unknown when one of them is."""
        registered = typed(self.batch.field("registered_on"), "date")
        if registered.kind != "date":
            raise Unsupported
        reg_year, last = years_of(registered), as_of.year - 1
        known, fb, values = registered.known.copy(), registered.fb, []
        for year in range(last - 2, last + 1):
            column = typed(self.batch.finance(year, field), "num")
            if column.kind != "num" or not isinstance(column.den, int):
                raise Unsupported
            included = reg_year <= year
            known &= ~included | column.known
            fb = merge_fb(fb, column.fb)
            values.append(np.where(included & column.known, column.val, 0))
        v1, v2, v3 = values
        count = (reg_year <= last - 2).astype(np.int64) + (reg_year <= last - 1) + (reg_year <= last)
        pair = ((count == 2) | ((count == 3) & (v1 == 0))) & (v2 != 0)  # v3 / v2 − 1
        triple = (count == 3) & (v1 != 0) & (v2 != 0)  # ½(v2/v1 + v3/v2) − 1
        square, ok1 = safe_product(v2, v2)
        cross, ok2 = safe_product(v1, v3)
        both, ok3 = safe_product(v1, v2)
        ok = np.abs(v3.astype(np.float64)) + np.abs(v2.astype(np.float64)) < 2.0**62
        num = first_of([triple, pair], [square + cross - 2 * both, v3 - v2], 0)
        den = first_of([triple, pair], [2 * both, v2], 1)
        bad = unsafe(ok1, ok2, ok3)
        fb = merge_fb(fb, (pair & ~ok) if bad is None else (triple & bad) | (pair & ~ok))
        sign = np.where(den < 0, -1, 1)
        common = np.gcd(num, den)
        common[common == 0] = 1
        return V("num", num * sign // common, known, fb, den * sign // common)
    def recent(self, n: int, field: str | None, as_of: dt.date) -> V:
        """sum(recent_years(n).field) — or count(recent_years(n)) when field is None."""
        registered = typed(self.batch.field("registered_on"), "date")
        if registered.kind != "date":
            raise Unsupported
        reg_year = years_of(registered)
        last = as_of.year - 1
        total = np.zeros(self.batch.n, np.int64)
        known, fb, sizes = registered.known.copy(), registered.fb, 0
        for year in range(last - n + 1, last + 1):
            included = reg_year <= year
            if field is None:
                total += included
                continue
            column = typed(self.batch.finance(year, field), "num")
            if column.kind != "num" or not isinstance(column.den, int):
                raise Unsupported
            total += np.where(included, column.val, 0)
            sizes += magnitude(column.val)
            known &= ~included | column.known
            if column.fb is not None:
                fb = merge_fb(fb, column.fb & included)
        if field is None:
            return V("num", total, registered.known, registered.fb)
        if sizes >= 2**61:  # rows whose sum may be beyond 2**61 (or have wrapped) fall back
            bound = sum(np.abs(np.where(reg_year <= year, self.batch.finance(year, field).val, 0).astype(np.float64))
                        for year in range(last - n + 1, last + 1))
            fb = merge_fb(fb, bound >= 2.0**61)
        any_year = reg_year <= last  # the firm has had one of these fiscal years (the last is the latest)
        return V("num", total, known & any_year, fb)

    def extreme(self, name: str, values: list[Any]) -> V:
        out = values[0]
        for value in values[1:]:
            out = self._pair(name, out, value)
        if isinstance(out, C):
            raise Unsupported
        return out

    def _pair(self, name: str, a: Any, b: Any) -> V:
        an, ad, ak, afb = ratio_of(a)
        bn, bd, bk, bfb = ratio_of(b)
        n = self.batch.n
        b_wins = compare_numbers(">" if name in ("best", "max") else "<", b, a)
        ak, bk = np.broadcast_to(ak, (n,)), np.broadcast_to(bk, (n,))
        take_b = (bk & (~ak | b_wins.val)) if name == "best" else b_wins.val
        known = (ak | bk) if name == "best" else (ak & bk)
        den = 1 if isinstance(ad, int) and isinstance(bd, int) and ad == bd == 1 else np.where(take_b, bd, ad)
        return V("num", np.where(take_b, bn, an), known, merge_fb(merge_fb(afb, bfb), b_wins.fb), den)

    def eligible(self, measure_id: str) -> V:
        found = self.batch.outcomes.get(measure_id)
        if found is None:
            raise Unsupported
        codes, fallback = found
        forecast = (codes == ELIGIBLE) | (codes == CONDITIONAL)  # a conditional truth: false now, true once
        if self.world is not None:  # recognised (engine.logic.forecast); one world at a time (columnar._worlds)
            return V("bool", forecast & self.world, codes != UNDETERMINED, fallback)
        return V("bool", np.zeros(self.batch.n, bool), codes != UNDETERMINED, merge_fb(fallback, forecast))

    def on_text(self, name: str, value: Any) -> V:
        """A builtin that depends on nothing but one text, applied once per distinct text."""
        value = typed(value, "str")
        if not isinstance(value, V) or value.kind != "str":
            raise Unsupported
        fn, cache = BUILTINS[name].fn, self.text_cache
        codes, distinct = value.factor()
        results: list[Any] = []
        for text in distinct:
            result = cache.get((name, text))
            if result is None:
                try:
                    result = cache[(name, text)] = fn(None, text)
                except (ValueError, TypeError, KeyError):
                    result = None
            results.append(result)
        mapped = from_python(results, len(results)) if results else None
        factor = None
        if mapped is None or mapped.kind != "str":
            column = from_python([results[c] if k else None for c, k in zip(codes, value.known, strict=True)],
                                 self.batch.n)
        else:  # a text of texts: its distinct values (and each row's) follow from the argument's
            known = value.known if mapped.known.all() else mapped.known[codes] & value.known
            column = V("str", mapped.val[codes], known)
            mapped_codes, mapped_distinct = mapped.factor()
            factor = (mapped_codes[codes], mapped_distinct)
        failed = [r is None for r in results]  # the function refused the text: those rows go to the scalar path
        bad = value.known & np.array(failed, dtype=bool)[codes] if any(failed) else None
        out = column.with_fb(merge_fb(bad, value.fb))
        if factor is not None:
            object.__setattr__(out, "_factor", factor)
        return out


def _literal_years(node: Any) -> int | None:
    if type(node) is Call and node.name == "recent_years" and len(node.args) == 1 \
            and type(node.args[0]) is Literal and type(node.args[0].value) is int:
        return node.args[0].value
    return None


def _chosen(conds: list[Any], values: list[Any], known: Any, fb: Any, other: Any = 0) -> V:
    """The number of the first matching band (a column: exact n / d); `other` where none matches."""
    nums, dens = zip(*(ratio(v) for v in values), strict=True) if values else ((), ())
    num_other, den_other = ratio(other) or (0, 1)  # a number: checked by band()
    if any(abs(v) >= LIMIT for v in (*nums, *dens, num_other, den_other)):
        raise Unsupported  # a band value beyond the columns' int64: row by row
    den: Any = 1 if all(d == 1 for d in (*dens, den_other)) else first_of(conds, dens, den_other)
    return V("num", first_of(conds, nums, num_other), known, fb, den)


_BOUNDS = {"min": ">=", "over": ">", "max": "<=", "under": "<"}


def _against(key: str, n_: Any, d_: Any, sizes: tuple[int, int], bound: tuple[int, int], common: list[Any]
             ) -> tuple[Any, Any]:
    """(x against one bound of a band, rows where that is not exact): n / d against p / q as n·Q against
    (p·Q/q)·d, Q the table's common denominator (n·Q is then one product for every bound), the products taken
    at once when the magnitudes of the whole column prove them exact."""
    p, q = bound
    scale = common[0]
    k = p * (scale // q)
    if sizes[0] < LIMIT and sizes[1] < LIMIT and scale < LIMIT and abs(k) < LIMIT \
            and sizes[0] * scale < LIMIT and sizes[1] * abs(k) < LIMIT:
        if common[1] is None:
            common[1] = n_ if scale == 1 else n_ * scale
        right = k if isinstance(d_, int) and d_ == 1 else k * d_
        return CMP[_BOUNDS[key]](common[1], right), None
    left, ok1 = safe_product(n_, q)
    right, ok2 = safe_product(p, d_)
    return CMP[_BOUNDS[key]](left, right), unsafe(ok1, ok2)
