"""The flat register layout (one enterprise per CSV row) and its mapping to and from profiles.

Column names come from the enterprise profile model itself (docs/register-format.md lists them):
top-level fields keep their name (`credit_code`, `registered_on`), section fields are
`<section>_<field>` (`staff_total`, `ip_class1`, `declarations_major_incident_prior_year`), fiscal-year
fields are `<field>_<year>` (`sales_2024`, `rd_expense_2022`) and certificates `cert_<type>_<field>`
(`cert_hnte_issued_on`). An empty cell means "not given" (unknown), never zero.

Two readings of a row: `raw_profile(row)` gives the dict `parse_profile` validates (the reference,
with field-named zh/en errors), and `fast_profile(row, today)` gives the same profile as typed values
without pydantic (engine.fast.rows) — or None whenever the row is anything but plainly valid, so that
the caller falls back to `parse_profile` for the verdict and the messages. Pure: strings in, dicts out.
"""

from __future__ import annotations

import datetime as dt
import re
import typing
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from engine.fast.rows import FALSE, TRUE, fast_profile, reader, section_model
from engine.profile.common import Certificate
from engine.profile.enterprise import EnterpriseProfile, FiscalYear

_FINANCE = re.compile(r"^([a-z_]+)_(\d{4})$")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    """Where one register column goes in the profile, and how its text is read on the fast path."""

    name: str
    section: str | None  # staff, ip, … ; "finance" / "certificates" for list records
    field: str
    key: Any = None  # fiscal year or certificate type
    parse: Callable[[str], Any] = str
    is_bool: bool = False


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
    cert_types = typing.get_args(Certificate.model_fields["type"].annotation)
    for ctype in cert_types:
        for sub, sub_info in Certificate.model_fields.items():
            if sub != "type":
                out[f"cert_{ctype}_{sub}"] = _column(f"cert_{ctype}_{sub}", "certificates", sub, ctype, sub_info)
    return out


def _column(name: str, section: str | None, field: str, key: Any, info: Any) -> Column:
    is_bool = bool in typing.get_args(info.annotation) or info.annotation is bool
    return Column(name, section, field, key, reader(info), is_bool)


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
        self.plan = [(c.parse, c.section, c.field, c.key) for c in self.columns]

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
        return fast_profile(self.plan, cells, today)


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
