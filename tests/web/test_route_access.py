"""Every endpoint of the app × every role: the expected status of each cell comes from the table below.

An endpoint in app.url_map without a row fails the test (so a new view must state who may use it), and so
does a row for an endpoint that no longer exists. Roles: anonymous, applicant A, applicant B (who must
never reach A's application: 404, not 403), reviewer, auditor, admin. Paths use A's application and
decision. Anonymous visitors of a role's page are sent to the login page (302); other roles get 403.
The JSON API authenticates with bearer tokens, not the session cookie, so every web role is anonymous
there. CSRF is enforced on every form POST when enabled (the last tests).  [funding-service test_all_routes_access.py]
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine.model import RuleSet
from tests.web.conftest import TEST_CONFIG, Seeded, copy_db, login
from web.app import create_app
from web.db_session import dispose

ROLES = ("anonymous", "applicant_a", "applicant_b", "reviewer", "auditor", "admin")
USERNAMES = {"applicant_a": "alice", "applicant_b": "bob", "reviewer": "rita", "auditor": "audrey", "admin": "adam"}


def everyone(status: int, **overrides: int) -> dict[str, int]:
    return {role: overrides.get(role, status) for role in ROLES}


def only(*roles: str, ok: int = 200, **overrides: int) -> dict[str, int]:
    """A page for some roles: `ok` for them, login redirect for anonymous, 403 for the rest."""
    out = {role: ok if role in roles else 403 for role in ROLES}
    out["anonymous"] = 302
    return {**out, **overrides}


@dataclass(frozen=True)
class Row:
    method: str
    path: str  # formatted with app (A's application id), dec (A's decision id), user (the reviewer's id)
    expected: dict[str, int]
    data: dict[str, Any] = field(default_factory=dict)
    json: Any = None


APPLICANT = ("applicant_a", "applicant_b")
TABLE: dict[str, Row] = {
    "index": Row("GET", "/", everyone(302)),
    "static": Row("GET", "/static/css/site.css", everyone(200)),
    # the self-check: no account needed
    "selfcheck.start": Row("GET", "/selfcheck/", everyone(200)),
    "selfcheck.enterprise": Row("GET", "/selfcheck/enterprise/identity", everyone(200)),
    "selfcheck.single": Row("GET", "/selfcheck/incubator", everyone(200)),
    "selfcheck.reset": Row("POST", "/selfcheck/reset", everyone(302)),
    "selfcheck.result": Row("GET", "/selfcheck/result", everyone(302)),  # nothing answered yet: back to start
    "selfcheck.summary": Row("GET", "/selfcheck/summary", everyone(302)),
    "selfcheck.interview_start": Row("GET", "/selfcheck/interview/start", everyone(200)),
    "selfcheck.interview": Row("GET", "/selfcheck/interview", everyone(302)),  # not started: back to its start
    "selfcheck.share": Row("POST", "/selfcheck/share", everyone(302)),  # nothing answered yet
    "selfcheck.resume": Row("GET", "/selfcheck/resume/not-a-token", everyone(404)),
    "selfcheck.download": Row("GET", "/selfcheck/download.yaml", everyone(302)),  # nothing answered yet
    "selfcheck.upload": Row("GET", "/selfcheck/upload", everyone(200)),
    # accounts
    "auth.login": Row("GET", "/login", everyone(302, anonymous=200)),  # logged in: straight to their home page
    "auth.logout": Row("POST", "/logout", everyone(302)),
    "auth.change_password": Row("GET", "/account/password", everyone(200, anonymous=302)),
    "auth.locks": Row("GET", "/login-locks", only("admin")),
    "auth.clear_lock": Row("POST", "/login-locks/clear", only("admin", ok=302),
                           data={"scope": "pair", "username": "nobody", "address": "192.0.2.1"}),
    # applicants: their own applications only
    "applications.index": Row("GET", "/applications/", only(*APPLICANT)),
    "applications.new": Row("GET", "/applications/new", only(*APPLICANT)),
    "applications.payee": Row("GET", "/applications/payee", only(*APPLICANT)),
    "applications.detail": Row("GET", "/applications/{app}", only(*APPLICANT, applicant_b=404)),
    # A's application is not waiting for an answer: refused with the statechart's message, redirected
    "applications.answer": Row("POST", "/applications/{app}/answer", only(*APPLICANT, ok=302, applicant_b=404),
                               {"reason": "answer"}),
    # reviewers
    "review.index": Row("GET", "/review/", only("reviewer")),
    "review.application": Row("GET", "/review/applications/{app}", only("reviewer")),
    "review.decide": Row("POST", "/review/applications/{app}/decide", only("reviewer", ok=400)),  # no reason
    # auditors
    "audit.index": Row("GET", "/audit/", only("auditor")),
    "audit.decision": Row("GET", "/audit/decisions/{dec}", only("auditor")),
    "audit.replay_decision": Row("GET", "/audit/decisions/{dec}/replay", only("auditor")),
    "audit.current": Row("GET", "/audit/decisions/{dec}/current", only("auditor")),
    "audit.chain": Row("GET", "/audit/chain", only("auditor")),
    "audit.export_json": Row("GET", "/audit/decisions/{dec}/export.json", only("auditor")),
    "audit.export_html": Row("GET", "/audit/decisions/{dec}/export.html", only("auditor")),
    "audit.allocation": Row("GET", "/audit/calls/{closed}/allocation", only("auditor")),
    # admins
    "admin.index": Row("GET", "/admin/", only("admin")),
    "admin.rulesets": Row("GET", "/admin/rulesets", only("admin")),
    "admin.users": Row("GET", "/admin/users", only("admin")),
    "admin.toggle_user": Row("POST", "/admin/users/{user}/activate", only("admin", ok=302)),
    # calls: the list, each call's notice and 公示 are public; opening, allocating and paying are the admin's
    "calls.index": Row("GET", "/calls/", everyone(200)),
    "calls.detail": Row("GET", "/calls/{call}", everyone(200)),
    "calls.notice": Row("GET", "/calls/{closed}/notice", everyone(200)),
    "calls.notice_csv": Row("GET", "/calls/{closed}/notice.csv", everyone(200)),
    "calls.new": Row("GET", "/calls/new", only("admin")),
    "calls.allocation": Row("GET", "/calls/{call}/allocation", only("admin", "reviewer", "auditor")),
    "calls.allocate": Row("POST", "/calls/{call}/allocate", only("admin", ok=400)),  # no preview digest
    # issue 23 (H7): managing a call (no reason / no value: refused with a message, nothing changes), the 公示期,
    # payments in batches, the reviewer's queue acts, onboarding, notices and the dashboard
    "calls.edit": Row("GET", "/calls/{call}/edit", only("admin")),
    "calls.extend": Row("POST", "/calls/{call}/extend", only("admin", ok=302)),
    "calls.close": Row("POST", "/calls/{call}/close", only("admin", ok=302)),
    "calls.withdraw": Row("POST", "/calls/{call}/withdraw", only("admin", ok=302)),
    "calls.stages": Row("POST", "/calls/{call}/stages", only("admin", ok=302)),
    "calls.objection": Row("POST", "/calls/{closed}/objections", only("admin", ok=400)),
    "calls.handle": Row("POST", "/calls/{closed}/objections/999999", only("admin", ok=302)),
    "calls.finalize": Row("POST", "/calls/{closed}/finalize", only("admin", ok=400)),
    "calls.payments_export": Row("GET", "/calls/{closed}/payments.csv", only("admin", "reviewer", "auditor", ok=404)),
    "calls.payments_import": Row("POST", "/calls/{closed}/payments/import", only("admin", ok=400)),
    "review.export": Row("GET", "/review/export.csv", only("reviewer")),
    "review.bulk": Row("POST", "/review/bulk", only("reviewer", ok=400)),
    "review.amounts": Row("POST", "/review/applications/{app}/amounts", only("reviewer", ok=302)),
    "review.next_stage": Row("POST", "/review/applications/{app}/next-stage", only("reviewer", ok=400)),
    "review.appeal": Row("POST", "/review/applications/{app}/appeal", only("reviewer", ok=400)),
    "admin.confirm_deactivate": Row("GET", "/admin/users/{user}/deactivate", only("admin")),
    "admin.confirm_registration": Row("POST", "/admin/users/{user}/confirm", only("admin", ok=302)),  # not pending
    "account.register": Row("GET", "/account/register", everyone(200)),
    "account.registered": Row("GET", "/account/registered", everyone(200)),
    "account.reset_request": Row("GET", "/account/reset", everyone(200)),
    "account.reset_sent": Row("GET", "/account/reset/sent", everyone(200)),
    "account.reset": Row("GET", "/account/reset/not-a-token", everyone(404)),
    "notify.inbox": Row("GET", "/notices/", everyone(200, anonymous=302)),
    "notify.notice": Row("GET", "/notices/999999", everyone(404, anonymous=302)),
    "notify.receipt": Row("GET", "/notices/receipt/{app}", everyone(200, anonymous=302, applicant_b=404)),
    "notify.receipt_file": Row("GET", "/notices/receipt/{app}.pdf", everyone(200, anonymous=302, applicant_b=404)),
    "dashboard.index": Row("GET", "/dashboard/", only("admin", "reviewer")),
    "calls.pay": Row("POST", "/calls/{closed}/payments", only("admin", ok=400)),  # nothing filled in
    # materials: the owner (B gets 404 for A's file), reviewers and auditors; a reviewer marks them
    "applications.material": Row("GET", "/applications/{app}/materials/{mat}", only(*APPLICANT, applicant_b=404)),
    "review.material": Row("GET", "/review/materials/{mat}", only("reviewer", "auditor")),
    "review.mark_material": Row("POST", "/review/materials/{mat}/mark", only("reviewer", ok=400)),  # no status
    # the JSON API (bearer tokens; a web session does not authenticate there)
    "api.root": Row("GET", "/api/v1/", everyone(404)),
    "api.not_found": Row("GET", "/api/v1/nothing-here", everyone(404)),
    "api.docs": Row("GET", "/api/v1/docs", everyone(200)),
    "api.openapi": Row("GET", "/api/v1/openapi.json", everyone(200)),
    "api.measures": Row("GET", "/api/v1/measures", everyone(200)),
    "api.measure": Row("GET", "/api/v1/measures/qingyuan.webtest_award", everyone(200)),
    "api.evaluate": Row("POST", "/api/v1/evaluate", everyone(422), json={}),
    "api.tokens": Row("POST", "/api/v1/tokens", everyone(422), json={}),
    "api.call": Row("GET", "/api/v1/calls/{call}", everyone(200)),  # public, like the call's page
    "api.create_application": Row("POST", "/api/v1/applications", everyone(401), json={}),
    "api.application": Row("GET", "/api/v1/applications/{app}", everyone(401)),
    "api.decision": Row("GET", "/api/v1/decisions/{dec}", everyone(401)),
    "api.replay": Row("POST", "/api/v1/decisions/{dec}/replay", everyone(401), json={}),
}


@pytest.fixture(scope="module")
def access_app(web_ruleset: RuleSet, seeded_template: tuple[Path, Seeded],
               tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, Seeded]]:
    path, seeded = seeded_template
    target = tmp_path_factory.mktemp("access") / "access.db"
    copy_db(path, target)
    app = create_app({**TEST_CONFIG, "DATABASE_URL": f"sqlite:///{target}",
                      "MATERIALS_DIR": str(target.parent / "materials")}, ruleset=web_ruleset)
    BUREAU.update(_bureau(app, seeded))
    yield app, seeded
    dispose(app)


BUREAU: dict[str, int] = {}


def _bureau(app: Flask, seeded: Seeded) -> dict[str, int]:
    """An open call, a closed and allocated one (no approved applications), and a file on A's application."""
    from tests.web.bureau_kit import PDF, open_call
    from web.bureau.serve import blob_store
    from web.db_session import db
    from web.store import allocation_queries, material_queries
    from web.store.material_queries import StagedFile

    call, closed = open_call(app), open_call(app, days=(-30, -1))
    with app.test_request_context():
        allocation_queries.allocate_call(db(), closed, None)
        digest = blob_store().put(PDF)
        (row,) = material_queries.attach(db(), seeded.application_a, [StagedFile("form", "a.pdf", "application/pdf",
                                                                                  len(PDF), digest)], None)
        db().commit()
        return {"call": call, "closed": closed, "mat": row.id}


