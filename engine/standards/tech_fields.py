"""This module defines the validator of 高新技术领域 codes (国科发火〔2016〕32号 annex, data_standards.md §4).

Codes: L1 `1`–`8`, L2 `101`, L3 `10101`, or dotted `1.1.1`. Experts record an L3 heading, so an L1 or a
non-leaf L2 is accepted with the *warning* TECHFIELD_LEVEL (the 高企 rule itself needs only the L1); the three
L2 without numbered items (504, 505, 706) are leaves. Exact 2016 names are accepted when unique; 2008 field
names are rejected with the 2016 name as the fix (policy_criteria §1.6). The stored value `"none"`
(`NOT_IN_CATALOGUE`) says the core technology is *outside* the annex: it validates, and its "first level" is
`"none"`, so 高企 Art. 11(三) fails on it instead of staying unknown. `options`, `lineage` and `label_of`
give a cascading L1 → L2 → L3 picker its data.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from engine.errors import Message, ProfileIssue

from ._tech_field_table import NAMES_2008, TABLE
from .catalogue import make_issue


@dataclass(frozen=True)
class TechField:
    """One heading of the annex."""

    code: str
    zh: str
    en: str

    @property
    def level(self) -> int:
        """1, 2 or 3, from the code length (1, 3, 5 digits); "not in the catalogue" is a first-level choice."""
        return 1 if self.code == NOT_IN_CATALOGUE else (len(self.code) + 1) // 2

    @property
    def label(self) -> Message:
        """The heading in both languages."""
        return Message(self.zh, self.en)


NOT_IN_CATALOGUE = "none"
"""Stored `tech_field` value: 核心技术不属于《国家重点支持的高新技术领域》."""

OUTSIDE_FIELDS = TechField(NOT_IN_CATALOGUE, "核心技术不属于《国家重点支持的高新技术领域》",
                           "core technology outside the state-supported high-tech fields")
"""The choice a firm makes when its core technology is in none of the eight fields."""


def _parse(table: str) -> dict[str, TechField]:
    """Parse `TABLE`, checking that every code extends an existing parent and appears once."""
    rows: list[list[str]] = []
    for line in table.strip("\n").splitlines():
        if line.startswith(" "):
            rows[-1][2] += " " + line.strip()
            continue
        code, rest = line.split(" ", 1)
        zh, en = rest.split(" | ", 1)
        rows.append([code, zh, en])
    fields: dict[str, TechField] = {}
    for code, zh, en in rows:
        if code in fields or len(code) not in (1, 3, 5) or (len(code) > 1 and code[:-2] not in fields):
            raise ValueError(f"bad technical-field table row {code!r}")
        fields[code] = TechField(code, zh, en)
    return fields


FIELDS: dict[str, TechField] = _parse(TABLE)
"""Every heading by code, in the annex's order."""

LEAF_L2 = frozenset(c for c in FIELDS if len(c) == 3 and not any(k[:3] == c and len(k) == 5 for k in FIELDS))
"""Second-level fields without numbered items: 504, 505, 706."""

_BY_NAME: dict[str, str] = {}
for _f in FIELDS.values():
    _BY_NAME[_f.zh] = "" if _f.zh in _BY_NAME else _f.code  # "" marks an ambiguous name
_DOTTED = re.compile(r"([0-9])(?:\.([0-9]{1,2}))?(?:\.([0-9]{1,2}))?")


def normalize_tech_field(code: str | None) -> str | None:
    """Return the undotted code ("1.1.1" → "10101"), or None if it is not in the table.

    >>> normalize_tech_field("8.4.6"), normalize_tech_field("1.13")
    ('80406', None)
    """
    s = "".join(unicodedata.normalize("NFKC", code or "").split())
    if s.lower() == NOT_IN_CATALOGUE or s == OUTSIDE_FIELDS.zh:
        return NOT_IN_CATALOGUE
    if _BY_NAME.get(s):
        return _BY_NAME[s]
    m = _DOTTED.fullmatch(s)
    if m and "." in s:
        s = "".join(part if i == 0 else part.zfill(2) for i, part in enumerate(m.groups()) if part)
    return s if s in FIELDS else None


