"""engine.reading: one reading of a Decision, in plain words (issue 20)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from engine import evaluate, load_ruleset, parse_profile
from engine.decision import Decision
from engine.model import RuleSet
from engine.reading import read
from engine.reading.labels import CATEGORY_LABELS, OUTCOME_LABELS, label
from engine.reading.words import article_en, cite, requirement, value_text

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "sample_applicants"
AS_OF = dt.date(2025, 6, 30)


@pytest.fixture(scope="module")
def ruleset() -> RuleSet:
    return load_ruleset(ROOT / "rules")


def decide(ruleset: RuleSet, name: str, as_of: dt.date = AS_OF, **changes: object) -> Decision:
    data = yaml.safe_load((SAMPLES / f"{name}.yaml").read_text(encoding="utf-8"))
    data.update(changes)
    return evaluate(ruleset, parse_profile(data, as_of), as_of)


@pytest.mark.parametrize("name", sorted(p.stem for p in SAMPLES.glob("*.yaml")))
def test_a_stored_decision_is_a_decision_again(ruleset: RuleSet, name: str) -> None:
    decision = decide(ruleset, name)
    again = Decision.from_json(decision.to_json())
    assert again.to_json() == decision.to_json() and again.hash == decision.hash
    live, stored = read(decision, ruleset, "zh"), read(again, ruleset, "zh")
    assert [(c.id, c.verdict, c.pays, [f.sentence("zh") for f in c.failing]) for c in live.cards] == \
        [(c.id, c.verdict, c.pays, [f.sentence("zh") for f in c.failing]) for c in stored.cards]


def test_the_straddling_score_leads_with_its_verdict_gap_and_indicator_change(ruleset: RuleSet) -> None:
    reading = read(decide(ruleset, "hnte_score_straddles_70"), ruleset, "zh")
    hnte = reading.key[0]
    assert hnte.id == "national.hnte_recognition" and hnte.category == "undetermined"
    assert hnte.score is not None and "跨过了70分线" in hnte.verdict and "最低得分再提高" in hnte.gap
    assert [i.name for i in hnte.score.indicators] == ["知识产权", "科技成果转化能力", "研究开发组织管理水平", "企业成长性"]
    assert any("近三年科技成果转化数从12项增加到" in change for change in hnte.score.changes)
    english = read(decide(ruleset, "hnte_score_straddles_70"), ruleset, "en").key[0]
    assert english.score is not None and "points" in english.score.status


def test_a_near_miss_is_nearly_with_its_gap_as_the_first_action(ruleset: RuleSet) -> None:
    reading = read(decide(ruleset, "hnte_rd_ratio_near_miss"), ruleset, "zh")
    hnte = reading.card("national.hnte_recognition")
    assert hnte is not None and hnte.category == "nearly" and "还需增加9.00万元" in hnte.gap
    assert dict((k, n) for k, _label, n in reading.counts)["nearly"] >= 1
    assert reading.key[0].id == "national.hnte_recognition"
    assert reading.actions[0].measure == "national.hnte_recognition" and "即可满足" in reading.actions[0].text


def test_a_tax_benefit_is_worded_as_tax_and_kept_out_of_the_total(ruleset: RuleSet) -> None:
    decision = decide(ruleset, "qy_new_hnte_benchmark_stack")
    reading = read(decision, ruleset, "zh")
    hnte = reading.card("national.hnte_recognition")
    assert hnte is not None and hnte.category == "eligible" and hnte.money_class == "tax"
    assert hnte.pays.startswith("税收优惠") and "可获15%" not in hnte.pays
    apart = dict(reading.headline.apart)
    assert any(title == hnte.title for title, _pays in apart["税收优惠（少缴的税，不是拨款）"])
    assert "择优支持（入选后才有，不计入合计）" in apart  # a competitive maximum is listed apart, never summed


def test_declined_questions_are_never_proposed_again(ruleset: RuleSet) -> None:
    decision = decide(ruleset, "incomplete_profile_missing_finance")
    every = read(decision, ruleset, "zh")
    asked = [a for a in every.actions if a.text.startswith("回答")]
    assert asked, every.actions
    target = every.card(asked[0].measure)
    assert target is not None
    declined = frozenset(q.path for q in target.missing)
    after = read(decision, ruleset, "zh", declined=declined)
    assert all(a.measure != target.id for a in after.actions)


def test_failing_conditions_are_sentences_with_value_requirement_and_source(ruleset: RuleSet) -> None:
    reading = read(decide(ruleset, "out_of_area_guangzhou_firm"), ruleset, "zh")
    sentences = [f.sentence("zh") for c in reading.cards for f in c.failing]
    assert sentences and all("policy_criteria" not in s and "param." not in s for s in sentences)


def test_words_for_values_requirements_and_sources() -> None:
    assert requirement(">=", "0.1", "ratio", "zh") == "不低于10%" and requirement(">", 70, "points", "en") == \
        "more than 70 points"
    assert requirement("==", True, "bool", "zh") == "为“是”"
    assert requirement("in", ["new_materials", "biomedicine"], "code", "en") == "one of new materials, biomedicine"
    assert value_text({"interval": [45, 60]}, "points", "zh") == "45–60分"
    assert value_text({"unknown": ["staff.total"]}, "count", "en") == "unknown"
    assert cite("G32 第十一条(四)", None, "2016-01-01", "zh") == \
        "《高新技术企业认定管理办法》 国科发火〔2016〕32号 第十一条（四），自2016-01-01起施行"
    assert article_en("第十一条（四）") == "Art. 11(4)" and article_en("三.3 标杆") == ""


def test_an_outcome_added_later_reads_through_the_one_table() -> None:
    assert set(OUTCOME_LABELS) and all(OUTCOME_LABELS[o] is CATEGORY_LABELS[o.value] for o in OUTCOME_LABELS)
    assert label("some_new_outcome").zh == "其他结论"


def _cited_documents() -> set[str]:
    """Every document title a rule file cites in a source block (a measure's, a fact file's, a confirmation's)."""
    found: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("document"), str) and "confidence" in node:
                found.add(node["document"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for path in sorted((ROOT / "rules").rglob("*.yaml")):
        walk(yaml.safe_load(path.read_text("utf-8")))
    return found


def test_every_cited_document_has_an_english_title() -> None:
    from engine.reading.documents import TITLES_EN

    cited = _cited_documents()
    assert len(cited) > 50
    missing = sorted(cited - set(TITLES_EN))
    assert not missing, f"add these titles to engine/reading/documents.py: {missing}"
    assert all(not any("\u4e00" <= ch <= "\u9fff" for ch in title) for title in TITLES_EN.values())


def test_an_english_citation_names_the_document_in_english_then_the_original() -> None:
    from engine.reading.words import document_of, foreign_residue

    source = {"document": "高新技术企业认定管理办法", "number": "国科发火〔2016〕32号", "article": "第十一条（四）"}
    assert document_of(source, "en") == ("Administrative Measures for the Recognition of High-tech Enterprises "
                                         "(《高新技术企业认定管理办法》, 国科发火〔2016〕32号), Art. 11(4)")
    assert document_of(source, "zh") == "《高新技术企业认定管理办法》 国科发火〔2016〕32号 第十一条（四）"
    assert document_of({"document": "未收录的文件"}, "en") == "《未收录的文件》"
    assert foreign_residue(document_of(source, "en"), "en") == ""
