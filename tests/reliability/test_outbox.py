"""Issue 18, continued: the notices' e-mails leave through an outbox (web.notices.outbox), not on the request's
thread. A submission answers before its receipt's e-mail is sent; the sender thread sends it with the 受理回执 PDF —
the same bytes as the download; a failed try is retried later, a claimed one is sent once, one whose sender died
is sent after its claim runs out, `subsidy cleanup` sends what is due. On SQLite and PostgreSQL.

Before: the receipt PDF was drawn and the e-mail sent on the request's thread after the commit (21 ms of CPU and
an SMTP round trip inside the busiest request, two more write transactions), and a failed e-mail was never retried.
"""

from __future__ import annotations

import datetime as dt
import io
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from pypdf import PdfReader
from sitekit import login, seeded_site, submit_through_site
from sqlalchemy.orm import Session

from engine.model import RuleSet
from tests.smtp_kit import Inbox, local_smtp, smtp_fixture
from tests.web.bureau_kit import AWARD, open_call
from tests.web.conftest import PAGES, Seeded, web_ruleset  # noqa: F401
from web.cli import main
from web.db_session import db, dispose
from web.notices import outbox
from web.notices.mailer import SmtpSettings
from web.store import notice_queries

PORT = 8336
smtp = smtp_fixture(PORT)
NOBODY = SmtpSettings("127.0.0.1", PORT + 1, "bureau@example.cn", None, None, False, 2.0)  # nobody listens there
LISTENING = SmtpSettings("127.0.0.1", PORT, "bureau@example.cn", None, None, False, 5.0)


@pytest.fixture
def site(db_url: str, web_ruleset: RuleSet, tmp_path: Path) -> Iterator[tuple[Flask, Seeded]]:  # noqa: F811
    app, data = seeded_site(db_url, web_ruleset, MATERIALS_DIR=str(tmp_path / "materials"), MAIL_OUTBOX="thread")
    yield app, data
    dispose(app)


def test_the_receipt_mail_leaves_from_the_sender_thread_with_the_receipt_pdf(site: tuple[Flask, Seeded],
                                                                             smtp: Inbox) -> None:
    app, _data = site
    client = app.test_client()
    login(client, "alice")
    app_id = submit_through_site(client, open_call(app, measures=(AWARD,)), [AWARD])
    deadline = time.monotonic() + 20
    while not smtp.messages and time.monotonic() < deadline:
        time.sleep(0.05)
    (mail,) = smtp.messages
    assert mail["Subject"] == f"已受理：申请 #{app_id}"
    (attached,) = list(mail.iter_attachments())
    download = client.get(f"/notices/receipt/{app_id}.pdf")
    assert download.status_code == 200 and attached.get_content() == download.data  # one record, the same bytes
    assert "受理回执" in "".join(p.extract_text() for p in PdfReader(io.BytesIO(download.data)).pages)
    with app.app_context():
        (row,) = [n for n in notice_queries.notices_of_application(db(), app_id) if n.email_to]
        deadline = time.monotonic() + 10
        while row.emailed_at is None and time.monotonic() < deadline:  # the outcome is stored after the send
            time.sleep(0.05)
            db().rollback()
            row = notice_queries.notice_by_id(db(), row.id) or row
        assert row.emailed_at is not None and row.email_due_at is None and row.email_attempts == 1


def _queue(session: Session, now: dt.datetime, n: int = 1) -> list[int]:
    ids = [notice_queries.add_notice(session, kind="payee", lang="zh", subject=f"通知 {i}", body="正文",
                                     applicant_id=None, user_id=None, application_id=None,
                                     email_to=f"a{i}@example.cn", email_due_at=now).id for i in range(n)]
    session.commit()
    return ids


def _none(_session: Session, _notice: object) -> tuple[tuple[str, bytes, str], ...]:
    return ()


def test_a_failed_try_is_retried_later_and_then_sent(session: Session) -> None:
    now = notice_queries.now()
    (notice_id,) = _queue(session, now)
    assert outbox.drain(session, _none, NOBODY, clock=lambda: now) == 0
    row = notice_queries.notice_by_id(session, notice_id)
    assert row is not None and row.emailed_at is None and row.email_attempts == 1 and row.email_error
    assert row.email_due_at == now + dt.timedelta(minutes=1)  # 1, 2, 4 … minutes
    with local_smtp(PORT) as (inbox, _settings):
        assert outbox.drain(session, _none, LISTENING, clock=lambda: now) == 0  # not due yet
        later = now + dt.timedelta(minutes=1, seconds=1)
        assert outbox.drain(session, _none, LISTENING, clock=lambda: later) == 1
    assert [m["To"] for m in inbox.messages] == ["a0@example.cn"]
    row = notice_queries.notice_by_id(session, notice_id)
    assert row is not None and row.emailed_at is not None and row.email_due_at is None and row.email_error is None


def test_an_email_is_given_up_after_its_last_try(session: Session) -> None:
    now = notice_queries.now()
    (notice_id,) = _queue(session, now)
    for day in range(1, outbox.MAX_ATTEMPTS + 1):
        outbox.drain(session, _none, NOBODY, clock=lambda d=day: now + dt.timedelta(days=d))  # type: ignore[misc]
    row = notice_queries.notice_by_id(session, notice_id)
    assert row is not None and row.email_attempts == outbox.MAX_ATTEMPTS and row.email_due_at is None
    assert row.email_error and row.emailed_at is None  # the notice and the reason stay


def test_a_claimed_email_is_sent_once_and_a_dead_senders_after_its_claim(session: Session, db_url: str) -> None:
    from web.store.db import make_engine, make_session_factory

    now = notice_queries.now()
    (notice_id,) = _queue(session, now)
    engine = make_engine(db_url)
    try:
        with make_session_factory(engine)() as other:
            assert notice_queries.claim_email(session, notice_id, 0, now, now + outbox.LEASE)
            session.commit()
            assert not notice_queries.claim_email(other, notice_id, 0, now, now + outbox.LEASE)  # taken: not twice
            other.rollback()
    finally:
        engine.dispose()
    with local_smtp(PORT) as (inbox, _settings):  # the claimer died before sending
        assert outbox.drain(session, _none, LISTENING, clock=lambda: now + dt.timedelta(minutes=1)) == 0
        assert outbox.drain(session, _none, LISTENING, clock=lambda: now + outbox.LEASE) == 1
    assert len(inbox.messages) == 1


def test_cleanup_sends_what_is_due(session: Session, db_url: str, tmp_path: Path,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    _queue(session, notice_queries.now() - dt.timedelta(seconds=1), n=3)
    with local_smtp(PORT) as (inbox, settings):
        for key, value in settings.items():
            monkeypatch.setenv(key, value)
        result = CliRunner().invoke(main, ["cleanup", "--db", db_url, "--materials", str(tmp_path)],
                                    catch_exceptions=False)
    assert result.exit_code == 0 and "e-mails sent from the outbox: 3" in result.output, result.output
    assert sorted(m["To"] for m in inbox.messages) == ["a0@example.cn", "a1@example.cn", "a2@example.cn"]
