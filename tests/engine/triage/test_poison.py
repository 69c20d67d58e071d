"""No poison pills (issue 18): one application with an absurd figure never fails the triage of the others.

An amount above 10^60 yuan used to raise OverflowError in order_key for the whole queue. Now every figure
of fewer than 99,999 digits is compared exactly; beyond that the application is left out of the run and
gets a "needs manual triage" flag worded for reviewers, while every other application is triaged as before.
"""

from __future__ import annotations

import pytest

from engine.triage import Register, TriageRuleSet, triage
from engine.triage.run import MANUAL_RULE
from tests.engine.triage.conftest import CODE_B, TODAY, app

ENGINES = ["durable", "reference"]


def finance(sales: int, rd: int) -> dict:
    return {"finance": [{"year": 2024, "sales": sales, "rd_expense": rd}]}


@pytest.mark.parametrize("engine", ENGINES)
def test_huge_figures_compare_exactly(rules: TriageRuleSet, engine: str) -> None:
    big = 10**61
    result = triage([app("A1", figures=finance(big, big + 1)), app("A2", figures=finance(big + 1, big))],
                    Register(), TODAY, rules, engine=engine)
    flagged = {(f.application_id, f.rule_id) for f in result.flags}
    assert ("A1", "rd_exceeds_sales") in flagged and ("A2", "rd_exceeds_sales") not in flagged
    assert not any(f.rule_id == MANUAL_RULE for f in result.flags)


def test_a_figure_no_rule_can_encode_is_flagged_for_manual_triage(rules: TriageRuleSet) -> None:
    absurd = 10**5000  # more digits than Python will turn into text (4,300): the encoder fails on it
    apps = [app("A1", figures=finance(absurd, 1), project_keys=["QY-1"]),
            app("B1", credit_code=CODE_B, name="清远乙材料有限公司", project_keys=["QY-9"],
                figures=finance(100, 200)),
            app("B2", credit_code=CODE_B, name="清远乙材料有限公司", project_keys=["QY-9"])]
    result = triage(apps, Register(), TODAY, rules, engine="durable")
    manual = [f for f in result.flags if f.rule_id == MANUAL_RULE]
    assert [f.application_id for f in manual] == ["A1"]
    assert "人工" in manual[0].message.zh and "by hand" in manual[0].message.en
    assert "Overflow" not in manual[0].message.en and "order" not in manual[0].message.en
    assert result.routes["A1"] == "verify"
    others = {(f.application_id, f.rule_id) for f in result.flags if f.application_id != "A1"}
    assert ("B1", "rd_exceeds_sales") in others and ("B1", "duplicate_project") in others
    assert ("B2", "duplicate_project") in others


def test_the_caller_can_name_unreadable_applications(rules: TriageRuleSet) -> None:
    result = triage([app("A1")], Register(), TODAY, rules, manual={"7": "unreadable"})
    flag = next(f for f in result.flags if f.application_id == "7")
    assert (flag.rule_id, flag.route, flag.details) == (MANUAL_RULE, "verify", {"reason": "unreadable"})
