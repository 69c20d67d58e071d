"""This file defines the one password rule of every place a password is chosen: admin user creation, a user
changing their own password, registration and reset.

`password_problems(password, username)` lists what is wrong (empty: acceptable), in Chinese and English, never
echoing the password: at least `MIN_LENGTH` (12) characters; three of lower case, upper case, digits and symbols
unless it is `LONG_ENOUGH` (16) or longer; not one of the 30,000 most common passwords (the xato list shipped in
the zxcvbn package, plus a few local words), also after stripping trailing digits and symbols ("password2024!");
not containing the username (or contained in it); not one character repeated.

It also defines how a password is stored and checked (every path: `User.set_password` / `check_password`, and the
dummy check `web.store.queries.authenticate` runs for an unknown user so that both cost the same): Argon2id with
OWASP's minimum parameters (Password Storage Cheat Sheet: m = 19 MiB, t = 2, p = 1), about 30 ms on one core here.
It replaced Werkzeug's default scrypt (N = 2^15, r = 8, p = 1: about 120 ms, and *below* OWASP's scrypt minimum,
which for N = 2^15 asks p = 3, ~370 ms): stronger by that measure, and a quarter of the CPU, which on a 2-core
server is a quarter of what every login costs everyone else (issue 18). Hashes made before (Werkzeug's
``scrypt:`` / ``pbkdf2:``) still verify and are replaced by an Argon2id hash at the next successful login
(`needs_rehash`).
"""

from __future__ import annotations

import secrets
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from werkzeug import security as legacy

from engine.errors import Message

MIN_LENGTH, LONG_ENOUGH = 12, 16
LOCAL_WORDS = frozenset({"subsidy", "subsidy123", "qingyuan", "shaoguan", "qingcheng", "woaini1314", "5201314",
                         "admin@123", "p@ssw0rd", "p@ssword", "changeme", "welcome1", "administrator"})
TRAILING = "0123456789!@#$%^&*.?-_ "
# OWASP Password Storage Cheat Sheet, Argon2id minimum: 19 MiB of memory, 2 iterations, 1 degree of parallelism
HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
ARGON2_PREFIX = "$argon2"


def hash_password(password: str) -> str:
    """The stored form of a password: an Argon2id hash (salted; parameters in the string)."""
    return HASHER.hash(password)


def verify_password(stored: str, password: str) -> bool:
    """Whether `password` matches the stored hash (Argon2id, or a Werkzeug hash made before)."""
    if not stored.startswith(ARGON2_PREFIX):
        return legacy.check_password_hash(stored, password)
    try:
        return HASHER.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """Whether a (verified) stored hash should be replaced: made with other parameters, or not Argon2id."""
    return not stored.startswith(ARGON2_PREFIX) or HASHER.check_needs_rehash(stored)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return hash_password(secrets.token_hex(16))


def verify_dummy(password: str) -> bool:
    """Check a password against the hash of a random one (always False), at the cost of a real check: what an
    unknown or inactive username costs, so that timing does not tell which usernames exist."""
    return verify_password(_dummy_hash(), password)


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The common-password list (casefolded), loaded once per process."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(p.casefold() for p in FREQUENCY_LISTS["passwords"]) | LOCAL_WORDS


def _classes(password: str) -> int:
    return sum((any(c.islower() for c in password), any(c.isupper() for c in password),
                any(c.isdigit() for c in password), any(not c.isalnum() for c in password)))


def is_common(password: str) -> bool:
    """Whether the password, or it without trailing digits and symbols, is on the common list."""
    folded = password.casefold()
    common = common_passwords()
    return folded in common or folded.rstrip(TRAILING) in common or folded.strip(TRAILING) in common


def password_problems(password: str, username: str = "") -> list[Message]:
    """What is wrong with a new password (empty list: acceptable). Never logs or returns the password.

    >>> [m.en for m in password_problems("Password2024!", "alice")]
    ['this is a common password']
    """
    out: list[Message] = []
    folded, user = password.casefold(), username.strip().casefold()
    if len(password) < MIN_LENGTH:
        out.append(Message(f"密码至少{MIN_LENGTH}个字符", f"at least {MIN_LENGTH} characters"))
    if len(password) < LONG_ENOUGH and _classes(password) < 3:
        out.append(Message(f"密码须含小写字母、大写字母、数字、符号中的至少三类（或不少于{LONG_ENOUGH}个字符）",
                           f"use three of lower case, upper case, digits and symbols (or {LONG_ENOUGH}+ characters)"))
    if password and is_common(password):
        out.append(Message("这是常见密码，容易被猜中", "this is a common password"))
    if user and password and (user in folded or folded in user):
        out.append(Message("密码不能包含用户名", "the password must not contain the username"))
    if password and len(set(password)) <= 2:
        out.append(Message("密码不能由同一字符重复组成", "the password must not repeat one character"))
    return out
