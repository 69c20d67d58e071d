"""Exact numbers in columns: constants, (n, d) pairs, comparisons and arithmetic by cross-multiplication.

A numeric column holds n / d with int64 n and d > 0 (d a plain 1 for whole numbers); a product is only
taken where float64 proves it exact (engine.fast.columns.safe_product), other rows fall back.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from engine.expr.nodes import COMPARISONS as CMP
from engine.fast.columns import V, magnitude, merge_fb, safe_product, typed, unsafe


class C:
    """A constant of the batch (a literal, a parameter, as_of)."""

    __slots__ = ("value",)

    def __init__(self, value: Any):
        self.value = value


class Unsupported(Exception):
    """No column-wise form for this node: evaluate it row by row."""


def ratio_of(x: Any) -> tuple[Any, Any, Any, Any]:
    """(n, d, known, fb) of a numeric column or constant."""
    if isinstance(x, C):
        value = x.value
        if type(value) not in (int, Fraction):
            raise Unsupported
        return value.numerator, value.denominator, True, None
    x = typed(x, "num")
    if x.kind != "num":
        raise Unsupported
    return x.val, x.den, x.known, x.fb


def both(a: Any, b: Any) -> Any:
    """a & b of two known masks, where a constant's is True (the column's own mask, not a copy of it)."""
    if a is True:
        return b
    if b is True:
        return a
    return a & b


def is_whole(d: Any) -> bool:
    return isinstance(d, int) and d == 1


def compare_numbers(op: str, a: Any, b: Any) -> V:
    an, ad, ak, afb = ratio_of(a)
    bn, bd, bk, bfb = ratio_of(b)
    fb = merge_fb(afb, bfb)
    if is_whole(ad) and is_whole(bd):
        return V("bool", CMP[op](an, bn), both(ak, bk), fb)
    left, ok1 = safe_product(an, bd)
    right, ok2 = safe_product(bn, ad)
    return V("bool", CMP[op](left, right), both(ak, bk), merge_fb(fb, unsafe(ok1, ok2)))


def arithmetic(op: str, a: Any, b: Any, n: int) -> V:
    an, ad, ak, afb = ratio_of(a)
    bn, bd, bk, bfb = ratio_of(b)
    known, fb = both(ak, bk), merge_fb(afb, bfb)
    if op in "+-" and is_whole(ad) and is_whole(bd):
        value = an + bn if op == "+" else an - bn
        if magnitude(an) + magnitude(bn) < 2**62:  # every row's sum is exact
            bad = None
        else:
            bad = np.abs(np.asarray(an, np.float64)) + np.abs(np.asarray(bn, np.float64)) >= 2.0**62
        if not (isinstance(value, np.ndarray) and value.shape == (n,)):
            value = np.broadcast_to(value, (n,)).copy()
        return V("num", value, known, merge_fb(fb, bad))
    if op in "+-":
        x, ok1 = safe_product(an, bd)
        y, ok2 = safe_product(bn, ad)
        d, ok3 = safe_product(ad, bd)
        return V("num", x + y if op == "+" else x - y, known, merge_fb(fb, unsafe(ok1, ok2, ok3)), d)
    if op == "*":
        x, ok1 = safe_product(an, bn)
        d, ok2 = safe_product(ad, bd)
        return V("num", x, known, merge_fb(fb, unsafe(ok1, ok2)), d)
    x, ok1 = safe_product(an, bd)
    d, ok2 = safe_product(ad, bn)
    fb = merge_fb(fb, unsafe(ok1, ok2))
    negative = np.asarray(d) < 0
    if negative.any():  # the sign goes to the numerator (d > 0)
        sign = np.where(negative, -1, 1)
        x, d = x * sign, d * sign
    zero = np.asarray(bn) == 0
    if zero.any():  # a division by zero is unknown
        known = known & ~zero
        d = np.where(zero, 1, d)
    den = d if isinstance(d, np.ndarray) else 1 if d == 1 else np.broadcast_to(d, (n,))
    return V("num", np.broadcast_to(x, (n,)), np.broadcast_to(known, (n,)), fb, den)
