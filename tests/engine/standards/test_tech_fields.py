"""This module defines the tests of the 高新技术领域 table and validator (data_standards.md §4)."""

from __future__ import annotations

import pytest

from engine.standards.tech_fields import (
    FIELDS,
    LEAF_L2,
    children_of,
    l1_of,
    name_of,
    normalize_tech_field,
    validate_tech_field,
)

L1_NAMES = [
    "电子信息",
    "生物与新医药",
    "航空航天",
    "新材料",
    "高技术服务",
    "新能源与节能",
    "资源与环境",
    "先进制造与自动化",
]

# Number of third-level items per second-level field, as in the annex (0 = the L2 is a leaf).
L3_COUNTS = {
    "101": 12,
    "102": 6,
    "103": 4,
    "104": 10,
    "105": 9,
    "106": 7,
    "107": 8,
    "108": 6,
    "201": 6,
    "202": 4,
    "203": 5,
    "204": 4,
    "205": 6,
    "206": 6,
    "207": 5,
    "301": 6,
    "302": 8,
    "401": 8,
    "402": 5,
    "403": 6,
    "404": 8,
    "405": 4,
    "406": 5,
    "501": 2,
    "502": 2,
    "503": 3,
    "504": 0,
    "505": 0,
    "506": 2,
    "507": 4,
    "508": 4,
    "601": 4,
    "602": 2,
    "603": 4,
    "604": 8,
    "701": 6,
    "702": 5,
    "703": 6,
    "704": 2,
    "705": 4,
    "706": 0,
    "707": 3,
    "708": 7,
    "801": 5,
    "802": 3,
    "803": 5,
    "804": 7,
    "805": 4,
    "806": 5,
    "807": 5,
    "808": 2,
    "809": 2,
}


def codes(raw: str) -> list[tuple[str, str]]:
    return [(i.code, i.severity) for i in validate_tech_field(raw)[1]]


def test_eight_fields_with_2016_names() -> None:
    assert children_of() == [str(i) for i in range(1, 9)]
    assert [name_of(c) for c in children_of()] == L1_NAMES


def test_fifty_two_second_level_fields() -> None:
    assert [len(children_of(l1)) for l1 in children_of()] == [8, 7, 2, 6, 8, 4, 8, 9]
    assert sorted(c for c in FIELDS if len(c) == 3) == sorted(L3_COUNTS)


@pytest.mark.parametrize(("l2", "count"), sorted(L3_COUNTS.items()))
def test_third_level_items_per_second_level_field(l2: str, count: int) -> None:
    items = children_of(l2)
    assert len(items) == count
    assert items == [f"{l2}{n:02d}" for n in range(1, count + 1)]


def test_the_three_leaf_second_level_fields() -> None:
    assert LEAF_L2 == {"504", "505", "706"}
    assert [name_of(c) for c in sorted(LEAF_L2)] == [
        "高技术专业化服务",
        "知识产权与成果转化服务",
        "生态环境建设与保护技术",
    ]


def test_every_heading_has_both_names() -> None:
    assert len(FIELDS) == 8 + 52 + sum(L3_COUNTS.values()) == 314
    assert all(f.zh and f.en and f.en.isascii() for f in FIELDS.values())


@pytest.mark.parametrize(
    ("code", "zh"),
    [
        ("101", "软件"),
        ("10101", "基础软件"),
        ("10112", "Web服务与集成软件"),
        ("40106", "半导体新材料制备与应用技术"),
        ("40103", "稀有、稀土金属精深产品制备技术"),
        ("80406", "增材制造技术"),
        ("70803", "伴生有价元素的分选提取技术"),
        ("80902", "印刷技术"),
        ("20705", "农业面源和重金属污染农田综合防治与修复技术"),
        ("60202", "氢能"),
    ],
)
def test_spot_names(code: str, zh: str) -> None:
    assert name_of(code) == zh


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("10101", "10101"),
        ("1.1.1", "10101"),
        ("1.01.01", "10101"),
        ("8.4.6", "80406"),
        ("1.1.12", "10112"),
        (" 8.4.6 ", "80406"),
        ("８０４０６", "80406"),
        ("504", "504"),
        ("5.4", "504"),
        ("7.6", "706"),
        ("增材制造技术", "80406"),
    ],
)
def test_valid_codes(raw: str, normalised: str) -> None:
    assert validate_tech_field(raw) == (normalised, [])


@pytest.mark.parametrize(("raw", "normalised"), [("1", "1"), ("101", "101"), ("4.3", "403"), ("新材料", "4")])
def test_l1_or_non_leaf_l2_is_accepted_with_a_level_warning(raw: str, normalised: str) -> None:
    value, issues = validate_tech_field(raw)
    assert value == normalised
    assert [(i.code, i.severity) for i in issues] == [("TECHFIELD_LEVEL", "warning")]


def test_level_warning_text() -> None:
    (issue,) = validate_tech_field("101", path="tech_field")[1]
    assert issue.message.zh == "请选择到第三级技术领域（“软件”下设第三级条目）。"
    assert issue.message.en == 'Select a third-level technical field ("Software" has third-level items).'


