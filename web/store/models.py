"""This file defines the database tables of the subsidy service, for web.store.queries and Alembic only.

SQLAlchemy 2.x typed declarative models. Constraint names come from the naming convention on the
MetaData, so migrations can name (and later drop) every constraint on every database. Decisions and
review actions are append-only records on a hash chain (see chain.py); applicants, users and
applications are mutable and carry `created_at` / `updated_at`. Times are naive UTC.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from web import passwords

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
HASH = String(64)  # hex SHA-256
GENESIS_HASH = "0" * 64

APPLICANT_KINDS = ("enterprise", "incubator", "institution", "talent", "team")
PERSON_KINDS = ("talent", "team")  # identified by a person's ID number, which is stored masked only
ROLES = ("applicant", "reviewer", "auditor", "admin")
APPLICATION_STATUSES = ("submitted", "decided", "in_review", "info_requested", "escalated",
                        "approved", "rejected", "withdrawn", "funded", "not_funded", "paid",
                        "appeal")  # 0008: 复议 opened on a rejected / not funded application
CLOSED_STATUSES = ("approved", "rejected", "withdrawn", "funded", "not_funded", "paid")  # off the reviewers' queue
REVIEW_ACTIONS = ("comment", "approve", "reject", "request_info", "escalate", "reopen",
                  "appeal", "assign", "next_stage")  # 0008: 复议, assignment, a move to the call's next review stage
CHAIN_KINDS = ("decision", "review", "ledger")
CALL_METHODS = ("rank_full", "pro_rata")  # full amounts in rank order | pro-rata share of the budget
LEDGER_KINDS = ("call_opened", "submission", "resubmission", "allocation", "payment",
                # 0008 (issue 23): a call edited / extended / closed early / withdrawn, a reviewer's approved amount,
                # the 公示 started, an objection and its handling, the allocation made final
                "call_changed", "approved_amount", "publicity", "objection", "objection_handled", "allocation_final",
                # 0009: an applicant's payee account set or changed (the number masked, its SHA-256)
                "payee_account")
RANK_BY = ("received", "score", "amount_asc")  # the call's published ranking criterion (issue 23)
OBJECTION_OUTCOMES = ("upheld", "dismissed")
MATERIAL_STATUSES = ("pending", "accepted", "needs_correction")
MONEY = BigInteger()  # whole yuan


_CLOCK_SHIFT: ContextVar[dt.timedelta] = ContextVar("clock_shift", default=dt.timedelta(0))


def utcnow() -> dt.datetime:
    """Naive UTC now, to the microsecond (stored and hashed as such on every database); shifted only inside
    `clock_at` (the demo's past year)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None) + _CLOCK_SHIFT.get()


@contextmanager
def clock_at(moment: dt.datetime) -> Iterator[None]:
    """Run the store's clock as if it were `moment` now (it keeps ticking): the demo builds its back-dated call
    with times that follow each other (submission before decision before the final allocation)."""
    token = _CLOCK_SHIFT.set(moment - dt.datetime.now(dt.UTC).replace(tzinfo=None))
    try:
        yield
    finally:
        _CLOCK_SHIFT.reset(token)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Timestamps:
    """Audit columns of mutable rows."""

    created_at: Mapped[dt.datetime] = mapped_column(DateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(), default=utcnow, onupdate=utcnow)


class Applicant(Timestamps, Base):
    """An organisation (by credit code) or a person/team (by a masked ID number and a digest of it)."""

    __tablename__ = "applicant"
    __table_args__ = (
        CheckConstraint(_in("kind", APPLICANT_KINDS), name="kind"),
        CheckConstraint(_in("party", ("organisation", "person")), name="party"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    party: Mapped[str] = mapped_column(String(12))
    name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str | None] = mapped_column(String(18), index=True)  # organisations: public
    id_number_masked: Mapped[str | None] = mapped_column(String(40))  # persons: never the full number
    identity_digest: Mapped[str] = mapped_column(HASH, unique=True)  # sha256 of the normalised identifier
    # 0009 (issue 23): the payee account the applicant entered, for the finance office's payment file
    payee_name: Mapped[str | None] = mapped_column(String(100))
    bank_name: Mapped[str | None] = mapped_column(String(100))
    bank_account: Mapped[str | None] = mapped_column(String(40))

    applications: Mapped[list[Application]] = relationship(back_populates="applicant")

    @property
    def display_code(self) -> str:
        return self.credit_code or self.id_number_masked or "—"


class User(Timestamps, Base):
    __tablename__ = "user"
    __table_args__ = (
        CheckConstraint(_in("role", ROLES), name="role"),
        CheckConstraint("role <> 'applicant' OR applicant_id IS NOT NULL", name="applicant_has_applicant"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    applicant_id: Mapped[int | None] = mapped_column(ForeignKey("applicant.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped at logout: a session cookie carrying an older epoch no longer logs anyone in (bug A1).
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # 0008: self-registration (awaiting an admin's confirmation), the e-mail notices and resets go to, the language
    pending: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    email: Mapped[str | None] = mapped_column(String(254))
    lang: Mapped[str] = mapped_column(String(2), default="zh", server_default="zh")

    applicant: Mapped[Applicant | None] = relationship()

    def set_password(self, password: str) -> None:
        self.password_hash = passwords.hash_password(password)

    def check_password(self, password: str) -> bool:
        """Whether the password is right; an older kind of hash is replaced then (saved with the login)."""
        ok = passwords.verify_password(self.password_hash, password)
        if ok and passwords.needs_rehash(self.password_hash):
            self.password_hash = passwords.hash_password(password)
        return ok


class Application(Timestamps, Base):
    """An applicant's request for some measures (an empty list means: every measure that applies)."""

    __tablename__ = "application"
    __table_args__ = (CheckConstraint(_in("status", APPLICATION_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("applicant.id"), index=True)
    measures: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(20), default="submitted", index=True)
    priority: Mapped[int] = mapped_column(SmallInteger, default=0)  # higher is more urgent
    submitted_at: Mapped[dt.datetime] = mapped_column(DateTime(), default=utcnow)
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime())
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime())
    score: Mapped[int | None] = mapped_column(SmallInteger)  # 0008: the reviewers' score (0-100), if the call ranks by it
    stage: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0")  # 0008: index in call.stages
    assigned_to: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)  # 0008: the reviewer on it
    # 0005: the call it was submitted under, the contacts (validated, normalised) and whether every
    # checklist item has an accepted file (None: not checked yet; a triage fact).
    call_id: Mapped[int | None] = mapped_column(ForeignKey("call.id"), index=True)
    contact_name: Mapped[str | None] = mapped_column(String(100))
    contact_phone: Mapped[str | None] = mapped_column(String(32))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    materials_complete: Mapped[bool | None] = mapped_column(Boolean)

    applicant: Mapped[Applicant] = relationship(back_populates="applications")
    decisions: Mapped[list[Decision]] = relationship(back_populates="application", order_by="Decision.id")
    reviews: Mapped[list[ReviewAction]] = relationship(back_populates="application", order_by="ReviewAction.id")


_OPEN = text(f"status NOT IN ({', '.join(repr(v) for v in CLOSED_STATUSES)})")
# 0012: the reviewers' default queue — open applications by priority, then age — read from a partial index
Index("ix_application_open_queue", Application.priority.desc(), Application.submitted_at, Application.id,
      sqlite_where=_OPEN, postgresql_where=_OPEN)


class RulesetSnapshot(Base):
    """Every RuleSet ever used, stored once, addressed by its hash: replay needs no rule files."""

    __tablename__ = "ruleset_snapshot"

    hash: Mapped[str] = mapped_column(HASH, primary_key=True)
    content: Mapped[str] = mapped_column(Text)  # canonical JSON: relative path → canonical file content
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(), default=utcnow)


class ChainRecord:
    """Columns of an append-only record on the hash chain (its position, predecessor and own hash)."""

    chain_seq: Mapped[int] = mapped_column(Integer, unique=True)
    prev_hash: Mapped[str] = mapped_column(HASH)
    hash: Mapped[str] = mapped_column(HASH, unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime())


class Decision(ChainRecord, Base):
    """One evaluation, with every input needed to replay it and its canonical JSON output."""

    __tablename__ = "decision"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    profile_json: Mapped[str] = mapped_column(Text)  # the applicant's input, as stored_profile_json
    profile_hash: Mapped[str] = mapped_column(HASH)  # the engine's hash of the validated profile
    ruleset_hash: Mapped[str] = mapped_column(ForeignKey("ruleset_snapshot.hash"), index=True)
    as_of: Mapped[dt.date] = mapped_column(Date)
    checked_on: Mapped[dt.date] = mapped_column(Date)  # the "today" the profile was validated against
    engine_version: Mapped[str] = mapped_column(String(32))
    decision_json: Mapped[str] = mapped_column(Text)  # Decision.to_json(): outcomes, amounts, traces
    decision_hash: Mapped[str] = mapped_column(HASH)
    outcomes_json: Mapped[str] = mapped_column(Text)  # {measure_id: outcome}, for lists and filters
    warnings_json: Mapped[str] = mapped_column(Text)

    application: Mapped[Application] = relationship(back_populates="decisions")
    ruleset: Mapped[RulesetSnapshot] = relationship()


class ReviewAction(ChainRecord, Base):
    """A reviewer's act on an application; the reason is mandatory and never empty."""

    __tablename__ = "review_action"
    __table_args__ = (
        CheckConstraint(_in("action", REVIEW_ACTIONS), name="action"),
        CheckConstraint("length(trim(reason)) > 0", name="reason_not_empty"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decision.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    action: Mapped[str] = mapped_column(String(24))
    reason: Mapped[str] = mapped_column(Text)

    application: Mapped[Application] = relationship(back_populates="reviews")
    user: Mapped[User] = relationship()


class StatusChange(ChainRecord, Base):
    """An application's status change (its first status included), logged by the store whenever a chain
    transaction changes a status (web.store.status_chain). The log is a hash chain of its own (`chain_seq`,
    `prev_hash`, `hash`; its head in `chain_head.status_seq/status_hash`), so the main chain's positions are
    unchanged; `audit verify` replays it against the statechart and the applications' current statuses."""

    __tablename__ = "status_change"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    old_status: Mapped[str | None] = mapped_column(String(20))  # None: the application's first status
    new_status: Mapped[str] = mapped_column(String(20))


class ChainLink(Base):
    """One position of the audit chain: which record sits there, its predecessor's hash and its hash."""

    __tablename__ = "chain_link"
    __table_args__ = (
        CheckConstraint(_in("kind", CHAIN_KINDS), name="kind"),
        UniqueConstraint("kind", "record_id"),
    )

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(16))
    record_id: Mapped[int] = mapped_column(Integer)  # no foreign key: a deleted record must leave a visible gap
    prev_hash: Mapped[str] = mapped_column(HASH)
    hash: Mapped[str] = mapped_column(HASH, unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(), default=utcnow)


class ChainHead(Base):
    """The single row naming the chain's last link; appends lock it, verify detects a cut-off tail with it."""

    __tablename__ = "chain_head"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    hash: Mapped[str] = mapped_column(HASH, default=GENESIS_HASH)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(), default=utcnow, onupdate=utcnow)
    # 0007: the head of the status-change log (web.store.status_chain)
    status_seq: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    status_hash: Mapped[str] = mapped_column(HASH, default=GENESIS_HASH, server_default=GENESIS_HASH)



class TriageRun(Base):
    """One triage run over the queue: the clock date it used, the triage RuleSet and the engine that ran."""

    __tablename__ = "triage_run"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(), default=utcnow)
    today: Mapped[dt.date] = mapped_column(Date)  # the clock input (working days, dated parameters)
    triage_ruleset_hash: Mapped[str] = mapped_column(HASH, index=True)
    inputs_hash: Mapped[str] = mapped_column(HASH)  # TriageResult.inputs_hash: applications, register, date
    engine_used: Mapped[str] = mapped_column(Text)  # "durable-rules 2.0.28" or "reference (…)"
    applications: Mapped[int] = mapped_column(Integer)  # applications whose flags this run stored
    flags: Mapped[int] = mapped_column(Integer)  # flags this run stored


class TriageFlag(Base):
    """A flag raised on an application by the latest triage run that covered it (advice, not a decision)."""

    __tablename__ = "triage_flag"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("triage_run.id"), index=True)
    rule_id: Mapped[str] = mapped_column(String(64), index=True)
    severity: Mapped[str] = mapped_column(String(8))  # info | warn | block
    route: Mapped[str | None] = mapped_column(String(16))  # fast_track … block
    priority_delta: Mapped[int] = mapped_column(Integer)
    message_zh: Mapped[str] = mapped_column(Text)
    message_en: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, str]] = mapped_column(JSON)
    triage_ruleset_hash: Mapped[str] = mapped_column(HASH)
    inputs_hash: Mapped[str] = mapped_column(HASH)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(), default=utcnow)

    run: Mapped[TriageRun] = relationship()


