"""This file defines what triage reads from the store: the facts of applications (from their stored profile and
Decision JSON), the join keys they can meet others on, the applications sharing one, and what the facts were read
from — so that a run judged before its lock can check under it that nothing it read has changed (web.store.
triage_queries.retriage, issue 18)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator
from types import SimpleNamespace
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from engine.decision import Outcome
from engine.errors import ProfileError
from engine.profile import parse_profile
from engine.triage import ApplicationFacts, Exclusions, application_facts
from engine.triage.facts import to_fraction
from web.store.models import Application, Decision, ReviewAction, TriageKey
from web.store.queries import CLOSING_STATUSES, lifecycle_state

CLOSED = CLOSING_STATUSES
# web status → lifecycle state the triage rules watch: submitted → submitted, decided → screened (the engine has
# screened it, no reviewer yet), in_review and escalated → in_review, info_requested → info_requested, approved /
# rejected → approved / rejected; every triaged status → its statechart state (web.store.queries.lifecycle_state, the one mapping);
# withdrawn: not triaged, not context
STATE_OF_STATUS = {status: lifecycle_state(status) for status in (
    "submitted", "decided", "in_review", "escalated", "info_requested", "approved", "rejected", "funded", "not_funded",
    "paid")}
CHUNK = 500
KEY_LENGTH = 254


def count_candidates(session: Session) -> int:
    """How many applications a run reads (those with a decision, not withdrawn): the progress bar's length."""
    return session.scalar(select(func.count(func.distinct(Decision.application_id)))
                          .join(Application, Application.id == Decision.application_id)
                          .where(Application.status.in_(tuple(STATE_OF_STATUS)))) or 0


def gather_facts(session: Session, *, exclusions: Exclusions | None = None,
                 on_each: Callable[[int], None] | None = None, ids: Iterable[int] | None = None,
                 ) -> tuple[list[ApplicationFacts], set[int], list[tuple[int, str]]]:
    """(facts of the applications with a decision — all, or those in `ids` —, ids of the open ones (readable
    or not), (id, reason) of the unreadable ones)."""
    facts, open_ids, skipped, _seen = gather(session, exclusions, on_each, ids)
    return facts, open_ids, skipped


Seen = tuple[tuple[Any, ...], ...]


