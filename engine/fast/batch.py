"""Batches of profiles as columns: where the inputs come from, and the builtins evaluated column-wise.

`Batch` reads the names the rules use from a list of profiles (models or trusted dicts) through the
same accessors as the scalar path, so a column holds exactly the values a single evaluation would
read. `ColumnBatch` takes data already in columns (numpy arrays keyed by profile path and
`finance[YEAR].field`). `VectorCalls` gives the column-wise builtins; any other call is evaluated
row by row by the caller.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from engine.expr.functions import BUILTINS
from engine.expr.nodes import Attr, Call, Literal, Name
from engine.fast.calls import PURE_ON_TEXT, _ratio
from engine.fast.columns import V, from_python, merge_fb, safe_product, typed
from engine.fast.plan import FastRun
from engine.fast.source import exact_value, unwrap
from engine.fast.vector import CMP, C, Unsupported, compare_numbers, date_parts, ratio_of, whole_years_to

ELIGIBLE, INELIGIBLE, UNDETERMINED = 3, 4, 5
_EMPTY: dict[str, Any] = {}
_PLAIN = {int, str, bool, type(None), dt.date}


class Batch:
    """Profiles of one batch, read column by column on demand."""

    def __init__(self, program: Any, profiles: Sequence[Any], absent: frozenset[str] = frozenset()):
        self.program = program
        self.absent = absent
        self.n = len(profiles)
        if all(type(p) is dict for p in profiles):
            self.sources, self.dicts = list(profiles), [True] * self.n
            self.kinds = np.array([p.get("kind") or "enterprise" for p in profiles], dtype=object)
            self.all_dicts = True
        else:
            unwrapped = [unwrap(p) for p in profiles]
            self.sources = [u[0] for u in unwrapped]
            self.dicts = [u[1] for u in unwrapped]
            self.kinds = np.array([u[2] for u in unwrapped], dtype=object)
            self.all_dicts = all(self.dicts)
        self.cache: dict[Any, V] = {}
        self.runs: list[FastRun | None] = [None] * self.n
        self._no_finance: Any = None
        self.finance_fields: set[str] = set()  # fiscal-year fields to read in the same pass
        self.calls = VectorCalls(self)
        self.outcomes: dict[str, Any] = {}  # measure id → (codes, fallback rows), as measures are decided

    def run(self, i: int) -> FastRun:
        found = self.runs[i]
        if found is None:
            found = self.runs[i] = FastRun(self.program, self.sources[i], self.dicts[i])
        return found

    def field(self, path: str) -> V:
        key = ("field", path)
        found = self.cache.get(key)
        if found is None:
            values = self._plain_values(path) if self.all_dicts else None
            if values is None and path in self.absent:
                values = [None if d else self.program.accessors.get(path, False)(src)
                          for src, d in zip(self.sources, self.dicts, strict=True)]
            if values is None:
                accessors = self.program.accessors
                model, plain = accessors.get(path, False), accessors.get(path, True)
                values = [(plain if d else model)(src) for src, d in zip(self.sources, self.dicts, strict=True)]
            found = self.cache[key] = from_python(values, self.n)
        return found

    def empty_lists(self, names: tuple[str, ...]) -> Any:
        """Rows where every one of these list fields is empty."""
        key = ("empty", names)
        found = self.cache.get(key)
        if found is None:
            found = np.ones(self.n, bool)
            for name in names:
                found &= np.fromiter((not v for v in self._raw_lists(name)), bool, self.n)
            self.cache[key] = found  # type: ignore[assignment]
        return found

    def _raw_lists(self, name: str) -> list[Any]:
        accessors = self.program.accessors
        model, plain = accessors.get(name, False), accessors.get(name, True)
        return [(plain if d else model)(src) for src, d in zip(self.sources, self.dicts, strict=True)]

    def _plain_values(self, path: str) -> list[Any] | None:
        """The values of a one- or two-part path of plain dicts when they are all plain scalars, else None."""
        if path in self.absent:
            return [None] * self.n
        parts = path.split(".")
        if len(parts) == 1 and path not in ("kind", "city", "region_class"):
            values = [src.get(path) for src in self.sources]
        elif len(parts) == 2:
            section, name = parts
            try:
                values = [(src.get(section) or _EMPTY).get(name) for src in self.sources]
            except AttributeError:
                return None
        else:
            return None
        return values if set(map(type, values)) <= _PLAIN else None

    def finance(self, year: int, name: str) -> V:
        key = ("finance", year, name)
        found = self.cache.get(key)
        if found is None:
            if ("finance", "done", name) not in self.cache:
                self._finance_field(name)
            found = self.cache.get(key) or self._empty()
        return found

    def _finance_field(self, name: str) -> None:
        """One pass over every row's fiscal years, filling the columns of the wanted fields for every year."""
        names = sorted(self.finance_fields | {name})
        by_year: dict[int, list[list[Any]]] = {}
        no_finance = np.zeros(self.n, bool)
        n = self.n
        for i, (src, is_dict) in enumerate(zip(self.sources, self.dicts, strict=True)):
            records = (src.get("finance", ()) if src.get("kind", "enterprise") == "enterprise" else
                       src.get("finance")) if is_dict else getattr(src, "finance", None)
            if records is None:
                no_finance[i] = True
                continue
            for record in records:
                year = record["year"] if is_dict else record.year
                columns = by_year.get(year)
                if columns is None:
                    columns = by_year[year] = [[None] * n for _ in names]
                if is_dict:
                    for column, field in zip(columns, names):  # noqa: B905 - same length by construction
                        column[i] = record.get(field)
                else:
                    for column, field in zip(columns, names):  # noqa: B905
                        column[i] = getattr(record, field, None)
        by_key = {(year, field): column for year, columns in by_year.items()
                  for field, column in zip(names, columns, strict=True)}
        for key, values in by_key.items():
            if not set(map(type, values)) <= _PLAIN:
                values = [exact_value(v) for v in values]
            found = from_python(values, n)
            self.cache[("finance", *key)] = found.with_fb(no_finance) if no_finance.any() else found
        for field in names:
            self.cache.setdefault(("finance", "done", field), self._empty())
        if no_finance.any():
            self._no_finance = no_finance

    def _empty(self) -> V:
        empty = V("none", np.zeros(self.n, np.int64), np.zeros(self.n, bool))
        return empty.with_fb(self._no_finance) if self._no_finance is not None else empty


