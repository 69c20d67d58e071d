"""The bureau register CSV: codes checked, 失信/事故 accepted, every bad line reported with its line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from engine.errors import RuleLoadError
from engine.triage import Register, TriageRuleSet, load_register, register_from_csv, triage
from tests.engine.triage.conftest import CODE_A, CODE_B, TODAY, app


def test_a_register_reads_with_chinese_list_names_and_a_bom(tmp_path: Path) -> None:
    path = tmp_path / "失信名单.csv"
    path.write_text(f"\ufeffcredit_code,list,reason,listed_on\n{CODE_A},失信,法院失信被执行人,2025-03-01\n"
                    f"\n{CODE_B.lower()},incident,重大安全事故,\n", encoding="utf-8")
    register = load_register(path)
    assert [(e.credit_code, e.kind, e.listed_on) for e in register.entries] == [
        (CODE_A, "dishonesty", dt.date(2025, 3, 1)), (CODE_B, "incident", None)]


def test_every_bad_line_is_reported() -> None:
    text = ("credit_code,list,reason,listed_on\n"
            f"{CODE_A[:-1]}X,失信,check digit wrong,\n"
            f"{CODE_B},blacklist,unknown list,\n"
            f"{CODE_B},incident,,\n"
            f"{CODE_B},incident,bad date,2025-13-01\n")
    with pytest.raises(RuleLoadError) as caught:
        register_from_csv(text, "register.csv")
    got = [(e.line, e.code) for e in caught.value.errors]
    assert got == [(2, "bad-credit-code"), (3, "unknown-list"), (4, "missing-reason"), (5, "bad-date")]


def test_a_missing_column_is_named() -> None:
    with pytest.raises(RuleLoadError, match="reason"):
        register_from_csv("credit_code,list\n", "register.csv")


def test_a_register_entry_blocks_through_triage(rules: TriageRuleSet) -> None:
    register = register_from_csv(f"credit_code,list,reason\n{CODE_A},失信,法院失信被执行人\n")
    result = triage([app("A1", declared={"dishonesty": False})], register, TODAY, rules)
    assert result.routes["A1"] == "block"
    assert triage([app("A1")], Register(), TODAY, rules).routes["A1"] is None
