"""This file defines onboarding in the store: an applicant's self-registration tied to a credit code (one account
per code; the account waits for an admin's confirmation), the admin's confirmation, and password resets by
e-mail (a random token whose SHA-256 alone is stored; it expires and works once); the applicant's payee account
(account name, bank, account number — each checked, an error naming its field) and whether a paid-voucher line
names that account. Writers flush; the caller commits — except `set_payee`, which chains the change in its own
chain-locked transaction (a change of the account before a payment is the classic fraud path: every one is on the
audit chain, and `subsidy audit verify` compares the account with its last chained entry)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.standards.uscc import validate_uscc
from web.store import chain, ledger_key
from web.store.identity import organisation_digest
from web.store.models import Applicant, LedgerEntry, PasswordReset, User, utcnow
from web.store.queries import StoreError, append_ledger, chain_transaction

RESET_VALID = dt.timedelta(hours=1)


def register(session: Session, *, name: str, credit_code: str, username: str, password: str, email: str,
             lang: str = "zh") -> User:
    """A pending applicant account for the organisation with this credit code (created if new).

    Raises:
        StoreError: a credit code that fails its check, a code that already has an account, a username taken.
    """
    code, issues = validate_uscc(credit_code)
    errors = [i for i in issues if i.severity == "error"]
    if errors:
        raise StoreError("credit-code", f"统一社会信用代码有误：{errors[0].message.zh}", f"credit code: {errors[0].message.en}")
    digest = organisation_digest(code)
    applicant = session.scalars(select(Applicant).where(Applicant.identity_digest == digest)).first()
    if applicant is not None and session.scalar(select(func.count(User.id)).where(User.applicant_id == applicant.id)):
        raise StoreError("code-has-account", "该统一社会信用代码已有账号：每个代码只能注册一个账号（忘记密码请找回）",
                         "this credit code already has an account: one account per code (reset the password instead)")
    if session.scalar(select(func.count(User.id)).where(func.lower(User.username) == username.strip().lower())):
        raise StoreError("username-taken", "用户名已被使用", "this username is taken")
    if applicant is None:
        applicant = Applicant(kind="enterprise", party="organisation", name=name.strip(), credit_code=code,
                              identity_digest=digest)
        session.add(applicant)
        session.flush()
    user = User(username=username.strip(), role="applicant", applicant_id=applicant.id, active=False, pending=True,
                email=email.strip(), lang=lang if lang in ("zh", "en") else "zh")
    user.set_password(password)
    session.add(user)
    session.flush()
    return user


def pending_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).where(User.pending.is_(True)).order_by(User.id)))


def confirm(session: Session, user_id: int) -> User:
    """An admin confirms a self-registered account: it may log in from now on."""
    user = session.get(User, user_id)
    if user is None or not user.pending:
        raise StoreError("not-pending", "该账号不在待确认列表中", "this account is not awaiting confirmation")
    user.pending, user.active = False, True
    session.flush()
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start_reset(session: Session, login: str, now: dt.datetime | None = None) -> tuple[User, str] | None:
    """A reset token for the active account with this username or e-mail (None: no such account — the page
    says the same either way). Only the token's SHA-256 is stored."""
    text = login.strip().lower()
    if not text:
        return None
    user = session.scalars(select(User).where(User.active.is_(True), User.email.is_not(None),
                                              (func.lower(User.username) == text) | (func.lower(User.email) == text))).first()
    if user is None or not user.email:
        return None
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    session.add(PasswordReset(user_id=user.id, token_digest=_digest(token), created_at=now, expires_at=now + RESET_VALID))
    session.flush()
    return user, token


def reset_user(session: Session, token: str, now: dt.datetime | None = None) -> User | None:
    """The account a still-valid, unused token resets (None: unknown, expired or used)."""
    row = session.scalars(select(PasswordReset).where(PasswordReset.token_digest == _digest(token))).first()
    now = now or utcnow()
    if row is None or row.used_at is not None or now >= row.expires_at:
        return None
    return session.get(User, row.user_id)


def finish_reset(session: Session, token: str, password: str, now: dt.datetime | None = None) -> User:
    """Set the new password and spend the token (every other open token of the account too).

    Raises:
        StoreError: the token is unknown, expired or used.
    """
    now = now or utcnow()
    user = reset_user(session, token, now)
    if user is None:
        raise StoreError("reset-invalid", "重置链接无效、已过期或已使用，请重新申请", "the reset link is invalid, expired "
                         "or already used: ask for a new one")
    user.set_password(password)
    user.session_epoch = (user.session_epoch or 0) + 1  # every session opened with the old password ends
    for row in session.scalars(select(PasswordReset).where(PasswordReset.user_id == user.id,
                                                           PasswordReset.used_at.is_(None))):
        row.used_at = now
    session.flush()
    return user




# -- the payee account (issue 23: the finance office pays into it) -------------------------------------------------

PAYEE_NAME_MAX, BANK_NAME_MAX = 100, 100
ACCOUNT_DIGITS = (9, 30)  # Chinese corporate settlement accounts run 9–25 digits, cards 16–19: one generous range


class PayeeError(ValueError):
    """A payee field the finance office cannot use; `.field` names it, `.zh` / `.en` say why (naming the field)."""

    def __init__(self, field: str, zh: str, en: str):
        super().__init__(f"{field}: {zh} / {en}")
        self.field, self.zh, self.en = field, zh, en


def account_digits(text: str | None) -> str:
    """An account number as typed (spaces and hyphens allowed between groups) → its digits only.

    >>> account_digits(" 6222 0212-3456 7890 123 ")
    '6222021234567890123'
    """
    return "".join((text or "").split()).replace("-", "")