@pytest.fixture(scope="module")
def clients(access_app: tuple[Flask, Seeded]) -> dict[str, FlaskClient]:
    """One logged-in client per role, shared by the module (no row changes what the others see)."""
    app, _seeded = access_app
    out = {"anonymous": app.test_client()}
    for role, username in USERNAMES.items():
        client = app.test_client()
        assert login(client, username).status_code == 302
        out[role] = client
    return out


def test_every_endpoint_has_a_row(access_app: tuple[Flask, Seeded]) -> None:
    app, _seeded = access_app
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert sorted(endpoints - TABLE.keys()) == [], "add a row to TABLE for each new endpoint"
    assert sorted(TABLE.keys() - endpoints) == [], "remove the rows of endpoints that no longer exist"


def test_each_row_agrees_with_its_view_s_role_decorator(access_app: tuple[Flask, Seeded]) -> None:
    """A view marked @role_required(...) is open (not 403) to exactly those roles in its row."""
    app, _seeded = access_app
    account_role = {"applicant_a": "applicant", "applicant_b": "applicant"}
    wrong = {}
    for endpoint, row in TABLE.items():
        roles = getattr(app.view_functions[endpoint], "roles", None)
        if roles is None:
            continue
        allowed = {account_role.get(r, r) for r in ROLES if r != "anonymous" and row.expected[r] != 403}
        if allowed != set(roles) or row.expected["anonymous"] != 302:
            wrong[endpoint] = (sorted(roles), sorted(allowed))
    assert wrong == {}


