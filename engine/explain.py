"""Format engine values for people: money in 万元 (zh) or yuan (en), ratios in %, labels of names.

`field_label` (the label of a profile path) is defined once in engine/profile/labels.py and re-exported here.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from engine.expr.values import Interval, Unknown
from engine.profile.labels import field_label  # re-exported: one definition

__all__ = ["amount_text", "field_label", "fmt", "money"]


def _decimal(value: Any, places: int) -> Decimal:
    q = Decimal(1).scaleb(-places)
    return (Decimal(value.numerator) / Decimal(value.denominator) if isinstance(value, Fraction)
            else Decimal(value)).quantize(q, rounding=ROUND_HALF_UP)


def _trim(d: Decimal) -> str:
    text = f"{d:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def money(value: Any, lang: str = "zh") -> str:
    """Whole yuan as '160.00万元' (zh) or '¥1,600,000' (en).

    >>> money(1_600_000), money(1_600_000, 'en')
    ('160.00万元', '¥1,600,000')
    """
    if lang == "en":
        return f"¥{_decimal(value, 0):,}"
    return f"{_decimal(Fraction(value) / 10_000, 2):,}万元"


def fmt(value: Any, unit: str, lang: str = "zh") -> str:
    """A value with its unit, for messages and reports."""
    if isinstance(value, Unknown):
        return "未知" if lang == "zh" else "unknown"
    if isinstance(value, Interval):
        return f"[{fmt(value.lo, unit, lang)}, {fmt(value.hi, unit, lang)}]"
    if isinstance(value, bool):
        return ("是" if value else "否") if lang == "zh" else ("yes" if value else "no")
    if isinstance(value, dt.date):
        return value.isoformat()
    if unit == "money" and isinstance(value, int | Fraction):
        return money(value, lang)
    if unit == "ratio" and isinstance(value, int | Fraction):
        return f"{_trim(_decimal(Fraction(value) * 100, 2))}%"
    if isinstance(value, int | Fraction):
        suffix = {"days": ("天", " days"), "points": ("分", " points"), "area": ("㎡", " ㎡"),
                  "years": ("年", " years"), "months": ("个月", " months")}.get(unit)
        number = _trim(_decimal(value, 2))
        if not suffix:
            return number
        if lang == "zh":
            return number + suffix[0]
        return number + (suffix[1][:-1] if value == 1 and suffix[1].endswith("s") else suffix[1])  # 1 year, 2 years
    return str(value)


def amount_text(amount: Any, lang: str = "zh") -> str:
    """'最高30.00万元', '15%', '金额未公布——请咨询主管部门' …"""
    zh = lang != "en"
    if amount.kind == "exact":
        return money(amount.value, lang)
    if amount.kind == "up_to":
        return ("最高" if zh else "up to ") + money(amount.value, lang)
    if amount.kind == "rate":
        return fmt(amount.value, "ratio", lang)
    if amount.kind == "unpublished":
        return amount.note.get(lang) if amount.note else ("金额未公布——请咨询主管部门" if zh else "amount not published")
    if amount.kind == "unknown":
        return "金额待定（需补充资料）" if zh else "amount undetermined (more data needed)"
    return amount.note.get(lang) if amount.note else "—"
