"""Column-wise evaluation of condition expressions over a batch (numpy), for the rows that allow it.

`VectorEval.value(node)` evaluates an AST over every profile of a batch at once and returns either a
Python constant (`C`) or a column (`V`). Supported: names, facts, parameters, comparisons, arithmetic
on exact rationals, and/or/not with Kleene logic, if/coalesce, band tables, three-year sums, fiscal
years, years/days since a date, best/max/min, eligible(). Any other node is evaluated row by row with
the scalar compiled closure (for the rows where the measure applies), so every rule can be batched;
values the columns cannot hold mark their rows for the scalar fallback (engine.fast.columns).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import numpy as np

from engine.expr.nodes import (
    Attr,
    Binary,
    BoolOp,
    Call,
    Coalesce,
    Compare,
    IfCall,
    Index,
    Literal,
    Name,
    Node,
    Param,
    Unary,
    compare,
    index_value,
)
from engine.expr.nodes import arithmetic as scalar_arithmetic
from engine.expr.values import Interval, Unknown
from engine.fast import col_dates, col_interval
from engine.fast.col_numbers import CMP, C, Unsupported, compare_numbers, is_whole, ratio_of
from engine.fast.col_numbers import arithmetic as number_arithmetic
from engine.fast.columns import V, from_python, merge_fb, typed
from engine.logic import Truth, combine_truths

if TYPE_CHECKING:
    from engine.fast.batch import Batch

EPOCH = dt.date(1970, 1, 1).toordinal()


def arithmetic(op: str, a: Any, b: Any, n: int) -> V:
    """a op b of numbers (engine.fast.col_numbers) or, for + and −, intervals (engine.fast.col_interval)."""
    if col_interval.is_interval(a) or col_interval.is_interval(b):
        return col_interval.add(op, a, b, n)
    return number_arithmetic(op, a, b, n)


def kleene(op: str, items: list[Any], n: int) -> V:
    """`and` / `or` over boolean columns and constants, by engine.logic on (true, false) masks."""
    parts, fb = [], None
    for item in items:
        if isinstance(item, C):
            if type(item.value) is not bool:
                raise Unsupported
            parts.append(Truth(np.full(n, item.value), np.full(n, not item.value)))
            continue
        item = typed(item, "bool")
        if item.kind != "bool":
            raise Unsupported
        fb = merge_fb(fb, item.fb)
        parts.append(Truth(item.known & item.val, item.known & ~item.val))
    truth = combine_truths(op, parts)
    return V("bool", truth.true, truth.true | truth.false, fb)


def pick(mask: Any, a: Any, b: Any, n: int) -> V:
    """mask ? a : b for two values of the same kind (constants broadcast)."""
    kinds = {x.kind if isinstance(x, V) else _const_kind(x.value) for x in (a, b)} - {"none"}
    if "ivl" in kinds and kinds <= {"num", "ivl"}:
        return col_interval.pick(mask, a, b, n)
    if len(kinds) > 1 or None in kinds:
        raise Unsupported
    kind = str(kinds.pop()) if kinds else "bool"
    a, b = typed(a, kind), typed(b, kind)
    if kind == "num":
        an, ad, ak, afb = ratio_of(a)
        bn, bd, bk, bfb = ratio_of(b)
        den = 1 if is_whole(ad) and is_whole(bd) else np.where(mask, ad, bd)
        fb = merge_fb(afb & mask if afb is not None else None, bfb & ~mask if bfb is not None else None)
        return V("num", np.where(mask, an, bn), np.where(mask, ak, bk), fb, den)
    av, ak, afb = _plain(a, kind)
    bv, bk, bfb = _plain(b, kind)
    fb = merge_fb(afb & mask if afb is not None else None, bfb & ~mask if bfb is not None else None)
    return V(kind, np.where(mask, av, bv), np.where(mask, ak, bk), fb)


def _const_kind(value: Any) -> str | None:
    if type(value) is bool:
        return "bool"
    if type(value) in (int, Fraction):
        return "num"
    if type(value) is str:
        return "str"
    if type(value) is Interval:
        return "ivl"
    return "date" if type(value) is dt.date else None


def _plain(x: Any, kind: str) -> tuple[Any, Any, Any]:
    if isinstance(x, V):
        return x.val, x.known, x.fb
    value = x.value.toordinal() if kind == "date" else x.value
    return value, True, None


def _narrow(active: Any, mask: Any) -> Any:
    return mask if active is None else active & mask


def take(column: V, rows: Any) -> V:
    """The column's values at these places (a column of len(rows)): every per-row array indexed, scalars kept."""
    def pick(part: Any) -> Any:
        return part[rows] if isinstance(part, np.ndarray) else part

    hi = None if column.hi is None else (pick(column.hi[0]), pick(column.hi[1]))
    return V(column.kind, pick(column.val), pick(column.known), pick(column.fb), pick(column.den), hi,
             pick(column.span))


