"""Plain words for people: every profile path has a zh/en label, and every validation error a form or a
profile file can produce is explained in plain zh/en, never in pydantic's own wording."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from engine import parse_profile
from engine.errors import Message, ProfileError, ProfileIssue
from engine.names import KIND_MODELS, profile_names
from engine.profile.errors import _FALLBACK, _TEXTS, issue_text
from engine.profile.labels import field_label, has_label
from engine.ruletests import set_path
from tests.conftest import sample

TODAY = dt.date(2026, 11, 23)
PYDANTIC_WORDING = re.compile(r"Input should|Field required|should be a valid|"
                              r"Extra inputs|at most \d+ characters long|Value error|Unable to extract")
CJK = re.compile(r"[\u4e00-\u9fff]")


# --------------------------------------------------------------------------------------------- labels

@pytest.mark.parametrize("kind", list(KIND_MODELS))
def test_every_profile_field_of_every_kind_has_a_human_label(kind: str) -> None:
    for path in profile_names(kind):
        label = field_label(path, kind)
        assert has_label(path, kind), f"{kind}: {path} has no label"
        assert CJK.search(label.zh), (path, label)
        assert label.en and "_" not in label.en + label.zh, (path, label)


@pytest.mark.parametrize(("path", "zh", "en"), [
    ("finance[2024].rd_expense", "2024年度研究开发费用总额", "R&D expense (2024)"),
    ("finance[2023]", "2023年度财务数据", "figures for fiscal year 2023"),
    ("rd_centre.founded_on", "研发中心（企业技术中心）成立日期", "date the R&D centre was set up"),
    ("certificates[2].issued_on", "已获资格/证书第3项：发证/认定日期", "certificates held, item 3: date issued or recognised"),
    ("finance[0].sales", "近三个会计年度财务数据第1项：销售收入（主营业务收入+其他业务收入）",
     "last three fiscal years, item 1: sales (main + other business revenue)"),
    ("loans[1].amount", "贷款第2项：贷款金额", "loans, item 2: loan amount"),
    ("staff", "人员情况", "staff"),
    ("tech_field", "核心技术所属高新技术领域", "high-tech field of the core technology"),
    ("(profile)", "申请资料", "the profile"),
    ("kind", "申请主体类型", "applicant kind"),
])
def test_labels_of_paths(path: str, zh: str, en: str) -> None:
    assert field_label(path) == Message(zh, en)


def test_person_sections_name_whose_field_it_is() -> None:
    assert field_label("leader.name", "team") == Message("团队负责人：姓名", "team leader: name")
    assert field_label("person.birth_date", "talent") == Message("人才本人：出生日期", "the talent: date of birth")


def test_kind_picks_the_label_of_that_kind() -> None:
    assert field_label("name", "team").zh == "团队名称"
    assert field_label("name", "enterprise").zh == "企业名称"
    assert field_label("name", "talent").zh == "姓名"


def test_a_name_no_profile_has_is_not_dressed_up() -> None:
    assert field_label("staff.totl") == Message("staff.totl", "staff.totl")
    assert not has_label("staff.totl") and not has_label("finance[2024].nonsense")


# ----------------------------------------------------------------------------------------- messages

def _issue(data: dict[str, Any], path: str) -> ProfileIssue:
    with pytest.raises(ProfileError) as caught:
        parse_profile(data, TODAY)
    issues = [i for i in caught.value.issues if i.path == path]
    assert issues, [str(i) for i in caught.value.issues]
    return issues[0]


def _enterprise(path: str, value: Any) -> dict[str, Any]:
    data = sample("qingcheng_ceramics_turning_hightech")
    set_path(data, path, value)
    return data


# (profile data, error path, pydantic type, expected English, a fragment of the Chinese)
CASES: list[tuple[str, dict[str, Any], str, str, str, str]] = [
    ("missing", {"kind": "team", "name": "甲团队"}, "leader", "MISSING", "This field is required.", "必填"),
    ("missing_name", {"kind": "enterprise"}, "name", "MISSING", "This field is required.", "必填"),
    ("extra", _enterprise("staff.totl", 10), "staff.totl", "EXTRA_FORBIDDEN",
     'Unknown field "totl": check the spelling or remove it.', "无法识别的字段“totl”"),
    ("int_parsing", _enterprise("ip.class1", "two"), "ip.class1", "INT_PARSING",
     "Enter a whole number, e.g. 12.", "应为整数"),
    ("int_from_float", _enterprise("ip.class1", 2.5), "ip.class1", "INT_FROM_FLOAT",
     "Enter a whole number without decimals, e.g. 12.", "应为整数"),
    ("int_type", _enterprise("ip.class1", [1]), "ip.class1", "INT_TYPE", "Enter a whole number, e.g. 12.", "应为整数"),
    ("decimal_parsing", _enterprise("staff.total", "abc"), "staff.total", "DECIMAL_PARSING",
     "Enter a number, e.g. 12 or 12.5.", "应为数字，例如 12 或 12.5"),
    ("decimal_type", _enterprise("staff.total", [1]), "staff.total", "DECIMAL_TYPE",
     "Enter a number, e.g. 12 or 12.5.", "应为数字"),
    ("decimal_max_places", _enterprise("staff.total", "12.345"), "staff.total", "DECIMAL_MAX_PLACES",
     "Use at most 2 decimal places, e.g. 12 or 12.5.", "小数位数过多"),
    ("decimal_whole_digits", _enterprise("staff.total", "12345678901.5"), "staff.total", "DECIMAL_WHOLE_DIGITS",
     "The number is too large; please check it.", "数值过大"),
    ("bool_parsing", _enterprise("resident_enterprise", "maybe"), "resident_enterprise", "BOOL_PARSING",
     "Choose yes or no.", "“是”或“否”"),
    ("bool_type", _enterprise("resident_enterprise", [True]), "resident_enterprise", "BOOL_TYPE",
     "Choose yes or no.", "“是”或“否”"),
    ("bad_day", _enterprise("registered_on", "2019-02-30"), "registered_on", "DATE_FROM_DATETIME_PARSING",
     "This is not a valid date; check the year, month and day, e.g. 2024-03-15.", "日期格式应为YYYY-MM-DD"),
    ("date_words", _enterprise("registered_on", "last spring"), "registered_on", "DATE_FROM_DATETIME_PARSING",
     "This is not a valid date; check the year, month and day, e.g. 2024-03-15.", "例如 2024-03-15"),
    ("date_type", _enterprise("registered_on", [2020]), "registered_on", "DATE_TYPE",
     "Enter a date as year-month-day, e.g. 2024-03-15.", "日期格式应为YYYY-MM-DD"),
    ("date_inexact", _enterprise("registered_on", "2020-01-01T10:30:00"), "registered_on",
     "DATE_FROM_DATETIME_INEXACT", "Enter the date only, without a time, e.g. 2024-03-15.", "不带时间"),
    ("negative", _enterprise("staff.total", -3), "staff.total", "GREATER_THAN_EQUAL", "Enter 0 or more.", "不能小于0"),
    ("too_big", _enterprise("innovation.assessed_total", 101), "innovation.assessed_total", "LESS_THAN_EQUAL",
     "Enter 100 or less.", "不能大于100"),
    ("year_too_early", _enterprise("finance[0].year", 1980), "finance[0].year", "GREATER_THAN_EQUAL",
     "Enter 1990 or more.", "不能小于1990"),
    ("empty_name", _enterprise("name", ""), "name", "STRING_TOO_SHORT", "This cannot be empty.", "不能为空"),
    ("long_name", _enterprise("name", "甲" * 201), "name", "STRING_TOO_LONG", "Too long: at most 200 characters.",
     "最多200个字符"),
    ("string_type", _enterprise("name", 12), "name", "STRING_TYPE", "Enter text.", "文字"),
    ("literal", _enterprise("innovation.ip_advancement", "Z"), "innovation.ip_advancement", "LITERAL_ERROR",
     "Choose one of the listed options (A, B, C, D or E).", "请从所列选项中选择一项（可选：A、B、C、D、E）"),
    ("list_type", _enterprise("finance", "3 years"), "finance", "LIST_TYPE", "Enter a list of entries.", "列表"),
    ("model_type", _enterprise("staff", "many"), "staff", "MODEL_TYPE", "Enter a group of fields here.", "一组字段"),
    ("kind", {"kind": "robot", "name": "甲"}, "(profile)", "UNION_TAG_INVALID",
     "Unknown applicant kind: choose enterprise, incubator, institution, talent or team.", "申请主体类型无效"),
]


@pytest.mark.parametrize(("data", "path", "code", "en", "zh"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_validation_errors_are_plain_words_in_both_languages(data: dict[str, Any], path: str, code: str, en: str,
                                                             zh: str) -> None:
    issue = _issue(data, path)
    assert issue.code == code
    assert issue.message.en == en
    assert zh in issue.message.zh and CJK.search(issue.message.zh)
    assert not PYDANTIC_WORDING.search(issue.message.en), issue.message.en


def test_every_type_exercised_has_its_own_text_not_the_fallback() -> None:
    exercised = {c[3].lower() for c in CASES}
    assert exercised <= set(_TEXTS)
    assert all(_TEXTS[t] != _FALLBACK for t in exercised)


def test_money_and_count_messages_come_from_our_validators() -> None:
    money = _issue(_enterprise("finance[0].sales", "abc"), "finance[0].sales")
    assert money.code == "MONEY_FORMAT" and "1200" in money.message.en and "1200" in money.message.zh
    count = _issue(_enterprise("staff.total", float("nan")), "staff.total")
    assert count.message == Message("应为数字，例如 12 或 12.5。", "Enter a number, e.g. 12 or 12.5.")


def test_issue_text_names_the_field_by_its_label() -> None:
    issue = _issue(_enterprise("rd_centre.founded_on", "someday"), "rd_centre.founded_on")
    text = issue_text(issue)
    assert text.zh.startswith("研发中心（企业技术中心）成立日期：")
    assert text.en.startswith("date the R&D centre was set up: ")
    assert "rd_centre" not in text.zh + text.en


CONTEXTS: dict[str, dict[str, Any]] = {
    "decimal_max_places": {"decimal_places": 2}, "greater_than_equal": {"ge": 0}, "greater_than": {"gt": 0},
    "less_than_equal": {"le": 100}, "less_than": {"lt": 100}, "string_too_long": {"max_length": 200},
    "literal_error": {"expected": "'A' or 'B'"}, "enum": {"expected": "'A' or 'B'"}, "too_short": {"min_length": 1},
    "too_long": {"max_length": 3},
}


@pytest.mark.parametrize("error_type", sorted(_TEXTS))
def test_every_text_formats_with_the_context_pydantic_gives(error_type: str) -> None:
    from engine.profile.errors import plain_message

    for unit in ("", "money", "count", "points", "years"):
        message = plain_message(error_type, CONTEXTS.get(error_type, {}), unit=unit, name="x")
        assert "{" not in message.zh + message.en and "}" not in message.zh + message.en
        if error_type not in ("value_error", "assertion_error"):  # these two are the fallback text itself
            assert message != Message(*_FALLBACK), (error_type, unit)
