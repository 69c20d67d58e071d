"""Issue 14 point 6: script and HTML typed into every free-text field (self-check form, API body, reviewer's
reason, admin's new username) come back escaped on the applicant's, reviewer's, auditor's and admin's pages and
in `subsidy export --format html` — never as markup."""

from __future__ import annotations

import html
import json
import re
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import sample
from tests.web.conftest import PASSWORD, Seeded, login
from web.cli import main

PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>"\'><b>bold</b>'
RAW = ("<script>alert", "<img src=x", "onerror=alert(1)>", "<b>bold</b>")


def assert_escaped(page: str, where: str, *, shown: bool = True) -> None:
    for fragment in RAW:
        assert fragment not in page, f"{where}: {fragment!r} rendered as markup"
    if shown:
        assert html.escape("<script>alert", quote=False) in page or "&lt;script&gt;alert" in page, \
            f"{where}: the payload is not shown at all (the probe did not reach the page)"


def hostile_profile() -> dict[str, Any]:
    data = sample("qingcheng_ceramics_turning_hightech")  # alice's applicant (same credit code)
    data["name"] = f"清远市{PAYLOAD}有限公司"
    data["loans"] = [{"type": "credit", "amount": 1_000_000, "bank": PAYLOAD}]
    data["projects"] = [{"key": f"p-{PAYLOAD}", "name": PAYLOAD}]
    for cert in data.get("certificates") or []:
        cert["number"] = PAYLOAD
    return json.loads(json.dumps(data, default=str))  # dates as YYYY-MM-DD, as an API client sends them


def api_application(app: Flask) -> int:
    client = app.test_client()
    issued = client.post("/api/v1/tokens", json={"username": "alice", "password": PASSWORD})
    assert issued.status_code == 200, issued.get_data(as_text=True)
    headers = {"Authorization": f"Bearer {issued.json['access_token']}"}
    created = client.post("/api/v1/applications", json={"profile": hostile_profile(), "as_of": "2025-06-30",
                                                          "measures": ["qingyuan.webtest_award"]},
                          headers=headers)
    assert created.status_code == 201, created.get_data(as_text=True)
    assert created.mimetype == "application/json"  # JSON carries the text as data, never as an HTML page
    return int(created.json["id"])


def as_user(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


def test_hostile_text_is_escaped_on_every_role_page(app: Flask, seeded: Seeded, tmp_path: Any) -> None:
    application_id = api_application(app)
    reviewer = as_user(app, "rita")
    for action in ("start", "request_info"):
        decided = reviewer.post(f"/review/applications/{application_id}/decide",
                                data={"action": action, "reason": f"请补充：{PAYLOAD}"})
        assert decided.status_code == 302, (action, decided.status_code)
    assert_escaped(reviewer.get("/review/").get_data(as_text=True), "review queue")
    review_page = reviewer.get(f"/review/applications/{application_id}").get_data(as_text=True)
    assert_escaped(review_page, "review application")

    applicant = as_user(app, "alice")
    assert_escaped(applicant.get("/applications/").get_data(as_text=True), "applications list")
    assert_escaped(applicant.get(f"/applications/{application_id}").get_data(as_text=True), "application page")

    auditor = as_user(app, "audrey")
    found = auditor.get("/audit/", query_string={"q": "清远市<script>"}).get_data(as_text=True)
    assert_escaped(found, "audit search (the query echoed)")
    decision_ids = re.findall(r"/audit/decisions/(\d+)", found)
    assert decision_ids, "the auditor's search finds the hostile applicant's decision"
    decision_id = max(int(d) for d in decision_ids)
    for path in ("", "/replay", "/current", "/export.html"):
        assert_escaped(auditor.get(f"/audit/decisions/{decision_id}{path}").get_data(as_text=True),
                       f"audit decision{path}")
    export_json = auditor.get(f"/audit/decisions/{decision_id}/export.json")
    assert export_json.mimetype == "application/json"

    admin = as_user(app, "adam")
    refused = admin.post("/admin/users", data={"username": PAYLOAD, "password": "Qy-subsidy-2025!",
                                               "role": "reviewer"})
    assert_escaped(refused.get_data(as_text=True), "admin new-user form (the value echoed)", shown=False)
    assert_escaped(admin.get("/admin/users").get_data(as_text=True), "admin users (applicant names)")

    out = tmp_path / "export.html"
    result = CliRunner().invoke(main, ["export", str(decision_id), "--format", "html", "-o", str(out),
                                       "--db", seeded.url])
    assert result.exit_code == 0, result.output
    assert_escaped(out.read_text(encoding="utf-8"), "subsidy export --format html")


@pytest.mark.parametrize("field", ["name"])
def test_hostile_text_in_the_selfcheck_is_escaped(client: FlaskClient, field: str) -> None:
    """The self-check's free-text field, echoed on its own page, the results and the printable summary."""
    start = client.get("/selfcheck/enterprise/identity")
    assert start.status_code == 200
    client.post("/selfcheck/enterprise/identity", data={field: PAYLOAD, "credit_code": "91441802MA00000155",
                                                        "region_code": "441802"})
    for path in ("/selfcheck/enterprise/identity", "/selfcheck/result", "/selfcheck/summary"):
        response = client.get(path, follow_redirects=True)
        assert response.status_code == 200, path
        assert_escaped(response.get_data(as_text=True), path)
