"""The self-check pages: engine errors on the right field in both languages, nothing typed is lost, the full
enterprise journey to the result page, 万元 → yuan exactness, tri-state declarations, the language switch."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient

from engine import parse_profile
from tests.web.conftest import AS_OF, PAGES, fill_enterprise
from web.answers.mapping import build, money_to_yuan
from web.answers.steps import enterprise_steps
from web.app import create_app

RESULT = f"/selfcheck/result?as_of={AS_OF.isoformat()}"
TRANSLATIONS = Path(__file__).resolve().parents[2] / "web" / "translations" / "en" / "LC_MESSAGES"


def text(response) -> str:  # type: ignore[no-untyped-def]
    return response.get_data(as_text=True)


def section(html: str, key: str) -> str:
    """The HTML of one result category (eligible, nearly, …), up to the next category."""
    parts = re.split(r'(?=<(?:section|details) class="category category-)', html)
    found = [p for p in parts if p.startswith((f'<section class="category category-{key}"',
                                                f'<details class="category category-{key}"'))]
    return found[0] if found else ""


def card(html: str, measure_id: str) -> str:
    match = re.search(rf'<article class="measure[^"]*" id="m-{re.escape(measure_id)}".*?</article>', html, re.S)
    assert match, f"no card for {measure_id}"
    return match.group(0)


def with_pages(**changes: dict[str, str | None]) -> dict[str, dict[str, str]]:
    """PAGES with some answers changed (None removes an answer)."""
    pages = {name: dict(data) for name, data in PAGES.items()}
    for page, values in changes.items():
        for key, value in values.items():
            if value is None:
                pages[page].pop(key, None)
            else:
                pages[page][key] = value
    return pages


# ---------------------------------------------------------------- start page, kinds


def test_start_page_offers_every_kind(client: FlaskClient) -> None:
    html = text(client.get("/selfcheck/"))
    for label in ("企业", "孵化载体", "新型研发机构", "人才", "创新创业团队"):
        assert label in html
    assert client.get("/").headers["Location"].endswith("/selfcheck/")


def test_choosing_a_kind_goes_to_its_first_page(client: FlaskClient) -> None:
    assert client.post("/selfcheck/", data={"kind": "enterprise"}).headers["Location"].endswith(
        "/selfcheck/interview/start")  # enterprises start the interview …
    assert client.post("/selfcheck/", data={"kind": "enterprise", "mode": "full"}).headers["Location"].endswith(
        "/selfcheck/enterprise/identity")  # … or the full six-step form
    assert client.post("/selfcheck/", data={"kind": "talent"}).headers["Location"].endswith(
        "/selfcheck/interview/start")  # every kind has its interview …
    assert client.post("/selfcheck/", data={"kind": "talent", "mode": "full"}).headers["Location"].endswith(
        "/selfcheck/talent")  # … and its one-page form
    html = text(client.post("/selfcheck/", data={}))
    assert "请选择申请主体类型" in html


def test_enterprise_pages_follow_the_six_steps(client: FlaskClient) -> None:
    assert [s.id for s in enterprise_steps()] == ["identity", "staff", "finance", "ip", "certificates", "declarations"]
    html = text(client.get("/selfcheck/enterprise/finance"))
    assert 'aria-current="step"' in html and "第 3 步，共 6 步" in html
    assert client.get("/selfcheck/enterprise/nope").status_code == 404


def test_finance_page_starts_with_the_last_three_years(client: FlaskClient) -> None:
    html = text(client.get("/selfcheck/enterprise/finance"))
    year = dt.date.today().year
    for i, y in enumerate(range(year - 3, year)):
        assert re.search(rf'<input[^>]*name="finance-{i}-year"[^>]*value="{y}"', html)


# ---------------------------------------------------------------- bad input → the engine's message on that field

BAD_INPUTS = [
    ("identity", "credit_code", "91441802MA00000156", "校验位不符"),
    ("identity", "credit_code", "91441802MA0000015", "18位"),
    ("identity", "region_code", "441899", "不是清远市或韶关市的现行区县代码"),
    ("identity", "region_code", "441827", "清新县"),
    ("identity", "registered_on", "2099-01-01", "晚于今天"),
    ("identity", "registered_on", "2020-02-30", "日期格式应为YYYY-MM-DD"),
    ("identity", "tech_field", "9.9.9", "高新技术领域"),
    ("staff", "staff-total", "12.345", "小数位数过多"),
    ("staff", "staff-total", "-3", "不能小于0"),
    ("finance", "finance-0-sales", "-5", "不能为负数"),
    ("finance", "finance-0-sales", "abc", "金额格式有误"),
    ("finance", "finance-0-sales", "4900000元", "您似乎填写了元"),
    ("finance", "finance-0-sales", "1.00001", "最多保留4位小数"),
    ("ip", "ip-class1", "2.5", "应为整数"),
]


@pytest.mark.parametrize(("page", "field", "value", "message"), BAD_INPUTS,
                         ids=[f"{f}={v}" for _p, f, v, _m in BAD_INPUTS])
def test_bad_input_shows_the_engine_message_on_its_field(client: FlaskClient, page: str, field: str, value: str,
                                                         message: str) -> None:
    data = {**PAGES[page], field: value, "action": "next"}
    response = client.post(f"/selfcheck/enterprise/{page}", data=data)
    html = text(response)
    assert response.status_code == 200  # re-rendered, not moved on
    error = re.search(rf'<p class="field-error" id="{re.escape(field)}-error1">(.*?)</p>', html, re.S)
    assert error, f"no error on {field}"
    assert message in error.group(1)
    assert f'href="#{field}"' in html  # the error summary links to the field
    assert f'value="{value}"' in html  # what was typed is shown back
    assert 'aria-invalid="true"' in html


def test_every_other_answer_on_the_page_is_kept(client: FlaskClient) -> None:
    data = {**PAGES["identity"], "credit_code": "91441802MA00000156", "action": "next"}
    html = text(client.post("/selfcheck/enterprise/identity", data=data))
    for name in ("name", "region_code", "registered_on", "industry_code", "tech_field"):
        assert f'value="{PAGES["identity"][name]}"' in html
    assert re.search(r'<input checked id="resident_enterprise-0"[^>]*value="true"', html)
    # and after leaving and coming back (the invalid page was kept as typed, with its errors)
    client.get("/selfcheck/enterprise/staff")
    again = text(client.get("/selfcheck/enterprise/identity"))
    assert 'value="91441802MA00000156"' in again and "校验位不符" in again


def test_errors_are_in_the_current_language_with_the_other_beneath(client: FlaskClient) -> None:
    data = {**PAGES["identity"], "credit_code": "91441802MA00000156", "action": "next"}
    html = text(client.post("/selfcheck/enterprise/identity?lang=en", data=data))
    error = re.search(r'<p class="field-error" id="credit_code-error1">(.*?)</p>', html, re.S)
    assert error is not None
    english, chinese = error.group(1).split('<span class="alt" lang="zh-CN">')
    assert "Check character mismatch" in english and "校验位不符" in chinese


def test_back_saves_without_checking_and_next_checks(client: FlaskClient) -> None:
    client.post("/selfcheck/enterprise/staff", data={"staff-total": "abc", "action": "back"})
    html = text(client.get("/selfcheck/enterprise/staff"))
    assert 'value="abc"' in html and "应为数字" in html
    assert client.post("/selfcheck/enterprise/staff", data={**PAGES["staff"], "action": "next"}).status_code == 302


def test_the_last_page_sends_you_to_the_first_page_with_an_error(client: FlaskClient) -> None:
    pages = with_pages(identity={"credit_code": "91441802MA00000156"})
    client.post("/selfcheck/", data={"kind": "enterprise"})
    client.post("/selfcheck/enterprise/identity", data={**pages["identity"], "action": "back"})
    for page in ("staff", "finance", "ip", "certificates"):
        client.post(f"/selfcheck/enterprise/{page}", data={**pages[page], "action": "next"})
    response = client.post("/selfcheck/enterprise/declarations", data={**pages["declarations"], "action": "next"})
    assert response.headers["Location"].endswith("/selfcheck/enterprise/identity")
    assert client.get(RESULT).headers["Location"].endswith("/selfcheck/enterprise/identity")


def test_certificates_get_another_row_without_javascript(client: FlaskClient) -> None:
    response = client.post("/selfcheck/enterprise/certificates", data={"action": "add-row:certificates"})
    assert response.headers["Location"].endswith("/selfcheck/enterprise/certificates#section-certificates")
    html = text(client.get("/selfcheck/enterprise/certificates"))
    assert 'name="certificates-2-type"' in html and 'name="certificates-3-type"' not in html


# ---------------------------------------------------------------- money, tri-state, the profile built

@pytest.mark.parametrize(("typed", "yuan"), [
    ("4900.01", 49_000_100), ("4,900.01", 49_000_100), ("0.01", 100), ("4900", 49_000_000),
    ("4900.0123", 49_000_123), ("4900万元", 49_000_000), ("１２.５", 125_000), ("-12.5", -125_000),
])
def test_wan_converts_to_yuan_exactly(typed: str, yuan: int) -> None:
    assert money_to_yuan(typed) == yuan


def test_wan_on_the_form_reaches_the_engine_exactly(client: FlaskClient) -> None:
    pages = with_pages(finance={"finance-2-sales": "4900.01"})
    fill_enterprise(client, pages)
    steps = enterprise_steps()
    built = build("enterprise", tuple(s for p in steps for s in p.specs),
                  {k: v for page in pages.values() for k, v in page.items()})
    parsed = parse_profile(built.data, dt.date.today())
    assert parsed.profile.finance[2].sales == 49_000_100
    assert "4,900.01万元" in text(client.get(RESULT))  # 最近一年销售收入, read by the tech-SME size condition


def test_declarations_are_tri_state_and_unanswered_stays_unknown() -> None:
    specs = enterprise_steps()[-1].specs
    raw = {"declarations-major_incident_prior_year": "false", "declarations-on_abnormal_operation_list": "true",
           "declarations-prohibited_catalogue": ""}
    data = build("enterprise", specs, raw).data["declarations"]
    assert data == {"major_incident_prior_year": False, "on_abnormal_operation_list": True}


def test_empty_fiscal_years_are_left_out() -> None:
    specs = enterprise_steps()[2].specs
    raw = {"finance-0-year": "2022", "finance-1-year": "2023", "finance-1-sales": "10", "finance-2-year": "2024"}
    built = build("enterprise", specs, raw)
    assert built.data["finance"] == [{"year": "2023", "sales": 100_000}] and built.rows["finance"] == [1]


# ---------------------------------------------------------------- the result page

def scored() -> dict[str, dict[str, str]]:
    """The shared pages with the assessed innovation total the 高企 score needs (R&D management is the
    experts' 0–20 interval: without a total 高企 stays 待定)."""
    return with_pages(ip={"innovation-assessed_total": "78"})


def test_full_journey_to_the_result(client: FlaskClient) -> None:
    assert fill_enterprise(client, scored()).headers["Location"].endswith("/selfcheck/result")
    html = text(client.get(RESULT))
    eligible = section(html, "eligible")
    assert "高新技术企业认定" in eligible and "科技型中小企业评价（入库）" in eligible
    hnte = card(html, "national.hnte_recognition")
    assert "国科发火〔2016〕32号" in hnte and "第十一条" in hnte and "可信度 V2" in hnte
    assert "材料清单" in hnte and "近三个会计年度企业所得税年度纳税申报表" in hnte
    assert '<details class="trace">' in hnte and "现行标准" in hnte and "自2016-01-01起施行" in hnte
    assert "科技人员占当年职工总数的比例不低于10%" in hnte and "您的数据：14.67%；要求：不低于10%" in hnte
    assert "评价日期 2025-06-30" in html


def test_stacking_takes_the_higher_of_two_exclusive_awards(client: FlaskClient) -> None:
    fill_enterprise(client)
    html = text(client.get(RESULT))
    stack = re.search(r'<section class="card stacking".*?</section>', html, re.S)
    assert stack is not None
    assert "网页测试用奖励" in stack.group(0) and "30.00万元" in stack.group(0)
    assert "“网页测试用小额补助”与“网页测试用奖励”不可兼得" in stack.group(0)


def test_an_unpublished_amount_is_never_shown_as_a_figure(client: FlaskClient) -> None:
    fill_enterprise(client)
    html = card(text(client.get(RESULT)), "qingyuan.webtest_unpublished")
    assert "金额未公布——请咨询主管部门" in html
    assert not re.search(r"\d+(\.\d+)?万元|¥\d", html)


def test_nearly_eligible_shows_the_gap(client: FlaskClient) -> None:
    pages = with_pages(finance={"finance-0-rd_expense": "130", "finance-1-rd_expense": "150",
                                "finance-2-rd_expense": "161", "finance-0-sales": "2800", "finance-1-sales": "3000",
                                "finance-2-sales": "3200", "finance-0-rd_domestic": "130",
                                "finance-1-rd_domestic": "150", "finance-2-rd_domestic": "161"})
    fill_enterprise(client, pages)
    nearly = section(text(client.get(RESULT)), "nearly")
    assert "高新技术企业认定" in nearly and "当前4.9%，要求5%" in nearly and "还需增加9.00万元" in nearly


def test_undetermined_links_each_missing_field_to_its_page(client: FlaskClient) -> None:
    fill_enterprise(client, with_pages(declarations={"declarations-major_incident_prior_year": None},
                                       staff={"staff-sme_total": None}))
    html = text(client.get(RESULT))
    undetermined = section(html, "undetermined")
    assert "请补充以下资料" in undetermined
    assert 'href="/selfcheck/enterprise/declarations#declarations-major_incident_prior_year"' in undetermined
    assert 'href="/selfcheck/enterprise/staff#staff-sme_total"' in undetermined
    page = text(client.get("/selfcheck/enterprise/declarations"))
    assert 'id="declarations-major_incident_prior_year"' in page
    assert re.search(r'<input checked id="declarations-major_incident_prior_year-2"[^>]*value=""', page)  # 未回答


def test_ineligible_names_the_failing_condition_and_the_values(client: FlaskClient) -> None:
    fill_enterprise(client, with_pages(identity={"resident_enterprise": "false"}))
    ineligible = section(text(client.get(RESULT)), "ineligible")
    assert "在中国境内（不含港、澳、台地区）注册的居民企业" in ineligible and "您的数据：否；要求：为“是”" in ineligible


def test_measures_for_another_area_are_collapsed_as_not_applicable(client: FlaskClient) -> None:
    fill_enterprise(client, with_pages(identity={"region_code": "440204"}))
    html = text(client.get(RESULT))
    collapsed = section(html, "not_applicable")
    assert collapsed.startswith("<details") and "网页测试用奖励" in collapsed and "不在适用地区" in collapsed
    assert "网页测试用奖励" not in section(html, "eligible")


def test_as_of_date_changes_the_decision_and_a_bad_date_is_reported(client: FlaskClient) -> None:
    fill_enterprise(client)
    assert "评价日期 2015-06-30" in text(client.get("/selfcheck/result?as_of=2015-06-30"))
    html = text(client.get("/selfcheck/result?as_of=2025-13-40"))
    assert "日期格式应为YYYY-MM-DD" in html and f"评价日期 {dt.date.today().isoformat()}" in html


def test_printable_summary_and_the_apply_button(client: FlaskClient) -> None:
    fill_enterprise(client, scored())
    html = text(client.get(RESULT))
    assert f'href="/selfcheck/summary?as_of={AS_OF.isoformat()}"' in html
    assert 'href="/login?next=%2Fselfcheck%2Fresult' in html
    summary = text(client.get(f"/selfcheck/summary?as_of={AS_OF.isoformat()}"))
    assert "科技扶持政策资格自测结果摘要" in summary and "评价日期" in summary
    assert "材料清单" in summary and "高新技术企业认定申请书（在线填报后打印）" in summary
    login = text(client.get("/login?next=/selfcheck/result"))
    assert "请登录后申请" in login and 'href="/selfcheck/result"' in login
    assert 'href="/selfcheck/result"' in text(client.get("/login?next=//evil.example/x"))


def test_nothing_to_show_without_answers(client: FlaskClient) -> None:
    assert client.get(RESULT).headers["Location"].endswith("/selfcheck/")


def test_reset_clears_the_answers(client: FlaskClient) -> None:
    fill_enterprise(client)
    assert "查看上次的结果" in text(client.get("/selfcheck/"))
    client.post("/selfcheck/reset")
    assert client.get(RESULT).status_code == 302
    assert 'value="清远市瓷韵新材料科技有限公司"' not in text(client.get("/selfcheck/enterprise/identity"))


def test_the_session_cookie_stays_small(client: FlaskClient) -> None:
    fill_enterprise(client)
    cookie = client.get_cookie("subsidy_session")
    assert cookie is not None and len(cookie.value) < 3000


# ---------------------------------------------------------------- other kinds: one page each

@pytest.mark.parametrize(("kind", "data", "fragment"), [
    ("talent", {"name": "张三", "person-id_type": "resident_id", "region_code": "441802", "full_time": "true"},
     "张三"),
    ("team", {"name": "新材料创新团队", "leader-name": "李四", "region_code": "440204"}, "新材料创新团队"),
    ("incubator", {"name": "清远科创孵化器", "region_code": "441802", "carrier-carrier_type": "incubator",
                   "carrier-area_m2": "12000", "carrier-incubation_fund": "500.5"}, "清远科创孵化器"),
    ("institution", {"name": "清远新材料研究院", "region_code": "441802",
                     "institution-functions": "industrial_technology"}, "清远新材料研究院"),
])
def test_other_kinds_answer_one_page(client: FlaskClient, kind: str, data: dict[str, str], fragment: str) -> None:
    client.post("/selfcheck/", data={"kind": kind})
    response = client.post(f"/selfcheck/{kind}", data={**data, "action": "next"})
    assert response.headers["Location"].endswith("/selfcheck/result"), text(response)[:3000]
    assert fragment in text(client.get(RESULT))


def test_talent_id_number_is_checked_by_the_engine(client: FlaskClient) -> None:
    data = {"name": "张三", "person-id_type": "resident_id", "person-id_number": "44180219900101123X"}
    html = text(client.post("/selfcheck/talent", data={**data, "action": "next"}))
    assert re.search(r'id="person-id_number-error1"', html)


# ---------------------------------------------------------------- language, CSRF, catalogue

def test_language_switch_is_remembered(client: FlaskClient) -> None:
    html = text(client.get("/selfcheck/?lang=en"))
    assert '<html lang="en">' in html and "S&T support self-check" in html and "Start" in html
    cookie = client.get_cookie("lang")
    assert cookie is not None and cookie.value == "en"
    assert '<html lang="en">' in text(client.get("/selfcheck/enterprise/identity"))
    html = text(client.get("/selfcheck/enterprise/identity?lang=zh"))
    assert '<html lang="zh-CN">' in html and "保存并继续" in html
    assert 'href="/selfcheck/enterprise/identity?lang=en"' in html


def test_result_page_in_english_uses_the_rule_files_english(client: FlaskClient) -> None:
    fill_enterprise(client)
    html = text(client.get(RESULT + "&lang=en"))
    assert "High and New Technology Enterprise (HNTE) recognition" in html
    assert "Documents to prepare" in html and "How this was decided" in html
    assert "web-test grant, amount unpublished" in html and "Amount not published — ask the competent department" in html


def test_forms_need_the_csrf_token(web_ruleset) -> None:  # type: ignore[no-untyped-def]
    app: Flask = create_app({"TESTING": True, "SECRET_KEY": "test-secret-key-0123456789"}, ruleset=web_ruleset)
    client = app.test_client()
    response = client.post("/selfcheck/enterprise/identity", data={**PAGES["identity"], "action": "next"})
    assert response.status_code == 400 and "页面已过期" in text(response)
    assert 'value="清远市瓷韵新材料科技有限公司"' in text(response)  # shown back, not saved
    page = text(client.get("/selfcheck/enterprise/identity"))
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert token is not None and 'value="清远市瓷韵新材料科技有限公司"' not in page
    response = client.post("/selfcheck/enterprise/identity",
                           data={**PAGES["identity"], "action": "next", "csrf_token": token.group(1)})
    assert response.status_code == 302


def test_the_english_catalogue_is_complete_and_compiled() -> None:
    with open(TRANSLATIONS / "messages.po", "rb") as f:
        po = read_po(f, locale="en")
    with open(TRANSLATIONS / "messages.mo", "rb") as f:
        mo = read_mo(f)
    untranslated = [m.id for m in po if m.id and not m.string]
    assert not untranslated
    assert {m.id: m.string for m in po if m.id} == {m.id: m.string for m in mo if m.id}, "run pybabel compile"


def test_a_stale_csrf_token_is_reported_in_both_languages(web_ruleset) -> None:  # type: ignore[no-untyped-def]
    app: Flask = create_app({"TESTING": True, "SECRET_KEY": "test-secret-key-0123456789"}, ruleset=web_ruleset)
    html = text(app.test_client().post("/selfcheck/talent?lang=en", data={"name": "x", "csrf_token": "stale"}))
    assert "The page expired or its origin could not be verified" in html and "页面已过期或来源无法验证" in html
