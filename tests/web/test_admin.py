"""The admin's pages with the test client: the rule catalogue by issuer, the RuleSet versions in use, and
user management (create with a role, deactivate, reactivate)."""

from __future__ import annotations

from typing import Any

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
    asked = admin.post(f"/admin/users/{rita}/deactivate")  # one click only asks
    assert asked.status_code == 302 and asked.location.endswith(f"/admin/users/{rita}/deactivate")
    question = admin.get(asked.location).get_data(as_text=True)
    assert "停用账号 rita？" in question and "会话立即失效" in question
    assert "已停用" not in admin.get("/admin/users").get_data(as_text=True)
    assert admin.post(f"/admin/users/{rita}/deactivate", data={"confirm": "yes"}).status_code == 302
    assert "已停用" in admin.get("/admin/users").get_data(as_text=True)
    other = app.test_client()  # type: ignore[attr-defined]
    assert login(other, "rita").status_code == 200  # refused
    assert admin.post(f"/admin/users/{rita}/activate").status_code == 302
    assert login(other, "rita").status_code == 302


def test_an_admin_cannot_deactivate_themselves(admin: FlaskClient, seeded: Seeded) -> None:
    page = admin.post(f"/admin/users/{seeded.users['adam']}/deactivate", data={"confirm": "yes"},
                      follow_redirects=True).get_data(as_text=True)
    assert "不能停用自己的账号" in page
    assert admin.get("/admin/").status_code == 200


def test_unknown_user_is_404(admin: FlaskClient) -> None:
    assert admin.post("/admin/users/9999/deactivate", data={"confirm": "yes"}).status_code == 404
    assert admin.get("/admin/users/9999/deactivate").status_code == 404


def test_self_registration_confirmation_and_password_reset(app: object, seeded: Seeded, admin: FlaskClient,
                                                           monkeypatch: Any) -> None:
    """An applicant registers with a credit code (check digit, one account per code), waits for the admin, is
    confirmed, forgets the password and resets it by a link that expires and works once (real local SMTP)."""
    import email as email_lib
    import email.policy
    import re

    from aiosmtpd.controller import Controller

    class Box:
        messages: list[Any] = []

        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
            self.messages.append(email_lib.message_from_bytes(envelope.content, policy=email.policy.default))
            return "250 OK"

    box = Box()
    box.messages = []
    controller = Controller(box, hostname="127.0.0.1", port=8172)
    controller.start()
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_PORT", "8172")
    try:
        visitor = app.test_client()  # type: ignore[attr-defined]
        data = {"name": "清远新注册科技有限公司", "credit_code": "91441802MA00000155", "username": "newco",
                "email": "boss@newco.example.cn", "password": "Qingyuan-Kiln-2025#", "password2": "Qingyuan-Kiln-2025#",
                "lang": "zh"}
        taken = visitor.post("/account/register", data=data)  # 瓷韵's code already has alice's account
        assert taken.status_code == 409 and "每个代码只能注册一个账号" in taken.get_data(as_text=True)
        bad = visitor.post("/account/register", data={**data, "credit_code": "91441802MA00000156"})
        assert bad.status_code == 409 and "统一社会信用代码有误" in bad.get_data(as_text=True)
        weak = visitor.post("/account/register", data={**data, "credit_code": "914403001922038216",
                                                       "password": "123", "password2": "123"})
        assert weak.status_code == 400
        ok = visitor.post("/account/register", data={**data, "credit_code": "914403001922038216"})
        assert ok.status_code == 302, ok.get_data(as_text=True)[:2000]
        assert login(visitor, "newco", "Qingyuan-Kiln-2025#").status_code == 200  # not yet confirmed
        users = admin.get("/admin/users").get_data(as_text=True)
        assert "待确认（自助注册）" in users and "boss@newco.example.cn" in users
        user_id = int(re.search(r'/admin/users/(\d+)/confirm', users).group(1))  # type: ignore[union-attr]
        assert admin.post(f"/admin/users/{user_id}/confirm").status_code == 302
        assert "账号已确认" in str(box.messages[-1]["Subject"])
        assert login(visitor, "newco", "Qingyuan-Kiln-2025#").status_code == 302
        again = visitor.post("/account/register", data={**data, "credit_code": "914403001922038216", "username": "newco2"})
        assert again.status_code == 409 and "每个代码只能注册一个账号" in again.get_data(as_text=True)
        stranger = app.test_client()  # type: ignore[attr-defined]
        assert stranger.post("/account/reset", data={"login": "nobody@example.cn"}).status_code == 302  # same answer
        count = len(box.messages)
        assert stranger.post("/account/reset", data={"login": "boss@newco.example.cn"}).status_code == 302
        assert len(box.messages) == count + 1
        link = re.search(r"http://[^\s]+/account/reset/[\w-]+", box.messages[-1].get_content()).group(0)  # type: ignore[union-attr]
        path = link.split("localhost", 1)[-1]
        assert stranger.post(path, data={"password": "Another-Kiln-2026#", "password2": "Another-Kiln-2026#"}).status_code == 302
        assert stranger.get(path).status_code == 404  # used once
        assert login(visitor, "newco", "Another-Kiln-2026#").status_code == 302
        from web.db_session import db
        from web.store.models import PasswordReset

        with app.app_context():  # type: ignore[attr-defined]
            row = db().query(PasswordReset).one()
            assert row.used_at is not None and path.rsplit("/", 1)[1] not in row.token_digest
    finally:
        controller.stop()
