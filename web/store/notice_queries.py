"""This file defines the reads and writes of notices to applicants: who an application's notices go to, the
notice rows (the site's inbox), their e-mails' outbox (due, claimed, outcome: web.notices.outbox), and reading
them. Writers only flush: the caller commits."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload

from web.store.models import Applicant, Application, Decision, LedgerEntry, Notice, User, utcnow


def recipients(session: Session, application_id: int) -> tuple[Application | None, list[User]]:
    """The application (with its applicant) and the applicant's active accounts."""
    application = session.get(Application, application_id, options=[selectinload(Application.applicant)])
    if application is None:
        return None, []
    users = list(session.scalars(select(User).where(User.applicant_id == application.applicant_id,
                                                    User.active.is_(True)).order_by(User.id)))
    return application, users


def add_notice(session: Session, *, kind: str, lang: str, subject: str, body: str, applicant_id: int | None,
               user_id: int | None, application_id: int | None, email_to: str | None,
               email_due_at: dt.datetime | None = None, email_error: str | None = None, flush: bool = True) -> Notice:
    """A notice row (flushed unless `flush` is False); with `email_to`, its e-mail is due at `email_due_at` (None: not
    to be sent, and `email_error` says why)."""
    row = Notice(kind=kind, lang=lang, subject=subject[:300], body=body, applicant_id=applicant_id, user_id=user_id,
                 application_id=application_id, email_to=email_to, created_at=utcnow(),
                 email_due_at=email_due_at if email_to else None, email_error=email_error if email_to else None)
    session.add(row)
    if flush:
        session.flush()
    return row


def due_emails(session: Session, now: dt.datetime, limit: int = 50) -> list[tuple[int, int]]:
    """(notice id, attempts so far) of the e-mails due by `now`, the longest waiting first (indexed)."""
    rows = session.execute(select(Notice.id, Notice.email_attempts).where(Notice.email_due_at <= now)
                           .order_by(Notice.email_due_at, Notice.id).limit(limit))
    return [(int(i), int(n)) for i, n in rows]


def claim_email(session: Session, notice_id: int, attempts: int, now: dt.datetime, until: dt.datetime) -> bool:
    """Take a due e-mail for one try: its next try moved to `until` (a sender that dies meanwhile leaves it to be
    tried again then) and the try counted — only if nobody took it since it was read as due with `attempts`."""
    taken = session.execute(update(Notice).where(Notice.id == notice_id, Notice.email_attempts == attempts,
                                                 Notice.email_due_at <= now)
                            .values(email_due_at=until, email_attempts=attempts + 1))
    session.flush()
    return bool(taken.rowcount == 1)  # type: ignore[attr-defined]


def record_email(session: Session, notice_id: int, error: str | None, now: dt.datetime | None = None,
                 retry_at: dt.datetime | None = None) -> None:
    """A try's outcome: sent (stamped), or the error with the next try (`retry_at`; None: given up)."""
    sent = (now or utcnow(), None, None)
    session.execute(update(Notice).where(Notice.id == notice_id).values(
        dict(zip(("emailed_at", "email_error", "email_due_at"), (None, error, retry_at) if error else sent,
                 strict=True))))
    session.flush()


def notice_by_id(session: Session, notice_id: int) -> Notice | None:
    """One notice, freshly read."""
    return session.get(Notice, notice_id, populate_existing=True)


def inbox(session: Session, user_id: int, limit: int = 200) -> list[Notice]:
    """A user's notices, newest first."""
    return list(session.scalars(select(Notice).where(Notice.user_id == user_id)
                                .order_by(Notice.id.desc()).limit(limit)))


def unread(session: Session, user_id: int) -> int:
    return int(session.scalar(select(func.count(Notice.id)).where(Notice.user_id == user_id,
                                                                  Notice.read_at.is_(None))) or 0)


def notice_of(session: Session, notice_id: int, user_id: int) -> Notice | None:
    """One of the user's notices, marked read (flushed); None when it is not theirs."""
    row = session.scalars(select(Notice).where(Notice.id == notice_id, Notice.user_id == user_id)).first()
    if row is not None and row.read_at is None:
        row.read_at = utcnow()
        session.flush()
    return row


def notices_of_application(session: Session, application_id: int) -> list[Notice]:
    return list(session.scalars(select(Notice).where(Notice.application_id == application_id).order_by(Notice.id)))


def submission_entry(session: Session, application_id: int) -> LedgerEntry | None:
    """The chained `submission` record of an application (its materials' hashes), for the 受理回执."""
    return session.scalars(select(LedgerEntry).where(LedgerEntry.application_id == application_id,
                                                     LedgerEntry.kind == "submission").order_by(LedgerEntry.id)).first()


def applicants_to_tell(session: Session, measures: list[str]) -> dict[int, list[str]]:
    """Per applicant with an active account: the measures among these that its latest decision found eligible or
    undetermined (a call for them has just opened)."""
    latest = (select(func.max(Decision.id)).join(Application, Application.id == Decision.application_id)
              .group_by(Application.applicant_id))
    rows = session.execute(select(Application.applicant_id, Decision.outcomes_json)
                           .join(Application, Application.id == Decision.application_id)
                           .join(Applicant, Applicant.id == Application.applicant_id)
                           .where(Decision.id.in_(latest)))
    active = set(session.scalars(select(User.applicant_id).where(User.active.is_(True), User.applicant_id.is_not(None))))
    out: dict[int, list[str]] = {}
    for applicant_id, outcomes_json in rows:
        outcomes = json.loads(outcomes_json)
        found = [m for m in measures if outcomes.get(m) in ("eligible", "undetermined")]
        if found and applicant_id in active:
            out[applicant_id] = found
    return out


def accounts_of(session: Session, applicant_id: int) -> list[User]:
    return list(session.scalars(select(User).where(User.applicant_id == applicant_id, User.active.is_(True))
                                .options(selectinload(User.applicant)).order_by(User.id)))


def contact_email(session: Session, applicant_id: int) -> str | None:
    """The contact e-mail address of the applicant's latest application (None: none given)."""
    return session.scalar(select(Application.contact_email).where(Application.applicant_id == applicant_id,
                                                                  Application.contact_email.is_not(None))
                          .order_by(Application.id.desc()).limit(1))


def now() -> dt.datetime:
    """The store's clock (naive UTC), the one the outbox schedules by."""
    return utcnow()
