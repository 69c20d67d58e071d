"""This file defines every read and write of the store; the rest of the application calls only these.

It is the one module that builds `select()` statements and touches a Session.

Transactions: functions that append to the audit chain (`submit_and_decide`, `record_decision`,
`record_review`) own their transaction. They commit whatever the session holds first, then take the
chain lock — ``SELECT … FOR UPDATE`` of the single `chain_head` row on PostgreSQL, ``BEGIN IMMEDIATE``
on SQLite — so concurrent writers queue instead of forking the chain, write the record, its link and
the new head, and commit. A crash before the commit leaves nothing behind. Every other writer
(`create_*`) only flushes; its caller commits.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import Session, selectinload

from engine import lifecycle
from engine.canonical import canonical_json
from engine.decision import Decision as EngineDecision
from engine.model import RuleSet
from engine.replay import stored_profile_json
from engine.standards.uscc import normalize_uscc
from web import passwords
from web.store import chain, idempotency_queries, ledger_key, status_chain
from web.store.identity import digests_for, identity_of
from web.store.locking import lock_row
from web.store.models import (
    REVIEW_ACTIONS,
    ROLES,
    Applicant,
    Application,
    ChainHead,
    ChainLink,
    Decision,
    LedgerEntry,
    ReviewAction,
    RulesetSnapshot,
    User,
    utcnow,
)

STATUS_AFTER_REVIEW = {"approve": "approved", "reject": "rejected", "request_info": "info_requested",
                       "escalate": "escalated", "reopen": "in_review", "comment": None}
CLOSING_STATUSES = ("approved", "rejected", "withdrawn", "funded", "not_funded", "paid")  # no reviewer work left
# The store's statuses → the lifecycle statechart's states: "decided" is "the engine has decided, no person
# yet", the chart's "screened"; escalated is still in review; withdrawn is not in the chart.
LIFECYCLE_OF_STATUS = {"decided": "screened", "escalated": "in_review"}


def lifecycle_state(status: str) -> str:
    return LIFECYCLE_OF_STATUS.get(status, status)


def check_move(status: str, new_status: str) -> None:
    """Refuse a status change the statechart does not allow. Escalating (in review → escalated, one chart
    state) passes; staying in the same status does not (a second "back into review" is refused).

    Raises:
        lifecycle.LifecycleError: with the chart's zh/en message.
    """
    here, there = lifecycle_state(status), lifecycle_state(new_status)
    if here != there or status == new_status:
        lifecycle.advance(here, there)


class StoreError(Exception):
    """A request the store refuses, with a zh/en message fit for a user."""

    def __init__(self, code: str, zh: str, en: str):
        super().__init__(f"{zh} / {en}")
        self.code, self.zh, self.en = code, zh, en


class NotFound(StoreError):
    pass


# -- transactions and the chain lock ------------------------------------------------------------------

@contextmanager
def _chain_transaction(session: Session) -> Iterator[ChainHead]:
    """A transaction holding the chain lock, yielding the locked head; commits on success."""
    if session.in_transaction():
        session.commit()
    session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
    try:
        head = session.execute(select(ChainHead).where(ChainHead.id == 1).with_for_update()
                               .execution_options(populate_existing=True)).scalar_one_or_none()
        if head is None:
            raise StoreError("no-chain-head", "数据库未初始化（请运行 subsidy db upgrade）",
                             "the database is not initialised (run `subsidy db upgrade`)")
        session.info[status_chain.HEAD_KEY] = head  # status changes made in this transaction are chained at commit
        yield head
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.info.pop(status_chain.HEAD_KEY, None)


def chain_transaction(session: Session) -> Any:
    """The chain-locked transaction, for the other query modules that append (calls, submissions, allocation)."""
    return _chain_transaction(session)


def append_ledger(session: Session, head: ChainHead, kind: str, body: Any, *, call_id: int | None = None,
                  application_id: int | None = None, user_id: int | None = None) -> LedgerEntry:
    """Append a ledger entry (canonical JSON of `body`) inside a chain transaction; returns it (flushed)."""
    row = LedgerEntry(kind=kind, call_id=call_id, application_id=application_id, user_id=user_id,
                      body=canonical_json(body), created_at=utcnow())
    _append(session, head, "ledger", row)
    return row


def _append(session: Session, head: ChainHead, kind: str, row: Decision | ReviewAction | LedgerEntry) -> None:
    row.chain_seq, row.prev_hash = head.seq + 1, head.hash
    row.hash = chain.record_hash(kind, row)
    session.add(row)
    session.flush()
    session.add(ChainLink(seq=row.chain_seq, kind=kind, record_id=row.id, prev_hash=row.prev_hash,
                          hash=row.hash, created_at=row.created_at))
    head.seq, head.hash = row.chain_seq, row.hash
    session.flush()


status_chain.install()  # every status change made in a chain transaction is logged (web.store.status_chain)


# -- applicants and applications ----------------------------------------------------------------------

def get_or_create_applicant(session: Session, profile: Any) -> Applicant:
    """The applicant a validated profile identifies, created (and flushed) on first sight."""
    ident = identity_of(profile)
    applicant = session.scalars(select(Applicant).where(Applicant.identity_digest == ident.digest)).first()
    if applicant is None:
        applicant = Applicant(kind=ident.kind, party=ident.party, name=ident.name, credit_code=ident.credit_code,
                              id_number_masked=ident.id_number_masked, identity_digest=ident.digest)
        session.add(applicant)
    else:
        applicant.name = ident.name
    session.flush()
    return applicant


def find_applicants(session: Session, code: str) -> list[Applicant]:
    """Applicants matching a credit code, a (full or masked) ID number."""
    code = code.strip()
    return list(session.scalars(select(Applicant).where(or_(
        Applicant.credit_code == normalize_uscc(code), Applicant.id_number_masked == code,
        Applicant.identity_digest.in_(digests_for(code)))).order_by(Applicant.id)))


def create_application(session: Session, applicant: Applicant, measures: list[str] | None = None, *,
                       status: str = "submitted", priority: int = 0) -> Application:
    application = Application(applicant=applicant, measures=sorted(measures or []), status=status,
                              priority=priority, submitted_at=utcnow())
    session.add(application)
    session.flush()
    return application


def get_application(session: Session, application_id: int) -> Application | None:
    return session.get(Application, application_id)


def list_applications(session: Session, *, applicant_id: int | None = None, status: str | None = None,
                      limit: int = 100, offset: int = 0) -> list[Application]:
    stmt = select(Application).options(selectinload(Application.applicant)).order_by(Application.id)
    if applicant_id is not None:
        stmt = stmt.where(Application.applicant_id == applicant_id)
    if status is not None:
        stmt = stmt.where(Application.status == status)
    return list(session.scalars(stmt.limit(limit).offset(offset)))


# -- decisions ----------------------------------------------------------------------------------------

def _ensure_snapshot(session: Session, ruleset: RuleSet) -> None:
    """Store the RuleSet's content once, under its hash (called under the chain lock: no race)."""
    if session.get(RulesetSnapshot, ruleset.hash) is None:
        session.add(RulesetSnapshot(hash=ruleset.hash, content=canonical_json(ruleset.snapshot), created_at=utcnow()))
        session.flush()


