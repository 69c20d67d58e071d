"""This file formats a measure's trace for people: each condition, the values it read, the threshold in
force (with its date and source), the comparison made, and how each derived fact was computed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from engine.decision import Decision
from engine.explain import field_label, fmt
from engine.expr.values import Unknown
from engine.model import Measure, RuleSet
from engine.names import SPECIAL_NAMES, all_profile_names
from engine.trace import TraceNode
from web.selfcheck.choices import LABELS

OPS = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "==": "=", "!=": "≠", "in": "∈", "not in": "∉"}
SPECIAL_LABELS = {"as_of": _l("评价日期"), "kind": _l("申请主体类型"), "city": _l("所在地市"),
                  "region_class": _l("所在区域（珠三角/粤东西北）")}
MAX_FACT_DEPTH = 4


@dataclass
class Read:
    label: str
    value: str
    facts: list[Read] = field(default_factory=list)  # how a derived fact was computed


@dataclass
class Param:
    label: str
    value: str
    effective_from: str
    source: str


@dataclass
class TraceView:
    id: str
    kind: str
    result: str
    text: str
    reads: list[Read] = field(default_factory=list)
    params: list[Param] = field(default_factory=list)
    comparison: str = ""
    missing: list[str] = field(default_factory=list)
    children: list[TraceView] = field(default_factory=list)


def _unit(name: str, ruleset: RuleSet) -> str:
    if name in ruleset.facts:
        return ruleset.facts[name].unit
    return all_profile_names().get(name) or SPECIAL_NAMES.get(name, "any")


_CALL = re.compile(r"^(\w+)\(([\w.]+)\)$")


def _label(name: str, ruleset: RuleSet, lang: str) -> str:
    call = _CALL.match(name)
    if call and call.group(2) in ruleset.measures:  # eligible(national.hnte_recognition): another measure's outcome
        return gettext("“%(measure)s”的结论", measure=ruleset.measures[call.group(2)].title.get(lang))
    if name in ruleset.facts:
        return ruleset.facts[name].text.get(lang)
    if name in SPECIAL_LABELS:
        return str(SPECIAL_LABELS[name])
    return field_label(name).get(lang)


def value_text(value: Any, unit: str, lang: str) -> str:
    """A value read by a condition, in the applicant's units; records are summarised, not dumped."""
    if isinstance(value, Unknown):
        return gettext("未知")  # the node lists the missing fields once, under 缺少
    if isinstance(value, str) and value in LABELS:
        return str(LABELS[value])  # a code ("maker_space", "east_west_north") by its name
    if isinstance(value, list) and value and all(isinstance(v, dict) and "__path__" in v for v in value):
        years = [str(v.get("year")) for v in value if v.get("year") is not None]
        if years:
            return gettext("%(years)s年度数据", years="、".join(years))
        return gettext("%(n)s条记录", n=len(value))
    if isinstance(value, list):
        return "、".join(value_text(v, unit, lang) for v in value) if value else gettext("无")
    if isinstance(value, dict):
        return table_text([value], unit, lang)
    return fmt(value, unit, lang)


def _cell(value: Any, unit: str, lang: str) -> str:
    """One number of a band table: shares as %, large whole numbers as money (tables carry no units)."""
    if isinstance(value, Fraction) and value.denominator != 1 and value < 1:
        return fmt(value, "ratio", lang)
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10_000:
        return fmt(value, "money", lang)
    return value_text(value, unit if unit not in ("table", "list") else "any", lang)


def table_text(rows: list[Any], unit: str, lang: str) -> str:
    """A band table as 'x ≤ 5,000.00万元 → 5%; … otherwise → 3%'."""
    words = {"min": "≥", "over": ">", "max": "≤", "under": "<"}
    parts = []
    for row in rows:
        if not isinstance(row, dict):
            parts.append(_cell(row, unit, lang))
            continue
        bounds = [f"{words[k]} {_cell(v, unit, lang)}" for k, v in row.items() if k in words]
        rest = {k: v for k, v in row.items() if k not in words and k != "value"}
        head = "，".join(bounds) if bounds else gettext("其余")
        extra = "".join(f"，{k}={_cell(v, unit, lang)}" for k, v in rest.items())
        parts.append(f"{head}{extra} → {_cell(row.get('value'), unit, lang)}" if "value" in row else head + extra)
    return "；".join(parts) if lang == "zh" else "; ".join(parts)


def comparison_text(comp: dict[str, Any] | None, lang: str) -> str:
    if not comp:
        return ""
    unit = str(comp.get("unit", "any"))
    left, right = comp.get("left"), comp.get("right")
    op = OPS.get(str(comp.get("op")), str(comp.get("op")))
    if isinstance(right, list) and not isinstance(left, list):
        shown = "、".join(value_text(v, unit, lang) for v in right[:10]) + ("…" if len(right) > 10 else "")
        return f"{value_text(left, unit, lang)} {op} {{{shown}}}"
    return f"{value_text(left, unit, lang)} {op} {value_text(right, unit, lang)}"


def _param(read: Any, m: Measure, ruleset: RuleSet, lang: str) -> Param:
    raw = ruleset.snapshot.get(m.path, {}).get("parameters", {}).get(read.name, {})
    text = raw.get("text") if isinstance(raw, dict) else None
    series = m.parameters.get(read.name)
    unit = series.unit if series else "any"
    value = table_text(read.value, unit, lang) if unit == "table" and isinstance(read.value, list) \
        else value_text(read.value, unit, lang)
    label = text.get(lang, read.name) if isinstance(text, dict) else read.name
    return Param(label, value, str(read.effective_from), str(read.source))


def _reads(reads: dict[str, Any], facts: dict[str, Any], ruleset: RuleSet, lang: str, depth: int) -> list[Read]:
    out = []
    for name, value in reads.items():
        unit = _unit(name, ruleset)
        item = Read(_label(name, ruleset, lang), value_text(value, unit, lang))
        if name in facts and depth < MAX_FACT_DEPTH:
            item.facts = _reads(facts[name].reads, facts, ruleset, lang, depth + 1)
        out.append(item)
    return out


def trace_view(node: TraceNode, decision: Decision, ruleset: RuleSet, m: Measure, lang: str) -> TraceView:
    """The trace tree of one measure, formatted; derived facts are expanded under the values they give."""
    facts = {f.id: f for f in decision.facts}
    text = node.text.get(lang) if node.text else {
        "all": gettext("以下条件须全部满足"), "any": gettext("以下条件满足其一即可"),
        "not": gettext("以下条件不得满足")}.get(node.kind, node.id)
    return TraceView(
        id=node.id, kind=node.kind, result=node.result, text=text,
        reads=_reads(node.reads, facts, ruleset, lang, 0),
        params=[_param(p, m, ruleset, lang) for p in node.params],
        comparison=comparison_text(node.comparison, lang),
        missing=[field_label(p).get(lang) for p in node.missing],
        children=[trace_view(c, decision, ruleset, m, lang) for c in node.children],
    )
