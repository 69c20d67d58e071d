"""Canonical JSON and hashing: sorted keys, exact numbers as strings, so equal inputs hash equally.

Integers stay JSON integers; Fractions become exact decimal strings when they terminate ("0.05")
and "p/q" otherwise; Decimals are normalised; dates are ISO strings; intervals are [lo, hi].
Dataclass fields marked `omit_default` are left out while at their default, so a field added later
keeps the bytes of every decision that does not use it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from typing import Any

import orjson

from engine.expr.values import Conditional, Interval, Unknown


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
    text = f"{abs(value.numerator) * (10**places // value.denominator):0{places + 1}d}"  # exact: den | 10**places
    sign = "-" if value.numerator < 0 else ""
    return f"{sign}{text[:-places]}.{text[-places:]}".rstrip("0").rstrip(".") if places else f"{sign}{text}"


def number_of_text(text: str) -> int | Fraction | None:
    """The exact number a canonical text stands for ("0.15", "3/70", "12"), as int or Fraction; None for a text
    that is not a number — the one reading of what `fraction_text` writes.

    >>> number_of_text("0.05"), number_of_text("6/2"), number_of_text("高企")
    (Fraction(1, 20), 3, None)
    """
    try:
        number = Fraction(text)
    except (ValueError, ZeroDivisionError):
        return None
    return number.numerator if number.denominator == 1 else number


_CONVERTERS: dict[type, Callable[[Any], Any]] = {}


def plain(value: Any) -> Any:
    """Convert engine values into JSON-ready plain values, deterministically.

    The conversion of each type is worked out once and cached, so a whole Decision is one quick walk.
    """
    kind = type(value)
    convert = _CONVERTERS.get(kind)
    if convert is None:
        convert = _CONVERTERS[kind] = _converter(kind)
    return convert(value)


def _identity(value: Any) -> Any:
    return value


def _fraction(value: Fraction) -> Any:
    return value.numerator if value.denominator == 1 else fraction_text(value)


def _float(value: float) -> Any:
    raise TypeError("floats are not canonical; use int, Decimal or Fraction")


def _unknown(value: Unknown) -> Any:
    return {"unknown": sorted(value.missing), **({"reason": value.reason} if value.reason else {})}


def _conditional(value: Conditional) -> Any:
    return {"conditional": sorted(value.prerequisites), "now": plain(value.now), "recognised": plain(value.recognised)}


_ATOMS = frozenset({str, int, bool, type(None)})  # already plain: taken as they are, without a call


def _item(value: Any) -> Any:
    """plain() of one element: atoms as they are, known types by their cached converter."""
    kind = type(value)
    if kind in _ATOMS:
        return value
    convert = _CONVERTERS.get(kind)
    return convert(value) if convert is not None else plain(value)


def _list(value: Any) -> list[Any]:
    return [v if type(v) in _ATOMS else _item(v) for v in value]


def _dict(value: dict[Any, Any]) -> dict[str, Any]:
    return {k if type(k) is str else str(k): v if type(v) in _ATOMS else _item(v) for k, v in value.items()}


_SIMPLE: dict[type, Callable[[Any], Any]] = {
    Fraction: _fraction, Decimal: lambda v: plain(Fraction(v)), float: _float,
    Interval: lambda v: {"interval": [plain(v.lo), plain(v.hi)]}, Unknown: _unknown, Conditional: _conditional,
    dict: _dict, list: _list, tuple: _list, set: lambda v: sorted(plain(x) for x in v),
    frozenset: lambda v: sorted(plain(x) for x in v)}


def _converter(kind: type) -> Callable[[Any], Any]:  # noqa: C901 - one line per kind of value
    if kind is type(None) or issubclass(kind, bool | int | str):
        return _identity
    for base, convert in _SIMPLE.items():
        if issubclass(kind, base):
            return convert
    if issubclass(kind, dt.date):
        return lambda v: v.isoformat()
    if dataclasses.is_dataclass(kind):
        return _dataclass(kind)
    if hasattr(kind, "model_dump"):
        return lambda v: plain(v.model_dump(mode="python", exclude_none=True))
    raise TypeError(f"cannot serialise {kind.__name__}")


def _dataclass(kind: type) -> Callable[[Any], Any]:
    """Fields by name; fields marked `omit_default` are left out while at their default.

    A field is read from the instance's __dict__ when it is there (a deferred field that was not built yet
    is not: getattr builds it), and converted by the cached converter of its type.
    """
    layout = tuple((f.name, bool(f.metadata.get("omit_default")), f.default) for f in dataclasses.fields(kind))
    atoms, converters, absent = _ATOMS, _CONVERTERS, object()
    has_dict = not hasattr(kind, "__slots__")

    def convert(value: Any) -> dict[str, Any]:
        fields = value.__dict__ if has_dict else {}
        out = {}
        for name, omit, default in layout:
            item = fields.get(name, absent)
            if item is absent:
                item = getattr(value, name)
            if omit and item == default:
                continue
            kind = type(item)
            if kind in atoms:
                out[name] = item
            else:
                found = converters.get(kind)
                out[name] = found(item) if found is not None else plain(item)
        return out
    return convert


def _shallow_dataclass(kind: type) -> Callable[[Any], Any]:
    """One level of a dataclass for `direct_json`: its fields by name (read as `_dataclass` reads them), the
    values left for orjson; the instance's own __dict__ when that already is exactly the field dict."""
    names = tuple(f.name for f in dataclasses.fields(kind))
    omitted = tuple((f.name, f.default) for f in dataclasses.fields(kind) if f.metadata.get("omit_default"))
    count, has_dict = len(names), not hasattr(kind, "__slots__")

    def shallow(value: Any) -> dict[str, Any]:
        fields = value.__dict__ if has_dict else None
        if fields is None or len(fields) != count or "_deferred" in fields:
            fields = {name: getattr(value, name) for name in names}  # getattr builds a deferred field
        copied = fields is not value.__dict__
        for name, default in omitted:
            if fields[name] == default:
                if not copied:
                    fields, copied = dict(fields), True
                del fields[name]
        return fields
    return shallow


