"""Exact arithmetic for triage: order keys that any engine compares correctly, and working-day numbers.

durable-rules' C core divides integers as integers (7/2 → 3), wraps products above 2^63 and compares
numbers above 2^63 as doubles. So nothing numeric is left for it to compute: a comparison of two
ratios a/b > c/d (b, d > 0) is cross-multiplied here in Python into two integers, and each integer is
written as an *order key* — a digit string whose text order is the numeric order: a sign digit, the
number of digits (five digits, complemented for negatives) and the digits (complemented for
negatives). Exact for any integer of fewer than 99,999 digits, so no figure an applicant can enter makes
triage fail; beyond that order_key raises OverflowError and triage asks for manual triage instead.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

from engine.canonical import fraction_text

LENGTH_DIGITS = 5
MAX_DIGITS = 10**LENGTH_DIGITS - 1
_COMPLEMENT = str.maketrans("0123456789", "9876543210")
_EPOCH = dt.date(2000, 1, 3)  # a Monday


def as_fraction(value: int | Decimal | Fraction) -> Fraction:
    """An exact Fraction of an int, Decimal or Fraction (never a float)."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal | Fraction):
        raise TypeError(f"expected an exact number, got {type(value).__name__}")
    return Fraction(value)


def order_key(n: int) -> str:
    """Text whose lexicographic order is the numeric order of `n` (any int of fewer than 99,999 digits).

    >>> order_key(9) < order_key(10), order_key(-2) < order_key(-1) < order_key(0), order_key(10**70) > order_key(9)
    (True, True, True)

    Raises:
        OverflowError: `n` has 99,999 digits or more.
    """
    digits = str(abs(n)) if abs(n) < 10**4300 else _big_digits(abs(n))
    if len(digits) > MAX_DIGITS - 1:
        raise OverflowError(f"a number of {len(digits)} digits is outside the order-key range")
    if n >= 0:
        return f"1{len(digits):0{LENGTH_DIGITS}d}{digits}"
    return f"0{MAX_DIGITS - len(digits):0{LENGTH_DIGITS}d}{digits.translate(_COMPLEMENT)}"


def _big_digits(n: int) -> str:
    """Decimal digits of a huge int (str() refuses above 4,300 digits); Decimal converts without that limit."""
    from decimal import Context

    return format(Context(prec=MAX_DIGITS + 1).create_decimal(n), "f")


def cross_keys(left: Fraction, right: Fraction) -> tuple[str, str]:
    """Order keys (kl, kr) with kl ⋚ kr exactly when left ⋚ right, by cross-multiplication.

    >>> kl, kr = cross_keys(Fraction(16, 5), Fraction(7, 2)); kl < kr
    True
    """
    return order_key(left.numerator * right.denominator), order_key(right.numerator * left.denominator)


def working_day_number(day: dt.date) -> int:
    """Monday-to-Friday days from a fixed Monday up to and including `day` (any date, before or after).

    The difference of two numbers is the count of working days in (earlier, later]; Saturdays and
    Sundays are skipped, public holidays are not known here.
    """
    n = (day - _EPOCH).days + 1
    weeks, rest = divmod(n, 7)
    return weeks * 5 + min(rest, 5)


def working_days_between(since: dt.date, today: dt.date) -> int:
    """Working days after `since` up to and including `today` (negative if `today` is earlier).

    >>> working_days_between(dt.date(2025, 6, 27), dt.date(2025, 6, 30))  # Friday → Monday
    1
    """
    return working_day_number(today) - working_day_number(since)


def exact_text(value: Fraction | int) -> str:
    """Canonical exact text: '12', '0.05', '1/3'."""
    frac = Fraction(value)
    return str(frac.numerator) if frac.denominator == 1 else fraction_text(frac)
