"""Triage inputs as durable-rules messages: plain JSON facts, every number pre-computed exactly.

durable-rules gets no arithmetic to do. Each numeric test of a rule becomes two order keys
(engine.triage.exact) that its C core compares as text: `l > r` for field_exceeds and year_jump,
`l >= r` for near_miss, `due < today` for stale_status (working-day numbers, parameters added here).
What a flag should say about a compared figure stays on the Python side, in `details` under `ref`.
No fact is asserted twice (durable-rules refuses an identical fact with MessageObservedException).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from engine.canonical import canonical_json
from engine.triage.exact import cross_keys, exact_text, order_key, working_day_number, working_days_between
from engine.triage.facts import LIST_KINDS, ApplicationFacts
from engine.triage.kinds import CONTACT_FIELDS, figure
from engine.triage.model import TriageRule
from engine.triage.reference import Inputs

Fact = dict[str, Any]


@dataclass
class Encoded:
    facts: list[Fact] = field(default_factory=list)
    details: dict[int, dict[str, Any]] = field(default_factory=dict)

    def add(self, fact: Fact, details: dict[str, Any] | None = None) -> None:
        if details is not None:
            fact = {**fact, "ref": len(self.details)}
            self.details[fact["ref"]] = details
        self.facts.append(fact)

    def unique(self) -> list[Fact]:
        seen: dict[str, Fact] = {}
        for fact in self.facts:
            seen.setdefault(canonical_json(fact), fact)
        return list(seen.values())


def encode(rules: list[TriageRule], inputs: Inputs) -> Encoded:
    """The facts of one run: applications, register, exclusions, the clock, and per-rule comparisons."""
    out = Encoded()
    today = order_key(working_day_number(inputs.today))
    out.add({"t": "clock", "today": today, "date": inputs.today.isoformat()})
    for app in inputs.applications:
        for fact in _application_facts(app):
            out.add(fact)
    for i, entry in enumerate(inputs.register.entries):
        out.add({"t": "listed", "org": entry.credit_code, "list": entry.kind, "reason": entry.reason, "n": i})
    for rule in rules:
        _ENCODERS.get(rule.kind, _nothing)(rule, inputs, out)
    return out


def _application_facts(app: ApplicationFacts) -> Iterator[Fact]:
    who = {"app": app.application_id, "org": app.credit_code}
    materials = {True: "yes", False: "no", None: "unknown"}[app.materials_complete]
    yield {"t": "app", **who, "name": app.name, "materials": materials,
           "n_measures": len(app.measures), "measures": ",".join(app.measures)}
    for mid in app.measures:
        summary = app.summary(mid)
        yield {"t": "applied", **who, "measure": mid}
        yield {"t": "result", **who, "measure": mid, "outcome": summary.outcome if summary else "absent",
               "missing": len(summary.missing) if summary else 0}
    for key in app.project_keys:
        yield {"t": "project", **who, "key": key}
    for name in CONTACT_FIELDS:
        value = getattr(app, name)
        if value is not None:
            yield {"t": "contact", **who, "field": name, "value": value}
    for kind in LIST_KINDS:
        answer = {True: "yes", False: "no", None: "unanswered"}[getattr(app.declared, kind)]
        yield {"t": "declared", **who, "list": kind, "answer": answer}


def _nothing(rule: TriageRule, inputs: Inputs, out: Encoded) -> None:
    return None


def _exclusive(rule: TriageRule, inputs: Inputs, out: Encoded) -> None:
    for a, b in sorted(inputs.exclusions.pairs):
        out.add({"t": "excludes", "rule": rule.id, "a": a, "b": b})


def _field_exceeds(rule: TriageRule, inputs: Inputs, out: Encoded) -> None:
    left, right = rule.options["left"], rule.options["right"]
    for app in inputs.applications:
        years = app.figures.finance if left.startswith("finance.") else (None,)
        for year in years:
            lv, rv = figure(app, left, year), figure(app, right, year)
            if lv is None or rv is None:
                continue
            kl, kr = cross_keys(lv, rv)
            extra = {"year": year.year} if year is not None else {}
            out.add({"t": "cmp", "rule": rule.id, "app": app.application_id, "l": kl, "r": kr},
                    {"left": left, "right": right, "left_value": exact_text(lv),
                     "right_value": exact_text(rv), **extra})


def _year_jump(rule: TriageRule, inputs: Inputs, out: Encoded) -> None:
    path, factor = rule.options["field"], rule.parameter("factor", inputs.today)
    for app in inputs.applications:
        years = app.figures.finance
        for prev, cur in zip(years, years[1:], strict=False):
            pv, cv = figure(app, path, prev), figure(app, path, cur)
            if cur.year != prev.year + 1 or pv is None or cv is None or pv <= 0:
                continue
            kl, kr = cross_keys(cv, factor * pv)
            out.add({"t": "cmp", "rule": rule.id, "app": app.application_id, "l": kl, "r": kr},
                    {"field": path, "year": cur.year, "previous_year": prev.year, "value": exact_text(cv),
                     "previous_value": exact_text(pv), "factor": exact_text(factor)})


def _near_miss(rule: TriageRule, inputs: Inputs, out: Encoded) -> None:
    within = rule.parameter("within", inputs.today)
    for app in inputs.applications:
        for summary in app.decision:
            for gap in summary.gaps:
                kl, kr = cross_keys(within, gap.shortfall)
                out.add({"t": "gap", "rule": rule.id, "app": app.application_id,
                         "measure": summary.measure_id, "outcome": summary.outcome, "l": kl, "r": kr},
                        {"measure": summary.measure_id, "condition": gap.condition,
                         "shortfall": exact_text(gap.shortfall), "within": exact_text(within)})


def _stale_status(rule: TriageRule, inputs: Inputs, out: Encoded) -> None:
    limit = rule.parameter("working_days", inputs.today)
    for app in inputs.applications:
        due = working_day_number(app.status_since) + limit
        out.add({"t": "wait", "rule": rule.id, "app": app.application_id, "status": app.status.value,
                 "due": order_key(due)},
                {"status": app.status.value, "since": app.status_since.isoformat(),
                 "waited": working_days_between(app.status_since, inputs.today), "limit": limit})


_ENCODERS = {
    "exclusive_measures": _exclusive,
    "field_exceeds": _field_exceeds,
    "year_jump": _year_jump,
    "near_miss": _near_miss,
    "stale_status": _stale_status,
}
