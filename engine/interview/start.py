"""This file names the fields of the interview's short start page, per applicant kind.

Enterprise: kind, registration date, high-tech field, staff (高企 definitions) and last year's sales — only
what 高企认定 reads (age, the 高企 field knock-out, the staff ratio, the R&D tier). The firm's name decides no
measure (no rule reads it: tests/engine/interview/test_start.py), so the interview never asks it: the result
and the summary say "本企业" until the full form or an application gives it (`named`). The region decides only
local measures, so the plan asks it once a local measure is open (after 高企). The credit code and the
industry are asked only when a measure reads them. Other kinds: their name, area and date, and the required
person fields. The web start page and the benchmark both read this one list.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from engine.interview.fields import field_info

IDENTITY = ("kind", "name", "region_code", "registered_on")
LATER: dict[str, tuple[str, ...]] = {"enterprise": ("name", "region_code")}
"""Identity fields a kind's start page leaves out: the plan asks the region when a local measure needs it; the
name is never a question (no rule reads it)."""
NEUTRAL_NAME = "本企业"
"""The enterprise's name while none is given: the result and summary say "本企业" (no rule reads the name)."""
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
    paths = [p for p in IDENTITY if p == "kind" or (field_info(kind, p) is not None and p not in LATER.get(kind, ()))]
    if kind == "enterprise":
        paths += [*ENTERPRISE, f"finance[{as_of.year - 1}].sales"]
    paths += REQUIRED_PEOPLE.get(kind, ())
    return tuple(paths)


def named(data: dict[str, Any]) -> dict[str, Any]:
    """The answers as the engine needs them: an enterprise without a name gets NEUTRAL_NAME (a new dict; the
    input is untouched). Safe because no rule reads the name: the outcomes are the same whatever it is."""
    if str(data.get("kind", "enterprise")) != "enterprise" or str(data.get("name") or "").strip():
        return data
    return {**data, "name": NEUTRAL_NAME}


def unnamed(name: str | None) -> bool:
    """Whether a profile's name is the neutral one filled in by `named` (no name was given)."""
    return name == NEUTRAL_NAME