class ApplicationTriage(Base):
    """An application's triage outcome: strongest route and the priority adjustment added to its priority."""

    __tablename__ = "application_triage"

    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), primary_key=True,
                                                autoincrement=False)
    run_id: Mapped[int] = mapped_column(ForeignKey("triage_run.id"), index=True)
    route: Mapped[str | None] = mapped_column(String(16))
    priority_delta: Mapped[int] = mapped_column(Integer)  # included in application.priority
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(), default=utcnow, onupdate=utcnow)


class IdempotencyKey(Base):
    """A stored response of the JSON API, replayed when the same client repeats the same Idempotency-Key."""

    __tablename__ = "idempotency_key"
    __table_args__ = (UniqueConstraint("key", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    method: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(String(500))
    request_hash: Mapped[str] = mapped_column(HASH)  # sha256 of the request body: same key, other body = refused
    response_status: Mapped[int | None] = mapped_column(SmallInteger)  # None while the first request runs
    response_body: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(), default=utcnow, index=True)


class SelfcheckDraft(Base):
    """A logged-in user's self-check answers for one applicant kind, restored when they come back."""

    __tablename__ = "selfcheck_draft"
    __table_args__ = (UniqueConstraint("user_id", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))  # indexed by the unique (user_id, kind)
    kind: Mapped[str] = mapped_column(String(16))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)  # {"pages": {page: {field: text}}, "rows": {group: n}}
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(), default=utcnow, onupdate=utcnow)


