"""web.auth_policy: the password policy and the account / address lock-out the login view can call."""

from __future__ import annotations

import pytest

from web.auth_policy import LoginGuard, password_problems


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
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_an_account_locks_after_failures_from_many_addresses() -> None:
    clock = Clock()
    guard = LoginGuard(account_max=10, address_max=30, window_seconds=900, clock=clock)
    for i in range(10):
        assert guard.check(f"10.0.0.{i}", "Alice") == 0
        guard.failed(f"10.0.0.{i}", "Alice")
    assert guard.locked("alice")
    assert guard.check("10.9.9.9", " ALICE ") > 0  # from a new address, any spelling
    assert guard.check("10.9.9.9", "bob") == 0
    clock.now += 901
    assert guard.check("10.9.9.9", "alice") == 0 and not guard.locked("alice")


def test_an_address_spraying_many_usernames_is_stopped() -> None:
    guard = LoginGuard(account_max=10, address_max=30, window_seconds=900, clock=Clock())
    for i in range(30):
        guard.failed("203.0.113.7", f"user{i}")
    assert guard.check("203.0.113.7", "someone-new") > 0
    assert guard.check("198.51.100.1", "someone-new") == 0


def test_success_clears_the_account_but_not_the_address() -> None:
    guard = LoginGuard(account_max=3, address_max=5, window_seconds=900, clock=Clock())
    for _ in range(3):
        guard.failed("a", "alice")
    assert guard.locked("alice")
    guard.unlock("alice")
    assert not guard.locked("alice")
    guard.failed("a", "alice")
    guard.succeeded("a", "alice")
    assert guard.check("a", "alice") == 0
    guard.failed("a", "x")
    assert guard.check("a", "y") > 0  # 5 failures from "a" in the window
