"""Plain-text self-check report for the terminal, Chinese by default, English with --lang en.

The text is the reading of the Decision (engine.reading) laid out for a terminal: the measures the firm
came for first, then what it qualifies for, nearly qualifies for (and exactly what is missing), what needs
more information (as questions), what it does not qualify for (each condition with its value, requirement and
source), and what is not for it; money receivable now apart from tax, competitive and conditional benefits.
"""

from __future__ import annotations

from typing import Any

from engine.decision import Decision
from engine.model import RuleSet
from engine.reading import Card, Reading, read
from engine.reading.labels import ISSUERS as ISSUER_LABELS
from engine.reading.words import colon, listing, sep

ISSUERS = {key: (m.zh, m.en) for key, m in ISSUER_LABELS.items()}  # a view of the one table, for `rules list`
MARKS = {"eligible": "✔", "nearly": "≈", "conditional": "◇", "undetermined": "?", "ineligible": "✘"}
ORDER = ("eligible", "nearly", "conditional", "undetermined", "ineligible")


def _t(zh: str, en: str, lang: str) -> str:
    return en if lang == "en" else zh


def render(decision: Decision, ruleset: RuleSet, name: str, lang: str = "zh") -> str:
    reading = read(decision, ruleset, lang, with_trace=False)
    lines = [_header(decision, name, lang)]
    if reading.warnings:
        lines.append(_t("⚠ 数据提示：", "⚠ Data warnings:", lang))
        lines += [f"  - {w.text}" for w in reading.warnings]
        lines.append("")
    lines += _key(reading, lang)
    lines += _headline(reading, lang)
    for key in ORDER:
        cards = reading.groups.get(key, [])
        if cards:
            lines.append(f"{MARKS[key]} {reading.titles[key]} ({len(cards)})")
            for c in cards:
                lines += _card(c, lang)
            lines.append("")
    lines += _not_applicable(reading.groups.get("not_applicable", []), lang)
    lines += _actions(reading, lang)
    return "\n".join(lines).rstrip() + "\n"


def _header(decision: Decision, name: str, lang: str) -> str:
    title = f"{name} — " + _t("资格自测报告", "eligibility self-check", lang)
    meta = _t("评价日期 {d} · 规则版本 {h} · 引擎 {v}", "as of {d} · rules {h} · engine {v}", lang).format(
        d=decision.as_of, h=decision.ruleset_hash[:12], v=decision.engine_version)
    return f"{title}\n{meta}\n{'=' * 60}\n"


def _key(reading: Reading, lang: str) -> list[str]:
    if not reading.key:
        return []
    out = [_t("★ 您最关心的政策", "★ The measures you came for", lang)]
    for c in reading.key:
        out.append(f"  ■ {c.title}：{c.verdict}" if lang != "en" else f"  ■ {c.title}: {c.verdict}")
        if c.score is not None:
            out += _score(c, lang)
        elif c.gap and c.gap not in c.verdict:
            out.append(f"    → {c.gap}")
        out += _next(c, lang)
    return [*out, ""]


def _headline(reading: Reading, lang: str) -> list[str]:
    h = reading.headline
    if h.total:
        head = _t("现在可获（现金，按权利发放）", "Receivable now (cash paid as of right)", lang)
        upto = _t("最高", "up to ", lang) if h.capped else ""
        out = [f"{head}{colon(lang)}{upto}{h.total}"]
    else:
        out = [_t("现在可获（现金，按权利发放）：暂无", "Receivable now (cash paid as of right): none yet", lang)]
    if reading.stack is not None:
        for title, because in reading.stack.dropped:
            out.append("  − " + _t(f"“{title}”与“{because}”不可兼得，按就高原则只计一项",
                                   f"“{title}” is not combined with “{because}”: the higher is paid once", lang))
    for what, items in h.apart:
        out.append(f"{what}{colon(lang)}")
        out += [f"  · {title}{colon(lang)}{pays}" for title, pays in items]
    if h.conditional:
        total = f"{colon(lang)}{_t('最高', 'up to ', lang) if h.conditional_capped else ''}{h.conditional_total}" \
            if h.conditional_total else ""
        out.append(_t("认定后可申请（不计入上面的合计）", "Eligible once recognised (not in the total above)", lang) + total)
        out += [f"  ◇ {title}{colon(lang)}{pays}" for title, pays in h.conditional]
    return [*out, ""]


def _score(c: Card, lang: str) -> list[str]:
    s = c.score
    assert s is not None
    out = []
    if s.indicators:
        parts = [f"{i.name} {i.points}/{i.maximum}" for i in s.indicators]
        out.append("    " + _t("各项得分：", "points by indicator: ", lang) + sep(lang).join(parts))
    out += [f"    → {change}" for change in s.changes]
    return out


def _next(c: Card, lang: str) -> list[str]:
    n = c.next_step
    out = []
    if n.body:
        out.append("    " + _t("受理部门：", "where to apply: ", lang) + n.body)
    if n.period:
        out.append("    " + _t("申报时间：", "when: ", lang) + n.period)
    if n.url:
        out.append("    " + _t("政策原文：", "policy text: ", lang) + n.url)
    return out


def _card(c: Card, lang: str) -> list[str]:
    conf = _t("可信度", "confidence", lang)
    out = [f"  ■ {c.title}  [{c.issuer} · {c.source} · {conf} {c.confidence}]"]
    if c.status_note:
        out.append(f"    {c.status_note}")
    out.append(f"    {c.verdict}")
    if c.category != "eligible" and c.pays:
        label = _t("认定后可获", "once recognised", lang) if c.category == "conditional" else \
            _t("如符合条件可获", "if eligible", lang)
        out.append(f"    {label}{colon(lang)}{c.pays}")
    if c.prerequisites:
        out.append("    " + _t("需先取得：", "first obtain: ", lang) + sep(lang).join(c.prerequisites))
    out += [f"    → {gap}" for gap in c.gaps if gap not in c.verdict]
    if c.score is not None:
        out += _score(c, lang)
    out += [f"    ✘ {f.sentence(lang)}" for f in c.failing]
    if c.missing:
        out.append("    " + _t("请回答：", "please answer: ", lang) + sep(lang).join(q.label for q in c.missing))
    if c.category == "eligible" and c.documents:
        out.append("    " + _t("需准备材料：", "documents to prepare: ", lang) + sep(lang).join(c.documents[:4])
                   + (" …" if len(c.documents) > 4 else ""))
    if c.category == "eligible":
        out += _next(c, lang)
    return out


def _not_applicable(cards: list[Card], lang: str) -> list[str]:
    if not cards:
        return []
    by_reason: dict[str, list[str]] = {}
    for c in cards:
        by_reason.setdefault(c.reason or c.verdict, []).append(c.title)
    out = [_t("— 不适用", "— Not applicable", lang)]
    out += [f"  {reason}{colon(lang)}{listing(titles, lang)}" for reason, titles in sorted(by_reason.items())]
    return [*out, ""]


def _actions(reading: Reading, lang: str) -> list[str]:
    if not reading.actions:
        return []
    out = [_t("最值得做的下一步：", "Next steps worth most:", lang)]
    out += [f"  {i}. {a.text}" for i, a in enumerate(reading.actions, 1)]
    return [*out, ""]


def summary_line(decision: Decision, ruleset: RuleSet, lang: str = "zh") -> dict[str, Any]:
    """How many measures fall in each category (the reading's categories)."""
    return {key: n for key, _label, n in read(decision, ruleset, lang, with_trace=False).counts if n}


__all__ = ["ISSUERS", "render", "summary_line"]
