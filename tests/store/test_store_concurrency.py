"""Concurrent writers never fork the chain; a writer killed mid-transaction leaves no half record."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from storekit import append_many, decide, decide_and_hang

from engine.model import RuleSet
from web.store import queries
from web.store.models import ChainLink, Decision

WORKERS, APPENDS = 4, 25
SPAWN = multiprocessing.get_context("spawn")


def test_concurrent_appends_form_one_unbroken_chain(db_url: str, mini_rules: Path, session: Session) -> None:
    start = SPAWN.Event()
    procs = [SPAWN.Process(target=append_many, args=(db_url, str(mini_rules), APPENDS, i, start))
             for i in range(WORKERS)]
    for proc in procs:
        proc.start()
    start.set()
    for proc in procs:
        proc.join(120)
    assert [proc.exitcode for proc in procs] == [0] * WORKERS
    report = queries.verify_chain(session)
    assert report.ok, [str(p) for p in report.problems]
    assert report.links == report.head_seq == WORKERS * APPENDS
    seqs = list(session.scalars(select(ChainLink.seq).order_by(ChainLink.seq)))
    assert seqs == list(range(1, WORKERS * APPENDS + 1))
    assert session.scalar(select(func.count()).select_from(Decision)) == WORKERS * APPENDS


def test_a_writer_killed_mid_write_leaves_no_half_record(db_url: str, mini_rules: Path, session: Session,
                                                         ruleset: RuleSet) -> None:
    decide(session, ruleset)
    ready = SPAWN.Event()
    proc = SPAWN.Process(target=decide_and_hang, args=(db_url, str(mini_rules), ready))
    proc.start()
    try:
        assert ready.wait(60), "the child never reached its commit"
    finally:
        proc.kill()  # SIGKILL: no cleanup, no rollback from the client side
        proc.join(30)
    assert proc.exitcode == -9
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Decision)) == 1
    assert queries.verify_chain(session).ok
    assert decide(session, ruleset).chain_seq == 2  # the lock was released with the dead connection
    report = queries.verify_chain(session)
    assert report.ok and report.links == 2


def test_sqlite_read_then_write_waits_instead_of_failing(db_url: str, session: Session, ruleset: RuleSet) -> None:
    """A deferred transaction that read before another connection committed used to fail its first write at once
    with "database is locked" (its snapshot was stale; the busy timeout was never consulted) — 103 of 1,143
    requests in a load run (draft saves, notices, login events). Now its first write continues in an
    IMMEDIATE transaction, as on PostgreSQL (READ COMMITTED)."""
    from sqlalchemy.pool import NullPool

    from web.store.db import make_engine, make_session_factory
    from web.store.models import SelfcheckShare

    decide(session, ruleset)
    session.commit()
    engine = make_engine(db_url, poolclass=NullPool)
    try:
        with make_session_factory(engine)() as reader, make_session_factory(engine)() as other:
            reader.scalar(select(func.count()).select_from(Decision))  # the read part: a snapshot is taken
            decide(other, ruleset)  # another connection writes and commits meanwhile
            reader.add(SelfcheckShare(token_digest="a" * 64, kind="enterprise", answers={},
                                      created_at=queries.utcnow(), expires_at=queries.utcnow()))
            reader.commit()  # before: sqlite3.OperationalError: database is locked
        assert session.scalar(select(func.count()).select_from(SelfcheckShare)) == 1
    finally:
        engine.dispose()
