"""The coded identity fields are pickers (grouped selects that work without JavaScript) whose option values
are the stored codes: counties of Qingyuan and Shaoguan plus the two outside sentinels, parks grouped by
county, industry divisions grouped by section, and the 高新技术领域 with "not in the catalogue"."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from engine.standards.regions import COUNTIES, NO_PARK, PARKS
from engine.standards.tech_fields import FIELDS
from tests.web.conftest import PAGES


def select_html(html: str, name: str) -> str:
    match = re.search(rf'<select[^>]*name="{name}".*?</select>', html, re.S)
    assert match, f"no select {name}"
    return match.group(0)


def values(select: str) -> list[str]:
    return re.findall(r'<option[^>]*value="([^"]*)"', select)


def identity(client: FlaskClient, lang: str = "zh") -> str:
    return client.get(f"/selfcheck/enterprise/identity?lang={lang}").get_data(as_text=True)


def test_region_is_a_select_of_the_counties_and_the_outside_sentinels(client: FlaskClient) -> None:
    select = select_html(identity(client), "region_code")
    assert set(values(select)) == {"", *COUNTIES, "440000", "000000"}
    assert '<optgroup label="清远市">' in select and '<optgroup label="韶关市">' in select
    assert ">清城区<" in select and ">广东省其他地区<" in select


def test_parks_are_grouped_by_county_and_carry_their_counties_for_the_filter(client: FlaskClient) -> None:
    select = select_html(identity(client), "park_code")
    assert set(values(select)) - {""} == {*PARKS, NO_PARK}
    assert ">不在任何园区<" in select.split("<optgroup")[0]  # an answer of its own, whatever the county
    assert 'data-picker="park"' in select
    park = next(iter(PARKS.values()))
    assert f'data-counties="{" ".join(park.counties)}"' in select


def test_industry_lists_the_97_divisions_under_their_sections(client: FlaskClient) -> None:
    select = select_html(identity(client), "industry_code")
    divisions = [v for v in values(select) if v]
    assert len(divisions) == 97 and "C30" in divisions and "M73" in divisions
    assert '<optgroup label="C 制造业">' in select
    assert ">C30 非金属矿物制品业<" in select and "非金属矿物制品业" in select.split('value="C30"')[1][:200]


def test_tech_field_offers_every_heading_and_not_in_the_catalogue(client: FlaskClient) -> None:
    select = select_html(identity(client), "tech_field")
    assert set(values(select)) - {""} == {*FIELDS, "none"}
    assert "核心技术不属于《国家重点支持的高新技术领域》" in select


def test_pickers_speak_english(client: FlaskClient) -> None:
    html = identity(client, "en")
    assert "Qingcheng District" in select_html(html, "region_code")
    assert "Not in the catalogue" in select_html(html, "tech_field")


def test_a_saved_code_outside_the_list_is_kept_as_its_own_option(client: FlaskClient) -> None:
    client.post("/selfcheck/", data={"kind": "enterprise"})
    client.post("/selfcheck/enterprise/identity",
                data={**PAGES["identity"], "industry_code": "C3985", "action": "next"})
    select = select_html(identity(client), "industry_code")
    assert re.search(r'<option selected value="C3985">[^<]*C3985', select) or \
        re.search(r'<option value="C3985" selected>', select), select[:400]


def test_the_picked_codes_are_stored_as_codes(client: FlaskClient) -> None:
    client.post("/selfcheck/", data={"kind": "enterprise"})
    response = client.post("/selfcheck/enterprise/identity",
                           data={**PAGES["identity"], "region_code": "441881", "park_code": "QY-YDGXQ",
                                 "industry_code": "C30", "tech_field": "40301", "action": "next"})
    assert response.status_code == 302
    html = identity(client)
    assert re.search(r'value="441881"[^>]*selected|selected[^>]*value="441881"', select_html(html, "region_code"))
    assert re.search(r'value="QY-YDGXQ"[^>]*selected|selected[^>]*value="QY-YDGXQ"', select_html(html, "park_code"))
