"""Issue 18: passwords are stored as Argon2id at OWASP's minimum cost or above, older hashes still log in and are
upgraded then, and an unknown username costs one check of the same kind."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher, extract_parameters
from argon2 import Type as Argon2Type
from flask import Flask
from werkzeug.security import generate_password_hash

from tests.security.conftest import PASSWORD, login
from web import passwords
from web.store import queries
from web.store.models import User

OWASP_MIN_MEMORY_KIB, OWASP_MIN_ITERATIONS = 19 * 1024, 2  # Password Storage Cheat Sheet, Argon2id


def test_a_new_hash_is_argon2id_at_owasp_minimum_or_above() -> None:
    stored = passwords.hash_password("Kx9!river-lantern")
    params = extract_parameters(stored)
    assert params.type is Argon2Type.ID
    assert params.memory_cost >= OWASP_MIN_MEMORY_KIB and params.time_cost >= OWASP_MIN_ITERATIONS
    assert params.salt_len >= 16
    assert passwords.verify_password(stored, "Kx9!river-lantern")
    assert not passwords.verify_password(stored, "Kx9!river-lanterN")
    assert stored != passwords.hash_password("Kx9!river-lantern")  # salted


@pytest.mark.parametrize("stored", ["", "not-a-hash", "$argon2id$v=19$m=19456,t=2,p=1$broken", "plain$text"])
def test_a_malformed_stored_hash_never_matches(stored: str) -> None:
    assert passwords.verify_password(stored, "anything") is False


@pytest.mark.parametrize("method", ["scrypt", "pbkdf2:sha256:600000"])
def test_an_older_werkzeug_hash_logs_in_and_is_replaced(method: str) -> None:
    user = User(username="old-timer", role="admin")
    user.password_hash = generate_password_hash("Kx9!river-lantern", method=method)
    assert not user.check_password("wrong-password-1")
    assert user.password_hash.startswith(method.split(":")[0])  # a failed try changes nothing
    assert user.check_password("Kx9!river-lantern")
    assert user.password_hash.startswith("$argon2id$")
    assert user.check_password("Kx9!river-lantern")


def test_a_hash_with_weaker_parameters_is_replaced_at_login() -> None:
    user = User(username="old-timer", role="admin")
    user.password_hash = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash("Kx9!river-lantern")
    assert passwords.needs_rehash(user.password_hash)
    assert user.check_password("Kx9!river-lantern")
    assert not passwords.needs_rehash(user.password_hash)


def test_an_unknown_user_is_checked_against_an_argon2id_hash(monkeypatch: pytest.MonkeyPatch) -> None:
    checked: list[str] = []
    real = passwords.verify_password
    monkeypatch.setattr(passwords, "verify_password", lambda h, p: checked.append(h) or real(h, p))
    assert queries.authenticate(_NoUsers(), "nobody", "Kx9!river-lantern") is None
    assert len(checked) == 1 and checked[0].startswith("$argon2id$")
    assert extract_parameters(checked[0]) == extract_parameters(passwords.hash_password("x"))


class _NoUsers:
    """A session in which no user exists (authenticate only asks for one)."""

    def scalars(self, _stmt: object) -> _NoUsers:
        return self

    def first(self) -> None:
        return None


def test_a_login_through_the_site_saves_the_upgraded_hash(secure: Flask) -> None:
    from web.db_session import db

    with secure.app_context():
        user = queries.get_user(db(), "rita")
        assert user is not None
        user.password_hash = generate_password_hash(PASSWORD, method="scrypt")
        db().commit()
    assert login(secure.test_client(), "rita").status_code == 302
    with secure.app_context():
        stored = queries.get_user(db(), "rita")
        assert stored is not None and stored.password_hash.startswith("$argon2id$")
        assert stored.check_password(PASSWORD)
