"""This file turns a Decision into what the result page shows: grouped cards, amounts, gaps, traces.

Grouping and wording follow the CLI report (web/cli/report.py): eligible, nearly (with the gaps),
undetermined (what to add, each linked to the page that asks it), ineligible (failing conditions with the
values read), not applicable (collapsed). An unpublished amount is never shown as a figure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from engine.decision import Decision, MeasureResult
from engine.errors import Message, ProfileIssue
from engine.explain import amount_text, category, field_label, money
from engine.model import Measure, RuleSet
from web.selfcheck.trace import TraceView, comparison_text, trace_view

CATEGORIES = ("eligible", "nearly", "undetermined", "ineligible", "not_applicable")
CATEGORY_TITLES = {
    "eligible": _l("符合条件"), "nearly": _l("差一点"), "undetermined": _l("待定"),
    "ineligible": _l("不符合"), "not_applicable": _l("不适用"),
}
CATEGORY_HINTS = {
    "eligible": _l("按您填写的资料，以下政策的条件全部满足。"),
    "nearly": _l("只差一点：下面写明了还差多少。"),
    "undetermined": _l("资料不全，暂时无法判断。补充下列资料即可得出结论。"),
    "ineligible": _l("以下政策有条件不满足（列出了不满足的条件和您的数据）。"),
    "not_applicable": _l("不在您所在地区、不适用于此类申请人或评价日期不在有效期内。"),
}
ISSUERS = {"national": _l("国家"), "guangdong": _l("广东省"), "qingyuan": _l("清远市"), "qingcheng": _l("清城区"),
           "shaoguan": _l("韶关市")}
REASONS = {"out_of_area": _l("不在适用地区"), "not_in_force": _l("评价日期不在政策有效期内"),
           "other_kind": _l("不适用于此类申请人")}
CONFIDENCE = {"V2": _l("原文经两个以上公开来源核对"), "V": _l("原文经一个公开来源核对"), "S": _l("仅有二手资料（非原文）"),
              "U": _l("未核实"), "NF": _l("未找到原文")}

Linker = Callable[[str], str | None]


@dataclass
class Link:
    label: str
    url: str | None


@dataclass
class Card:
    """One measure as the result page shows it."""

    id: str
    title: str
    category: str
    issuer: str
    source: str
    confidence: str
    confidence_hint: str
    status_note: str
    amount: str | None
    figure: bool  # False for "amount not published" and other non-figures
    benefit: str
    note: str
    gaps: list[str] = field(default_factory=list)
    failing: list[tuple[str, str]] = field(default_factory=list)
    missing: list[Link] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)
    reason: str = ""
    trace: TraceView | None = None


@dataclass
class Stack:
    chosen: list[tuple[str, str | None, str | None]]  # (title, amount, benefit text unless it is cash)
    total: str
    capped: bool
    dropped: list[tuple[str, str]]


def source_text(m: Measure) -> str:
    src = m.source
    parts = [f"《{src['document']}》" if src.get("document") else "", str(src.get("number") or ""),
             str(src.get("article") or "")]
    return " ".join(p for p in parts if p)


def _amount(result: MeasureResult, m: Measure, lang: str) -> str | None:
    if not m.amount_published or result.amount.kind == "unpublished":
        return gettext("金额未公布——请咨询主管部门")
    if result.amount.kind in ("exact", "up_to", "rate", "unknown"):
        return amount_text(result.amount, lang)
    return None


def _failing(result: MeasureResult, lang: str) -> list[tuple[str, str]]:
    leaves = {leaf.id: leaf for leaf in result.trace.leaves()} if result.trace else {}
    gapped = {g.condition for g in result.gaps}
    out = []
    for cid in result.failing:
        leaf = leaves.get(cid)
        if leaf is None or cid in gapped:
            continue
        text = (leaf.fails or leaf.text or Message(cid, cid)).get(lang)
        out.append((text, comparison_text(leaf.comparison, lang) if leaf.comparison else ""))
    return out


def card(result: MeasureResult, decision: Decision, ruleset: RuleSet, lang: str, link: Linker) -> Card:
    m = ruleset.measures[result.measure_id]
    cat = category(result)
    status = m.status_note.get(lang) if m.status_note else ""
    if m.status == "possibly_superseded" and not status:
        status = gettext("注意：该依据可能已被新文件取代")
    out = Card(
        id=m.id, title=m.title.get(lang), category=cat, issuer=str(ISSUERS.get(m.issuer, m.issuer)),
        source=source_text(m), confidence=m.confidence, confidence_hint=str(CONFIDENCE.get(m.confidence, "")),
        status_note=status, amount=_amount(result, m, lang),
        figure=m.amount_published and result.amount.kind in ("exact", "up_to", "rate"), benefit=m.benefit.text.get(lang),
        note=m.benefit.note.get(lang) if m.benefit.note else "",
        gaps=[g.message.get(lang) for g in result.gaps], failing=_failing(result, lang),
        missing=[Link(field_label(p).get(lang), link(p)) for p in result.missing],
        documents=[d.get(lang) for d in m.documents],
        reason=str(REASONS.get(result.reason or "", result.reason or "")),
    )
    if result.trace is not None and cat != "not_applicable":
        out.trace = trace_view(result.trace, decision, ruleset, m, lang)
    return out


def grouped(decision: Decision, ruleset: RuleSet, lang: str, link: Linker) -> dict[str, list[Card]]:
    groups: dict[str, list[Card]] = {c: [] for c in CATEGORIES}
    for result in decision.results:
        c = card(result, decision, ruleset, lang, link)
        groups[c.category].append(c)
    return groups


def stacking(decision: Decision, ruleset: RuleSet, lang: str) -> Stack | None:
    stack = decision.stacking
    if not stack.chosen:
        return None
    results = {r.measure_id: r for r in decision.results}
    chosen = []
    for mid in stack.chosen:
        m = ruleset.measures[mid]
        cash = results[mid].amount.kind in ("exact", "up_to")
        chosen.append((m.title.get(lang), _amount(results[mid], m, lang), None if cash else m.benefit.text.get(lang)))
    capped = any(results[mid].amount.kind == "up_to" for mid in stack.chosen)
    dropped = [(ruleset.measures[a].title.get(lang), ruleset.measures[b].title.get(lang)) for a, b in stack.dropped]
    return Stack(chosen, money(stack.total, lang), capped, dropped)


def warnings(issues: list[ProfileIssue] | tuple[ProfileIssue, ...], lang: str, link: Linker) -> list[Link]:
    return [Link(f"{field_label(w.path).get(lang)}：{w.message.get(lang)}" if lang == "zh"
                 else f"{field_label(w.path).get(lang)}: {w.message.get(lang)}", link(w.path)) for w in issues]


def counts(groups: dict[str, list[Card]]) -> list[tuple[str, Any, int]]:
    return [(c, CATEGORY_TITLES[c], len(groups[c])) for c in CATEGORIES]
