"""The self-check on the project's whole rule catalogue: the issue-11 SME (not yet recognised) sees the local
高企 award as 认定后可申请, apart from the total; "not in the catalogue" makes 高企 ineligible; cards give the
accepting body and the source document where the rule file has them."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine import load_ruleset
from engine.model import RuleSet
from tests.conftest import ROOT
from tests.web.conftest import TEST_CONFIG
from tests.web.test_selfcheck import card, section, text
from tests.web.test_selfcheck_interview import SME, answer
from web.app import create_app
from web.db_session import dispose


@pytest.fixture(scope="module")
def catalogue() -> RuleSet:
    return load_ruleset(ROOT / "rules")


@pytest.fixture
def site(catalogue: RuleSet, db_url: str) -> Iterator[Flask]:
    app = create_app({**TEST_CONFIG, "DATABASE_URL": db_url}, ruleset=catalogue)
    yield app
    dispose(app)


def start(client: FlaskClient, changes: dict[str, str] | None = None) -> str:
    client.post("/selfcheck/", data={"kind": "enterprise"})
    answer(client, "/selfcheck/interview/start", {**SME, **(changes or {})})
    for _ in range(40):
        response = client.get("/selfcheck/interview")
        if response.status_code == 302:
            break
        asked = re.findall(r'name="asked" value="([^"]+)"', text(response))
        answer(client, "/selfcheck/interview", SME, declined=tuple(p for p in asked if p not in SME))
    return text(client.get("/selfcheck/result"))


def test_an_award_for_holders_is_conditional_and_never_in_the_total(site: Flask) -> None:
    html = start(site.test_client())
    conditional = section(html, "conditional")
    assert "清远市新认定高新技术企业奖励（首次认定）" in conditional
    award = card(html, "qingyuan.hnte_award_first_time")
    assert "须先取得" in award and "高新技术企业认定" in award
    head = re.search(r'<section class="card result-head".*?</section>', html, re.S)
    assert head is not None
    later = re.search(r'认定后可申请的金额（不计入上面的合计）.*?</div>', head.group(0), re.S)
    assert later and "最高30.00万元" in later.group(0)
    total = head.group(0).split("认定后可申请的金额")[0]
    assert "30.00万元" not in total  # conditional money is listed apart, never in the estimated total
    assert 'class="measure measure-eligible"' in card(html, "national.hnte_recognition")


def test_not_in_the_catalogue_makes_hnte_ineligible(site: Flask) -> None:
    client = site.test_client()
    client.post("/selfcheck/", data={"kind": "enterprise"})
    answer(client, "/selfcheck/interview/start", {**SME, "tech_field": "none"}, action="results")
    html = text(client.get("/selfcheck/result"))
    hnte = card(html, "national.hnte_recognition")
    assert 'class="measure measure-ineligible"' in hnte and "核心技术属于《国家重点支持的高新技术领域》" in hnte
    assert "national.hnte_recognition" not in section(html, "undetermined")


def test_cards_tell_where_to_apply_when_the_rule_file_does(site: Flask, catalogue: RuleSet) -> None:
    with_how = [m for m in catalogue.measures.values() if getattr(m, "how_to_apply", None) is not None]
    assert with_how, "the catalogue fills how_to_apply for some measures"
    client = site.test_client()
    html = start(client, {"region_code": "440204"})  # a Shaoguan firm: the Shaoguan measures apply
    shown = [m for m in with_how if f'id="m-{m.id}"' in html]
    assert shown
    for m in shown:
        block = card(html, m.id)
        how = m.how_to_apply
        if how.body is not None:
            assert "受理部门" in block and how.body.zh in block
        if how.url:
            assert f'href="{how.url}"' in block and 'rel="noopener noreferrer external"' in block
