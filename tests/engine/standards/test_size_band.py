"""This module defines the tests of enterprise size classification (data_standards.md §5, NBS 2017)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.standards.size_band import BOUNDS, size_band, size_group_of, size_indicators

WAN = 10_000
PROPERTY = settings(database=None, deadline=None, max_examples=300)
RANK = {"micro": 0, "small": 1, "medium": 2, "large": 3}


@pytest.mark.parametrize(
    ("industry", "employees", "revenue_wan", "assets_wan", "band"),
    [
        ("I6513", 120, 900, None, "small"),  # X meets 中型 but Y < 1000: drop a tier
        ("I6513", 120, 1000, None, "medium"),  # lower bounds are inclusive
        ("I6513", 9, 5000, None, "micro"),
        ("I6513", 300, 10000, None, "large"),
        ("C3985", 350, "1999.99", None, "small"),
        ("C3985", 19, 300, None, "micro"),
        ("F5120", 25, 6000, None, "medium"),
        ("F5211", 60, 450, None, "small"),
        ("L7211", 150, None, 9000, "medium"),
        ("L7211", 150, None, None, None),  # 资产总额 missing: unknown
        ("M7320", 100, None, None, "medium"),  # single indicator
    ],
)
def test_spec_vectors(
    industry: str,
    employees: int | None,
    revenue_wan: int | str | None,
    assets_wan: int | None,
    band: str | None,
) -> None:
    revenue = None if revenue_wan is None else int(Decimal(revenue_wan) * WAN)  # 万元 → 元, exactly
    assets = None if assets_wan is None else assets_wan * WAN
    assert size_band(industry, employees, revenue, assets) == band


def test_leasing_uses_assets_not_revenue() -> None:
    assert size_indicators("L") == ("employees", "assets")
    assert size_band("L", 150, 10**12, None) is None


@pytest.mark.parametrize(
    ("industry", "group"),
    [
        ("A", "agriculture"),
        ("A0511", "agriculture"),
        ("B", "industry"),
        ("C", "industry"),
        ("D4411", "industry"),
        ("E", "construction"),
        ("F51", "wholesale"),
        ("F52", "retail"),
        ("5120", "wholesale"),
        ("G53", "transport"),
        ("G5431", "transport"),
        ("G591", "transport"),
        ("G5910", "transport"),
        ("G592", "warehousing"),
        ("G5990", "warehousing"),
        ("G60", "postal"),
        ("H", "accommodation_catering"),
        ("H62", "accommodation_catering"),
        ("I63", "information_transmission"),
        ("I64", "information_transmission"),
        ("I6513", "software_it"),
        ("K7010", "real_estate_development"),
        ("K701", "real_estate_development"),
        ("K7020", "property_management"),
        ("K7030", "other"),
        ("K7090", "other"),
        ("L", "leasing_business"),
        ("M", "other"),
        ("M7540", "other"),
        ("N", "other"),
        ("O", "other"),
        ("Q85", "other"),
        ("R", "other"),
        # not covered by the table, or too coarse to decide
        ("F", None),
        ("G", None),
        ("G59", None),
        ("I", None),
        ("J", None),
        ("J66", None),
        ("K", None),
        ("K70", None),
        ("K7040", None),
        ("P", None),
        ("P83", None),
        ("Q", None),
        ("Q84", None),
        ("S", None),
        ("T", None),
    ],
)
def test_groups(industry: str, group: str | None) -> None:
    assert size_group_of(industry) == group


@pytest.mark.parametrize("industry", ["J6610", "P83", "Q84", "S91", "T97", "K7040", "F", "G59"])
def test_uncovered_industries_are_unknown(industry: str) -> None:
    assert size_band(industry, 10**6, 10**15, 10**15) is None


@pytest.mark.parametrize("industry", ["C6513", "99", "", "Z", "X12"])
def test_invalid_industry_raises(industry: str) -> None:
    with pytest.raises(ValueError):
        size_group_of(industry)


def test_negative_values_raise() -> None:
    with pytest.raises(ValueError):
        size_band("C", -1, 0, None)


def test_missing_indicator_is_never_defaulted() -> None:
    assert size_band("C", None, 10**12, 10**12) is None
    assert size_band("C", 10**6, None, 10**12) is None
    assert size_band("A", None, 500 * WAN, None) == "medium"  # 农林牧渔 uses revenue only
    assert size_band("E", None, 6000 * WAN, None) is None


def test_bounds_are_strictly_decreasing() -> None:
    for indicators in BOUNDS.values():
        for large, medium, small in indicators.values():
            assert large > medium > small > 0


@pytest.mark.parametrize("group", sorted(BOUNDS))
def test_exactly_at_each_bound(group: str) -> None:
    industry = {
        "agriculture": "A",
        "industry": "C",
        "construction": "E",
        "wholesale": "F51",
        "retail": "F52",
        "transport": "G54",
        "warehousing": "G592",
        "postal": "G60",
        "accommodation_catering": "H",
        "information_transmission": "I63",
        "software_it": "I65",
        "real_estate_development": "K7010",
        "property_management": "K7020",
        "leasing_business": "L",
        "other": "M",
    }[group]
    bounds = BOUNDS[group]
    for tier, band in enumerate(("large", "medium", "small")):
        values = {k: b[tier] * (1 if k == "employees" else WAN) for k, b in bounds.items()}
        args = (values.get("employees"), values.get("revenue"), values.get("assets"))
        assert size_band(industry, *args) == band
        below = {k: v - 1 for k, v in values.items()}
        lower = size_band(industry, below.get("employees"), below.get("revenue"), below.get("assets"))
        assert lower == ("medium", "small", "micro")[tier]


@PROPERTY
@given(
    st.sampled_from(["C", "I6513", "F51", "L", "K7010", "E", "A", "M"]),
    st.integers(0, 5000),
    st.integers(0, 3 * 10**9),
    st.integers(0, 3 * 10**9),
    st.integers(0, 500),
    st.integers(0, 10**9),
)
def test_more_never_means_smaller(industry: str, x: int, y: int, z: int, dx: int, dm: int) -> None:
    before = size_band(industry, x, y, z)
    after = size_band(industry, x + dx, y + dm, z + dm)
    assert before is not None and after is not None
    assert RANK[after] >= RANK[before]
