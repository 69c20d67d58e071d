"""An interval score explained by indicator: the 高企 innovation-capability score (rules/facts/hnte_score.yaml).

Expert-judged sub-items make the score an interval; it passes for certain only when its lower end is over the
threshold. `explain_score` reads the indicators' current points from the decision's facts and finds the
cheapest change of the indicators an applicant can act on — more conversions, a higher R&D-management
score, faster growth, a drafted standard — that lifts the lower end over the threshold: the fewest
indicators changed, then the fewest points beyond what is needed.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any

from engine.canonical import plain
from engine.explain import fmt
from engine.model import RuleSet
from engine.reading.words import Number, interval, num

SCORE = "hnte_innovation_score"
IP, CONVERSION, GROWTH, PER_YEAR = "hnte_ip_points", "hnte_conversion_points", "hnte_growth_points", \
    "hnte_conversions_per_year"
MANAGEMENT = "innovation.rd_management_points"  # a self-assessed score in the profile (older rule files)
EXPERT = "hnte_management_points"  # the expert-scored management interval (0–20)
INDICATORS: tuple[tuple[str, int], ...] = ((IP, 30), (CONVERSION, 30), (EXPERT, 20), (GROWTH, 20))
"""The four indicators of the score and their maximum points (国科发火〔2016〕195号 四、企业创新能力评价)."""

_NAMES = {IP: ("知识产权", "intellectual property"), CONVERSION: ("科技成果转化能力", "conversion of S&T achievements"),
          EXPERT: ("研究开发组织管理水平", "R&D management"), GROWTH: ("企业成长性", "growth")}


@dataclass(frozen=True)
class Indicator:
    name: str
    points: str  # current points in words ("19–24分")
    maximum: str


@dataclass(frozen=True)
class ScoreHelp:
    """What an interval score is made of, and the cheapest change that makes it pass for certain."""

    total: str  # "62–76分"
    threshold: str  # "高于70分"
    status: str  # one sentence: where the score stands
    indicators: list[Indicator] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)  # the cheapest combination, one sentence per indicator
    lifted_to: str = ""  # the lowest score after the change ("最低71分")
    no_way: bool = False  # no change of the actionable indicators suffices
    action: str = ""  # the change as one next step
    maximum: str = ""  # the score's maximum ("100分")


@dataclass(frozen=True)
class _Option:
    indicator: str
    gain: Number  # points added to the lower end
    cost: Number  # the indicator's own effort, for ties
    sentence: tuple[str, str]


def _facts(decision: Any) -> dict[str, Any]:
    return {f.id: f for f in decision.facts}


def _reads(facts: dict[str, Any]) -> dict[str, Any]:
    """Everything the score's facts read (the indicator facts move between rule versions)."""
    out: dict[str, Any] = {}
    for fact in facts.values():
        if fact.id.startswith("hnte_"):
            out.update(fact.reads)
    return out


def _pts(value: Any, lang: str) -> str:
    span = interval(value)
    if span is not None:
        lo, hi = span
        text = fmt(lo, "number", lang) if lo == hi else f"{fmt(lo, 'number', lang)}–{fmt(hi, 'number', lang)}"
    else:
        number = num(plain(value))
        text = fmt(number, "number", lang) if number is not None else ("未知" if lang != "en" else "unknown")
    return f"{text} points" if lang == "en" else f"{text}分"


def _lo(value: Any) -> Number | None:
    span = interval(value)
    return span[0] if span is not None else num(plain(value))


def _bands(params: Iterable[Any], name: str) -> list[tuple[str, Number, Number]]:
    """[(bound kind, bound, lower points)] of a band table parameter, highest band first."""
    for p in params:
        if p.name == name and isinstance(plain(p.value), list):
            out = []
            for row in plain(p.value):
                lo = _lo(row.get("value"))
                kind = "min" if "min" in row else "over" if "over" in row else ""
                bound = num(row.get(kind)) if kind else None
                if lo is not None:
                    out.append((kind, bound if bound is not None else 0, lo))
            return out
    return []


def _band_lo(bands: list[tuple[str, Number, Number]], value: Number) -> Number:
    for kind, bound, lo in bands:
        if kind == "" or (kind == "min" and value >= bound) or (kind == "over" and value > bound):
            return lo
    return 0


