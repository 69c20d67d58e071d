"""Issue 17 item 6: lint classes that keep the catalogue honest — a cash benefit without payee/basis,
drafts, old amounts without a confirmation, one programme flag opening several programmes, a narrowed
jurisdiction without a source."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from click.testing import CliRunner

from engine.lint import PAYEE_LEVEL, PROGRAMME_FLAG, lint_findings
from engine.names import profile_names, record_fields
from tests.engine.test_benefit_receivable import CASH, UNDECLARED, measure_text, ruleset_of

TODAY = dt.date(2026, 12, 7)


def codes(measures: dict[str, str]) -> dict[tuple[str, str], str]:
    """(file, code) → level of every finding."""
    return {(f.where, f.code): f.level for f in lint_findings(ruleset_of(measures), TODAY)}


def test_a_cash_benefit_without_payee_or_basis_is_flagged() -> None:
    found = codes({"qingyuan.a": measure_text("a", UNDECLARED), "qingyuan.b": measure_text("b", CASH)})
    assert found[("rules/qingyuan/a.yaml", "benefit-payee")] == PAYEE_LEVEL
    assert ("rules/qingyuan/b.yaml", "benefit-payee") not in found
    tax = "{kind: tax_rate, rate: 15%, payee: applicant, text: {zh: 减按15%, en: 15%}}"
    assert ("rules/qingyuan/t.yaml", "benefit-payee") in codes({"qingyuan.t": measure_text("t", tax)})
    recognition = "{kind: recognition, text: {zh: 认定, en: recognition}}"
    assert ("rules/qingyuan/r.yaml", "benefit-payee") not in codes({"qingyuan.r": measure_text("r", recognition)})


def test_a_draft_is_flagged() -> None:
    text = measure_text("d", CASH).replace("effective: {from: 2020-01-01}",
                                           "effective: {from: 2020-01-01, status: draft}")
    assert codes({"qingyuan.d": text})[("rules/qingyuan/d.yaml", "draft")] == "warning"


def test_an_old_cash_amount_needs_a_confirmation() -> None:
    old = measure_text("o", CASH).replace("2020-01-01: {value: 100000", "2014-01-01: {value: 100000")
    assert ("rules/qingyuan/o.yaml", "old-amount") in codes({"qingyuan.o": old})
    confirmed = old.replace("source: 第二条}}}", "source: 第二条}}, confirmed: {date: 2025-03-01, "
                                                 "source: 2025年申报通知}}")
    assert confirmed != old
    assert ("rules/qingyuan/o.yaml", "old-amount") not in codes({"qingyuan.o": confirmed})
    by_source = old.replace("confidence: V}", "confidence: V, confirmed: {date: 2025-03-01, source: 电话核实}}")
    assert ("rules/qingyuan/o.yaml", "old-amount") not in codes({"qingyuan.o": by_source})
    recent = measure_text("n", CASH).replace("2020-01-01: {value: 100000", "2022-01-01: {value: 100000")
    assert ("rules/qingyuan/n.yaml", "old-amount") not in codes({"qingyuan.n": recent})


def test_a_programme_flag_read_by_two_measures_is_flagged() -> None:
    flag = next(name for name, unit in sorted(profile_names("enterprise").items())
                if unit == "bool" and PROGRAMME_FLAG.search(name))  # e.g. declarations.…_conditions_met
    when = f"{flag} == true"
    found = codes({"qingyuan.x": measure_text("x", CASH, when=when), "qingyuan.y": measure_text("y", CASH, when=when)})
    assert ("rules/qingyuan/x.yaml", "shared-flag") in found and ("rules/qingyuan/y.yaml", "shared-flag") in found
    excluding = measure_text("y", CASH, when=when, extra="excludes: [qingyuan.x]\n")
    found = codes({"qingyuan.x": measure_text("x", CASH, when=when), "qingyuan.y": excluding})
    assert ("rules/qingyuan/x.yaml", "shared-flag") not in found  # tiers of one programme may share it
    loan_flag = next(name for name, unit in sorted(record_fields()["loans"].items())
                     if unit == "bool" and PROGRAMME_FLAG.search(name))
    pools = f'any_of(loans, "{loan_flag}", true)'
    found = codes({"qingyuan.p": measure_text("p", CASH, when=pools), "qingyuan.q": measure_text("q", CASH, when=pools)})
    assert ("rules/qingyuan/p.yaml", "shared-flag") in found  # one "loan in pool" flag for every pool


def test_a_narrowed_jurisdiction_needs_its_source() -> None:
    narrowed = measure_text("j", CASH).replace("applicant: [enterprise]", 'jurisdiction: ["441802"]\n'
                                                                          "applicant: [enterprise]")
    assert ("rules/qingyuan/j.yaml", "jurisdiction-source") in codes({"qingyuan.j": narrowed})
    sourced = narrowed.replace('jurisdiction: ["441802"]', 'jurisdiction: ["441802"]\n'
                                                            "jurisdiction_source: 测试文件 第一条（限清城区）")
    assert ("rules/qingyuan/j.yaml", "jurisdiction-source") not in codes({"qingyuan.j": sourced})
    default = measure_text("k", CASH).replace("applicant: [enterprise]", 'jurisdiction: ["4418"]\n'
                                                                         "applicant: [enterprise]")
    assert ("rules/qingyuan/k.yaml", "jurisdiction-source") not in codes({"qingyuan.k": default})


def test_the_cli_prints_levels_and_exits_on_errors(tmp_path: Path) -> None:
    from web.cli import main
    (tmp_path / "qingyuan").mkdir()
    (tmp_path / "qingyuan" / "a.yaml").write_text(measure_text("a", UNDECLARED), encoding="utf-8")
    run = CliRunner().invoke(main, ["rules", "lint", "--rules", str(tmp_path), "--as-of", "2026-12-07"])
    assert f"{PAYEE_LEVEL}: rules/qingyuan/a.yaml: [benefit-payee]" in run.output
    assert run.exit_code == (1 if PAYEE_LEVEL == "error" else 0)
    assert run.output.rstrip().splitlines()[-1].startswith("1 measures, 0 facts: ")
