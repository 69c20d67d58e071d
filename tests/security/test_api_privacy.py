"""Issue 19 #5 and #9 (tokens): every API response, for every role, masks what the role may not see; tokens die
at logout, password change and deactivation."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import yaml
from flask import Flask
from flask.testing import FlaskClient

from engine import evaluate, parse_profile
from engine.model import RuleSet
from tests.conftest import ROOT
from tests.security.conftest import PASSWORD, Seeded, login, post_form
from web.masking import sees
from web.store import queries
from web.store.db import make_engine, make_session_factory
from web.store.models import Application

ID_NUMBER, PHONE, EMAIL = "441802199208151220", "13912345678", "lxl@example.cn"
AS_OF = dt.date(2025, 6, 30)


def _talent(url: str, ruleset: RuleSet) -> tuple[int, int]:
    """A person applicant whose stored profile holds an ID number, and a phone and e-mail in free text."""
    data = yaml.safe_load((ROOT / "sample_applicants" / "gd_talent_young_top_qingyuan.yaml").read_text("utf-8"))
    data["person"]["id_number"] = ID_NUMBER
    data["name"] = f"林晓岚（联系电话{PHONE}，{EMAIL}）"
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            parsed = parse_profile(data, AS_OF)
            row = queries.submit_and_decide(session, profile=parsed.profile, profile_data=data, ruleset=ruleset,
                                            decision=evaluate(ruleset, parsed, AS_OF), checked_on=AS_OF)
            application = session.get(Application, row.application_id)
            assert application is not None
            application.contact_phone, application.contact_email = PHONE, EMAIL
            session.commit()
            return row.application_id, row.id
    finally:
        engine.dispose()


def _token(site: Flask, username: str, address: str) -> FlaskClient:
    api = site.test_client()
    response = api.post("/api/v1/tokens", json={"username": username, "password": PASSWORD},
                        environ_base={"REMOTE_ADDR": address})
    assert response.status_code == 200, response.get_data(as_text=True)
    api.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {response.get_json()['access_token']}"
    return api


def test_every_api_response_masks_what_the_role_may_not_see(secure: Flask, seeded: Seeded,
                                                             web_ruleset: RuleSet) -> None:
    talent_app, talent_decision = _talent(seeded.url, web_ruleset)
    applications = (seeded.application_a, seeded.application_b, talent_app)
    decisions = (seeded.decision_a, seeded.decision_b, talent_decision)
    checked = 0
    for n, (username, role) in enumerate((("alice", "applicant"), ("rita", "reviewer"), ("audrey", "auditor"),
                                          ("adam", "admin"))):
        api = _token(secure, username, f"198.51.100.{n + 1}")
        responses: list[Any] = [api.get("/api/v1/measures"), api.get("/api/v1/openapi.json")]
        responses += [api.get(f"/api/v1/applications/{a}") for a in applications]
        responses += [api.get(f"/api/v1/decisions/{d}") for d in decisions]
        responses += [api.post(f"/api/v1/decisions/{d}/replay", json={"current": True}) for d in decisions]
        for response in responses:
            assert response.status_code < 500
            body = response.get_data(as_text=True)
            for secret, kind in ((ID_NUMBER, "id"), (PHONE, "phone"), (EMAIL, "email")):
                if not sees(role, kind):
                    at = body.find(secret)
                    assert at < 0, (username, response.request.path, kind, body[max(0, at - 120):at + 40])
            checked += 1
        if role in ("auditor", "admin"):  # they do read the person's decision — masked, not withheld
            shown = api.get(f"/api/v1/decisions/{talent_decision}").get_data(as_text=True)
            assert "441802********1220" in shown and "139****5678" in shown and "l***@example.cn" in shown
    assert checked == 4 * 11


def test_tokens_die_at_logout_password_change_and_deactivation(secure: Flask, seeded: Seeded) -> None:
    api = _token(secure, "rita", "198.51.100.20")
    assert api.get(f"/api/v1/applications/{seeded.application_a}").status_code == 200
    browser = secure.test_client()
    assert login(browser, "rita").status_code == 302
    assert post_form(browser, "/review/", {}, action="/logout").status_code == 302
    revoked = api.get(f"/api/v1/applications/{seeded.application_a}")
    assert revoked.status_code == 401 and "撤销" in revoked.get_data(as_text=True)

    api = _token(secure, "rita", "198.51.100.21")
    assert login(browser, "rita").status_code == 302
    changed = post_form(browser, "/account/password", {"current": PASSWORD, "new": "Kx9!river-lantern",
                                                       "confirm": "Kx9!river-lantern"})
    assert changed.status_code == 302
    assert api.get(f"/api/v1/applications/{seeded.application_a}").status_code == 401
    assert browser.get("/review/").status_code == 200  # the session that changed it goes on

    api = _token(secure, "audrey", "198.51.100.22")
    admin = secure.test_client()
    assert login(admin, "adam").status_code == 302
    _set_active(admin, seeded.users["audrey"], False)
    _set_active(admin, seeded.users["audrey"], True)
    assert api.get(f"/api/v1/decisions/{seeded.decision_a}").status_code == 401  # reactivation revives nothing


def _set_active(admin: FlaskClient, user_id: int, active: bool) -> None:
    page = admin.get("/admin/users").get_data(as_text=True)
    from tests.security.conftest import token_of
    response = admin.post(f"/admin/users/{user_id}/{'activate' if active else 'deactivate'}",
                          data={"csrf_token": token_of(page), "confirm": "yes"})  # deactivation is confirmed
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]


@pytest.mark.parametrize("body", [{"profile": {"kind": "enterprise"}}, {"profile": {"kind": "enterprise"}, "measures": []}])
def test_an_api_application_names_its_measures_or_its_call(secure: Flask, body: dict[str, Any]) -> None:
    api = _token(secure, "alice", "198.51.100.30")
    response = api.post("/api/v1/applications", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 422
    assert any(e["path"] == "measures" and e["code"] == "MEASURES_OR_CALL" for e in response.get_json()["errors"])