def _conversion_options(facts: dict[str, Any], lang: str) -> list[_Option]:
    per_year, points = facts.get(PER_YEAR), facts.get(CONVERSION)
    if per_year is None or points is None:
        return []
    rate, total = num(plain(per_year.value)), num(plain(per_year.reads.get("innovation.conversions_3y")))
    current = _lo(points.value)
    if rate is None or total is None or current is None:
        return []
    years = Fraction(total) / rate if rate else Fraction(3)
    out = []
    for kind, bound, lo in _bands(points.params, "conversion_bands"):
        if kind != "min" or lo <= current:
            continue
        need = math.ceil(Fraction(bound) * years)
        more = need - total
        if more <= 0:
            continue
        zh = (f"近三年科技成果转化数从{total}项增加到{need}项（年均{fmt(bound, 'number', 'zh')}项，"
              f"该项最低得分从{fmt(current, 'number', 'zh')}分升到{fmt(lo, 'number', 'zh')}分）")
        en = (f"convert {more} more S&T achievements ({need} in the last three years, {fmt(bound, 'number', 'en')} a "
              f"year): at least {fmt(lo, 'number', 'en')} points instead of {fmt(current, 'number', 'en')}")
        out.append(_Option(CONVERSION, lo - current, more, (zh, en)))
    return out


def _management_options(facts: dict[str, Any]) -> list[_Option]:
    """A self-assessed management score in the profile (older rule files) can be raised; an expert-scored
    interval (hnte_management_points) cannot, and stays what the experts decide."""
    score = facts.get(SCORE)
    current = num(plain(_reads(facts).get(MANAGEMENT))) if score is not None else None
    if current is None:
        return []
    out = []
    for target in range(int(current) + 1, 21):
        zh = f"研究开发组织管理水平得分从{fmt(current, 'number', 'zh')}分提高到{target}分（满分20分）"
        en = f"raise the R&D management score from {fmt(current, 'number', 'en')} to {target} points (of 20)"
        out.append(_Option(MANAGEMENT, target - current, target - current, (zh, en)))
    return out


def _growth_options(facts: dict[str, Any]) -> list[list[_Option]]:
    points = facts.get(GROWTH)
    if points is None:
        return []
    bands = _bands(points.params, "growth_bands")
    groups = []
    for rate_id, zh_name, en_name in (("net_asset_growth", "净资产增长率", "net-asset growth"),
                                      ("sales_growth", "销售收入增长率", "sales growth")):
        rate = num(plain(points.reads.get(rate_id)))
        if rate is None:
            continue
        now = _band_lo(bands, rate)
        options = []
        for kind, bound, lo in bands:
            if kind != "min" or lo <= now or bound <= rate:
                continue
            zh = f"{zh_name}从{fmt(rate, 'ratio', 'zh')}提高到{fmt(bound, 'ratio', 'zh')}以上（该项最低+{fmt(lo - now, 'number', 'zh')}分）"
            en = (f"raise {en_name} from {fmt(rate, 'ratio', 'en')} to {fmt(bound, 'ratio', 'en')} or more "
                  f"(+{fmt(lo - now, 'number', 'en')} points at least)")
            options.append(_Option(GROWTH, lo - now, Fraction(bound - rate) * 100, (zh, en)))
        groups.append(options)
    return groups


def _standard_options(facts: dict[str, Any]) -> list[_Option]:
    ip = facts.get(IP)
    if ip is None or ip.reads.get("innovation.standard_setting") is not False:
        return []
    bonus = next((_lo(p.value) for p in ip.params if p.name == "standard_bonus"), None)
    span = interval(ip.value)
    if not bonus or span is None or span[0] + bonus > 30:
        return []
    zh = f"参与编制国家标准或行业标准（知识产权加分，最低+{fmt(bonus, 'number', 'zh')}分）"
    en = f"take part in drafting a national or industry standard (IP bonus, +{fmt(bonus, 'number', 'en')} at least)"
    return [_Option(IP, bonus, 1, (zh, en))]


def _cheapest(choices: list[list[_Option]], need: Number) -> list[_Option] | None:
    """The combination (at most one option per group) whose gain reaches `need`: fewest groups, then least gain."""
    best: tuple[int, Number, Number, list[_Option]] | None = None
    for size in range(1, len(choices) + 1):
        for groups in itertools.combinations(choices, size):
            for combo in itertools.product(*groups):
                gain = sum(o.gain for o in combo)
                if gain < need:
                    continue
                key = (size, gain, sum(o.cost for o in combo))
                if best is None or key < best[:3]:
                    best = (*key, list(combo))
        if best is not None:
            return best[3]
    return None


