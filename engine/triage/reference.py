"""The reference evaluator: every triage kind in plain Python with exact Fractions.

It defines what each rule means. durable-rules must agree with it on every input (tested with
hypothesis), and it runs instead of durable-rules where that does not import (Python 3.13).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import product

from engine.triage.exact import exact_text, working_days_between
from engine.triage.facts import LIST_KINDS, ApplicationFacts, Exclusions, Register
from engine.triage.kinds import KINDS, figure
from engine.triage.model import Match, TriageRule


@dataclass(frozen=True)
class Inputs:
    """One triage run's inputs: applications (unique ids), register, exclusions and the clock date."""

    applications: tuple[ApplicationFacts, ...]
    register: Register
    exclusions: Exclusions
    today: dt.date


def evaluate(rules: Sequence[TriageRule], inputs: Inputs) -> list[Match]:
    """Every match of every rule in force, final rules (fast track) after the others; sorted."""
    main = [r for r in rules if not KINDS[r.kind].final]
    matches = sorted({m for rule in main for m in _KIND_FUNCS[rule.kind](rule, inputs)})
    flagged = {m.application_id for m in matches}
    final = [r for r in rules if KINDS[r.kind].final]
    matches += sorted({m for rule in final for m in _fast_track(rule, inputs, flagged)})
    return sorted(matches)


def _pairs(inputs: Inputs) -> Iterator[tuple[ApplicationFacts, ApplicationFacts]]:
    """Ordered pairs of distinct applications."""
    return ((x, y) for x, y in product(inputs.applications, repeat=2) if x.application_id != y.application_id)


def _exclusive(rule: TriageRule, inputs: Inputs) -> Iterator[Match]:
    for x, y in product(inputs.applications, repeat=2):
        if x.credit_code != y.credit_code:
            continue
        for mx, my in product(x.measures, y.measures):
            if inputs.exclusions.excludes(mx, my):
                yield Match.of(rule.id, x.application_id, measure=mx, other_measure=my,
                               other_application=y.application_id)


def _duplicate_project(rule: TriageRule, inputs: Inputs) -> Iterator[Match]:
    for x, y in _pairs(inputs):
        for key in sorted(set(x.project_keys) & set(y.project_keys)):
            yield Match.of(rule.id, x.application_id, project=key, other_application=y.application_id)


def _field_exceeds(rule: TriageRule, inputs: Inputs) -> Iterator[Match]:
    left, right = rule.options["left"], rule.options["right"]
    for app in inputs.applications:
        years = app.figures.finance if left.startswith("finance.") else (None,)
        for year in years:
            lv, rv = figure(app, left, year), figure(app, right, year)
            if lv is not None and rv is not None and lv > rv:
                extra = {"year": year.year} if year is not None else {}
                yield Match.of(rule.id, app.application_id, left=left, right=right,
                               left_value=exact_text(lv), right_value=exact_text(rv), **extra)


def _year_jump(rule: TriageRule, inputs: Inputs) -> Iterator[Match]:
    path, factor = rule.options["field"], rule.parameter("factor", inputs.today)
    for app in inputs.applications:
        years = app.figures.finance
        for prev, cur in zip(years, years[1:], strict=False):
            pv, cv = figure(app, path, prev), figure(app, path, cur)
            consecutive = cur.year == prev.year + 1
            if consecutive and pv is not None and cv is not None and pv > 0 and cv > factor * pv:
                yield Match.of(rule.id, app.application_id, field=path, year=cur.year,
                               previous_year=prev.year, value=exact_text(cv), previous_value=exact_text(pv),
                               factor=exact_text(factor))


def _near_miss(rule: TriageRule, inputs: Inputs) -> Iterator[Match]:
    within = rule.parameter("within", inputs.today)
    for app in inputs.applications:
        for summary in app.decision:
            if summary.measure_id not in app.measures or summary.outcome == "eligible":
                continue
            for gap in summary.gaps:
                if gap.shortfall <= within:
                    yield Match.of(rule.id, app.application_id, measure=summary.measure_id,
                                   condition=gap.condition, shortfall=exact_text(gap.shortfall),
                                   within=exact_text(within))


def ready_for_fast_track(app: ApplicationFacts) -> bool:
    """Applied for something, materials complete, every measure applied for eligible with nothing missing."""
    if not app.measures or app.materials_complete is not True:
        return False
    summaries = [app.summary(mid) for mid in app.measures]
    return all(s is not None and s.outcome == "eligible" and not s.missing for s in summaries)


def _fast_track(rule: TriageRule, inputs: Inputs, flagged: set[str]) -> Iterator[Match]:
    for app in inputs.applications:
        if app.application_id not in flagged and ready_for_fast_track(app):
            yield Match.of(rule.id, app.application_id, measures=",".join(app.measures))


def _same_code_other_name(rule: TriageRule, inputs: Inputs) -> Iterator[Match]:
    for x, y in _pairs(inputs):
        if x.credit_code == y.credit_code and x.name != y.name:
            yield Match.of(rule.id, x.application_id, name=x.name, other_name=y.name,
                           other_application=y.application_id)


def _shared_contact(rule: TriageRule, inputs: Inputs) -> Iterator[Match]:
    field = rule.options["field"]
    for x, y in _pairs(inputs):
        value = getattr(x, field)
        if value is not None and value == getattr(y, field) and x.credit_code != y.credit_code:
            yield Match.of(rule.id, x.application_id, field=field, value=value,
                           other_application=y.application_id, other_credit_code=y.credit_code)


def _register_hit(rule: TriageRule, inputs: Inputs) -> Iterator[Match]:
    for app in inputs.applications:
        for kind in LIST_KINDS:
            declared = getattr(app.declared, kind)
            if declared is True:
                continue
            for entry in inputs.register.entries_for(app.credit_code):
                if entry.kind == kind:
                    yield Match.of(rule.id, app.application_id, list=kind, reason=entry.reason,
                                   declared="no" if declared is False else "unanswered")


def _stale_status(rule: TriageRule, inputs: Inputs) -> Iterator[Match]:
    limit = rule.parameter("working_days", inputs.today)
    for app in inputs.applications:
        waited = working_days_between(app.status_since, inputs.today)
        if app.status.value in rule.options["statuses"] and waited > limit:
            yield Match.of(rule.id, app.application_id, status=app.status.value,
                           since=app.status_since.isoformat(), waited=waited, limit=limit)


_KIND_FUNCS: dict[str, Callable[[TriageRule, Inputs], Iterator[Match]]] = {
    "exclusive_measures": _exclusive,
    "duplicate_project": _duplicate_project,
    "field_exceeds": _field_exceeds,
    "year_jump": _year_jump,
    "near_miss": _near_miss,
    "same_code_other_name": _same_code_other_name,
    "shared_contact": _shared_contact,
    "register_hit": _register_hit,
    "stale_status": _stale_status,
}
