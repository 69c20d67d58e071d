"""This module defines the tests of money parsing and display (data_standards.md §7.1)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.errors import Message
from engine.standards.money import MoneyFormatError, format_wan, magnitude_issue, parse_money, to_wan

PROPERTY = settings(database=None, deadline=None, max_examples=500)


@pytest.mark.parametrize(
    ("value", "yuan"),
    [
        (4_500_000, 4_500_000),
        ("4,500,000元", 4_500_000),
        ("4500000", 4_500_000),
        ("4500000元", 4_500_000),
        ("4500000.00元", 4_500_000),
        ("4500万元", 45_000_000),
        ("4500万", 45_000_000),
        ("4500.1234万元", 45_001_234),
        ("4,500.00万元", 45_000_000),
        ("0.0001万元", 1),
        ("1.2亿元", 120_000_000),
        ("3亿", 300_000_000),
        ("４５００万元", 45_000_000),
        ("4，500，000 元", 4_500_000),
        (" 4 500 000 ", 4_500_000),
        ("¥4,500,000", 4_500_000),
        ("￥4,500,000", 4_500_000),
        ("人民币4500万元", 45_000_000),
        (Decimal("4500000"), 4_500_000),
        (Decimal("4500000.000"), 4_500_000),
        (4_500_000.0, 4_500_000),
        (0, 0),
        ("0", 0),
        ("-0", 0),
    ],
)
def test_parse(value: object, yuan: int) -> None:
    result = parse_money(value)
    assert result == yuan and type(result) is int


@pytest.mark.parametrize(
    "value",
    [
        "4500.12345万元",
        "4500000.5元",
        "4500000.5",
        "abc",
        "",
        "万元",
        "4,50,000",
        "4500,000",
        "45.00.00",
        "1e6",
        "0x10",
        "4500万元元",
        "45 00万美元",
        "٤٥٠٠",
        None,
        True,
        [4500],
        4_500_000.5,
        float("nan"),
        float("inf"),
        Decimal("12.5"),
        Decimal("NaN"),
        Decimal("Infinity"),
    ],
)
def test_format_errors(value: object) -> None:
    with pytest.raises(MoneyFormatError) as caught:
        parse_money(value)
    assert caught.value.code == "MONEY_FORMAT"
    assert caught.value.message == Message(
        "金额格式有误：请以万元填写数字，例如 1200 或 1200.5（最多保留4位小数）。",
        "Enter the amount in 万元 (10,000 yuan) as a number, e.g. 1200 or 1200.5 (at most 4 decimals).",
    )


@pytest.mark.parametrize("value", [-1, "-4500万元", "-4,500,000元", Decimal("-1"), -3.0, "−100"])
def test_negative(value: object) -> None:
    with pytest.raises(MoneyFormatError) as caught:
        parse_money(value, field=Message("研发费用", "R&D expense"))
    assert caught.value.code == "MONEY_NEGATIVE"
    assert caught.value.message == Message("研发费用不能为负数。", "R&D expense cannot be negative.")


def test_negative_allowed_for_profit_and_net_assets() -> None:
    assert parse_money("-4500万元", allow_negative=True) == -45_000_000
    assert parse_money(-1, allow_negative=True) == -1


def test_default_message_field_name() -> None:
    with pytest.raises(MoneyFormatError) as caught:
        parse_money(-1)
    assert caught.value.message.zh == "金额不能为负数。"


def test_wan_fields() -> None:
    assert parse_money("4500", default_unit="wan") == 45_000_000
    assert parse_money("4500.1234", default_unit="wan") == 45_001_234
    assert parse_money(4500, default_unit="wan") == 45_000_000
    assert parse_money(Decimal("0.5"), default_unit="wan") == 5_000
    assert parse_money("4500万元", default_unit="wan") == 45_000_000
    assert parse_money("1亿", default_unit="wan") == 100_000_000
    with pytest.raises(MoneyFormatError) as caught:
        parse_money("4500000元", default_unit="wan")
    assert caught.value.code == "MONEY_UNIT_YUAN"
    assert caught.value.message.zh == "此栏单位为万元，您似乎填写了元。"
    with pytest.raises(MoneyFormatError):
        parse_money("4500.12345", default_unit="wan")
    with pytest.raises(ValueError):
        parse_money("1", default_unit="qian")


def test_error_type() -> None:
    with pytest.raises(ValueError):
        parse_money("abc")
    try:
        parse_money("abc")
    except MoneyFormatError as exc:
        issue = exc.issue("finance[2024].revenue")
        assert (issue.path, issue.code, issue.severity) == ("finance[2024].revenue", "MONEY_FORMAT", "error")
        assert "[MONEY_FORMAT]" in str(exc)


@pytest.mark.parametrize(
    ("yuan", "text"),
    [
        (45_000_000, "4,500.00万元"),
        (45_001_234, "4,500.12万元"),
        (45_001_250, "4,500.13万元"),
        (45_001_249, "4,500.12万元"),
        (0, "0.00万元"),
        (49, "0.00万元"),
        (50, "0.01万元"),
        (100, "0.01万元"),
        (-1_234_567, "-123.46万元"),
        (-50, "-0.01万元"),
        (123_456_789_012, "12,345,678.90万元"),
        (10**30, "100,000,000,000,000,000,000,000,000.00万元"),
    ],
)
def test_format_wan(yuan: int, text: str) -> None:
    assert format_wan(yuan) == text


def test_to_wan_is_exact() -> None:
    assert to_wan(45_001_234) == Decimal("4500.1234")
    assert str(to_wan(1)) == "0.0001"
    assert to_wan(10**40 + 1) == Decimal("1" + "0" * 36 + ".0001")
    with pytest.raises(TypeError):
        to_wan(1.5)  # type: ignore[arg-type]


def test_magnitude_warning() -> None:
    assert magnitude_issue(10**11, "revenue") is None
    issue = magnitude_issue(10**11 + 1, "revenue", Message("销售收入", "Sales revenue"))
    assert issue is not None and (issue.code, issue.severity) == ("MONEY_MAGNITUDE", "warning")
    assert issue.message.zh == "销售收入为10,000,000.00万元，数值异常偏大，是否误将元填为万元？"


# --- properties -------------------------------------------------------------------------------------------


@PROPERTY
@given(st.integers(0, 10**15).map(lambda n: n * 100))
def test_format_then_parse_round_trips_on_hundreds(yuan: int) -> None:
    assert parse_money(format_wan(yuan)) == yuan


@PROPERTY
@given(st.integers(0, 10**17))
def test_format_then_parse_is_within_half_a_display_unit(yuan: int) -> None:
    assert abs(parse_money(format_wan(yuan)) - yuan) <= 50


@PROPERTY
@given(st.integers(-(10**17), 10**17))
def test_exact_wan_text_round_trips(yuan: int) -> None:
    assert parse_money(f"{to_wan(yuan)}万元", allow_negative=True) == yuan
    assert parse_money(str(to_wan(yuan)), default_unit="wan", allow_negative=True) == yuan
    assert parse_money(f"{yuan:,}元", allow_negative=True) == yuan
