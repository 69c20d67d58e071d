"""Intervals in columns: the engine's Interval (engine.expr.values) for a whole batch, as two number columns.

Each operation is the scalar one bound by bound — `+` adds lo to lo and hi to hi, `-` subtracts the other's
hi from lo, `cap` takes min(bound, limit), an order comparison is true when it holds for the whole interval,
false when for none of it and unknown when the interval straddles (engine.expr.nodes.compare); `==` / `!=`
on an Interval row are unknown. A number is its own bounds, so numbers and intervals mix; `span` keeps which
rows are Intervals. Rows the bounds cannot hold exactly fall back, as for any number column.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from engine.expr.values import Interval
from engine.fast.col_numbers import C, Unsupported, arithmetic, compare_numbers, ratio_of
from engine.fast.columns import V, merge_fb, typed


def is_interval(x: Any) -> bool:
    return (type(x.value) is Interval) if isinstance(x, C) else (isinstance(x, V) and x.kind == "ivl")


def bounds(x: Any) -> tuple[Any, Any, Any]:
    """(lo, hi, span) of an interval or a number: lo and hi numbers (columns or constants)."""
    if isinstance(x, C):
        if type(x.value) is Interval:
            return C(x.value.lo), C(x.value.hi), True
        ratio_of(x)  # a number, or Unsupported
        return x, x, False
    if x.kind == "ivl":
        return V("num", x.val, x.known, x.fb, x.den), V("num", x.hi[0], x.known, None, x.hi[1]), x.span
    x = typed(x, "num")
    ratio_of(x)
    return x, x, False


def make(lo: Any, hi: Any, span: Any, n: int) -> V:
    """An interval column from its bound columns (constants broadcast)."""
    lo, hi = _column(lo, n), _column(hi, n)
    known = np.broadcast_to(lo.known & hi.known, (n,))
    den_hi = hi.den if isinstance(hi.den, int) else np.broadcast_to(hi.den, (n,))
    return V("ivl", np.broadcast_to(lo.val, (n,)), known, merge_fb(lo.fb, hi.fb),
             lo.den if isinstance(lo.den, int) else np.broadcast_to(lo.den, (n,)),
             (np.broadcast_to(hi.val, (n,)), den_hi), np.broadcast_to(np.asarray(span, bool), (n,)))


def _column(x: Any, n: int) -> V:
    if isinstance(x, V):
        return x
    num, den, _, _ = ratio_of(x)
    return V("num", np.full(n, num, np.int64), np.ones(n, bool), None, den)


def add(op: str, a: Any, b: Any, n: int) -> V:
    """a + b or a − b, either of them an interval."""
    alo, ahi, aspan = bounds(a)
    blo, bhi, bspan = bounds(b)
    if op == "+":
        lo, hi = arithmetic("+", alo, blo, n), arithmetic("+", ahi, bhi, n)
    elif op == "-":
        lo, hi = arithmetic("-", alo, bhi, n), arithmetic("-", ahi, blo, n)
    else:  # no product or quotient of intervals in the engine
        raise Unsupported
    return make(lo, hi, np.asarray(aspan) | np.asarray(bspan), n)


def compare(op: str, a: Any, b: Any, n: int) -> V:
    """Three-valued comparison with an interval: decided only when the whole interval is on one side."""
    alo, ahi, aspan = bounds(a)
    blo, bhi, bspan = bounds(b)
    if op in ("==", "!="):
        out = compare_numbers(op, alo, blo)
        return V("bool", np.broadcast_to(out.val, (n,)),
                 np.broadcast_to(out.known & ~(np.asarray(aspan) | np.asarray(bspan)), (n,)), out.fb)
    if op in (">", ">="):
        surely, possibly = compare_numbers(op, alo, bhi), compare_numbers(op, ahi, blo)
    elif op in ("<", "<="):
        surely, possibly = compare_numbers(op, ahi, blo), compare_numbers(op, alo, bhi)
    else:
        raise Unsupported
    val = np.broadcast_to(surely.val, (n,))
    decided = val | ~np.broadcast_to(possibly.val, (n,))
    return V("bool", val, np.broadcast_to(surely.known, (n,)) & decided, merge_fb(surely.fb, possibly.fb))


def pick(mask: Any, a: Any, b: Any, n: int) -> V:
    """mask ? a : b where either is an interval (a number stays a number on its rows: span false)."""
    from engine.fast.vector import pick as pick_number

    alo, ahi, aspan = bounds(a)
    blo, bhi, bspan = bounds(b)
    return make(pick_number(mask, alo, blo, n), pick_number(mask, ahi, bhi, n), np.where(mask, aspan, bspan), n)


def cap(value: Any, limit: Any, n: int) -> V:
    """cap(value, limit) of an interval: each bound min(bound, limit) (engine.expr.functions._cap)."""
    if is_interval(limit):
        raise Unsupported
    if not is_interval(value):
        return smaller(value, limit, n)
    lo, hi, span = bounds(value)
    return make(smaller(lo, limit, n), smaller(hi, limit, n), span, n)


def smaller(a: Any, b: Any, n: int) -> V:
    """min(a, b) of two numbers, unknown when either is (a when they are equal, as Python's min)."""
    from engine.fast.vector import pick as pick_number

    less = compare_numbers("<", b, a)
    out = pick_number(np.broadcast_to(less.val, (n,)), b, a, n)
    return V("num", out.val, np.broadcast_to(less.known, (n,)), merge_fb(out.fb, less.fb), out.den)
