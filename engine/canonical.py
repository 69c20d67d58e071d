"""Canonical JSON and hashing: sorted keys, exact numbers as strings, so equal inputs hash equally.

Integers stay JSON integers; Fractions become exact decimal strings when they terminate ("0.05")
and "p/q" otherwise; Decimals are normalised; dates are ISO strings; intervals are [lo, hi].
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from decimal import Decimal
from fractions import Fraction
from typing import Any

from engine.expr.values import Interval, Unknown


def fraction_text(value: Fraction) -> str:
    """Exact text of a fraction: a terminating decimal where possible.

    >>> fraction_text(Fraction(1, 20)), fraction_text(Fraction(1, 3))
    ('0.05', '1/3')
    """
    den = value.denominator
    twos = fives = 0
    while den % 2 == 0:
        den //= 2
        twos += 1
    while den % 5 == 0:
        den //= 5
        fives += 1
    if den != 1:
        return f"{value.numerator}/{value.denominator}"
    places = max(twos, fives)
    scaled = value * 10**places
    text = f"{abs(scaled.numerator) // scaled.denominator:0{places + 1}d}"
    sign = "-" if value < 0 else ""
    return f"{sign}{text[:-places]}.{text[-places:]}".rstrip("0").rstrip(".") if places else f"{sign}{text}"


def plain(value: Any) -> Any:
    """Convert engine values into JSON-ready plain values, deterministically."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Fraction):
        return value.numerator if value.denominator == 1 else fraction_text(value)
    if isinstance(value, Decimal):
        return plain(Fraction(value))
    if isinstance(value, float):
        raise TypeError("floats are not canonical; use int, Decimal or Fraction")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Interval):
        return {"interval": [plain(value.lo), plain(value.hi)]}
    if isinstance(value, Unknown):
        return {"unknown": sorted(value.missing), **({"reason": value.reason} if value.reason else {})}
    return _plain_container(value)


def _plain_container(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if hasattr(value, "model_dump"):
        return plain(value.model_dump(mode="python", exclude_none=True))
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted(plain(v) for v in value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def canonical_json(value: Any) -> str:
    return json.dumps(plain(value), ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def sha256_of(value: Any) -> str:
    return hashlib.sha256(canonical_json(value).encode("utf-8")).hexdigest()