def _decision_values(profile_data: Any, decision: EngineDecision, checked_on: dt.date) -> dict[str, Any]:
    """A decision row's content, written before the chain lock is taken (the JSON is the costly part)."""
    decision_json, decision_hash = decision.json_and_hash()
    return dict(
        profile_json=stored_profile_json(profile_data), profile_hash=decision.profile_hash,
        ruleset_hash=decision.ruleset_hash, as_of=dt.date.fromisoformat(decision.as_of), checked_on=checked_on,
        engine_version=decision.engine_version, decision_json=decision_json, decision_hash=decision_hash,
        outcomes_json=canonical_json({r.measure_id: r.outcome.value for r in decision.results}),
        warnings_json=canonical_json([w.as_dict() for w in decision.warnings]))


def _decision_row(application_id: int, profile_data: Any, decision: EngineDecision, checked_on: dt.date,
                  values: dict[str, Any] | None = None) -> Decision:
    """The decision row (`values`: its content, when written already by `_decision_values`)."""
    content = values if values is not None else _decision_values(profile_data, decision, checked_on)
    return Decision(application_id=application_id, created_at=utcnow(), **content)


def _check_ruleset(ruleset: RuleSet, decision: EngineDecision) -> None:
    if ruleset.hash != decision.ruleset_hash:
        raise StoreError("ruleset-mismatch", "决策所用规则集与提供的规则集不一致",
                         f"the decision was made with RuleSet {decision.ruleset_hash[:12]}, not {ruleset.hash[:12]}")


