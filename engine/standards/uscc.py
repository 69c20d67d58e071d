"""This module defines the validator of the 统一社会信用代码 (USCC, GB 32100-2015 with XG1-2016).

It normalises input, checks length, character set, the authority/category table of positions 1–2, the
region digits, the MOD 31 check character (error) and the embedded GB 11714 organisation-code check
(warning), exactly as data_standards.md §1.7. Positions 3–8 name the *registering authority's* region and
never the applicant's current location (§1.1).
"""

from __future__ import annotations

import re
import unicodedata

from engine.errors import Message, ProfileIssue

from .catalogue import make_issue

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
"""The 31 characters of 表1 代码字符集, in value order (I, O, Z, S, V are never used)."""

WEIGHTS: tuple[int, ...] = tuple(pow(3, i, 31) for i in range(17))
"""MOD 31 weights W_i = 3^(i-1) mod 31 for positions 1–17."""

ORG_WEIGHTS: tuple[int, ...] = (3, 7, 9, 10, 5, 8, 4, 2)
"""GB 11714 weights of the 8-character organisation-code body (positions 9–16)."""

_VALUE = {ch: i for i, ch in enumerate(CHARSET)}
_CONFUSABLE = {"O": "0", "I": "1", "Z": "2", "S": "5", "V": "U"}
_DASHES = frozenset("-‐‑‒–—―")
_OLD_REGISTRATION = re.compile(r"[0-9]{15}")
_OLD_ORG_CODE = re.compile(r"[0-9A-Z]{8}[0-9X]")

# Province-level prefixes of GB/T 2260, plus 10 used by national-level registration authorities.
PROVINCE_PREFIXES = frozenset(
    "10 11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42"
    " 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82 83".split()
)

_OTHER = ("other", "其他", "other organisation")

# §1.2: authority (pos 1) → category (pos 2) → (entity type, zh label, en label). Data, not code.
AUTHORITIES: dict[str, tuple[str, dict[str, tuple[str, str, str]]]] = {
    "1": (
        "机构编制",
        {
            "1": ("government_agency", "机关", "government agency"),
            "2": ("public_institution", "事业单位", "public institution"),
            "3": ("mass_organization", "中央编办直接管理机构编制的群众团体", "mass organisation"),
            "9": _OTHER,
        },
    ),
    "2": (
        "外交",
        {"1": ("foreign_news_agency", "外国常驻新闻机构", "resident foreign news agency"), "9": _OTHER},
    ),
    "3": (
        "司法行政",
        {
            "1": ("law_firm", "律师执业机构", "law firm"),
            "2": ("notary_office", "公证处", "notary office"),
            "3": ("legal_service_office", "基层法律服务所", "grassroots legal service office"),
            "4": ("forensic_institution", "司法鉴定机构", "forensic appraisal institution"),
            "5": ("arbitration_commission", "仲裁委员会", "arbitration commission"),
            "9": _OTHER,
        },
    ),
    "4": (
        "文化",
        {"1": ("foreign_cultural_centre", "外国在华文化中心", "foreign cultural centre"), "9": _OTHER},
    ),
    "5": (
        "民政",
        {
            "1": ("social_organization", "社会团体", "social organisation"),
            "2": ("private_non_enterprise", "民办非企业单位", "private non-enterprise unit"),
            "3": ("foundation", "基金会", "foundation"),
            "9": _OTHER,
        },
    ),
    "6": (
        "旅游",
        {
            "1": ("foreign_tourism_office", "外国旅游部门常驻代表机构", "foreign tourism office"),
            "2": (
                "hmt_tourism_office",
                "港澳台地区旅游部门常驻内地（大陆）代表机构",
                "Hong Kong/Macao/Taiwan tourism office",
            ),
            "9": _OTHER,
        },
    ),
    "7": (
        "宗教",
        {
            "1": ("religious_venue", "宗教活动场所", "religious venue"),
            "2": ("religious_college", "宗教院校", "religious college"),
            "9": _OTHER,
        },
    ),
    "8": ("工会", {"1": ("trade_union", "基层工会", "grassroots trade union"), "9": _OTHER}),
    "9": (
        "工商",
        {
            "1": ("enterprise", "企业", "enterprise"),
            "2": ("individual_business", "个体工商户", "individual business"),
            "3": ("farmer_cooperative", "农民专业合作社", "farmers' cooperative"),
        },
    ),
    "A": (
        "中央军委改革和编制办公室",
        {"1": ("military_public_institution", "军队事业单位", "military public institution"), "9": _OTHER},
    ),
    "N": (
        "农业",
        {
            "1": ("group_collective", "组级集体经济组织", "group-level collective economic organisation"),
            "2": ("village_collective", "村级集体经济组织", "village-level collective economic organisation"),
            "3": (
                "township_collective",
                "乡镇级集体经济组织",
                "township-level collective economic organisation",
            ),
            "9": _OTHER,
        },
    ),
    "Y": ("其他", {"1": _OTHER}),
}

_TYPE_LABELS: dict[str, Message] = {
    slug: Message(zh, en) for _, categories in AUTHORITIES.values() for slug, zh, en in categories.values()
}


