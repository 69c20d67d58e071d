"""This module defines the tests of the region, township and park data and validators (data_standards.md §3)."""

from __future__ import annotations

import pytest

from engine.errors import ProfileIssue
from engine.standards.regions import (
    CITIES,
    COUNTIES,
    HISTORIC,
    PARKS,
    TOWNSHIPS,
    city_of,
    region_class,
    region_name,
    validate_park,
    validate_region_code,
    validate_township,
)

QINGYUAN_COUNTIES = ["441802", "441803", "441821", "441823", "441825", "441826", "441881", "441882"]
SHAOGUAN_COUNTIES = [
    "440203",
    "440204",
    "440205",
    "440222",
    "440224",
    "440229",
    "440232",
    "440233",
    "440281",
    "440282",
]


def codes(issues: list[ProfileIssue]) -> list[str]:
    return [i.code for i in issues]


def test_the_eighteen_counties_and_two_cities() -> None:
    assert sorted(COUNTIES) == sorted(QINGYUAN_COUNTIES + SHAOGUAN_COUNTIES)
    assert sorted(CITIES) == ["440200", "441800"]
    assert COUNTIES["441825"].zh == "连山壮族瑶族自治县" and COUNTIES["441826"].zh == "连南瑶族自治县"
    assert COUNTIES["440232"].zh == "乳源瑶族自治县"


@pytest.mark.parametrize(
    "code", QINGYUAN_COUNTIES + SHAOGUAN_COUNTIES + ["441800", "440200", "440000", "000000"]
)
def test_valid_locations(code: str) -> None:
    assert validate_region_code(code) == []


@pytest.mark.parametrize("code", QINGYUAN_COUNTIES)
def test_qingyuan_counties(code: str) -> None:
    assert city_of(code) == "qingyuan" and region_class(code) == "east_west_north"


@pytest.mark.parametrize("code", SHAOGUAN_COUNTIES)
def test_shaoguan_counties(code: str) -> None:
    assert city_of(code) == "shaoguan" and region_class(code) == "east_west_north"


def test_city_codes_and_sentinels_can_be_refused() -> None:
    assert codes(validate_region_code("441800", allow_city=False)) == ["REGION_UNKNOWN"]
    assert codes(validate_region_code("440000", allow_outside=False)) == ["REGION_UNKNOWN"]
    assert codes(validate_region_code("000000", allow_outside=False)) == ["REGION_UNKNOWN"]


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("441899", "REGION_UNKNOWN"),
        ("440300", "REGION_UNKNOWN"),
        ("4418", "REGION_UNKNOWN"),
        ("", "REGION_REQUIRED"),
        (" ", "REGION_REQUIRED"),
    ],
)
def test_invalid_locations(code: str, expected: str) -> None:
    assert codes(validate_region_code(code)) == [expected]


def test_region_unknown_message_is_the_catalogue_text() -> None:
    (issue,) = validate_region_code("441899", path="region_code")
    assert issue.path == "region_code"
    assert issue.message.zh == "“441899”不是清远市或韶关市的现行区县代码。"
    assert issue.message.en == '"441899" is not a current county code of Qingyuan or Shaoguan.'


def test_full_width_and_spaces_are_normalised() -> None:
    assert validate_region_code("４４１８０２") == []
    assert validate_region_code(" 441802 ") == []


@pytest.mark.parametrize(
    ("code", "successor"), [("441827", "441803"), ("440221", "440205"), ("440202", None)]
)
def test_historic_codes_are_rejected_as_current_location(code: str, successor: str | None) -> None:
    (issue,) = validate_region_code(code)
    assert issue.code == "REGION_HISTORIC"
    assert (successor in issue.message.zh) if successor else ("现为" not in issue.message.zh)
    assert HISTORIC[code].successor == successor


def test_historic_message() -> None:
    (issue,) = validate_region_code("441827")
    assert (
        issue.message.zh
        == "“441827”（清新县）是已撤销的旧区划代码，请填写现行区县代码（现为441803 清新区）。"
    )
    assert issue.message.en.endswith("(now 441803 Qingxin District).")


@pytest.mark.parametrize(
    ("code", "city"),
    [
        ("441800", "qingyuan"),
        ("440200", "shaoguan"),
        ("441827", "qingyuan"),
        ("440221", "shaoguan"),
        ("441802400", "qingyuan"),
        ("440282400000", "shaoguan"),
        ("440000", None),
        ("000000", None),
        ("441899", None),
        ("440300", None),
        ("", None),
    ],
)
def test_city_of(code: str, city: str | None) -> None:
    assert city_of(code) == city


@pytest.mark.parametrize(
    ("code", "cls"),
    [
        ("440100", "pearl_river_delta"),
        ("440300", "pearl_river_delta"),
        ("440402", "pearl_river_delta"),
        ("440604", "pearl_river_delta"),
        ("440703", "pearl_river_delta"),
        ("441202", "pearl_river_delta"),
        ("441302", "pearl_river_delta"),
        ("441900", "pearl_river_delta"),
        ("442000", "pearl_river_delta"),
        ("440500", "east_west_north"),
        ("440800", "east_west_north"),
        ("440900", "east_west_north"),
        ("441400", "east_west_north"),
        ("441500", "east_west_north"),
        ("441600", "east_west_north"),
        ("441700", "east_west_north"),
        ("445100", "east_west_north"),
        ("445200", "east_west_north"),
        ("445300", "east_west_north"),
        ("441800", "east_west_north"),
        ("440200", "east_west_north"),
        ("441802400", "east_west_north"),
        ("440000", "other"),
        ("000000", "other"),
        ("110105", "other"),
        ("441000", "other"),
        ("4418", "other"),
        ("abcdef", "other"),
        ("", "other"),
    ],
)
def test_region_class(code: str, cls: str) -> None:
    assert region_class(code) == cls


