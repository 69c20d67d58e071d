"""This file defines the reviewer's queue as a pure function: rows in, filtered, sorted and paged rows out.

Filters: measure (applied for, or decided on when the application covers every measure), issuer (of
such a measure), outcome (some measure — or the chosen measure — has it), flags (any, none, a severity or
a triage rule), status ("open": not approved, rejected or withdrawn; "all"; or one status), age
(waiting longer than N days). Sorts: priority (highest first), amount (largest first), age (oldest
first); ties by application id. Reading every open row is fine at a bureau's scale (hundreds a year);
the store keeps the filter columns indexed should that change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from engine.model import RuleSet
from web.store.queries import CLOSING_STATUSES

PAGE_SIZE = 20
CLOSED = CLOSING_STATUSES


@dataclass(frozen=True)
class Filters:
    measure: str = ""
    issuer: str = ""
    outcome: str = ""
    flags: str = ""
    status: str = "open"
    age: int = 0
    sort: str = "priority"
    page: int = 1


@dataclass(frozen=True)
class Page:
    rows: list[Any]
    total: int
    page: int
    pages: int


def _measures_of(row: Any) -> tuple[str, ...]:
    return row.measures or tuple(m for m, o in row.outcomes.items() if o != "not_applicable")


def _keep(row: Any, f: Filters, ruleset: RuleSet, flags: Sequence[Any], today: dt.date) -> bool:
    measures = _measures_of(row)
    if f.status == "open" and row.status in CLOSED or f.status not in ("", "open", "all") and row.status != f.status:
        return False
    if f.measure and f.measure not in measures:
        return False
    if f.issuer and not any(ruleset.measures[m].issuer == f.issuer for m in measures if m in ruleset.measures):
        return False
    if f.outcome:
        looked = (f.measure,) if f.measure else measures
        if not any(row.outcomes.get(m) == f.outcome for m in looked):
            return False
    if f.age and row.age_days(today) <= f.age:
        return False
    return _flags_match(f.flags, flags)


def _flags_match(wanted: str, flags: Sequence[Any]) -> bool:
    if not wanted:
        return True
    if wanted == "any":
        return bool(flags)
    if wanted == "none":
        return not flags
    if wanted in ("block", "warn", "info"):
        return any(flag.severity == wanted for flag in flags)
    return any(flag.rule_id == wanted for flag in flags)


SORT_KEYS = {
    "priority": lambda r: (-r.priority, r.submitted_at, r.application_id),
    "amount": lambda r: (-r.amount, -r.priority, r.application_id),
    "age": lambda r: (r.submitted_at, r.application_id),
}


def select_rows(rows: Sequence[Any], f: Filters, ruleset: RuleSet, flags: Mapping[int, Sequence[Any]],
                today: dt.date) -> Page:
    """The page of the queue the filters ask for (page numbers past the end show the last page)."""
    kept = [r for r in rows if _keep(r, f, ruleset, flags.get(r.application_id, ()), today)]
    kept.sort(key=SORT_KEYS.get(f.sort, SORT_KEYS["priority"]))
    pages = max(1, -(-len(kept) // PAGE_SIZE))
    page = min(max(1, f.page), pages)
    return Page(kept[(page - 1) * PAGE_SIZE: page * PAGE_SIZE], len(kept), page, pages)
