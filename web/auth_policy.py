"""This file defines the one login policy of the web form and the API (`POST /api/v1/tokens`).

Following OWASP's authentication guidance, no stranger can lock a named user out:

* **(address, account)**: `PAIR_MAX_FAILURES` (5) failures for one username from one address within
  `PAIR_WINDOW_SECONDS` (300) lock that address out of that account for the rest of the window — only there.
* **address** (any usernames): after `ADDRESS_FREE_FAILURES` (10) failures in `ADDRESS_WINDOW_SECONDS` (900)
  each further attempt waits 2, 4, 8 … seconds (at most `MAX_DELAY_SECONDS`, 60) after the last failure;
  `ADDRESS_MAX_FAILURES` (30) lock the address for the window (password spraying).
* **account** (guessing from many addresses): after `ACCOUNT_FREE_FAILURES` (10) failures in
  `ADDRESS_WINDOW_SECONDS` the account is *guarded*, never locked: an address this user logged in from within
  `KNOWN_ADDRESS_DAYS` (90) goes straight through, and so does an address that has not failed on this account
  yet — so the owner on a new laptop gets in at the first correct password, however hard the account is being
  attacked. An address that has failed on a guarded account waits 2, 4 … 60 s after its own last failure
  (each botnet address gets about one guess a minute).

Attempts refused for waiting are recorded as failures of that address: an attacker polling once a second only
extends its own wait, never anyone else's. Check and reservation are atomic: `attempt()` decides and records a
failure in one write transaction (BEGIN IMMEDIATE on SQLite, an advisory transaction lock on PostgreSQL) before
the password is checked, and `settle()` turns it into a success — so parallel guesses across all gunicorn
workers never exceed a limit. A correct password clears the (address, account) and account counters, not the
address's. State is the `auth_event` table (web/store/auth_queries.py). Every lock and every admin clearance is
an event and a log line (`subsidy.auth`), never the password.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

from flask import current_app

from web.db_session import db
from web.store import auth_queries


@dataclass(frozen=True)
class Limits:
    """The thresholds (app config keys of the same names override them)."""

    PAIR_MAX_FAILURES: int = 5
    PAIR_WINDOW_SECONDS: int = 300
    ADDRESS_FREE_FAILURES: int = 10
    ADDRESS_MAX_FAILURES: int = 30
    ADDRESS_WINDOW_SECONDS: int = 900
    ACCOUNT_FREE_FAILURES: int = 10
    MAX_DELAY_SECONDS: int = 60
    KNOWN_ADDRESS_DAYS: int = 90

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Limits:
        return cls(**{f.name: int(config.get(f.name, f.default)) for f in fields(cls)})


@dataclass(frozen=True)
class Verdict:
    """Whether an attempt may go ahead: `wait` seconds (0: now) and which rule said so."""

    wait: int = 0
    rule: str = ""  # "pair" | "address" | "address-delay" | "account-delay"
    attempt_id: int | None = None  # the failure reserved by `LoginPolicy.attempt` (settled afterwards)


@dataclass(frozen=True)
class Lock:
    """A lock or guard in force, as the admin page lists it."""

    scope: str  # "pair" | "address" | "account"
    username: str
    address: str
    failures: int
    wait: int


ANY = auth_queries.ANY
log = logging.getLogger("subsidy.auth")


def norm(username: str) -> str:
    """The form in which usernames are counted (as typed, trimmed, casefolded)."""
    return username.strip().casefold()[:150]


class _State:
    """The counters for one (address, username) computed from the events of the largest window."""

    def __init__(self, events: Sequence[Any], address: str, username: str, now: dt.datetime, limits: Limits):
        self.now, self.limits = now, limits
        pair_start = now - dt.timedelta(seconds=limits.PAIR_WINDOW_SECONDS)
        wide_start = now - dt.timedelta(seconds=limits.ADDRESS_WINDOW_SECONDS)
        pair_since, address_since, account_since = pair_start, wide_start, wide_start
        for e in events:
            if e.kind == "clear" or (e.kind == "success" and e.username == username):
                if e.username == username and e.address in (address, ANY):
                    pair_since = max(pair_since, e.at)
                if e.kind == "clear" and e.username == ANY and e.address == address:
                    pair_since, address_since = max(pair_since, e.at), max(address_since, e.at)
                if e.username == username and (e.kind == "success" or e.address == ANY):
                    account_since = max(account_since, e.at)
        failures = [e for e in events if e.kind == "failure"]
        self.pair = [e.at for e in failures if e.username == username and e.address == address and e.at > pair_since]
        self.address = [e.at for e in failures if e.address == address and e.at > address_since]
        self.account = [e.at for e in failures if e.username == username and e.at > account_since]

    def _until_below(self, times: list[dt.datetime], limit: int, window: int) -> int:
        """Seconds until fewer than `limit` of `times` are inside the window."""
        oldest = times[len(times) - limit]
        return max(1, math.ceil(window - (self.now - oldest).total_seconds()))

    def _delay(self, times: list[dt.datetime], free: int) -> int:
        """The progressive delay after the last of `times` once more than `free` failed (0 when none is due)."""
        if len(times) < free:
            return 0
        delay: int = min(2 ** (len(times) - free + 1), self.limits.MAX_DELAY_SECONDS)
        return max(0, math.ceil(delay - (self.now - times[-1]).total_seconds()))

    def pair_wait(self) -> int:
        lim = self.limits
        return self._until_below(self.pair, lim.PAIR_MAX_FAILURES, lim.PAIR_WINDOW_SECONDS) \
            if len(self.pair) >= lim.PAIR_MAX_FAILURES else 0

    def address_lock_wait(self) -> int:
        lim = self.limits
        return self._until_below(self.address, lim.ADDRESS_MAX_FAILURES, lim.ADDRESS_WINDOW_SECONDS) \
            if len(self.address) >= lim.ADDRESS_MAX_FAILURES else 0

    def guarded(self) -> bool:
        return len(self.account) >= self.limits.ACCOUNT_FREE_FAILURES

    def guard_wait(self, known: bool) -> int:
        """On a guarded account, an unknown address that already failed on it waits after its own last failure."""
        if known or not self.guarded() or not self.pair:
            return 0
        return self._delay(self.pair, 1)

    def verdict(self, known: bool) -> Verdict:
        lim = self.limits
        for rule, wait in (("pair", self.pair_wait()), ("address", self.address_lock_wait()),
                           ("address-delay", self._delay(self.address, lim.ADDRESS_FREE_FAILURES)),
                           ("account-delay", self.guard_wait(known))):
            if wait:
                return Verdict(wait, rule)
        return Verdict()


class LoginPolicy:
    """The login policy over one database session; `clock` gives naive UTC (the store's clock by default)."""

    def __init__(self, session: Any, limits: Limits | None = None,
                 clock: Callable[[], dt.datetime] = auth_queries.now):
        self.session, self.limits, self.clock = session, limits or Limits(), clock

    def _state(self, address: str, username: str) -> _State:
        now = self.clock()
        since = now - dt.timedelta(seconds=max(self.limits.ADDRESS_WINDOW_SECONDS, self.limits.PAIR_WINDOW_SECONDS))
        events = auth_queries.events_about(self.session, since, username, address)
        return _State(events, address, username, now, self.limits)

    def check(self, address: str, username: str) -> Verdict:
        """May this address try this username now? (Read only.)"""
        username = norm(username)
        state = self._state(address, username)
        known = False
        if state.guarded():
            since = state.now - dt.timedelta(days=self.limits.KNOWN_ADDRESS_DAYS)
            known = address in auth_queries.known_addresses(self.session, username, since)
        return state.verdict(known)

    def attempt(self, address: str, username: str, channel: str = "web") -> Verdict:
        """Check and reserve in one write transaction (see the module docstring); commits.

        A refused attempt is recorded as a failure of this address (note "refused"); an allowed one reserves a
        failure (note "pending") whose id the verdict carries, for `settle` once the password is checked.
        """
        user = norm(username)
        auth_queries.begin_write(self.session)
        try:
            verdict = self.check(address, user)
            note = "refused" if verdict.wait else "pending"
            event = auth_queries.record(self.session, "failure", user, address, channel, note=note, at=self.clock())
            if verdict.wait:  # a refused try counts: it may be the one that starts the account's guard — log it
                self._log_locks(address, user, channel, self.clock())  # (commits)
            self.session.commit()
        except BaseException:
            self.session.rollback()
            raise
        return verdict if verdict.wait else Verdict(attempt_id=event.id)

    def settle(self, verdict: Verdict, address: str, username: str, ok: bool, channel: str = "web") -> None:
        """The password check's outcome for a reserved attempt: a success replaces the reserved failure."""
        if verdict.attempt_id is None:
            raise ValueError("settle() needs the verdict of an allowed attempt()")
        # issue 18: read-then-write; a deferred one fails "database is locked". A success only turns this attempt's
        # reserved failure into a success (it reads nothing and clears only this pair's and account's counters): on
        # PostgreSQL it does not queue for the policy lock every other login's check-and-reserve holds.
        auth_queries.begin_write(self.session, policy_lock=not ok)
        if ok:
            auth_queries.settle(self.session, verdict.attempt_id, "success", at=self.clock())
            self.session.commit()
        else:
            auth_queries.settle(self.session, verdict.attempt_id, "failure")
            self._log_locks(address, norm(username), channel, self.clock())

    def failed(self, address: str, username: str, channel: str = "web") -> None:
        """Record a wrong password (or unknown / inactive user); record and log any lock it starts."""
        username, now = norm(username), self.clock()
        auth_queries.record(self.session, "failure", username, address, channel, at=now)
        self._log_locks(address, username, channel, now)

    def _log_locks(self, address: str, username: str, channel: str, now: dt.datetime) -> None:
        state = self._state(address, username)
        lim = self.limits
        for scope, user, addr, count, limit in (
                ("pair", username, address, len(state.pair), lim.PAIR_MAX_FAILURES),
                ("address", ANY, address, len(state.address), lim.ADDRESS_MAX_FAILURES),
                ("account", username, ANY, len(state.account), lim.ACCOUNT_FREE_FAILURES)):
            if count == limit:
                note = f"{scope}: {count} failures"
                auth_queries.record(self.session, "lock", user, addr, channel, note=note, at=now)
                log.warning("login %s lock: username=%r address=%s channel=%s (%s)", scope, user, addr, channel, note)
        self.session.commit()

    def succeeded(self, address: str, username: str, channel: str = "web") -> None:
        auth_queries.record(self.session, "success", norm(username), address, channel, at=self.clock())
        self.session.commit()

    def locks(self) -> list[Lock]:
        """Every lock or guard in force now, for the admin page."""
        now, lim = self.clock(), self.limits
        events = auth_queries.events_since(self.session, now - dt.timedelta(seconds=lim.ADDRESS_WINDOW_SECONDS))
        by_user: dict[str, list[Any]] = {}
        by_address: dict[str, list[Any]] = {}
        for e in events:  # one pass: each state below reads only the events about its user or address
            by_user.setdefault(e.username, []).append(e)
            by_address.setdefault(e.address, []).append(e)

        def about(user: str, addr: str) -> list[Any]:
            seen = {id(e) for e in by_user.get(user, [])}
            merged = by_user.get(user, []) + [e for e in by_address.get(addr, []) if id(e) not in seen]
            return sorted(merged, key=lambda e: (e.at, e.id))

        out: list[Lock] = []
        for user, addr in sorted({(e.username, e.address) for e in events if e.kind == "failure"}):
            state = _State(about(user, addr), addr, user, now, lim)
            if wait := state.pair_wait():
                out.append(Lock("pair", user, addr, len(state.pair), wait))
        for addr in sorted({e.address for e in events if e.kind == "failure"}):
            state = _State(about("\0", addr), addr, "\0", now, lim)
            wait = state.address_lock_wait() or state._delay(state.address, lim.ADDRESS_FREE_FAILURES)
            if wait or len(state.address) >= lim.ADDRESS_MAX_FAILURES:
                out.append(Lock("address", ANY, addr, len(state.address), wait))
        for user in sorted({e.username for e in events if e.kind == "failure"}):
            state = _State(about(user, "\0"), "\0", user, now, lim)
            if len(state.account) >= lim.ACCOUNT_FREE_FAILURES:
                out.append(Lock("account", user, ANY, len(state.account), state._delay(state.account,
                                                                                        lim.ACCOUNT_FREE_FAILURES)))
        return out

    def clear(self, scope: str, username: str, address: str, actor_id: int, actor: str) -> None:
        """An admin lifts a lock (pair: both given; address: username ANY; account: address ANY); logged."""
        user = norm(username) if scope in ("pair", "account") else ANY
        addr = address if scope in ("pair", "address") else ANY
        auth_queries.record(self.session, "clear", user, addr, "web", actor_id=actor_id,
                            note=f"{scope} cleared by {actor}"[:500], at=self.clock())
        log.warning("login %s lock cleared: username=%r address=%s by admin %r", scope, user, addr, actor)
        self.session.commit()


def login_policy() -> LoginPolicy:
    """The policy for the current request: its database session and the app's limits."""
    return LoginPolicy(db(), Limits.from_config(current_app.config))


def retry_minutes(verdict: Verdict) -> int:
    """The wait in whole minutes, rounded up, for messages."""
    return max(1, (verdict.wait + 59) // 60)
