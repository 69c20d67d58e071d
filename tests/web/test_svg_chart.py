"""The server-rendered bar chart's legend wraps inside the chart, however many series a year's statuses give."""

from __future__ import annotations

import re

from web.reports.svg import _width, bar_chart

STATUSES = [("已提交", "#111"), ("审核中", "#222"), ("待补充材料", "#333"), ("已批准", "#444"), ("未通过", "#555"),
            ("已分配资金", "#666"), ("未获资金", "#777"), ("已拨付", "#888"), ("复议中", "#999")]


def _legend(svg: str) -> list[tuple[float, float, str]]:
    return [(float(x), float(y), name) for x, y, name in re.findall(r'<text x="([\d.]+)" y="([\d.]+)" class="legend">([^<]+)<', svg)]


def test_a_long_legend_wraps_and_stays_inside_the_chart() -> None:
    svg = str(bar_chart([("清远市高企奖励", [3, 1, 2, 4, 1, 1, 1, 2, 1])], STATUSES, width=760))
    entries = _legend(svg)
    assert [name for *_, name in entries] == [name for name, _ in STATUSES]
    assert all(x + _width(name) <= 760 for x, _y, name in entries)
    assert len({y for _x, y, _n in entries}) >= 2
    height = float(re.search(r'height="(\d+)"', svg).group(1))  # type: ignore[union-attr]
    assert all(y <= height for _x, y, _n in entries)


def test_a_short_legend_stays_on_one_line() -> None:
    svg = str(bar_chart([("a", [1, 2])], [("符合", "#2e7d32"), ("待定", "#f9a825")]))
    assert len({y for _x, y, _n in _legend(svg)}) == 1
