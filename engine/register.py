"""The flat register layout (one enterprise per CSV row) and its mapping to and from profiles.

Column names come from the enterprise profile model itself (docs/register-format.md lists them):
top-level fields keep their name (`credit_code`, `registered_on`), section fields are
`<section>_<field>` (`staff_total`, `ip_class1`, `declarations_major_incident_prior_year`), fiscal-year
fields are `<field>_<year>` (`sales_2024`, `rd_expense_2022`) and certificates `cert_<type>_<field>`
(`cert_hnte_issued_on`). An empty cell means "not given" (unknown), never zero.

Two readings of a row: `raw_profile(row)` gives the dict `parse_profile` validates (the reference,
with field-named zh/en errors), and `fast_profile(row, today)` gives the same profile as typed values
without pydantic — or None whenever the row is anything but plainly valid, so that the caller falls
back to `parse_profile` for the verdict and the messages. Pure: strings in, dicts out, no I/O.
"""

from __future__ import annotations

import datetime as dt
import operator
import re
import typing
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

from annotated_types import Ge, Le, MaxLen, MinLen
from pydantic import BaseModel

from engine.profile.common import Certificate
from engine.profile.enterprise import EnterpriseProfile, FiscalYear
from engine.profile.fields import Count, Money, SignedMoney, Whole
from engine.standards import (
    validate_industry_code,
    validate_park,
    validate_region_code,
    validate_tech_field,
)
from engine.standards.uscc import AUTHORITIES, CHARSET, PROVINCE_PREFIXES, WEIGHTS

TRUE = frozenset({"true", "1", "yes", "y", "t", "on", "是"})
FALSE = frozenset({"false", "0", "no", "n", "f", "off", "否"})
_FINANCE = re.compile(r"^([a-z_]+)_(\d{4})$")
_COUNT = re.compile(r"^(0|[1-9][0-9]{0,9})(\.[0-9]{1,2})?$")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class Slow(Exception):
    """This cell or row needs the reference validator (parse_profile)."""


@dataclass(frozen=True)
class Column:
    """Where one register column goes in the profile, and how its text is read on the fast path."""

    name: str
    section: str | None  # staff, ip, … ; "finance" / "certificates" for list records
    field: str
    key: Any = None  # fiscal year or certificate type
    parse: Callable[[str], Any] = str
    is_bool: bool = False


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


def _reader(info: Any) -> Callable[[str], Any]:  # noqa: C901 - one branch per field type
    """The strict fast-path reader of a field's cell text; raises Slow on anything unusual."""
    args = set(typing.get_args(info.annotation)) | {info.annotation}
    ge, le, min_len, max_len = _bounds(info)
    if Money in args or SignedMoney in args:
        signed = SignedMoney in args
        return lambda s: _money(s, signed)
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


def _money(s: str, signed: bool) -> int:
    body = s[1:] if signed and s[:1] == "-" else s
    if not (body.isascii() and body.isdigit()) or len(body) > 18:
        raise Slow
    return int(s)


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


def _section_model(info: Any) -> type[BaseModel] | None:
    for arg in (info.annotation, *typing.get_args(info.annotation)):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
    return None


@lru_cache(maxsize=1)
def static_columns() -> dict[str, Column]:
    """Every column except the per-year finance ones, by name."""
    out: dict[str, Column] = {}
    for name, info in EnterpriseProfile.model_fields.items():
        section = _section_model(info)
        if name == "kind" or typing.get_origin(info.annotation) is list:
            continue
        if section is None:
            out[name] = _column(name, None, name, None, info)
            continue
        for sub, sub_info in section.model_fields.items():
            out[f"{name}_{sub}"] = _column(f"{name}_{sub}", name, sub, None, sub_info)
    cert_types = typing.get_args(Certificate.model_fields["type"].annotation)
    for ctype in cert_types:
        for sub, sub_info in Certificate.model_fields.items():
            if sub != "type":
                out[f"cert_{ctype}_{sub}"] = _column(f"cert_{ctype}_{sub}", "certificates", sub, ctype, sub_info)
    return out


def _column(name: str, section: str | None, field: str, key: Any, info: Any) -> Column:
    is_bool = bool in typing.get_args(info.annotation) or info.annotation is bool
    return Column(name, section, field, key, _reader(info), is_bool)


FINANCE_FIELDS = {name: info for name, info in FiscalYear.model_fields.items() if name != "year"}


def column_of(name: str) -> Column | None:
    """The Column of a header name, or None when the name is not part of the layout."""
    found = static_columns().get(name)
    if found is not None:
        return found
    match = _FINANCE.match(name)
    if match and match.group(1) in FINANCE_FIELDS:
        return _column(name, "finance", match.group(1), int(match.group(2)), FINANCE_FIELDS[match.group(1)])
    return None


def known_names(years: Iterable[int] = ()) -> list[str]:
    return [*static_columns(), *(f"{f}_{y}" for y in years for f in FINANCE_FIELDS)]


