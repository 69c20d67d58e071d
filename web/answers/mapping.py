"""This file maps form answers to a profile and the engine's findings back to form fields.

`build(kind, specs, raw)` turns what the user typed (field name → text) into the raw profile mapping
`parse_profile` takes: money from 万元 to whole yuan (exactly, `parse_money(default_unit="wan")`),
是/否/未回答 to true/false/absent, blank answers left out (unknown, never zero or "no"), empty table rows
dropped. Everything else goes to the engine as typed, so the engine's own checks and messages apply.
`check` then runs `parse_profile` and returns each issue with the form field it belongs to.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from engine import parse_profile
from engine.errors import Message, ProfileError, ProfileIssue
from engine.interview.start import named
from engine.profile import ParsedProfile
from engine.standards.money import MAGNITUDE_LIMIT_YUAN, WAN, MoneyFormatError, magnitude_issue, parse_money
from web.answers.specs import FieldSpec
from web.answers.steps import COPIED, NONE_FILLS

WAN_YUAN = 10_000

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


def _none_answers(built: Built, none_of: set[str]) -> None:
    """"没有" answers: an empty list; for a record (an R&D centre), the field saying it does not exist — unless
    figures of it are typed beside the box (they say it exists: the figures win)."""
    for group in none_of:
        if group in NONE_FILLS:
            section = built.data.setdefault(group, {})
            if not section:
                section.update(NONE_FILLS[group])
        else:
            built.data.setdefault(group, [])


def build(kind: str, specs: tuple[FieldSpec, ...], raw: dict[str, Any]) -> Built:
    """The raw profile mapping for `parse_profile`, from the answers of every page of one kind."""
    built = Built({"kind": kind})
    records: dict[str, dict[int, dict[str, Any]]] = {}
    none_of: set[str] = set()
    for spec in specs:
        value = raw.get(spec.name)
        if value in (None, "", []):
            continue
        if spec.kind == "none":  # "none of these": an empty list, a known answer (blank rows stay unknown)
            if str(value) == "true":
                none_of.add(spec.path)
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
    _none_answers(built, none_of)
    for target, source in COPIED.get(kind, {}).items():
        if source in built.data:
            _put(built.data, target, built.data[source])
    _unit_slips(specs, raw, built)
    return built


SLIP_FACTOR = 10_000
SAME_LINE_FACTOR = 1_000
"""An amount at least SLIP_FACTOR times the firm's sales, or SAME_LINE_FACTOR times the same line of another
year (a yuan figure typed in a 万元 field is 10,000 times too large; a firm's sales do not grow 1,000-fold in a
year), or above the standard's plausibility bound (engine.standards.money.MAGNITUDE_LIMIT_YUAN, 1,000亿元 — below
the 10亿万元 the issue names, so it catches more), was most likely typed in yuan: the page says so beside the field and offers
the ÷10,000 correction in one click; the user may also confirm it."""


def slip_correction(text: str) -> str:
    """The 万元 figure a yuan amount typed in a 万元 field stands for: '46000000' → '4600'."""
    value = Decimal(money_to_yuan(text)) / WAN_YUAN / WAN_YUAN
    return format(value.normalize(), "f") if value == value.to_integral() else format(round(value, 4), "f")


def _typed_yuan(raw: dict[str, Any], name: str) -> int | None:
    try:
        return money_to_yuan(str(raw[name])) if raw.get(name) not in (None, "") else None
    except MoneyFormatError:
        return None


def _unit_slips(specs: tuple[FieldSpec, ...], raw: dict[str, Any], built: Built) -> None:
    money = {s.name: s for s in specs if s.kind == "money"}
    typed = {name: v for name in money if (v := _typed_yuan(raw, name)) is not None}
    sales = [v for name, v in typed.items() if money[name].group == "finance" and money[name].key == "sales"]
    for name, yuan in typed.items():
        spec = money[name]
        same_line = [v for n, v in typed.items() if n != name and spec.group == "finance"
                     and money[n].group == "finance" and money[n].key == spec.key and v > 0]
        others = [v for v in sales if v != yuan]
        implausible = (yuan > MAGNITUDE_LIMIT_YUAN or any(yuan >= SLIP_FACTOR * v for v in others if v > 0)
                       or any(yuan >= SAME_LINE_FACTOR * v for v in same_line))
        if implausible:
            fixed = slip_correction(str(raw[name]))
            built.warnings.append((name, ProfileIssue(spec.path, "MONEY_UNIT_SLIP", Message(
                f"这个金额（{raw[name]}万元）远大于企业规模，可能按“元”填写了。本栏单位是万元：应为 {fixed} 万元？",
                f"This amount ({raw[name]} 万元) is far too large for the firm: was it typed in yuan? "
                f"This field is in 万元 (10,000 yuan): {fixed} 万元?"), severity="warning")))


def _without(data: Any, path: str) -> Any:
    """A copy of profile data without the value at `path` ("finance[0].sales", "credit_code")."""
    out = copy.deepcopy(data)
    node: Any = out
    parts = [(m["name"], m["index"]) for m in re.finditer(r"(?P<name>\w+)(?:\[(?P<index>\d+)\])?", path)]
    for position, (name, index) in enumerate(parts):
        last = position == len(parts) - 1
        if not isinstance(node, dict) or name not in node:
            return out
        if index is None:
            if last:
                node.pop(name)
                return out
            node = node[name]
        else:
            items = node[name]
            if not isinstance(items, list) or int(index) >= len(items):
                return out
            if last:
                items.pop(int(index))
                return out
            node = items[int(index)]
    return out


def every_issue(data: dict[str, Any], today: dt.date, first: ProfileError, rounds: int = 1) -> list[ProfileIssue]:
    """Every problem of the data in one round: the format errors the parser stops at, then the checks (credit
    code check digit, dates, years) it would run once those fields are fixed — found by setting the faulty
    fields aside and parsing again, so a page never shows its errors in two rounds."""
    issues = list(first.issues)
    current = data
    for _ in range(rounds):
        for issue in issues:
            current = _without(current, issue.path)
        try:
            parse_profile(current, today)
            break
        except ProfileError as exc:
            new = [i for i in exc.issues if (i.path, i.code) not in {(j.path, j.code) for j in issues}]
            if not new:
                break
            issues += new
    return issues


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


def check(kind: str, specs: tuple[FieldSpec, ...], raw: dict[str, Any], today: dt.date, *, unnamed: bool = False
          ) -> tuple[ParsedProfile | None, list[tuple[str, ProfileIssue]], Built]:
    """Validate every answer of one kind with the engine.

    Args:
        unnamed: an enterprise without a name is checked as "本企业" (engine.interview.start.named: the
            self-check, where no rule reads the name); False where the name is needed (applying).

    Returns:
        (the parsed profile or None, [(form field name, issue)] errors, the Built mapping).
    """
    built = build(kind, specs, raw)
    if unnamed:
        built.data = named(built.data)
    try:
        parsed = parse_profile(built.data, today)
    except ProfileError as exc:
        issues = every_issue(built.data, today, exc)
        engine_issues = [(field_name(i.path, built, kind), i) for i in issues]
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


@dataclass
class Restored:
    """Form answers rebuilt from a profile: per page, the table row counts, and what had no form field."""

    pages: dict[str, dict[str, Any]]
    rows: dict[str, int]
    dropped: list[str]


def _text(spec: FieldSpec, value: Any) -> Any:
    """A profile value as the form shows it: yuan → 万元, booleans → true/false, dates → ISO."""
    if spec.kind == "money" and isinstance(value, int) and not isinstance(value, bool):
        return format(Decimal(value) / WAN_YUAN, "f").rstrip("0").rstrip(".") if value % WAN_YUAN else str(value // WAN_YUAN)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return [str(v) for v in value]
    return str(value)


def _leaves(data: Any, prefix: str = "") -> list[str]:
    if isinstance(data, dict):
        return [p for k, v in data.items() for p in _leaves(v, f"{prefix}.{k}" if prefix else str(k))]
    if isinstance(data, list) and data and all(isinstance(v, dict) for v in data):
        return [p for i, v in enumerate(data) for p in _leaves(v, f"{prefix}[{i}]")]
    return [prefix]


def unbuild(kind: str, pages_: tuple[Any, ...], dumped: dict[str, Any], finance_rows: int) -> Restored:
    """The form answers of a parsed profile (`model_dump()` of it, defaults and None left out).

    Fiscal years fill the finance columns (the latest `finance_rows` years); other record lists become
    table rows. Paths with no form field are returned in `dropped` so the page can say what was not kept.
    """
    copied = {source: target for target, source in COPIED.get(kind, {}).items()}
    records = {g: list(dumped.get(g) or []) for g in ("finance", "certificates", "loans", "projects")}
    dropped: list[str] = []
    if len(records["finance"]) > finance_rows:
        older = records["finance"][:-finance_rows]
        dropped += [f"finance[{i}].year" for i in range(len(older))]
        records["finance"] = records["finance"][-finance_rows:]
    out: dict[str, dict[str, Any]] = {}
    used: set[str] = set()
    for page in pages_:
        values: dict[str, Any] = {}
        for spec in page.specs:
            if spec.kind == "none":
                fills = NONE_FILLS.get(spec.path)
                given = dumped.get(spec.path)
                if given == [] or (fills and isinstance(given, dict) and all(given.get(k) == v for k, v in fills.items())):
                    values[spec.name] = "true"
                    used |= {f"{spec.path}.{k}" for k in fills or {}}
                continue
            if spec.group is not None:
                rows = records.get(spec.group, [])
                value = rows[int(spec.row or 0)].get(spec.key) if int(spec.row or 0) < len(rows) else None
                used.add(spec.group)
            else:
                node: Any = dumped
                for part in spec.path.split("."):
                    node = node.get(part) if isinstance(node, dict) else None
                value = node
                used.add(spec.path)
            if value not in (None, "", []):
                values[spec.name] = _text(spec, value)
        out[page.id] = values
    for path in _leaves({k: v for k, v in dumped.items() if k != "kind"}):
        head = path.split("[")[0].split(".")[0]
        if path not in used and head not in used and path not in copied.values() and path not in copied:
            dropped.append(path)
    rows = {g: len(records[g]) for g in ("certificates", "loans", "projects") if records[g]}
    return Restored(out, rows, dropped)
