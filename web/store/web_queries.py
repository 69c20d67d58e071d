"""This file defines the store reads and writes the web pages need beyond web.store.queries.

Accounts by id, account activation, ownership checks, the reviewer's queue rows, the auditor's decision
search and the RuleSet versions in use. Like queries.py it is the only place these statements are built;
views import this module, never web.store.models or sqlalchemy. Writers only flush: the view commits
(`commit`), so a view's validate → act → commit → redirect reads in one place.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, selectinload

from web.store.identity import identity_of
from web.store.models import Applicant, Application, Decision, ReviewAction, RulesetSnapshot, User
from web.store.queries import find_applicants

MAX_SEARCH = 50


def commit(session: Session) -> None:
    session.commit()


def rollback(session: Session) -> None:
    session.rollback()


# -- accounts -----------------------------------------------------------------------------------------

def user_by_id(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).options(selectinload(User.applicant)).order_by(User.username)))


def set_user_active(session: Session, user_id: int, active: bool) -> User | None:
    """Activate or deactivate an account (flushed; the caller commits). None when there is no such user."""
    user = session.get(User, user_id)
    if user is not None:
        if user.active and not active:
            user.session_epoch = (user.session_epoch or 0) + 1  # its sessions and API tokens die now, and stay dead
        user.active = active
        session.flush()
    return user


def change_password(session: Session, user_id: int, password: str) -> None:
    """Set a user's password and end every session and API token issued before (flushed; the caller commits)."""
    user = session.get(User, user_id)
    if user is None:
        return
    user.set_password(password)
    user.session_epoch = (user.session_epoch or 0) + 1
    session.flush()


def bump_session_epoch(session: Session, user_id: int) -> None:
    """Invalidate every session cookie issued to this user so far (logout); flushed, the caller commits.

    One atomic UPDATE (epoch + 1): two logouts at once both count. The user loader refuses a session whose
    stored epoch differs from the account's.
    """
    session.execute(update(User).where(User.id == user_id)
                    .values(session_epoch=User.session_epoch + 1, updated_at=User.updated_at))


def applicants_by_code(session: Session, code: str) -> list[Applicant]:
    return find_applicants(session, code) if code.strip() else []


def get_applicant(session: Session, applicant_id: int) -> Applicant | None:
    return session.get(Applicant, applicant_id)


def profile_is_applicant(session: Session, applicant_id: int, profile: Any) -> bool:
    """Whether a validated profile identifies this applicant (same credit code / ID number / name)."""
    applicant = session.get(Applicant, applicant_id)
    return applicant is not None and identity_of(profile).digest == applicant.identity_digest


# -- applications -------------------------------------------------------------------------------------

def application_of(session: Session, application_id: int, applicant_id: int | None = None) -> Application | None:
    """An application with its applicant, decisions and reviews; None if missing or (with `applicant_id`)
    not that applicant's: a page shows "not found" for someone else's application, never "forbidden"."""
    stmt = (select(Application).where(Application.id == application_id)
            .options(selectinload(Application.applicant), selectinload(Application.decisions),
                     selectinload(Application.reviews).selectinload(ReviewAction.user))
            .execution_options(populate_existing=True))
    if applicant_id is not None:
        stmt = stmt.where(Application.applicant_id == applicant_id)
    return session.scalars(stmt).first()


def applications_of(session: Session, applicant_id: int) -> list[Application]:
    """One applicant's applications, newest first, with their decisions."""
    return list(session.scalars(select(Application).where(Application.applicant_id == applicant_id)
                                .options(selectinload(Application.decisions))
                                .order_by(Application.id.desc())))


@dataclass(frozen=True)
class QueueRow:
    """What the reviewer's queue shows and filters on for one application (its latest decision)."""

    application_id: int
    applicant_name: str
    applicant_code: str
    applicant_kind: str
    status: str
    priority: int
    submitted_at: dt.datetime
    measures: tuple[str, ...]
    decision_id: int | None
    outcomes: dict[str, str]
    amount: int  # the best stacked cash total of the latest decision, in yuan

    def age_days(self, today: dt.date) -> int:
        return (today - self.submitted_at.date()).days


