"""This file defines how the notices' e-mails leave: an outbox in the database, drained after the commit.

A notice with an address is stored with its e-mail due (`notice.email_due_at`) in the same transaction as the
notice itself — for a receipt, the submission's own transaction — so an acknowledged notice's e-mail is never lost
to a crash or a restart. The page that stored it does not wait for the mail server (issue 18: an SMTP round trip and
the 受理回执 PDF drawn for the attachment ran on the request's thread, inside the busiest request): it wakes its
process's **sender thread**, which claims each due e-mail (a conditional update: two workers never send one twice
at once), draws its attachment (web.notices.receipt_pdf, cached), sends it and stores the outcome. A failed try is
retried after 1, 2, 4 … minutes (`MAX_ATTEMPTS` in all, then given up with its error kept); a claimed e-mail whose
sender died is tried again once its claim (`LEASE`) has run out. Each sender also sweeps the outbox every
`SWEEP_S` seconds, and one starts in every `subsidy serve` worker, so e-mails left by a restart go out; `subsidy
cleanup` drains it too. Without SMTP settings (web.notices.mailer) nothing is queued: the notice stays in the
site's inbox with the reason, as before.

Under the test client (``app.testing``) the outbox is drained on the request's thread after the commit, so a test
reads the mailbox when the response is back; `MAIL_OUTBOX` = "thread" or "inline" chooses explicitly.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
from collections.abc import Callable
from typing import Any

from web.notices.mailer import NOT_CONFIGURED, SmtpSettings, send_mail
from web.store import notice_queries

MAX_ATTEMPTS = 8
LEASE = dt.timedelta(minutes=5)
SWEEP_S = 60.0
BATCH = 50
KEY = "subsidy.outbox"
log = logging.getLogger("subsidy.mail")


def initial(settings: SmtpSettings | None = None, now: dt.datetime | None = None) -> tuple[dt.datetime | None,
                                                                                              str | None]:
    """(due at, error) of a new notice's e-mail: due now when a mail server is configured, else never (and why)."""
    if (settings or SmtpSettings.from_env()) is None:
        return None, NOT_CONFIGURED
    return now or notice_queries.now(), None


def retry_after(attempts: int) -> dt.timedelta | None:
    """How long after its `attempts`-th failed try an e-mail is tried again (None: given up).

    >>> retry_after(1), retry_after(3), retry_after(MAX_ATTEMPTS)
    (datetime.timedelta(seconds=60), datetime.timedelta(seconds=240), None)
    """
    return None if attempts >= MAX_ATTEMPTS else dt.timedelta(minutes=2 ** (attempts - 1))


Attach = Callable[[Any, Any], tuple[tuple[str, bytes, str], ...]]


def drain(session: Any, attachments: Attach, settings: SmtpSettings | None = None,
          clock: Callable[[], dt.datetime] = notice_queries.now) -> int:
    """Send every e-mail due now, one claim and one outcome (each committed) at a time; returns how many went.

    Args:
        session: a store session (committed as it goes).
        attachments: (session, notice) → the files the e-mail carries (the receipt's PDF).
        settings: the mail server (default: the environment).
    """
    settings = settings or SmtpSettings.from_env()
    sent, tried = 0, set()
    while True:
        due = [(i, n) for i, n in notice_queries.due_emails(session, clock(), BATCH) if i not in tried]
        session.commit()
        if not due:
            return sent
        for notice_id, attempts in due:
            tried.add(notice_id)
            now = clock()
            if not notice_queries.claim_email(session, notice_id, attempts, now, now + LEASE):
                session.rollback()
                continue
            session.commit()
            sent += _try(session, notice_id, attempts + 1, attachments, settings, clock)


def _try(session: Any, notice_id: int, attempt: int, attachments: Attach, settings: SmtpSettings | None,
         clock: Callable[[], dt.datetime]) -> int:
    row = notice_queries.notice_by_id(session, notice_id)
    if row is None or not row.email_to:
        return 0
    try:
        files = attachments(session, row)
    except Exception:  # noqa: BLE001 — the e-mail goes without it (the link in the text still serves it)
        log.exception("notice #%s: attachment not drawn", notice_id)
        files = ()
    error = send_mail(str(row.email_to), row.subject, row.body, settings, attachments=files)
    now = clock()
    wait = retry_after(attempt) if error else None
    notice_queries.record_email(session, notice_id, error, now, now + wait if wait else None)
    session.commit()
    if error:
        log.warning("notice #%s: e-mail try %s failed (%s)%s", notice_id, attempt, error,
                    "" if wait else "; given up")
    return 0 if error else 1


class Sender:
    """The process's sender thread for one app: woken after a notice is stored, and every SWEEP_S seconds."""

    def __init__(self, app: Any, drain_once: Callable[[], int]):
        self.app, self.drain_once = app, drain_once
        self.wake, self.lock = threading.Event(), threading.Lock()
        self.thread: threading.Thread | None = None
        self.pid = 0

    def kick(self) -> None:
        """Make sure this process's thread runs (a forked worker starts its own), and wake it."""
        with self.lock:
            if self.thread is None or self.pid != os.getpid() or not self.thread.is_alive():
                self.pid = os.getpid()
                self.thread = threading.Thread(target=self._run, name="subsidy-mail", daemon=True)
                self.thread.start()
        self.wake.set()

    def _run(self) -> None:
        while True:
            self.wake.clear()
            try:
                with self.app.app_context():
                    self.drain_once()
            except Exception:  # noqa: BLE001 — the thread must outlive a database hiccup; the sweep retries
                log.exception("the mail outbox could not be drained")
            self.wake.wait(SWEEP_S)


def sender(app: Any, drain_once: Callable[[], int]) -> Sender:
    """The app's sender (made once per app)."""
    found: Sender | None = app.extensions.get(KEY)
    if found is None:
        found = app.extensions.setdefault(KEY, Sender(app, drain_once))
    return found
