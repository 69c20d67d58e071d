"""Render the screening and simulation reports: Jinja templates in web/reports/templates, SVG charts inline."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from engine import __version__
from engine.model import RuleSet
from engine.standards.regions import region_name
from web.reports.screening import Summary
from web.reports.svg import bar_chart, money_wan

OUTCOME_SERIES = [("符合 eligible", "#2e7d32"), ("待定 undetermined", "#f9a825"), ("不符合 ineligible", "#c62828")]
_ENV = Environment(loader=PackageLoader("web.reports", "templates"), autoescape=select_autoescape(["html"]),
                   trim_blocks=True, lstrip_blocks=True)


def wan(value: Any) -> str:
    """Yuan shown as 万元 with two decimals (exact input, display rounding only)."""
    return f"{float(Fraction(value)) / 10_000:,.2f}万元" if value else "—"


def meta(ruleset: RuleSet, as_of: dt.date, **extra: Any) -> dict[str, Any]:
    return {"ruleset_hash": ruleset.hash, "as_of": as_of.isoformat(), "engine": __version__,
            "generated": dt.datetime.now().strftime("%Y-%m-%d %H:%M"), **extra}


def title_of(ruleset: RuleSet, measure_id: str) -> str:
    measure = ruleset.measures.get(measure_id)
    return measure.title.zh if measure else measure_id


def render_screen(summary: Summary, ruleset: RuleSet, info: dict[str, Any]) -> str:
    ids = sorted(summary.counts, key=lambda m: (-summary.counts[m]["eligible"], m))
    shown = [m for m in ids if sum(summary.counts[m][k] for k in ("eligible", "undetermined", "ineligible"))]
    outcome_rows = [(title_of(ruleset, m), [summary.counts[m][k] for k in ("eligible", "undetermined", "ineligible")])
                    for m in shown]
    money = {m: summary.budget[m]["exact"] + summary.budget[m]["up_to"] for m in summary.budget}
    budget_rows = [(title_of(ruleset, m), [float(summary.budget[m]["exact"]), float(summary.budget[m]["up_to"])])
                   for m in sorted(money, key=lambda m: -money[m]) if money[m]]
    districts = sorted(({"code": code, "name": region_name(code) or code or "（未填）",
                         "count": sum(v[0] for v in by_measure.values()),
                         "money": sum(v[1] for v in by_measure.values())}
                        for code, by_measure in summary.districts.items()), key=lambda d: -d["count"])
    district_rows = [(f"{d['name']} {d['code']}", [float(d["count"])]) for d in districts]
    district_money = [(f"{d['name']} {d['code']}", [float(d["money"])]) for d in districts if d["money"]]
    measures = [{"id": m, "title": title_of(ruleset, m), "counts": summary.counts[m], "budget": summary.budget[m]}
                for m in ids]
    return _ENV.get_template("screen.html").render(
        s=summary, meta=info, wan=wan, measures=measures, districts=districts,
        eligible_total=sum(c["eligible"] for c in summary.counts.values()), budget_total=sum(money.values()),
        unpublished=sum(b["unpublished"] for b in summary.budget.values()),
        outcome_chart=bar_chart(outcome_rows, OUTCOME_SERIES, title="outcomes per measure"),
        budget_chart=bar_chart(budget_rows, [("确定金额 exact", "#1565c0"), ("最高 up to", "#90caf9")], fmt=money_wan,
                               title="cash budget per measure"),
        district_chart=bar_chart(district_rows, [("符合（企业×措施）eligible", "#2e7d32")], title="eligible per district"),
        district_budget=bar_chart(district_money, [("预算 budget", "#1565c0")], fmt=money_wan,
                                  title="budget per district") if district_money else "",
    )


def render_simulation(report: Any, current: RuleSet, proposed: RuleSet, info: dict[str, Any]) -> str:
    rows = [(title_of(proposed if m.measure_id in proposed.measures else current, m.measure_id),
             [m.gained, -m.lost]) for m in report.measures if m.gained or m.lost or m.other]
    money = [(title_of(proposed if m.measure_id in proposed.measures else current, m.measure_id),
              [float(m.budget_change)]) for m in report.measures if m.budget_change]
    changed = [m for m in report.measures if m.gained or m.lost or m.other or m.budget_change]
    return _ENV.get_template("simulate.html").render(
        r=report, meta=info, wan=wan, changed=changed, gained=sum(m.gained for m in report.measures),
        lost=sum(m.lost for m in report.measures), change=sum(m.budget_change for m in report.measures),
        title=lambda mid: title_of(proposed if mid in proposed.measures else current, mid),
        flips_chart=bar_chart(rows, [("新增符合 gained", "#2e7d32"), ("不再符合 lost", "#c62828")],
                              title="flips per measure"),
        budget_chart=bar_chart(money, [("预算变化 budget change", "#1565c0")], fmt=money_wan,
                               title="budget change per measure"),
    )
