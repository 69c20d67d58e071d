"""Validating a chunk of a register column-wise: typed columns for the rows that pass, rejects for the rest.

Every column is typed at once (engine.io.cells); the structural checks of the profile model (a name,
the required fields of a section or certificate, fiscal years in range) and the data-standard and
cross-field checks of engine.profile.checks run over whole columns. Only the rows with a suspect cell
or a problem go to `parse_profile`, one by one: it accepts them (their values are then the reference's
reading) or rejects them with every issue, each naming its field in zh and en. Every row read ends up in
exactly one place — an accepted row or a reject — and nothing is dropped silently.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from typing import Any

import numpy as np
import pyarrow as pa

from engine.errors import Message, ProfileError, ProfileIssue
from engine.io.cells import Cells, type_column
from engine.io.layout import YEAR_BOUNDS, Column, Layout, LayoutError, finish, required_fields
from engine.io.read import RawChunk, RegisterError
from engine.profile import parse_profile
from engine.profile.checks import column_problems, is_future


@dataclass
class Reject:
    """A register row that did not validate, with every reason."""

    row: int
    credit_code: str
    name: str
    issues: list[ProfileIssue]


@dataclass
class Chunk:
    """The accepted rows of a chunk, in row order, as typed columns (or profiles, for JSONL), and its rejects."""

    rows: Any  # row numbers of the accepted rows
    layout: Layout | None = None
    columns: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # profile path → (values, known)
    parsed: dict[int, dict[str, Any]] = field(default_factory=dict)  # accepted index → profile (parse_profile)
    profiles: list[Any] | None = None  # JSONL: validated profile models
    rejects: list[Reject] = field(default_factory=list)
    read: int = 0
    _dicts: dict[int, dict[str, Any]] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.rows)

    def text(self, path: str) -> list[Any]:
        """The values of a text field (credit_code, name, region_code) per accepted row, None when empty."""
        if self.profiles is not None:
            return [getattr(p, path, None) for p in self.profiles]
        found = self.columns.get(path)
        if found is None:
            return [None] * self.n
        values, known = found
        texts: Any = np.where(known, values, None)
        return list(texts.tolist())

    def profile(self, i: int) -> Any:
        """Row i as a typed profile dict (or the validated model, for JSONL)."""
        if self.profiles is not None:
            return self.profiles[i]
        found = self.parsed.get(i) or self._dicts.get(i)
        if found is None:
            found = self._dicts[i] = self._typed(i)
        return found

    def _typed(self, i: int) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": "enterprise"}
        years: dict[int, dict[str, Any]] = {}
        certs: dict[str, dict[str, Any]] = {}
        for column, values, known in self._row_plan():
            if not known[i]:
                continue
            value = _python(column, values[i])
            if column.section is None:
                data[column.field] = value
            elif column.section == "finance":
                years.setdefault(column.key, {})[column.field] = value
            elif column.section == "certificates":
                certs.setdefault(column.key, {})[column.field] = value
            else:
                data.setdefault(column.section, {})[column.field] = value
        return finish(data, years, certs)

    def _row_plan(self) -> list[tuple[Column, Any, Any]]:
        """Every column, for the rows the scalar evaluator reads: the arrays as they are for the first few rows,
        then (past 256 rows) as Python lists made once per chunk — a list is cheaper to read from row by row, but
        making it costs as much as reading a few hundred rows from the arrays."""
        found = self.__dict__.get("_plan")
        if found is None:
            assert self.layout is not None
            asked = self.__dict__["_asked"] = self.__dict__.get("_asked", 0) + 1
            if asked <= 256:
                return [(c, *self.columns[c.path]) for c in self.layout.columns]
            found = self.__dict__["_plan"] = [(c, *(part.tolist() for part in self.columns[c.path]))
                                              for c in self.layout.columns]
        return found


def _python(column: Column, value: Any) -> Any:
    if column.kind == "date":
        return dt.date.fromordinal(int(value))
    if column.kind == "bool":
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    return value


@lru_cache(maxsize=64)
def layout_of(header: tuple[str, ...]) -> Layout:
    try:
        return Layout(list(header))
    except LayoutError as exc:
        raise RegisterError("表头有误 / the header has problems: " + "; ".join(exc.problems)) from None


def validate(raw: RawChunk, today: dt.date) -> Chunk:
    """Validate a raw chunk: every row becomes an accepted row or a reject."""
    if raw.kind == "jsonl":
        return _validate_lines(raw, today)
    layout = layout_of(tuple(raw.header))
    assert raw.table is not None
    n = raw.table.num_rows
    typed = {c.path: type_column(c, raw.table.column(i)) for i, c in enumerate(layout.columns)}
    suspect = np.logical_or.reduce([t.suspect for t in typed.values()]) if typed else np.zeros(n, bool)
    suspect |= _structure_problems(layout, typed, today, n)
    suspect |= column_problems(lambda p: (typed[p].values, typed[p].known) if p in typed else None,
                               layout.years(), today, n)
    rejects = [_too_long(layout, number, cells) for number, cells in raw.long]
    rejected = np.zeros(n, bool)
    parsed: dict[int, dict[str, Any]] = {}
    suspects = np.flatnonzero(suspect)
    picked = raw.table.take(pa.array(suspects)) if len(suspects) else None  # their cells, one pass per column
    texts = list(zip(*(column.to_pylist() for column in picked.columns), strict=True)) if picked is not None else []
    for i, row_cells in zip(suspects, texts, strict=True):
        cells = list(row_cells)
        try:
            profile = parse_profile(layout.raw_profile(cells), today).profile
        except ProfileError as exc:
            rejected[i] = True
            rejects.append(Reject(int(raw.rows[i]), _cell(layout, cells, "credit_code"), _cell(layout, cells, "name"),
                                  exc.issues))
            continue
        parsed[int(i)] = profile.model_dump(mode="python", exclude_none=True)
    keep = ~rejected
    index = np.cumsum(keep) - 1
    chunk = Chunk(raw.rows[keep], layout, read=raw.read, rejects=sorted(rejects, key=lambda r: r.row),
                  parsed={int(index[i]): p for i, p in parsed.items()})
    chunk.columns = {path: (t.values[keep], t.known[keep]) for path, t in typed.items()}
    _fill(chunk, layout)
    return chunk


def _structure_problems(layout: Layout, typed: dict[str, Cells], today: dt.date, n: int) -> Any:
    """Rows the profile model would refuse: no name, a section or certificate without its required
    fields, a fiscal year out of range, a certificate issued after today."""
    bad = ~typed["name"].known
    groups: dict[tuple[str, Any], list[Column]] = {}
    for column in layout.columns:
        if column.section is not None:
            groups.setdefault((column.section, column.key), []).append(column)
    for (section, key), columns in groups.items():
        given = np.logical_or.reduce([typed[c.path].known | typed[c.path].suspect for c in columns])
        if section == "finance":
            if not YEAR_BOUNDS.get("ge", key) <= key <= YEAR_BOUNDS.get("le", key):
                bad |= given
            continue
        present = {c.field: typed[c.path].known for c in columns}
        for name in required_fields(section):
            bad |= given & ~present.get(name, np.zeros(n, bool))
        issued = typed.get(f"certificates[{key}].issued_on") if section == "certificates" else None
        if issued is not None:
            bad |= issued.known & is_future(issued.values, today.toordinal())
    return bad


def _too_long(layout: Layout, number: int, cells: list[str]) -> Reject:
    issue = ProfileIssue("(row)", "ROW_TOO_LONG", Message(
        f"本行有{len(cells)}个单元格，多于表头的{layout.width}列", f"{len(cells)} cells, the header has {layout.width}"))
    return Reject(number, _cell(layout, cells, "credit_code"), _cell(layout, cells, "name"), [issue])


def _cell(layout: Layout, cells: list[Any], name: str) -> str:
    i = layout.index.get(name)
    value = cells[i] if i is not None and i < len(cells) else None
    return value.strip() if isinstance(value, str) else ""


def _fill(chunk: Chunk, layout: Layout) -> None:
    """Put the values parse_profile read for its accepted rows into the typed columns."""
    for i, profile in chunk.parsed.items():
        for column in layout.columns:
            values, known = chunk.columns[column.path]
            value = _lookup(profile, column)
            known[i] = value is not None
            if value is None:
                continue
            value = _column_value(value)
            fits = isinstance(value, bool | np.integer) or (isinstance(value, int) and -2**63 <= value < 2**63)
            if values.dtype != object and not fits:
                values = values.astype(object)
                chunk.columns[column.path] = (values, known)
            values[i] = value


def _column_value(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.toordinal()
    if isinstance(value, Decimal):
        num, den = value.as_integer_ratio()
        return num if den == 1 else Fraction(num, den)
    return value


def _lookup(profile: dict[str, Any], column: Column) -> Any:
    section = column.section
    if section is None:
        return profile.get(column.field)
    if section == "finance":
        record = next((r for r in profile.get("finance", ()) if r.get("year") == column.key), None)
        return record.get(column.field) if record else None
    if section == "certificates":
        cert = next((c for c in profile.get("certificates", ()) if c.get("type") == column.key), None)
        return cert.get(column.field) if cert else None
    return (profile.get(section) or {}).get(column.field)


def _validate_lines(raw: RawChunk, today: dt.date) -> Chunk:
    rows, profiles, rejects = [], [], []
    for number, line in raw.lines:
        data: Any = None
        try:
            data = json.loads(line)
            if not isinstance(data, dict):
                raise ValueError("not an object")
            parsed = parse_profile(data, today)
        except ProfileError as exc:
            rejects.append(Reject(number, str(data.get("credit_code") or ""), str(data.get("name") or ""),
                                  exc.issues))
        except ValueError as exc:
            rejects.append(Reject(number, "", "", [ProfileIssue("(line)", "JSON_INVALID", Message(
                f"不是有效的JSON对象（{exc}）", f"not a valid JSON object ({exc})"))]))
        else:
            rows.append(number)
            profiles.append(parsed.profile)
    return Chunk(np.array(rows, np.int64), profiles=profiles, rejects=rejects, read=raw.read)
