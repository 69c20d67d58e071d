"""This module defines the tests of the identity-number validators against data_standards.md §2."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.standards.idcard import (
    DOC_TYPES,
    ID_PROVINCE_PREFIXES,
    ID_WEIGHTS,
    birth_date_of,
    cross_check_id,
    id_check_char,
    mask_id,
    sex_of,
    validate_id_number,
)

TODAY = date(2026, 11, 1)
PROPERTY = settings(database=None, deadline=None, max_examples=300)


def codes(raw: str, doc_type: str = "resident_id") -> list[str]:
    return [i.code for i in validate_id_number(raw, doc_type, today=TODAY)[1]]


def with_check(s17: str) -> str:
    return s17 + id_check_char(s17)


def wrong_check(s17: str) -> str:
    return s17 + ("0" if id_check_char(s17) != "0" else "1")


def test_weights_are_the_published_ones() -> None:
    assert ID_WEIGHTS == (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


@pytest.mark.parametrize(
    ("number", "total", "born", "sex"),
    [
        ("11010519491231002X", 167, date(1949, 12, 31), "female"),
        ("440524188001010014", 195, date(1880, 1, 1), "male"),
        ("441802199001011239", 223, date(1990, 1, 1), "male"),
    ],
)
def test_valid_vectors(number: str, total: int, born: date, sex: str) -> None:
    assert sum(int(d) * w for d, w in zip(number[:17], ID_WEIGHTS, strict=True)) == total
    assert validate_id_number(number, today=TODAY) == (number, [])
    assert birth_date_of(number) == born
    assert sex_of(number) == sex


def test_lower_case_x_is_normalised() -> None:
    assert validate_id_number("44011320141005001x", today=TODAY) == ("44011320141005001X", [])


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("36042619910102009X", ["ID_CHECK"]),
        ("360426199113010079", ["ID_BIRTH_DATE"]),
        ("441802199001011234", ["ID_CHECK"]),
        ("4418021990010112", ["ID_LENGTH"]),
        ("441802900101123", ["ID_OLD_15"]),
        ("44180219900101123A", ["ID_CHAR"]),
        ("", ["ID_REQUIRED"]),
    ],
)
def test_invalid_vectors(raw: str, expected: list[str]) -> None:
    assert codes(raw) == expected


def test_check_message_names_the_expected_digit() -> None:
    (issue,) = validate_id_number("36042619910102009X", path="person.id_number", today=TODAY)[1]
    assert issue.path == "person.id_number"
    assert issue.message.zh == "身份证号码校验位不符：第18位应为“3”。"
    (issue,) = validate_id_number("441802199001011234", today=TODAY)[1]
    assert issue.message.en == 'ID check digit mismatch: character 18 should be "9".'


def test_birth_date_message() -> None:
    (issue,) = validate_id_number("360426199113010079", today=TODAY)[1]
    assert issue.message.zh == "第7–14位出生日期“19911301”不是有效日期。"


def test_old_15_and_length_share_the_catalogue_text() -> None:
    old = validate_id_number("441802900101123", today=TODAY)[1][0]
    length = validate_id_number("4418021990010112", today=TODAY)[1][0]
    assert old.message == length.message
    assert old.message.zh == "身份证号码应为18位（第一代15位号码已停用）。"


@pytest.mark.parametrize(
    ("raw", "pos"), [("4418021990O1011239", 11), ("44180219900101123A", 18), ("X41802199001011239", 1)]
)
def test_char_error_position(raw: str, pos: int) -> None:
    (issue,) = validate_id_number(raw, today=TODAY)[1]
    assert issue.code == "ID_CHAR" and f"第{pos}位有误" in issue.message.zh


def test_future_birth_date() -> None:
    number = with_check("44180220301231001")
    assert codes(number) == ["ID_BIRTH_FUTURE"]
    born_today = with_check("441802" + TODAY.strftime("%Y%m%d") + "001")
    assert codes(born_today) == []


def test_unknown_province_prefix_is_only_a_warning() -> None:
    number = with_check("99180219900101123")
    (issue,) = validate_id_number(number, today=TODAY)[1]
    assert (issue.code, issue.severity) == ("ID_REGION", "warning")


def test_historic_region_code_is_accepted() -> None:
    assert codes(with_check("44182719900101123")) == []  # 441827 清新县, abolished 2012


@pytest.mark.parametrize("prefix", ["810000", "820000", "830000"])
def test_residence_permits_of_hk_macao_taiwan(prefix: str) -> None:
    number = with_check(prefix + "19900101123")
    assert codes(number, "hmt_residence_permit") == []
    assert codes(number, "hkmotw_residence") == []  # alias used by engine.profile


def test_residence_permit_needs_810000_820000_or_830000() -> None:
    (issue,) = validate_id_number("441802199001011239", "hmt_residence_permit", today=TODAY)[1]
    assert issue.code == "ID_PERMIT_REGION" and "“441802”" in issue.message.zh
    assert codes(wrong_check("81000019900101123"), "hmt_residence_permit") == ["ID_CHECK"]


def test_permanent_residence_2023_edition() -> None:
    number = with_check("93305619900101123")
    assert codes(number, "foreign_permanent_residence") == []
    assert codes(number, "foreign_permanent") == []
    assert codes(number) == ["ID_REGION"]  # as a citizen number, prefix 93 is unknown
    assert codes("441802199001011239", "foreign_permanent_residence") == ["ID_PR_PREFIX"]
    assert codes(wrong_check(number[:17]), "foreign_permanent_residence") == ["ID_CHECK"]


@pytest.mark.parametrize(
    ("raw", "doc_type", "expected"),
    [
        ("USA123456789012", "foreign_permanent_residence", []),
        ("us a123456789012", "foreign_permanent_residence", []),
        ("US1234567890123", "foreign_permanent_residence", ["ID_FORMAT"]),
        ("9330561990010", "foreign_permanent_residence", ["ID_LENGTH"]),
        ("E12345678", "passport", []),
        ("EA1234567", "passport", []),
        ("E-1234567", "passport", ["ID_FORMAT"]),
        ("E12", "passport", ["ID_FORMAT"]),
        ("H12345678", "hk_macao_permit", []),
        ("M1234567890", "hk_macao_permit", []),
        ("H1234567", "hk_macao_permit", ["ID_FORMAT"]),
        ("12345678", "taiwan_permit", []),
        ("1234567A", "taiwan_permit", ["ID_FORMAT"]),
        ("H12345678", "mainland_permit", []),
        ("12345678", "mainland_permit", []),
        ("", "passport", ["ID_REQUIRED"]),
    ],
)
def test_other_documents_format_only(raw: str, doc_type: str, expected: list[str]) -> None:
    assert codes(raw, doc_type) == expected


def test_format_message_names_the_document() -> None:
    (issue,) = validate_id_number("E12", "passport", today=TODAY)[1]
    assert issue.message.zh == "护照号码格式有误，应为5–17位字母或数字。"


def test_unknown_document_type() -> None:
    with pytest.raises(ValueError):
        validate_id_number("441802199001011239", "driving_licence", today=TODAY)
    assert "resident_id" in DOC_TYPES


def test_birth_and_sex_of_old_and_odd_numbers() -> None:
    assert birth_date_of("441802900101123") == date(1990, 1, 1)
    assert sex_of("441802900101123") == "male"
    assert birth_date_of("360426199113010079") is None
    assert birth_date_of("E12345678") is None and sex_of("E12345678") is None


def test_cross_check_against_entered_fields() -> None:
    number = "11010519491231002X"
    assert cross_check_id(number, birth_date=date(1949, 12, 31), sex="female") == []
    assert cross_check_id(number) == []
    birth, sex = cross_check_id(
        number,
        birth_date=date(1949, 12, 30),
        sex="male",
        birth_path="person.birth_date",
        sex_path="person.sex",
    )
    assert (birth.code, birth.path) == ("ID_FIELD_MISMATCH", "person.birth_date")
    assert birth.message.zh == "身份证号码中的出生日期与所填出生日期不一致。"
    assert sex.message.en == "The sex in the ID number differs from the sex field."


@pytest.mark.parametrize(
    ("style", "masked"),
    [("default", "441802********1239"), ("public", "441***********1239"), ("log", "4****************9")],
)
def test_masking_styles(style: str, masked: str) -> None:
    assert mask_id("441802199001011239", style) == masked


def test_masking_short_numbers_and_bad_style() -> None:
    assert mask_id("E12345678") == "E*******8"
    assert mask_id("E1234") == "*****"
    assert mask_id(" 44011320141005001x ") == "440113********001X"
    with pytest.raises(ValueError):
        mask_id("441802199001011239", "full")


def test_masked_default_hides_the_birth_date() -> None:
    masked = mask_id("441802199001011239")
    assert "19900101" not in masked and len(masked) == 18


# --- properties -------------------------------------------------------------------------------------------

_DIGIT = st.sampled_from("0123456789")


@st.composite
def valid_ids(draw: st.DrawFn) -> str:
    region = draw(st.sampled_from(sorted(ID_PROVINCE_PREFIXES))) + f"{draw(st.integers(0, 9999)):04d}"
    born = date(1900, 1, 1) + timedelta(days=draw(st.integers(0, (TODAY - date(1900, 1, 1)).days)))
    return with_check(region + born.strftime("%Y%m%d") + f"{draw(st.integers(0, 999)):03d}")


@PROPERTY
@given(valid_ids())
def test_generated_numbers_validate(number: str) -> None:
    assert validate_id_number(number, today=TODAY) == (number, [])
    assert sex_of(number) == ("male" if int(number[16]) % 2 else "female")


@PROPERTY
@given(valid_ids(), st.integers(0, 17), st.sampled_from("0123456789X"))
def test_any_single_character_change_is_an_error(number: str, pos: int, ch: str) -> None:
    if number[pos] == ch:
        return
    changed = number[:pos] + ch + number[pos + 1 :]
    issues = validate_id_number(changed, today=TODAY)[1]
    assert any(i.severity == "error" for i in issues)


@PROPERTY
@given(valid_ids(), st.integers(0, 15))
def test_adjacent_transpositions_are_errors(number: str, pos: int) -> None:
    if number[pos] == number[pos + 1]:
        return
    swapped = number[:pos] + number[pos + 1] + number[pos] + number[pos + 2 :]
    assert "ID_CHECK" in codes(swapped)


@PROPERTY
@given(st.lists(st.sampled_from("0123456789XxAZ-—٠１Ｘ\u3000 \t"), max_size=24).map("".join))
def test_never_raises_on_arbitrary_text(raw: str) -> None:
    for doc_type in DOC_TYPES:
        value, issues = validate_id_number(raw, doc_type, today=TODAY)
        assert isinstance(value, str) and all(i.code.startswith("ID_") for i in issues)