@pytest.mark.parametrize(
    "raw", ["9", "0", "10113", "109", "50401", "70601", "1.1.13", "1.9", "1.1.1.1", "1..1", "A01", "101010"]
)
def test_unknown_codes(raw: str) -> None:
    assert codes(raw) == [("TECHFIELD_UNKNOWN", "error")]


def test_empty_is_required() -> None:
    assert codes("") == [("TECHFIELD_REQUIRED", "error")]
    assert codes(None) == [("TECHFIELD_REQUIRED", "error")]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("name", "current"),
    [
        ("先进制造及自动化", "先进制造与自动化"),
        ("电子信息技术", "电子信息"),
        ("高技术服务业", "高技术服务"),
        ("新能源及节能技术", "新能源与节能"),
        ("高新技术改造传统产业", "先进制造与自动化"),
    ],
)
def test_2008_names_are_rejected_with_the_2016_name(name: str, current: str) -> None:
    (issue,) = validate_tech_field(name)[1]
    assert (issue.code, issue.severity) == ("TECHFIELD_2008_NAME", "error")
    assert f"“{current}”" in issue.message.zh


@pytest.mark.parametrize(
    ("code", "l1"), [("1", "1"), ("101", "1"), ("10101", "1"), ("8.4.6", "8"), ("505", "5")]
)
def test_l1_of(code: str, l1: str) -> None:
    assert l1_of(code) == l1


def test_lookups_raise_on_unknown_codes() -> None:
    with pytest.raises(ValueError):
        l1_of("9")
    with pytest.raises(ValueError):
        name_of("10113")
    assert normalize_tech_field("10113") is None


def test_english_names() -> None:
    assert name_of("8", "en") == "Advanced manufacturing and automation"
    assert name_of("80406", "en") == "Additive manufacturing"
    assert name_of("10206", "en").endswith("and processes")  # a continued line


# --- "not in the catalogue" and the cascading picker -------------------------------------------------------

from engine.standards.tech_fields import (  # noqa: E402
    NOT_IN_CATALOGUE,
    is_leaf,
    label_of,
    lineage,
    options,
)


@pytest.mark.parametrize("raw", ["none", "NONE", " none ", "核心技术不属于《国家重点支持的高新技术领域》"])
def test_not_in_catalogue_is_a_valid_value(raw: str) -> None:
    assert validate_tech_field(raw) == (NOT_IN_CATALOGUE, [])
    assert l1_of(raw) == NOT_IN_CATALOGUE  # not one of the eight L1 codes: 高企 Art. 11(三) fails
    assert l1_of(raw) not in {f.code for f in FIELDS.values() if f.level == 1}


def test_not_in_catalogue_label_in_both_languages() -> None:
    label = label_of(NOT_IN_CATALOGUE)
    assert label.zh == "核心技术不属于《国家重点支持的高新技术领域》"
    assert label.en == "core technology outside the state-supported high-tech fields"
    assert name_of(NOT_IN_CATALOGUE, "en") == label.en


def test_picker_top_level_is_the_eight_fields_then_not_in_catalogue() -> None:
    top = options()
    assert [f.zh for f in top[:8]] == L1_NAMES
    assert top[-1].code == NOT_IN_CATALOGUE and len(top) == 9
    assert all(f.level == 1 and f.en for f in top)


def test_picker_walks_every_heading_once_from_l1_to_l3() -> None:
    seen: list[str] = []
    stack = [f.code for f in options() if f.code != NOT_IN_CATALOGUE]
    while stack:
        code = stack.pop()
        seen.append(code)
        kids = options(code)
        assert all(k.level == FIELDS[code].level + 1 and k.code.startswith(code) for k in kids)
        assert is_leaf(code) == (not kids)
        stack += [k.code for k in kids]
    assert sorted(seen) == sorted(FIELDS)


@pytest.mark.parametrize("code", list("12345678"))
def test_picker_l2_of_each_l1_are_the_annex_l2(code: str) -> None:
    assert [f.code for f in options(code)] == [c for c in L3_COUNTS if c.startswith(code)]


def test_picker_l3_counts_match_the_annex() -> None:
    for l2, count in L3_COUNTS.items():
        assert len(options(l2)) == count, l2
        assert is_leaf(l2) == (count == 0)


def test_lineage_preselects_the_three_levels() -> None:
    assert [f.code for f in lineage("8.4.6")] == ["8", "804", "80406"]
    assert [f.zh for f in lineage("80406")][-1] == "增材制造技术"
    assert [f.code for f in lineage("504")] == ["5", "504"]
    assert [f.code for f in lineage("none")] == [NOT_IN_CATALOGUE]
    assert options(NOT_IN_CATALOGUE) == () and is_leaf(NOT_IN_CATALOGUE)
    with pytest.raises(ValueError):
        lineage("10113")
    with pytest.raises(ValueError):
        options("9")


def test_unknown_code_points_to_the_not_in_catalogue_choice() -> None:
    (issue,) = validate_tech_field("9.9.9")[1]
    assert issue.code == "TECHFIELD_UNKNOWN"
    assert label_of(NOT_IN_CATALOGUE).zh in issue.message.zh and label_of(NOT_IN_CATALOGUE).en in issue.message.en
