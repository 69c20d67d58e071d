"""The interview: a short start page, then only the questions the engine says can still change an outcome,
each saying what it is used for, with "不知道" and "先看结果"; the answers are the full form's answers."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from flask.testing import FlaskClient

from tests.web.test_selfcheck import text

LAST = dt.date.today().year - 1
# The SME of issue 11: a Qingyuan new-materials firm, 120 staff (18 S&T), sales 3,800/4,200/4,600万,
# R&D 200/230/260万, 5 invention patents. Answers by profile path, as a person would type them (万元).
SME: dict[str, str] = {
    "name": "清远市新材科技有限公司", "credit_code": "91441802MA00000155", "region_code": "441802",
    "registered_on": "2015-03-01", "industry_code": "C30", "tech_field": "40301", "staff.total": "120",
    "staff.sci_tech": "18", "staff.sme_total": "120", "staff.sme_sci_tech": "18",
    "resident_enterprise": "true", "independent_legal_person": "true",
    "ip.class1": "5", "ip.class2": "0", "ip.core_ip_owned": "true", "ip.self_developed": "true",
    "innovation.ip_advancement": "A", "innovation.ip_core_support": "A", "innovation.standard_setting": "false",
    "innovation.conversions_3y": "15", "innovation.rd_management_points": "16",
    "declarations.audited_tax_collection": "true", "declarations.major_incident_or_misconduct": "false",
    "declarations.on_abnormal_operation_list": "false", "declarations.on_serious_dishonesty_list": "false",
    "declarations.prohibited_catalogue": "false", "declarations.major_incident_prior_year": "false",
    "declarations.local_registration_tax_statistics": "true",
    "innovation.assessed_total": "78", "listing.board": "none",
    "certificates": "true", "loans": "true", "projects": "true",  # (the "none of these" box of a table of records)
}
for i, (sales, rd, net) in enumerate(((3800, 200, 2000), (4200, 230, 2600), (4600, 260, 3400))):
    year = LAST - 2 + i
    SME |= {f"finance[{year}].sales": str(sales), f"finance[{year}].rd_expense": str(rd),
            f"finance[{year}].rd_domestic": str(rd), f"finance[{year}].main_business_revenue": str(sales),
            f"finance[{year}].total_income": str(sales + 50), f"finance[{year}].hitech_income": str(sales * 7 // 10),
            f"finance[{year}].cost_expense_total": str(sales * 8 // 10), f"finance[{year}].total_assets": "6000",
            f"finance[{year}].net_assets": str(net)}
START = ("registered_on", "tech_field", "staff.total", "staff.sci_tech", f"finance[{LAST}].sales")
"""Only what 高企认定 reads: no name (no rule reads it), no region (the plan asks it after 高企)."""


def questions(html: str) -> list[tuple[str, str | None]]:
    """(profile path, form field name) of each question on an interview page, in order."""
    out = []
    for block in re.split(r'<div class="question"', html)[1:]:
        path = re.search(r'name="asked" value="([^"]+)"', block)
        field = re.search(r'<(?:input|select)[^>]*\bname="(?!asked|dontknow|confirm)([^"]+)"', block)
        assert path
        out.append((path.group(1), field.group(1) if field else None))
    return out


def answer(client: FlaskClient, url: str, values: dict[str, str], declined: tuple[str, ...] = (),
           action: str = "next") -> Any:
    html = text(client.get(url))
    data: dict[str, Any] = {"action": action, "asked": [], "dontknow": list(declined)}
    for path, field in questions(html):
        data["asked"].append(path)
        if field and path in values:
            data[field] = values[path]
    return client.post(url, data=data)


def start(client: FlaskClient) -> None:
    response = client.post("/selfcheck/", data={"kind": "enterprise", "mode": "interview"})
    assert response.headers["Location"].endswith("/selfcheck/interview/start")
    response = answer(client, "/selfcheck/interview/start", SME)
    assert response.status_code == 302 and response.headers["Location"].endswith("/selfcheck/interview")


def test_the_start_page_asks_the_short_list(client: FlaskClient) -> None:
    client.post("/selfcheck/", data={"kind": "enterprise"})
    html = text(client.get("/selfcheck/interview/start"))
    assert [p for p, _ in questions(html)] == list(START)
    assert re.search(rf"{LAST}年度?销售收入", html) and "先看结果" in html and "完整表单" in html
    assert "企业名称" not in html


def test_without_a_name_the_result_and_summary_say_this_enterprise(client: FlaskClient) -> None:
    client.post("/selfcheck/", data={"kind": "enterprise"})
    answer(client, "/selfcheck/interview/start", SME)
    for url in ("/selfcheck/result", "/selfcheck/summary"):
        page = text(client.get(url))
        assert "本企业" in page and SME["name"] not in page, url
    assert "This enterprise" in text(client.get("/selfcheck/result?lang=en"))
    given = {k: SME[k] for k in ("name", "region_code", "registered_on", "tech_field")}
    assert client.post("/selfcheck/enterprise/identity", data={**given, "action": "next"}).status_code == 302
    assert SME["name"] in text(client.get("/selfcheck/result"))  # given on the full form: shown


def test_each_question_says_what_it_is_used_for_and_offers_dont_know(client: FlaskClient) -> None:
    start(client)
    html = text(client.get("/selfcheck/interview"))
    asked = questions(html)
    assert asked and all(field for _, field in asked[:1])
    assert "用于：" in html and "高新技术企业认定" in html
    assert html.count('name="dontknow"') == len(asked)
    assert re.search("下一页(可判断|的回答)", html) and "个问题）" in html
    assert not re.search(r">\s*(?:staff|finance|ip|innovation)[.\[]", html)  # never a raw path as text


def test_the_sme_reaches_a_decided_hnte_outcome(client: FlaskClient) -> None:
    start(client)
    seen: list[str] = []
    for _round in range(30):
        response = client.get("/selfcheck/interview")
        if response.status_code == 302:
            assert response.headers["Location"].endswith("/selfcheck/result")
            break
        asked = [p for p, _ in questions(text(response))]
        assert not set(asked) & set(seen), "a question answered is never asked again"
        seen += asked
        unknown = tuple(p for p in asked if p not in SME)
        assert answer(client, "/selfcheck/interview", SME, declined=unknown).status_code == 302
    html = text(client.get("/selfcheck/result"))
    hnte = re.search(r'<article class="measure measure-(\w+)" id="m-national.hnte_recognition"', html)
    assert hnte and hnte.group(1) == "eligible"  # decided: every 高企 condition answered and met
    assert len(seen) < 60  # far fewer than the six-step form's fields


def test_answers_given_in_the_interview_are_on_the_full_form(client: FlaskClient) -> None:
    start(client)
    answer(client, "/selfcheck/interview", SME)
    staff = text(client.get("/selfcheck/enterprise/staff"))
    assert 'value="120"' in staff and 'value="18"' in staff
    finance = text(client.get("/selfcheck/enterprise/finance"))
    assert f'value="{LAST}"' in finance and 'value="4600"' in finance


def test_dont_know_is_never_asked_again(client: FlaskClient) -> None:
    start(client)
    first = [p for p, _ in questions(text(client.get("/selfcheck/interview")))]
    answer(client, "/selfcheck/interview", {}, declined=tuple(first))
    after = [p for p, _ in questions(text(client.get("/selfcheck/interview")))]
    assert not set(first) & set(after)


def test_see_results_now_from_any_page(client: FlaskClient) -> None:
    start(client)
    response = answer(client, "/selfcheck/interview", {}, action="results")
    assert response.headers["Location"].endswith("/selfcheck/result")
    html = text(client.get("/selfcheck/result"))
    invite = re.search(r'<section class="card invite".*?</section>', html, re.S)
    assert invite and re.search(r"下一页(可判断|的回答).*还有约\d+页、\d+个问题", invite.group(0))
    assert 'href="/selfcheck/interview"' in invite.group(0)


def test_a_bad_answer_stays_on_the_page_with_its_error(client: FlaskClient) -> None:
    client.post("/selfcheck/", data={"kind": "enterprise"})
    response = answer(client, "/selfcheck/interview/start", {**SME, "staff.total": "lots"})
    html = text(response)
    assert response.status_code == 200 and "error-summary" in html and 'value="lots"' in html


def test_the_full_form_is_still_one_click_away(client: FlaskClient) -> None:
    response = client.post("/selfcheck/", data={"kind": "enterprise", "mode": "full"})
    assert response.headers["Location"].endswith("/selfcheck/enterprise/identity")


def test_a_table_of_records_can_be_answered_none_of_these(client: FlaskClient) -> None:
    start(client)
    for _round in range(10):
        html = text(client.get("/selfcheck/interview"))
        if 'value="certificates"' in html:
            break
        answer(client, "/selfcheck/interview", SME, declined=tuple(p for p, _ in questions(html) if p not in SME))
    assert 'name="certificates-none"' in html and "目前没有任何资格、认定或证书" in html
    assert "有的话，请在完整表单中逐项填写" in html
    answer(client, "/selfcheck/interview", SME)
    page = text(client.get("/selfcheck/enterprise/certificates"))
    assert re.search(r'<input checked[^>]*name="certificates-none"|name="certificates-none"[^>]*checked', page)
    assert 'value="certificates"' not in text(client.get("/selfcheck/interview"))  # answered: not asked again


def test_continuing_without_any_answer_says_what_to_do(client: FlaskClient) -> None:
    start(client)
    response = answer(client, "/selfcheck/interview", {})
    assert response.status_code == 200 and "请至少回答一个问题" in text(response)


ADVERSE = ("declarations.major_incident_prior_year", "declarations.major_incident_or_misconduct",
           "declarations.on_abnormal_operation_list", "declarations.on_serious_dishonesty_list",
           "declarations.prohibited_catalogue")


def test_the_adverse_declarations_are_answered_once_with_none_of_these(client: FlaskClient) -> None:
    start(client)
    html = text(client.get("/selfcheck/interview"))
    block = re.search(r'<fieldset class="question-batch".*?</details>\s*</fieldset>', html, re.S)
    assert block and "以上情形均没有" in block.group(0) and "列入经营异常名录" in block.group(0)
    asked = [p for p, _ in questions(html)]
    assert set(ADVERSE) <= set(asked)  # every one is still asked (one answer for all), none skipped
    assert block.group(0).count('name="asked"') == len(ADVERSE) and "<details" in block.group(0)  # one by one below
    others = {p: v for p, v in SME.items() if p not in ADVERSE}
    data: dict[str, Any] = {"action": "next", "asked": asked, "none_of": ["declarations"], "dontknow": []}
    data |= {field: others[path] for path, field in questions(html) if field and path in others}
    assert client.post("/selfcheck/interview", data=data).status_code == 302
    declarations = text(client.get("/selfcheck/enterprise/declarations"))
    for path in ADVERSE:  # each stored as 否, as if answered one by one
        name = path.replace(".", "-")
        assert re.search(rf'<input[^>]*name="{name}"[^>]*value="false"[^>]*checked|<input checked[^>]*name="{name}"'
                         rf'[^>]*value="false"', declarations), name
    assert not set(ADVERSE) & {p for p, _ in questions(text(client.get("/selfcheck/interview")))}


def test_none_of_these_and_a_yes_contradict_each_other(client: FlaskClient) -> None:
    start(client)
    html = text(client.get("/selfcheck/interview"))
    fields = dict(questions(html))
    data: dict[str, Any] = {"action": "next", "asked": list(fields), "none_of": ["declarations"],
                            fields["declarations.on_abnormal_operation_list"]: "true"}
    response = client.post("/selfcheck/interview", data=data)
    page = text(response)
    assert response.status_code == 200 and "以上情形均没有" in page and "列入经营异常名录" in page
    assert "请取消其中一个" in page and "<details class=\"batch-each\" open" in page
    declarations = text(client.get("/selfcheck/enterprise/declarations"))
    assert 'value="true" checked' not in declarations and 'checked value="true"' not in declarations  # nothing kept
