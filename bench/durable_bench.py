"""The benchmark rule set (issue 7 appendix) driven through durable-rules, untraced and traced.

durable-rules matches flat messages, so each profile is first flattened in Python (three-year sums
over the years since registration, the latest year's figures): that conversion is part of every
timing. Its C core divides integers as integers, so every ratio is written as an integer comparison
that floor division cannot bend: `x ≤ y·p/q` for a whole x is the same test as `x ≤ ⌊y·p/q⌋`. A rule
set holds at most 1,024 live sessions, so each profile's state is deleted after it is decided; a
catch-all rule keeps a message no rule matches from raising MessageNotHandledException (on a
field of our own: a rule on `+m.sid` makes the first assert hang).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from durable.lang import assert_fact, delete_state, m, ruleset, when_all

from engine.expr.functions import whole_years

MAX_SALES = 200_000_000
Profile = dict[str, Any]


def registered_by(as_of: dt.date, years: int = 1) -> int:
    """The ordinal of the latest registration date that is `years` whole years old on as_of."""
    day = as_of
    while whole_years(day, as_of) < years:
        day -= dt.timedelta(days=1)
    return day.toordinal()


def message_of(p: Profile, as_of: dt.date, sid: str) -> dict[str, Any]:
    """Flatten one profile for durable-rules (three-year sums from the registration year on)."""
    first = max(as_of.year - 3, p["registered_on"].year)
    years = [r for r in p["finance"] if first <= r["year"] < as_of.year]
    last = next((r for r in years if r["year"] == as_of.year - 1), {})
    return {
        "sid": sid, "kind": "profile", "reg": p["registered_on"].toordinal(), "core_ip": bool(p["ip"]["core_ip_owned"]),
        "field": int(p["tech_field"][0]), "staff": p["staff"]["total"], "sci": p["staff"]["sci_tech"],
        "rd3": sum(r["rd_expense"] for r in years), "sales3": sum(r["sales"] for r in years),
        "dom3": sum(r["rd_domestic"] for r in years), "sales_last": last.get("sales", -1),
        "hitech": last.get("hitech_income", -1), "income": last.get("total_income", -1),
        "assets": last.get("total_assets", -1), "score": p["innovation"]["assessed_total"],
        "incident": bool(p["declarations"]["major_incident_prior_year"]),
        "class1": p["ip"]["class1"], "class2": p["ip"]["class2"],
    }


def _hightech_conditions(reg_limit: int) -> dict[str, Any]:
    tier = (((m.sales_last <= 50_000_000) & (m.sales3 <= m.rd3 * 20))
            | ((m.sales_last > 50_000_000) & (m.sales_last <= MAX_SALES) & (m.sales3 <= m.rd3 * 25))
            | ((m.sales_last > MAX_SALES) & (m.sales3 <= m.rd3 * 100 / 3)))
    return {
        "registered_1y": m.reg <= reg_limit, "core_ip": m.core_ip == True,  # noqa: E712 - a durable expression
        "tech_field": (m.field >= 1) & (m.field <= 8), "staff_ratio": m.staff <= m.sci * 10,
        "rd_ratio": tier, "rd_domestic": m.rd3 <= m.dom3 * 5 / 3, "hitech_income": m.income <= m.hitech * 5 / 3,
        "innovation_score": m.score >= 70, "no_major_incident": m.incident == False,  # noqa: E712
    }


def _hightech_negations(reg_limit: int) -> dict[str, Any]:
    tier = (((m.sales_last <= 50_000_000) & (m.sales3 > m.rd3 * 20))
            | ((m.sales_last > 50_000_000) & (m.sales_last <= MAX_SALES) & (m.sales3 > m.rd3 * 25))
            | ((m.sales_last > MAX_SALES) & (m.sales3 > m.rd3 * 100 / 3)))
    return {
        "registered_1y": m.reg > reg_limit, "core_ip": m.core_ip == False,  # noqa: E712
        "tech_field": (m.field < 1) | (m.field > 8), "staff_ratio": m.staff > m.sci * 10,
        "rd_ratio": tier, "rd_domestic": m.rd3 > m.dom3 * 5 / 3, "hitech_income": m.income > m.hitech * 5 / 3,
        "innovation_score": m.score < 70, "no_major_incident": m.incident == True,  # noqa: E712
    }


# Band rules: (points, condition). Lower bounds inclusive; `a/b ≥ p%` as `b ≤ a·100/p` (floor-safe).
def _staff_bands() -> list[tuple[int, Any]]:
    return [(20, m.staff <= m.sci * 10 / 3),
            (16, (m.staff <= m.sci * 4) & (m.staff > m.sci * 10 / 3)),
            (12, (m.staff <= m.sci * 5) & (m.staff > m.sci * 4)),
            (8, (m.staff <= m.sci * 20 / 3) & (m.staff > m.sci * 5)),
            (4, (m.staff <= m.sci * 10) & (m.staff > m.sci * 20 / 3))]


def _rd_bands() -> list[tuple[int, Any]]:
    return [(50, m.sales3 <= m.rd3 * 50 / 3),
            (40, (m.sales3 <= m.rd3 * 20) & (m.sales3 > m.rd3 * 50 / 3)),
            (30, (m.sales3 <= m.rd3 * 25) & (m.sales3 > m.rd3 * 20)),
            (20, (m.sales3 <= m.rd3 * 100 / 3) & (m.sales3 > m.rd3 * 25)),
            (10, (m.sales3 <= m.rd3 * 50) & (m.sales3 > m.rd3 * 100 / 3))]


def _ip_bands() -> list[tuple[int, Any]]:
    return [(30, m.class1 >= 1), (24, (m.class1 == 0) & (m.class2 >= 4)), (18, (m.class1 == 0) & (m.class2 == 3)),
            (12, (m.class1 == 0) & (m.class2 == 2)), (6, (m.class1 == 0) & (m.class2 == 1))]


SIZE = {"staff_size": lambda: m.staff <= 500, "sales_size": lambda: (m.sales_last <= MAX_SALES) & (m.sales_last >= 0),
        "assets_size": lambda: (m.assets <= MAX_SALES) & (m.assets >= 0)}


class DurableBench:
    """One durable-rules rule set for the benchmark rules; `decide(profile)` → (high-tech, tech-SME, trace)."""

    def __init__(self, name: str, as_of: dt.date, traced: bool):
        self.name, self.as_of, self.traced = name, as_of, traced
        self.results: dict[str, dict[str, Any]] = {}
        self.count = 0
        reg_limit = registered_by(as_of)
        with ruleset(name):
            # a rule every message matches, so none raises MessageNotHandledException (`+m.sid` would hang)
            when_all(+m.kind)(lambda c: None)
            if traced:
                self._traced_rules(reg_limit)
            else:
                conditions = list(_hightech_conditions(reg_limit).values())
                both = conditions[0]
                for cond in conditions[1:]:
                    both = both & cond
                when_all(both)(self._setter("hightech", True))
                size = SIZE["staff_size"]() & SIZE["sales_size"]() & SIZE["assets_size"]()
                when_all(size)(self._setter("size", True))
            for key, bands in (("staff_pts", _staff_bands()), ("rd_pts", _rd_bands()), ("ip_pts", _ip_bands())):
                for points, cond in bands:
                    when_all(cond)(self._setter(key, points))

    def _setter(self, key: str, value: Any) -> Callable[[Any], None]:
        results = self.results

        def action(c: Any) -> None:
            results[c.m.sid][key] = value
        return action

    def _recorder(self, cid: str, passed: bool) -> Callable[[Any], None]:
        results = self.results

        def action(c: Any) -> None:
            results[c.m.sid]["trace"][cid] = passed
        return action

    def _traced_rules(self, reg_limit: int) -> None:
        negations = _hightech_negations(reg_limit)
        for cid, cond in _hightech_conditions(reg_limit).items():
            when_all(cond)(self._recorder(cid, True))
            when_all(negations[cid])(self._recorder(cid, False))
        for cid, make in SIZE.items():
            when_all(make())(self._recorder(cid, True))

    def decide(self, profile: Profile) -> tuple[bool, bool, dict[str, bool]]:
        self.count += 1
        sid = str(self.count)
        state: dict[str, Any] = {"trace": {}, "staff_pts": 0, "rd_pts": 0, "ip_pts": 0}
        self.results[sid] = state
        assert_fact(self.name, message_of(profile, self.as_of, sid))
        delete_state(self.name, sid)
        del self.results[sid]
        trace = state["trace"]
        if self.traced:
            hightech = len(trace) >= 9 and all(trace.get(cid) for cid in _CONDITION_IDS)
            size = all(trace.get(cid) for cid in SIZE)
        else:
            hightech, size = state.get("hightech", False), state.get("size", False)
        score = state["staff_pts"] + state["rd_pts"] + state["ip_pts"]
        return hightech, size and state["staff_pts"] > 0 and score >= 60, trace


_CONDITION_IDS = ("registered_1y", "core_ip", "tech_field", "staff_ratio", "rd_ratio", "rd_domestic",
                  "hitech_income", "innovation_score", "no_major_incident")
