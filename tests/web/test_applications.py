"""The applicant's journey with the test client: log in from the self-check's "Apply", apply with the
self-check profile, see the application, answer a reviewer's request. Also login itself: the rate limit,
a deactivated account, safe redirects."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.web.conftest import PAGES, Seeded, fill_enterprise, login
from web.store import queries


def _measures_offered(body: str) -> list[str]:
    return re.findall(r'<input[^>]*name="measures"[^>]*value="([^"]+)"', body)


def test_apply_from_the_selfcheck_result_goes_through_login_to_the_apply_page(client: FlaskClient,
                                                                             seeded: Seeded) -> None:
    fill_enterprise(client)
    response = client.post("/login", data={"username": "alice", "password": "correct-horse-battery",
                                           "next": "/selfcheck/result", "measure": "qingyuan.webtest_award"})
    assert response.status_code == 302 and response.location == "/applications/new?measure=qingyuan.webtest_award"
    page = client.get(response.location).get_data(as_text=True)
    assert PAGES["identity"]["name"] in page
    checked = re.findall(r'<input[^>]*checked[^>]*value="([^"]+)"|<input[^>]*value="([^"]+)"[^>]*checked', page)
    assert [a or b for a, b in checked if (a or b) != "y"] == ["qingyuan.webtest_award"]


def test_an_applicant_applies_and_sees_the_decision(client: FlaskClient, seeded: Seeded) -> None:
    login(client, "alice")
    fill_enterprise(client)
    offered = _measures_offered(client.get("/applications/new").get_data(as_text=True))
    assert "qingyuan.webtest_award" in offered
    response = client.post("/applications/new", data={"measures": ["qingyuan.webtest_award"], "confirm": "y"})
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "已初筛，待审核" in page and "网页测试用奖励" in page and "网页测试用小额补助" not in page
    assert "30.00万元" in page
    listing = client.get("/applications/").get_data(as_text=True)
    assert response.location.rsplit("/", 1)[1] in listing


@pytest.mark.parametrize(("data", "message"), [
    ({"confirm": "y"}, "请至少选择一项政策措施。"),
    ({"measures": ["qingyuan.webtest_award"]}, "请阅读并勾选承诺。"),
])
def test_the_apply_form_explains_what_is_missing(client: FlaskClient, seeded: Seeded, data: dict[str, Any],
                                                 message: str) -> None:
    login(client, "alice")
    fill_enterprise(client)
    response = client.post("/applications/new", data=data)
    assert response.status_code == 200 and message in response.get_data(as_text=True)


def test_applying_needs_a_selfcheck_first(client: FlaskClient, seeded: Seeded) -> None:
    login(client, "alice")
    page = client.get("/applications/new").get_data(as_text=True)
    assert "请先完成资格自测" in page and 'name="measures"' not in page


def test_an_applicant_cannot_apply_with_another_company_s_profile(client: FlaskClient, seeded: Seeded) -> None:
    login(client, "bob")
    fill_enterprise(client)  # alice's company
    page = client.get("/applications/new").get_data(as_text=True)
    assert "自测资料与账号不属于同一申请主体" in page and 'name="measures"' not in page
    assert client.post("/applications/new", data={"measures": ["qingyuan.webtest_award"], "confirm": "y"}
                       ).status_code == 200  # re-shown, nothing stored


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
    assert links == {"/selfcheck/", home} and username in nav


def test_the_anonymous_nav_has_the_selfcheck_and_a_login_link(client: FlaskClient) -> None:
    page = client.get("/selfcheck/").get_data(as_text=True)
    nav = page.split('class="mainnav"')[1].split("</nav>")[0]
    assert set(re.findall(r'<li><a href="([^"]+)"', nav)) == {"/selfcheck/"} and 'href="/login"' in nav


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
    assert admin.post(f"/admin/users/{seeded.users['rita']}/deactivate").status_code == 302
    assert client.get("/review/").status_code == 302  # the next request finds nobody
    assert "用户名或密码不正确，或账号已停用" in login(client, "rita").get_data(as_text=True)


def test_logout_forgets_the_user_and_the_selfcheck_answers(client: FlaskClient, seeded: Seeded) -> None:
    login(client, "alice")
    fill_enterprise(client)
    assert client.post("/logout").status_code == 302
    assert client.get("/applications/").status_code == 302
    assert client.get("/selfcheck/result").status_code == 302  # the answers went with the session
