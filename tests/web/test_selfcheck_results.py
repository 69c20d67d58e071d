"""The result page leads with what a company wants: the estimated total (the engine's stacking, published
amounts only), the most valuable next actions, jump links, then cards; 不符合 and 不适用 collapsed."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from tests.web.conftest import fill_enterprise
from tests.web.test_selfcheck import RESULT, section, text, with_pages


def head(html: str) -> str:
    match = re.search(r'<section class="card result-head".*?</section>', html, re.S)
    assert match
    return match.group(0)


def test_the_headline_is_the_stacked_total_of_published_cash(client: FlaskClient) -> None:
    fill_enterprise(client)
    top = head(text(client.get(RESULT)))
    # the 30万 award excludes the 5万 grant: the engine's stacking keeps the higher, once; "up to" is said
    assert "现在可获（现金，按权利发放，最高）" in top and "30.00万元" in top and "35.00万元" not in top
    # the unpublished grant is eligible but never a figure: listed apart, under what it is
    assert "金额未公布" in top and "网页测试用未公布金额补助：金额未公布——请咨询主管部门" in top


def test_jump_links_lead_to_each_category(client: FlaskClient) -> None:
    fill_enterprise(client, with_pages(identity={"resident_enterprise": "false"}))
    html = text(client.get(RESULT))
    for key in ("eligible", "ineligible", "not_applicable"):
        assert f'href="#cat-{key}"' in head(html) and f'id="cat-{key}"' in html


def test_ineligible_and_not_applicable_are_collapsed_with_counts(client: FlaskClient) -> None:
    fill_enterprise(client, with_pages(identity={"resident_enterprise": "false"}))
    html = text(client.get(RESULT))
    ineligible = section(html, "ineligible")
    assert ineligible.startswith('<details class="category category-ineligible"')
    n = len(re.findall(r'<article class="measure measure-ineligible"', ineligible))
    assert n >= 1 and f'<span class="category-count">{n}</span>' in ineligible
    assert section(html, "not_applicable").startswith("<details")
    assert section(html, "eligible").startswith("<section")


def test_next_actions_name_the_gap_of_a_near_miss(client: FlaskClient) -> None:
    pages = with_pages(finance={"finance-0-rd_expense": "130", "finance-1-rd_expense": "150",
                                "finance-2-rd_expense": "161", "finance-0-sales": "2800", "finance-1-sales": "3000",
                                "finance-2-sales": "3200", "finance-0-rd_domestic": "130",
                                "finance-1-rd_domestic": "150", "finance-2-rd_domestic": "161"})
    fill_enterprise(client, pages)
    html = text(client.get(RESULT))
    actions = re.search(r'<section class="card next-actions".*?</section>', html, re.S)
    assert actions is not None
    assert "高新技术企业认定：" in actions.group(0) and "还需增加9.00万元即可满足" in actions.group(0)
    assert 'href="#m-national.hnte_recognition"' in actions.group(0)


def test_next_actions_count_the_questions_that_decide_an_undetermined_measure(client: FlaskClient) -> None:
    fill_enterprise(client, with_pages(declarations={"declarations-major_incident_prior_year": None}))
    html = text(client.get(RESULT))
    actions = re.search(r'<section class="card next-actions".*?</section>', html, re.S)
    assert actions is not None and re.search(r"回答 \d+ 个问题可判断“[^”]+”", actions.group(0))
    assert len(re.findall(r"<li>", actions.group(0))) <= 3


def test_the_results_speak_english(client: FlaskClient) -> None:
    fill_enterprise(client)
    top = head(text(client.get(RESULT + "&lang=en")))
    assert "Receivable now (cash paid as of right, up to)" in top and "¥300,000" in top and "not counted" in top
