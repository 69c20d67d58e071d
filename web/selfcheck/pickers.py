"""This file builds the pickers of the coded identity fields: county, park, industry and 高新技术领域.

Each picker is a `<select>` whose option values are the stored codes (GB/T 2260, our park list, GB/T 4754,
the 2016 annex), grouped with `<optgroup>` so it works without JavaScript; `static/js/pickers.js` then
filters parks by county, adds type-ahead to the industry list and splits the technical field into L1 → L2 →
L3. The data comes from engine/standards (read only). A saved value that is not among the options (a
township code, a 4-digit industry class typed before) is kept as its own first option, never dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from flask_babel import gettext
from wtforms.fields.choices import SelectChoice

from engine.standards.industry import DIVISIONS, SECTIONS
from engine.standards.regions import CITIES, COUNTIES, NO_PARK, OUTSIDE, PARKS
from engine.standards.tech_fields import FIELDS, NOT_IN_CATALOGUE, OUTSIDE_FIELDS

PICKED = frozenset({"region_code", "park_code", "industry_code", "tech_field"})


def _name(item: Any, lang: str) -> str:
    return str(item.en if lang == "en" else item.zh)


def _regions(lang: str) -> list[SelectChoice]:
    out = []
    for city in CITIES.values():
        group = _name(city, lang)
        out += [SelectChoice(c.code, _name(c, lang), optgroup=group) for c in COUNTIES.values() if c.city
                and c.code[:4] == city.code[:4]]
    other = gettext("其他地区")
    out += [SelectChoice(r.code, _name(r, lang), optgroup=other) for r in OUTSIDE.values()]
    return out


def _parks(lang: str) -> list[SelectChoice]:
    out = [SelectChoice(NO_PARK, gettext("不在任何园区"))]  # an answer of its own, offered whatever the county
    for county in COUNTIES.values():
        group = _name(county, lang)
        out += [SelectChoice(p.code, _name(p, lang), {"data-counties": " ".join(p.counties)}, optgroup=group)
                for p in PARKS.values() if county.code in p.counties]
    return out


def _industries(lang: str) -> list[SelectChoice]:
    out = []
    for s in SECTIONS.values():
        group = f"{s.letter} {_name(s, lang)}"
        for number in range(s.first, s.last + 1):
            division = DIVISIONS[number]
            search = f"{division.code} {division.zh} {division.en} {s.zh} {s.en}".lower()
            out.append(SelectChoice(division.code, f"{division.code} {_name(division, lang)}", {"data-search": search},
                                    optgroup=group))
    return out


def _tech_fields(lang: str) -> list[SelectChoice]:
    out = [SelectChoice(NOT_IN_CATALOGUE, _name(OUTSIDE_FIELDS, lang), {"data-level": "0"}, optgroup=gettext("不属于"))]
    for l1 in (f for f in FIELDS.values() if f.level == 1):
        group = f"{l1.code} {_name(l1, lang)}"
        out.append(SelectChoice(l1.code, gettext("%(name)s（未细分）", name=_name(l1, lang)), {"data-level": "1"},
                                optgroup=group))
        for f in FIELDS.values():
            if f.level > 1 and f.code.startswith(l1.code):
                indent = "\u3000" * (f.level - 2)
                out.append(SelectChoice(f.code, f"{indent}{f.code} {_name(f, lang)}",
                                        {"data-level": str(f.level)}, optgroup=group))
    return out


BUILDERS: dict[str, Callable[[str], list[SelectChoice]]] = {
    "region_code": _regions, "park_code": _parks, "industry_code": _industries, "tech_field": _tech_fields,
}


@cache
def _options(key: str, lang: str) -> tuple[SelectChoice, ...]:
    return tuple(BUILDERS[key](lang))


def choices(key: str, lang: str, current: str | None) -> list[SelectChoice]:
    """The options of one picker in `lang`: "请选择", the saved value when it is not listed, then the data."""
    options = list(_options(key, lang))
    head = [SelectChoice("", gettext("请选择"))]
    if current and current not in {o.value for o in options}:
        head.append(SelectChoice(current, gettext("当前填写：%(value)s", value=current)))
    return head + options


def picker_name(key: str) -> str:
    """The `data-picker` attribute the script looks for."""
    return {"region_code": "region", "park_code": "park", "industry_code": "industry", "tech_field": "tech"}[key]