def normalize_uscc(raw: str | None) -> str:
    """Return the USCC as stored: NFKC (full width → half width), no spaces or dashes, upper case.

    >>> normalize_uscc("９１４４ ０３００-７０８４６１１３６ｔ")
    '91440300708461136T'
    """
    s = unicodedata.normalize("NFKC", raw or "")
    return "".join(ch for ch in s if not ch.isspace() and ch not in _DASHES).upper()


def uscc_check_char(s17: str) -> str:
    """Return the MOD 31 check character (position 18) of the first 17 characters.

    Raises:
        ValueError: not 17 characters of the USCC character set.

    >>> uscc_check_char("91350100M000100Y4")
    '3'
    """
    if len(s17) != 17 or any(ch not in _VALUE for ch in s17):
        raise ValueError(f"expected 17 USCC characters, got {s17!r}")
    total = sum(_VALUE[ch] * w for ch, w in zip(s17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def org_check_char(body8: str) -> str:
    """Return the GB 11714 check character of an 8-character organisation-code body.

    Raises:
        ValueError: not 8 characters from 0–9, A–Z.

    >>> org_check_char("19220382")
    '1'
    """
    if len(body8) != 8 or not all(ch.isascii() and ch.isalnum() for ch in body8):
        raise ValueError(f"expected an 8-character organisation-code body, got {body8!r}")
    total = sum(int(ch, 36) * w for ch, w in zip(body8.upper(), ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def entity_type_of(code: str) -> str | None:
    """Return the entity type that positions 1–2 denote, e.g. '91' → 'enterprise'; None if not in §1.2.

    >>> entity_type_of("52441802MA00000156")
    'private_non_enterprise'
    """
    s = normalize_uscc(code)
    auth = AUTHORITIES.get(s[:1])
    category = auth[1].get(s[1:2]) if auth and len(s) >= 2 else None
    return category[0] if category else None


def _shape_issues(s: str, path: str) -> list[ProfileIssue]:
    """Required, length (with old-number detection) and character-set checks; any issue stops validation."""
    if not s:
        return [make_issue("USCC_REQUIRED", path)]
    if len(s) != 18:
        if _OLD_REGISTRATION.fullmatch(s):
            return [
                make_issue(
                    "USCC_OLD_NUMBER", path, kind=Message("15位注册号", "15-digit registration number")
                )
            ]
        if _OLD_ORG_CODE.fullmatch(s):
            kind = Message("9位组织机构代码", "9-character organisation code")
            return [make_issue("USCC_OLD_NUMBER", path, kind=kind)]
        return [make_issue("USCC_LENGTH", path, n=len(s))]
    issues = []
    for pos, ch in enumerate(s, 1):
        if ch not in _VALUE:
            hint = _CONFUSABLE.get(ch)
            if hint:
                issues.append(make_issue("USCC_CHAR", path, pos=pos, ch=ch, hint=hint))
            else:
                issues.append(make_issue("USCC_CHAR", path, variant="nohint", pos=pos, ch=ch))
    return issues


def _structure_issues(s: str, path: str) -> list[ProfileIssue]:
    """Authority/category, region digits, MOD 31 check (errors) and the inner organisation check (warning)."""
    issues = []
    auth = AUTHORITIES.get(s[0])
    if auth is None:
        issues.append(make_issue("USCC_AUTHORITY", path, ch=s[0]))
    elif s[1] not in auth[1]:
        issues.append(make_issue("USCC_CATEGORY", path, c1=s[0], c2=s[1]))
    if not s[2:8].isdigit():
        issues.append(make_issue("USCC_REGION_FORMAT", path))
    elif s[2:4] not in PROVINCE_PREFIXES:
        issues.append(make_issue("USCC_REGION_UNKNOWN", path, p=s[2:4]))
    expected = uscc_check_char(s[:17])
    if expected != s[17]:
        issues.append(make_issue("USCC_CHECK", path, expected=expected, got=s[17]))
    if org_check_char(s[8:16]) != s[16]:
        issues.append(make_issue("USCC_ORG_CHECK", path))
    return issues


def validate_uscc(
    raw: str | None, path: str = "credit_code", *, entity_type: str | None = None
) -> tuple[str, list[ProfileIssue]]:
    """Validate a USCC per §1.7 and return (normalised code, issues).

    Args:
        raw: the text as typed or pasted.
        path: the profile field named in each issue.
        entity_type: the applicant type chosen on the form (an `entity_type_of` value); a mismatch with
            positions 1–2 is the warning USCC_TYPE_MISMATCH.

    Returns:
        The normalised string (also when invalid) and the errors and warnings found; the code is valid
        when no issue has severity "error".

    >>> validate_uscc("914403001922038216")
    ('914403001922038216', [])
    >>> [i.code for i in validate_uscc("91440300708461136X")[1]]
    ['USCC_CHECK']
    """
    s = normalize_uscc(raw)
    issues = _shape_issues(s, path)
    if issues:
        return s, issues
    issues = _structure_issues(s, path)
    actual = entity_type_of(s)
    if entity_type and actual and actual != entity_type:
        chosen = _TYPE_LABELS.get(entity_type, entity_type)
        issues.append(
            make_issue("USCC_TYPE_MISMATCH", path, c12=s[:2], type=_TYPE_LABELS[actual], chosen=chosen)
        )
    return s, issues