def year_parts_of(column: V) -> tuple[Any, Any, Any]:
    """col_dates.year_parts of a date column's values, worked out once per column (many measures read the
    same dates)."""
    found = column.__dict__.get("_year_parts")
    if found is None:
        found = column.__dict__["_year_parts"] = col_dates.year_parts(column.val)
    return found


def years_of(column: V) -> Any:
    """The year of every date of a date column."""
    return year_parts_of(column)[0]


def parts_of(column: V) -> tuple[Any, Any, Any]:
    """(year, month, day) of a date column's values, worked out once per column."""
    found = column.__dict__.get("_parts")
    if found is None:
        year, day, leap = year_parts_of(column)
        found = column.__dict__["_parts"] = (year, *col_dates.month_day(day, leap))
    return found


def whole_years_to(start: V, as_of: dt.date) -> V:
    """years_between(start, as_of): engine.expr.functions.whole_years, anniversaries on 29 Feb → 28 Feb."""
    return V("num", col_dates.whole_years(*year_parts_of(start), as_of), start.known, start.fb)


class VectorEval:
    """Evaluates expressions column-wise over one batch; facts are computed once per batch."""

    def __init__(self, batch: Batch, rowwise: Callable[[Node, dict[str, Any], Any], V]):
        self.batch = batch
        self.n = batch.n
        self.as_of = batch.program.as_of
        self.facts: dict[str, tuple[Any, Any]] = {}  # fact → (value, rows it was computed for; None: all)
        self.rowwise = rowwise
        self.active: Any = None
        self.scope: dict[str, Any] = {}

    def value(self, node: Node) -> Any:
        try:
            return self._node(node)
        except Unsupported:
            return self.rowwise(node, self.scope, self.active)

    def _node(self, node: Node) -> Any:  # noqa: C901 - one line per node type
        kind = type(node)
        if kind is Literal:
            return C(node.value)  # type: ignore[attr-defined]
        if kind is Param:
            series = self.scope.get(node.name)  # type: ignore[attr-defined]
            found = series.at(self.as_of) if series else None
            if found is None:
                raise Unsupported
            return C(found.value)
        if kind is Name:
            return self._name(node.path)  # type: ignore[attr-defined]
        if kind is Compare:
            return self._compare(node)  # type: ignore[arg-type]
        if kind is Binary:
            left, right = self.value(node.left), self.value(node.right)  # type: ignore[attr-defined]
            if isinstance(left, C) and isinstance(right, C):
                return C(scalar_arithmetic(node.op, left.value, right.value))  # type: ignore[attr-defined]
            return arithmetic(node.op, left, right, self.n)  # type: ignore[attr-defined]
        if kind is BoolOp:
            return kleene(node.op, [self.value(i) for i in node.items], self.n)  # type: ignore[attr-defined]
        if kind is Unary:
            return self._unary(node)  # type: ignore[arg-type]
        if kind is IfCall:
            return self._if(node)  # type: ignore[arg-type]
        if kind is Coalesce:
            return self._coalesce(node)  # type: ignore[arg-type]
        if kind is Attr:
            return self._attr(node)  # type: ignore[arg-type]
        if kind is Call:
            return self.batch.calls.call(self, node)  # type: ignore[arg-type]
        if kind is Index:
            return self._index(node)  # type: ignore[arg-type]
        raise Unsupported

    def _index(self, node: Index) -> Any:
        """param.table[code]: a constant mapping looked up once per distinct code."""
        table, key = self.value(node.target), typed(self.value(node.key), "str")
        if isinstance(table, C) and isinstance(key, C):
            found = index_value(table.value, key.value)
            if type(found) is Unknown:
                raise Unsupported
            return C(found)
        if not (isinstance(table, C) and isinstance(table.value, dict) and isinstance(key, V) and key.kind == "str"):
            raise Unsupported
        mapping = table.value
        codes, distinct = key.factor()
        values = [mapping.get(k) for k in distinct] + [None]  # the last for the unknown codes
        slot = np.where(np.broadcast_to(key.known, (self.n,)), codes, len(distinct))
        column = take(from_python(values, len(values)), slot)  # the column of the n looked-up values
        return column.with_fb(key.fb) if key.fb is not None else column

    def _name(self, path: str) -> Any:
        if path == "as_of":
            return C(self.as_of)
        facts = self.batch.program.ruleset.facts
        if path in facts:
            found = self.facts.get(path)
            if found is not None and (found[1] is None or (self.active is not None
                                                           and not (self.active & ~found[1]).any())):
                return found[0]
            active = None if found is None or self.active is None or found[1] is None else found[1] | self.active
            if found is None:
                active = self.active
            saved, self.scope = self.scope, facts[path].parameters
            saved_active, self.active = self.active, active
            try:  # computed for the rows that need it (row-by-row parts only run there), then reused
                value = self.value(facts[path].expr)
            finally:
                self.scope, self.active = saved, saved_active
            self.facts[path] = (value, active)
            return value
        return self.batch.field(path)

    def _compare(self, node: Compare) -> Any:
        a, b = self.value(node.left), self.value(node.right)
        if isinstance(a, C) and isinstance(b, C):
            result = compare(node.op, a.value, b.value)
            if node.negate and type(result) is bool:
                result = not result
            return C(result)
        if node.op == "in":
            return self._member(a, b, node.negate)
        kinds = {x.kind if isinstance(x, V) else _const_kind(x.value) for x in (a, b)} - {"none"}
        if not kinds:
            return V("bool", np.zeros(self.n, bool), np.zeros(self.n, bool), merge_fb(a.fb, b.fb))
        if kinds == {"num"}:
            return compare_numbers(node.op, a, b)
        if "ivl" in kinds and kinds <= {"num", "ivl"}:
            return col_interval.compare(node.op, a, b, self.n)
        if kinds == {"str"} and node.op in ("<", "<=", ">", ">=") and isinstance(a, V) != isinstance(b, V):
            return self._text_order(node, a, b)
        if len(kinds) != 1 or None in kinds or (node.op not in ("==", "!=") and kinds != {"date"}):
            raise Unsupported
        kind = str(kinds.pop())
        a, b = typed(a, kind), typed(b, kind)
        av, ak, afb = _plain(a, kind)
        bv, bk, bfb = _plain(b, kind)
        return V("bool", np.asarray(CMP[node.op](av, bv), bool), np.asarray(ak & bk), merge_fb(afb, bfb))

    def _text_order(self, node: Compare, a: Any, b: Any) -> V:
        """A text column ordered against a constant (`industry_code >= "E"`): the engine's own comparison,
        once per distinct text."""
        column = typed(a if isinstance(a, V) else b, "str")
        if column.kind != "str":
            raise Unsupported
        constant = b.value if isinstance(a, V) else a.value
        codes, distinct = column.factor()
        used = np.zeros(len(distinct), bool)
        used[codes[column.known]] = True  # placeholders of unknown rows are never compared
        results = [(compare(node.op, v, constant) if isinstance(a, V) else compare(node.op, constant, v))
                   if use else False for v, use in zip(distinct, used, strict=True)]
        if any(type(r) is not bool for r in results):
            raise Unsupported
        hit = np.array([r != node.negate for r in results], dtype=bool)[codes] if distinct \
            else np.zeros(self.n, bool)
        return V("bool", hit, column.known, column.fb)

    def _member(self, a: Any, b: Any, negate: bool) -> V:
        a = typed(a, "str")
        if not (isinstance(a, V) and a.kind == "str" and isinstance(b, C) and isinstance(b.value, list)
                and all(type(v) is str for v in b.value)):
            raise Unsupported
        members = frozenset(b.value)
        codes, distinct = a.factor()
        hit = np.array([v in members for v in distinct], dtype=bool)[codes] if distinct else np.zeros(self.n, bool)
        return V("bool", ~hit if negate else hit, a.known, a.fb)

    def _unary(self, node: Unary) -> Any:
        value = self.value(node.operand)
        if isinstance(value, C) and type(value.value) in (int, Fraction, bool):
            return C(not value.value if node.op == "not" else -value.value)
        if not isinstance(value, V):
            raise Unsupported
        if value.kind == "none":
            return value
        if node.op == "not" and value.kind == "bool":
            return V("bool", ~value.val, value.known, value.fb)
        if node.op == "-" and value.kind == "num":
            return V("num", -value.val, value.known, value.fb, value.den)
        raise Unsupported

    def _if(self, node: IfCall) -> V:
        cond = typed(self.value(node.cond), "bool")
        if not isinstance(cond, V) or cond.kind != "bool":
            raise Unsupported
        active = self.active
        try:  # each branch only for the rows that take it, as the scalar if() is lazy
            self.active = _narrow(active, cond.known & cond.val)
            then = self.value(node.then)
            self.active = _narrow(active, cond.known & ~cond.val)
            other = self.value(node.other)
        finally:
            self.active = active
        out = pick(cond.val, then, other, self.n)
        fb = out.fb & cond.known if out.fb is not None else None  # an unknown condition: unknown, whatever the
        return replace(out, known=out.known & cond.known, fb=merge_fb(fb, cond.fb))  # branches (never evaluated)

    def _coalesce(self, node: Coalesce) -> V:
        active, values = self.active, []
        try:  # later items only for the rows still unknown, as the scalar coalesce() is lazy
            for item in node.items:
                value = self.value(item)
                values.append(value)
                if isinstance(value, C):
                    break
                self.active = _narrow(self.active, ~value.known)
        finally:
            self.active = active
        out = values[-1]
        for item in reversed(values[:-1]):
            if isinstance(item, C):
                out = item
                continue
            out = pick(item.known, item, out, self.n)
            if item.fb is not None:
                out = out.with_fb(item.fb)
        if isinstance(out, C):
            raise Unsupported
        return out

    def _attr(self, node: Attr) -> V:
        target = node.target
        if type(target) is Call and target.name == "fy" and len(target.args) == 1 \
                and type(target.args[0]) is Literal:
            return self.batch.finance(self.as_of.year - int(target.args[0].value), node.name)
        raise Unsupported