def queue_rows(session: Session, statuses: tuple[str, ...] | None = None) -> list[QueueRow]:
    """Every application (optionally of these statuses) with the summary of its latest decision."""
    latest = (select(Decision.application_id, func.max(Decision.id).label("decision_id"))
              .group_by(Decision.application_id).subquery())
    stmt = (select(Application, Applicant, Decision)
            .join(Applicant, Application.applicant_id == Applicant.id)
            .outerjoin(latest, latest.c.application_id == Application.id)
            .outerjoin(Decision, Decision.id == latest.c.decision_id)
            .order_by(Application.id))
    if statuses:
        stmt = stmt.where(Application.status.in_(statuses))
    return [_queue_row(app, applicant, decision) for app, applicant, decision in session.execute(stmt)]


def _queue_row(app: Application, applicant: Applicant, decision: Decision | None) -> QueueRow:
    outcomes = json.loads(decision.outcomes_json) if decision is not None else {}
    amount = 0
    if decision is not None:
        stacking = json.loads(decision.decision_json).get("stacking") or {}
        amount = int(stacking.get("total") or 0)
    return QueueRow(app.id, applicant.name, applicant.display_code, applicant.kind, app.status, app.priority,
                    app.submitted_at, tuple(app.measures or ()), decision.id if decision else None, outcomes, amount)


# -- audit --------------------------------------------------------------------------------------------

def search_decisions(session: Session, text: str) -> list[Decision]:
    """Decisions found by decision id ("12" or "#12"), credit code / ID number, or part of the applicant's name."""
    text = text.strip()
    if not text:
        return []
    conditions: list[Any] = [Applicant.name.contains(text, autoescape=True)]
    number = text.lstrip("#")
    if number.isdigit():
        conditions.append(Decision.id == int(number))
    ids = [a.id for a in find_applicants(session, text)]
    if ids:
        conditions.append(Applicant.id.in_(ids))
    stmt = (select(Decision).join(Decision.application).join(Application.applicant).where(or_(*conditions))
            .options(selectinload(Decision.application).selectinload(Application.applicant))
            .order_by(Decision.id.desc()).limit(MAX_SEARCH))
    return list(session.scalars(stmt))


def recent_decisions(session: Session, limit: int = 10) -> list[Decision]:
    return list(session.scalars(select(Decision).options(
        selectinload(Decision.application).selectinload(Application.applicant))
        .order_by(Decision.id.desc()).limit(limit)))


# -- admin --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RulesetUse:
    hash: str
    stored_at: dt.datetime
    decisions: int
    first_decision: dt.datetime | None
    last_decision: dt.datetime | None


def rulesets_in_use(session: Session) -> list[RulesetUse]:
    """Every stored RuleSet snapshot with how many decisions reference it, newest first."""
    stmt = (select(RulesetSnapshot.hash, RulesetSnapshot.created_at, func.count(Decision.id),
                   func.min(Decision.created_at), func.max(Decision.created_at))
            .outerjoin(Decision, Decision.ruleset_hash == RulesetSnapshot.hash)
            .group_by(RulesetSnapshot.hash, RulesetSnapshot.created_at)
            .order_by(RulesetSnapshot.created_at.desc()))
    return [RulesetUse(*row) for row in session.execute(stmt)]


def username_taken(session: Session, username: str) -> bool:
    return session.scalar(select(func.count(User.id)).where(func.lower(User.username) == username.lower())) > 0


# -- calls --------------------------------------------------------------------------------------------

def application_ids_of_call(session: Session, call_id: int) -> set[int]:
    return set(session.scalars(select(Application.id).where(Application.call_id == call_id)))
