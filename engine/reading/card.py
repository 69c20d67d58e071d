"""One measure of a Decision read for a person: the Card.

Verdict in words; what the measure pays in words that fit the benefit (cash, tax, loan support, competitive,
unpublished, draft); each failing condition as a sentence with the applicant's value, the requirement and its
source; the smallest change that would pass; what is missing as questions; the next step; the trace.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from engine.benefits import money_class
from engine.errors import Message
from engine.explain import amount_text
from engine.model import Measure, RuleSet
from engine.reading.labels import CONFIDENCE, DRAFT, ISSUERS, REASONS, label
from engine.reading.score import SCORE, ScoreHelp, explain_score
from engine.reading.trace import TraceView, name_label, threshold, trace_view
from engine.reading.words import (
    brackets,
    colon,
    comparison_sentence,
    document_of,
    field_text,
    listing,
    num,
    sep,
)

NEAR_MISS = Fraction(1, 10)
Linker = Callable[[str], str | None]


def no_link(path: str) -> str | None:
    return None


@dataclass
class Question:
    """A missing answer as a person is asked it (the field's label), with where to answer it."""

    label: str
    path: str  # the profile path, for links and for "declined" — never shown
    url: str | None = None


@dataclass
class Failing:
    """One failing condition in words: what it asks, the applicant's value, the requirement, its source."""

    text: str
    yours: str = ""
    required: str = ""
    source: str = ""

    def sentence(self, lang: str) -> str:
        parts = []
        if self.yours:
            parts.append(f"your figure: {self.yours}" if lang == "en" else f"您的数据：{self.yours}")
        if self.required:
            parts.append(f"required: {self.required}" if lang == "en" else f"要求：{self.required}")
        if self.source:
            parts.append(f"source: {self.source}" if lang == "en" else f"依据：{self.source}")
        return self.text + (brackets(sep(lang).join(parts), lang) if parts else "")


@dataclass
class NextStep:
    body: str = ""  # 受理部门
    period: str = ""
    url: str | None = None


@dataclass
class Card:
    """One measure as every surface shows it."""

    id: str  # for anchors only; never shown
    title: str
    category: str
    category_label: str
    verdict: str  # one sentence
    issuer: str
    source: str
    confidence: str
    confidence_hint: str
    status_note: str
    money_class: str  # receivable | competitive | case_by_case | tax | paid_to_others | status | unpublished | …
    pays: str  # what it pays, in words that fit the benefit
    amount: str | None  # the figure alone ('最高30.00万元', '15%'), None when there is none
    figure: bool
    benefit: str
    note: str
    draft: bool = False
    gaps: list[str] = field(default_factory=list)
    failing: list[Failing] = field(default_factory=list)
    missing: list[Question] = field(default_factory=list)
    score: ScoreHelp | None = None
    documents: list[str] = field(default_factory=list)
    reason: str = ""
    prerequisites: list[str] = field(default_factory=list)
    next_step: NextStep = field(default_factory=NextStep)
    trace: TraceView | None = None
    value: int = 0  # published yuan (exact or "up to"), for ranking; 0 when none
    worth: int = 0  # value plus what the measures waiting on this one pay (a 高企 recognition unlocks awards)

    gap: str = ""  # the one line that says what separates this measure from a yes

    @property
    def measure_id(self) -> str:
        return self.id


def category(result: Any, score: ScoreHelp | None = None) -> str:
    """eligible | nearly | undetermined | conditional | ineligible | not_applicable (or a new outcome's value).

    "nearly": ineligible, and every failing condition has a gap within 10% of its threshold (an interval score
    counts when its lower end is within 10% of the threshold)."""
    outcome = str(result.outcome.value)
    if outcome != "ineligible":
        return outcome
    gapped = {gap.condition for gap in result.gaps}
    close = all(num(gap.shortfall) is not None and num(gap.shortfall) <= NEAR_MISS for gap in result.gaps)  # type: ignore[operator]
    failing = set(result.failing)
    if result.gaps and close and gapped >= failing:
        return "nearly"
    return outcome


def pays(result: Any, measure: Measure, lang: str) -> tuple[str, str, str | None, bool]:
    """(money class, what the measure pays in words, the figure alone, whether it is a figure)."""
    amount = result.amount
    declared = measure.benefit  # an outcome without an amount (ineligible, undetermined) still pays in its kind
    klass = money_class({"kind": amount.kind, "value": amount.value, "benefit": amount.benefit or declared.kind,
                         "payee": amount.payee or declared.payee, "basis": amount.basis or declared.basis})
    en = lang == "en"
    figure_text = amount_text(amount, lang) if amount.kind in ("exact", "up_to", "rate") else None
    benefit = measure.benefit.text.get(lang)
    if klass == "unpublished" or not measure.amount_published:
        words = "Amount not published — ask the competent department" if en else "金额未公布——请咨询主管部门"
        return "unpublished", f"{words}{colon(lang)}{benefit}", None, False
    if klass == "tax":
        rate = amount_text(amount, lang) if amount.kind == "rate" else ""
        kind = amount.benefit or measure.benefit.kind
        figure_words = {"super_deduction": Message(f"加计扣除比例{rate}", f"super-deduction {rate}"),
                        "tax_rate": Message(f"企业所得税税率{rate}", f"income tax rate {rate}")}.get(kind)
        head = "tax benefit" if en else "税收优惠"
        return klass, f"{head}{colon(lang)}{benefit}", figure_words.get(lang) if figure_words and rate else None, False
    if klass == "receivable":
        return klass, f"{figure_text}{colon(lang)}{benefit}" if figure_text else benefit, figure_text, True
    if klass == "competitive":
        head = ("competitive, if selected " if en else "择优支持，入选后") + (figure_text or "")
        return klass, f"{head.strip()}{colon(lang)}{benefit}", figure_text, bool(figure_text)
    if klass == "case_by_case":
        head = "decided case by case" if en else "一事一议"
        return klass, f"{head}{(' ' if en else '，') + figure_text if figure_text else ''}{colon(lang)}{benefit}", \
            figure_text, bool(figure_text)
    if klass == "paid_to_others":
        head = ("loan support: compensation is paid to the lending bank, not to you" if en
                else "贷款支持：风险补偿付给合作银行，企业不直接获得资金")
        return klass, f"{head}{colon(lang)}{benefit}", figure_text, False
    if klass == "status":
        head = "a recognition (no cash)" if en else "资格认定（非现金）"
        return klass, f"{head}{colon(lang)}{benefit}", None, False
    if figure_text:
        return klass, f"{figure_text}{colon(lang)}{benefit}", figure_text, True
    return klass, benefit, None, False


def value_of(result: Any) -> int:
    """The published yuan of a result ("up to" included), 0 for rates, unpublished and non-cash."""
    amount = result.amount
    value = num(amount.value) if amount.kind in ("exact", "up_to") else None
    return int(value) if value is not None and amount.benefit in (None, "cash") else 0


def _failing(result: Any, measure: Measure, ruleset: RuleSet, lang: str) -> list[Failing]:
    leaves = {leaf.id: leaf for leaf in result.trace.leaves()} if result.trace else {}
    gapped = {g.condition for g in result.gaps}
    out = []
    for cid in result.failing:
        leaf = leaves.get(cid)
        if leaf is None or cid in gapped:
            continue
        text = (leaf.fails or leaf.text).get(lang) if (leaf.fails or leaf.text) else ""
        comp = leaf.comparison or {}
        left = comp.get("left") if comp else None
        yours, required = comparison_sentence(comp, lang, tuple(leaf.reads)) if comp and not isinstance(left, list) \
            else ("", "")
        source = threshold(leaf.params[0], measure, ruleset, lang).source if leaf.params else document_of(
            measure.source, lang)
        out.append(Failing(text or name_label(cid, ruleset, lang), yours, required, source))
    return out


def _score(result: Any, decision: Any, ruleset: RuleSet, lang: str) -> ScoreHelp | None:
    if result.trace is None or result.outcome.value not in ("ineligible", "undetermined"):
        return None
    for leaf in result.trace.leaves():
        if SCORE in leaf.reads and leaf.result in ("false", "unknown") and leaf.comparison:
            return explain_score(decision, ruleset, leaf.comparison, lang)
    return None


STATUS_NOTES: dict[str, Message] = {
    "possibly_superseded": Message("注意：该依据可能已被新文件取代", "note: this source may have been superseded"),
    "expired": Message("该政策已过有效期", "this measure is no longer in force"),
    "draft": DRAFT,
}


def _status_note(measure: Measure, lang: str) -> str:
    """What a person needs to know about the measure's standing: said only when it is not simply in force (the rule
    file's status note then follows); the notes of measures in force record how their dates were sourced, for
    the maintainers."""
    if measure.status not in STATUS_NOTES:
        return ""
    head = STATUS_NOTES[measure.status].get(lang)
    note = measure.status_note.get(lang) if measure.status_note else ""
    return f"{head}{colon(lang)}{note}" if note else head


def _next_step(measure: Measure, lang: str) -> NextStep:
    how = measure.how_to_apply
    if how is None:
        return NextStep()
    return NextStep(how.body.get(lang) if how.body else "", how.period.get(lang) if how.period else "", how.url)


def _unknowns(result: Any, ruleset: RuleSet, lang: str) -> list[str]:
    """The conditions an undetermined result waits on that no question settles: another measure's result, or a
    condition the bureau checks (its text)."""
    out = []
    for leaf in result.trace.leaves() if result.trace else ():
        if leaf.result == "unknown" and not leaf.missing:
            calls = [name_label(name, ruleset, lang) for name in leaf.reads if "(" in name]
            text = (leaf.text.get(lang) if leaf.text else "")
            out += calls or ([text] if text else [])
    return list(dict.fromkeys(out))


def _verdict(c: Card, result: Any, ruleset: RuleSet, lang: str) -> str:
    en = lang == "en"
    cat = c.category
    if c.draft:
        return f"{DRAFT.get(lang)}{colon(lang)}" + ("not counted until it is enacted" if en else "正式施行前不计入")
    if cat == "eligible":
        return ("eligible" if en else "符合条件") + (f"{colon(lang)}{c.pays}" if c.pays else "")
    if cat == "nearly":
        return ("nearly" if en else "差一点") + colon(lang) + c.gaps[0]
    if cat == "conditional":
        return (f"once you hold {listing(c.prerequisites, lang)}" if en else f"取得{listing(c.prerequisites, lang)}后可申请")
    if cat == "undetermined":
        if c.score is not None:
            return ("undetermined: " if en else "待定：") + c.score.status
        waits = _unknowns(result, ruleset, lang)
        if c.missing:
            n = len(c.missing)
            head = (f"undetermined: answer {n} question{'s' if n > 1 else ''} to decide" if en
                    else f"待定：回答{n}个问题即可判断")
            return head + (f"{sep(lang)}{'also still open: ' if en else '另有待确认：'}{listing(waits, lang)}" if waits else "")
        if waits:
            return ("undetermined — still open: " if en else "待定——尚待确认：") + listing(waits, lang)
        return "undetermined" if en else "待定"
    if cat == "ineligible":
        if c.score is not None:
            return ("not eligible: " if en else "不符合：") + c.score.status
        first = c.failing[0].text if c.failing else ""
        return ("not eligible" if en else "不符合") + (f"{colon(lang)}{first}" if first else "")
    if cat == "not_applicable":
        return c.reason or label(cat).get(lang)
    return label(cat).get(lang)


def card(result: Any, decision: Any, ruleset: RuleSet, lang: str, link: Linker = no_link,
         *, with_trace: bool = True) -> Card:
    """The card of one measure result (a live or a stored Decision's)."""
    m = ruleset.measures[result.measure_id]
    status = _status_note(m, lang)
    klass, pays_text, figure_text, figure = pays(result, m, lang)
    score = _score(result, decision, ruleset, lang)
    cat = category(result, score)
    c = Card(
        id=m.id, title=m.title.get(lang), category=cat, category_label=label(cat).get(lang), verdict="",
        issuer=ISSUERS.get(m.issuer, Message(m.issuer, m.issuer)).get(lang), source=document_of(m.source, lang),
        confidence=m.confidence, confidence_hint=CONFIDENCE.get(m.confidence, Message("", "")).get(lang),
        status_note=status, money_class=klass, pays=pays_text, amount=figure_text, figure=figure,
        benefit=m.benefit.text.get(lang), note=m.benefit.note.get(lang) if m.benefit.note else "",
        draft=m.is_draft, gaps=[g.message.get(lang) for g in result.gaps],
        failing=_failing(result, m, ruleset, lang),
        missing=[Question(field_text(p, lang), p, link(p)) for p in result.missing], score=score,
        documents=[d.get(lang) for d in m.documents],
        reason=REASONS.get(result.reason or "", Message("", "")).get(lang) if cat == "not_applicable" else "",
        prerequisites=[ruleset.measures[p].title.get(lang) for p in result.prerequisites if p in ruleset.measures],
        next_step=_next_step(m, lang), value=value_of(result),
    )
    c.verdict = _verdict(c, result, ruleset, lang)
    c.gap = c.gaps[0] if c.gaps else c.score.status if c.score is not None else \
        c.failing[0].sentence(lang) if c.failing and cat in ("ineligible", "nearly") else ""
    if with_trace and result.trace is not None and cat != "not_applicable":
        c.trace = trace_view(result.trace, decision, ruleset, m, lang)
    return c


def score_action(c: Card, lang: str) -> str:
    """The indicator change of a score card as one next step."""
    if c.score is None or not c.score.action:
        return ""
    return f"{c.title}{colon(lang)}{c.score.action}"


__all__ = ["Card", "Failing", "NextStep", "Question", "card", "category", "pays", "value_of"]