def explain_score(decision: Any, ruleset: RuleSet, comparison: dict[str, Any], lang: str) -> ScoreHelp | None:
    """The indicator view of a failed or undetermined `hnte_innovation_score > threshold` comparison."""
    facts = _facts(decision)
    score = facts.get(SCORE)
    threshold = num(plain(comparison.get("right")))
    if score is None or threshold is None:
        return None
    en = lang == "en"
    total_text = _pts(score.value, lang)
    need_text = f"more than {_pts(threshold, lang)}" if en else f"高于{_pts(threshold, lang)}"
    span = interval(score.value)
    indicators = []
    for fid, top in INDICATORS:
        value = facts[fid].value if fid in facts else _reads(facts).get(MANAGEMENT if fid == EXPERT else fid)
        name = _NAMES[fid][1 if en else 0]
        indicators.append(Indicator(name, _pts(value, lang), f"{top} points" if en else f"{top}分"))
    top_total = sum(top for _fid, top in INDICATORS)
    maximum = f"{top_total} points" if en else f"{top_total}分"
    if span is None:  # an assessed total stands in for the indicators
        lo = num(plain(score.value))
        if lo is None:
            return None
        status = (f"the assessed score is {total_text}; it must be {need_text}" if en
                  else f"评估总分{total_text}，要求{need_text}")
        return ScoreHelp(total_text, need_text, status, [])
    lo, hi = span
    need = math.floor(threshold) + 1 - lo
    if lo > threshold:
        return None
    if hi > threshold:
        status = (f"the score is {total_text}: above {_pts(threshold, lang)} at best, not at worst — the experts decide; "
                  f"{fmt(need, 'number', lang)} more points at the low end make it certain" if en else
                  f"得分区间{total_text}跨过了{_pts(threshold, lang)}线，结果取决于专家评审；"
                  f"最低得分再提高{fmt(need, 'number', lang)}分即可确定通过")
    else:
        status = (f"the score is {total_text}, not {need_text} even at best; "
                  f"the low end needs {fmt(need, 'number', lang)} more points" if en else
                  f"得分区间{total_text}，最高也不超过{_pts(threshold, lang)}；最低得分需提高{fmt(need, 'number', lang)}分")
    choices = [c for c in ([*_conversion_options(facts, lang)], _management_options(facts), *_growth_options(facts),
                           _standard_options(facts)) if c]
    combo = _cheapest(choices, need)
    if combo is not None:
        low = fmt(lo + sum(o.gain for o in combo), "number", lang)
        changes = [o.sentence[1 if en else 0] for o in combo]
        joined = ("; and " if en else "，并").join(changes)
        action = (f"{joined}: the score is then at least {low} points, {need_text}" if en
                  else f"{joined}：最低得分升到{low}分，{need_text}")
        return ScoreHelp(total_text, need_text, status, indicators, changes,
                         f"at least {low} points" if en else f"最低{low}分", action=action, maximum=maximum)
    return replace(_expert_residual(facts, choices, need, total_text, need_text, status, indicators, lang),
                   maximum=maximum)


def _expert_residual(facts: dict[str, Any], choices: list[list[_Option]], need: Number, total_text: str,
                     need_text: str, status: str, indicators: list[Indicator], lang: str) -> ScoreHelp:
    """No change the firm can make is enough on its own: the expert-scored management points decide. Say how many
    of them it takes now, and after the largest change of the other indicators."""
    en = lang == "en"
    expert = interval(facts[EXPERT].value) if EXPERT in facts else None
    best = [max(group, key=lambda o: (o.gain, -o.cost)) for group in choices]
    if expert is not None:  # the cheapest change after which half the experts' range is enough, else all of it
        width = expert[1] - expert[0]
        best = _cheapest(choices, need - Fraction(width) / 2) or _cheapest(choices, need - width) or best
    gain = sum(o.gain for o in best)
    if expert is None:
        return ScoreHelp(total_text, need_text, status, indicators, [o.sentence[1 if en else 0] for o in best],
                         no_way=True)
    lo_m, hi_m = expert
    now, after = lo_m + need, lo_m + need - gain

    def needs(points: Number) -> str:
        if points > hi_m:
            return (f"even the full {fmt(hi_m, 'number', lang)} points of the experts' R&D-management score would not be "
                    "enough" if en else f"即使专家给研究开发组织管理水平打满{fmt(hi_m, 'number', lang)}分也不够")
        return (f"the experts' R&D-management score must be at least {fmt(points, 'number', lang)} of "
                f"{fmt(hi_m, 'number', lang)} points" if en else
                f"专家对研究开发组织管理水平的评分须达到{fmt(points, 'number', lang)}分（满分{fmt(hi_m, 'number', lang)}分）")

    changes = [("with today's figures, " if en else "按目前的数据，") + needs(now)]
    action = ""
    if best:
        joined = ("; and " if en else "，并").join(o.sentence[1 if en else 0] for o in best)
        action = f"{joined}: then {needs(max(after, lo_m))}" if en else f"{joined}：这样{needs(max(after, lo_m))}"
        changes.append(action)
    return ScoreHelp(total_text, need_text, status, indicators, changes, no_way=after > hi_m, action=action)
