"""The flat register layout (one enterprise per row) and its mapping to and from profiles.

Column names come from the enterprise profile model itself (docs/register-format.md lists them):
top-level fields keep their name (`credit_code`, `registered_on`), section fields are
`<section>_<field>` (`staff_total`, `ip_class1`, `declarations_major_incident_prior_year`), fiscal-year
fields are `<field>_<year>` (`sales_2024`, `rd_expense_2022`) and certificates `cert_<type>_<field>`
(`cert_hnte_issued_on`). An empty cell means "not given" (unknown), never zero.

Each `Column` knows its profile path and how its text is typed (`kind` and bounds, read from the model),
which engine.io.cells uses to type a whole column at once; `Layout.raw_profile(cells)` gives the dict
`parse_profile` validates — the reference, with field-named zh/en errors — for the rows the column-wise
reading cannot accept plainly. Pure: strings in, dicts out.
"""

from __future__ import annotations

import datetime as dt
import re
import typing
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from annotated_types import Ge, Le, MaxLen, MinLen
from pydantic import BaseModel

from engine.profile.common import Certificate
from engine.profile.enterprise import EnterpriseProfile, FiscalYear
from engine.profile.fields import Count, Money, SignedMoney, Whole

TRUE = frozenset({"true", "1", "yes", "y", "t", "on", "是"})
FALSE = frozenset({"false", "0", "no", "n", "f", "off", "否"})
_FINANCE = re.compile(r"^([a-z_]+)_(\d{4})$")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
LIST_SECTIONS = ("finance", "certificates")


@dataclass(frozen=True)
class Column:
    """Where one register column goes in the profile, and how its text is typed."""

    name: str
    section: str | None  # staff, ip, … ; "finance" / "certificates" for list records
    field: str
    key: Any = None  # fiscal year or certificate type
    kind: str = "text"  # money | signed_money | count | whole | bool | date | choice | text | other
    ge: Any = None
    le: Any = None
    min_len: int | None = None
    max_len: int | None = None
    choices: frozenset[str] = frozenset()
    required: bool = False

    @property
    def is_bool(self) -> bool:
        return self.kind == "bool"

    @property
    def path(self) -> str:
        """The profile path engine.fast columns are keyed by (`staff.total`, `finance[2024].sales`)."""
        if self.section is None:
            return self.field
        if self.section == "finance":
            return f"finance[{self.key}].{self.field}"
        if self.section == "certificates":
            return f"certificates[{self.key}].{self.field}"
        return f"{self.section}.{self.field}"


def section_model(info: Any) -> type[BaseModel] | None:
    for arg in (info.annotation, *typing.get_args(info.annotation)):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
    return None


def _bounds(info: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for meta in [*info.metadata, *(m for a in typing.get_args(info.annotation) for m in getattr(a, "__metadata__", ()))]:
        if isinstance(meta, Ge):
            out["ge"] = meta.ge
        elif isinstance(meta, Le):
            out["le"] = meta.le
        elif isinstance(meta, MinLen):
            out["min_len"] = meta.min_length
        elif isinstance(meta, MaxLen):
            out["max_len"] = meta.max_length
    return out


def _kind(info: Any) -> tuple[str, frozenset[str]]:  # noqa: C901 - one branch per field type
    args = set(typing.get_args(info.annotation)) | {info.annotation}
    for marker, kind in ((Money, "money"), (SignedMoney, "signed_money"), (Count, "count")):
        if marker in args:
            return kind, frozenset()
    if Whole in args or int in args:
        return "whole", frozenset()
    if bool in args:
        return "bool", frozenset()
    if dt.date in args:
        return "date", frozenset()
    choices = [a for a in args if typing.get_origin(a) is typing.Literal]
    if choices:
        return "choice", frozenset(typing.get_args(choices[0]))
    return ("text", frozenset()) if str in args else ("other", frozenset())


def _column(name: str, section: str | None, field: str, key: Any, info: Any) -> Column:
    kind, choices = _kind(info)
    return Column(name, section, field, key, kind, choices=choices, required=info.is_required(), **_bounds(info))


@lru_cache(maxsize=1)
def static_columns() -> dict[str, Column]:
    """Every column except the per-year finance ones, by name."""
    out: dict[str, Column] = {}
    for name, info in EnterpriseProfile.model_fields.items():
        section = section_model(info)
        if name == "kind" or typing.get_origin(info.annotation) is list:
            continue
        if section is None:
            out[name] = _column(name, None, name, None, info)
            continue
        for sub, sub_info in section.model_fields.items():
            out[f"{name}_{sub}"] = _column(f"{name}_{sub}", name, sub, None, sub_info)
    for ctype in typing.get_args(Certificate.model_fields["type"].annotation):
        for sub, sub_info in Certificate.model_fields.items():
            if sub != "type":
                out[f"cert_{ctype}_{sub}"] = _column(f"cert_{ctype}_{sub}", "certificates", sub, ctype, sub_info)
    return out


FINANCE_FIELDS = {name: info for name, info in FiscalYear.model_fields.items() if name != "year"}
YEAR_BOUNDS = _bounds(FiscalYear.model_fields["year"])


def required_fields(section: str) -> list[str]:
    """The fields a section (or a certificate) must carry once any of its fields is given."""
    model = Certificate if section == "certificates" else section_model(EnterpriseProfile.model_fields[section])
    return [f for f, info in model.model_fields.items() if info.is_required() and f != "type"] if model else []


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
        """Profile paths (section.field) with no column here: no profile of this register carries them."""
        present = {c.field if c.section is None else f"{c.section}.{c.field}" for c in self.columns}
        every = {c.field if c.section is None else f"{c.section}.{c.field}" for c in static_columns().values()
                 if c.section not in LIST_SECTIONS}
        return frozenset(every - present)

    def years(self) -> dict[int, list[str]]:
        """The fiscal years with columns here, each with its field names."""
        out: dict[int, list[str]] = {}
        for column in self.columns:
            if column.section == "finance":
                out.setdefault(column.key, []).append(column.field)
        return out

    def raw_profile(self, cells: list[str]) -> dict[str, Any]:
        """The profile dict for `parse_profile`: cell texts where they are, booleans read (是/否, yes/no…)."""
        data: dict[str, Any] = {"kind": "enterprise"}
        years: dict[int, dict[str, Any]] = {}
        certs: dict[str, dict[str, Any]] = {}
        for column, cell in zip(self.columns, cells, strict=False):
            text = cell.strip() if isinstance(cell, str) else cell
            if text is None or text == "":
                continue
            value: Any = text
            if column.is_bool and isinstance(text, str) and text.lower() in TRUE | FALSE:
                value = text.lower() in TRUE
            _place(data, years, certs, column, value)
        return finish(data, years, certs)


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


def finish(data: dict[str, Any], years: dict[int, dict[str, Any]],
           certs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The profile dict with its fiscal years (in year order) and certificates as lists."""
    if years:
        data["finance"] = [{"year": year, **years[year]} for year in sorted(years)]
    if certs:
        data["certificates"] = [{"type": ctype, **certs[ctype]} for ctype in certs]
    return data


def row_of(profile: dict[str, Any], columns: list[str]) -> list[str]:
    """The register row of a typed profile dict (the inverse of reading it), for generators and tests."""
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
