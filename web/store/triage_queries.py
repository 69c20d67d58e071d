"""This file defines the store's side of reviewer triage: facts from stored decisions, runs, flags, priority.

`retriage()` is the one writer. It turns the stored profile and Decision JSON of applications into the
engine's ApplicationFacts (web.store.triage_facts), runs `engine.triage.triage()` over them, and then, in the same transaction,
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
re-triages queue instead of interleaving their deletes and inserts. An incremental run reads and judges before
the lock and, under it, only re-reads which applications it would read and the columns their facts come from
(indexed, no parsing): unchanged, it writes its verdict; changed, it judges again there. So the lock covers a few
reads and the writes, not the judging (issue 18: it was 30-40 % of a submission's time under SQLite's one write
lock). Decisions may still be appended meanwhile; the next run picks them up.

Status mapping (web.store.triage_facts.STATE_OF_STATUS): withdrawn applications are left out. "Since" is the
latest of submission, decision and any status-changing review action.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, insert, select, text
from sqlalchemy.orm import Session

from engine.triage import Exclusions, Register, TriageResult, TriageRuleSet, triage
from engine.triage.facts import ApplicationFacts
from engine.triage.model import ROUTE_ORDER, Flag
from engine.triage.run import MANUAL_RULE
from web.store import triage_facts
from web.store.db import is_postgresql
from web.store.models import Application, ApplicationTriage, TriageFlag, TriageKey, TriageRun, utcnow
from web.store.triage_facts import (  # noqa: F401  (the store's triage API: re-exported)
    CHUNK,
    CLOSED,
    STATE_OF_STATUS,
    Seen,
    count_candidates,
    facts_of,
    gather_facts,
    join_keys,
    neighbours,
)

TRIAGE_LOCK = 0x7472696167  # pg_advisory_xact_lock key ("triag")
SMALLINT = (-32768, 32767)
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


# -- the writer ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Judged:
    """One run's reading and verdict: the applications read, the facts, the result, and what they were read from."""

    ids: set[int] | None
    keys: set[tuple[str, str]]
    facts: list[ApplicationFacts]
    open_ids: set[int]
    skipped: list[tuple[int, str]]
    result: TriageResult
    seen: Seen


def _judge(session: Session, application_ids: Iterable[int] | None, today: dt.date, triage_rules: TriageRuleSet,
           exclusions: Exclusions | None, register: Register | None, engine: str,
           on_each: Callable[[int], None] | None) -> _Judged:
    ids, keys = None, set()
    if application_ids is not None:
        named, _open, _skip = gather_facts(session, exclusions=exclusions, ids=application_ids)
        keys = set().union(*map(join_keys, named)) if named else set()
        ids = neighbours(session, application_ids, keys)
    facts, open_ids, skipped, seen = triage_facts.gather(session, exclusions, on_each, ids)
    manual = {str(app_id): "unreadable" for app_id, _why in skipped}
    result = triage(facts, register or Register(), today, triage_rules, exclusions=exclusions,
                    engine=engine, manual=manual)  # type: ignore[arg-type]
    return _Judged(ids, keys, facts, open_ids, skipped, result, seen)


def _unchanged(session: Session, application_ids: Iterable[int], judged: _Judged) -> bool:
    """Whether a verdict judged before the lock still holds under it: the same applications would be read, and
    nothing they were read from has changed (status, contacts, materials, latest decision, last move)."""
    assert judged.ids is not None
    ids = neighbours(session, application_ids, judged.keys)
    return ids == judged.ids and triage_facts.read_state(session, ids) == judged.seen


