"""web.auth_policy: the password policy and the one login policy (OWASP: throttle the address, never let a
stranger lock a named account), its state in `auth_event` on SQLite and PostgreSQL, shared across sessions."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from web.auth_policy import Limits, LoginPolicy
from web.passwords import password_problems
from web.store import queries
from web.store.db import make_engine, make_session_factory
from web.store.models import AuthEvent

SECRET = "Guess-0f-the-day!"  # the wrong password an attacker types: must never reach the table or the log


@pytest.mark.parametrize("password", ["short1A!", "lowercaseonly", "Password123", "password123!",
                                      "aaaaaaaaaaaaaaaa", "alice-Secret-2025", "12345678901234"])
def test_weak_passwords_are_refused(password: str) -> None:
    problems = password_problems(password, "alice")
    assert problems, password
    for problem in problems:
        assert problem.zh and problem.en and password not in str(problem)


@pytest.mark.parametrize("password", ["Qy-subsidy-2025!", "correct horse battery staple", "v9#Kd2!mQ7zP"])
def test_strong_passwords_pass(password: str) -> None:
    assert password_problems(password, "alice") == []


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 12, 3, 9, 0, 0)

    def __call__(self) -> dt.datetime:
        return self.now

    def tick(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def policy(session: Session, clock: Clock) -> LoginPolicy:
    return LoginPolicy(session, Limits(), clock)


def attack(policy: LoginPolicy, clock: Clock, address: str, username: str, attempts: int) -> int:
    """An attacker hammering as fast as the server answers (1 s apart); returns the attempts refused."""
    refused = 0
    for _ in range(attempts):
        if policy.check(address, username).wait:
            refused += 1
        else:
            policy.failed(address, username, "web")
        clock.tick(1)
    return refused


def kinds(session: Session) -> list[tuple[str, str, str]]:
    return [(e.kind, e.username, e.address) for e in session.scalars(select(AuthEvent).order_by(AuthEvent.id))]


def test_one_address_cannot_lock_a_named_user_out(policy: LoginPolicy, clock: Clock, session: Session) -> None:
    refused = attack(policy, clock, "203.0.113.9", "Rita", 200)
    assert refused == 195  # five guesses, then that address is shut out of that account
    verdict = policy.check("203.0.113.9", "rita")
    assert verdict.rule == "pair" and 0 < verdict.wait <= 300
    assert policy.check("198.51.100.4", "rita").wait == 0  # the reviewer at her own desk logs in
    policy.succeeded("198.51.100.4", "rita")
    assert policy.check("203.0.113.9", "rita").wait > 0  # her success does not reopen the attacker's address
    assert kinds(session).count(("lock", "rita", "203.0.113.9")) == 1  # the lock is recorded once


def test_the_pair_lock_ends_with_its_window(policy: LoginPolicy, clock: Clock) -> None:
    attack(policy, clock, "a", "rita", 5)
    wait = policy.check("a", "rita").wait
    clock.tick(wait - 1)
    assert policy.check("a", "rita").wait == 1
    clock.tick(1)
    assert policy.check("a", "rita").wait == 0


def test_an_address_gets_progressive_delays_then_a_lock(session: Session, clock: Clock) -> None:
    limits = Limits(MAX_DELAY_SECONDS=16)  # with the default 60 s cap, 30 failures no longer fit in the window
    policy = LoginPolicy(session, limits, clock)
    for i in range(limits.ADDRESS_FREE_FAILURES):  # spraying: one guess per username
        assert policy.check("203.0.113.7", f"user{i}").wait == 0
        policy.failed("203.0.113.7", f"user{i}")
    waits = []
    for i in range(limits.ADDRESS_FREE_FAILURES, limits.ADDRESS_MAX_FAILURES):
        verdict = policy.check("203.0.113.7", f"user{i}")
        assert verdict.rule == "address-delay"
        waits.append(verdict.wait)
        clock.tick(verdict.wait)
        assert policy.check("203.0.113.7", f"user{i}").wait == 0
        policy.failed("203.0.113.7", f"user{i}")
    assert waits[:5] == [2, 4, 8, 16, 16] and max(waits) == limits.MAX_DELAY_SECONDS
    locked = policy.check("203.0.113.7", "someone-new")
    assert locked.rule == "address" and locked.wait > limits.MAX_DELAY_SECONDS
    assert policy.check("198.51.100.1", "someone-new").wait == 0  # only that address


def test_guessing_from_many_addresses_guards_the_account_without_locking_it(
        policy: LoginPolicy, clock: Clock, session: Session) -> None:
    policy.succeeded("10.1.1.1", "rita")  # her usual address
    clock.tick(3600)
    for i in range(Limits().ACCOUNT_FREE_FAILURES):  # a botnet, one guess per address
        policy.failed(f"192.0.2.{i}", "rita")
        clock.tick(1)
    assert ("lock", "rita", "") in kinds(session)  # the guard is recorded
    assert policy.check("10.1.1.1", "rita").wait == 0  # a known address goes straight through
    assert policy.check("198.51.100.200", "rita").wait == 0  # a new laptop: its first try at once
    again = policy.check("192.0.2.9", "rita")  # a botnet address that already failed waits
    assert again.rule == "account-delay" and 0 < again.wait <= Limits().MAX_DELAY_SECONDS
    for i in range(100):  # however long the botnet keeps going, a fresh address is never held up
        clock.tick(policy.check(f"192.0.3.{i}", "rita").wait)
        policy.failed(f"192.0.3.{i}", "rita")
        assert policy.check("198.51.100.200", "rita").wait == 0
    assert policy.check("10.1.1.1", "rita").wait == 0


def test_an_attacker_polling_every_second_never_keeps_the_owner_out(policy: LoginPolicy, clock: Clock) -> None:
    """Issue 19 #6: refused tries count (against the poller only); the owner on a new address gets in at once."""
    policy.succeeded("10.1.1.1", "rita")
    clock.tick(3600)
    for i in range(Limits().ACCOUNT_FREE_FAILURES):
        policy.failed(f"192.0.2.{i}", "rita")  # the account is guarded
    allowed = 0
    for second in range(900):  # fifteen minutes of polling, once a second, from one address
        verdict = policy.attempt("203.0.113.9", "rita")
        if not verdict.wait:
            allowed += 1
            policy.settle(verdict, "203.0.113.9", "rita", False)
        clock.tick(1)
        if second % 97 == 0:  # at any moment, the owner on a laptop never used before …
            assert policy.check(f"198.51.100.{second % 250}", "rita").wait == 0
    assert allowed <= 3  # … while the poller, refused and counted, stays shut out of that account
    owner = policy.attempt("198.51.100.77", "rita")
    assert owner.wait == 0 and owner.attempt_id is not None
    policy.settle(owner, "198.51.100.77", "rita", True)
    assert policy.check("203.0.113.9", "rita").wait > 0


