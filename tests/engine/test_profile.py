"""Profile validation: every rejection names its field in Chinese and English; warnings are carried."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import evaluate, parse_profile
from engine.errors import ProfileError
from engine.profile import profile_json_schema
from engine.ruletests import set_path
from tests.conftest import AS_OF, sample

TODAY = dt.date(2026, 11, 23)


def issues_of(data: dict[str, Any]) -> list[Any]:
    with pytest.raises(ProfileError) as caught:
        parse_profile(data, TODAY)
    return caught.value.issues


@pytest.mark.parametrize(("path", "value", "field", "code"), [
    ("credit_code", "91441802MA00000156", "credit_code", "USCC_CHECK"),
    ("finance[0].sales", -5, "finance[0].sales", "MONEY_NEGATIVE"),
    ("registered_on", "2027-01-01", "registered_on", "DATE_FUTURE"),
    ("staff.totl", 10, "staff.totl", "EXTRA_FORBIDDEN"),
    ("region_code", "441899", "region_code", "REGION_UNKNOWN"),
    ("finance[0].sales", "12.5x万元", "finance[0].sales", "MONEY_FORMAT"),
    ("innovation.ip_advancement", "Z", "innovation.ip_advancement", "LITERAL_ERROR"),
    ("registered_on", "2019-02-30", "registered_on", "DATE_FROM_DATETIME_PARSING"),
])
def test_bad_value_is_named_in_both_languages(path: str, value: Any, field: str, code: str) -> None:
    data = sample("qingcheng_ceramics_turning_hightech")
    set_path(data, path, value)
    issues = issues_of(data)
    match = [i for i in issues if i.path == field]
    assert match, [str(i) for i in issues]
    assert match[0].code == code, str(match[0])
    assert match[0].message.zh and match[0].message.en


def test_all_errors_are_reported_at_once() -> None:
    data = sample("qingcheng_ceramics_turning_hightech")
    set_path(data, "credit_code", "91441802MA00000156")
    set_path(data, "finance[1].rd_expense", -1)
    assert {i.path for i in issues_of(data)} >= {"finance[1].rd_expense"}


def test_inconsistencies_are_warnings_carried_into_the_decision(ruleset: Any) -> None:
    data = sample("qingcheng_ceramics_turning_hightech")
    set_path(data, "staff.sci_tech", 200)
    parsed = parse_profile(data, TODAY)
    codes = {w.code for w in parsed.warnings}
    assert "STAFF_INCONSISTENT" in codes
    decision = evaluate(ruleset, parsed, AS_OF)
    assert "STAFF_INCONSISTENT" in decision.to_json()


def test_tech_field_not_in_catalogue_is_accepted_and_decides_hnte(ruleset: Any) -> None:
    data = sample("qingcheng_ceramics_turning_hightech")
    set_path(data, "tech_field", "none")
    parsed = parse_profile(data, TODAY)
    assert parsed.profile.tech_field == "none" and not parsed.warnings
    result = evaluate(ruleset, parsed, AS_OF).result("national.hnte_recognition")
    assert result.outcome.value == "ineligible"
    assert "tech_field" in result.failing


def test_money_accepts_wan_and_yuan_exactly() -> None:
    data = sample("qingcheng_ceramics_turning_hightech")
    set_path(data, "finance[0].sales", "3400.0001万元")
    assert parse_profile(data, TODAY).profile.finance[0].sales == 34_000_001


def test_schema_documents_units_and_labels() -> None:
    schema = profile_json_schema()
    text = str(schema)
    assert "'unit': 'money'" in text and "销售收入" in text


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(["name", "credit_code", "region_code", "registered_on", "staff",
                                        "finance", "ip", "kind", "oops"]),
                       st.one_of(st.none(), st.integers(-10, 10), st.text(max_size=8), st.lists(st.integers()),
                                 st.dictionaries(st.text(max_size=5), st.integers(), max_size=3))))
def test_garbage_never_crashes_and_every_issue_names_a_field(data: dict[str, Any]) -> None:
    try:
        parse_profile(data, TODAY)
    except ProfileError as exc:
        assert exc.issues
        assert all(i.path and i.message.zh and i.message.en for i in exc.issues)


@pytest.mark.parametrize(("data", "path"), [
    ({"name": "x", "registered_on": "2020-01-01", "finance": [{}]}, "finance[0].year"),
    ({"kind": "enterprise"}, "name"),
    ({"name": "y", "certificates": [{}]}, "certificates[0].issued_on"),
    ({"name": "y", "loans": [{"type": "credit"}]}, "loans[0].amount"),
])
def test_required_record_fields_are_named_not_crashed(data: dict[str, Any], path: str) -> None:
    assert path in {i.path for i in issues_of(data)}
