"""Render the screening and simulation reports: Jinja templates in web/reports/templates, SVG charts inline."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from engine import __version__
from engine.explain import money as money_text
from engine.model import RuleSet
from engine.reading.labels import CATEGORIES, RESULTS, label
from engine.standards.regions import region_name
from web.reports.screening import Summary
from web.reports.svg import bar_chart, money_wan

COLOURS = {"eligible": "#2e7d32", "conditional": "#66bb6a", "undetermined": "#f9a825", "ineligible": "#c62828",
           "not_applicable": "#9aa5b1"}
_ENV = Environment(loader=PackageLoader("web.reports", "templates"), autoescape=select_autoescape(["html"]),
                   trim_blocks=True, lstrip_blocks=True)


def wan(value: Any) -> str:
    """Yuan shown as 万元 with two decimals (exact input, display rounding only)."""
    return f"{float(Fraction(value)) / 10_000:,.2f}万元" if value else "—"


def meta(ruleset: RuleSet, as_of: dt.date, **extra: Any) -> dict[str, Any]:
    return {"ruleset_hash": ruleset.hash, "as_of": as_of.isoformat(), "engine": __version__,
            "generated": dt.datetime.now().strftime("%Y-%m-%d %H:%M"), **extra}


def title_of(ruleset: RuleSet, measure_id: str, lang: str = "zh") -> str:
    measure = ruleset.measures.get(measure_id)
    return measure.title.get(lang) if measure else ("（已停用的措施）" if lang != "en" else "(a measure no longer in the rules)")


def translator(lang: str) -> Any:
    """`t(zh, en)` for the report templates: one language per report."""
    return lambda zh, en: en if lang == "en" else zh


def render_screen(summary: Summary, ruleset: RuleSet, info: dict[str, Any], lang: str = "zh") -> str:
    """The screening report in one language; outcome columns and chart series from engine.reading.labels."""
    ids = sorted(summary.counts, key=lambda m: (-summary.counts[m].get("eligible", 0), m))
    present = [k for k in CATEGORIES if any(summary.counts[m].get(k) for m in ids)] or ["eligible"]
    charted = [k for k in present if k != "not_applicable"]
    shown = [m for m in ids if sum(summary.counts[m].get(k, 0) for k in charted)]
    outcome_rows = [(title_of(ruleset, m, lang), [summary.counts[m].get(k, 0) for k in charted]) for m in shown]
    money = {m: summary.budget[m]["exact"] + summary.budget[m]["up_to"] for m in summary.budget}
    t = translator(lang)
    amount = wan if lang != "en" else (lambda v: money_text(int(Fraction(v)), "en") if v else "—")
    axis = money_wan if lang != "en" else (lambda v: f"¥{v:,.0f}")
    budget_rows = [(title_of(ruleset, m, lang), [float(summary.budget[m]["exact"]), float(summary.budget[m]["up_to"])])
                   for m in sorted(money, key=lambda m: -money[m]) if money[m]]
    districts = sorted(({"code": code, "name": region_name(code, lang) or code or t("（未填）", "(not given)"),
                         "count": sum(v[0] for v in by_measure.values()),
                         "money": sum(v[1] for v in by_measure.values())}
                        for code, by_measure in summary.districts.items()), key=lambda d: -d["count"])
    district_rows = [(d["name"], [float(d["count"])]) for d in districts]
    district_money = [(d["name"], [float(d["money"])]) for d in districts if d["money"]]
    measures = [{"id": m, "title": title_of(ruleset, m, lang), "counts": summary.counts[m], "budget": summary.budget[m]}
                for m in ids]
    series = [(label(k).get(lang), COLOURS.get(k, "#607d8b")) for k in charted]
    return _ENV.get_template("screen.html").render(
        s=summary, meta=info, wan=amount, measures=measures, districts=districts, lang=lang, t=t,
        outcome_columns=[(k, label(k).get(lang)) for k in present],
        eligible_total=sum(c.get("eligible", 0) for c in summary.counts.values()), budget_total=sum(money.values()),
        unpublished=sum(b["unpublished"] for b in summary.budget.values()),
        outcome_chart=bar_chart(outcome_rows, series, title=t("各措施结果", "outcomes per measure"), empty=t("（无数据）", "(no data)")),
        budget_chart=bar_chart(budget_rows, [(t("确定金额", "exact"), "#1565c0"), (t("最高", "up to"), "#90caf9")],
                               fmt=axis, title=t("各措施现金预算", "cash budget per measure"),
                               empty=t("（无数据）", "(no data)")),
        district_chart=bar_chart(district_rows, [(t("符合（企业×措施）", "eligible (firm × measure)"), "#2e7d32")],
                                 title=t("各区县符合数", "eligible per district"), empty=t("（无数据）", "(no data)")),
        district_budget=bar_chart(district_money, [(t("预算", "budget"), "#1565c0")], fmt=axis,
                                  title=t("各区县预算", "budget per district")) if district_money else "",
    )


def render_simulation(report: Any, current: RuleSet, proposed: RuleSet, info: dict[str, Any], lang: str = "zh") -> str:
    """The simulation report in one language; outcomes and condition results by the reading's labels."""
    t = translator(lang)
    amount = wan if lang != "en" else (lambda v: money_text(int(Fraction(v)), "en") if v else "—")
    axis = money_wan if lang != "en" else (lambda v: f"¥{v:,.0f}")

    def name(mid: str) -> str:
        return title_of(proposed if mid in proposed.measures else current, mid, lang)

    rows = [(name(m.measure_id), [m.gained, -m.lost]) for m in report.measures if m.gained or m.lost or m.other]
    budget = [(name(m.measure_id), [float(m.budget_change)]) for m in report.measures if m.budget_change]
    changed = [m for m in report.measures if m.gained or m.lost or m.other or m.budget_change]
    return _ENV.get_template("simulate.html").render(
        r=report, meta=info, wan=amount, changed=changed, gained=sum(m.gained for m in report.measures),
        lost=sum(m.lost for m in report.measures), change=sum(m.budget_change for m in report.measures),
        title=name, lang=lang, t=t, outcome=lambda value: label(str(value)).get(lang),
        result=lambda value: RESULTS.get(str(value), RESULTS["unknown"]).get(lang),
        flips_chart=bar_chart(rows, [(t("新增符合", "gained"), "#2e7d32"), (t("不再符合", "lost"), "#c62828")],
                              title=t("各措施翻转数", "flips per measure"), empty=t("（无数据）", "(no data)")),
        budget_chart=bar_chart(budget, [(t("预算变化", "budget change"), "#1565c0")], fmt=axis,
                               title=t("各措施预算变化", "budget change per measure"), empty=t("（无数据）", "(no data)")),
    )
