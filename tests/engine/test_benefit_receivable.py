"""Issue 17 item 1: only money paid to the applicant as of right is receivable.

A bank's compensation, a competitive (择优) or case-by-case (一事一议) maximum and a tax treatment are
shown apart and never added to the stacking total; one function (engine.benefits.counts_as_receivable)
decides, for dicts of a stored Decision as well as for live values. Small in-memory rule sets keep these
tests independent of the catalogue's content.
"""

from __future__ import annotations

import datetime as dt
import json
import textwrap
from fractions import Fraction
from typing import Any

import pytest

from engine import evaluate, parse_profile
from engine.benefits import counts_as_receivable, money_class, receivable_value
from engine.decision import Amount, MeasureResult, Outcome
from engine.fast import fast_evaluate
from engine.loader import load_from_texts
from engine.model import RuleSet

AS_OF = dt.date(2025, 6, 30)
TODAY = dt.date(2026, 1, 1)
PROFILE = {"kind": "enterprise", "name": "测试企业", "region_code": "441802", "staff": {"total": 12}}


def measure_text(stem: str, benefit: str, *, issuer: str = "qingyuan", when: str = "staff.total >= param.staff_min",
                 extra: str = "", tests: str = "", parameters: str = "", source_date: str = "2024-01-01") -> str:
    """A small measure file: one condition on staff.total, the given benefit block (one YAML line)."""
    return textwrap.dedent(f"""\
        id: {issuer}.{stem}
        title: {{zh: 测试措施{stem}, en: test measure {stem}}}
        issuer: {issuer}
        applicant: [enterprise]
        source: {{document: 测试文件, date: {source_date}, confidence: V}}
        effective: {{from: 2020-01-01}}
        parameters:
          staff_min: {{unit: count, values: {{2020-01-01: {{value: 10, source: 第一条}}}}}}
          award: {{unit: money, values: {{2020-01-01: {{value: 100000, source: 第二条}}}}}}
        """) + textwrap.indent(textwrap.dedent(parameters), "  ") + textwrap.dedent(f"""\
        criteria:
          - id: staff
            text: {{zh: 职工不少于10人, en: at least 10 staff}}
            when: '{when}'
        benefit: {benefit}
        """) + textwrap.dedent(extra) + (("tests:\n" + textwrap.indent(textwrap.dedent(tests), "  ")) if tests else "")


def ruleset_of(measures: dict[str, str]) -> RuleSet:
    return load_from_texts({f"{mid.split('.')[0]}/{mid.split('.')[1]}.yaml": text for mid, text in measures.items()})


CASH = "{kind: cash, amount: param.award, payee: applicant, basis: entitlement, text: {zh: 奖励, en: award}}"
BANK = ("{kind: loan_compensation, amount: 6 * param.award, up_to: true, payee: bank, basis: entitlement, "
        "text: {zh: 向合作银行补偿不良贷款本金损失, en: compensates the bank}}")
COMPETITIVE = ("{kind: cash, amount: 40 * param.award, up_to: true, payee: applicant, basis: competitive, "
               "text: {zh: 择优支持, en: selected on merit}}")
CASE_BY_CASE = ("{kind: cash, amount: 50 * param.award, up_to: true, payee: applicant, basis: case_by_case, "
                "text: {zh: 一事一议, en: case by case}}")
TAX = "{kind: tax_rate, rate: 15%, payee: applicant, basis: tax, text: {zh: 企业所得税减按15%征收, en: CIT at 15%}}"
UNDECLARED = "{kind: cash, amount: param.award, text: {zh: 奖励, en: award}}"


@pytest.fixture(scope="module")
def mixed() -> RuleSet:
    return ruleset_of({"qingyuan.cash": measure_text("cash", CASH), "qingyuan.bank": measure_text("bank", BANK),
                       "qingyuan.competitive": measure_text("competitive", COMPETITIVE),
                       "qingyuan.case": measure_text("case", CASE_BY_CASE), "qingyuan.tax": measure_text("tax", TAX),
                       "qingyuan.undeclared": measure_text("undeclared", UNDECLARED)})


def decide(ruleset: RuleSet, data: dict[str, Any] | None = None) -> Any:
    return evaluate(ruleset, parse_profile(data or PROFILE, TODAY), AS_OF)


def test_only_entitled_cash_to_the_applicant_is_in_the_total(mixed: RuleSet) -> None:
    decision = decide(mixed)
    assert {r.outcome for r in decision.results} == {Outcome.ELIGIBLE}
    stack = decision.stacking
    assert stack.total == 100_000  # not 100,000 + 600,000 + 4,000,000 + 5,000,000 + 100,000
    assert "qingyuan.cash" in stack.chosen
    assert stack.competitive == ("qingyuan.competitive",)
    assert stack.case_by_case == ("qingyuan.case",)
    assert stack.tax == ("qingyuan.tax",)
    assert stack.paid_to_others == ("qingyuan.bank",)


