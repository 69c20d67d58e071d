"""This file maps form answers to a profile and the engine's findings back to form fields.

`build(kind, specs, raw)` turns what the user typed (field name → text) into the raw profile mapping
`parse_profile` takes: money from 万元 to whole yuan (exactly, `parse_money(default_unit="wan")`),
是/否/未回答 to true/false/absent, blank answers left out (unknown, never zero or "no"), empty table rows
dropped. Everything else goes to the engine as typed, so the engine's own checks and messages apply.
`check` then runs `parse_profile` and returns each issue with the form field it belongs to.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from engine import parse_profile
from engine.errors import ProfileError, ProfileIssue
from engine.profile import ParsedProfile
from engine.standards.money import WAN, MoneyFormatError, magnitude_issue, parse_money
from web.selfcheck.specs import FieldSpec
from web.selfcheck.steps import COPIED

_LIST_PATH = re.compile(r"^(?P<group>\w+)\[(?P<index>\d+)\](?:\.(?P<rest>.+))?$")


@dataclass
class Built:
    """A raw profile mapping, the conversion issues found on the way, and list index → form row."""

    data: dict[str, Any]
    issues: list[tuple[str, ProfileIssue]] = field(default_factory=list)
    warnings: list[tuple[str, ProfileIssue]] = field(default_factory=list)
    rows: dict[str, list[int]] = field(default_factory=dict)


def money_to_yuan(text: str) -> int:
    """A 万元 amount as typed on a form → whole yuan, exactly.

    >>> money_to_yuan("4900.01"), money_to_yuan("4,900.0123万元"), money_to_yuan("-12.5")
    (49000100, 49000123, -125000)
    """
    return parse_money(text, default_unit=WAN, allow_negative=True)


def _convert(spec: FieldSpec, value: Any, built: Built) -> Any:
    if spec.kind == "bool":
        return {"true": True, "false": False}.get(str(value))
    if spec.kind == "money":
        try:
            yuan = money_to_yuan(str(value))
        except MoneyFormatError as exc:
            built.issues.append((spec.name, exc.issue(spec.path)))
            return None
        warning = magnitude_issue(yuan, spec.path, field=spec.label)
        if warning is not None:
            built.warnings.append((spec.name, warning))
        return yuan
    if spec.kind == "multi":
        return list(value) if isinstance(value, list | tuple) else [value]
    return value


def _put(data: dict[str, Any], path: str, value: Any) -> None:
    *parents, leaf = path.split(".")
    for part in parents:
        data = data.setdefault(part, {})
    data[leaf] = value


def build(kind: str, specs: tuple[FieldSpec, ...], raw: dict[str, Any]) -> Built:
    """The raw profile mapping for `parse_profile`, from the answers of every page of one kind."""
    built = Built({"kind": kind})
    records: dict[str, dict[int, dict[str, Any]]] = {}
    for spec in specs:
        value = raw.get(spec.name)
        if value in (None, "", []):
            continue
        converted = _convert(spec, value, built)
        if converted is None:
            continue
        if spec.group is None:
            _put(built.data, spec.path, converted)
        else:
            records.setdefault(spec.group, {}).setdefault(int(spec.row or 0), {})[spec.key] = converted
    for group, rows in records.items():
        used = [row for row in sorted(rows) if set(rows[row]) - {"year"}]
        built.data[group] = [rows[row] for row in used]
        built.rows[group] = used
    for target, source in COPIED.get(kind, {}).items():
        if source in built.data:
            _put(built.data, target, built.data[source])
    return built


def field_name(path: str, built: Built, kind: str = "") -> str:
    """The form field a profile issue path names: 'finance[0].sales' → 'finance-<row>-sales'."""
    path = COPIED.get(kind, {}).get(path, path)
    match = _LIST_PATH.match(path)
    if match is None:
        return path.replace(".", "-")
    group, index = match["group"], int(match["index"])
    rows = built.rows.get(group, [])
    row = rows[index] if index < len(rows) else index
    rest = (match["rest"] or ("year" if group == "finance" else "type")).split(".")[0]
    return f"{group}-{row}-{rest}"


def check(kind: str, specs: tuple[FieldSpec, ...], raw: dict[str, Any], today: dt.date
          ) -> tuple[ParsedProfile | None, list[tuple[str, ProfileIssue]], Built]:
    """Validate every answer of one kind with the engine.

    Returns:
        (the parsed profile or None, [(form field name, issue)] errors, the Built mapping).
    """
    built = build(kind, specs, raw)
    try:
        parsed = parse_profile(built.data, today)
    except ProfileError as exc:
        engine_issues = [(field_name(i.path, built, kind), i) for i in exc.issues]
        return None, built.issues + engine_issues, built
    if built.issues:
        return None, built.issues, built
    return parsed, [], built


def missing_field(path: str, built: Built, raw: dict[str, Any]) -> str | None:
    """The form field that would settle a missing profile path ('finance[2024].sales' → its column)."""
    match = _LIST_PATH.match(path)
    if match is None:
        return field_name(path, built)
    if match["group"] != "finance":
        return field_name(path, built) if match["group"] in built.rows else None
    rest = (match["rest"] or "year").split(".")[0]
    for name, value in raw.items():
        if name.startswith("finance-") and name.endswith("-year") and str(value).strip() == match["index"]:
            return f"finance-{name.split('-')[1]}-{rest}"
    return None