def _request(client: FlaskClient, row: Row, seeded: Seeded) -> Any:
    path = row.path.format(app=seeded.application_a, dec=seeded.decision_a, user=seeded.users["rita"], **BUREAU)
    return client.open(path, method=row.method, data=row.data or None, json=row.json)


@pytest.mark.parametrize("endpoint", sorted(TABLE))
def test_endpoint_by_role(endpoint: str, access_app: tuple[Flask, Seeded], clients: dict[str, FlaskClient]) -> None:
    app, seeded = access_app
    row = TABLE[endpoint]
    got = {}
    for role in ROLES:
        client = clients[role]
        if endpoint == "auth.logout" and role != "anonymous":  # logging out would end the shared session
            client = app.test_client()
            login(client, USERNAMES[role])
        got[role] = _request(client, row, seeded).status_code
        if endpoint == "auth.logout" and role != "anonymous":  # logout ends every session of the account
            assert login(clients[role], USERNAMES[role]).status_code == 302
    assert got == row.expected


def test_anonymous_is_sent_to_login_and_back(clients: dict[str, FlaskClient]) -> None:
    response = clients["anonymous"].get("/review/")
    assert response.status_code == 302 and response.location.startswith("/login?next=")


def test_no_cross_applicant_access_through_any_id(access_app: tuple[Flask, Seeded],
                                                  clients: dict[str, FlaskClient]) -> None:
    _app, seeded = access_app
    b, a = clients["applicant_b"], clients["applicant_a"]
    assert b.get(f"/applications/{seeded.application_a}").status_code == 404
    assert a.get(f"/applications/{seeded.application_b}").status_code == 404
    assert b.post(f"/applications/{seeded.application_a}/answer", data={"reason": "x"}).status_code == 404
    assert b.get("/applications/999999").status_code == 404
    listing = b.get("/applications/").get_data(as_text=True)
    assert f"#{seeded.application_b}" in listing and f"/applications/{seeded.application_a}\"" not in listing
    assert "瓷韵" not in listing  # A's name appears nowhere on B's pages


