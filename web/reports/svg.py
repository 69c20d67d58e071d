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


def _text(value: str, limit: float = LABEL_WIDTH - 12) -> str:
    """The label, cut to fit `limit` pixels at 12 px (a CJK character about 12 px, others about 7)."""
    width, out = 0.0, []
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
    height = ROW_HEIGHT * len(rows) + 34
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
    parts.append(f'<line x1="{zero:.1f}" y1="2" x2="{zero:.1f}" y2="{height - 28}" class="axis"/>')
    x = LABEL_WIDTH
    for name, color in series:
        parts.append(f'<rect x="{x}" y="{height - 18}" width="12" height="12" fill="{color}"/>'
                     f'<text x="{x + 16}" y="{height - 8}" class="legend">{escape(name)}</text>')
        x += 28 + 9 * len(name)
    parts.append("</svg>")
    return Markup("".join(parts))


def money_wan(value: float) -> str:
    """Yuan as 万元 for chart labels."""
    return f"{value / 10_000:,.1f}万"