def submit_and_decide(session: Session, *, profile: Any, profile_data: Any, ruleset: RuleSet,
                      decision: EngineDecision, checked_on: dt.date, measures: list[str] | None = None,
                      priority: int = 0, extra: Callable[[Session, ChainHead, Application, Decision], None]
                      | None = None) -> Decision:
    """Create (or find) the applicant, a new application and its decision, in one chained transaction.

    Args:
        profile: the validated engine profile (identifies the applicant).
        profile_data: the raw profile input, stored for replay.
        ruleset, decision: the RuleSet and the Decision evaluated from them.
        checked_on: the date the profile was validated against ("today" at the time).
        measures: the measures applied for (None: every measure).
        extra: called inside the same transaction after the decision is chained (a call's submission adds its
            contacts, materials and ledger entry there: web.store.submission_queries).
    """
    _check_ruleset(ruleset, decision)
    values = _decision_values(profile_data, decision, checked_on)
    with _chain_transaction(session) as head:
        applicant = get_or_create_applicant(session, profile)
        application = create_application(session, applicant, measures, status="decided", priority=priority)
        application.decided_at = utcnow()
        _ensure_snapshot(session, ruleset)
        row = _decision_row(application.id, profile_data, decision, checked_on, values)
        _append(session, head, "decision", row)
        if extra is not None:
            extra(session, head, application, row)
        idempotency_queries.complete_pending(session, application.id)  # the API's key, in this transaction
    return row


def record_decision(session: Session, application_id: int, *, profile_data: Any, ruleset: RuleSet,
                    decision: EngineDecision, checked_on: dt.date) -> Decision:
    """Append a new decision for an existing application (e.g. after more information arrived)."""
    _check_ruleset(ruleset, decision)
    values = _decision_values(profile_data, decision, checked_on)
    with _chain_transaction(session) as head:
        application = _application_or_fail(session, application_id)
        _ensure_snapshot(session, ruleset)
        row = _decision_row(application.id, profile_data, decision, checked_on, values)
        _append(session, head, "decision", row)
        if application.status not in CLOSING_STATUSES:
            application.status, application.decided_at = "decided", row.created_at
    return row


def get_decision(session: Session, decision_id: int) -> Decision | None:
    return session.scalars(select(Decision).where(Decision.id == decision_id).options(
        selectinload(Decision.application).selectinload(Application.applicant))
        .execution_options(populate_existing=True)).first()


def list_decisions(session: Session, *, applicant: str | None = None, application_id: int | None = None,
                   ruleset_hash: str | None = None, limit: int = 100, offset: int = 0) -> list[Decision]:
    """Decisions, oldest first, filtered by applicant code, application or RuleSet hash (prefix)."""
    stmt = (select(Decision).join(Decision.application).join(Application.applicant)
            .options(selectinload(Decision.application).selectinload(Application.applicant)).order_by(Decision.id))
    if applicant:
        stmt = stmt.where(Applicant.id.in_([a.id for a in find_applicants(session, applicant)]))
    if application_id is not None:
        stmt = stmt.where(Decision.application_id == application_id)
    if ruleset_hash:
        stmt = stmt.where(Decision.ruleset_hash.startswith(ruleset_hash))
    return list(session.scalars(stmt.limit(limit).offset(offset)))


def ruleset_snapshot(session: Session, ruleset_hash: str) -> dict[str, Any] | None:
    """The stored RuleSet content (relative path → canonical content), or None if never stored."""
    row = session.get(RulesetSnapshot, ruleset_hash)
    return None if row is None else json.loads(row.content)


# -- reviews and users --------------------------------------------------------------------------------

