"""Plain-text self-check report for the terminal, Chinese by default, English with --lang en.

Grouped as a company manager reads it: what you qualify for, what you nearly qualify for (and exactly
what is missing), what needs more information, what you do not qualify for, and what is not for you.
"""

from __future__ import annotations

from typing import Any

from engine.decision import OUTCOME_LABELS, Decision, MeasureResult, Outcome
from engine.explain import amount_text, category, field_label, fmt
from engine.model import RuleSet
from engine.trace import TraceNode

_ONCE = OUTCOME_LABELS[Outcome.CONDITIONAL]
HEADINGS = {
    "eligible": ("✔ 符合条件", "✔ Eligible"),
    "nearly": ("≈ 差一点（看看还差什么）", "≈ Nearly eligible (see what is missing)"),
    "conditional": (f"◇ {_ONCE.zh}（取得认定后兑现，不计入现可获得的金额）",
                    f"◇ {_ONCE.en.capitalize()} (paid after the recognition; not counted in what you can get now)"),
    "undetermined": ("? 待定——请补充资料", "? Undetermined — more information needed"),
    "ineligible": ("✘ 不符合", "✘ Not eligible"),
}
REASONS = {
    "out_of_area": ("不在适用地区", "not in your area"),
    "not_in_force": ("评价日期不在政策有效期内", "not in force on the decision date"),
    "other_kind": ("不适用于此类申请人", "not for this kind of applicant"),
}
ISSUERS = {"national": ("国家", "national"), "guangdong": ("广东省", "Guangdong"), "qingyuan": ("清远市", "Qingyuan"),
           "qingcheng": ("清城区", "Qingcheng"), "shaoguan": ("韶关市", "Shaoguan")}


