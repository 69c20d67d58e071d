"""The admin's pages with the test client: the rule catalogue by issuer, the RuleSet versions in use, and
user management (create with a role, deactivate, reactivate)."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from engine.model import RuleSet
from tests.web.conftest import Seeded, login


@pytest.fixture
def admin(client: FlaskClient, seeded: Seeded) -> FlaskClient:
    login(client, "adam")
    return client


def test_the_catalogue_lists_every_measure_by_issuer(admin: FlaskClient, web_ruleset: RuleSet) -> None:
    page = admin.get("/admin/").get_data(as_text=True)
    for measure in web_ruleset.measures.values():
        assert measure.id in page
    assert page.index('id="h-national"') < page.index('id="h-qingyuan"')
    row = page.split("qingyuan.webtest_unpublished")[1].split("</tr>")[0]
    assert "《网页测试文件》 第三条" in page and "NF" in row and "否" in row  # amount not published


def test_rulesets_in_use(admin: FlaskClient, web_ruleset: RuleSet) -> None:
    page = admin.get("/admin/rulesets").get_data(as_text=True)
    assert web_ruleset.hash in page and "当前" in page
    assert '<td class="num">2</td>' in page  # both seeded decisions reference it


def test_create_an_applicant_account_and_log_in(admin: FlaskClient, app: object, seeded: Seeded) -> None:
    response = admin.post("/admin/users", data={"username": "carol", "password": "Qy-review-2026", "role": "applicant",
                                                "applicant_code": "91441802MA00000155"})
    assert response.status_code == 302
    assert "carol" in admin.get("/admin/users").get_data(as_text=True)
    other = app.test_client()  # type: ignore[attr-defined]
    assert login(other, "carol", "Qy-review-2026").location == "/applications/"
    assert f"#{seeded.application_a}" in other.get("/applications/").get_data(as_text=True)


@pytest.mark.parametrize(("data", "message"), [
    ({"username": "alice", "password": "Qy-review-2026", "role": "reviewer"}, "该用户名已被使用。"),
    ({"username": "x", "password": "Qy-review-2026", "role": "reviewer"}, "用户名只能包含"),
    ({"username": "newbie", "password": "short", "role": "reviewer"}, "密码长度须为10到200个字符。"),
    ({"username": "newbie", "password": "0123456789ab", "role": "reviewer"}, "密码须含小写字母"),
    ({"username": "newbie", "password": "Qy-review-2026", "role": "applicant"}, "申请人账号必须指明所属申请人。"),
    ({"username": "newbie", "password": "Qy-review-2026", "role": "applicant", "applicant_code": "91441802MA0000N11M"},
     "没有找到使用该代码的申请人"),
    ({"username": "newbie", "password": "Qy-review-2026", "role": "auditor", "applicant_code": "91441802MA00000155"},
     "只有申请人账号需要填写信用代码。"),
])
def test_create_user_errors(admin: FlaskClient, data: dict[str, str], message: str) -> None:
    response = admin.post("/admin/users", data=data)
    assert response.status_code == 400 and message in response.get_data(as_text=True)


def test_deactivate_and_reactivate(admin: FlaskClient, app: object, seeded: Seeded) -> None:
    rita = seeded.users["rita"]
    assert admin.post(f"/admin/users/{rita}/deactivate").status_code == 302
    assert "已停用" in admin.get("/admin/users").get_data(as_text=True)
    other = app.test_client()  # type: ignore[attr-defined]
    assert login(other, "rita").status_code == 200  # refused
    assert admin.post(f"/admin/users/{rita}/activate").status_code == 302
    assert login(other, "rita").status_code == 302


def test_an_admin_cannot_deactivate_themselves(admin: FlaskClient, seeded: Seeded) -> None:
    page = admin.post(f"/admin/users/{seeded.users['adam']}/deactivate", follow_redirects=True).get_data(as_text=True)
    assert "不能停用自己的账号" in page
    assert admin.get("/admin/").status_code == 200


def test_unknown_user_is_404(admin: FlaskClient) -> None:
    assert admin.post("/admin/users/9999/deactivate").status_code == 404