class LayoutError(ValueError):
    """The header names columns that are not part of the layout (each with the closest known name)."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


_SECTIONS = {name: model for name, info in EnterpriseProfile.model_fields.items()
             if (model := _section_model(info)) is not None}
_REQUIRED = {name: [f for f, i in model.model_fields.items() if i.is_required()] for name, model in
             {**_SECTIONS, "certificates": Certificate}.items()}


class Layout:
    """The columns of one register file, in header order."""

    def __init__(self, header: list[str]):
        from engine.suggest import hint_for

        self.columns: list[Column] = []
        problems, seen = [], set()
        known = known_names(range(2015, 2031))
        for raw in header:
            name = raw.strip().lstrip("\ufeff")
            column = column_of(name)
            if column is None:
                hint = hint_for(name, known)
                problems.append(f"unknown column '{name}'" + (f" ({hint})" if hint else ""))
            elif name in seen:
                problems.append(f"column '{name}' appears twice")
            else:
                self.columns.append(column)
            seen.add(name)
        if "name" not in seen:
            problems.append("the column 'name' (企业名称) is required")
        if problems:
            raise LayoutError(problems)
        self.width = len(header)
        self.index = {c.name: i for i, c in enumerate(self.columns)}

    def absent_paths(self) -> frozenset[str]:
        """Profile paths (section.field) with no column here: fast-path profiles never carry them."""
        present = {c.field if c.section is None else f"{c.section}.{c.field}" for c in self.columns}
        every = {c.field if c.section is None else f"{c.section}.{c.field}" for c in static_columns().values()
                 if c.section not in ("finance", "certificates")}
        return frozenset(every - present)

    def raw_profile(self, cells: list[str]) -> dict[str, Any]:
        """The profile dict for `parse_profile`: cell texts where they are, booleans read (是/否, yes/no…)."""
        data: dict[str, Any] = {"kind": "enterprise"}
        years: dict[int, dict[str, Any]] = {}
        certs: dict[str, dict[str, Any]] = {}
        for column, cell in zip(self.columns, cells, strict=False):
            text = cell.strip()
            if not text:
                continue
            value: Any = text
            if column.is_bool and text.lower() in TRUE | FALSE:
                value = text.lower() in TRUE
            _place(data, years, certs, column, value)
        return _finish(data, years, certs)

    def fast_profile(self, cells: list[str], today: dt.date) -> dict[str, Any] | None:
        """The same profile as typed values, or None when only parse_profile can judge the row."""
        data: dict[str, Any] = {"kind": "enterprise"}
        years: dict[int, dict[str, Any]] = {}
        certs: dict[str, dict[str, Any]] = {}
        try:
            for column, cell in zip(self.columns, cells, strict=False):
                text = cell.strip()
                if text:
                    _place(data, years, certs, column, column.parse(text))
            _check_row(data, years, certs, today)
        except Slow:
            return None
        return _finish(data, years, certs)


def _place(data: dict[str, Any], years: dict[int, dict[str, Any]], certs: dict[str, dict[str, Any]],
           column: Column, value: Any) -> None:
    section = column.section
    if section is None:
        data[column.field] = value
    elif section == "finance":
        years.setdefault(column.key, {})[column.field] = value
    elif section == "certificates":
        certs.setdefault(column.key, {})[column.field] = value
    else:
        data.setdefault(section, {})[column.field] = value


def _finish(data: dict[str, Any], years: dict[int, dict[str, Any]],
            certs: dict[str, dict[str, Any]]) -> dict[str, Any]:
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
    for section in _SECTIONS:
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


def row_of(profile: dict[str, Any], columns: list[str]) -> list[str]:
    """The register row of a typed profile dict (the inverse of fast_profile), for generators and tests."""
    flat: dict[str, str] = {}
    for key, value in profile.items():
        if key == "finance":
            for record in value:
                flat.update({f"{f}_{record['year']}": _text(v) for f, v in record.items() if f != "year"})
        elif key == "certificates":
            for cert in value:
                flat.update({f"cert_{cert['type']}_{f}": _text(v) for f, v in cert.items() if f != "type"})
        elif isinstance(value, dict):
            flat.update({f"{key}_{f}": _text(v) for f, v in value.items()})
        elif key != "kind":
            flat[key] = _text(value)
    return [flat.get(c, "") for c in columns]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def safe_cell(value: Any) -> str:
    """A cell for a CSV export, neutralised against formula injection (=, +, -, @ … get a leading ')."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def sniff_encoding(head: bytes) -> str:
    """utf-8-sig / utf-8 when the first bytes decode as UTF-8, else gb18030 (a superset of GBK)."""
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    cut = head.rfind(b"\n")
    sample = head[: cut + 1] if cut >= 0 and len(head) >= 4096 else head
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        return "gb18030"
