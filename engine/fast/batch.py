"""Batches of profiles as columns: where the inputs come from, and the builtins evaluated column-wise.

`Batch` reads the names the rules use from a list of profiles (models or trusted dicts) through the
same accessors as the scalar path, so a column holds exactly the values a single evaluation would
read. `ColumnBatch` takes data already in columns (numpy arrays keyed by profile path and
`finance[YEAR].field`). The column-wise builtins are in engine.fast.vcalls.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from engine.fast import vcalls
from engine.fast.columns import V, from_python
from engine.fast.plan import FastRun
from engine.fast.protocol import Program
from engine.fast.source import exact_value, unwrap
from engine.fast.vcalls import CONDITIONAL, ELIGIBLE, INELIGIBLE, UNDETERMINED

_EMPTY: dict[str, Any] = {}
_PLAIN = {int, str, bool, type(None), dt.date}


class Batch:
    """Profiles of one batch, read column by column on demand."""

    def __init__(self, program: Program, profiles: Sequence[Any], absent: frozenset[str] = frozenset()):
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
        self.masks: dict[tuple[str, ...], Any] = {}
        self.kind_masks: dict[Any, Any] = {}
        self.finance_fields: set[str] = set()  # fiscal-year fields to read in the same pass
        self.calls = vcalls.VectorCalls(self)
        self.outcomes: dict[str, Any] = {}  # measure id → (codes, fallback rows), as measures are decided

    def run(self, i: int) -> FastRun:
        found = self.runs[i]
        if found is None:
            found = self.runs[i] = FastRun(self.program, self.sources[i], self.dicts[i])
        return found

    def of_kinds(self, kinds: frozenset[str]) -> Any:
        """Which rows are applicants of these kinds: worked out once per set of kinds (every measure asks), by
        comparing the few distinct kinds of the batch rather than every row's text."""
        found = self.kind_masks.get(kinds)
        if found is None:
            if not self.kind_masks:
                distinct = list(dict.fromkeys(self.kinds.tolist()))  # no text conversion or sort of every row
                where = np.zeros(self.n, np.intp)
                for j, kind in enumerate(distinct[1:], 1):
                    where[self.kinds == kind] = j
                self.kind_masks[None] = (distinct, where)
            distinct, where = self.kind_masks[None]
            found = self.kind_masks[kinds] = np.array([k in kinds for k in distinct], bool)[where]
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

    def list_groups(self, names: tuple[str, ...]) -> list[Any]:
        """Groups of rows that hold nothing in these list fields and read them alike: every list answered
        "none" (empty), every list unanswered (unknown); a value computed for one row of a group holds for all."""
        found = self.masks.get(names)
        if found is None:
            empty, unanswered = np.ones(self.n, bool), np.ones(self.n, bool)
            for name in names:
                values = self._raw_lists(name)
                empty &= np.fromiter((v is not None and not v for v in values), bool, self.n)
                unanswered &= np.fromiter((v is None for v in values), bool, self.n)
            found = self.masks[names] = [empty, unanswered]
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
        """One pass over every row's fiscal years, reading all the wanted fields of a record at once."""
        names = sorted(self.finance_fields | {name})
        pick, attrs = operator.itemgetter(*names), operator.attrgetter(*names)
        found: dict[int, tuple[list[int], list[Any]]] = {}  # year → (rows, field values per record)
        no_finance = np.zeros(self.n, bool)
        for i, (src, is_dict) in enumerate(zip(self.sources, self.dicts, strict=True)):
            records = (src.get("finance", ()) if src.get("kind", "enterprise") == "enterprise" else
                       src.get("finance")) if is_dict else getattr(src, "finance", None)
            if records is None:
                no_finance[i] = True
                continue
            for record in records:
                if is_dict:
                    try:
                        values = pick(record)
                    except KeyError:  # a field left out of this record
                        values = tuple(record.get(f) for f in names) if len(names) > 1 else record.get(names[0])
                    year = record["year"]
                else:
                    values, year = attrs(record), record.year
                rows, per_record = found.setdefault(year, ([], []))
                rows.append(i)
                per_record.append(values if len(names) > 1 else (values,))
        for year, (rows, per_record) in found.items():
            for field, column in zip(names, zip(*per_record, strict=True), strict=True):
                values = np.full(self.n, None, dtype=object)
                values[rows] = column
                listed = values.tolist()
                if not set(map(type, column)) <= _PLAIN:
                    listed = [exact_value(v) for v in listed]
                value = from_python(listed, self.n)
                self.cache[("finance", year, field)] = value.with_fb(no_finance) if no_finance.any() else value
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

    def __init__(self, program: Program, columns: Mapping[str, Any], n: int, kind: str = "enterprise"):
        self.program = program
        self.columns = columns
        self.n = n
        self.kinds = np.empty(n, dtype=object)
        self.kinds.fill(kind)  # one text in every row (np.full converts the fill value once per row)
        self.masks = {}
        self.kind_masks = {}
        self.cache = {}
        self.runs = [None] * n
        self.calls = vcalls.VectorCalls(self)
        self.outcomes = {}
        self.kind = kind
        self.absent = frozenset()

    def run(self, i: int) -> FastRun:
        found = self.runs[i]
        if found is None:
            found = self.runs[i] = FastRun(self.program, self.row(i), True)
        return found

    def list_groups(self, names: tuple[str, ...]) -> list[Any]:
        return [np.ones(self.n, bool)]  # columns carry no certificates, loans or projects: every row alike

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
    if np.ma.isMaskedArray(column) and bool(np.ma.getmaskarray(column)[i]):
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
    # the caller's arrays are used as they are where their type already fits: nothing in engine.fast writes into a
    # column in place, and copies of every column were faulted in again by each batch
    mask: Any = np.ma.getmask(column) if np.ma.isMaskedArray(column) else np.ma.nomask
    known: Any = np.ones(n, bool) if mask is np.ma.nomask or not mask.any() else ~mask
    data = np.ma.getdata(column)
    if data.dtype.kind == "M":
        days = data.astype("datetime64[D]", copy=False).view(np.int64)
        return V("date", days + dt.date(1970, 1, 1).toordinal(), known)
    if data.dtype.kind == "b":
        return V("bool", data.astype(bool, copy=False), known)
    if data.dtype.kind in "iu":
        return V("num", data.astype(np.int64, copy=False), known)
    values = data.tolist()
    if known.all():
        if set(map(type, values)) == {str}:  # codes and texts as they are: no pass per row
            return V("str", data if data.dtype == object else data.astype(object), known)
        return from_python(values, n)
    return from_python([v if k else None for v, k in zip(values, known, strict=True)], n)


__all__ = ["CONDITIONAL", "ELIGIBLE", "INELIGIBLE", "UNDETERMINED", "Batch", "ColumnBatch"]