class ColumnBatch(Batch):
    """Data already in columns: arrays keyed by profile path or `finance[YEAR].field`.

    A numpy masked array marks absent values; dates are datetime64[D] arrays; codes object arrays.
    Rows that need the scalar evaluator are rebuilt as profile dicts from the columns.
    """

    def __init__(self, program: Any, columns: Mapping[str, Any], n: int, kind: str = "enterprise"):
        self.program = program
        self.columns = columns
        self.n = n
        self.kinds = np.full(n, kind, dtype=object)
        self.cache = {}
        self.runs = [None] * n
        self.calls = VectorCalls(self)
        self.outcomes = {}
        self.kind = kind
        self.absent = frozenset()

    def run(self, i: int) -> FastRun:
        found = self.runs[i]
        if found is None:
            found = self.runs[i] = FastRun(self.program, self.row(i), True)
        return found

    def empty_lists(self, names: tuple[str, ...]) -> Any:
        return np.ones(self.n, bool)  # columns carry no certificates, loans or projects

    def row(self, i: int) -> dict[str, Any]:
        """Profile dict of row i (for the scalar fallback)."""
        out: dict[str, Any] = {"kind": self.kind}
        years: dict[int, dict[str, Any]] = {}
        for key, column in self.columns.items():
            value = _python(column, i)
            if value is None:
                continue
            if key.startswith("finance["):
                year, name = key[len("finance["):].split("].", 1)
                years.setdefault(int(year), {"year": int(year)})[name] = value
                continue
            *parents, leaf = key.split(".")
            target = out
            for part in parents:
                target = target.setdefault(part, {})
            target[leaf] = value
        out["finance"] = [years[y] for y in sorted(years)]
        return out

    def field(self, path: str) -> V:
        return self._column(path)

    def finance(self, year: int, name: str) -> V:
        return self._column(f"finance[{year}].{name}")

    def _column(self, key: str) -> V:
        found = self.cache.get(key)
        if found is None:
            column = self.columns.get(key)
            if column is None:
                found = V("none", np.zeros(self.n, np.int64), np.zeros(self.n, bool))
            else:
                found = _column_value(column, self.n)
            self.cache[key] = found
        return found


def _python(column: Any, i: int) -> Any:
    if np.ma.isMaskedArray(column) and column.mask is not np.ma.nomask and column.mask[i]:
        return None
    value = column[i]
    if isinstance(value, np.datetime64):
        return dt.date.fromisoformat(str(value.astype("datetime64[D]")))
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    return value


def _column_value(column: Any, n: int) -> V:
    known = ~np.ma.getmaskarray(column) if np.ma.isMaskedArray(column) else np.ones(n, bool)
    data = np.ma.getdata(column)
    if data.dtype.kind == "M":
        return V("date", data.astype("datetime64[D]").astype(np.int64) + dt.date(1970, 1, 1).toordinal(), known)
    if data.dtype.kind == "b":
        return V("bool", data.astype(bool), known)
    if data.dtype.kind in "iu":
        return V("num", data.astype(np.int64), known)
    return from_python([v if k else None for v, k in zip(data.tolist(), known, strict=True)], n)