def _shallow_of(kind: type) -> Callable[[Any], Any]:  # noqa: C901 - one line per kind of value, as _converter
    if issubclass(kind, Fraction | Decimal | float | Unknown | frozenset | set) or issubclass(kind, dt.date):
        return _converter(kind)
    if issubclass(kind, Interval):
        return lambda v: {"interval": [v.lo, v.hi]}
    if issubclass(kind, Conditional):
        return lambda v: {"conditional": sorted(v.prerequisites), "now": v.now, "recognised": v.recognised}
    if issubclass(kind, dict):
        return lambda v: {k if type(k) is str else str(k): x for k, x in v.items()}
    if issubclass(kind, list | tuple):
        return list
    if dataclasses.is_dataclass(kind):
        return _shallow_dataclass(kind)
    return _converter(kind)


_SHALLOW: dict[type, Callable[[Any], Any]] = {}
_DIRECT = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATACLASS


def _default(value: Any) -> Any:
    kind = type(value)
    shallow = _SHALLOW.get(kind)
    if shallow is None:
        shallow = _SHALLOW[kind] = _shallow_of(kind)
    return shallow(value)


def direct_json(value: Any) -> str:
    """`dumps(plain(value))`, byte for byte, written by orjson straight from the objects: only what orjson
    does not know (dataclasses, exact numbers, Unknown, intervals, sets) passes through Python, one level
    at a time, with plain()'s rules. Where orjson refuses (integers beyond 64 bits, a non-string key, a
    string that is not valid UTF-8) the text is plain()'s and the standard library's.
    """
    try:
        return orjson.dumps(value, default=_default, option=_DIRECT).decode("utf-8")
    except TypeError:
        return dumps(plain(value))


def dumps(data: Any) -> str:
    """JSON text of plain data: sorted keys, no spaces, UTF-8 characters as they are.

    Written by orjson (several times faster) where it gives exactly the standard library's text; integers
    beyond 64 bits and strings that are not valid UTF-8 (lone surrogates) go to the standard library.
    """
    try:
        return orjson.dumps(data, option=orjson.OPT_SORT_KEYS).decode("utf-8")
    except TypeError:
        return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def dumps_bytes(data: Any) -> bytes:
    """`dumps(data)` as UTF-8 bytes, without decoding orjson's bytes only to encode them again (an HTTP body)."""
    try:
        return orjson.dumps(data, option=orjson.OPT_SORT_KEYS)
    except TypeError:
        return dumps(data).encode("utf-8")


def canonical_json(value: Any) -> str:
    return dumps(plain(value))


def sha256_of(value: Any) -> str:
    return hashlib.sha256(canonical_json(value).encode("utf-8")).hexdigest()


def profile_hash_of(profile: Any) -> str:
    """A Decision's profile_hash: sha256_of(profile.model_dump(exclude_none)), its bytes written by orjson from
    the dump as `direct_json` writes them (plain()'s text where orjson refuses)."""
    data = profile.model_dump(mode="python", exclude_none=True)
    try:
        raw = orjson.dumps(data, default=_default, option=_DIRECT)
    except TypeError:
        raw = dumps(plain(data)).encode("utf-8")
    return hashlib.sha256(raw).hexdigest()