def test_a_bank_paid_benefit_alone_gives_zero_receivable() -> None:
    decision = decide(ruleset_of({"qingyuan.bank": measure_text("bank", BANK)}))
    result = decision.result("qingyuan.bank")
    assert result.outcome is Outcome.ELIGIBLE and (result.amount.kind, result.amount.value) == ("up_to", 600_000)
    assert not counts_as_receivable(result)
    assert decision.stacking.total == 0 and decision.stacking.paid_to_others == ("qingyuan.bank",)


def test_the_amount_says_who_is_paid_and_on_what_basis_in_the_json(mixed: RuleSet) -> None:
    data = json.loads(decide(mixed).to_json())
    amounts = {r["measure_id"]: r["amount"] for r in data["results"]}
    assert amounts["qingyuan.bank"] == {"kind": "up_to", "value": 600000, "note": None,
                                        "benefit": "loan_compensation", "payee": "bank", "basis": "entitlement"}
    assert amounts["qingyuan.tax"]["benefit"] == "tax_rate" and amounts["qingyuan.tax"]["basis"] == "tax"
    assert "payee" not in amounts["qingyuan.undeclared"]  # not declared: omitted, and never receivable
    assert data["stacking"]["paid_to_others"] == ["qingyuan.bank"]
    stored = {r["measure_id"]: r for r in data["results"]}  # the same test reads a stored Decision
    assert [m for m, r in stored.items() if counts_as_receivable(r)] == ["qingyuan.cash"]
    assert [m for m, a in amounts.items() if counts_as_receivable(a)] == ["qingyuan.cash"]


def test_the_fast_backend_reads_money_the_same_way(mixed: RuleSet) -> None:
    parsed = parse_profile(PROFILE, TODAY)
    assert fast_evaluate(mixed, parsed, AS_OF).to_json() == evaluate(mixed, parsed, AS_OF).to_json()


@pytest.mark.parametrize(("amount", "expected"), [
    (Amount("exact", 100_000, None, "cash", "applicant", "entitlement"), "receivable"),
    (Amount("up_to", 300_000, None, "cash", "applicant", "entitlement"), "receivable"),
    (Amount("up_to", 4_000_000, None, "cash", "applicant", "competitive"), "competitive"),
    (Amount("up_to", 5_000_000, None, "cash", "applicant", "case_by_case"), "case_by_case"),
    (Amount("rate", Fraction(15, 100), None, "tax_rate", "applicant", "tax"), "tax"),
    (Amount("rate", Fraction(1), None, "super_deduction", "applicant", "tax"), "tax"),
    (Amount("up_to", 600_000, None, "loan_compensation", "bank", "entitlement"), "paid_to_others"),
    (Amount("exact", 100_000, None, "cash", "guarantor", "entitlement"), "paid_to_others"),
    (Amount("unpublished", None, None, "unpublished"), "unpublished"),
    (Amount("exact", 100_000, None, "cash"), "undeclared"),
    (Amount("none"), "none"),
    (Amount("none", None, None, "recognition", "applicant", "status"), "status"),
])
def test_money_class_of_each_kind_of_amount(amount: Amount, expected: str) -> None:
    assert money_class(amount) == expected
    assert counts_as_receivable(amount) is (expected == "receivable")
    assert receivable_value(amount) == (amount.value if expected == "receivable" else 0)


def test_a_conditional_or_undetermined_result_never_counts() -> None:
    cash = Amount("up_to", 300_000, None, "cash", "applicant", "entitlement")
    for outcome in (Outcome.CONDITIONAL, Outcome.UNDETERMINED, Outcome.INELIGIBLE):
        result = MeasureResult("m", outcome, None, cash, (), (), (), None)
        assert not counts_as_receivable(result)
        assert not counts_as_receivable({"outcome": outcome.value, "amount": {
            "kind": "up_to", "value": "300000", "benefit": "cash", "payee": "applicant", "basis": "entitlement"}})
    assert counts_as_receivable(MeasureResult("m", Outcome.ELIGIBLE, None, cash, (), (), (), None))
    assert receivable_value({"kind": "exact", "value": "150000", "benefit": "cash", "payee": "applicant",
                             "basis": "entitlement"}) == 150_000  # canonical JSON writes numbers as text


def test_the_credit_pool_sample_receives_no_cash_from_the_pool(ruleset: RuleSet) -> None:
    """Issue 17 'done when': qy_credit_loan_pool_2026 showed 现金合计 60万元 — the pool pays the bank."""
    from tests.conftest import sample
    decision = evaluate(ruleset, parse_profile(sample("qy_credit_loan_pool_2026"), TODAY), dt.date(2026, 3, 31))
    pool = decision.result("qingyuan.credit_loan_risk_pool_2026")
    assert pool.outcome is Outcome.ELIGIBLE and pool.amount.payee == "bank"
    assert not counts_as_receivable(pool)
    assert "qingyuan.credit_loan_risk_pool_2026" in decision.stacking.paid_to_others
    assert decision.stacking.total == sum(receivable_value(r) for r in decision.results
                                          if r.measure_id in decision.stacking.chosen)
    assert decision.stacking.total == 0