def clean_payee_name(text: str) -> str:
    name = " ".join((text or "").split())
    if not name:
        raise PayeeError("payee_name", "请填写收款户名（须与银行开户名称一致）", "the account name is required (as the bank holds it)")
    if len(name) > PAYEE_NAME_MAX or any(ord(c) < 32 for c in name):
        raise PayeeError("payee_name", f"收款户名不超过{PAYEE_NAME_MAX}个字符，不含控制字符",
                         f"the account name has at most {PAYEE_NAME_MAX} characters, no control characters")
    return name


def clean_bank_name(text: str) -> str:
    bank = " ".join((text or "").split())
    if len(bank) < 4 or len(bank) > BANK_NAME_MAX:
        raise PayeeError("bank_name", "开户银行须填写银行及支行全称，如“中国工商银行清远分行营业部”",
                         "the bank is the full name of the bank and branch, e.g. 中国工商银行清远分行营业部")
    return bank


def clean_bank_account(text: str) -> str:
    digits = account_digits(text)
    low, high = ACCOUNT_DIGITS
    if not digits.isdigit() or not low <= len(digits) <= high:
        raise PayeeError("bank_account", f"银行账号须为{low}–{high}位数字（可用空格分组）",
                         f"the account number has {low}–{high} digits (spaces between groups allowed)")
    return digits


@dataclass(frozen=True)
class PayeeChange:
    """A payee account set or changed: the chained entry, the account before (None: the first one) and after, as the
    chain keeps them (web.store.chain.payee_record: the last four digits, the number's HMAC under the ledger key), and
    when (UTC)."""

    applicant: Applicant
    entry: LedgerEntry
    before: dict[str, Any] | None
    after: dict[str, Any]
    at: dt.datetime


def set_payee(session: Session, applicant_id: int, *, payee_name: str, bank_name: str, bank_account: str,
              user_id: int | None = None) -> PayeeChange | None:
    """Store the applicant's payee account (each field checked) and chain the change as a `payee_account` entry
    (committed); None when the account is the one already registered (nothing changes, nothing is chained).

    Raises:
        PayeeError: the first field that cannot be used, named. StoreError: no such applicant.
    """
    payee, bank, account = clean_payee_name(payee_name), clean_bank_name(bank_name), clean_bank_account(bank_account)
    with chain_transaction(session) as head:
        applicant = session.get(Applicant, applicant_id, populate_existing=True)
        if applicant is None:
            raise StoreError("no-applicant", "没有这个申请人", "no such applicant")
        key = ledger_key.for_session(session)
        before = chain.payee_record(applicant.payee_name, applicant.bank_name, applicant.bank_account, key)
        after = chain.payee_record(payee, bank, account, key)
        assert after is not None
        if before == after:
            return None
        entry = append_ledger(session, head, "payee_account", {"applicant_id": applicant.id, "payee": after,
                                                               "previous": before}, user_id=user_id)
        applicant.payee_name, applicant.bank_name, applicant.bank_account = payee, bank, account
        session.flush()
    return PayeeChange(applicant, entry, before, after, entry.created_at)


def payee_changes(session: Session, applicant_ids: list[int],
                  since: dt.datetime | None = None) -> dict[int, list[LedgerEntry]]:
    """The chained `payee_account` entries of these applicants (made after `since`, when given), oldest first."""
    wanted, out = set(applicant_ids), {}
    query = select(LedgerEntry).where(LedgerEntry.kind == "payee_account").order_by(LedgerEntry.chain_seq)
    if since is not None:
        query = query.where(LedgerEntry.created_at > since)
    for entry in session.scalars(query):
        applicant_id = json.loads(entry.body).get("applicant_id")
        if applicant_id in wanted:
            out.setdefault(applicant_id, []).append(entry)
    return out


def changed_after(entries: list[LedgerEntry], moment: dt.datetime | None) -> dt.datetime | None:
    """When the account was last *changed* (not first set) after this moment (None: not changed since)."""
    if moment is None:
        return None
    changed = [e.created_at for e in entries if e.created_at > moment and json.loads(e.body).get("previous")]
    return changed[-1] if changed else None


def payee_mismatch(applicant: Applicant, payee_name: str, bank_account: str, *,
                   last_four: bool = False) -> tuple[str, str] | None:
    """Why a payment cannot go to the applicant's registered account as confirmed (zh, en); None when it can. The
    one check of every way a payment is recorded: the paid-voucher import gives the full number from the finance
    office's file (a masked one proves nothing; an account name, when given, must be the registered one); the
    single-line form (`last_four`) has the admin who pays type the last four digits of the account shown. Either
    way an applicant with no registered account cannot be paid.

    >>> a = Applicant(payee_name="清远测试科技有限公司", bank_account="6222021234567890123")
    >>> payee_mismatch(a, "", "0123", last_four=True) is None, payee_mismatch(a, "", "6222 0212 3456 7890 123") is None
    (True, True)
    >>> payee_mismatch(a, "", "0124", last_four=True)[1]
    "the last four digits are not those of the applicant's registered account"
    """
    if not applicant.bank_account:
        return ("申请人尚未登记收款账户，不能付款", "the applicant has not entered a payee account: nothing can be paid")
    typed = account_digits(bank_account)
    if last_four:
        if typed != applicant.bank_account[-4:]:
            return ("收款账号后4位与申请人登记的收款账户不一致", "the last four digits are not those of the applicant's "
                    "registered account")
        return None
    if typed != applicant.bank_account:
        return ("银行账号与申请人登记的收款账户不一致（须为完整账号）",
                "the account number is not the applicant's registered account (the full number is needed)")
    if payee_name.strip() and " ".join(payee_name.split()) != applicant.payee_name:
        return ("收款户名与申请人登记的不一致", "the account name is not the applicant's registered one")
    return None
