"""The triage rule-file format (rules/triage/*.yaml) as pydantic models, extra keys forbidden.

One rule per file; the file stem is the rule id. Kind-specific options (`match:`), parameter names,
message placeholders and the applications inside test cases are checked by engine.triage.loader.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import Field

from engine.schema import Model, Text

Kind = Literal["exclusive_measures", "duplicate_project", "field_exceeds", "year_jump", "near_miss",
               "fast_track", "same_code_other_name", "shared_contact", "register_hit", "stale_status"]
Severity = Literal["info", "warn", "block"]
Route = Literal["fast_track", "senior_review", "verify", "escalate", "block"]
ParamUnit = Literal["ratio", "number", "days"]


class DatedValue(Model):
    value: Any
    source: str | None = None


class Parameter(Model):
    text: Text | None = None
    unit: ParamUnit
    values: dict[dt.date, DatedValue] = Field(min_length=1)


class TriageCase(Model):
    """An embedded test: given applications (and register, exclusions, today) → the ids this rule flags."""

    name: str = Field(min_length=1)
    today: dt.date
    defaults: dict[str, Any] = {}
    applications: list[dict[str, Any]]
    register_: list[dict[str, Any]] = Field([], alias="register")  # `register` shadows BaseModel
    excludes: dict[str, list[str]] = {}
    flagged: list[str]


class TriageRuleFile(Model):
    id: str
    kind: Kind
    title: Text
    basis: Text | None = None
    message: Text
    severity: Severity
    priority: int = 0
    route: Route | None = None
    match: dict[str, Any] = {}
    parameters: dict[str, Parameter] = {}
    tests: list[TriageCase] = []
