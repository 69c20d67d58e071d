"""Issue 23, applicants told: notices in the site's inbox and by e-mail through a real local SMTP server (aiosmtpd,
never a mock) on receipt (with the 受理回执), a request for information and a decision, each in the
applicant's language; a mail server that is down loses no notice."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader

from tests.smtp_kit import Inbox, smtp_fixture
from tests.web.bureau_kit import AWARD, PDF, PNG, apply_data, files, open_call
from tests.web.conftest import Seeded, fill_enterprise, login
from web.bureau.present import local_time
from web.db_session import db
from web.extensions import current_ruleset
from web.store import material_queries, notice_queries, web_queries

PORT = 8171  # H7's ports: 8170-8179


smtp = smtp_fixture(PORT)


@pytest.fixture
def bureau(app: Flask, seeded: Seeded, tmp_path: Path) -> Flask:
    app.config["MATERIALS_DIR"] = str(tmp_path / "materials")
    return app


def _apply(client: FlaskClient, call: int) -> int:
    response = client.post("/applications/new", data={**apply_data(call, measures=[AWARD]),
                                                      **files(form=(PDF, "申报表.pdf"), licence=(PNG, "执照.png"))})
    assert response.status_code == 302, response.get_data(as_text=True)[:1500]
    return int(response.location.rsplit("/", 1)[1])


def _text(mail: Any) -> str:
    return str(mail.get_body(preferencelist=("plain",)).get_content())


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_receipt_request_and_decision_are_told(bureau: Flask, client: FlaskClient, seeded: Seeded, smtp: Inbox) -> None:
    call = open_call(bureau, measures=(AWARD,))
    login(client, "alice")
    fill_enterprise(client)
    app_id = _apply(client, call)
    (mail,) = smtp.messages
    assert mail["To"] == "wang@example.cn" and mail["Subject"] == f"已受理：申请 #{app_id}"
    assert "北京时间" in _text(mail) and f"/notices/receipt/{app_id}.pdf" in _text(mail)
    (attached,) = list(mail.iter_attachments())  # the 受理回执 PDF travels with the e-mail
    assert attached.get_content_type() == "application/pdf" and attached.get_filename().startswith("receipt-SL-")
    assert "受理回执" in _pdf_text(attached.get_content())
    inbox = client.get("/notices/").get_data(as_text=True)
    assert f"已受理：申请 #{app_id}" in inbox
    receipt = client.get(f"/notices/receipt/{app_id}").get_data(as_text=True)
    assert "受理回执" in receipt and "申报表.pdf" in receipt and "审计链位置" in receipt
    assert bureau.test_client().get(f"/notices/receipt/{app_id}").status_code in (302, 401)  # not without logging in
    with bureau.app_context():  # alice reads English from now on
        user = web_queries.user_by_id(db(), seeded.users["alice"])
        assert user is not None
        user.lang = "en"
        db().commit()
    reviewer = bureau.test_client()
    login(reviewer, "rita")
    reviewer.post(f"/review/applications/{app_id}/decide", data={"action": "start", "reason": "ok"})
    reviewer.post(f"/review/applications/{app_id}/decide", data={"action": "request_info", "reason": "请补充盖章申报表"})
    asked = smtp.messages[-1]
    assert asked["Subject"] == f"Information requested: application #{app_id}" and "请补充盖章申报表" in _text(asked)
    with bureau.app_context():
        notices = notice_queries.inbox(db(), seeded.users["alice"])
        assert [n.subject for n in notices][:2] == [f"Information requested: application #{app_id}",
                                                    f"已受理：申请 #{app_id}"]
        assert all(n.emailed_at is not None for n in notice_queries.notices_of_application(db(), app_id) if n.email_to)
    opened = client.get(f"/notices/{notices[0].id}").get_data(as_text=True)
    assert "请补充盖章申报表" in opened
    assert client.get(f"/notices/{notices[0].id + 1000}").status_code == 404


def test_a_mail_server_down_loses_no_notice(bureau: Flask, client: FlaskClient, seeded: Seeded,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_PORT", str(PORT + 1))  # nobody listens there
    monkeypatch.setenv("SMTP_TIMEOUT", "2")
    call = open_call(bureau, measures=(AWARD,))
    login(client, "alice")
    fill_enterprise(client)
    app_id = _apply(client, call)  # the submission stands
    with bureau.app_context():
        rows = notice_queries.notices_of_application(db(), app_id)
        mailed = [n for n in rows if n.email_to]
        assert len(rows) == 2 and mailed[0].emailed_at is None and "ConnectionRefused" in (mailed[0].email_error or "")
    assert f"已受理：申请 #{app_id}" in client.get("/notices/").get_data(as_text=True)


def test_a_new_call_is_told_to_applicants_it_may_fit(bureau: Flask, client: FlaskClient, seeded: Seeded,
                                                     smtp: Inbox) -> None:
    from web.store.models import Decision

    with bureau.app_context():  # alice has an e-mail; her latest decision found the award eligible
        user = web_queries.user_by_id(db(), seeded.users["alice"])
        assert user is not None
        user.email = "alice@example.cn"
        outcome = db().query(Decision).filter_by(application_id=seeded.application_a).one().outcomes_json
        db().commit()
    assert f'"{AWARD}":"eligible"' in outcome.replace(" ", "")
    admin = bureau.test_client()
    login(admin, "adam")
    data = {"measure": [AWARD], "title": "2026年度奖励申报", "year": "2026", "body": "清远市科学技术局",
            "opens": "2026-01-01T09:00", "closes": "2030-12-31T17:00", "budget": "100", "method": "rank_full",
            "rank_by": "received", "notice_days": "5", f"cap-{AWARD}": "", f"materials-{AWARD}": "申报表 / form"}
    page = admin.post("/calls/new", data=data, follow_redirects=True).get_data(as_text=True)
    assert "已通知 2 个可能符合条件的申请人账号" in page, re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))[:1500]
    (mail,) = [m for m in smtp.messages if m["To"] == "alice@example.cn"]
    assert mail["Subject"] == "可以申报了：2026年度奖励申报" and f"measure={AWARD}" in mail.get_content()
    login(client, "alice")
    assert "可以申报了：2026年度奖励申报" in client.get("/notices/").get_data(as_text=True)


def test_the_receipt_is_a_pdf_with_every_field(bureau: Flask, client: FlaskClient, seeded: Seeded) -> None:
    """The 受理回执 PDF (text extracted with pypdf): receipt number, applicant, credit code, call, accepting body,
    measures by title, materials with their SHA-256, time received in Beijing time and the chain entry's hash; in
    the applicant's language; the contact masked for a role that may not see it; nobody else's."""
    call = open_call(bureau, measures=(AWARD,))
    login(client, "alice")
    fill_enterprise(client)
    app_id = _apply(client, call)
    assert f"/notices/receipt/{app_id}.pdf" in client.get(f"/applications/{app_id}").get_data(as_text=True)
    response = client.get(f"/notices/receipt/{app_id}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-") and "no-store" in response.headers["Cache-Control"]
    text = _pdf_text(response.data)
    with bureau.app_context():
        application = web_queries.application_of(db(), app_id, None)
        assert application is not None
        entry = notice_queries.submission_entry(db(), app_id)
        assert entry is not None
        hashes = [m.sha256 for m in material_queries.materials_of(db(), app_id)]
        received = local_time(application.submitted_at)
        code, name = application.applicant.display_code, application.applicant.name
        title = current_ruleset().measures[AWARD].title
    flat = re.sub(r"\s+", "", text)
    for field in ("受理回执", f"SL-{received[:10].replace('-', '')}-{app_id:06d}", f"#{app_id}", name, code,
                  "2025年度网页测试申报", "清远市科学技术局", title.zh, "受理时间（北京时间）", received.replace(" ", ""),
                  "申报表.pdf", "执照.png", "13800001234", entry.hash, f"#{entry.chain_seq}", *hashes):
        assert re.sub(r"\s+", "", field) in flat, (field, text)
    assert "subsidy" not in text and "·" not in text  # no command an applicant cannot run; no glyph the font lacks
    admin = bureau.test_client()
    login(admin, "adam")
    staff = re.sub(r"\s+", "", _pdf_text(admin.get(f"/notices/receipt/{app_id}.pdf").data))
    assert "138****1234" in staff and "13800001234" not in staff and "王*" in staff and code in staff
    with bureau.app_context():  # alice reads English: her receipt, and the bureau's copy of it, are in English
        user = web_queries.user_by_id(db(), seeded.users["alice"])
        assert user is not None
        user.lang = "en"
        db().commit()
    english = _pdf_text(admin.get(f"/notices/receipt/{app_id}.pdf").data)
    assert "Acknowledgement of receipt" in english and "Received (Beijing time)" in english and title.en in english
    assert "受理回执" not in english
    other = bureau.test_client()
    login(other, "bob")
    assert other.get(f"/notices/receipt/{app_id}.pdf").status_code == 404