def validate_tech_field(code: str | None, path: str = "tech_field") -> tuple[str, list[ProfileIssue]]:
    """Validate a technical-field code and return (normalised code, issues).

    An L1 or a non-leaf L2 gives the warning TECHFIELD_LEVEL; an unknown code TECHFIELD_UNKNOWN; a 2008
    field name TECHFIELD_2008_NAME.

    >>> validate_tech_field("1.1.1")
    ('10101', [])
    >>> [(i.code, i.severity) for i in validate_tech_field("4")[1]]
    [('TECHFIELD_LEVEL', 'warning')]
    """
    s = "".join(unicodedata.normalize("NFKC", code or "").split())
    if not s:
        return s, [make_issue("TECHFIELD_REQUIRED", path)]
    if s in NAMES_2008:
        current = FIELDS[NAMES_2008[s]].zh
        return s, [make_issue("TECHFIELD_2008_NAME", path, name=s, current=current)]
    found = normalize_tech_field(s)
    if found is None:
        choice = Message(f"“{OUTSIDE_FIELDS.zh}”", f'"{OUTSIDE_FIELDS.en}"')
        return s, [make_issue("TECHFIELD_UNKNOWN", path, code=s, none=choice)]
    if found == NOT_IN_CATALOGUE:
        return found, []
    if len(found) == 1 or (len(found) == 3 and found not in LEAF_L2):
        field = FIELDS[found]
        label = Message(f"“{field.zh}”", f'"{field.en}"')
        return found, [make_issue("TECHFIELD_LEVEL", path, severity="warning", l2=label)]
    return found, []


def _lookup(code: str) -> TechField:
    found = normalize_tech_field(code)
    if found is None:
        raise ValueError(f"unknown technical-field code {code!r}")
    return OUTSIDE_FIELDS if found == NOT_IN_CATALOGUE else FIELDS[found]


def l1_of(code: str) -> str:
    """Return the first-level code ("1"–"8") of any valid code, and "none" for "not in the catalogue".

    Raises:
        ValueError: unknown code.

    >>> l1_of("10101"), l1_of("5.4"), l1_of("none")
    ('1', '5', 'none')
    """
    found = _lookup(code).code
    return found if found == NOT_IN_CATALOGUE else found[0]


def name_of(code: str, lang: str = "zh") -> str:
    """Return the heading of a code in Chinese (the annex text) or English (our translation).

    Raises:
        ValueError: unknown code.

    >>> name_of("80406"), name_of("8", "en")
    ('增材制造技术', 'Advanced manufacturing and automation')
    """
    field = _lookup(code)
    return field.en if lang == "en" else field.zh


def children_of(code: str | None = None) -> list[str]:
    """Return the codes one level below `code` (the eight L1 codes when None), in the annex's order."""
    parent = "" if code is None else _lookup(code).code
    if parent == NOT_IN_CATALOGUE:
        return []
    return [c for c in FIELDS if len(c) == len(parent) + (1 if not parent else 2) and c.startswith(parent)]


def options(parent: str | None = None) -> tuple[TechField, ...]:
    """The choices one level below `parent`, with zh/en names, for a cascading picker.

    At the top (`parent` None) the eight L1 fields and then "not in the catalogue"; below an L1 its L2
    fields; below an L2 its L3 items; below a leaf nothing.

    Raises:
        ValueError: unknown parent code.

    >>> [f.code for f in options()][-2:], [f.code for f in options("5")][:2], options("504")
    (['8', 'none'], ['501', '502'], ())
    """
    kids = tuple(FIELDS[c] for c in children_of(parent))
    return (*kids, OUTSIDE_FIELDS) if parent is None else kids


def lineage(code: str) -> tuple[TechField, ...]:
    """The headings from L1 down to `code` (to preselect the three levels of a picker).

    Raises:
        ValueError: unknown code.

    >>> [f.code for f in lineage("8.4.6")], [f.code for f in lineage("none")]
    (['8', '804', '80406'], ['none'])
    """
    found = _lookup(code).code
    if found == NOT_IN_CATALOGUE:
        return (OUTSIDE_FIELDS,)
    return tuple(FIELDS[found[:n]] for n in (1, 3, 5) if n <= len(found))


def is_leaf(code: str) -> bool:
    """True when a picker can stop at `code`: an L3 item, an L2 without items, or "not in the catalogue"."""
    return not children_of(code)


def label_of(code: str) -> Message:
    """The zh/en heading of any valid code, "none" included.

    Raises:
        ValueError: unknown code.
    """
    return _lookup(code).label
