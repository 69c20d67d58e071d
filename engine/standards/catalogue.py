"""This module defines the error catalogue of the data-standard validators (zh default / en).

The entries marked "§9" are copied verbatim from data_standards.md §9; the others are codes the spec's
procedures name without giving a text (USCC_REGION_UNKNOWN, ID_BIRTH_FUTURE, INDUSTRY_UNKNOWN, ...) or that
the validators here need (REGION_HISTORIC, TECHFIELD_2008_NAME, ...). Every validator builds its
`ProfileIssue` through `make_issue`, so codes and texts live in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.errors import Message, ProfileIssue


@dataclass(frozen=True)
class Entry:
    """One catalogue entry: default severity and the zh/en message templates (`str.format` fields)."""

    severity: str
    zh: str
    en: str


_ERR = "error"
_WARN = "warning"

_ID_LENGTH_ZH = "身份证号码应为18位（第一代15位号码已停用）。"
_ID_LENGTH_EN = (
    "The ID number must have 18 characters (15-digit first-generation numbers are no longer valid)."
)

CATALOGUE: dict[str, Entry] = {
    # §9, USCC
    "USCC_REQUIRED": Entry(_ERR, "请填写统一社会信用代码。", "Unified Social Credit Code is required."),
    "USCC_LENGTH": Entry(
        _ERR,
        "统一社会信用代码应为18位，您填写了{n}位。",
        "The USCC must have 18 characters; you entered {n}.",
    ),
    "USCC_OLD_NUMBER": Entry(
        _ERR,
        "这看起来是旧的{kind}，请填写营业执照上的18位统一社会信用代码。",
        "This looks like an old {kind}; enter the 18-character USCC on the business licence.",
    ),
    "USCC_CHAR": Entry(
        _ERR,
        "第{pos}位“{ch}”不是统一社会信用代码允许的字符（不使用I、O、Z、S、V），是否应为“{hint}”？",
        'Character {pos} "{ch}" is not allowed in a USCC (I, O, Z, S, V are never used). '
        'Did you mean "{hint}"?',
    ),
    "USCC_AUTHORITY": Entry(
        _ERR,
        "第1位“{ch}”不是有效的登记管理部门代码。",
        'Character 1 "{ch}" is not a valid registration-authority code.',
    ),
    "USCC_CATEGORY": Entry(
        _ERR,
        "第2位“{c2}”不是登记管理部门“{c1}”下的有效机构类别。",
        'Character 2 "{c2}" is not a valid entity category for authority "{c1}".',
    ),
    "USCC_REGION_FORMAT": Entry(
        _ERR, "第3–8位应为6位数字的行政区划代码。", "Characters 3–8 must be a 6-digit region code."
    ),
    "USCC_CHECK": Entry(
        _ERR,
        "校验位不符：按前17位计算，第18位应为“{expected}”，您填写的是“{got}”。请对照营业执照核对。",
        'Check character mismatch: from the first 17 characters, character 18 should be "{expected}", '
        'not "{got}". Please compare with the business licence.',
    ),
    "USCC_ORG_CHECK": Entry(
        _WARN,
        "第9–17位（组织机构代码）校验不符，请核对。",
        "Characters 9–17 (organisation code) fail their check; please verify.",
    ),
    "USCC_TYPE_MISMATCH": Entry(
        _WARN,
        "代码前两位“{c12}”表示{type}，与所选主体类型“{chosen}”不一致。",
        'The first two characters "{c12}" denote {type}, which differs from the selected '
        'entity type "{chosen}".',
    ),
    # §9, identity documents
    "ID_LENGTH": Entry(_ERR, _ID_LENGTH_ZH, _ID_LENGTH_EN),
    "ID_OLD_15": Entry(_ERR, _ID_LENGTH_ZH, _ID_LENGTH_EN),
    "ID_CHAR": Entry(
        _ERR,
        "身份证号码前17位应为数字，第18位为数字或X（第{pos}位有误）。",
        "The first 17 characters must be digits and the 18th a digit or X (position {pos} is wrong).",
    ),
    "ID_BIRTH_DATE": Entry(
        _ERR,
        "第7–14位出生日期“{yyyymmdd}”不是有效日期。",
        'Characters 7–14 "{yyyymmdd}" are not a valid birth date.',
    ),
    "ID_CHECK": Entry(
        _ERR,
        "身份证号码校验位不符：第18位应为“{expected}”。",
        'ID check digit mismatch: character 18 should be "{expected}".',
    ),
    "ID_FIELD_MISMATCH": Entry(
        _ERR,
        "身份证号码中的{what}与所填{what}不一致。",
        "The {what} in the ID number differs from the {what} field.",
    ),
    # §9, location
    "REGION_UNKNOWN": Entry(
        _ERR,
        "“{code}”不是清远市或韶关市的现行区县代码。",
        '"{code}" is not a current county code of Qingyuan or Shaoguan.',
    ),
    "PARK_COUNTY_MISMATCH": Entry(
        _ERR,
        "所选园区“{park}”不在所填区县“{county}”范围内。",
        'Park "{park}" is not located in county "{county}".',
    ),
    # §9, technical field and industry
    "TECHFIELD_LEVEL": Entry(
        _ERR,
        "请选择到第三级技术领域（{l2}下设第三级条目）。",
        "Select a third-level technical field ({l2} has third-level items).",
    ),
    "INDUSTRY_FORMAT": Entry(
        _ERR,
        "行业代码应为门类字母加2–4位数字，如C3985。",
        "Industry code must be a section letter plus 2–4 digits, e.g. C3985.",
    ),
    "INDUSTRY_SECTION_MISMATCH": Entry(
        _ERR,
        "大类{div}属于门类{expected}，不是{letter}。",
        "Division {div} belongs to section {expected}, not {letter}.",
    ),
    # §9, money and other form checks (the last four are used by the profile layer, not here)
    "MONEY_FORMAT": Entry(
        _ERR,
        "金额格式有误：请以万元填写数字，例如 1200 或 1200.5（最多保留4位小数）。",
        "Enter the amount in 万元 (10,000 yuan) as a number, e.g. 1200 or 1200.5 (at most 4 decimals).",
    ),
    "MONEY_UNIT_YUAN": Entry(
        _ERR, "此栏单位为万元，您似乎填写了元。", "This field is in 万元; you seem to have entered yuan."
    ),
    "MONEY_NEGATIVE": Entry(_ERR, "{field}不能为负数。", "{field} cannot be negative."),
    "MONEY_MAGNITUDE": Entry(
        _WARN,
        "{field}为{value}万元，数值异常偏大，是否误将元填为万元？",
        "{field} is {value} 万元, unusually large — did you enter yuan instead of 万元?",
    ),
    "YEAR_BEFORE_REGISTRATION": Entry(
        _ERR,
        "{year}年早于企业成立日期{date}，该年度无需填写。",
        "{year} is before the registration date {date}; leave that year empty.",
    ),
    "STAFF_INCONSISTENT": Entry(
        _ERR, "科技人员数（{a}）不能大于职工总数（{b}）。", "S&T staff ({a}) cannot exceed total staff ({b})."
    ),
    "RD_INCONSISTENT": Entry(
        _ERR,
        "境内研发费用（{a}万元）不能大于研发费用总额（{b}万元）。",
        "Domestic R&D expense ({a}) cannot exceed total R&D expense ({b}).",
    ),
    "CREDIT_DECLARATION_MISSING": Entry(
        "missing", "请逐项确认信用承诺。", "Please answer every credit declaration."
    ),
    # Added here: named by §1.7, §2.4, §3.4, §6 without a §9 text, or needed by the validators.
    "USCC_REGION_UNKNOWN": Entry(
        _WARN,
        "第3–4位“{p}”不是已知的省级行政区划代码，请核对。",
        'Characters 3–4 "{p}" are not a known province-level region code; please verify.',
    ),
    "ID_REQUIRED": Entry(_ERR, "请填写证件号码。", "The ID number is required."),
    "ID_BIRTH_FUTURE": Entry(
        _ERR,
        "第7–14位出生日期“{yyyymmdd}”晚于今天。",
        'Characters 7–14 "{yyyymmdd}" are a birth date in the future.',
    ),
    "ID_REGION": Entry(
        _WARN,
        "第1–2位“{p}”不是已知的省级行政区划代码，请核对。",
        'Characters 1–2 "{p}" are not a known province-level region code; please verify.',
    ),
    "ID_PERMIT_REGION": Entry(
        _ERR,
        "港澳台居民居住证号码前6位应为810000（香港）、820000（澳门）或830000（台湾），您填写的是“{code}”。",
        "A residence permit for Hong Kong, Macao and Taiwan residents starts with 810000 (HK), "
        '820000 (Macao) or 830000 (Taiwan), not "{code}".',
    ),
    "ID_PR_PREFIX": Entry(
        _ERR,
        "外国人永久居留身份证（2023版）号码第1位应为9。",
        "A foreign permanent residence ID card number (2023 edition) must start with 9.",
    ),
    "ID_FORMAT": Entry(
        _ERR, "{doc}号码格式有误，应为{rule}。", "The {doc} number is malformed; expected {rule}."
    ),
    "REGION_REQUIRED": Entry(_ERR, "请选择注册地所在区县。", "Select the county of registration."),
    "REGION_HISTORIC": Entry(
        _ERR,
        "“{code}”（{name}）是已撤销的旧区划代码，请填写现行区县代码{successor}。",
        '"{code}" ({name}) is a former region code; enter the current county code{successor}.',
    ),
    "TOWNSHIP_UNKNOWN": Entry(
        _ERR,
        "“{code}”不是已知的乡镇级区划代码（国家统计局2022/23版）。",
        '"{code}" is not a known township-level code (NBS 2022/23 list).',
    ),
    "TOWNSHIP_COUNTY_MISMATCH": Entry(
        _ERR, "乡镇“{code}”不属于所填区县“{county}”。", 'Township "{code}" is not in county "{county}".'
    ),
    "PARK_UNKNOWN": Entry(
        _ERR, "“{park}”不是本系统登记的园区代码。", '"{park}" is not a park code known to this system.'
    ),
    "TECHFIELD_REQUIRED": Entry(_ERR, "请选择技术领域。", "Select a technical field."),
    "TECHFIELD_UNKNOWN": Entry(
        _ERR,
        "“{code}”不是《国家重点支持的高新技术领域》（2016）中的领域代码；核心技术不属于其中任何领域时，请选择{none}。",
        '"{code}" is not a field code of the Key Supported High-tech Fields (2016); if the core technology is in '
        "none of them, choose {none}.",
    ),
    "TECHFIELD_2008_NAME": Entry(
        _ERR,
        "“{name}”是2008年版技术领域名称，2016年版应为“{current}”。",
        '"{name}" is a 2008 field name; the 2016 field is "{current}".',
    ),
    "INDUSTRY_UNKNOWN": Entry(
        _ERR,
        "行业大类“{div}”不存在（GB/T 4754-2017的大类为01–97）。",
        'Division "{div}" does not exist (GB/T 4754-2017 divisions are 01–97).',
    ),
    "INDUSTRY_TOO_COARSE": Entry(
        _ERR, "请填写到4位行业小类代码，如C3985。", "Enter the 4-digit industry class, e.g. C3985."
    ),
}

# Text variants that keep their code: USCC_CHAR when no confusable character suggests a fix.
_VARIANTS: dict[str, Entry] = {
    "USCC_CHAR:nohint": Entry(
        _ERR,
        "第{pos}位“{ch}”不是统一社会信用代码允许的字符（不使用I、O、Z、S、V）。",
        'Character {pos} "{ch}" is not allowed in a USCC (I, O, Z, S, V are never used).',
    ),
}

Param = str | int | Message


def make_issue(
    code: str, path: str, /, *, variant: str | None = None, severity: str | None = None, **params: Param
) -> ProfileIssue:
    """Build the `ProfileIssue` for a catalogue code, filling the templates in each language.

    Args:
        code: a key of `CATALOGUE`.
        path: the profile field the issue belongs to.
        variant: an alternative text of the same code (see `_VARIANTS`).
        severity: overrides the catalogue's default level.
        **params: template fields; a `Message` value gives a different text per language.

    Raises:
        KeyError: unknown code or variant, or a template field without a value.

    >>> make_issue("USCC_LENGTH", "credit_code", n=17).message.en
    'The USCC must have 18 characters; you entered 17.'
    """
    entry = _VARIANTS[f"{code}:{variant}"] if variant else CATALOGUE[code]
    zh = {k: v.zh if isinstance(v, Message) else str(v) for k, v in params.items()}
    en = {k: v.en if isinstance(v, Message) else str(v) for k, v in params.items()}
    message = Message(entry.zh.format_map(zh), entry.en.format_map(en))
    return ProfileIssue(path=path, code=code, message=message, severity=severity or entry.severity)


def errors_only(issues: list[ProfileIssue]) -> list[ProfileIssue]:
    """Return the issues of severity "error" (warnings do not block a form)."""
    return [i for i in issues if i.severity == "error"]
