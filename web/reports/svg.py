"""Inline SVG bar charts for the HTML reports: no JavaScript, no CDN, every label escaped.

    bar_chart([("高企认定", [120, 30, 50])], [("符合", "#2e7d32"), ("待定", "#f9a825"), ("不符合", "#c62828")])

Horizontal bars, one per row, stacked by series; the total is printed at the end of each bar. Values
must be non-negative; a negative value (a budget cut in a simulation) draws to the left of an axis.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape

from markupsafe import Markup

LABEL_WIDTH = 250
ROW_HEIGHT = 22
BAR_HEIGHT = 14


def _width(value: str) -> float:
    """The drawn width of a text at 12 px (a CJK character about 12 px, others about 7)."""
    return sum(12 if ord(char) > 0x2E80 else 7 for char in value)


def _legend_rows(series: Sequence[tuple[str, str]], left: int, right: int) -> list[list[tuple[int, str, str]]]:
    """The legend's entries as (x, name, colour) in rows that wrap before `right`: a long legend never runs off."""
    rows: list[list[tuple[int, str, str]]] = [[]]
    x = left
    for name, color in series:
        size = 16 + int(_width(name)) + 14
        if rows[-1] and x + size > right:
            rows.append([])
            x = left
        rows[-1].append((x, name, color))
        x += size
    return rows


def _text(value: str, limit: float = LABEL_WIDTH - 12) -> str:
    """The label, cut to fit `limit` pixels at 12 px (a CJK character about 12 px, others about 7)."""
    width, out = 0.0, list[str]()
    for char in value:
        width += 12 if ord(char) > 0x2E80 else 7
        if width > limit:
            return escape("".join(out[:-1]) + "…")
        out.append(char)
    return escape(value)


def _fmt_number(value: float) -> str:
    return f"{value:,.0f}"


def bar_chart(rows: Sequence[tuple[str, Sequence[float]]], series: Sequence[tuple[str, str]],
              width: int = 760, fmt: Callable[[float], str] = _fmt_number, title: str = "",
              empty: str = "（无数据 / no data）") -> Markup:
    """A stacked horizontal bar chart as an <svg> element (values may be negative: a signed axis)."""
    if not rows:
        return Markup('<p class="empty">{0}</p>').format(empty)
    lows = [sum(v for v in values if v < 0) for _, values in rows]
    highs = [sum(v for v in values if v > 0) for _, values in rows]
    low, high = min([0.0, *lows]), max([0.0, *highs])
    span = (high - low) or 1.0
    plot = width - LABEL_WIDTH - 110
    zero = LABEL_WIDTH + plot * (-low / span)
    legend = _legend_rows(series, LABEL_WIDTH, width - 4)
    plot_height = ROW_HEIGHT * len(rows) + 10
    height = plot_height + 18 * len(legend) + 6
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">']
    for index, (label, values) in enumerate(rows):
        y = 6 + index * ROW_HEIGHT
        parts.append(f'<text x="{LABEL_WIDTH - 8}" y="{y + 11}" text-anchor="end" class="label">'
                     f'<title>{escape(label)}</title>{_text(label)}</text>')
        pos, neg = zero, zero
        for value, (name, color) in zip(values, series, strict=False):
            size = plot * abs(value) / span
            if size <= 0:
                continue
            x = pos if value > 0 else neg - size
            parts.append(f'<rect x="{x:.1f}" y="{y}" width="{size:.1f}" height="{BAR_HEIGHT}" fill="{color}">'
                         f'<title>{escape(name)}: {escape(fmt(value))}</title></rect>')
            if value > 0:
                pos += size
            else:
                neg -= size
        total = sum(values)
        parts.append(f'<text x="{max(pos, zero) + 6:.1f}" y="{y + 11}" class="value">{escape(fmt(total))}</text>')
    parts.append(f'<line x1="{zero:.1f}" y1="2" x2="{zero:.1f}" y2="{plot_height - 4}" class="axis"/>')
    for line, entries in enumerate(legend):
        top = plot_height + 18 * line
        for x, name, color in entries:
            parts.append(f'<rect x="{x}" y="{top}" width="12" height="12" fill="{color}"/>'
                         f'<text x="{x + 16}" y="{top + 10}" class="legend">{escape(name)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def money_wan(value: float) -> str:
    """Yuan as 万元 for chart labels."""
    return f"{value / 10_000:,.1f}万"
