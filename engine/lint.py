"""`rules lint` warnings: expired or superseded sources, unverified sources, band tables with gaps or overlaps.

Errors are the loader's job (a RuleSet that loaded has none); these are the Catala/KIE-style warnings
that keep a catalogue honest over time.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from engine.model import RuleSet
from engine.parameters import BAND_KEYS, ParameterSeries


def lint_ruleset(ruleset: RuleSet, today: dt.date) -> list[str]:
    out: list[str] = []
    for m in sorted(ruleset.measures.values(), key=lambda m: m.id):
        where = f"rules/{m.path}"
        if m.effective_until and m.effective_until < today:
            out.append(f"{where}: [expired] in force until {m.effective_until}; keep for replay, check for a successor")
        if m.status == "possibly_superseded":
            out.append(f"{where}: [possibly-superseded] re-check the source before each application year")
        if m.confidence in ("U", "NF"):
            out.append(f"{where}: [unverified-source] confidence {m.confidence}: verify with the issuing body")
        if not m.tests:
            out.append(f"{where}: [no-tests] the measure has no embedded tests")
        for series in m.parameters.values():
            out += [f"{where}: {msg}" for msg in table_problems(series)]
    for fact in sorted(ruleset.facts.values(), key=lambda f: f.id):
        for series in fact.parameters.values():
            out += [f"rules/{fact.path}: {msg}" for msg in table_problems(series)]
    return sorted(set(out))


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
