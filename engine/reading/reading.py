"""A whole Decision read for a person: cards grouped by category, the headline, the best combination, the
key measures and the ranked next actions.

    reading = read(decision, ruleset, "zh", link=..., declined=..., focus=...)

`read` is pure: the same decision, rules and arguments give the same reading. Every surface (the self-check,
the bureau's pages, the audit export, the CLI report, the API summary, the screening report) renders it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from engine.benefits import counts_as_receivable
from engine.errors import Message
from engine.explain import money
from engine.expr.nodes import Param
from engine.model import RuleSet
from engine.reading.card import Card, Linker, card, no_link, score_action
from engine.reading.labels import CATEGORIES, CATEGORY_HINTS, label
from engine.reading.words import colon, field_text, num

APART: dict[str, Message] = {
    "competitive": Message("择优支持（入选后才有，不计入合计）", "competitive (only if selected; not in the total)"),
    "case_by_case": Message("一事一议（不计入合计）", "decided case by case (not in the total)"),
    "tax": Message("税收优惠（少缴的税，不是拨款）", "tax benefits (tax you do not pay, not a grant)"),
    "paid_to_others": Message("贷款支持（补偿付给银行）", "loan support (compensation paid to the bank)"),
    "unpublished": Message("金额未公布", "amount not published"),
    "status": Message("资格认定（非现金）", "recognitions (no cash)"),
    "undeclared": Message("发放方式未明确（不计入合计）", "how it is paid is not stated (not in the total)"),
    "none": Message("其他待遇", "other benefits"),
}
"""How the eligible measures that are not money receivable now are listed apart from the total."""

SHOWN = ("eligible", "nearly", "undetermined", "conditional")
COLLAPSED = ("ineligible", "not_applicable")


@dataclass
class Headline:
    """Money receivable now (the engine's stacked total), and every other eligible benefit apart."""

    total: str | None
    capped: bool
    counted: int
    apart: list[tuple[str, list[tuple[str, str]]]]  # (what they are, [(title, what it pays)])
    conditional: list[tuple[str, str]]  # 认定后可申请: (title, what it pays), never in the total
    conditional_total: str | None = None
    conditional_capped: bool = False


@dataclass
class Stack:
    chosen: list[tuple[str, str | None]]  # (title, the figure)
    total: str
    capped: bool
    dropped: list[tuple[str, str]]


@dataclass
class Action:
    """One next step: close a near miss, change a score indicator, or answer the questions that decide a measure."""

    text: str
    url: str | None
    worth: int
    measure: str  # the card's id, for anchors only


@dataclass
class Warning:
    text: str
    path: str
    url: str | None = None


@dataclass
class Reading:
    lang: str
    cards: list[Card]
    groups: dict[str, list[Card]]
    counts: list[tuple[str, str, int]]  # (category, label, how many)
    hints: dict[str, str]
    titles: dict[str, str]
    headline: Headline
    stack: Stack | None
    key: list[Card]  # what the firm came for, shown first
    actions: list[Action]
    warnings: list[Warning] = field(default_factory=list)

    def card(self, measure_id: str) -> Card | None:
        return next((c for c in self.cards if c.id == measure_id), None)


def published_value(measure: Any, as_of: str) -> int:
    """The published yuan a cash measure pays (its amount parameter in force on `as_of`), whatever the outcome."""
    node = measure.benefit.amount
    if measure.benefit.kind != "cash" or not isinstance(node, Param) or node.name not in measure.parameters:
        return 0
    try:
        found = measure.parameters[node.name].at(dt.date.fromisoformat(as_of))
    except ValueError:
        return 0
    value = num(found.value) if found is not None else None
    return int(value) if value is not None else 0


def _worth(cards: list[Card], ruleset: RuleSet, as_of: str) -> None:
    """A measure is worth its own published amount plus what the measures waiting on it pay."""
    values = {c.id: c.value or published_value(ruleset.measures[c.id], as_of) for c in cards
              if c.category != "not_applicable"}
    for c in cards:
        c.worth = values.get(c.id, 0) + sum(values.get(m.id, 0) for m in ruleset.measures.values()
                                     if c.id in m.depends_on and m.id != c.id and m.id in values)


def headline(decision: Any, cards: list[Card], lang: str) -> Headline:
    stack = decision.stacking
    results = {r.measure_id: r for r in decision.results}
    counted = [mid for mid in stack.chosen if mid in results and counts_as_receivable(results[mid])]
    capped = any(results[mid].amount.kind == "up_to" for mid in counted)
    apart: dict[str, list[tuple[str, str]]] = {}
    dropped = {a for a, _b in stack.dropped}  # named on their own line: the higher of the two is paid
    for c in cards:
        if c.category == "eligible" and c.id not in counted and c.id not in dropped:
            apart.setdefault(c.money_class if c.money_class in APART else "none", []).append((c.title, c.pays))
    groups = [(APART[k].get(lang), apart[k]) for k in APART if k in apart]
    conditional = [(c.title, c.pays) for c in cards if c.category == "conditional"]
    later = [mid for mid in stack.conditional if mid in results]
    return Headline(money(stack.total, lang) if counted else None, capped, len(counted), groups, conditional,
                    money(stack.conditional_total, lang) if later and stack.conditional_total else None,
                    any(results[mid].amount.kind == "up_to" for mid in later))


def stacking(decision: Any, cards: list[Card], lang: str) -> Stack | None:
    stack = decision.stacking
    by_id = {c.id: c for c in cards}
    chosen = [(by_id[m].title, by_id[m].amount) for m in stack.chosen if m in by_id]
    if not chosen:
        return None
    results = {r.measure_id: r for r in decision.results}
    capped = any(results[m].amount.kind == "up_to" for m in stack.chosen if m in results)
    dropped = [(by_id[a].title, by_id[b].title) for a, b in stack.dropped if a in by_id and b in by_id]
    return Stack(chosen, money(stack.total, lang), capped, dropped)


def next_actions(cards: list[Card], lang: str, *, declined: frozenset[str] = frozenset(),
                 asks: dict[str, int] | None = None, ask_url: str | None = None, limit: int = 3) -> list[Action]:
    """The most valuable next steps, by what they are worth: close a near miss ("研发费用再增加9万元即可满足"),
    change a score indicator, or answer the questions that decide a measure. A question the applicant
    declined ("不知道") is never proposed again; a measure whose questions were all declined proposes nothing."""
    en = lang == "en"
    out: list[Action] = []
    for c in cards:
        if c.category == "nearly":
            for gap in c.gaps:
                text = f"{c.title}: {gap.rstrip('.')}, and it is met" if en else f"{c.title}：{gap.rstrip('。')}即可满足"
                out.append(Action(text, f"#m-{c.id}", c.worth, c.id))
        elif c.category in ("ineligible", "undetermined"):
            open_ = [q for q in c.missing if q.path not in declined] if c.category == "undetermined" else []
            n = min((asks or {}).get(c.id) or len(open_), len(open_)) if open_ else 0
            if n:
                url = ask_url or next((q.url for q in open_ if q.url), None) or f"#m-{c.id}"
                text = (f"answer {n} question{'s' if n > 1 else ''} to decide “{c.title}”" if en
                        else f"回答 {n} 个问题可判断“{c.title}”")
                out.append(Action(text, url, c.worth, c.id))
            elif c.score is not None and c.score.action and not c.missing:
                out.append(Action(score_action(c, lang), f"#m-{c.id}", c.worth, c.id))
    out.sort(key=lambda a: -a.worth)
    return out[:limit]


def key_measures(cards: list[Card], focus: tuple[str, ...] = (), limit: int = 3) -> list[Card]:
    """What the firm came for: the measures it asked about, else the largest by amount in its area (a
    recognition counts what the awards waiting on it pay), those still open to it first."""
    by_id = {c.id: c for c in cards}
    asked = [by_id[m] for m in focus if m in by_id]
    if asked:
        return asked[:limit]
    rank = {"eligible": 0, "nearly": 0, "undetermined": 0, "conditional": 1, "ineligible": 2}
    candidates = [c for c in cards if c.category in rank and (c.worth or c.category != "ineligible")]
    candidates.sort(key=lambda c: (c.category == "ineligible", not c.worth, rank[c.category], -c.worth,
                                   -(c.worth - c.value), not c.missing))
    return candidates[:limit]


def read(decision: Any, ruleset: RuleSet, lang: str = "zh", *, link: Linker = no_link,
         declined: frozenset[str] = frozenset(), asks: dict[str, int] | None = None, ask_url: str | None = None,
         focus: tuple[str, ...] = (), extra_warnings: tuple[Any, ...] = (), with_trace: bool = True) -> Reading:
    """The reading of a Decision (live, or stored and rebuilt with Decision.from_json), in one language.

    A measure the current rules no longer have is left out (its stored record keeps it)."""
    cards = [card(r, decision, ruleset, lang, link, with_trace=with_trace) for r in decision.results
             if r.measure_id in ruleset.measures]
    _worth(cards, ruleset, str(decision.as_of))
    groups: dict[str, list[Card]] = {c: [] for c in CATEGORIES}
    for c in cards:
        groups.setdefault(c.category, []).append(c)  # an outcome added to the engine later still shows
    for members in groups.values():
        members.sort(key=lambda c: -c.worth)
    warnings = [Warning(f"{field_text(w.path, lang)}{colon(lang)}{w.message.get(lang)}", w.path, link(w.path))
                for w in (*decision.warnings, *extra_warnings)]
    return Reading(
        lang=lang, cards=cards, groups=groups,
        counts=[(k, label(k).get(lang), len(v)) for k, v in groups.items()],
        hints={k: CATEGORY_HINTS[k].get(lang) for k in groups if k in CATEGORY_HINTS},
        titles={k: label(k).get(lang) for k in groups},
        headline=headline(decision, cards, lang), stack=stacking(decision, cards, lang),
        key=key_measures(cards, focus),
        actions=next_actions(cards, lang, declined=declined, asks=asks, ask_url=ask_url),
        warnings=warnings,
    )


def as_data(reading: Reading) -> dict[str, Any]:
    """The reading as plain JSON-ready data (the API's `?trace=reading`): words only, no traces."""
    def card_data(c: Card) -> dict[str, Any]:
        return {"measure_id": c.id, "title": c.title, "category": c.category, "category_label": c.category_label,
                "verdict": c.verdict, "pays": c.pays, "money_class": c.money_class, "amount": c.amount, "gap": c.gap,
                "failing": [f.sentence(reading.lang) for f in c.failing],
                "questions": [q.label for q in c.missing],
                "score": None if c.score is None else {"status": c.score.status, "changes": list(c.score.changes)},
                "next_step": {"body": c.next_step.body, "period": c.next_step.period, "url": c.next_step.url}}

    h = reading.headline
    return {"lang": reading.lang,
            "headline": {"receivable_now": h.total, "capped": h.capped, "counted": h.counted,
                         "apart": [{"what": what, "measures": [{"title": t, "pays": p} for t, p in items]}
                                   for what, items in h.apart],
                         "conditional": [{"title": t, "pays": p} for t, p in h.conditional],
                         "conditional_total": h.conditional_total},
            "key": [c.id for c in reading.key],
            "actions": [{"text": a.text, "measure_id": a.measure} for a in reading.actions],
            "cards": [card_data(c) for c in reading.cards]}
