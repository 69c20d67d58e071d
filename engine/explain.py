"""Format engine values for people: money in 万元 (zh) or yuan (en), ratios in %, labels of names."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from engine.errors import Message
from engine.expr.values import Interval, Unknown
from engine.names import KIND_MODELS


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
        return number + (suffix[0] if lang == "zh" else suffix[1]) if suffix else number
    return str(value)


def field_label(path: str) -> Message:
    """The zh/en label of a profile field path (falls back to the path itself).

    >>> field_label("finance[2024].sales").zh, field_label("certificates[0].first_time").en
    ('2024年度销售收入（主营业务收入+其他业务收入）', 'first recognition (not a renewal) (item 1)')
    """
    if path.startswith("finance[") and path.endswith("]"):
        year = path[len("finance["):-1]
        return Message(f"{year}年度财务数据", f"figures for fiscal year {year}")
    parts = [p.split("[")[0] for p in path.split(".")]
    index = path.split("[")[1].split("]")[0] if "[" in path else ""
    for model in KIND_MODELS.values():
        label = _label_in(model, parts)
        if label is None:
            continue
        if index and parts[0] == "finance":
            return Message(f"{index}年度{label.zh}", f"{label.en} ({index})")
        if index.isdigit():
            return Message(f"{label.zh}（第{int(index) + 1}项）", f"{label.en} (item {int(index) + 1})")
        return label
    return Message(path, path)


def _label_in(model: Any, parts: list[str]) -> Message | None:
    info = getattr(model, "model_fields", {}).get(parts[0])
    if info is None:
        return None
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    if len(parts) == 1:
        return Message(str(extra.get("zh", parts[0])), str(extra.get("en", parts[0]))) if extra else None
    for arg in (info.annotation, *getattr(info.annotation, "__args__", ())):
        if hasattr(arg, "model_fields"):
            found = _label_in(arg, parts[1:])
            if found:
                return found
    return None


NEAR_MISS = Fraction(1, 10)


def category(result: Any) -> str:
    """eligible | nearly | ineligible | undetermined | not_applicable, for grouping a report.

    "nearly": ineligible, and every failing condition has a gap within 10% of its threshold.
    """
    outcome = result.outcome.value
    if outcome != "ineligible" or not result.gaps:
        return outcome
    gapped = {gap.condition for gap in result.gaps}
    close = all(gap.shortfall <= NEAR_MISS for gap in result.gaps)
    return "nearly" if close and gapped >= set(result.failing) else outcome


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