class SelfcheckShare(Base):
    """Self-check answers saved behind a resumable link: only the token's SHA-256 is stored, never the token."""

    __tablename__ = "selfcheck_share"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_digest: Mapped[str] = mapped_column(HASH, unique=True)  # sha256 hex of the URL token
    kind: Mapped[str] = mapped_column(String(16))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)  # the same shape as SelfcheckDraft.answers
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(), index=True)


AUTH_EVENT_KINDS = ("failure", "success", "lock", "clear")


class AuthEvent(Base):
    """One login attempt outcome, lock or lock clearance (web form and API alike); never the password."""

    __tablename__ = "auth_event"
    __table_args__ = (CheckConstraint(_in("kind", AUTH_EVENT_KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(), default=utcnow, index=True)
    kind: Mapped[str] = mapped_column(String(16))
    username: Mapped[str] = mapped_column(String(150), index=True)  # as typed, casefolded
    address: Mapped[str] = mapped_column(String(64), index=True)
    channel: Mapped[str] = mapped_column(String(16), default="web")  # web | api
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))  # the admin who cleared a lock
    note: Mapped[str | None] = mapped_column(String(500))


class Call(Timestamps, Base):
    """An annual call (申报通知) for one or more measures: its window, budget, method and accepting body."""

    __tablename__ = "call"
    __table_args__ = (
        CheckConstraint(_in("method", CALL_METHODS), name="method"),
        CheckConstraint("closes_at > opens_at", name="window"),
        CheckConstraint("budget >= 0", name="budget"),
        CheckConstraint(_in("rank_by", RANK_BY), name="rank_by"),
        CheckConstraint("notice_days >= 0", name="notice_days"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(SmallInteger)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(String(200))  # 受理部门
    opens_at: Mapped[dt.datetime] = mapped_column(DateTime())  # naive UTC (entered in Asia/Shanghai)
    closes_at: Mapped[dt.datetime] = mapped_column(DateTime())
    budget: Mapped[int] = mapped_column(MONEY)
    method: Mapped[str] = mapped_column(String(16))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    allocated_at: Mapped[dt.datetime | None] = mapped_column(DateTime())  # confirmed: the 公示 starts
    # 0008: the published ranking criterion, the 公示期 in days, its end, the final allocation, a withdrawal
    rank_by: Mapped[str] = mapped_column(String(16), default="received", server_default="received")
    notice_days: Mapped[int] = mapped_column(SmallInteger, default=5, server_default="5")
    publicity_until: Mapped[dt.datetime | None] = mapped_column(DateTime())
    finalized_at: Mapped[dt.datetime | None] = mapped_column(DateTime())
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(DateTime())
    # 0008: the review stages (初审 / 复审 / 终审 …): [{"zh", "en", "users": [user ids who may act; [] = any reviewer]}]
    stages: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)

    measures: Mapped[list[CallMeasure]] = relationship(back_populates="call", order_by="CallMeasure.id",
                                                       cascade="all, delete-orphan")


class CallMeasure(Base):
    """A measure of a call: the cap on its total within the call and its materials checklist."""

    __tablename__ = "call_measure"
    __table_args__ = (UniqueConstraint("call_id", "measure_id"), CheckConstraint("cap IS NULL OR cap >= 0", name="cap"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("call.id"))
    measure_id: Mapped[str] = mapped_column(String(120), index=True)
    cap: Mapped[int | None] = mapped_column(MONEY)  # yuan; None: only the call's budget limits it
    materials: Mapped[list[dict[str, str]]] = mapped_column(JSON)  # [{"key", "zh", "en"}]

    call: Mapped[Call] = relationship(back_populates="measures")


class LedgerEntry(ChainRecord, Base):
    """What decides money, on the audit chain: a call opened, a submission's materials, an allocation, a payment."""

    __tablename__ = "ledger_entry"
    __table_args__ = (CheckConstraint(_in("kind", LEDGER_KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    call_id: Mapped[int | None] = mapped_column(ForeignKey("call.id"), index=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("application.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    body: Mapped[str] = mapped_column(Text)  # canonical JSON of what was decided


class Material(Base):
    """One uploaded file for a checklist item of an application, stored by its sha256 outside the web root."""

    __tablename__ = "material"
    __table_args__ = (CheckConstraint(_in("status", MATERIAL_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    item: Mapped[str] = mapped_column(String(64))  # the checklist key
    filename: Mapped[str] = mapped_column(String(255))  # as uploaded, cleaned; shown, never used as a path
    content_type: Mapped[str] = mapped_column(String(40))  # from the content: application/pdf, image/png, image/jpeg
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(HASH, index=True)
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(), default=utcnow)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    review_reason: Mapped[str | None] = mapped_column(Text)
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(DateTime())
    superseded: Mapped[bool] = mapped_column(Boolean, default=False)  # replaced by a corrected upload


class Allocation(Base):
    """One (application, measure) line of a call's allocation: rank, amount asked, amount granted, why."""

    __tablename__ = "allocation"
    __table_args__ = (UniqueConstraint("call_id", "application_id", "measure_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("call.id"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    measure_id: Mapped[str] = mapped_column(String(120))
    rank: Mapped[int] = mapped_column(Integer)
    requested: Mapped[int] = mapped_column(MONEY)  # the rule's amount (yuan), as decided
    granted: Mapped[int] = mapped_column(MONEY)
    reason: Mapped[str] = mapped_column(String(32))  # funded | pro_rata | budget | cap | no_amount | held | …
    ledger_id: Mapped[int] = mapped_column(ForeignKey("ledger_entry.id"))
    name: Mapped[str | None] = mapped_column(String(200))  # 0008: the 公示 name, frozen at allocation
    detail: Mapped[str | None] = mapped_column(Text)  # 0008: why held / excluded (the flag's words, zh / en)

    application: Mapped[Application] = relationship()


class Payment(Base):
    """A payment of an allocation: date, amount, voucher number (also on the chain as a ledger entry)."""

    __tablename__ = "payment"
    __table_args__ = (UniqueConstraint("voucher_no"), CheckConstraint("amount > 0", name="amount"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    allocation_id: Mapped[int] = mapped_column(ForeignKey("allocation.id"), index=True)
    paid_on: Mapped[dt.date] = mapped_column(Date)
    amount: Mapped[int] = mapped_column(MONEY)
    voucher_no: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    ledger_id: Mapped[int] = mapped_column(ForeignKey("ledger_entry.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(), default=utcnow)

    allocation: Mapped[Allocation] = relationship()


class ApprovedAmount(Base):
    """A reviewer's approved amount (核定金额) for one measure of an application: ≤ the rule's ceiling, a
    reason when lower; the latest one counts, each one is on the chain (ledger `approved_amount`)."""

    __tablename__ = "approved_amount"
    __table_args__ = (UniqueConstraint("application_id", "measure_id"), CheckConstraint("amount >= 0", name="amount"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"))  # indexed by the unique pair
    measure_id: Mapped[str] = mapped_column(String(120))
    amount: Mapped[int] = mapped_column(MONEY)
    ceiling: Mapped[int | None] = mapped_column(MONEY)  # the rule's figure it was checked against
    reason: Mapped[str | None] = mapped_column(Text)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    ledger_id: Mapped[int] = mapped_column(ForeignKey("ledger_entry.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(), default=utcnow)


class Objection(Base):
    """An objection raised during a call's 公示期 and how it was handled (both on the chain)."""

    __tablename__ = "objection"
    __table_args__ = (CheckConstraint(f"outcome IS NULL OR {_in('outcome', OBJECTION_OUTCOMES)}", name="outcome"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("call.id"), index=True)
    allocation_id: Mapped[int | None] = mapped_column(ForeignKey("allocation.id"))
    raised_by: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(), default=utcnow)
    ledger_id: Mapped[int] = mapped_column(ForeignKey("ledger_entry.id"))
    outcome: Mapped[str | None] = mapped_column(String(16))
    handling: Mapped[str | None] = mapped_column(Text)
    handled_by: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    handled_at: Mapped[dt.datetime | None] = mapped_column(DateTime())


class PasswordReset(Base):
    """A password-reset link sent by e-mail: only the token's SHA-256 is stored; it expires and works once."""

    __tablename__ = "password_reset"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    token_digest: Mapped[str] = mapped_column(HASH, unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime())
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime())


NOTICE_KINDS = ("receipt", "info_requested", "decision", "allocation", "publicity", "payment", "call_opened",
                "account", "payee")  # 0009: the payee account was changed


class Notice(Base):
    """A notice to an applicant: in the site's inbox, and by e-mail when an address is known (its outcome kept; the
    e-mail leaves through the outbox, web.notices.outbox: `email_due_at` is its next try, NULL once settled)."""

    __tablename__ = "notice"
    __table_args__ = (CheckConstraint(_in("kind", NOTICE_KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    applicant_id: Mapped[int | None] = mapped_column(ForeignKey("applicant.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("application.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    lang: Mapped[str] = mapped_column(String(2))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(), default=utcnow)
    read_at: Mapped[dt.datetime | None] = mapped_column(DateTime())
    email_to: Mapped[str | None] = mapped_column(String(254))
    emailed_at: Mapped[dt.datetime | None] = mapped_column(DateTime())
    email_error: Mapped[str | None] = mapped_column(Text)
    email_due_at: Mapped[dt.datetime | None] = mapped_column(DateTime(), index=True)  # 0010: the outbox (next try)
    email_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


def row_dict(row: Any) -> dict[str, Any]:
    """The column values of a row, by column name (for exports and tests)."""
    return {c.key: getattr(row, c.key) for c in row.__table__.columns}


class TriageKey(Base):
    """0006 (issue 18): a value triage can join an application on — its company (org), contact phone or e-mail,
    a project — indexed, so that a submission reads only the applications it can meet, not the whole queue."""

    __tablename__ = "triage_key"
    __table_args__ = (Index("ix_triage_key_kind_value", "kind", "value"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # org | phone | email | project
    value: Mapped[str] = mapped_column(String(254))


class TriageDue(Base):
    """0011 (issue 18): an application still to be triaged, stored in the transaction that changed it (a
    submission, an answer), so a crash before its triage loses nothing. A process's triage thread claims it by moving
    `due_at` forward (the lease; a dead drainer's claim is taken over when it runs out) and deletes it in the
    triage run's own transaction (web.store.triage_due)."""

    __tablename__ = "triage_due"

    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), primary_key=True, autoincrement=False)
    due_at: Mapped[dt.datetime] = mapped_column(DateTime(), index=True)  # next try (or the claim's end)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    marked_at: Mapped[dt.datetime] = mapped_column(DateTime(), default=utcnow)


class RateEvent(Base):
    """0006 (issue 18): one counted request of a rate limit (per applicant, per address), shared by every worker."""

    __tablename__ = "rate_event"
    __table_args__ = (Index("ix_rate_event_name_subject_at", "name", "subject", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(200))
    at: Mapped[dt.datetime] = mapped_column(DateTime(), default=utcnow, index=True)