def _t(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


def _sep(lang: str) -> str:
    return "; " if lang == "en" else "；"


def _colon(lang: str) -> str:
    return ": " if lang == "en" else "："


def render(decision: Decision, ruleset: RuleSet, name: str, lang: str = "zh") -> str:
    lines = [_header(decision, name, lang)]
    if decision.warnings:
        lines.append(_t(("⚠ 数据提示：", "⚠ Data warnings:"), lang))
        lines += [f"  - {w.path}: {w.message.get(lang)}" for w in decision.warnings]
        lines.append("")
    groups: dict[str, list[MeasureResult]] = {k: [] for k in (*HEADINGS, "not_applicable")}
    for result in decision.results:
        groups[category(result)].append(result)
    for key, heading in HEADINGS.items():
        if groups[key]:
            lines.append(f"{_t(heading, lang)} ({len(groups[key])})")
            for result in groups[key]:
                lines += _measure(result, ruleset, decision, lang)
            lines.append("")
    lines += _not_applicable(groups["not_applicable"], ruleset, lang)
    lines += _stacking(decision, ruleset, lang)
    return "\n".join(lines).rstrip() + "\n"


def _header(decision: Decision, name: str, lang: str) -> str:
    title = f"{name} — " + _t(("资格自测报告", "eligibility self-check"), lang)
    meta = _t(("评价日期 {d} · 规则版本 {h} · 引擎 {v}", "as of {d} · rules {h} · engine {v}"), lang).format(
        d=decision.as_of, h=decision.ruleset_hash[:12], v=decision.engine_version)
    return f"{title}\n{meta}\n{'=' * 60}\n"


def _measure(result: MeasureResult, ruleset: RuleSet, decision: Decision, lang: str) -> list[str]:
    m = ruleset.measures[result.measure_id]
    src = m.source
    cite = " ".join(str(x) for x in (src.get("number") or src.get("document"), src.get("article")) if x)
    conf = _t(("可信度", "confidence"), lang)
    out = [f"  ■ {m.title.get(lang)}  [{_t(ISSUERS[m.issuer], lang)} · {cite} · {conf} {m.confidence}]"]
    if m.status == "possibly_superseded":
        out.append("    " + _t(("注意：该依据可能已被新文件取代", "note: this source may have been superseded"), lang))
    if result.outcome.value in ("eligible", "undetermined", "conditional"):
        label = _t(("预计金额/待遇", "estimated benefit"), lang)
        if result.outcome.value == "undetermined":
            label = _t(("如符合条件可获", "if eligible"), lang)
        if result.outcome.value == "conditional":
            label = _t(("认定后可获", "once recognised"), lang)
        amount = amount_text(result.amount, lang)
        value = f"{amount} — {m.benefit.text.get(lang)}" if amount != "—" else m.benefit.text.get(lang)
        out.append(f"    {label}{_colon(lang)}{value}")
    if result.prerequisites:
        out.append("    " + _t(("需先取得：", "first obtain: "), lang) + _sep(lang).join(
            ruleset.measures[m].title.get(lang) if m in ruleset.measures else m for m in result.prerequisites))
    for gap in result.gaps:
        out.append(f"    → {gap.message.get(lang)}")
    if result.failing:
        out += _failing(result, lang)
    if result.missing:
        out.append("    " + _t(("需补充：", "please add: "), lang) + _sep(lang).join(
            field_label(p).get(lang) for p in result.missing))
    if result.reason and result.outcome.value == "undetermined":
        out.append("    " + _t(("说明：", "note: "), lang) + result.reason)
    if result.outcome.value == "eligible" and m.documents:
        out.append("    " + _t(("需准备材料：", "documents to prepare: "), lang) + _sep(lang).join(
            d.get(lang) for d in m.documents[:4]) + (" …" if len(m.documents) > 4 else ""))
    return out


def _failing(result: MeasureResult, lang: str) -> list[str]:
    leaves = {leaf.id: leaf for leaf in result.trace.leaves()} if result.trace else {}
    out = []
    gap_ids = {g.condition for g in result.gaps}
    for cid in result.failing:
        leaf = leaves.get(cid)
        if leaf is None or cid in gap_ids:
            continue
        text = (leaf.fails or leaf.text).get(lang) if (leaf.fails or leaf.text) else cid
        out.append(f"    ✘ {text}{_values(leaf, lang)}")
    return out


def _values(leaf: TraceNode, lang: str) -> str:
    comp = leaf.comparison
    if not comp or isinstance(comp.get("left"), list | dict):
        return ""
    left, right, unit = comp["left"], comp["right"], comp.get("unit", "any")
    if isinstance(right, list | dict):
        inner = f"{_t(('当前', 'now'), lang)} {fmt(left, unit, lang)}"
    else:
        op = {">=": "≥", "<=": "≤", "==": "=", "!=": "≠"}.get(comp["op"], comp["op"])
        inner = _t(("当前{a}，要求{op}{b}", "now {a}; required {op} {b}"), lang).format(
            a=fmt(left, unit, lang), op=op, b=fmt(right, unit, lang))
    return f" ({inner})" if lang == "en" else f"（{inner}）"


def _not_applicable(results: list[MeasureResult], ruleset: RuleSet, lang: str) -> list[str]:
    if not results:
        return []
    by_reason: dict[str, list[str]] = {}
    for r in results:
        by_reason.setdefault(r.reason or "", []).append(ruleset.measures[r.measure_id].title.get(lang))
    out = [_t(("— 不适用", "— Not applicable"), lang)]
    for reason, titles in sorted(by_reason.items()):
        out.append(f"  {_t(REASONS.get(reason, (reason, reason)), lang)}{_colon(lang)}" + _t(("、", "; "), lang).join(titles))
    return [*out, ""]


def _stacking(decision: Decision, ruleset: RuleSet, lang: str) -> list[str]:
    stack = decision.stacking
    if not stack.chosen:
        return _later(decision, ruleset, lang)
    out = [_t(("可同时享受的组合（按规则可叠加的最高合计）：", "Best combination the rules allow:"), lang)]
    out += [f"  + {ruleset.measures[m].title.get(lang)}" for m in stack.chosen]
    if stack.total:
        out.append("  " + _t(("现金合计：", "cash total: "), lang) + fmt(stack.total, "money", lang))
    for dropped, because in stack.dropped:
        out.append("  − " + ruleset.measures[dropped].title.get(lang) + _t(
            ("（与“{x}”不可兼得，就高不就低）", " (not combined with “{x}”: the higher is paid once)"), lang).format(
            x=ruleset.measures[because].title.get(lang)))
    return [*out, "", *_later(decision, ruleset, lang)]


def _later(decision: Decision, ruleset: RuleSet, lang: str) -> list[str]:
    """The conditional measures' best combination, apart: 认定后可申请的金额 is never money receivable now."""
    stack = decision.stacking
    if not stack.conditional:
        return []
    out = [_t(("认定后可申请（取得认定后的最佳组合，不计入现金合计）：",
               "Eligible once recognised (best combination after the recognition; not in the cash total):"), lang)]
    out += [f"  ◇ {ruleset.measures[m].title.get(lang)}" for m in stack.conditional]
    if stack.conditional_total:
        out.append("  " + _t(("认定后可申请的金额：", "amount once recognised: "), lang)
                   + fmt(stack.conditional_total, "money", lang))
    return [*out, ""]


def summary_line(decision: Decision, lang: str = "zh") -> dict[str, Any]:
    counts: dict[str, int] = {}
    for r in decision.results:
        counts[category(r)] = counts.get(category(r), 0) + 1
    return counts