def record_review(session: Session, *, application_id: int, user_id: int, action: str, reason: str,
                  decision_id: int | None = None,
                  extra: Callable[[Session, ChainHead, Application], None] | None = None) -> ReviewAction:
    """Append a reviewer's action; refused without a reason (an empty or blank reason is no reason).

    The move is checked against the statechart *inside* the chain-locked transaction, on the application row
    read fresh and locked (web.store.locking): of two reviewers deciding at once, the second sees the first's
    status and is refused. `extra` runs in the same transaction after the check (the applicant's answer
    attaches its corrected files there).

    Raises:
        StoreError: no reason, unknown action. lifecycle.LifecycleError: the move is illegal (nothing stored).
    """
    if not (reason or "").strip():
        raise StoreError("reason-required", "审核操作必须填写理由", "a review action needs a reason")
    if action not in REVIEW_ACTIONS:
        raise StoreError("unknown-action", f"未知的审核操作：{action}", f"unknown review action {action!r}")
    with _chain_transaction(session) as head:
        application = lock_row(session, Application, application_id)
        if application is None:
            raise NotFound("no-application", f"申请 #{application_id} 不存在", f"application #{application_id} not found")
        status = STATUS_AFTER_REVIEW[action]
        if status:
            check_move(application.status, status)
        if extra is not None:
            extra(session, head, application)
        row = ReviewAction(application_id=application.id, decision_id=decision_id, user_id=user_id,
                           action=action, reason=reason.strip(), created_at=utcnow())
        _append(session, head, "review", row)
        if status:
            application.status = status
            application.closed_at = row.created_at if status in CLOSING_STATUSES else None
    return row


def list_reviews(session: Session, application_id: int) -> list[ReviewAction]:
    return list(session.scalars(select(ReviewAction).where(ReviewAction.application_id == application_id)
                                .options(selectinload(ReviewAction.user)).order_by(ReviewAction.id)))


def create_user(session: Session, username: str, password: str, role: str,
                applicant_id: int | None = None) -> User:
    if role not in ROLES:
        raise StoreError("unknown-role", f"未知角色：{role}", f"unknown role {role!r}; expected one of {ROLES}")
    user = User(username=username, role=role, applicant_id=applicant_id, active=True)
    user.set_password(password)
    session.add(user)
    session.flush()
    return user


def get_user(session: Session, username: str) -> User | None:
    return session.scalars(select(User).where(User.username == username)).first()


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with this password, else None — in the same time whether or not the username exists
    (an unknown or inactive user's password is checked against a dummy hash of the same cost)."""
    user = get_user(session, username)
    if user is None or not user.active:
        passwords.verify_dummy(password)
        return None
    return user if user.check_password(password) else None


def _application_or_fail(session: Session, application_id: int) -> Application:
    application = session.get(Application, application_id, populate_existing=True)
    if application is None:
        raise NotFound("no-application", f"申请 #{application_id} 不存在", f"application #{application_id} not found")
    return application


# -- the audit chain ----------------------------------------------------------------------------------

def chain_head(session: Session) -> tuple[int, str]:
    head = session.get(ChainHead, 1, populate_existing=True)
    return (head.seq, head.hash) if head else (0, chain.GENESIS_HASH)


def chain_link(session: Session, kind: str, record_id: int) -> ChainLink | None:
    return session.scalars(select(ChainLink).where(ChainLink.kind == kind, ChainLink.record_id == record_id)
                           .execution_options(populate_existing=True)).first()


def verify_chain(session: Session, batch: int = 500, published_head: str | None = None) -> chain.Report:
    """Walk the whole chain in order, recomputing every record's hash from its stored content; then check the rows
    the chain witnesses (payments, allocations, 公示 names, materials, statuses) and, when given, that a head hash
    published earlier is still a link of the chain (a cut tail otherwise)."""
    started = not session.in_transaction()
    if started and session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})  # one consistent snapshot
    verifier, last = chain.Verifier(), 0
    try:
        while links := list(session.scalars(select(ChainLink).where(ChainLink.seq > last).order_by(ChainLink.seq)
                                            .limit(batch).execution_options(populate_existing=True))):
            rows = _records_of(session, links)
            for link in links:
                verifier.check(link, rows.get((link.kind, link.record_id)))
            last = links[-1].seq
        seq, head_hash = chain_head(session)
        report = verifier.finish(seq, head_hash, _unchained(session))
        report.problems += _witnessed(session)
        if published_head is not None and not session.scalar(select(exists().where(
                ChainLink.hash == published_head.strip().lower()))):
            report.problems.insert(0, chain.Problem("head-unknown", f"the published head {published_head[:16]}… is "
                                                    "not a link of this chain: the tail was cut or rewritten"))
        report.problems.sort(key=lambda p: (p.seq is None, p.seq or 0))
        return report
    finally:
        if started:
            session.rollback()


