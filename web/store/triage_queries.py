"""This file defines the store's side of reviewer triage: facts from stored decisions, runs, flags, priority.

`retriage()` is the one writer. It turns the stored profile and Decision JSON of applications into the
engine's ApplicationFacts, runs `engine.triage.triage()` over them, and then, in the same transaction,
replaces the flags of the open applications it read, records a `triage_run`, stores each application's
strongest route in `application_triage` and moves `application.priority` by the change of its triage
adjustment (so a priority set by hand stays, and re-triage never adds twice).

Incremental (issue 18): with `application_ids` it reads only those applications and the applications that
share one of their *join keys* (`triage_key`: company credit code, contact phone, contact e-mail, project;
indexed), before or now — every application a join rule can pair them with. Its cost does not grow with the
queue. A neighbour's join flags with applications outside the run are kept (the run did not see those), and
its fast-track flag only stands when none are. With None it reads every application (`subsidy triage --all`,
for the time-based rules and after a rule change) and refreshes every key. An application whose stored data
cannot be read, or on which the rules fail, gets a "needs manual triage" flag (engine.triage.run.MANUAL_RULE)
instead of failing the run.

Transactions: `retriage` owns its transaction. It commits whatever the session holds first, then takes
the triage lock — ``pg_advisory_xact_lock`` on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite — so two
re-triages queue instead of interleaving their deletes and inserts; an incremental run holds it for a few
milliseconds. Decisions may still be appended meanwhile; the next run picks them up.

Status mapping (web status → lifecycle state the triage rules watch): submitted → submitted,
decided → screened (the engine has screened it, no reviewer yet), in_review and escalated → in_review,
info_requested → info_requested, approved / rejected → approved / rejected; withdrawn applications are
left out. "Since" is the latest of submission, decision and any status-changing review action.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from sqlalchemy import and_, delete, func, insert, or_, select, text
from sqlalchemy.orm import Session

from engine.decision import Outcome
from engine.errors import ProfileError
from engine.profile import parse_profile
from engine.triage import (
    ApplicationFacts,
    Exclusions,
    Register,
    TriageResult,
    TriageRuleSet,
    application_facts,
    triage,
)
from engine.triage.facts import to_fraction
from engine.triage.model import ROUTE_ORDER, Flag
from engine.triage.run import MANUAL_RULE
from web.store.db import is_postgresql
from web.store.models import (
    Application,
    ApplicationTriage,
    Decision,
    ReviewAction,
    TriageFlag,
    TriageKey,
    TriageRun,
    utcnow,
)
from web.store.queries import CLOSING_STATUSES, lifecycle_state

CLOSED = CLOSING_STATUSES
# every triaged status → its statechart state (web.store.queries.lifecycle_state, the one mapping);
# withdrawn: not triaged, not context
STATE_OF_STATUS = {status: lifecycle_state(status) for status in (
    "submitted", "decided", "in_review", "escalated", "info_requested", "approved", "rejected", "funded", "not_funded",
    "paid")}
TRIAGE_LOCK = 0x7472696167  # pg_advisory_xact_lock key ("triag")
SMALLINT = (-32768, 32767)
CHUNK = 500
KEY_LENGTH = 254
FAST_TRACK = "fast_track"


@dataclass(frozen=True)
class Change:
    """What a run changed for one application: flags (rule id + details) added and removed, priority, route."""

    application_id: int
    added: tuple[str, ...]
    removed: tuple[str, ...]
    priority: tuple[int, int]
    route: tuple[str | None, str | None]


@dataclass(frozen=True)
class RunReport:
    run: TriageRun
    result: TriageResult
    covered: tuple[int, ...]  # open applications whose flags this run replaced
    changes: tuple[Change, ...]
    skipped: tuple[tuple[int, str], ...] = field(default=())  # (application id, why it could not be read)


# -- facts from the store -----------------------------------------------------------------------------

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
    wanted = None if ids is None else sorted({int(i) for i in ids})
    latest = select(func.max(Decision.id).label("id")).group_by(Decision.application_id)
    moves = (select(ReviewAction.application_id, func.max(ReviewAction.created_at))
             .where(ReviewAction.action != "comment").group_by(ReviewAction.application_id))
    chunks: list[list[int] | None] = [None] if wanted is None else list(_chunks(wanted))
    rows, moved = [], {}
    for chunk in chunks:
        sub, mv = latest, moves
        if chunk is not None:
            sub = sub.where(Decision.application_id.in_(chunk))
            mv = mv.where(ReviewAction.application_id.in_(chunk))
        last = sub.subquery()
        rows += session.execute(
            select(Application, Decision).join(Decision, Decision.application_id == Application.id)
            .join(last, last.c.id == Decision.id).where(Application.status.in_(tuple(STATE_OF_STATUS)))
            .order_by(Application.id)).all()
        moved.update(dict(session.execute(mv).all()))
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
    return facts, open_ids, skipped


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


# -- the writer ---------------------------------------------------------------------------------------

def retriage(session: Session, application_ids: Iterable[int] | None, today: dt.date, triage_rules: TriageRuleSet,
             *, exclusions: Exclusions | None = None, register: Register | None = None, engine: str = "auto",
             on_each: Callable[[int], None] | None = None) -> RunReport:
    """Triage the queue (or the applications named and their neighbours) as of `today`, in one transaction.

    Args:
        application_ids: None re-triages every application. Otherwise these and every application sharing a
            join key with them (see the module docstring): a new duplicate flags both sides, and a partner no
            longer a duplicate loses its flag.
        today: the clock date (working days waited, dated parameters).
        triage_rules: load_triage_rules("rules/triage"); its hash goes on the run and every flag.
        exclusions: Exclusions.from_ruleset(measure RuleSet); register: the bureau lists (default empty).
        on_each: called with 1 per application read (a progress bar).
    """
    if session.in_transaction():
        session.commit()
    try:
        _lock(session)
        ids = None
        if application_ids is not None:
            named, _open, _skip = gather_facts(session, exclusions=exclusions, ids=application_ids)
            ids = neighbours(session, application_ids, set().union(*map(join_keys, named)) if named else set())
        facts, open_ids, skipped = gather_facts(session, exclusions=exclusions, on_each=on_each, ids=ids)
        manual = {str(app_id): "unreadable" for app_id, _why in skipped}
        result = triage(facts, register or Register(), today, triage_rules, exclusions=exclusions,
                        engine=engine, manual=manual)  # type: ignore[arg-type]
        read = {int(f.application_id) for f in facts} | {app_id for app_id, _ in skipped}
        covered = set(open_ids)
        run = TriageRun(created_at=utcnow(), today=today, triage_ruleset_hash=result.ruleset_hash,
                        inputs_hash=result.inputs_hash, engine_used=result.engine_used, applications=len(covered),
                        flags=sum(1 for f in result.flags if int(f.application_id) in covered))
        session.add(run)
        session.flush()
        _write_keys(session, facts, read, everything=ids is None)
        changes = _write(session, run, result, covered, None if ids is None else {str(i) for i in read})
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return RunReport(run, result, tuple(sorted(covered)), tuple(changes), tuple(skipped))


def _lock(session: Session) -> None:
    if is_postgresql(session):
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": TRIAGE_LOCK})
    else:
        session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})


def _write_keys(session: Session, facts: list[ApplicationFacts], read: set[int], *, everything: bool) -> None:
    if everything:
        session.execute(delete(TriageKey))
    else:
        for chunk in _chunks(read):
            session.execute(delete(TriageKey).where(TriageKey.application_id.in_(chunk)))
    rows = [{"application_id": int(f.application_id), "kind": kind, "value": value}
            for f in facts for kind, value in sorted(join_keys(f))]
    if rows:
        session.execute(insert(TriageKey), rows)


def _flag_key(rule_id: str, details: dict[str, Any]) -> str:
    shown = ", ".join(f"{k}={v}" for k, v in sorted(details.items()))
    return f"{rule_id}({shown})" if shown else rule_id


def _stored_flags(session: Session, ids: Iterable[int]) -> dict[int, list[TriageFlag]]:
    out: dict[int, list[TriageFlag]] = {}
    for chunk in _chunks(ids):
        for row in session.scalars(select(TriageFlag).where(TriageFlag.application_id.in_(chunk)).order_by(TriageFlag.id)):
            out.setdefault(row.application_id, []).append(row)
    return out


def _outside(flag: TriageFlag, read: set[str] | None) -> bool:
    """A stored join flag with an application this run did not read: the run cannot judge it, so it stays
    (`read` None: the run read everything)."""
    other = (flag.details or {}).get("other_application")
    return read is not None and other is not None and other not in read and flag.rule_id != MANUAL_RULE


def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    items = sorted(ids)
    for start in range(0, len(items), CHUNK):
        yield items[start:start + CHUNK]


def _write(session: Session, run: TriageRun, result: TriageResult, covered: set[int],
           read: set[str] | None) -> list[Change]:
    now = run.created_at
    previous = _stored_flags(session, covered)
    kept = {app: [f for f in flags if _outside(f, read)] for app, flags in previous.items()}
    for chunk in _chunks(covered):
        stale = [f.id for app in chunk for f in previous.get(app, []) if f not in kept.get(app, [])]
        for start in range(0, len(stale), CHUNK):
            session.execute(delete(TriageFlag).where(TriageFlag.id.in_(stale[start:start + CHUNK])))
    new_flags: dict[int, list[Flag]] = {}
    for f in result.flags:
        app_id = int(f.application_id)
        if app_id in covered and not (f.rule_id == FAST_TRACK and kept.get(app_id)):
            new_flags.setdefault(app_id, []).append(f)
    rows = [{"application_id": app_id, "run_id": run.id, "rule_id": f.rule_id, "severity": f.severity,
             "route": f.route, "priority_delta": f.priority_delta, "message_zh": f.message.zh,
             "message_en": f.message.en, "details": dict(f.details), "triage_ruleset_hash": f.ruleset_hash,
             "inputs_hash": result.inputs_hash, "created_at": now}
            for app_id, flags in new_flags.items() for f in flags]
    if rows:
        session.execute(insert(TriageFlag), rows)
    applications: dict[int, Application] = {}
    states: dict[int, ApplicationTriage] = {}
    for chunk in _chunks(covered):
        applications.update((a.id, a) for a in session.scalars(select(Application).where(Application.id.in_(chunk))))
        states.update((s.application_id, s) for s in session.scalars(
            select(ApplicationTriage).where(ApplicationTriage.application_id.in_(chunk))))
    changes = []
    for app_id in sorted(covered):
        application, state = applications[app_id], states.get(app_id)
        final = [(f.rule_id, f.priority_delta, f.route) for f in new_flags.get(app_id, [])] + \
            [(f.rule_id, f.priority_delta, f.route) for f in kept.get(app_id, [])]
        delta = sum(dict((rule, d) for rule, d, _ in final).values())
        route = next((r for r in ROUTE_ORDER if r in {rt for _, _, rt in final}), None)
        before, old_route = application.priority, state.route if state else None
        after = min(max(before - (state.priority_delta if state else 0) + delta, SMALLINT[0]), SMALLINT[1])
        if after != before:
            application.priority = after
        if state is None:
            session.add(ApplicationTriage(application_id=app_id, run_id=run.id, route=route, priority_delta=delta,
                                          updated_at=now))
        else:
            state.run_id, state.route, state.priority_delta = run.id, route, delta
        old = {_flag_key(f.rule_id, f.details or {}) for f in previous.get(app_id, [])}
        new = {_flag_key(f.rule_id, f.details) for f in new_flags.get(app_id, [])} | \
            {_flag_key(f.rule_id, f.details or {}) for f in kept.get(app_id, [])}
        if old != new or before != after or old_route != route:
            changes.append(Change(app_id, tuple(sorted(new - old)), tuple(sorted(old - new)), (before, after),
                                  (old_route, route)))
    session.flush()
    return changes


# -- reads --------------------------------------------------------------------------------------------

def flags_for_application(session: Session, application_id: int) -> list[TriageFlag]:
    """The current flags of one application, by rule."""
    return list(session.scalars(select(TriageFlag).where(TriageFlag.application_id == application_id)
                                .order_by(TriageFlag.rule_id, TriageFlag.id)))


def queue_flags(session: Session, *, rule_id: str | None = None, severity: str | None = None,
                route: str | None = None, limit: int = 100, offset: int = 0) -> list[TriageFlag]:
    """Current flags of open applications, most urgent application first (priority, then id)."""
    stmt = (select(TriageFlag).join(Application, Application.id == TriageFlag.application_id)
            .where(Application.status.not_in(CLOSED))
            .order_by(Application.priority.desc(), Application.id, TriageFlag.rule_id, TriageFlag.id))
    if rule_id is not None:
        stmt = stmt.where(TriageFlag.rule_id == rule_id)
    if severity is not None:
        stmt = stmt.where(TriageFlag.severity == severity)
    if route is not None:
        stmt = stmt.where(TriageFlag.route == route)
    return list(session.scalars(stmt.limit(limit).offset(offset)))


def application_triage(session: Session, application_id: int) -> ApplicationTriage | None:
    """The application's stored route and triage priority adjustment (None: never triaged)."""
    return session.get(ApplicationTriage, application_id, populate_existing=True)


def latest_run(session: Session) -> TriageRun | None:
    return session.scalars(select(TriageRun).order_by(TriageRun.id.desc()).limit(1)).first()
