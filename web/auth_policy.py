"""This file defines the account policies the login and user-admin views call: password rules and lock-out.

The login view already limits failures per (address, username) (web/auth/ratelimit.py). That leaves two
gaps this module closes, as plain functions and one small class, without touching a view:

* **Account lock-out**: `LoginGuard.check(address, username)` refuses a username that failed
  `ACCOUNT_MAX_FAILURES` (10) times in `ACCOUNT_WINDOW_SECONDS` (900) from *any* addresses (guessing from
  many machines), and an address that failed `ADDRESS_MAX_FAILURES` (30) times for *any* usernames
  (password spraying), for the rest of the window. `failed()` / `succeeded()` record outcomes. In
  memory and per process, like the rate limit: with W gunicorn workers the bound is W × the limit.
* **Password policy**: `password_problems(password, username)` lists what is wrong with a new password
  (zh/en): at least 12 characters, not the username, at least three of lower/upper/digit/other unless it
  is 16 or more characters long, not one of the most common passwords, not all one character.

Hooks (one line each; see docs/reliability.md):
  login, before authenticate:  ``if (wait := login_guard().check(addr, user)): return 429``
  login, on failure / success: ``login_guard().failed(addr, user)`` / ``login_guard().succeeded(addr, user)``
  user creation / password change: ``problems = password_problems(password, username)`` → form errors.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app

MIN_LENGTH, LONG_ENOUGH = 12, 16
COMMON = frozenset({
    "password", "password1", "password123", "passw0rd", "p@ssw0rd", "p@ssword", "123456", "12345678",
    "123456789", "1234567890", "12345678910", "qwerty", "qwerty123", "qwertyuiop", "1q2w3e4r", "1q2w3e4r5t",
    "111111", "000000", "abc123", "abcd1234", "iloveyou", "admin", "admin123", "admin@123", "administrator",
    "welcome", "welcome1", "letmein", "monkey", "dragon", "sunshine", "football", "baseball", "superman",
    "changeme", "test1234", "woaini1314", "5201314", "a123456", "a12345678", "aa123456", "zxcvbnm",
    "qwe123", "asdfghjkl", "subsidy", "subsidy123", "qingyuan", "shaoguan", "qingcheng",
})


@dataclass(frozen=True)
class PolicyProblem:
    code: str
    zh: str
    en: str

    def __str__(self) -> str:
        return f"{self.zh} / {self.en}"


def _classes(password: str) -> int:
    return sum((any(c.islower() for c in password), any(c.isupper() for c in password),
                any(c.isdigit() for c in password), any(not c.isalnum() for c in password)))


def password_problems(password: str, username: str = "") -> list[PolicyProblem]:
    """What is wrong with a new password (empty: acceptable). Never logs or returns the password."""
    out: list[PolicyProblem] = []
    folded, user = password.casefold(), username.strip().casefold()
    if len(password) < MIN_LENGTH:
        out.append(PolicyProblem("too-short", f"密码至少{MIN_LENGTH}个字符", f"at least {MIN_LENGTH} characters"))
    if len(password) < LONG_ENOUGH and _classes(password) < 3:
        out.append(PolicyProblem("too-simple", f"密码须含小写字母、大写字母、数字、符号中的至少三类（或不少于{LONG_ENOUGH}个字符）",
                                 f"use three of lower case, upper case, digits and symbols (or {LONG_ENOUGH}+ "
                                 "characters)"))
    stripped = folded.rstrip("0123456789!@#$%^&*.")
    if folded in COMMON or stripped in COMMON:
        out.append(PolicyProblem("common", "这是常见密码，容易被猜中", "this is a common password"))
    if user and (user in folded or folded in user):
        out.append(PolicyProblem("contains-username", "密码不能包含用户名", "the password must not contain the username"))
    if password and len(set(password)) <= 2:
        out.append(PolicyProblem("repetitive", "密码不能由同一字符重复组成", "the password must not repeat one character"))
    return out


class LoginGuard:
    """Failures by username (from any address) and by address (for any username) within a window."""

    def __init__(self, account_max: int = 10, address_max: int = 30, window_seconds: int = 900,
                 clock: Callable[[], float] = time.monotonic):
        self.account_max, self.address_max, self.window, self.clock = account_max, address_max, window_seconds, clock
        self._by_user: dict[str, deque[float]] = {}
        self._by_addr: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, table: dict[str, deque[float]], key: str, now: float) -> deque[float]:
        times = table.get(key, deque())
        while times and now - times[0] >= self.window:
            times.popleft()
        if not times:
            table.pop(key, None)
        return times

    @staticmethod
    def _norm(username: str) -> str:
        return username.strip().casefold()

    def check(self, address: str, username: str) -> int:
        """Seconds until this address may try this username again (0: allowed now)."""
        with self._lock:
            now = self.clock()
            waits = []
            for table, key, limit in ((self._by_user, self._norm(username), self.account_max),
                                      (self._by_addr, address, self.address_max)):
                times = self._recent(table, key, now)
                if len(times) >= limit:
                    waits.append(int(self.window - (now - times[-limit])) + 1)
            return max(waits, default=0)

    def locked(self, username: str) -> bool:
        with self._lock:
            return len(self._recent(self._by_user, self._norm(username), self.clock())) >= self.account_max

    def failed(self, address: str, username: str) -> None:
        with self._lock:
            now = self.clock()
            for table, key in ((self._by_user, self._norm(username)), (self._by_addr, address)):
                self._recent(table, key, now)
                table.setdefault(key, deque()).append(now)
                if len(table[key]) > 1000:
                    table[key].popleft()

    def succeeded(self, address: str, username: str) -> None:
        """A correct password clears the account's failures (not the address's: spraying stays counted)."""
        with self._lock:
            self._by_user.pop(self._norm(username), None)

    def unlock(self, username: str) -> None:
        """An administrator lifts a lock-out."""
        with self._lock:
            self._by_user.pop(self._norm(username), None)


GUARD_KEY = "subsidy.login_guard"


def login_guard() -> LoginGuard:
    """The application's LoginGuard (settings ACCOUNT_MAX_FAILURES, ADDRESS_MAX_FAILURES, ACCOUNT_WINDOW_SECONDS)."""
    app = current_app
    if GUARD_KEY not in app.extensions:
        app.extensions[GUARD_KEY] = LoginGuard(int(app.config.get("ACCOUNT_MAX_FAILURES", 10)),
                                               int(app.config.get("ADDRESS_MAX_FAILURES", 30)),
                                               int(app.config.get("ACCOUNT_WINDOW_SECONDS", 900)))
    guard: LoginGuard = app.extensions[GUARD_KEY]
    return guard