class VectorCalls:
    """Builtins with a column-wise form; Unsupported for the others."""

    def __init__(self, batch: Batch):
        self.batch = batch
        self.text_cache: dict[tuple[str, str], Any] = {}

    def call(self, ev: Any, node: Call) -> Any:
        name, args = node.name, node.args
        if name == "band" and len(args) == 2:
            return self.band(ev.value(args[0]), ev.value(args[1]))
        if name in ("sum", "count") and len(args) == 1:
            target = args[0].target if name == "sum" and type(args[0]) is Attr else args[0]
            years = _literal_years(target)
            if years is not None:
                field = args[0].name if name == "sum" else None  # type: ignore[union-attr]
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
        return self.other(ev, name, args)

    def other(self, ev: Any, name: str, args: list[Any]) -> Any:
        if name == "eligible" and len(args) == 1 and type(args[0]) is Literal:
            return self.eligible(str(args[0].value))
        if name in PURE_ON_TEXT and len(args) == 1:
            return self.on_text(name, ev.value(args[0]))
        if name == "unknown":  # always unknown; its reason comes with the scalar verdict
            return V("none", np.zeros(self.batch.n, np.int64), np.zeros(self.batch.n, bool))
        if name == "start_of_year" and len(args) == 1:
            offset = ev.value(args[0])
            if isinstance(offset, C) and type(offset.value) is int:
                return C(dt.date(ev.as_of.year + offset.value, 1, 1))
        raise Unsupported

    def band(self, x: Any, table: Any) -> V:
        if not isinstance(table, C) or not isinstance(table.value, list) or not isinstance(x, V):
            raise Unsupported
        x = typed(x, "num")
        n_, d_, known, fb = ratio_of(x)
        conds, nums, dens = [], [], []
        for row in table.value:
            value = _ratio(row.get("value")) if isinstance(row, dict) else None
            if value is None:
                raise Unsupported
            mask = np.ones(self.batch.n, bool)
            for key in ("min", "over", "max", "under"):
                if key in row:
                    bound = _ratio(row[key])
                    if bound is None:
                        raise Unsupported
                    left, ok1 = safe_product(n_, bound[1])
                    right, ok2 = safe_product(bound[0], d_)
                    mask &= CMP[{"min": ">=", "over": ">", "max": "<=", "under": "<"}[key]](left, right)
                    fb = merge_fb(fb, ~(ok1 & ok2))
            conds.append(mask)
            nums.append(value[0])
            dens.append(value[1])
        matched = np.logical_or.reduce(conds) if conds else np.zeros(self.batch.n, bool)
        den: Any = 1 if all(d == 1 for d in dens) else np.select(conds, dens, 1)
        return V("num", np.select(conds, nums, 0), known & matched, fb, den)

    def recent(self, n: int, field: str | None, as_of: dt.date) -> V:
        """sum(recent_years(n).field) — or count(recent_years(n)) when field is None."""
        registered = typed(self.batch.field("registered_on"), "date")
        if registered.kind != "date":
            raise Unsupported
        reg_year = date_parts(registered.val)[0]
        last = as_of.year - 1
        total = np.zeros(self.batch.n, np.int64)
        known, fb, any_year = registered.known.copy(), registered.fb, np.zeros(self.batch.n, bool)
        for year in range(last - n + 1, last + 1):
            included = reg_year <= year
            any_year |= included
            if field is None:
                total += included
                continue
            column = typed(self.batch.finance(year, field), "num")
            if column.kind != "num" or not isinstance(column.den, int):
                raise Unsupported
            total = total + np.where(included, column.val, 0)
            known &= ~included | column.known
            if column.fb is not None:
                fb = merge_fb(fb, column.fb & included)
        if field is None:
            return V("num", total, registered.known, registered.fb)
        fb = merge_fb(fb, np.abs(total.astype(np.float64)) >= 2.0**61)
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
        return V("bool", codes == ELIGIBLE, codes != UNDETERMINED, fallback)

    def on_text(self, name: str, value: Any) -> V:
        """A builtin that depends on nothing but one text, applied once per distinct text."""
        value = typed(value, "str")
        if not isinstance(value, V) or value.kind != "str":
            raise Unsupported
        fn, cache = BUILTINS[name].fn, self.text_cache
        out, bad = [], []
        for text, known in zip(value.val, value.known, strict=True):
            result: Any = None
            if known:
                result = cache.get((name, text))
                if result is None:
                    try:
                        result = cache[(name, text)] = fn(None, text)
                    except (ValueError, TypeError, KeyError):
                        result = None
            out.append(result)
            bad.append(bool(known) and result is None)
        column = from_python(out, self.batch.n)
        return column.with_fb(np.array(bad, bool)) if any(bad) else column.with_fb(value.fb)


def _literal_years(node: Any) -> int | None:
    if type(node) is Call and node.name == "recent_years" and len(node.args) == 1 \
            and type(node.args[0]) is Literal and type(node.args[0].value) is int:
        return node.args[0].value
    return None


__all__ = ["ELIGIBLE", "INELIGIBLE", "UNDETERMINED", "Batch", "ColumnBatch", "VectorCalls"]
