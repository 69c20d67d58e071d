"""`rules lint`: errors and warnings that keep a catalogue honest over time.

Load errors are the loader's job (a RuleSet that loaded has none). Lint adds the Catala/KIE-style
checks a loadable file can still fail:

- error `benefit-payee`: a cash, loan-compensation or tax benefit that does not say who is paid
  (`payee`) and on what basis (`basis`) — without them no total can tell receivable money apart;
- warning `draft`: the measure is a draft (never eligible, never counted);
- warning `old-amount`: a cash amount whose figure (parameter date, or the source date for a literal)
  is more than six years old and has no `confirmed: {date, source}` on the parameter or the source;
- warning `shared-flag`: a programme flag — a yes/no declaration that a programme's own conditions are
  met, that the firm was selected, that a loan is in a pool (…_met, …selected, in_pool…, profile or
  loan/project record field) — read by more than one measure that do not exclude each other: one
  declaration should not open several programmes;
- warning `jurisdiction-source`: a `jurisdiction:` that differs from the issuer's area with no
  `jurisdiction_source:` saying where the scope comes from;
- warnings `expired`, `possibly-superseded`, `unverified-source`, `no-tests`, `table-*`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from engine.expr.nodes import Call, Literal, Name, Node, Param
from engine.model import Condition, Criterion, Measure, RuleSet
from engine.names import all_profile_names, record_fields
from engine.parameters import BAND_KEYS, ParameterSeries

PAYEE_KINDS = ("cash", "loan_compensation", "tax_rate", "super_deduction")
PAYEE_LEVEL = "error"  # every cash / loan / tax benefit must say who is paid and on what basis
OLD_AFTER_YEARS = 6
RECORD_FLAG_FUNCTIONS = ("filter", "any_of")
PROGRAMME_FLAG = re.compile(r"(conditions_met|_met$|selected|pool|qualified)")


@dataclass(frozen=True, order=True)
class Finding:
    """One lint finding: `rules/<file>: [code] message`, at level error or warning."""

    where: str
    code: str
    message: str
    level: str = "warning"

    def __str__(self) -> str:
        return f"{self.where}: [{self.code}] {self.message}"


def lint_findings(ruleset: RuleSet, today: dt.date) -> list[Finding]:
    """Every error and warning of a loaded RuleSet, sorted (errors first)."""
    out: list[Finding] = []
    for m in sorted(ruleset.measures.values(), key=lambda m: m.id):
        out += _measure_findings(m, today)
    out += _shared_flags(ruleset)
    for fact in sorted(ruleset.facts.values(), key=lambda f: f.id):
        for series in fact.parameters.values():
            out += [_table(f"rules/{fact.path}", msg) for msg in table_problems(series)]
    return sorted(set(out), key=lambda f: (f.level != "error", f.where, f.code, f.message))


def lint_ruleset(ruleset: RuleSet, today: dt.date) -> list[str]:
    """The findings as text lines (errors first)."""
    return [str(f) for f in lint_findings(ruleset, today)]


def _table(where: str, msg: str) -> Finding:
    code, _, rest = msg[1:].partition("] ")
    return Finding(where, code, rest)


def _measure_findings(m: Measure, today: dt.date) -> list[Finding]:
    where = f"rules/{m.path}"
    out: list[Finding] = []
    if m.effective_until and m.effective_until < today:
        out.append(Finding(where, "expired", f"in force until {m.effective_until}; keep for replay, "
                                             "check for a successor"))
    if m.status == "possibly_superseded":
        out.append(Finding(where, "possibly-superseded", "re-check the source before each application year; "
                                                         "set effective.until or confirm the source"))
    if m.status == "draft":
        out.append(Finding(where, "draft", "a draft with no enacted text: never eligible and never counted "
                                           "until the enacted text replaces it"))
    if m.confidence in ("U", "NF"):
        out.append(Finding(where, "unverified-source", f"confidence {m.confidence}: verify with the issuing body"))
    if not m.tests:
        out.append(Finding(where, "no-tests", "the measure has no embedded tests"))
    b = m.benefit
    if b.kind in PAYEE_KINDS and (b.payee is None or b.basis is None):
        lacking = " and ".join(k for k, v in (("payee", b.payee), ("basis", b.basis)) if v is None)
        out.append(Finding(where, "benefit-payee", f"a {b.kind} benefit must say its {lacking} "
                                                   "(payee: applicant|bank|guarantor|third_party; "
                                                   "basis: entitlement|competitive|case_by_case|tax|status)",
                           PAYEE_LEVEL))
    out += _old_amounts(m, where, today)
    if m.jurisdiction_explicit and not m.jurisdiction_source:
        out.append(Finding(where, "jurisdiction-source",
                           f"jurisdiction {list(m.jurisdiction)} narrows or widens the issuer's area without a "
                           "source; add jurisdiction_source: <document and article>"))
    for series in m.parameters.values():
        out += [_table(where, msg) for msg in table_problems(series)]
    return out


def _old_amounts(m: Measure, where: str, today: dt.date) -> list[Finding]:
    if m.benefit.kind != "cash" or m.benefit.amount is None:
        return []
    cutoff = _years_before(today, OLD_AFTER_YEARS)
    source_confirmed = next((s["confirmed"]["date"] for s in (m.source, *m.also) if s.get("confirmed")), None)
    out = []
    params = sorted({n.name for n in m.benefit.amount.walk() if isinstance(n, Param)})
    for name in params:
        series = m.parameters.get(name)
        current = series.at(today) if series else None
        if series is None or current is None or current.effective_from >= cutoff:
            continue
        if series.confirmed is None and source_confirmed is None:
            out.append(Finding(where, "old-amount",
                               f"amount parameter {name} dates from {current.effective_from} (over "
                               f"{OLD_AFTER_YEARS} years old) with no confirmation; add confirmed: {{date, source}} "
                               "or show the current amount as not published"))
    source_date = m.source.get("date")
    if not params and source_date and _as_date(source_date) < cutoff and source_confirmed is None:
        out.append(Finding(where, "old-amount", f"the amount comes from a source dated {source_date} (over "
                                                f"{OLD_AFTER_YEARS} years old) with no confirmation"))
    return out


def _as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _shared_flags(ruleset: RuleSet) -> list[Finding]:
    readers: dict[str, set[str]] = {}
    for m in ruleset.measures.values():
        for flag in flags_read(m):
            readers.setdefault(flag, set()).add(m.id)
    out = []
    for flag, ids in sorted(readers.items()):
        for mid in sorted(ids):
            m = ruleset.measures[mid]
            others = ", ".join(sorted(o for o in ids - {mid} if o not in m.excludes
                                      and mid not in ruleset.measures[o].excludes))
            if others:
                out.append(Finding(f"rules/{ruleset.measures[mid].path}", "shared-flag",
                                   f"programme flag {flag} is also read by {others}: one declaration should not "
                                   "open several programmes (one flag per programme / loan type)"))
    return out


def flags_read(m: Measure) -> set[str]:
    """The programme flags the measure's criteria read directly: `declarations.x_met`, `loans.in_pool_bank`."""
    units = all_profile_names()
    records = record_fields()
    out: set[str] = set()
    for node in _criteria_nodes(m.criteria):
        if isinstance(node, Name) and units.get(node.path) == "bool" and PROGRAMME_FLAG.search(node.path):
            out.add(node.path)
        elif isinstance(node, Call) and node.name in RECORD_FLAG_FUNCTIONS and len(node.args) >= 2:
            key = node.args[1]
            lists = [n.path for n in node.args[0].walk() if isinstance(n, Name) and n.path in records]
            if isinstance(key, Literal) and isinstance(key.value, str):
                out |= {f"{lst}.{key.value}" for lst in lists
                        if records[lst].get(key.value) == "bool" and PROGRAMME_FLAG.search(key.value)}
    return out


