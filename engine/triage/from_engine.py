"""Build ApplicationFacts from what the engine already has: a validated profile and its Decision.

The web layer adds what only it knows (application id, status and since when, contacts, whether the
materials are complete). For talents and teams the organisation is the employer or host.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from engine.decision import Decision
from engine.lifecycle import State
from engine.triage.facts import (
    ApplicationFacts,
    Declared,
    Figures,
    FiscalYear,
    GapSummary,
    MeasureSummary,
    Staff,
)

_YEAR_FIELDS = ("sales", "total_income", "hitech_income", "rd_expense", "total_assets", "net_assets")


def application_facts(application_id: str, profile: Any, decision: Decision, *, measures: Iterable[str],
                      status: State | str, status_since: dt.date, contact_phone: str | None = None,
                      contact_email: str | None = None,
                      materials_complete: bool | None = None) -> ApplicationFacts:
    """The triage view of one application.

    Args:
        profile: the applicant profile (or a ParsedProfile) the Decision was made on.
        decision: engine.evaluate(...) of that profile; only the measures applied for are summarised.
        measures: ids of the measures applied for.
    """
    profile = getattr(profile, "profile", profile)
    applied = tuple(dict.fromkeys(measures))
    return ApplicationFacts(
        application_id=application_id,
        credit_code=_first(profile, "credit_code", "employer_credit_code", "host_credit_code") or "",
        name=_first(profile, "employer_name", "host_name", "name") or "",
        contact_phone=contact_phone, contact_email=contact_email,
        measures=applied,
        project_keys=tuple(dict.fromkeys(p.key for p in getattr(profile, "projects", []) or [])),
        status=State(status), status_since=status_since,
        decision=tuple(_summary(r) for r in decision.results if r.measure_id in applied),
        figures=_figures(profile),
        declared=_declared(getattr(profile, "declarations", None)),
        materials_complete=materials_complete,
    )


def _first(profile: Any, *names: str) -> str | None:
    return next((v for n in names if (v := getattr(profile, n, None))), None)


def _summary(result: Any) -> MeasureSummary:
    gaps = tuple(GapSummary(condition=g.condition, shortfall=g.shortfall)
                 for g in result.gaps if g.shortfall > 0)
    return MeasureSummary(measure_id=result.measure_id, outcome=result.outcome.value,
                          missing=tuple(result.missing), gaps=gaps)


def _figures(profile: Any) -> Figures:
    staff = getattr(profile, "staff", None)
    years = getattr(profile, "finance", None) or []
    return Figures(
        staff=Staff(total=getattr(staff, "total", None), sci_tech=getattr(staff, "sci_tech", None)),
        finance=tuple(FiscalYear(year=y.year, **{f: getattr(y, f, None) for f in _YEAR_FIELDS})
                      for y in years),
    )


def _declared(declarations: Any) -> Declared:
    if declarations is None:
        return Declared()
    a = declarations.major_incident_prior_year
    b = getattr(declarations, "major_incident_or_misconduct", None)
    incident = True if True in (a, b) else (False if a is False and b is False else None)
    return Declared(dishonesty=declarations.on_serious_dishonesty_list, incident=incident)
