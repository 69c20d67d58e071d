"""The applicant's journey with the test client: log in from the self-check's "Apply", apply under an open
call with the self-check profile, contacts and uploaded materials (refusals keep what was entered), see the application, answer a reviewer's request. Also login itself: the rate limit,
a deactivated account, safe redirects."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.web.bureau_kit import AWARD, PDF, PNG, SMALL, UNPUBLISHED, apply_data, files, open_call
from tests.web.conftest import PAGES, Seeded, fill_enterprise, login
from web.store import material_queries, queries, triage_queries, web_queries


def _measures_offered(body: str) -> list[str]:
    return re.findall(r'<input[^>]*name="measures"[^>]*value="([^"]+)"', body)


@pytest.fixture
def call(app: Flask, seeded: Seeded, tmp_path: Path) -> int:
    app.config["MATERIALS_DIR"] = str(tmp_path / "materials")
    return open_call(app)


def test_apply_from_the_selfcheck_result_goes_through_login_to_the_open_call(client: FlaskClient, seeded: Seeded,
                                                                            call: int) -> None:
    fill_enterprise(client)
    response = client.post("/login", data={"username": "alice", "password": "correct-horse-battery",
                                           "next": "/selfcheck/result", "measure": AWARD})
    assert response.status_code == 302 and response.location == f"/applications/new?measure={AWARD}"
    chosen = client.get(response.location)  # the one open call covering the measure
    assert chosen.status_code == 302 and chosen.location == f"/applications/new?call={call}&measure={AWARD}"
    page = client.get(chosen.location).get_data(as_text=True)
    assert PAGES["identity"]["name"] in page and "2025年度网页测试申报" in page
    checked = re.findall(r'<input[^>]*checked[^>]*value="([^"]+)"|<input[^>]*value="([^"]+)"[^>]*checked', page)
    assert [a or b for a, b in checked if (a or b) != "y"] == [AWARD]
    assert 'name="file-form"' in page and 'name="file-licence"' in page


def test_an_applicant_applies_uploads_and_the_application_is_triaged_at_once(app: Flask, client: FlaskClient,
                                                                             seeded: Seeded, call: int) -> None:
    login(client, "alice")
    fill_enterprise(client)
    offered = _measures_offered(client.get(f"/applications/new?call={call}").get_data(as_text=True))
    assert AWARD in offered and UNPUBLISHED not in offered  # not in this call
    response = client.post("/applications/new", data={**apply_data(call), **files(form=(PDF, "申报表.pdf"),
                                                                                   licence=(PNG, "licence.png"))})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    page = client.get(response.location).get_data(as_text=True)
    assert "已初筛，待审核" in page and "网页测试用奖励" in page and "网页测试用小额补助" not in page
    assert "30.00万元" in page and "申报表.pdf" in page and "licence.png" in page and "待审核" in page
    app_id = int(response.location.rsplit("/", 1)[1])
    with app.app_context():
        from web.db_session import db

        application = web_queries.application_of(db(), app_id)
        assert application is not None and application.call_id == call
        assert (application.contact_phone, application.contact_email) == ("13800001234", "wang@example.cn")
        assert triage_queries.application_triage(db(), app_id) is not None  # triaged on submit
        files_ = material_queries.materials_of(db(), app_id)
        assert [(m.item, m.content_type) for m in files_] == [("form", "application/pdf"), ("licence", "image/png")]
    mine = client.get(f"/applications/{app_id}/materials/{files_[0].id}")
    assert mine.status_code == 200 and mine.data == PDF and mine.headers["Content-Type"] == "application/pdf"
    assert mine.headers["X-Content-Type-Options"] == "nosniff" and "inline" in mine.headers["Content-Disposition"]


@pytest.mark.parametrize(("data", "message"), [
    ({"measures": []}, "请至少选择一项政策措施。"),
    ({"confirm": ""}, "请阅读并勾选承诺。"),
    ({"contact_phone": "12345"}, "联系电话须为11位手机号"),
    ({"contact_phone": "1380000123"}, "联系电话须为11位手机号"),
    ({"contact_email": "wang@"}, "电子邮箱格式不正确"),
    ({"contact_name": " "}, "请填写联系人"),
])
def test_the_apply_form_explains_what_is_missing(client: FlaskClient, seeded: Seeded, call: int, data: dict[str, Any],
                                                 message: str) -> None:
    login(client, "alice")
    fill_enterprise(client)
    response = client.post("/applications/new", data={**apply_data(call), **data,
                                                      **files(form=(PDF, "a.pdf"), licence=(PDF, "b.pdf"))})
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and message in body
    assert "✓ a.pdf" in body and "✓ b.pdf" in body  # the good files are kept


def test_a_refused_file_loses_nothing_else(client: FlaskClient, seeded: Seeded, call: int) -> None:
    login(client, "alice")
    fill_enterprise(client)
    response = client.post("/applications/new", data={**apply_data(call, contact_email="keep@example.cn"),
                                                      **files(form=(b"PK\x03\x04zip", "a.pdf"), licence=(PDF, "b.pdf"))})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "文件内容是ZIP压缩包" in body and "the file is a ZIP archive" in body
    assert 'value="keep@example.cn"' in body and "✓ b.pdf" in body
    again = client.post("/applications/new", data={**apply_data(call), **files(form=(PDF, "a.pdf"))})
    assert again.status_code == 302  # b.pdf was kept for the licence item


def test_every_required_item_needs_a_file(client: FlaskClient, seeded: Seeded, call: int) -> None:
    login(client, "alice")
    fill_enterprise(client)
    response = client.post("/applications/new", data={**apply_data(call), **files(form=(PDF, "a.pdf"))})
    assert response.status_code == 400 and "此项材料必须上传" in response.get_data(as_text=True)


@pytest.mark.parametrize(("days", "message"), [((1, 30), "尚未开始受理"), ((-30, -1), "已截止")])
def test_applications_are_refused_outside_the_window(app: Flask, client: FlaskClient, seeded: Seeded, tmp_path: Path,
                                                     days: tuple[int, int], message: str) -> None:
    call = open_call(app, days=days)
    login(client, "alice")
    fill_enterprise(client)
    assert message in client.get(f"/applications/new?call={call}").get_data(as_text=True)
    response = client.post("/applications/new", data={**apply_data(call), **files(form=(PDF, "a.pdf"))})
    assert response.status_code == 409 and message in response.get_data(as_text=True)


def test_a_measure_outside_the_call_is_refused(app: Flask, client: FlaskClient, seeded: Seeded) -> None:
    call = open_call(app, measures=(SMALL,))
    login(client, "alice")
    fill_enterprise(client)
    response = client.post("/applications/new", data={**apply_data(call, [AWARD]), **files(form=(PDF, "a.pdf"))})
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and "所选措施不在本申报通知的受理范围内" in body and "not covered by this call" in body


def test_without_an_open_call_there_is_nothing_to_apply_for(client: FlaskClient, seeded: Seeded) -> None:
    login(client, "alice")
    page = client.get("/applications/new").get_data(as_text=True)
    assert "目前没有正在申报中的通知" in page and 'name="measures"' not in page


def test_applying_needs_a_selfcheck_first(client: FlaskClient, seeded: Seeded, call: int) -> None:
    login(client, "alice")
    page = client.get(f"/applications/new?call={call}").get_data(as_text=True)
    assert "请先完成资格自测" in page and 'name="measures"' not in page


def test_a_selfcheck_without_a_name_is_asked_for_the_name_before_applying(client: FlaskClient, seeded: Seeded,
                                                                           call: int) -> None:
    """The self-check evaluates an unnamed firm as 本企业; applying says the name is what is missing, and where."""
    login(client, "alice")
    pages = {name: dict(data) for name, data in PAGES.items()}
    pages["identity"].pop("name")
    fill_enterprise(client, pages)
    page = client.get(f"/applications/new?call={call}").get_data(as_text=True)
    assert "申请需要填写申请主体的名称" in page and 'href="/selfcheck/enterprise/identity#name"' in page
    assert "还有需要更正的内容" not in page and 'name="measures"' not in page


def test_an_applicant_cannot_apply_with_another_company_s_profile(client: FlaskClient, seeded: Seeded,
                                                                   call: int) -> None:
    login(client, "bob")
    fill_enterprise(client)  # alice's company
    page = client.get(f"/applications/new?call={call}").get_data(as_text=True)
    assert "自测资料与账号不属于同一申请主体" in page and 'name="measures"' not in page
    assert client.post("/applications/new", data=apply_data(call)).status_code == 200  # re-shown, nothing stored


def _request_info(app: Any, seeded: Seeded) -> None:
    from web.db_session import db

    with app.test_request_context():
        session = db()
        for action in ("reopen", "request_info"):
            queries.record_review(session, application_id=seeded.application_a, user_id=seeded.users["rita"],
                                  action=action, reason=f"请补充2024年度审计报告（{action}）")


def test_an_applicant_answers_a_request(app: Any, client: FlaskClient, seeded: Seeded) -> None:
    _request_info(app, seeded)
    login(client, "alice")
    page = client.get(f"/applications/{seeded.application_a}").get_data(as_text=True)
    assert "请补充2024年度审计报告（request_info）" in page and "待补充材料" in page and 'id="answer"' in page
    assert "（reopen）" not in page  # internal steps are shown as status, reasons of requests only
    blank = client.post(f"/applications/{seeded.application_a}/answer", data={"reason": "  "})
    assert blank.status_code == 400 and "请填写答复内容。" in blank.get_data(as_text=True)
    response = client.post(f"/applications/{seeded.application_a}/answer", data={"reason": "已上传审计报告"})
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "审核中" in page and "已上传审计报告" in page and "申请人答复" in page and 'id="answer"' not in page
    again = client.post(f"/applications/{seeded.application_a}/answer", data={"reason": "again"}, follow_redirects=True)
    assert "申报状态不能从“审核中”变为“审核中”" in again.get_data(as_text=True)


# -- logging in ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("username", "home"), [("alice", "/applications/"), ("rita", "/review/"),
                                                ("audrey", "/audit/"), ("adam", "/admin/")])
def test_each_role_lands_on_its_home_page_and_sees_its_nav(client: FlaskClient, seeded: Seeded, username: str,
                                                           home: str) -> None:
    response = login(client, username)
    assert response.location == home
    page = client.get(home).get_data(as_text=True)
    nav = page.split('class="mainnav"')[1].split("</nav>")[0]
    links = set(re.findall(r'<li><a href="([^"]+)"', nav))
    extra = {"/notices/"} | ({"/dashboard/"} if home in ("/review/", "/admin/") else set())
    assert links == {"/selfcheck/", "/calls/", home} | extra and username in nav


def test_the_anonymous_nav_has_the_selfcheck_and_a_login_link(client: FlaskClient) -> None:
    page = client.get("/selfcheck/").get_data(as_text=True)
    nav = page.split('class="mainnav"')[1].split("</nav>")[0]
    assert set(re.findall(r'<li><a href="([^"]+)"', nav)) == {"/selfcheck/", "/calls/"} and 'href="/login"' in nav


def test_wrong_password_and_unsafe_next(client: FlaskClient, seeded: Seeded) -> None:
    page = login(client, "alice", "nope").get_data(as_text=True)
    assert "用户名或密码不正确" in page
    response = client.post("/login", data={"username": "rita", "password": "correct-horse-battery",
                                           "next": "//evil.example/x"})
    assert response.location == "/review/"


def test_login_is_rate_limited_per_address_and_username(client: FlaskClient, seeded: Seeded) -> None:
    for _ in range(5):
        assert login(client, "alice", "wrong").status_code == 200
    refused = login(client, "alice")  # even the right password, for now
    assert refused.status_code == 429 and "登录失败次数过多" in refused.get_data(as_text=True)
    assert login(client, "bob").status_code == 302  # another username is not locked


def test_a_deactivated_account_is_logged_out_and_cannot_log_in(app: Any, client: FlaskClient, seeded: Seeded) -> None:
    login(client, "rita")
    assert client.get("/review/").status_code == 200
    admin = app.test_client()
    login(admin, "adam")
    assert admin.post(f"/admin/users/{seeded.users['rita']}/deactivate", data={"confirm": "yes"}).status_code == 302
    assert client.get("/review/").status_code == 302  # the next request finds nobody
    assert "用户名或密码不正确，或账号已停用" in login(client, "rita").get_data(as_text=True)


def test_logout_forgets_the_user_and_the_selfcheck_answers(client: FlaskClient, seeded: Seeded) -> None:
    login(client, "alice")
    fill_enterprise(client)
    assert client.post("/logout").status_code == 302
    assert client.get("/applications/").status_code == 302
    assert client.get("/selfcheck/result").status_code == 302  # the answers went with the session
