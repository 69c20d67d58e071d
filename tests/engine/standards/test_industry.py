"""This module defines the tests of the GB/T 4754-2017 industry-code validator (data_standards.md §6)."""

from __future__ import annotations

import pytest

from engine.standards.industry import DIVISIONS, SECTIONS, section_of, validate_industry_code

SECTION_RANGES = {
    "A": (1, 5),
    "B": (6, 12),
    "C": (13, 43),
    "D": (44, 46),
    "E": (47, 50),
    "F": (51, 52),
    "G": (53, 60),
    "H": (61, 62),
    "I": (63, 65),
    "J": (66, 69),
    "K": (70, 70),
    "L": (71, 72),
    "M": (73, 75),
    "N": (76, 79),
    "O": (80, 82),
    "P": (83, 83),
    "Q": (84, 85),
    "R": (86, 90),
    "S": (91, 96),
    "T": (97, 97),
}


def codes(raw: str, require_class: bool = False) -> list[str]:
    return [i.code for i in validate_industry_code(raw, require_class=require_class)[1]]


def test_twenty_sections_cover_divisions_01_to_97_once() -> None:
    assert {k: (s.first, s.last) for k, s in SECTIONS.items()} == SECTION_RANGES
    covered = [d for s in SECTIONS.values() for d in range(s.first, s.last + 1)]
    assert covered == list(range(1, 98))


@pytest.mark.parametrize(
    ("division", "letter"),
    [(d, k) for k, (first, last) in SECTION_RANGES.items() for d in {first, last}],
)
def test_section_boundaries(division: int, letter: str) -> None:
    assert section_of(division) == letter
    assert validate_industry_code(f"{letter}{division:02d}") == (f"{letter}{division:02d}", [])


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("C3985", "C3985"),
        ("M7320", "M7320"),
        ("I6513", "I6513"),
        ("M7540", "M7540"),
        ("C26", "C26"),
        ("C398", "C398"),
        ("c 3985", "C3985"),
        ("C-3985", "C3985"),
        ("6513", "I6513"),
        ("7320", "M7320"),
        ("Ｃ３９８５", "C3985"),
        ("K70", "K70"),
        ("T97", "T97"),
    ],
)
def test_valid_codes(raw: str, normalised: str) -> None:
    assert validate_industry_code(raw) == (normalised, [])


@pytest.mark.parametrize(
    "raw", ["", "3985C", "C39851", "C3", "CC39", "U12", "Z3985", "C39.85", "C٣٩٨٥", "一三"]
)
def test_format_errors(raw: str) -> None:
    assert codes(raw) == ["INDUSTRY_FORMAT"]


def test_format_message() -> None:
    (issue,) = validate_industry_code("3985C", path="industry_code")[1]
    assert issue.message.zh == "行业代码应为门类字母加2–4位数字，如C3985。"


@pytest.mark.parametrize(
    ("raw", "div", "expected", "letter"),
    [("C6513", "65", "I", "C"), ("M3985", "39", "C", "M"), ("A06", "06", "B", "A")],
)
def test_section_mismatch(raw: str, div: str, expected: str, letter: str) -> None:
    (issue,) = validate_industry_code(raw)[1]
    assert issue.code == "INDUSTRY_SECTION_MISMATCH"
    assert issue.message.zh == f"大类{div}属于门类{expected}，不是{letter}。"
    assert issue.message.en == f"Division {div} belongs to section {expected}, not {letter}."


@pytest.mark.parametrize("raw", ["00", "98", "99", "C00", "9901"])
def test_unknown_divisions(raw: str) -> None:
    assert codes(raw) == ["INDUSTRY_UNKNOWN"]


def test_too_coarse() -> None:
    assert codes("C") == ["INDUSTRY_TOO_COARSE"]
    assert codes("C39", require_class=True) == ["INDUSTRY_TOO_COARSE"]
    assert codes("C398", require_class=True) == ["INDUSTRY_TOO_COARSE"]
    assert codes("C3985", require_class=True) == []


@pytest.mark.parametrize(
    ("code", "letter"),
    [
        ("I6513", "I"),
        ("C6513", "I"),
        ("6513", "I"),
        ("c", "C"),
        (73, "M"),
        ("99", None),
        ("", None),
        ("U", None),
        (0, None),
        (98, None),
    ],
)
def test_section_of(code: str | int, letter: str | None) -> None:
    assert section_of(code) == letter


def test_every_division_has_both_names_and_a_valid_code() -> None:
    assert sorted(DIVISIONS) == list(range(1, 98))
    for division in DIVISIONS.values():
        assert division.zh and division.en and validate_industry_code(division.code)[1] == []


@pytest.mark.parametrize(("number", "code", "zh"), [
    (30, "C30", "非金属矿物制品业"), (39, "C39", "计算机、通信和其他电子设备制造业"), (65, "I65", "软件和信息技术服务业"),
    (73, "M73", "研究和试验发展"), (75, "M75", "科技推广和应用服务业"), (79, "N79", "土地管理业"), (97, "T97", "国际组织"),
])
def test_division_names_match_data_standards_section_6(number: int, code: str, zh: str) -> None:
    assert (DIVISIONS[number].code, DIVISIONS[number].zh) == (code, zh)
