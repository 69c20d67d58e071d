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

CATEGORIES = ("eligible", "nearly", "undetermined", "conditional", "ineligible", "not_applicable")
SHOWN = ("eligible", "nearly", "undetermined", "conditional")  # as cards; the others collapsed with counts
COLLAPSED = ("ineligible", "not_applicable")
CATEGORY_TITLES = {
    "eligible": _l("符合条件"), "nearly": _l("差一点"), "undetermined": _l("待定"),
    "conditional": _l("认定后可申请"), "ineligible": _l("不符合"), "not_applicable": _l("不适用"),
}
CATEGORY_HINTS = {
    "eligible": _l("按您填写的资料，以下政策的条件全部满足。"),
    "nearly": _l("只差一点：下面写明了还差多少。"),
    "undetermined": _l("资料不全，暂时无法判断。补充下列资料即可得出结论。"),
    "conditional": _l("须先取得所需资格（如高新技术企业认定）；按您的资料该资格可以取得。金额不计入预计合计。"),
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
    prerequisites: list[str] = field(default_factory=list)  # conditional: the statuses it waits for (titles)
    value: int = 0  # published yuan (exact or "up to"), for ranking next actions; 0 when none
    how_body: str = ""
    how_period: str = ""
    how_url: str | None = None


@dataclass
class Action:
    """One of the most valuable next steps shown on top of the results."""

    text: str
    url: str | None
    worth: int


@dataclass
class Headline:
    """The estimated total (the engine's stacking of eligible cash measures) and what it leaves out."""

    total: str | None
    capped: bool
    counted: int
    not_counted: list[tuple[str, str]]  # eligible measures without a published cash figure: (title, what)
    conditional: list[tuple[str, str]]  # 认定后可申请: (title, amount text), never in the total
    conditional_total: str | None = None  # the engine's best combination once recognised (Stacking.conditional_total)
    conditional_capped: bool = False


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


def value_of(result: MeasureResult) -> int:
    """The published yuan of a result ("up to" included), 0 for rates, unpublished and non-cash."""
    amount = result.amount
    return int(amount.value) if amount.kind in ("exact", "up_to") and isinstance(amount.value, int) else 0


def _how(m: Measure, lang: str) -> tuple[str, str, str | None]:
    how = getattr(m, "how_to_apply", None)
    if how is None:
        return "", "", None
    body, period = getattr(how, "body", None), getattr(how, "period", None)
    return (body.get(lang) if body else "", period.get(lang) if period else "", getattr(how, "url", None))


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
        value=value_of(result),
        prerequisites=[ruleset.measures[p].title.get(lang) if p in ruleset.measures else p
                       for p in getattr(result, "prerequisites", ())],
    )
    out.how_body, out.how_period, out.how_url = _how(m, lang)
    if result.trace is not None and cat != "not_applicable":
        out.trace = trace_view(result.trace, decision, ruleset, m, lang)
    return out


def grouped(decision: Decision, ruleset: RuleSet, lang: str, link: Linker) -> dict[str, list[Card]]:
    groups: dict[str, list[Card]] = {c: [] for c in CATEGORIES}
    for result in decision.results:
        c = card(result, decision, ruleset, lang, link)
        groups.setdefault(c.category, []).append(c)  # an outcome added to the engine later still shows
    for cards in groups.values():
        cards.sort(key=lambda c: -c.value)  # the most valuable first (stable: rule order otherwise)
    return groups


def headline(decision: Decision, groups: dict[str, list[Card]], ruleset: RuleSet, lang: str) -> Headline:
    """What the company may receive: the engine's stacked total of eligible cash, and what it leaves out."""
    stack = decision.stacking
    results = {r.measure_id: r for r in decision.results}
    counted = [mid for mid in stack.chosen if value_of(results[mid])]
    not_counted = [(c.title, c.amount or c.benefit) for c in groups["eligible"] if not c.value]
    conditional = [(c.title, c.amount or c.benefit) for c in groups.get("conditional", [])]
    capped = any(results[mid].amount.kind == "up_to" for mid in counted)
    later = [mid for mid in getattr(stack, "conditional", ()) if mid in results and value_of(results[mid])]
    return Headline(money(stack.total, lang) if counted else None, capped, len(counted), not_counted, conditional,
                    money(getattr(stack, "conditional_total", 0), lang) if later else None,
                    any(results[mid].amount.kind == "up_to" for mid in later))


def next_actions(groups: dict[str, list[Card]], asks: dict[str, int], ask_url: str | None,
                 limit: int = 3) -> list[Action]:
    """The most valuable next steps: close a near miss ("研发费用再增加9万元即可满足"), or answer the questions
    that decide an undetermined measure ("回答 2 个问题可判断 高企认定"); by published amount, then order.

    `asks` is measure id → questions still to answer for it (the interview's count, else the missing fields).
    """
    out: list[Action] = []
    for c in groups["nearly"]:
        for gap in c.gaps:
            out.append(Action(gettext("%(measure)s：%(gap)s即可满足", measure=c.title, gap=gap.rstrip("。")),
                              f"#m-{c.id}", c.value))
    for c in groups["undetermined"]:
        n = asks.get(c.id) or len(c.missing)
        if n:
            url = ask_url or next((link.url for link in c.missing if link.url), None) or f"#m-{c.id}"
            out.append(Action(gettext("回答 %(n)s 个问题可判断“%(measure)s”", n=n, measure=c.title), url, c.value))
    out.sort(key=lambda a: -a.worth)
    return out[:limit]


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
    return [(c, CATEGORY_TITLES.get(c, c), len(cards)) for c, cards in groups.items()]
