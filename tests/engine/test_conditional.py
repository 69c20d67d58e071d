"""Issue 14 point 3: an award paid to firms already recognised is *conditional* for a firm that only meets
the recognition conditions — 认定后可申请 / eligible once recognised — in every backend, the JSON, the
stacking (never in the cash total), replay and the CLI report."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from engine import evaluate, parse_profile, replay
from engine.decision import Outcome
from engine.fast import compile_ruleset
from engine.fast.columnar import Columnar
from engine.model import RuleSet
from engine.reading.labels import OUTCOME_LABELS
from tests.conftest import sample

AS_OF = dt.date(2025, 6, 30)
AWARD, HNTE = "qingyuan.hnte_award_first_time", "national.hnte_recognition"


@pytest.fixture()
def prospective() -> dict[str, Any]:
    """The Qingcheng ceramics firm: no HNTE certificate, meets Art. 11 (as the rule's own test)."""
    data = sample("qingcheng_ceramics_turning_hightech")
    data["independent_legal_person"] = True
    return data


def test_an_award_for_recognised_firms_is_conditional_not_eligible(ruleset: RuleSet, prospective: Any) -> None:
    decision = evaluate(ruleset, parse_profile(prospective, AS_OF), AS_OF)
    assert decision.result(HNTE).outcome is Outcome.ELIGIBLE  # the engine's own forecast of the status
    award = decision.result(AWARD)
    assert award.outcome is Outcome.CONDITIONAL
    assert award.prerequisites == (HNTE,)
    assert (award.amount.kind, award.amount.value) == ("up_to", 300_000)  # what it pays once recognised
    assert award.failing == () and award.missing == ()
    meets = next(leaf for leaf in award.trace.leaves() if leaf.id == "meets_hnte")
    assert (meets.result, meets.prerequisites) == ("conditional", (HNTE,))
    assert award.trace.result == "conditional" and award.trace.prerequisites == (HNTE,)


def test_the_stacking_total_never_counts_it(ruleset: RuleSet, prospective: Any) -> None:
    decision = evaluate(ruleset, parse_profile(prospective, AS_OF), AS_OF)
    stack = decision.stacking
    assert AWARD not in stack.chosen and AWARD in stack.conditional
    assert stack.conditional_total >= 300_000
    eligible_cash = sum(r.amount.value for r in decision.results if r.measure_id in stack.chosen
                        and r.amount.kind in ("exact", "up_to") and isinstance(r.amount.value, int))
    assert stack.total == eligible_cash
    data = json.loads(decision.to_json())
    shown = next(r for r in data["results"] if r["measure_id"] == AWARD)
    assert shown["outcome"] == "conditional" and shown["prerequisites"] == [HNTE]
    assert AWARD in data["stacking"]["conditional"]


def test_a_firm_holding_a_fresh_certificate_stays_eligible(ruleset: RuleSet, prospective: Any) -> None:
    prospective["certificates"] = [{"type": "hnte", "number": "GR202444000123", "issued_on": "2024-12-01",
                                    "expires_on": "2027-11-30", "first_time": True}]
    award = evaluate(ruleset, parse_profile(prospective, AS_OF), AS_OF).result(AWARD)
    assert award.outcome is Outcome.ELIGIBLE and award.prerequisites == ()


def test_every_backend_decides_it(ruleset: RuleSet, prospective: Any) -> None:
    parsed = parse_profile(prospective, AS_OF)
    reference = evaluate(ruleset, parsed, AS_OF)
    program = compile_ruleset(ruleset, AS_OF)
    assert program.decide(parsed).to_json() == reference.to_json()
    expected = [(r.measure_id, r.outcome, r.amount, r.prerequisites) for r in reference.results]
    for source in (parsed, parsed.profile.model_dump()):
        assert [(v.measure_id, v.outcome, v.amount, v.prerequisites) for v in program.verdicts(source)] == expected
    table = Columnar(program).evaluate([parsed.profile.model_dump()] * 3)
    for i in range(3):
        assert [(v.measure_id, v.outcome, v.amount, v.prerequisites) for v in table.verdicts(i)] == expected
    assert table.counts(AWARD)["conditional"] == 3


def test_replay_of_a_conditional_decision_is_identical(ruleset: RuleSet, prospective: Any) -> None:
    stored = evaluate(ruleset, parse_profile(prospective, AS_OF), AS_OF).to_json()
    assert replay(stored, ruleset.snapshot, prospective, AS_OF).identical


def test_one_label_table_names_every_outcome() -> None:
    assert set(OUTCOME_LABELS) == set(Outcome)
    assert OUTCOME_LABELS[Outcome.CONDITIONAL].zh == "认定后可申请"
    assert OUTCOME_LABELS[Outcome.CONDITIONAL].en == "Eligible once recognised"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_cli_report_lists_it_apart(prospective: Any, tmp_path: Path, lang: str) -> None:
    from web.cli import main

    path = tmp_path / "firm.yaml"
    path.write_text(yaml.safe_dump(prospective, allow_unicode=True), encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(path), "--as-of", AS_OF.isoformat(), "--lang", lang])
    assert result.exit_code == 0, result.output
    text = result.output
    heading = "◇ 认定后可申请" if lang == "zh" else "◇ Eligible once recognised"
    section = text.split(heading, 1)[1].split("\n\n", 1)[0]
    assert ("清远市新认定高新技术企业奖励" if lang == "zh" else "Qingyuan award for a newly recognised HNTE") in section
    assert ("需先取得：高新技术企业认定" if lang == "zh" else "first obtain: ") in section
    assert ("认定后可申请（不计入上面的合计）" if lang == "zh" else "Eligible once recognised (not in the total above)") in text
