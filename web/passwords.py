"""This file defines the one password rule of every place a password is chosen: admin user creation, a user
changing their own password, registration and reset.

`password_problems(password, username)` lists what is wrong (empty: acceptable), in Chinese and English, never
echoing the password: at least `MIN_LENGTH` (12) characters; three of lower case, upper case, digits and symbols
unless it is `LONG_ENOUGH` (16) or longer; not one of the 30,000 most common passwords (the xato list shipped in
the zxcvbn package, plus a few local words), also after stripping trailing digits and symbols ("password2024!");
not containing the username (or contained in it); not one character repeated.
"""

from __future__ import annotations

from functools import lru_cache

from engine.errors import Message

MIN_LENGTH, LONG_ENOUGH = 12, 16
LOCAL_WORDS = frozenset({"subsidy", "subsidy123", "qingyuan", "shaoguan", "qingcheng", "woaini1314", "5201314",
                         "admin@123", "p@ssw0rd", "p@ssword", "changeme", "welcome1", "administrator"})
TRAILING = "0123456789!@#$%^&*.?-_ "


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