def gather(session: Session, exclusions: Exclusions | None, on_each: Callable[[int], None] | None,
            ids: Iterable[int] | None) -> tuple[list[ApplicationFacts], set[int], list[tuple[int, str]], Seen]:
    """`gather_facts`, and what the facts were read from (`_state` of each application, freshly read)."""
    wanted = None if ids is None else sorted({int(i) for i in ids})
    parts: list[list[int] | None] = [None] if wanted is None else list(chunks(wanted))
    rows: list[Any] = []
    moved: dict[int, Any] = {}
    for chunk in parts:
        last = _latest(chunk).subquery()
        rows += session.execute(
            select(Application, Decision).join(Decision, Decision.application_id == Application.id)
            .join(last, last.c.id == Decision.id).where(Application.status.in_(tuple(STATE_OF_STATUS)))
            .order_by(Application.id).execution_options(populate_existing=True)).all()
        moved.update(dict(session.execute(_moves(chunk)).all()))
    facts, open_ids, skipped = [], set(), []
    for application, decision in rows:
        if application.status not in CLOSED:
            open_ids.add(application.id)
        try:
            facts.append(facts_of(application, decision, moved.get(application.id), exclusions))
        except (ProfileError, ArithmeticError, ValueError, KeyError, TypeError) as exc:
            skipped.append((application.id, f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"))
        if on_each is not None:
            on_each(1)
    seen = tuple(_state(*(getattr(a, c) for c in STATE_COLUMNS), d.id, moved.get(a.id)) for a, d in rows)
    return facts, open_ids, skipped, seen


STATE_COLUMNS = ("id", "status", "measures", "contact_phone", "contact_email", "materials_complete", "submitted_at",
                 "decided_at")  # with the latest decision's id and the last move: what an application's facts read


def _state(*values: Any) -> tuple[Any, ...]:
    return tuple(tuple(v) if isinstance(v, list) else v for v in values)


def _latest(chunk: list[int] | None) -> Any:
    latest = select(func.max(Decision.id).label("id")).group_by(Decision.application_id)
    return latest if chunk is None else latest.where(Decision.application_id.in_(chunk))


def _moves(chunk: list[int] | None) -> Any:
    moves = (select(ReviewAction.application_id, func.max(ReviewAction.created_at))
             .where(ReviewAction.action != "comment").group_by(ReviewAction.application_id))
    return moves if chunk is None else moves.where(ReviewAction.application_id.in_(chunk))


def read_state(session: Session, ids: Iterable[int]) -> Seen:
    """What `gather` would read the facts of these applications from, now (columns only: no parsing)."""
    rows: list[Any] = []
    moved: dict[int, Any] = {}
    for chunk in chunks(ids):
        last = _latest(chunk).subquery()
        rows += session.execute(
            select(*(getattr(Application, c) for c in STATE_COLUMNS), Decision.id)
            .join(Decision, Decision.application_id == Application.id).join(last, last.c.id == Decision.id)
            .where(Application.status.in_(tuple(STATE_OF_STATUS))).order_by(Application.id)).all()
        moved.update(dict(session.execute(_moves(chunk)).all()))
    return tuple(_state(*row, moved.get(row[0])) for row in rows)


def join_keys(fact: ApplicationFacts) -> set[tuple[str, str]]:
    """The (kind, value) pairs a join rule can pair this application on with another."""
    keys = {("org", fact.credit_code)} if fact.credit_code else set()
    keys |= {(kind, value) for kind, value in (("phone", fact.contact_phone), ("email", fact.contact_email)) if value}
    keys |= {("project", key) for key in fact.project_keys}
    return {(kind, value[:KEY_LENGTH]) for kind, value in keys}


def neighbours(session: Session, application_ids: Iterable[int], keys: set[tuple[str, str]]) -> set[int]:
    """The applications sharing a join key with these (their stored keys, or `keys`): one indexed query each."""
    ids = sorted({int(i) for i in application_ids})
    found = set(ids)
    stored = set(session.execute(select(TriageKey.kind, TriageKey.value).where(TriageKey.application_id.in_(ids))))
    wanted = sorted(keys | {(k, v) for k, v in stored})
    for start in range(0, len(wanted), 100):
        part = wanted[start:start + 100]
        found |= set(session.scalars(select(TriageKey.application_id).where(
            or_(*(and_(TriageKey.kind == k, TriageKey.value == v) for k, v in part)))))
    return found


def facts_of(application: Application, decision: Decision, last_move: dt.datetime | None = None,
             exclusions: Exclusions | None = None) -> ApplicationFacts:
    """The triage view of an application, from its stored profile and stored Decision JSON."""
    parsed = parse_profile(json.loads(decision.profile_json), decision.checked_on)
    stored = _stored_decision(decision.decision_json)
    measures = application.measures or _applied_for_all(stored, exclusions or Exclusions())
    since = max(t for t in (application.submitted_at, application.decided_at, last_move) if t is not None)
    return application_facts(str(application.id), parsed, stored, measures=measures,
                             status=STATE_OF_STATUS[application.status], status_since=since.date(),
                             contact_phone=application.contact_phone, contact_email=application.contact_email,
                             materials_complete=application.materials_complete)


def _stored_decision(decision_json: str) -> Any:
    """The parts of a stored Decision that application_facts reads (outcome, missing, gaps with shortfall)."""
    data = json.loads(decision_json)
    return SimpleNamespace(chosen=tuple((data.get("stacking") or {}).get("chosen") or ()), results=tuple(
        SimpleNamespace(measure_id=r["measure_id"], outcome=Outcome(r["outcome"]), missing=tuple(r.get("missing") or ()),
                        gaps=tuple(SimpleNamespace(condition=g["condition"], shortfall=to_fraction(g["shortfall"]))
                                   for g in r.get("gaps") or () if g.get("shortfall") is not None))
        for r in data["results"]))


def _applied_for_all(stored: Any, exclusions: Exclusions) -> list[str]:
    """What an application for "every measure that applies" is read as applying for.

    The combination the engine's stacking chose (exclusions already respected), then every other measure
    that applies (ineligible or undetermined: a near miss is worth seeing) and conflicts with none taken so
    far, in id order. Reading it as *every* applicable measure would flag each such application with its
    own catalogue exclusions.
    """
    taken = list(stored.chosen)
    for result in sorted(stored.results, key=lambda r: r.measure_id):
        if result.outcome is Outcome.NOT_APPLICABLE or result.measure_id in taken:
            continue
        if not any(exclusions.excludes(result.measure_id, other) for other in taken):
            taken.append(result.measure_id)
    return taken


def chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    items = sorted(ids)
    for start in range(0, len(items), CHUNK):
        yield items[start:start + CHUNK]