def test_region_names() -> None:
    assert region_name("441802") == "清城区" and region_name("441802", "en") == "Qingcheng District"
    assert region_name("441827") == "清新县" and region_name("440000", "en") == "elsewhere in Guangdong"
    assert region_name("999999") is None


# --- townships --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("county", "count"),
    [
        ("440203", 7),
        ("440204", 10),
        ("440205", 10),
        ("440222", 10),
        ("440224", 11),
        ("440229", 8),
        ("440232", 11),
        ("440233", 7),
        ("440281", 19),
        ("440282", 19),
        ("441802", 10),
        ("441803", 9),
        ("441821", 8),
        ("441823", 13),
        ("441825", 9),
        ("441826", 7),
        ("441881", 24),
        ("441882", 12),
    ],
)
def test_township_counts_per_county(county: str, count: int) -> None:
    assert sum(code.startswith(county) for code in TOWNSHIPS) == count


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("441802400", "清远市高新技术产业开发区"),
        ("441802103", "源潭镇"),
        ("441881136", "英红镇"),
        ("441823201", "秤架瑶族乡"),
        ("440282400", "东莞大岭山（南雄）产业转移工业园"),
        ("440233100", "黄磜镇"),
        ("441821401", "广东佛冈观音山省级自然保护区"),
    ],
)
def test_township_names(code: str, name: str) -> None:
    assert TOWNSHIPS[code] == name


def test_every_township_belongs_to_a_county() -> None:
    assert all(code[:6] in COUNTIES and len(code) == 9 and code.isdigit() for code in TOWNSHIPS)


@pytest.mark.parametrize(
    ("code", "county", "expected"),
    [
        ("441802400", "441802", []),
        ("441802400000", "441802", []),
        ("", "441802", []),
        (None, "441802", []),
        ("441802400", "441803", ["TOWNSHIP_COUNTY_MISMATCH"]),
        ("441802999", "441802", ["TOWNSHIP_UNKNOWN"]),
        ("4418024", "441802", ["TOWNSHIP_UNKNOWN"]),
        ("440282400", "440282", []),
    ],
)
def test_validate_township(code: str | None, county: str, expected: list[str]) -> None:
    assert codes(validate_township(code, county)) == expected


def test_township_mismatch_message_names_both() -> None:
    (issue,) = validate_township("441802400", "441803")
    assert issue.message.zh == "乡镇“441802400”不属于所填区县“441803 清新区”。"


# --- parks ------------------------------------------------------------------------------------------------


def test_park_table() -> None:
    assert set(PARKS) == {"QY-GXQ", "QY-GQ", "QY-GFG", "QY-GDYD", "QY-KG", "QY-YDGXQ", "SG-DGDLS", "SG-GXQ"}
    assert PARKS["QY-GXQ"].nbs_code == "441802400" and PARKS["QY-GXQ"].national
    assert PARKS["SG-GXQ"].counties == ("440204",) and PARKS["SG-GXQ"].nbs_code is None
    for park in PARKS.values():
        assert all(c in COUNTIES for c in park.counties)
        if park.nbs_code:
            assert park.nbs_code in TOWNSHIPS and park.nbs_code[:6] in park.counties


@pytest.mark.parametrize(
    ("park", "county", "expected"),
    [
        ("QY-GXQ", "441802", []),
        ("qy-gxq", "441802", []),
        ("QY-GQ", "441821", []),
        ("QY-GQ", "441802", []),
        ("QY-GFG", "441821", []),
        ("QY-GDYD", "441881", []),
        ("QY-KG", "441802", []),
        ("QY-YDGXQ", "441881", []),
        ("SG-DGDLS", "440282", []),
        ("SG-GXQ", "440204", []),
        ("SG-GXQ", "440205", ["PARK_COUNTY_MISMATCH"]),
        ("", "441802", []),
        (None, "441802", []),
        ("QY-GXQ", "441821", ["PARK_COUNTY_MISMATCH"]),
        ("QY-GDYD", "441802", ["PARK_COUNTY_MISMATCH"]),
        ("QY-XX", "441802", ["PARK_UNKNOWN"]),
    ],
)
def test_validate_park(park: str | None, county: str, expected: list[str]) -> None:
    assert codes(validate_park(park, county)) == expected


def test_park_mismatch_message() -> None:
    (issue,) = validate_park("QY-GXQ", "441821", path="park_code")
    assert issue.message.zh == "所选园区“清远高新区”不在所填区县“441821 佛冈县”范围内。"
    assert (
        issue.message.en
        == 'Park "Qingyuan National High-tech Industrial Development Zone" is not located in '
        'county "441821 Fogang County".'
    )
