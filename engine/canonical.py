"""Canonical JSON and hashing: sorted keys, exact numbers as strings, so equal inputs hash equally.

Integers stay JSON integers; Fractions become exact decimal strings when they terminate ("0.05")
and "p/q" otherwise; Decimals are normalised; dates are ISO strings; intervals are [lo, hi].
Dataclass fields marked `omit_default` are left out while at their default, so a field added later
keeps the bytes of every decision that does not use it.

One set of conversions serves both `plain()` (plain Python data) and the JSON writer (`json_bytes`,
`direct_json`: orjson writing straight from the objects, byte for byte `dumps(plain(value))`).
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
    return _ratio_text(value.numerator, value.denominator)


def _ratio_text(numerator: int, denominator: int) -> str:
    """fraction_text of numerator / denominator in lowest terms (denominator > 0)."""
    den = denominator
    twos = fives = 0
    while den % 2 == 0:
        den //= 2
        twos += 1
    while den % 5 == 0:
        den //= 5
        fives += 1
    if den != 1:
        return f"{numerator}/{denominator}"
    places = max(twos, fives)
    text = f"{abs(numerator) * (10**places // denominator):0{places + 1}d}"  # exact: den | 10**places
    sign = "-" if numerator < 0 else ""
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


_ATOMS = frozenset({str, int, bool, type(None)})  # already plain: taken as they are, without a call
_SORTED = orjson.OPT_SORT_KEYS
_DIRECT = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATACLASS  # dataclasses by plain()'s rules, not orjson's
_LIMIT = 1 << 14  # most shared objects whose bytes the JSON writer keeps at once (then it starts again)


class _Table(dict[type, Callable[[Any], Any]]):
    """The converter of each kind of value, worked out on first use.

    One set of conversions, used two ways. PLAIN converts everything, deep, to plain Python data (`plain`).
    JSON converts one level when orjson calls back for a value it cannot write itself (`_json_default`: a
    dataclass, an exact number, an Unknown, an interval, a set) and leaves the level's contents to orjson; the
    objects decisions share (rule texts, parameters read, not-applicable results) it writes once and keeps
    as bytes (`keep_bytes`).
    """

    def __init__(self, eager: bool):
        super().__init__()
        self.eager = eager  # PLAIN: deep; JSON: one level at a time
        self.memo: dict[int, tuple[Any, Any]] = {}  # id → (the object, its bytes): JSON only

    def __missing__(self, kind: type) -> Callable[[Any], Any]:
        convert = _converter(kind, self)
        if not self.eager and kind in _KEPT:
            convert = _kept(convert, _KEPT[kind], self.memo)
        self[kind] = convert
        return convert

    def item(self, value: Any) -> Any:
        kind = type(value)
        return value if kind in _ATOMS else self[kind](value)


_KEPT: dict[type, Callable[[Any], bool]] = {}


def keep_bytes(kind: type, when: Callable[[Any], bool] = lambda value: True) -> None:
    """Instances of `kind` (those `when` accepts) are immutable and shared by many decisions (rule texts,
    parameters read): the JSON writer writes each once and keeps its bytes, by identity."""
    _KEPT[kind] = when
    _JSON.pop(kind, None)


def remembered(memo: dict[int, tuple[Any, Any]], value: Any, convert: Callable[[Any], Any], limit: int) -> Any:
    """convert(value) for an immutable object that many decisions share, worked out once and kept by identity (the
    object is held with its conversion, so its id is not reused meanwhile); at `limit` objects the memo starts again.
    The one such memo: the JSON writer's kept bytes and the summary's shared pieces (engine.summary) use it."""
    found = memo.get(id(value))
    if found is not None and found[0] is value:
        return found[1]
    out = convert(value)
    if len(memo) >= limit:
        memo.clear()
    memo[id(value)] = (value, out)
    return out


def _kept(convert: Callable[[Any], Any], when: Callable[[Any], bool], memo: dict[int, tuple[Any, Any]]
          ) -> Callable[[Any], Any]:
    def written(value: Any) -> Any:
        return orjson.Fragment(orjson.dumps(convert(value), default=_json_default, option=_DIRECT))

    def kept(value: Any) -> Any:
        if not when(value):
            return convert(value)
        try:
            return remembered(memo, value, written, _LIMIT)
        except TypeError:  # orjson refuses it (a 2**70, a lone surrogate): written with the rest, not kept
            return convert(value)
    return kept


def _identity(value: Any) -> Any:
    return value


def _fraction(value: Fraction) -> Any:
    return value.numerator if value.denominator == 1 else fraction_text(value)


def _decimal(value: Decimal) -> Any:
    """_fraction(Fraction(value)), without building the Fraction (its ratio is in lowest terms already)."""
    num, den = value.as_integer_ratio()
    return num if den == 1 else _ratio_text(num, den)


def _float(value: float) -> Any:
    raise TypeError("floats are not canonical; use int, Decimal or Fraction")


def _unknown(value: Unknown) -> Any:
    return {"unknown": sorted(value.missing), **({"reason": value.reason} if value.reason else {})}


def _converter(kind: type, table: _Table) -> Callable[[Any], Any]:  # noqa: C901 - one line per kind of value
    item, atoms, deep = table.item, _ATOMS, table.eager
    if kind is type(None) or issubclass(kind, bool | int | str):
        return _identity
    if issubclass(kind, Fraction):
        return _fraction
    if issubclass(kind, Decimal):
        return _decimal
    if issubclass(kind, float):
        return _float
    if issubclass(kind, Interval):
        return lambda v: {"interval": [item(v.lo), item(v.hi)]}
    if issubclass(kind, Unknown):
        return _unknown
    if issubclass(kind, Conditional):
        return lambda v: {"conditional": sorted(v.prerequisites), "now": item(v.now), "recognised": item(v.recognised)}
    if issubclass(kind, dict):
        return lambda v: {k if type(k) is str else str(k): x if type(x) in atoms else item(x) for k, x in v.items()}
    if issubclass(kind, list | tuple):
        return lambda v: [x if type(x) in atoms else item(x) for x in v]
    if issubclass(kind, set | frozenset):
        return lambda v: sorted(item(x) for x in v)
    if issubclass(kind, dt.date):
        return lambda v: v.isoformat()
    if dataclasses.is_dataclass(kind):
        return _dataclass(kind, table) if deep else _fields(kind, written=True)
    if hasattr(kind, "model_dump"):
        return lambda v: item(v.model_dump(mode="python", exclude_none=True))
    raise TypeError(f"cannot serialise {kind.__name__}")


def _dataclass(kind: type, table: _Table) -> Callable[[Any], Any]:
    """Every field by name, converted; fields marked `omit_default` are left out while at their default."""
    names = tuple(f.name for f in dataclasses.fields(kind))
    fields_of, atoms = _fields(kind), _ATOMS

    def convert(value: Any) -> dict[str, Any]:
        found = fields_of(value)
        out = {}
        for name in names:  # in the order of the fields
            if name in found:
                item = found[name]
                out[name] = item if type(item) in atoms else table[type(item)](item)
        return out
    return convert


def _fields(kind: type, written: bool = False) -> Callable[[Any], dict[str, Any]]:
    """The fields of a dataclass instance by name, fields marked `omit_default` left out while at their default
    (absent from the instance's __dict__ counts as at the default, the class attribute); a deferred field not
    built yet is built (getattr) — or, for the JSON writer (`written`), taken in the written form the instance
    offers for it (engine.decision.Deferred: a trace from the run's records, without its TraceNodes). The
    instance's own __dict__ when that already is exactly this, else a copy.
    """
    names = tuple(f.name for f in dataclasses.fields(kind))
    omitted = tuple((f.name, f.default) for f in dataclasses.fields(kind) if f.metadata.get("omit_default"))
    count, has_dict = len(names), not hasattr(kind, "__slots__")

    def select(found: dict[str, Any]) -> tuple[dict[str, Any], int]:
        out, size = found, len(found)
        for name, default in omitted:
            if name not in found:
                size += 1
            elif found[name] == default:
                if out is found:
                    out = dict(found)
                del out[name]
        return out, size

    def fields_of(value: Any) -> dict[str, Any]:
        found = value.__dict__ if has_dict else None
        if found is not None:
            pending = found.get("_deferred")
            if pending is None:
                out, size = select(found)
                if size == count:  # no other attribute in the instance's __dict__, no field missing from it
                    return out
            elif written:
                ways = found.get("_written")
                if ways:
                    return select({name: ways[name]() if name in ways and name in pending else getattr(value, name)
                                   for name in names})[0]
        return select({name: getattr(value, name) for name in names})[0]
    return fields_of


_PLAIN = _Table(eager=True)
_JSON = _Table(eager=False)
_KEPT_BYTES = _JSON.memo


def plain(value: Any) -> Any:
    """Convert engine values into JSON-ready plain values, deterministically.

    The conversion of each type is worked out once and cached, so a whole Decision is one quick walk.
    """
    kind = type(value)
    return value if kind in _ATOMS else _PLAIN[kind](value)


def _json_default(value: Any) -> Any:
    found = _KEPT_BYTES.get(id(value))  # a shared object's bytes, without the call of its converter
    if found is not None and found[0] is value:
        return found[1]
    return _JSON[type(value)](value)


written = _json_default
"""What the JSON writer makes of one value it calls back for, one level (a shared object: its kept bytes as an
orjson Fragment); for a writer's form built ahead of the writing (engine.trace.node_json)."""


def json_bytes(value: Any, objects: Callable[[], Any] | None = None) -> bytes:
    """`dumps(plain(value))` as UTF-8 bytes, written by orjson from the objects: orjson calls back for what it
    cannot write itself (a dataclass: its fields, one level, often the instance's own __dict__; exact numbers,
    Unknowns, intervals, sets), with plain()'s conversions; shared objects are written once (`keep_bytes`).
    Where orjson refuses (integers beyond 64 bits, a non-string key, a string that is not valid UTF-8) the
    text is plain()'s and the standard library's — of `objects()` when `value` holds written forms
    (`written`, engine.trace.node_json): the same value as objects.
    """
    try:
        return orjson.dumps(value, default=_json_default, option=_DIRECT)
    except TypeError:
        return dumps(plain(value if objects is None else objects())).encode("utf-8")


def direct_json(value: Any, objects: Callable[[], Any] | None = None) -> str:
    """`dumps(plain(value))`, byte for byte (`json_bytes` as text)."""
    try:
        return orjson.dumps(value, default=_json_default, option=_DIRECT).decode("utf-8")
    except TypeError:
        return dumps(plain(value if objects is None else objects()))


def dumps(data: Any) -> str:
    """JSON text of plain data: sorted keys, no spaces, UTF-8 characters as they are.

    Written by orjson (several times faster) where it gives exactly the standard library's text; integers
    beyond 64 bits and strings that are not valid UTF-8 (lone surrogates) go to the standard library.
    """
    try:
        return orjson.dumps(data, option=_SORTED).decode("utf-8")
    except TypeError:
        return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def dumps_bytes(data: Any) -> bytes:
    """`dumps(data)` as UTF-8 bytes, without decoding orjson's bytes only to encode them again (an HTTP body)."""
    try:
        return orjson.dumps(data, option=_SORTED)
    except TypeError:
        return dumps(data).encode("utf-8")


def canonical_json(value: Any) -> str:
    return dumps(plain(value))


def sha256_of(value: Any) -> str:
    return hashlib.sha256(canonical_json(value).encode("utf-8")).hexdigest()


def profile_hash_of(profile: Any) -> str:
    """A Decision's profile_hash: sha256_of(profile.model_dump(exclude_none)), its bytes written by `json_bytes`."""
    return hashlib.sha256(json_bytes(profile.model_dump(mode="python", exclude_none=True))).hexdigest()
