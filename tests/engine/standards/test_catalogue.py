"""This module defines the tests of the error catalogue and runs the doctests of engine.standards."""

from __future__ import annotations

import doctest
import importlib

import pytest

import engine.standards as standards
from engine.errors import Message
from engine.standards.catalogue import CATALOGUE, errors_only, make_issue

SECTION_9_CODES = [
    "USCC_REQUIRED",
    "USCC_LENGTH",
    "USCC_OLD_NUMBER",
    "USCC_CHAR",
    "USCC_AUTHORITY",
    "USCC_CATEGORY",
    "USCC_REGION_FORMAT",
    "USCC_CHECK",
    "USCC_ORG_CHECK",
    "USCC_TYPE_MISMATCH",
    "ID_LENGTH",
    "ID_OLD_15",
    "ID_CHAR",
    "ID_BIRTH_DATE",
    "ID_CHECK",
    "ID_FIELD_MISMATCH",
    "REGION_UNKNOWN",
    "PARK_COUNTY_MISMATCH",
    "TECHFIELD_LEVEL",
    "INDUSTRY_FORMAT",
    "INDUSTRY_SECTION_MISMATCH",
    "MONEY_FORMAT",
    "MONEY_UNIT_YUAN",
    "MONEY_NEGATIVE",
    "MONEY_MAGNITUDE",
    "YEAR_BEFORE_REGISTRATION",
    "STAFF_INCONSISTENT",
    "RD_INCONSISTENT",
    "CREDIT_DECLARATION_MISSING",
]
WARNINGS = {"USCC_ORG_CHECK", "USCC_TYPE_MISMATCH", "MONEY_MAGNITUDE", "USCC_REGION_UNKNOWN", "ID_REGION"}

MODULES = ["catalogue", "uscc", "idcard", "regions", "tech_fields", "industry", "size_band", "money"]


def test_every_section_9_code_is_in_the_catalogue() -> None:
    assert set(SECTION_9_CODES) <= set(CATALOGUE)


def test_levels() -> None:
    for code, entry in CATALOGUE.items():
        expected = (
            "warning" if code in WARNINGS else "missing" if code == "CREDIT_DECLARATION_MISSING" else "error"
        )
        assert entry.severity == expected, code


@pytest.mark.parametrize(
    ("code", "zh", "en"),
    [
        ("USCC_REQUIRED", "请填写统一社会信用代码。", "Unified Social Credit Code is required."),
        (
            "USCC_REGION_FORMAT",
            "第3–8位应为6位数字的行政区划代码。",
            "Characters 3–8 must be a 6-digit region code.",
        ),
        (
            "USCC_ORG_CHECK",
            "第9–17位（组织机构代码）校验不符，请核对。",
            "Characters 9–17 (organisation code) fail their check; please verify.",
        ),
        (
            "ID_LENGTH",
            "身份证号码应为18位（第一代15位号码已停用）。",
            "The ID number must have 18 characters (15-digit first-generation numbers are no longer valid).",
        ),
        (
            "INDUSTRY_FORMAT",
            "行业代码应为门类字母加2–4位数字，如C3985。",
            "Industry code must be a section letter plus 2–4 digits, e.g. C3985.",
        ),
        (
            "MONEY_UNIT_YUAN",
            "此栏单位为万元，您似乎填写了元。",
            "This field is in 万元; you seem to have entered yuan.",
        ),
        ("CREDIT_DECLARATION_MISSING", "请逐项确认信用承诺。", "Please answer every credit declaration."),
    ],
)
def test_fixed_texts_are_verbatim(code: str, zh: str, en: str) -> None:
    assert make_issue(code, "x").message == Message(zh, en)


def test_parameters_per_language() -> None:
    issue = make_issue("MONEY_NEGATIVE", "rd", field=Message("研发费用", "R&D expense"))
    assert issue.message == Message("研发费用不能为负数。", "R&D expense cannot be negative.")
    issue = make_issue("STAFF_INCONSISTENT", "staff", a=12, b=10)
    assert issue.message.en == "S&T staff (12) cannot exceed total staff (10)."


def test_severity_override_and_errors_only() -> None:
    warning = make_issue("TECHFIELD_LEVEL", "f", severity="warning", l2="软件")
    error = make_issue("USCC_REQUIRED", "c")
    assert errors_only([warning, error]) == [error]


def test_unknown_code_or_missing_parameter() -> None:
    with pytest.raises(KeyError):
        make_issue("NOPE", "x")
    with pytest.raises(KeyError):
        make_issue("USCC_LENGTH", "x")


def test_public_api() -> None:
    for name in standards.__all__:
        assert getattr(standards, name) is not None
    for name in MODULES:
        module = importlib.import_module(f"engine.standards.{name}")
        assert (module.__doc__ or "").startswith("This module defines")
    assert (standards.__doc__ or "").startswith("This package defines")


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name: str) -> None:
    module = importlib.import_module(f"engine.standards.{name}")
    result = doctest.testmod(module, verbose=False)
    assert result.failed == 0 and result.attempted > 0
