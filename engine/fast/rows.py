"""The fast reading of a register row: cell texts to typed profile values without pydantic, or Slow.

Each reader accepts only the plainest form of its type (digits for yuan, YYYY-MM-DD for dates, 是/否 or
true/false for booleans…) and raises `Slow` for anything else; the row checks mirror the errors of
engine.profile.checks (credit code, region, park, technical field and industry codes, dates in the
future, fiscal years before registration, domestic R&D above total R&D). A Slow row goes to
`parse_profile`, which accepts it or explains why not: the fast path never accepts what the reference
would reject, and reads the same values (tests/web/test_screen.py checks both on mutated rows).
"""

from __future__ import annotations

import datetime as dt
import operator
import re
import typing
from collections.abc import Callable
from decimal import Decimal
from functools import lru_cache
from typing import Any

from annotated_types import Ge, Le, MaxLen, MinLen
from pydantic import BaseModel

from engine.profile.common import Certificate
from engine.profile.enterprise import EnterpriseProfile
from engine.profile.fields import Count, Money, SignedMoney, Whole
from engine.standards import validate_industry_code, validate_park, validate_region_code, validate_tech_field
from engine.standards.uscc import AUTHORITIES, CHARSET, PROVINCE_PREFIXES, WEIGHTS

TRUE = frozenset({"true", "1", "yes", "y", "t", "on", "是"})
FALSE = frozenset({"false", "0", "no", "n", "f", "off", "否"})
_COUNT = re.compile(r"^(0|[1-9][0-9]{0,9})(\.[0-9]{1,2})?$")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")

class Slow(Exception):
    """This cell or row needs the reference validator (parse_profile)."""


def _bounds(info: Any) -> tuple[Any, Any, Any, Any]:
    ge = le = min_len = max_len = None
    for meta in [*info.metadata, *(m for a in typing.get_args(info.annotation) for m in getattr(a, "__metadata__", ()))]:
        if isinstance(meta, Ge):
            ge = meta.ge
        elif isinstance(meta, Le):
            le = meta.le
        elif isinstance(meta, MinLen):
            min_len = meta.min_length
        elif isinstance(meta, MaxLen):
            max_len = meta.max_length
    return ge, le, min_len, max_len


def reader(info: Any) -> Callable[[str], Any]:  # noqa: C901 - one branch per field type
    """The strict fast-path reader of a field's cell text; raises Slow on anything unusual."""
    args = set(typing.get_args(info.annotation)) | {info.annotation}
    ge, le, min_len, max_len = _bounds(info)
    if Money in args:
        return _money
    if SignedMoney in args:
        return _signed_money
    if Count in args:
        return _count
    if Whole in args or int in args:
        return lambda s: _whole(s, ge, le)
    if bool in args:
        return _bool
    if dt.date in args:
        return _date
    choices = [a for a in args if typing.get_origin(a) is typing.Literal]
    if choices:
        allowed = frozenset(typing.get_args(choices[0]))
        return lambda s: s if s in allowed else _slow()
    if str in args:
        return lambda s: s if (min_len is None or len(s) >= min_len) and (max_len is None or len(s) <= max_len) \
            else _slow()
    return lambda s: _slow()


def _slow() -> Any:
    raise Slow


def _money(s: str) -> int:
    if not (s.isascii() and s.isdigit()) or len(s) > 18:
        raise Slow
    return int(s)


def _signed_money(s: str) -> int:
    return -_money(s[1:]) if s[:1] == "-" else _money(s)


def _count(s: str) -> Any:
    if not _COUNT.match(s):
        raise Slow
    return Decimal(s) if "." in s else int(s)


def _whole(s: str, ge: Any, le: Any) -> int:
    if not (s.isascii() and s.isdigit()) or len(s) > 18 or (len(s) > 1 and s[0] == "0"):
        raise Slow
    value = int(s)
    if (ge is not None and value < ge) or (le is not None and value > le):
        raise Slow
    return value


def _bool(s: str) -> bool:
    low = s.lower()
    if low in TRUE:
        return True
    if low in FALSE:
        return False
    raise Slow


@lru_cache(maxsize=4096)
def _date(s: str) -> dt.date:
    if not _DATE.match(s):
        raise Slow
    try:
        return dt.date.fromisoformat(s)
    except ValueError:
        raise Slow from None




def section_model(info: Any) -> type[BaseModel] | None:
    for arg in (info.annotation, *typing.get_args(info.annotation)):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
    return None


