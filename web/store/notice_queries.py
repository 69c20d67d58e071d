"""This file defines the reads and writes of notices to applicants: who an application's notices go to, the
notice rows (the site's inbox), the outcome of their e-mail, and reading them. Writers only flush: the
caller commits."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from web.store.models import Application, LedgerEntry, Notice, User, utcnow


def recipients(session: Session, application_id: int) -> tuple[Application | None, list[User]]:
    """The application (with its applicant) and the applicant's active accounts."""
    application = session.scalars(select(Application).where(Application.id == application_id)
                                  .options(selectinload(Application.applicant))).first()
    if application is None:
        return None, []
    users = list(session.scalars(select(User).where(User.applicant_id == application.applicant_id,
                                                    User.active.is_(True)).order_by(User.id)))
    return application, users


def add_notice(session: Session, *, kind: str, lang: str, subject: str, body: str, applicant_id: int | None,
               user_id: int | None, application_id: int | None, email_to: str | None) -> Notice:
    row = Notice(kind=kind, lang=lang, subject=subject[:300], body=body, applicant_id=applicant_id, user_id=user_id,
                 application_id=application_id, email_to=email_to, created_at=utcnow())
    session.add(row)
    session.flush()
    return row


def record_email(session: Session, notice_id: int, error: str | None, now: dt.datetime | None = None) -> None:
    row = session.get(Notice, notice_id)
    if row is not None:
        row.emailed_at, row.email_error = (None, error) if error else (now or utcnow(), None)
        session.flush()


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