def test_parallel_guesses_never_exceed_the_limit(database_url: str, db_url: str) -> None:
    """Issue 19 #6: eight workers guessing at once get at most PAIR_MAX_FAILURES tries (atomic reservation)."""
    import threading

    engines = [make_engine(db_url) for _ in range(8)]
    barrier, results, errors = threading.Barrier(8), [], []

    def worker(engine: object) -> None:
        session = make_session_factory(engine)()  # type: ignore[arg-type]
        try:
            policy = LoginPolicy(session, Limits())
            for _ in range(3):
                barrier.wait(timeout=30)
                verdict = policy.attempt("203.0.113.50", "rita")
                results.append(verdict.wait == 0)
                if not verdict.wait:
                    policy.settle(verdict, "203.0.113.50", "rita", False)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            session.close()

    threads = [threading.Thread(target=worker, args=(e,)) for e in engines]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    for engine in engines:
        engine.dispose()
    assert not errors, errors
    assert len(results) == 24 and sum(results) == Limits().PAIR_MAX_FAILURES


def test_success_clears_the_account_not_the_address(policy: LoginPolicy, clock: Clock) -> None:
    for _ in range(4):
        policy.failed("a", "alice")
    policy.succeeded("a", "alice")
    policy.failed("a", "alice")
    assert policy.check("a", "alice").wait == 0  # one failure since the success
    for i in range(Limits().ADDRESS_FREE_FAILURES):
        policy.failed("a", f"x{i}")
    assert policy.check("a", "alice").rule == "address-delay"  # a success does not wash the address


def test_the_admin_sees_and_clears_locks_and_both_are_logged(
        policy: LoginPolicy, clock: Clock, session: Session, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="subsidy.auth")
    attack(policy, clock, "203.0.113.9", "rita", 6)
    [lock] = [lock for lock in policy.locks() if lock.scope == "pair"]
    assert (lock.username, lock.address, lock.failures) == ("rita", "203.0.113.9", 5) and lock.wait > 0
    admin = queries.create_user(session, "adam", "Admin-pass-2026!", "admin")
    policy.clear("pair", "rita", "203.0.113.9", actor_id=admin.id, actor="adam")
    assert policy.check("203.0.113.9", "rita").wait == 0 and policy.locks() == []
    clear = session.scalars(select(AuthEvent).where(AuthEvent.kind == "clear")).one()
    assert clear.actor_id == admin.id and "adam" in (clear.note or "")
    messages = [r.getMessage() for r in caplog.records]
    assert any("pair lock:" in m and "rita" in m for m in messages)
    assert any("lock cleared" in m and "adam" in m for m in messages)
    assert all(SECRET not in m for m in messages)


def test_the_state_is_shared_by_every_worker(database_url: str, db_url: str, clock: Clock) -> None:
    """Two processes' sessions on one database (two engines, as two gunicorn workers have) see one state."""
    worker_a = make_session_factory(make_engine(db_url))()
    worker_b = make_session_factory(make_engine(db_url))()
    try:
        first, second = LoginPolicy(worker_a, Limits(), clock), LoginPolicy(worker_b, Limits(), clock)
        for policy in (first, second, first, second, first):
            policy.failed("203.0.113.9", "rita", "api" if policy is second else "web")
        assert first.check("203.0.113.9", "rita").wait > 0 and second.check("203.0.113.9", "rita").wait > 0
    finally:
        worker_a.close()
        worker_b.close()