def _criteria_nodes(node: Criterion) -> list[Node]:
    if isinstance(node, Condition):
        return node.expr.walk()
    return [n for child in node.children for n in _criteria_nodes(child)]


def table_problems(series: ParameterSeries) -> list[str]:
    """Gaps, overlaps and unreachable rows in band tables (rows of min/over/max/under + value)."""
    out = []
    for dated in series.values:
        rows = dated.value
        if not (isinstance(rows, list) and rows and all(isinstance(r, dict) and "value" in r for r in rows)):
            continue
        name = f"{series.name} (from {dated.effective_from})"
        out += _band_problems(name, rows)
    return out


def _band_problems(name: str, rows: list[dict[str, Any]]) -> list[str]:
    keys = [next((k for k in BAND_KEYS if k in row), None) for row in rows]
    out = []
    if keys[-1] is not None:
        out.append(f"[table-gap] {name}: no default row at the end; values past the last bound match nothing")
    if None in keys[:-1]:
        out.append(f"[table-unreachable] {name}: a default row before the end makes later rows unreachable")
    bounded = [(k, r[k]) for k, r in zip(keys, rows, strict=False) if k is not None]
    lower = [b for k, b in bounded if k in ("min", "over")]
    upper = [b for k, b in bounded if k in ("max", "under")]
    if lower and upper:
        out.append(f"[table-mixed] {name}: mixes lower and upper bounds; order cannot be checked")
    if lower and any(a <= b for a, b in zip(lower, lower[1:], strict=False)):
        out.append(f"[table-overlap] {name}: lower bounds must strictly decrease (first match wins)")
    if upper and any(a >= b for a, b in zip(upper, upper[1:], strict=False)):
        out.append(f"[table-overlap] {name}: upper bounds must strictly increase (first match wins)")
    return out