def retriage(session: Session, application_ids: Iterable[int] | None, today: dt.date, triage_rules: TriageRuleSet,
             *, exclusions: Exclusions | None = None, register: Register | None = None, engine: str = "auto",
             on_each: Callable[[int], None] | None = None,
             within: Callable[[Session], None] | None = None) -> RunReport:
    """Triage the queue (or the applications named and their neighbours) as of `today`, in one transaction.

    An incremental run reads and judges before it takes the lock, then, under the lock, checks that the same
    applications would be read and that nothing they were read from has changed (else judges again there): the
    lock covers a few indexed reads and the writes (issue 18), not the parsing and judging.

    Args:
        application_ids: None re-triages every application. Otherwise these and every application sharing a
            join key with them (see the module docstring): a new duplicate flags both sides, and a partner no
            longer a duplicate loses its flag.
        today: the clock date (working days waited, dated parameters).
        triage_rules: load_triage_rules("rules/triage"); its hash goes on the run and every flag.
        exclusions: Exclusions.from_ruleset(measure RuleSet); register: the bureau lists (default empty).
        on_each: called with 1 per application read (a progress bar).
        within: called last inside the run's transaction (the drainer removes its "to triage" marks there:
            web.store.triage_due). With it, the run's commit on PostgreSQL does not wait for its WAL flush
            (`synchronous_commit = off`): a crash may lose the run and the marks' removal together — never one
            without the other — so the marks are still there and the run is done again.
    """
    if session.in_transaction():
        session.commit()
    wanted = None if application_ids is None else sorted({int(i) for i in application_ids})
    try:
        judged = None
        if wanted is not None:
            judged = _judge(session, wanted, today, triage_rules, exclusions, register, engine, on_each)
            session.commit()  # the reading ends; the lock is taken next
        _lock(session)
        if within is not None and is_postgresql(session):
            session.execute(text("SET LOCAL synchronous_commit = off"))  # derived data, redone from its marks
        if judged is None or not _unchanged(session, wanted or [], judged):
            judged = _judge(session, wanted, today, triage_rules, exclusions, register, engine, on_each)
        ids, facts, result = judged.ids, judged.facts, judged.result
        read = {int(f.application_id) for f in facts} | {app_id for app_id, _ in judged.skipped}
        covered = set(judged.open_ids)
        run = TriageRun(created_at=utcnow(), today=today, triage_ruleset_hash=result.ruleset_hash,
                        inputs_hash=result.inputs_hash, engine_used=result.engine_used, applications=len(covered),
                        flags=sum(1 for f in result.flags if int(f.application_id) in covered))
        session.add(run)
        session.flush()
        _write_keys(session, facts, read, everything=ids is None)
        changes = _write(session, run, result, covered, None if ids is None else {str(i) for i in read})
        if within is not None:
            within(session)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return RunReport(run, result, tuple(sorted(covered)), tuple(changes), tuple(judged.skipped))


def _lock(session: Session) -> None:
    if is_postgresql(session):
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": TRIAGE_LOCK})
    else:
        session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})


def _write_keys(session: Session, facts: list[ApplicationFacts], read: set[int], *, everything: bool) -> None:
    if everything:
        session.execute(delete(TriageKey))
    else:
        for chunk in triage_facts.chunks(read):
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
    for chunk in triage_facts.chunks(ids):
        for row in session.scalars(select(TriageFlag).where(TriageFlag.application_id.in_(chunk)).order_by(TriageFlag.id)):
            out.setdefault(row.application_id, []).append(row)
    return out


def _outside(flag: TriageFlag, read: set[str] | None) -> bool:
    """A stored join flag with an application this run did not read: the run cannot judge it, so it stays
    (`read` None: the run read everything)."""
    other = (flag.details or {}).get("other_application")
    return read is not None and other is not None and other not in read and flag.rule_id != MANUAL_RULE


def _write(session: Session, run: TriageRun, result: TriageResult, covered: set[int],
           read: set[str] | None) -> list[Change]:
    now = run.created_at
    previous = _stored_flags(session, covered)
    kept = {app: [f for f in flags if _outside(f, read)] for app, flags in previous.items()}
    for chunk in triage_facts.chunks(covered):
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
    fresh = {"populate_existing": True}  # read under the lock, not what the session kept from before it
    for chunk in triage_facts.chunks(covered):
        applications.update((a.id, a) for a in session.scalars(
            select(Application).where(Application.id.in_(chunk)).execution_options(**fresh)))
        states.update((s.application_id, s) for s in session.scalars(
            select(ApplicationTriage).where(ApplicationTriage.application_id.in_(chunk)).execution_options(**fresh)))
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
