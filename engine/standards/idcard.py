"""This module defines the validators of talents' identity-document numbers (data_standards.md §2).

Resident ID cards (GB 11643-1999, ISO 7064 MOD 11-2), residence permits for Hong Kong, Macao and Taiwan
residents (address code 810000/820000/830000, same check), foreign permanent residence ID cards (2023
edition: 18 characters starting with 9, same check; 2017 edition: 3 letters + 12 digits, format only), and
passports and travel permits (format only). Also birth date and sex from the number, cross-checks against
separately entered fields, and display masking (§2.6). `today` is always passed in: the engine has no clock.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from engine.errors import Message, ProfileIssue

from .catalogue import make_issue

ID_WEIGHTS: tuple[int, ...] = tuple(pow(2, 17 - i, 11) for i in range(17))
"""MOD 11-2 weights W_k = 2^(18-k) mod 11 for positions 1–17."""

RESIDENT_ID = "resident_id"
HMT_RESIDENCE_PERMIT = "hmt_residence_permit"
FOREIGN_PERMANENT_RESIDENCE = "foreign_permanent_residence"
PASSPORT = "passport"
HK_MACAO_PERMIT = "hk_macao_permit"
TAIWAN_PERMIT = "taiwan_permit"
MAINLAND_PERMIT = "mainland_permit"
"""Either travel permit (港澳居民来往内地通行证 / 台湾居民来往大陆通行证), the form not saying which."""

DOC_TYPE_ALIASES = {
    "hkmotw_residence": HMT_RESIDENCE_PERMIT,
    "foreign_permanent": FOREIGN_PERMANENT_RESIDENCE,
}
"""Short names used by `engine.profile.people` for the same document types."""

ID_PROVINCE_PREFIXES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43"
    " 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82 83".split()
)
"""§2.4: province prefixes of positions 1–2; an unknown prefix is only a warning (old codes stay valid)."""

HMT_ADDRESS_CODES = frozenset({"810000", "820000", "830000"})

# Format-only documents: (pattern, document name, expected shape). Issuer-specific, kept permissive.
_FORMATS: dict[str, tuple[re.Pattern[str], Message, Message]] = {
    PASSPORT: (
        re.compile(r"[A-Z0-9]{5,17}"),
        Message("护照", "passport"),
        Message("5–17位字母或数字", "5–17 letters or digits"),
    ),
    HK_MACAO_PERMIT: (
        re.compile(r"[HM][0-9]{8}([0-9]{2})?"),
        Message("港澳居民来往内地通行证", "Home Return Permit"),
        Message("H或M加8位（旧版10位）数字", "H or M followed by 8 (old: 10) digits"),
    ),
    TAIWAN_PERMIT: (
        re.compile(r"[0-9]{8}([0-9]{2})?"),
        Message("台湾居民来往大陆通行证", "Mainland Travel Permit for Taiwan Residents"),
        Message("8位（旧版10位）数字", "8 (old: 10) digits"),
    ),
    MAINLAND_PERMIT: (
        re.compile(r"[HM]?[0-9]{8}([0-9]{2})?"),
        Message("来往内地（大陆）通行证", "travel permit"),
        Message(
            "H或M加8位数字（港澳），或8位数字（台湾）", "H or M and 8 digits (HK/Macao) or 8 digits (Taiwan)"
        ),
    ),
}
_PR_2017 = re.compile(r"[A-Z]{3}[0-9]{12}")
_PR_2017_FORMAT = (
    Message("外国人永久居留身份证（2017版）", "foreign permanent residence ID card (2017 edition)"),
    Message("3个字母加12位数字", "3 letters followed by 12 digits"),
)

DOC_TYPES = (
    RESIDENT_ID,
    HMT_RESIDENCE_PERMIT,
    FOREIGN_PERMANENT_RESIDENCE,
    PASSPORT,
    HK_MACAO_PERMIT,
    TAIWAN_PERMIT,
    MAINLAND_PERMIT,
)

MASK_STYLES: dict[str, tuple[int, int]] = {"default": (6, 4), "public": (3, 4), "log": (1, 1)}
"""§2.6: characters kept at the start and at the end, per display style."""


def normalize_id(raw: str | None) -> str:
    """Return an identity-document number as stored: NFKC, no whitespace, upper case (x → X)."""
    return "".join(unicodedata.normalize("NFKC", raw or "").split()).upper()


def id_check_char(s17: str) -> str:
    """Return the ISO 7064 MOD 11-2 check character of 17 digits.

    Raises:
        ValueError: not 17 ASCII digits.

    >>> id_check_char("11010519491231002")
    'X'
    """
    if len(s17) != 17 or not (s17.isascii() and s17.isdigit()):
        raise ValueError(f"expected 17 digits, got {s17!r}")
    r = (12 - sum(int(d) * w for d, w in zip(s17, ID_WEIGHTS, strict=True)) % 11) % 11
    return "X" if r == 10 else str(r)


def _date_or_none(yyyymmdd: str) -> date | None:
    if not (yyyymmdd.isascii() and yyyymmdd.isdigit()):
        return None
    try:
        return date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return None


def birth_date_of(number: str) -> date | None:
    """Return the birth date encoded in an 18-digit (or old 15-digit) number, None if absent or impossible.

    >>> birth_date_of("11010519491231002X")
    datetime.date(1949, 12, 31)
    """
    s = normalize_id(number)
    if len(s) == 18:
        return _date_or_none(s[6:14])
    if len(s) == 15 and s.isdigit():
        return _date_or_none("19" + s[6:12])
    return None


def sex_of(number: str) -> str | None:
    """Return "male" (odd) or "female" (even) from position 17 (position 15 of an old number), else None.

    >>> sex_of("11010519491231002X")
    'female'
    """
    s = normalize_id(number)
    digit = s[16] if len(s) == 18 else s[14] if len(s) == 15 and s.isdigit() else ""
    if not (digit.isascii() and digit.isdigit()):
        return None
    return "male" if int(digit) % 2 else "female"


def _first_bad_char(s: str) -> int | None:
    for pos, ch in enumerate(s, 1):
        if not (ch.isascii() and ch.isdigit()) and not (pos == 18 and ch == "X"):
            return pos
    return None


def _validate_18(s: str, path: str, today: date, doc_type: str) -> list[ProfileIssue]:
    """The §2.4 procedure shared by resident IDs, HMT residence permits and 2023 permanent residence IDs."""
    if len(s) == 15 and doc_type == RESIDENT_ID:
        return [make_issue("ID_OLD_15", path)]
    if len(s) != 18:
        return [make_issue("ID_LENGTH", path)]
    bad = _first_bad_char(s)
    if bad is not None:
        return [make_issue("ID_CHAR", path, pos=bad)]
    issues = []
    if doc_type == FOREIGN_PERMANENT_RESIDENCE and s[0] != "9":
        issues.append(make_issue("ID_PR_PREFIX", path))
    born = _date_or_none(s[6:14])
    if born is None:
        issues.append(make_issue("ID_BIRTH_DATE", path, yyyymmdd=s[6:14]))
    elif born > today:
        issues.append(make_issue("ID_BIRTH_FUTURE", path, yyyymmdd=s[6:14]))
    expected = id_check_char(s[:17])
    if expected != s[17]:
        issues.append(make_issue("ID_CHECK", path, expected=expected))
    if doc_type == HMT_RESIDENCE_PERMIT and s[:6] not in HMT_ADDRESS_CODES:
        issues.append(make_issue("ID_PERMIT_REGION", path, code=s[:6]))
    elif doc_type == RESIDENT_ID and s[:2] not in ID_PROVINCE_PREFIXES:
        issues.append(make_issue("ID_REGION", path, p=s[:2]))
    return issues


def _format_issue(
    s: str, path: str, pattern: re.Pattern[str], doc: Message, rule: Message
) -> list[ProfileIssue]:
    return [] if pattern.fullmatch(s) else [make_issue("ID_FORMAT", path, doc=doc, rule=rule)]


def validate_id_number(
    raw: str | None, doc_type: str = RESIDENT_ID, path: str = "id_number", *, today: date
) -> tuple[str, list[ProfileIssue]]:
    """Validate an identity-document number of the given type and return (normalised number, issues).

    Args:
        raw: the number as typed.
        doc_type: one of `DOC_TYPES` (or a `DOC_TYPE_ALIASES` key).
        path: the profile field named in each issue.
        today: the date a birth date may not be after.

    Raises:
        ValueError: unknown `doc_type`.

    >>> validate_id_number("44011320141005001x", today=date(2026, 11, 1))
    ('44011320141005001X', [])
    """
    doc_type = DOC_TYPE_ALIASES.get(doc_type, doc_type)
    if doc_type not in DOC_TYPES:
        raise ValueError(f"unknown document type {doc_type!r}; expected one of {DOC_TYPES}")
    s = normalize_id(raw)
    if not s:
        return s, [make_issue("ID_REQUIRED", path)]
    if doc_type in _FORMATS:
        return s, _format_issue(s, path, *_FORMATS[doc_type])
    if doc_type == FOREIGN_PERMANENT_RESIDENCE and len(s) == 15:
        return s, _format_issue(s, path, _PR_2017, *_PR_2017_FORMAT)
    return s, _validate_18(s, path, today, doc_type)


def cross_check_id(
    number: str,
    *,
    birth_date: date | None = None,
    sex: str | None = None,
    birth_path: str = "birth_date",
    sex_path: str = "sex",
) -> list[ProfileIssue]:
    """Compare birth date and sex encoded in the number with the separately entered fields (§2.4).

    A field left empty (None) or a number that encodes nothing is not compared. Each mismatch is the
    error ID_FIELD_MISMATCH on the separately entered field.
    """
    issues = []
    encoded_birth = birth_date_of(number)
    if birth_date is not None and encoded_birth is not None and encoded_birth != birth_date:
        issues.append(make_issue("ID_FIELD_MISMATCH", birth_path, what=Message("出生日期", "birth date")))
    encoded_sex = sex_of(number)
    if sex is not None and encoded_sex is not None and encoded_sex != sex:
        issues.append(make_issue("ID_FIELD_MISMATCH", sex_path, what=Message("性别", "sex")))
    return issues


def mask_id(number: str, style: str = "default") -> str:
    """Mask an identity number for display (§2.6); the hidden part is one '*' per character.

    "default" keeps the first 6 and last 4 (hides the birth date), "public" the first 3 and last 4, "log"
    the first and the last. A number too short to hide at least 4 characters that way keeps only its
    first and last character (or nothing, under 6 characters).

    Raises:
        ValueError: unknown style.

    >>> mask_id("441802199001011239")
    '441802********1239'
    >>> mask_id("441802199001011239", "public")
    '441***********1239'
    """
    if style not in MASK_STYLES:
        raise ValueError(f"unknown mask style {style!r}; expected one of {tuple(MASK_STYLES)}")
    s = normalize_id(number)
    head, tail = MASK_STYLES[style]
    if len(s) - head - tail < 4:
        head, tail = (1, 1) if len(s) >= 6 else (0, 0)
    return s[:head] + "*" * (len(s) - head - tail) + s[len(s) - tail :]
