"""This file defines the one masking of personal data — resident ID numbers, phone numbers, e-mail addresses,
contact names, a person applicant's name and the payee bank account — for every page, export and API response,
by role.

Who sees what in full (`SEES`): an applicant sees their own data (the store only ever gives them their own);
a reviewer sees contacts and a person applicant's name in full (to call the applicant back) but ID numbers and
bank accounts masked; an admin — the role that pays, through the finance office's file — sees the bank account
in full and everything else masked; auditors see everything masked. An organisation's name is public (it is on
the 公示) and is never masked; a bank's name is not personal data. `mask_document(data, role)` walks any JSON-like value (a stored profile, a decision with
its traces, an export) and masks by *content*, not only by field name: any text holding an ID number (valid
check digit and birth date), a mainland mobile or landline number, or an e-mail address is masked wherever it
appears — a free-text note included — so a new field cannot leak what an old one hid.

>>> mask_phone("13800001234"), mask_email("wang@example.cn"), mask_name("王建国"), mask_id("441802199001011239")
('138****1234', 'w***@example.cn', '王**', '441802********1239')
>>> mask_document({"note": "call 13800001234 or wang@example.cn"}, "auditor")
{'note': 'call 138****1234 or w***@example.cn'}
>>> mask_account("6222 0212 3456 7890 123"), payee_for("auditor", "person", "李小龙", "工商银行清远分行", "6222021234567890123")
('6222***********0123', {'payee': '李**', 'bank': '工商银行清远分行', 'account': '6222***********0123'})
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from engine.standards.idcard import mask_id as _engine_mask_id

ID, PHONE, EMAIL, NAME, BANK = "id", "phone", "email", "name", "bank"
SEES: dict[str, frozenset[str]] = {
    "applicant": frozenset({ID, PHONE, EMAIL, NAME, BANK}),  # their own
    "reviewer": frozenset({PHONE, EMAIL, NAME}),
    "auditor": frozenset(),
    "admin": frozenset({BANK}),  # pays: the finance office's file needs the account
}
_EDGE_L, _EDGE_R = r"(?<![0-9A-Za-z])", r"(?![0-9A-Za-z])"
ID_TEXT = re.compile(_EDGE_L + r"[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]" + _EDGE_R)
PHONE_TEXT = re.compile(_EDGE_L + r"(?:(?:\+?86)[ -]?)?(?:1[3-9]\d(?:[ -]?\d{4}){2}|0(?:[12]\d|[3-9]\d{2})-?\d{7,8})"
                        + _EDGE_R)
EMAIL_TEXT = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def sees(role: str | None, kind: str) -> bool:
    """Whether a role sees this kind of personal data in full (unknown roles and anonymous: never)."""
    return kind in SEES.get(role or "", frozenset())


def mask_id(number: str | None) -> str:
    if not number:
        return "—"
    return _engine_mask_id(str(number))


def mask_phone(phone: str | None) -> str:
    if not phone:
        return "—"
    digits = phone.replace("-", "")
    if "-" in phone:
        area, number = phone.split("-", 1)
        return f"{area}-{'*' * max(1, len(number) - 3)}{number[-3:]}"
    return f"{digits[:3]}{'*' * max(1, len(digits) - 7)}{digits[-4:]}"


def mask_email(email: str | None) -> str:
    if not email or "@" not in email:
        return "—"
    local, domain = email.split("@", 1)
    return f"{local[:1]}***@{domain}"


def mask_name(name: str | None) -> str:
    if not name:
        return "—"
    return name[:1] + "*" * max(1, len(name) - 1)


def mask_account(number: str | None) -> str:
    """A bank account number with all but its first four and last four digits hidden (short ones: the last four)."""
    digits = re.sub(r"[\s-]", "", number or "")
    if not digits:
        return "—"
    if len(digits) < 12:
        return "*" * max(1, len(digits) - 4) + digits[-4:]
    return digits[:4] + "*" * (len(digits) - 8) + digits[-4:]


def mask_account_tail(number: str | None) -> str:
    """A bank account number as banks print it on statements and text messages: the last four digits only (neither
    the bank's prefix nor the length) — the form the audit chain keeps, which every role may read.

    >>> mask_account_tail("6222 0212 3456 7890 123")
    '****0123'
    """
    digits = re.sub(r"[\s-]", "", number or "")
    return "****" + digits[-4:] if digits else "—"


def applicant_name_for(role: str | None, party: str | None, name: str | None) -> str:
    """An applicant's name as a role may see it: an organisation's in full (public), a person's masked unless the
    role sees names."""
    if party != "person" or sees(role, NAME):
        return name or "—"
    return mask_name(name)


def payee_for(role: str | None, party: str | None, payee: str | None, bank: str | None,
              account: str | None) -> dict[str, str]:
    """The payee account as a role may see it: in full for the roles that see bank accounts (the applicant, the
    admin who pays); else the account number masked and a person's account name masked. None entered: "—"."""
    if sees(role, BANK):
        return {"payee": payee or "—", "bank": bank or "—", "account": account or "—"}
    return {"payee": applicant_name_for(role, party, payee) if payee else "—", "bank": bank or "—",
            "account": mask_account(account)}


def _is_id_number(text: str) -> bool:
    """An 18-character resident ID number with a correct check digit (the pattern already checked the date)."""
    total = sum(int(d) * w for d, w in zip(text[:17], _WEIGHTS, strict=True))
    return "10X98765432"[total % 11] == text[17].upper()


def _phone_of(found: str) -> str:
    """A matched phone number as mask_phone takes it: a mobile's 11 digits, a landline as written."""
    digits = re.sub(r"[ +-]", "", found)
    digits = digits[2:] if digits.startswith("86") and len(digits) == 13 else digits
    return digits if digits.startswith("1") else found.lstrip("+86 ")


def mask_text(text: str, role: str | None) -> str:
    """The text with every ID number, phone number and e-mail address the role may not see masked."""
    if not sees(role, ID):
        text = ID_TEXT.sub(lambda m: mask_id(m.group()) if _is_id_number(m.group()) else m.group(), text)
    if not sees(role, PHONE):
        text = PHONE_TEXT.sub(lambda m: mask_phone(_phone_of(m.group())), text)
    if not sees(role, EMAIL):
        text = EMAIL_TEXT.sub(lambda m: mask_email(m.group()), text)
    return text


def mask_document(data: Any, role: str | None) -> Any:
    """A copy of a JSON-like value with every text masked for the role (mappings, lists, keys untouched)."""
    walk: Callable[[Any], Any]

    def walk(value: Any) -> Any:
        if isinstance(value, str):
            return mask_text(value, role)
        if isinstance(value, dict):
            return {key: walk(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [walk(item) for item in value]
        return value

    return walk(data)


def mask_json_text(text: str, role: str | None) -> str:
    """A stored JSON text (a profile, a decision) masked for the role, as JSON text again."""
    return json.dumps(mask_document(json.loads(text), role), ensure_ascii=False)


def contacts_for(role: str | None, name: str | None, phone: str | None, email: str | None) -> dict[str, str]:
    """An application's contacts as a role may see them (masked unless the role sees phones and e-mails)."""
    if sees(role, PHONE) and sees(role, EMAIL):
        return {"name": name or "—", "phone": phone or "—", "email": email or "—"}
    return {"name": mask_name(name), "phone": mask_phone(phone), "email": mask_email(email)}
