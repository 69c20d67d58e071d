"""This module defines the validator of GB/T 4754-2017 industry codes (data_standards.md §6).

A code is a section letter (门类 A–T) plus 2–4 digits (大类 / 中类 / 小类), e.g. C3985; the letter must match
the division's section. Digits without a letter are accepted and returned with the derived letter. Only the
division level is checked against the standard: the 1,382 small classes are not held here. `DIVISIONS`
names the 97 divisions (for pickers and labels).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from engine.errors import ProfileIssue

from ._industry_divisions import TABLE as _DIVISION_TABLE
from .catalogue import make_issue


@dataclass(frozen=True)
class Section:
    """A 门类 with its names and its range of 大类 (divisions)."""

    letter: str
    zh: str
    en: str
    first: int
    last: int


SECTIONS: dict[str, Section] = {
    s.letter: s
    for s in (
        Section("A", "农、林、牧、渔业", "Agriculture, forestry, animal husbandry and fishery", 1, 5),
        Section("B", "采矿业", "Mining", 6, 12),
        Section("C", "制造业", "Manufacturing", 13, 43),
        Section(
            "D",
            "电力、热力、燃气及水生产和供应业",
            "Electricity, heat, gas and water production and supply",
            44,
            46,
        ),
        Section("E", "建筑业", "Construction", 47, 50),
        Section("F", "批发和零售业", "Wholesale and retail trade", 51, 52),
        Section("G", "交通运输、仓储和邮政业", "Transport, storage and postal services", 53, 60),
        Section("H", "住宿和餐饮业", "Accommodation and catering", 61, 62),
        Section(
            "I",
            "信息传输、软件和信息技术服务业",
            "Information transmission, software and IT services",
            63,
            65,
        ),
        Section("J", "金融业", "Finance", 66, 69),
        Section("K", "房地产业", "Real estate", 70, 70),
        Section("L", "租赁和商务服务业", "Leasing and business services", 71, 72),
        Section("M", "科学研究和技术服务业", "Scientific research and technical services", 73, 75),
        Section(
            "N",
            "水利、环境和公共设施管理业",
            "Water conservancy, environment and public facilities management",
            76,
            79,
        ),
        Section("O", "居民服务、修理和其他服务业", "Resident services, repair and other services", 80, 82),
        Section("P", "教育", "Education", 83, 83),
        Section("Q", "卫生和社会工作", "Health and social work", 84, 85),
        Section("R", "文化、体育和娱乐业", "Culture, sports and entertainment", 86, 90),
        Section(
            "S",
            "公共管理、社会保障和社会组织",
            "Public administration, social security and social organisations",
            91,
            96,
        ),
        Section("T", "国际组织", "International organisations", 97, 97),
    )
}

_CODE = re.compile(r"([A-Z])?([0-9]{2,4})")
_DASHES = frozenset("-‐‑‒–—―")


def normalize_industry(code: str | None) -> str:
    """Return the code upper-cased, NFKC, without spaces or dashes ("c-3985" → "C3985")."""
    s = unicodedata.normalize("NFKC", code or "")
    return "".join(ch for ch in s if not ch.isspace() and ch not in _DASHES).upper()


def _section_of_division(division: int) -> str | None:
    for section in SECTIONS.values():
        if section.first <= division <= section.last:
            return section.letter
    return None


def section_of(code: str | int) -> str | None:
    """Return the section letter of a division number, a section letter or a code; None if invalid.

    The letter is derived from the digits, so a code with a wrong letter returns the right one.

    >>> section_of("I6513"), section_of(73), section_of("C"), section_of("99")
    ('I', 'M', 'C', None)
    """
    if isinstance(code, int):
        return _section_of_division(code)
    s = normalize_industry(code)
    if s in SECTIONS:
        return s
    m = _CODE.fullmatch(s)
    return _section_of_division(int(m.group(2)[:2])) if m else None


def validate_industry_code(
    code: str | None, path: str = "industry_code", *, require_class: bool = False
) -> tuple[str, list[ProfileIssue]]:
    """Validate an industry code and return (normalised code with its letter, issues).

    Args:
        code: e.g. "C3985", "c 39", "6513".
        path: the profile field named in each issue.
        require_class: demand the 4-digit 小类 (INDUSTRY_TOO_COARSE otherwise), as most policy forms do.

    >>> validate_industry_code("6513")
    ('I6513', [])
    >>> [i.code for i in validate_industry_code("C6513")[1]]
    ['INDUSTRY_SECTION_MISMATCH']
    """
    s = normalize_industry(code)
    if s in SECTIONS:
        return s, [make_issue("INDUSTRY_TOO_COARSE", path)]
    m = _CODE.fullmatch(s)
    if m is None or (m.group(1) and m.group(1) not in SECTIONS):
        return s, [make_issue("INDUSTRY_FORMAT", path)]
    letter, digits = m.group(1), m.group(2)
    expected = _section_of_division(int(digits[:2]))
    if expected is None:
        return s, [make_issue("INDUSTRY_UNKNOWN", path, div=digits[:2])]
    if letter and letter != expected:
        return s, [
            make_issue("INDUSTRY_SECTION_MISMATCH", path, div=digits[:2], expected=expected, letter=letter)
        ]
    issues = [make_issue("INDUSTRY_TOO_COARSE", path)] if require_class and len(digits) < 4 else []
    return expected + digits, issues


@dataclass(frozen=True)
class Division:
    """A 大类: its two-digit number, its section letter and its names."""

    number: int
    zh: str
    en: str

    @property
    def code(self) -> str:
        """The stored form, section letter first: e.g. C30."""
        return f"{section_of(self.number)}{self.number:02d}"


DIVISIONS: dict[int, Division] = {
    int(num): Division(int(num), zh, en)
    for num, zh, en in (line.split("|") for line in _DIVISION_TABLE.splitlines() if line)
}
