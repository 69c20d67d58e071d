"""This module defines enterprise size bands per 统计上大中小微型企业划分办法（2017） (data_standards.md §5).

大型、中型和小型 must meet the lower bound of *every* listed indicator, otherwise they drop a
tier; 微型 is what is left. Bounds are inclusive. A missing indicator gives None (unknown), never
a default, and so does an industry the table does not cover (J 金融, P 教育, Q84 卫生, S, T,
7040 …) or a code too coarse to decide (F, G, I, K, 59 …). Thresholds are in 万元 as published;
inputs are integer 元.
"""

from __future__ import annotations

from .industry import SECTIONS, normalize_industry, validate_industry_code

EMPLOYEES = "employees"
REVENUE = "revenue"
ASSETS = "assets"

BANDS = ("large", "medium", "small")

# group → indicator → lower bounds of (large, medium, small); employees in persons, money in 万元.
BOUNDS: dict[str, dict[str, tuple[int, int, int]]] = {
    "agriculture": {REVENUE: (20000, 500, 50)},
    "industry": {EMPLOYEES: (1000, 300, 20), REVENUE: (40000, 2000, 300)},
    "construction": {REVENUE: (80000, 6000, 300), ASSETS: (80000, 5000, 300)},
    "wholesale": {EMPLOYEES: (200, 20, 5), REVENUE: (40000, 5000, 1000)},
    "retail": {EMPLOYEES: (300, 50, 10), REVENUE: (20000, 500, 100)},
    "transport": {EMPLOYEES: (1000, 300, 20), REVENUE: (30000, 3000, 200)},
    "warehousing": {EMPLOYEES: (200, 100, 20), REVENUE: (30000, 1000, 100)},
    "postal": {EMPLOYEES: (1000, 300, 20), REVENUE: (30000, 2000, 100)},
    "accommodation_catering": {EMPLOYEES: (300, 100, 10), REVENUE: (10000, 2000, 100)},
    "information_transmission": {EMPLOYEES: (2000, 100, 10), REVENUE: (100000, 1000, 100)},
    "software_it": {EMPLOYEES: (300, 100, 10), REVENUE: (10000, 1000, 50)},
    "real_estate_development": {REVENUE: (200000, 1000, 100), ASSETS: (10000, 5000, 2000)},
    "property_management": {EMPLOYEES: (1000, 300, 100), REVENUE: (5000, 1000, 500)},
    "leasing_business": {EMPLOYEES: (300, 100, 10), ASSETS: (120000, 8000, 100)},
    "other": {EMPLOYEES: (300, 100, 10)},
}

_BY_SECTION = {
    "A": "agriculture",
    "B": "industry",
    "C": "industry",
    "D": "industry",
    "E": "construction",
    "H": "accommodation_catering",
    "L": "leasing_business",
    "M": "other",
    "N": "other",
    "O": "other",
    "R": "other",
}

# Longest prefix wins. 53 铁路 is not covered by the 办法: treated as 交通运输 as §5 recommends.
_BY_PREFIX = {
    "51": "wholesale",
    "52": "retail",
    "53": "transport",
    "54": "transport",
    "55": "transport",
    "56": "transport",
    "57": "transport",
    "58": "transport",
    "591": "transport",
    "592": "warehousing",
    "593": "warehousing",
    "594": "warehousing",
    "595": "warehousing",
    "596": "warehousing",
    "599": "warehousing",
    "60": "postal",
    "63": "information_transmission",
    "64": "information_transmission",
    "65": "software_it",
    "701": "real_estate_development",
    "702": "property_management",
    "703": "other",
    "709": "other",
    "85": "other",
}

_WAN = 10_000


def size_group_of(industry: str) -> str | None:
    """Return the size-table group of a section letter or industry code, or None if not covered / too coarse.

    Raises:
        ValueError: not a section letter or a valid industry code.

    >>> size_group_of("I6513"), size_group_of("C"), size_group_of("7040"), size_group_of("F")
    ('software_it', 'industry', None, None)
    """
    s = normalize_industry(industry)
    if s not in SECTIONS:
        s, issues = validate_industry_code(s)
        if issues:
            raise ValueError(f"not a GB/T 4754-2017 section or code: {industry!r} ({issues[0].code})")
    letter, digits = s[0], s[1:]
    if letter in _BY_SECTION:
        return _BY_SECTION[letter]
    for n in (4, 3, 2):
        if len(digits) >= n and digits[:n] in _BY_PREFIX:
            return _BY_PREFIX[digits[:n]]
    return None


def size_indicators(industry: str) -> tuple[str, ...]:
    """Return the indicators the table uses for an industry ("employees", "revenue", "assets"); () if none."""
    group = size_group_of(industry)
    return tuple(BOUNDS[group]) if group else ()


def size_band(
    industry_section_or_code: str,
    employees: int | None,
    revenue_yuan: int | None,
    total_assets_yuan: int | None,
) -> str | None:
    """Classify an enterprise as "large", "medium", "small" or "micro"; None when it cannot be decided.

    Args:
        industry_section_or_code: a section letter ("C") or a GB/T 4754 code ("I6513", "7010").
        employees: 从业人员 (persons).
        revenue_yuan: 营业收入 in 元.
        total_assets_yuan: 资产总额 in 元.

    Returns:
        The band, or None if an indicator the industry needs is missing or the industry is not covered.

    Raises:
        ValueError: invalid industry code or a negative value.

    >>> size_band("I6513", 120, 9_000_000, None)
    'small'
    """
    group = size_group_of(industry_section_or_code)
    if group is None:
        return None
    values = {EMPLOYEES: employees, REVENUE: revenue_yuan, ASSETS: total_assets_yuan}
    if any(v is not None and v < 0 for v in values.values()):
        raise ValueError("size indicators cannot be negative")
    bounds = BOUNDS[group]
    given: dict[str, int] = {}
    for indicator in bounds:
        value = values[indicator]
        if value is None:
            return None
        given[indicator] = value
    for tier, band in enumerate(BANDS):
        if all(given[k] >= b[tier] * (1 if k == EMPLOYEES else _WAN) for k, b in bounds.items()):
            return band
    return "micro"
