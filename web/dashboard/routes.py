"""This file defines the dashboard of the bureau's year: applications by call and status and by measure; money per
call (budget, approved, put into the allocation, allocated, paid); processing times. Each chart is a
server-rendered SVG (web.reports.svg: no JavaScript, no CDN) with its table beside it."""

from __future__ import annotations

from typing import Any

from flask import render_template

from engine.errors import Message
from web.access import role_required
from web.bureau import stored
from web.bureau.present import wan
from web.dashboard import bp
from web.db_session import db
from web.extensions import current_ruleset
from web.i18n import current_lang, tr
from web.reports.svg import bar_chart, money_wan
from web.store import dashboard_queries

STATUS_COLOURS = {"decided": "#90a4ae", "submitted": "#b0bec5", "in_review": "#1e88e5", "info_requested": "#fb8c00",
                  "escalated": "#8e24aa", "appeal": "#6d4c41", "approved": "#43a047", "rejected": "#e53935",
                  "withdrawn": "#9e9e9e", "funded": "#2e7d32", "not_funded": "#f9a825", "paid": "#00695c"}
MONEY_SERIES = (("budget", "#90a4ae"), ("approved", "#1e88e5"), ("requested", "#8e24aa"), ("allocated", "#43a047"),
                ("paid", "#00695c"))

NO_CALL = Message("（无申报通知）", "(no call)")
COUNT = Message("申请数", "applications")
TITLES = (Message("各申报通知的申请状态", "applications by call and status"),
          Message("申请最多的政策措施", "measures most applied for"),
          Message("各申报通知的资金", "money per call"),
          Message("办理时间（中位数，天）", "processing times (median, days)"))
TIME_SERIES = (("median_days_to_decision", Message("至审核决定", "to decision"), "#1e88e5"),
               ("median_days_to_final", Message("至分配定稿", "to final allocation"), "#43a047"))
MONEY_LABELS = {"budget": Message("预算", "budget"), "approved": Message("核定", "approved"),
                "requested": Message("参与分配", "in allocation"), "allocated": Message("已分配", "allocated"),
                "paid": Message("已拨付", "paid")}


def _legend(name: str) -> str:
    """A legend name padded for web.reports.svg's legend spacing (9 px a character; a CJK one is ~13 px): the
    trailing spaces render as nothing but move the next legend entry clear of this one."""
    wide = sum(1 for char in name if ord(char) > 0x2E80)
    return name + " " * -(-wide * 5 // 9)


@bp.route("/")
@role_required("admin", "reviewer")
def index() -> str:
    session, lang, ruleset = db(), current_lang(), current_ruleset()
    calls = dashboard_queries.calls(session)
    status = dashboard_queries.by_call_status(session)
    statuses = [s for s in STATUS_COLOURS if any(s in counts for counts in status.values())]
    names = {s: tr(stored.status_label(s)) for s in statuses}

    def call_name(call_id: Any) -> str:
        return f"#{call_id} {calls[call_id].title}" if call_id in calls else tr(NO_CALL)

    status_rows = [(call_name(c), [counts.get(s, 0) for s in statuses]) for c, counts in status.items()]
    measures = [(tr(ruleset.measures[m].title) if m in ruleset.measures else m, n)
                for m, n in dashboard_queries.by_measure(session)]
    money = dashboard_queries.money(session)
    labels = {key: tr(MONEY_LABELS[key]) for key, _colour in MONEY_SERIES}
    times = dashboard_queries.times(session)
    money_rows = [(f"#{m.call_id} · {labels[key]}", [getattr(m, key) if k == key else 0 for k, _c in MONEY_SERIES])
                  for m in money for key, _colour in MONEY_SERIES]
    return render_template(
        "dashboard/index.html", status=status, statuses=statuses, names=names, call_name=call_name,
        status_chart=bar_chart(status_rows, [(_legend(names[s]), STATUS_COLOURS[s]) for s in statuses],
                                title=tr(TITLES[0])),
        measures=measures, measure_chart=bar_chart([(m, [n]) for m, n in measures], [(_legend(tr(COUNT)), "#1e88e5")],
                                                   title=tr(TITLES[1])),
        money=money, money_labels=labels, money_chart=bar_chart(money_rows, [(_legend(labels[k]), c) for k, c in MONEY_SERIES],
                                                                fmt=money_wan, title=tr(TITLES[2])),
        times=times, times_chart=_times_chart(times), wan=lambda v: wan(v, lang))


def _times_chart(times: list[dashboard_queries.Times]) -> Any:
    """Median days per call, one bar per (call, span); a span with no median (none yet, or only times that
    disagree) has no bar: missing is not zero, and the table beside says "—"."""
    rows = [(f"#{t.call_id or '—'} · {tr(label)}", [getattr(t, key) if k == key else 0 for k, _l, _c in TIME_SERIES])
            for t in times for key, label, _colour in TIME_SERIES if getattr(t, key) is not None]
    return bar_chart(rows, [(_legend(tr(label)), colour) for _k, label, colour in TIME_SERIES],
                     fmt=lambda v: f"{v:,.1f}", title=tr(TITLES[3]))
