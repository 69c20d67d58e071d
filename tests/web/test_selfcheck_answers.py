"""Answers people can give and keep: an implausible 万元 amount is caught on its page with a one-click correction;
every error of a page or a file comes in one round, a file's money errors speak of yuan; 不知道 is kept in
downloads and uploads; the full form shows the fiscal years after the interview; yes/no has one 不知道."""

from __future__ import annotations

import io
import re

from flask.testing import FlaskClient

from tests.web.test_selfcheck import text
from tests.web.test_selfcheck_interview import LAST, SME, answer, questions, start
from web.answers.mapping import build
from web.answers.steps import enterprise_steps
from web.selfcheck.interview import map_paths


def interview_until(client: FlaskClient, path_prefix: str) -> str:
    """Answer pages from SME until a page asks a path starting with `path_prefix`; that page's HTML."""
    for _round in range(12):
        html = text(client.get("/selfcheck/interview"))
        if any(p.startswith(path_prefix) for p, _ in questions(html)):
            return html
        answer(client, "/selfcheck/interview", SME, declined=tuple(p for p, _ in questions(html) if p not in SME))
    raise AssertionError(f"no page asked {path_prefix}")


def test_an_amount_typed_in_yuan_is_caught_on_its_page_with_a_correction(client: FlaskClient) -> None:
    start(client)  # last year's sales: 4,600万元
    interview_until(client, f"finance[{LAST}].rd_expense")
    response = answer(client, "/selfcheck/interview", {**SME, f"finance[{LAST}].rd_expense": "46000000"})
    html = text(response)
    assert response.status_code == 200, "an implausible amount keeps the page"
    assert "可能按“元”填写了" in html and 'data-fix-value="4600"' in html and "改为 4600 万元" in html
    assert 'name="confirm"' in html
    # the user keeps the figure on purpose: confirmed, the page moves on
    data = {"action": "next", "asked": [p for p, _ in questions(html)], "dontknow": [], "confirm": []}
    for path, field in questions(html):
        value = "46000000" if path == f"finance[{LAST}].rd_expense" else SME.get(path)
        if field and value is not None:
            data[field] = value
            if path == f"finance[{LAST}].rd_expense":
                data["confirm"].append(field)
    assert client.post("/selfcheck/interview", data=data).status_code == 302


def test_yes_no_questions_have_one_dont_know(client: FlaskClient) -> None:
    start(client)
    html = text(client.get("/selfcheck/interview"))
    assert "未回答" not in html
    assert html.count('name="dontknow"') == len(questions(html))
    assert re.search(r'type="radio"[^>]*value=""', html) is None  # no blank radio beside 不知道


def test_the_full_form_shows_the_fiscal_years_after_the_interview(client: FlaskClient) -> None:
    start(client)
    answer(client, "/selfcheck/interview", SME)
    finance = text(client.get("/selfcheck/enterprise/finance"))
    for year in (LAST - 2, LAST - 1, LAST):
        assert f'value="{year}"' in finance


def test_dont_know_is_kept_in_the_download_and_back_from_the_upload(client: FlaskClient, app) -> None:  # type: ignore[no-untyped-def]
    start(client)
    first = [p for p, _ in questions(text(client.get("/selfcheck/interview")))]
    answer(client, "/selfcheck/interview", SME, declined=(first[0],))
    body = client.get("/selfcheck/download.yaml").get_data()
    assert f"# 不知道 / don't know: {first[0]}".encode() in body
    fresh = app.test_client()
    fresh.post("/selfcheck/", data={"kind": "enterprise", "mode": "full"})
    page = text(fresh.get("/selfcheck/upload"))
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    data = {"profile": (io.BytesIO(body), "p.yaml")}
    if token:
        data["csrf_token"] = token.group(1)  # type: ignore[assignment]
    assert fresh.post("/selfcheck/upload", data=data, content_type="multipart/form-data").status_code == 302
    again = [p for p, _ in questions(text(fresh.get("/selfcheck/interview")))]
    assert first[0] not in again  # declined before: not asked after the upload either


def test_a_bad_file_gets_every_error_at_once_in_the_files_unit(client: FlaskClient) -> None:
    client.post("/selfcheck/", data={"kind": "enterprise", "mode": "full"})
    bad = ("kind: enterprise\nname: 某公司\ncredit_code: '91441802MA00000150'\nregistered_on: 2015-03-01\n"
           "finance:\n  - {year: 2024, sales: 四千万}\n").encode()
    page = text(client.get("/selfcheck/upload"))
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    data = {"profile": (io.BytesIO(bad), "bad.yaml")}
    if token:
        data["csrf_token"] = token.group(1)  # type: ignore[assignment]
    html = text(client.post("/selfcheck/upload", data=data, content_type="multipart/form-data"))
    assert "文件中的金额以元为单位" in html and "请以万元填写" not in html  # the file's unit
    assert "统一社会信用代码" in html  # the check digit, in the same round as the format error


def test_the_full_form_catches_a_unit_slip_too_and_lets_it_be_confirmed(client: FlaskClient) -> None:
    client.post("/selfcheck/", data={"kind": "enterprise", "mode": "full"})
    data = {"action": "next", "finance-0-year": str(LAST - 1), "finance-0-sales": "4200",
            "finance-1-year": str(LAST), "finance-1-sales": "46000000"}
    response = client.post("/selfcheck/enterprise/finance", data=data)
    html = text(response)
    assert response.status_code == 200 and "可能按“元”填写了" in html and 'data-fix-value="4600"' in html
    confirmed = client.post("/selfcheck/enterprise/finance", data={**data, "confirm": "finance-1-sales"})
    assert confirmed.status_code == 302  # kept on purpose: the page moves on


def test_no_rd_centre_is_an_answer() -> None:
    specs = tuple(s for page in enterprise_steps() for s in page.specs)
    assert any(s.name == "rd_centre-none" for s in specs)
    data = build("enterprise", specs, {"name": "x", "rd_centre-none": "true"}).data
    assert data["rd_centre"] == {"exists": False}  # a known "none", decidable (the rules read it)
    assert not any(s.path == "rd_centre.exists" for s in specs)  # the box is that field's one input
    typed = build("enterprise", specs, {"name": "x", "rd_centre-none": "true", "rd_centre-premises_m2": "600"}).data
    assert typed["rd_centre"] == {"premises_m2": "600"}  # a figure typed beside it wins: there is a centre
    assert "rd_centre" not in build("enterprise", specs, {"name": "x"}).data  # unanswered stays unknown
    asked = map_paths(["rd_centre.premises_m2", "rd_centre.test_equipment_value"], {}, enterprise_steps())
    assert asked[0].none_spec is not None and asked[1].none_spec is None  # one box, with the first question