SECTIONS = {name: model for name, info in EnterpriseProfile.model_fields.items()
            if (model := section_model(info)) is not None}
_MODELS: dict[str, type[BaseModel]] = {**SECTIONS, "certificates": Certificate}
_REQUIRED = {name: [f for f, i in model.model_fields.items() if i.is_required()] for name, model in _MODELS.items()}


def fast_profile(plan: list[tuple[Any, ...]], cells: list[str], today: dt.date) -> dict[str, Any] | None:
    """The typed profile of one row (plan: per column parse, section, field, key), or None: read it slowly."""
    data: dict[str, Any] = {"kind": "enterprise"}
    years: dict[int, dict[str, Any]] = {}
    certs: dict[str, dict[str, Any]] = {}
    try:
        for (parse, section, field, key), cell in zip(plan, cells, strict=False):
            text = cell.strip()
            if not text:
                continue
            if section is None:
                data[field] = parse(text)
            elif section == "finance":
                record = years.get(key)
                if record is None:
                    record = years[key] = {}
                record[field] = parse(text)
            elif section == "certificates":
                certs.setdefault(key, {})[field] = parse(text)
            else:
                part = data.get(section)
                if part is None:
                    part = data[section] = {}
                part[field] = parse(text)
        _check_row(data, years, certs, today)
    except Slow:
        return None
    if years:
        data["finance"] = [{"year": year, **years[year]} for year in sorted(years)]
    if certs:
        data["certificates"] = [{"type": ctype, **certs[ctype]} for ctype in certs]
    return data


@lru_cache(maxsize=4096)
def _code_ok(kind: str, value: str, other: str = "") -> bool:
    if kind == "region":
        issues = validate_region_code(value, path="region_code")
    elif kind == "park":
        issues = validate_park(value, other, path="park_code")
    elif kind == "tech":
        issues = validate_tech_field(value)[1]
    else:
        issues = validate_industry_code(value)[1]
    return not any(i.severity == "error" for i in issues)


def _check_row(data: dict[str, Any], years: dict[int, dict[str, Any]], certs: dict[str, dict[str, Any]],
               today: dt.date) -> None:
    """Raise Slow unless engine.profile.checks would find no error in this row."""
    if "name" not in data:
        raise Slow
    _check_codes(data)
    for section in SECTIONS:
        if section in data and any(f not in data[section] for f in _REQUIRED[section]):
            raise Slow
    registered = data.get("registered_on")
    if registered is not None and registered > today:
        raise Slow
    for cert in certs.values():
        if any(f not in cert for f in _REQUIRED["certificates"]) or cert["issued_on"] > today:
            raise Slow
    for year, record in years.items():
        if not 1990 <= year <= 2100 or (registered is not None and year < registered.year):
            raise Slow
        domestic, total = record.get("rd_domestic"), record.get("rd_expense")
        if domestic is not None and total is not None and domestic > total:
            raise Slow


_USCC_CHARS = frozenset(CHARSET)
_USCC_VALUE = {ch: i for i, ch in enumerate(CHARSET)}


def uscc_plainly_valid(code: str) -> bool:
    """True only when validate_uscc would find no error and the code is already in normal form.

    The same tests as engine.standards.uscc (length, character set, authority and category, region
    digits, MOD 31 check) on its own tables, without the normalisation and messages that make the full
    validator cost ~15 µs; anything else goes to the full validator on the slow path.
    """
    if len(code) != 18 or not _USCC_CHARS.issuperset(code):
        return False
    authority = AUTHORITIES.get(code[0])
    if authority is None or code[1] not in authority[1] or not code[2:8].isdigit() \
            or code[2:4] not in PROVINCE_PREFIXES:
        return False
    total = sum(map(operator.mul, map(_USCC_VALUE.__getitem__, code[:17]), WEIGHTS))  # uscc_check_char
    return CHARSET[(31 - total % 31) % 31] == code[17]


def _check_codes(data: dict[str, Any]) -> None:
    code = data.get("credit_code")
    if code is not None and not uscc_plainly_valid(code):
        raise Slow
    region = data.get("region_code")
    if region is not None and not _code_ok("region", region):
        raise Slow
    if region is not None and data.get("park_code") and not _code_ok("park", data["park_code"], region):
        raise Slow
    for key, kind in (("tech_field", "tech"), ("industry_code", "industry")):
        if data.get(key) and not _code_ok(kind, data[key]):
            raise Slow
