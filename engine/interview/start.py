"""This file names the fields of the interview's short start page, per applicant kind.

Enterprise: kind, name, region, registration date, high-tech field, staff (高企 definitions) and last year's
sales: what settles most measures at once (area, age, the 高企 field knock-out, size). The credit code and the
industry are asked only when a measure reads them. Other kinds: their name, area and date, and the required
person fields. The web
start page and the benchmark both read this one list.
"""

from __future__ import annotations

import datetime as dt

from engine.interview.fields import field_info

IDENTITY = ("kind", "name", "region_code", "registered_on")
ENTERPRISE = ("tech_field", "staff.total", "staff.sci_tech")
REQUIRED_PEOPLE = {"talent": ("person.name",), "team": ("leader.name",)}
SAME_AS: dict[str, dict[str, str]] = {"talent": {"person.name": "name"}}
"""Fields a page does not ask because another field already holds the answer (path → source path): a talent's
own name is the applicant's name."""


def shown_start_paths(kind: str, as_of: dt.date) -> tuple[str, ...]:
    """The start page's fields as a person sees them: without the kind (chosen before) and copied fields."""
    return tuple(p for p in start_paths(kind, as_of) if p != "kind" and p not in SAME_AS.get(kind, {}))


def start_paths(kind: str, as_of: dt.date) -> tuple[str, ...]:
    """The profile paths the start page asks before the first plan.

    >>> start_paths("enterprise", dt.date(2026, 6, 30))[-1]
    'finance[2025].sales'
    """
    paths = [p for p in IDENTITY if p == "kind" or field_info(kind, p) is not None]
    if kind == "enterprise":
        paths += [*ENTERPRISE, f"finance[{as_of.year - 1}].sales"]
    paths += REQUIRED_PEOPLE.get(kind, ())
    return tuple(paths)
