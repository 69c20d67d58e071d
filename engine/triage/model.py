"""What a triage rule *is* once loaded, and what a triage run returns: rules, matches, flags, results."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from engine.errors import Message
from engine.parameters import ParameterSeries

ROUTE_ORDER = ("block", "escalate", "senior_review", "verify", "fast_track")  # strongest first


@dataclass(frozen=True)
class TriageRule:
    """One reviewer flag, declared in rules/triage/<id>.yaml."""

    id: str
    path: str
    kind: str
    title: Message
    message: Message
    severity: str  # info | warn | block
    priority: int
    route: str | None
    options: dict[str, Any]
    parameters: dict[str, ParameterSeries]
    tests: tuple[dict[str, Any], ...] = ()

    def parameter(self, name: str, today: dt.date) -> Any:
        """The value of parameter `name` in force on `today`, or None before its first date."""
        found = self.parameters[name].at(today)
        return found.value if found is not None else None

    def in_force(self, today: dt.date) -> bool:
        return all(series.at(today) is not None for series in self.parameters.values())


@dataclass(frozen=True)
class TriageRuleSet:
    """An immutable, content-addressed set of triage rules; its hash is recorded in every flag."""

    rules: dict[str, TriageRule]
    hash: str
    snapshot: dict[str, Any] = field(repr=False)

    def __repr__(self) -> str:
        return f"TriageRuleSet(hash={self.hash[:12]}, rules={len(self.rules)})"


@dataclass(frozen=True, order=True)
class Match:
    """One rule matching one application, as either engine reports it: details are canonical text."""

    rule_id: str
    application_id: str
    details: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, rule_id: str, application_id: str, **details: Any) -> Match:
        return cls(rule_id, application_id, tuple(sorted((k, str(v)) for k, v in details.items())))


@dataclass(frozen=True)
class Flag:
    """A flag raised on an application; `rule_id` and `ruleset_hash` let a replay reproduce it."""

    rule_id: str
    application_id: str
    severity: str
    priority_delta: int
    route: str | None
    message: Message
    details: dict[str, str]
    ruleset_hash: str

    @property
    def sort_key(self) -> tuple[str, str, tuple[tuple[str, str], ...]]:
        return self.application_id, self.rule_id, tuple(sorted(self.details.items()))


@dataclass(frozen=True)
class TriageResult:
    """Flags (sorted), priority and strongest route per application, and which engine produced them."""

    flags: tuple[Flag, ...]
    priority: dict[str, int]
    routes: dict[str, str | None]
    engine_used: str
    ruleset_hash: str
    inputs_hash: str
    today: dt.date
    skipped: tuple[str, ...] = ()  # rules with a parameter not yet in force on `today`

    def flags_for(self, application_id: str) -> tuple[Flag, ...]:
        return tuple(f for f in self.flags if f.application_id == application_id)