# -- CSRF ---------------------------------------------------------------------------------------------

@pytest.fixture
def csrf_client(web_ruleset: RuleSet, seeded_template: tuple[Path, Seeded], tmp_path: Path) -> Iterator[Any]:
    path, seeded = seeded_template
    copy_db(path, tmp_path / "csrf.db")
    app = create_app({**TEST_CONFIG, "WTF_CSRF_ENABLED": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'csrf.db'}"},
                     ruleset=web_ruleset)
    yield app.test_client(), seeded
    dispose(app)


def _token(client: FlaskClient, path: str) -> str:
    import re

    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get(path).get_data(as_text=True))
    assert match, path
    return match.group(1)


def test_login_needs_a_csrf_token(csrf_client: Any) -> None:
    client, _seeded = csrf_client
    assert login(client, "rita").status_code == 400  # refused by CSRFProtect, not logged in
    assert client.get("/review/").status_code == 302
    token = _token(client, "/login")
    response = client.post("/login", data={"username": "rita", "password": "correct-horse-battery", "csrf_token": token})
    assert response.status_code == 302 and client.get("/review/").status_code == 200


@pytest.mark.parametrize(("username", "path", "data"), [
    ("rita", "/review/applications/{app}/decide", {"action": "start", "reason": "r"}),
    ("adam", "/admin/users/{user}/deactivate", {}),
    ("adam", "/admin/users", {"username": "newbie", "password": "0123456789ab", "role": "reviewer"}),
    ("alice", "/applications/{app}/answer", {"reason": "r"}),
    ("alice", "/logout", {}),
])
def test_form_posts_without_a_token_are_refused(csrf_client: Any, username: str, path: str,
                                                data: dict[str, str]) -> None:
    client, seeded = csrf_client
    token = _token(client, "/login")
    client.post("/login", data={"username": username, "password": "correct-horse-battery", "csrf_token": token})
    url = path.format(app=seeded.application_a, user=seeded.users["rita"])
    response = client.post(url, data=data)
    assert response.status_code == 400, (url, response.status_code)
    assert "页面已过期" in response.get_data(as_text=True)
