"""This module defines the tests of the USCC validator against the vectors of data_standards.md §1."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.standards.uscc import (
    AUTHORITIES,
    CHARSET,
    PROVINCE_PREFIXES,
    WEIGHTS,
    entity_type_of,
    normalize_uscc,
    org_check_char,
    uscc_check_char,
    validate_uscc,
)

PROPERTY = settings(database=None, deadline=None, max_examples=300)


def codes(raw: str, **kwargs: str) -> list[str]:
    return [i.code for i in validate_uscc(raw, **kwargs)[1]]


def weighted_sum(s17: str) -> int:
    return sum(CHARSET.index(ch) * w for ch, w in zip(s17, WEIGHTS, strict=True))


def test_weights_are_the_published_ones() -> None:
    assert WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    assert len(CHARSET) == 31 and not set("IOZSV") & set(CHARSET)


def test_worked_example_of_the_standard_annex() -> None:
    assert weighted_sum("91350100M000100Y4") == 1640
    assert uscc_check_char("91350100M000100Y4") == "3"


@pytest.mark.parametrize(
    ("code", "total", "check"),
    [
        ("914403001922038216", 831, "6"),
        ("91110108551385082Q", 999, "Q"),
        ("91440300708461136T", 966, "T"),
        ("91110000600037341L", 538, "L"),
    ],
)
def test_published_valid_codes(code: str, total: int, check: str) -> None:
    assert weighted_sum(code[:17]) == total
    assert uscc_check_char(code[:17]) == check
    assert org_check_char(code[8:16]) == code[16]
    assert validate_uscc(code) == (code, [])


@pytest.mark.parametrize(
    "code",
    [
        "91441802MA00000155",
        "91441881MA0000015J",
        "52441802MA00000156",
        "12441800MA0000015D",
        "91440204MA0000015N",
    ],
)
def test_synthetic_sample_codes_validate(code: str) -> None:
    assert validate_uscc(code) == (code, [])


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("91440300708461136X", ["USCC_CHECK"]),
        ("914403001922038261", ["USCC_CHECK", "USCC_ORG_CHECK"]),
        ("91350100M000100Y4Z", ["USCC_CHAR"]),
        ("9144030O708461136T", ["USCC_CHAR"]),
        ("91440300708461136", ["USCC_LENGTH"]),
        ("9A440300708461136T", ["USCC_CATEGORY", "USCC_CHECK"]),
        ("000000000000000000", ["USCC_AUTHORITY", "USCC_REGION_UNKNOWN"]),
        ("", ["USCC_REQUIRED"]),
        ("  - ", ["USCC_REQUIRED"]),
    ],
)
def test_invalid_vectors(raw: str, expected: list[str]) -> None:
    assert codes(raw) == expected


def test_check_error_names_expected_and_given_character() -> None:
    (issue,) = validate_uscc("91440300708461136X", path="employer_credit_code")[1]
    assert issue.path == "employer_credit_code" and issue.severity == "error"
    assert issue.message.zh == "校验位不符：按前17位计算，第18位应为“T”，您填写的是“X”。请对照营业执照核对。"
    assert 'should be "T", not "X"' in issue.message.en


def test_transposed_check_pair_expects_m_and_warns_on_inner_check() -> None:
    check, inner = validate_uscc("914403001922038261")[1]
    assert "应为“M”" in check.message.zh and inner.severity == "warning"
    assert org_check_char("19220382") == "1"


def test_category_error_and_check_y() -> None:
    category, check = validate_uscc("9A440300708461136T")[1]
    assert category.message.zh == "第2位“A”不是登记管理部门“9”下的有效机构类别。"
    assert "“Y”" in check.message.zh


def test_all_zero_code_passes_checksum_but_not_authority() -> None:
    assert uscc_check_char("0" * 17) == "0"
    authority, region = validate_uscc("0" * 18)[1]
    assert authority.message.zh == "第1位“0”不是有效的登记管理部门代码。"
    assert region.severity == "warning"


@pytest.mark.parametrize(
    ("raw", "pos", "ch", "hint"),
    [
        ("91350100M000100Y4Z", 18, "Z", "2"),
        ("9144030O708461136T", 8, "O", "0"),
        ("9144030070846113IT", 17, "I", "1"),
        ("S1440300708461136T", 1, "S", "5"),
        ("91440300708461V36T", 15, "V", "U"),
    ],
)
def test_char_errors_carry_position_and_hint(raw: str, pos: int, ch: str, hint: str) -> None:
    (issue,) = validate_uscc(raw)[1]
    assert issue.code == "USCC_CHAR"
    assert issue.message.zh == (
        f"第{pos}位“{ch}”不是统一社会信用代码允许的字符（不使用I、O、Z、S、V），是否应为“{hint}”？"
    )
    assert f'Did you mean "{hint}"?' in issue.message.en


def test_char_error_without_hint_and_one_error_per_bad_character() -> None:
    issues = validate_uscc("91440300708461#3!T")[1]
    assert [i.code for i in issues] == ["USCC_CHAR", "USCC_CHAR"]
    assert "是否应为" not in issues[0].message.zh and "Did you mean" not in issues[0].message.en


@pytest.mark.parametrize(
    ("raw", "kind_zh"),
    [("440301103456789", "15位注册号"), ("19220382-1", "9位组织机构代码"), ("MA0000015", "9位组织机构代码")],
)
def test_old_numbers_get_a_specific_message(raw: str, kind_zh: str) -> None:
    (issue,) = validate_uscc(raw)[1]
    assert issue.code == "USCC_OLD_NUMBER"
    assert issue.message.zh == f"这看起来是旧的{kind_zh}，请填写营业执照上的18位统一社会信用代码。"


def test_length_message() -> None:
    (issue,) = validate_uscc("91440300708461136")[1]
    assert issue.message.zh == "统一社会信用代码应为18位，您填写了17位。"


@pytest.mark.parametrize(
    "raw",
    [
        "９１４４０３００７０８４６１１３６Ｔ",
        "91440300708461136t",
        " 9144 0300 7084 6113 6T ",
        "914403-00708461136—T",
        "9144\u30000300708461136T",
    ],
)
def test_normalisation(raw: str) -> None:
    assert normalize_uscc(raw) == "91440300708461136T"
    assert validate_uscc(raw) == ("91440300708461136T", [])


def test_pilot_area_codes_fail_the_check_as_documented() -> None:
    assert uscc_check_char("91350100M0001TGQX") == "1"
    assert uscc_check_char("91350211M0000XUF4") == "R"
    assert "USCC_CHECK" in codes("91350100M0001TGQXM")


@pytest.mark.parametrize(
    ("code", "entity"),
    [
        ("91441802MA00000155", "enterprise"),
        ("52441802MA00000156", "private_non_enterprise"),
        ("12441800MA0000015D", "public_institution"),
        ("92", "individual_business"),
        ("93", "farmer_cooperative"),
        ("51", "social_organization"),
        ("11", "government_agency"),
        ("Y1", "other"),
        ("N2", "village_collective"),
        ("9A", None),
        ("0", None),
        ("", None),
    ],
)
def test_entity_type_of(code: str, entity: str | None) -> None:
    assert entity_type_of(code) == entity


def test_type_mismatch_is_a_warning() -> None:
    value, issues = validate_uscc("52441802MA00000156", entity_type="enterprise")
    (issue,) = issues
    assert (issue.code, issue.severity) == ("USCC_TYPE_MISMATCH", "warning")
    assert issue.message.zh == "代码前两位“52”表示民办非企业单位，与所选主体类型“企业”不一致。"
    assert validate_uscc("91441802MA00000155", entity_type="enterprise")[1] == []


def test_check_char_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        uscc_check_char("91440300")
    with pytest.raises(ValueError):
        uscc_check_char("9144030070846113I")


# --- properties -------------------------------------------------------------------------------------------

_PAIRS = [a + c for a, (_, cats) in AUTHORITIES.items() for c in cats]
_BODY_CHARS = st.sampled_from(CHARSET)


@st.composite
def valid_usccs(draw: st.DrawFn) -> str:
    head = draw(st.sampled_from(_PAIRS))
    region = draw(st.sampled_from(sorted(PROVINCE_PREFIXES))) + f"{draw(st.integers(0, 9999)):04d}"
    body = "".join(draw(st.lists(_BODY_CHARS, min_size=8, max_size=8)))
    s17 = head + region + body + org_check_char(body)
    return s17 + uscc_check_char(s17)


@PROPERTY
@given(valid_usccs())
def test_generated_codes_validate(code: str) -> None:
    assert validate_uscc(code) == (code, [])


@PROPERTY
@given(valid_usccs(), st.integers(0, 17), st.sampled_from(CHARSET + "IOZSV#a"))
def test_any_single_character_change_is_an_error(code: str, pos: int, ch: str) -> None:
    changed = code[:pos] + ch + code[pos + 1 :]
    if normalize_uscc(changed) == code:
        return  # "a" upper-cases to the same letter
    assert any(i.severity == "error" for i in validate_uscc(changed)[1])


@PROPERTY
@given(valid_usccs(), st.integers(0, 15))
def test_adjacent_transpositions_are_errors(code: str, pos: int) -> None:
    if code[pos] == code[pos + 1]:
        return
    swapped = code[:pos] + code[pos + 1] + code[pos] + code[pos + 2 :]
    assert "USCC_CHECK" in codes(swapped)
