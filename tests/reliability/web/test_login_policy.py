"""Issue 14 points 1 and 2 through the site: the API token endpoint and the login form share one policy; an
attacker at one address cannot lock a named user out; the admin sees and clears locks; nothing logs a password."""

from __future__ import annotations

import logging

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.web.conftest import PASSWORD, Seeded, login

ATTACKER, DESK = "203.0.113.9", "198.51.100.4"
WRONG = "Not-her-password-1"


def client_at(app: Flask, address: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def token(client: FlaskClient, username: str, password: str) -> int:
    return client.post("/api/v1/tokens", json={"username": username, "password": password}).status_code


def test_api_logins_are_throttled_like_the_form(app: Flask, seeded: Seeded) -> None:
    """Before: 8 wrong passwords answered 401 each time, then 200 with a token for the right one."""
    attacker = client_at(app, ATTACKER)
    statuses = [token(attacker, "rita", WRONG) for _ in range(8)]
    assert statuses == [401] * 5 + [429] * 3
    refused = attacker.post("/api/v1/tokens", json={"username": "rita", "password": PASSWORD})
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert refused.json["type"].endswith("rate-limited") and "登录失败次数过多" in refused.json["detail"]
    assert login(attacker, "rita").status_code == 429  # the same lock on the form: one policy


def test_form_and_api_failures_add_up(app: Flask, seeded: Seeded) -> None:
    attacker = client_at(app, ATTACKER)
    for _ in range(3):
        assert login(attacker, "rita", WRONG).status_code == 200
    assert [token(attacker, "rita", WRONG) for _ in range(3)] == [401, 401, 429]


def test_the_named_user_still_logs_in_from_her_own_address(app: Flask, seeded: Seeded) -> None:
    attacker = client_at(app, ATTACKER)
    for _ in range(40):
        login(attacker, "rita", WRONG)
        token(attacker, "rita", WRONG)
    assert login(attacker, "rita").status_code == 429
    assert login(client_at(app, DESK), "rita").status_code == 302  # the form
    assert token(client_at(app, "198.51.100.5"), "rita", PASSWORD) == 200  # and the API


def test_the_admin_sees_and_clears_the_lock(app: Flask, seeded: Seeded, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    attacker = client_at(app, ATTACKER)
    for _ in range(5):
        login(attacker, "rita", WRONG)
    admin = client_at(app, "10.0.0.1")
    assert login(admin, "adam").status_code == 302
    page = admin.get("/login-locks").get_data(as_text=True)
    assert "rita" in page and ATTACKER in page and "解除" in page
    assert 'href="/login-locks"' in admin.get("/admin/").get_data(as_text=True)  # linked from the admin page
    cleared = admin.post("/login-locks/clear", data={"scope": "pair", "username": "rita", "address": ATTACKER})
    assert cleared.status_code == 302
    page = admin.get("/login-locks").get_data(as_text=True)
    assert "目前没有锁定" in page and "adam" in page  # the history names the admin who cleared it
    assert login(attacker, "rita").status_code == 302
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "pair lock:" in logged and "lock cleared" in logged
    assert WRONG not in logged and PASSWORD not in logged


@pytest.mark.parametrize("role", ["rita", "audrey", "alice"])
def test_only_admins_see_the_locks(app: Flask, seeded: Seeded, role: str) -> None:
    client = client_at(app, "10.0.0.2")
    assert login(client, role).status_code == 302
    assert client.get("/login-locks").status_code == 403
    assert client.post("/login-locks/clear", data={"scope": "pair", "username": "x", "address": "y"}).status_code == 403