def _witnessed(session: Session) -> list[chain.Problem]:
    """What the chain witnesses about mutable rows (web.store.chain.ledger_mismatches and status_problems)."""
    from web.store.models import Allocation, Material, Payment, StatusChange

    fresh = {"populate_existing": True}
    entries = {e.id: e for e in session.scalars(select(LedgerEntry).execution_options(**fresh))}
    problems = chain.ledger_mismatches(
        entries, list(session.scalars(select(Payment).execution_options(**fresh))),
        list(session.scalars(select(Allocation).execution_options(**fresh))),
        list(session.scalars(select(Material).execution_options(**fresh))))
    problems += chain.payee_mismatches(entries, list(session.execute(  # each payee account is the last chained one
        select(Applicant.id, Applicant.payee_name, Applicant.bank_name, Applicant.bank_account))),
        ledger_key.existing(session))
    changes: dict[int, list[Any]] = {}
    for row in session.scalars(select(StatusChange).order_by(StatusChange.chain_seq).execution_options(**fresh)):
        changes.setdefault(row.application_id, []).append(row)
    current = {row[0]: row[1] for row in session.execute(select(Application.id, Application.status))}
    head = session.get(ChainHead, 1, populate_existing=True)
    log_head = (head.status_seq, head.status_hash) if head else (0, chain.GENESIS_HASH)
    return problems + chain.status_problems(changes, current, log_head)


def _records_of(session: Session, links: list[ChainLink]) -> dict[tuple[str, int], Any]:
    def ids(kind: str) -> list[int]:
        return [link.record_id for link in links if link.kind == kind]

    fresh = {"populate_existing": True}
    decisions = session.scalars(select(Decision).where(Decision.id.in_(ids("decision"))).execution_options(**fresh))
    reviews = session.scalars(select(ReviewAction).where(ReviewAction.id.in_(ids("review"))).execution_options(**fresh))
    ledger = session.scalars(select(LedgerEntry).where(LedgerEntry.id.in_(ids("ledger"))).execution_options(**fresh))
    return {**{("decision", row.id): row for row in decisions}, **{("review", row.id): row for row in reviews},
            **{("ledger", row.id): row for row in ledger}}


def _unchained(session: Session) -> list[tuple[str, int]]:
    out: list[tuple[str, int]] = []
    for kind, model in (("decision", Decision), ("review", ReviewAction), ("ledger", LedgerEntry)):
        linked = exists().where(and_(ChainLink.kind == kind, ChainLink.record_id == model.id))
        out += [(kind, rid) for rid in session.scalars(select(model.id).where(~linked).order_by(model.id))]
    return out


def is_empty(session: Session) -> bool:
    """True when the database holds no applicants, users, applications, decisions or chain links."""
    return not any(session.scalar(select(exists().select_from(model)))
                   for model in (Applicant, User, Application, Decision, ReviewAction, RulesetSnapshot, ChainLink,
                                 LedgerEntry))


# -- export -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class DecisionBundle:
    """Everything an export needs about one decision, read in one go."""

    decision: Decision
    application: Application
    applicant: Applicant
    snapshot: dict[str, Any]
    link: ChainLink | None
    reviews: list[ReviewAction]
    head: tuple[int, str]


def decision_bundle(session: Session, decision_id: int) -> DecisionBundle:
    row = get_decision(session, decision_id)
    if row is None:
        raise NotFound("no-decision", f"决策 #{decision_id} 不存在", f"decision #{decision_id} not found")
    snapshot = ruleset_snapshot(session, row.ruleset_hash) or {}
    return DecisionBundle(row, row.application, row.application.applicant, snapshot,
                          chain_link(session, "decision", row.id), list_reviews(session, row.application_id),
                          chain_head(session))


# -- issue 23 (H7): the review acts of the bureau's queue (web.store.review_queries) ------------------

def append_review(session: Session, head: ChainHead, row: ReviewAction) -> None:
    """Append a review action inside a chain transaction (the queue's assign / next stage / appeal)."""
    _append(session, head, "review", row)
