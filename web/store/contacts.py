"""This file defines the applicant's contacts: validation (CN mobile / landline, e-mail), normalising, masking.

Pure functions, used by the apply form, the store and any other path that records contacts. Phones are
normalised as triage compares them (engine.triage.facts.normalise_phone: digits only, a leading 86
dropped); a landline is kept with its area code, written 0763-3388123.

>>> validate_contacts("王工", "+86 138-0000-1234", "Wang@Example.CN").phone
'13800001234'
>>> mask_phone("13800001234"), mask_email("wang@example.cn"), mask_name("王建国")
('138****1234', 'w***@example.cn', '王**')
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from engine.triage.facts import normalise_email, normalise_phone
from web.masking import mask_email, mask_name, mask_phone  # noqa: F401  (the one masking; re-exported for callers)

MOBILE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE = re.compile(r"^0(?:[12]\d|[3-9]\d{2})\d{7,8}$")  # 010/02x + 8 digits; 0xxx + 7 or 8 digits
EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
NAME_MAX, EMAIL_MAX = 100, 254


class ContactError(ValueError):
    """A contact field the bureau cannot use; `.field` names it, `.zh` / `.en` say why."""

    def __init__(self, field: str, zh: str, en: str):
        super().__init__(f"{field}: {zh} / {en}")
        self.field, self.zh, self.en = field, zh, en


@dataclass(frozen=True)
class Contacts:
    name: str
    phone: str  # 13800001234 or 0763-3388123
    email: str


def clean_phone(text: str) -> str:
    """A CN mobile number (11 digits, 1[3-9]…) or a landline with its area code, normalised.

    Raises:
        ContactError: anything else (the message names the field, in Chinese and English).
    """
    digits = normalise_phone(text) or ""
    if MOBILE.match(digits):
        return digits
    if LANDLINE.match(digits):
        cut = 3 if digits[1] in "12" else 4
        return f"{digits[:cut]}-{digits[cut:]}"
    raise ContactError("contact_phone", "联系电话须为11位手机号（1[3-9]开头）或带区号的固定电话（如0763-3388123）",
                       "contact phone: an 11-digit mobile number (1[3-9]…) or a landline with its area code "
                       "(e.g. 0763-3388123)")


def clean_email(text: str) -> str:
    value = normalise_email(text) or ""
    if len(value) > EMAIL_MAX or not EMAIL.match(value):
        raise ContactError("contact_email", "电子邮箱格式不正确（如 name@example.cn）",
                           "contact e-mail is not a valid address (e.g. name@example.cn)")
    return value


def clean_name(text: str) -> str:
    value = " ".join(unicodedata.normalize("NFKC", text or "").split())
    if not value:
        raise ContactError("contact_name", "请填写联系人", "contact person is required")
    if len(value) > NAME_MAX:
        raise ContactError("contact_name", f"联系人不超过{NAME_MAX}个字符", f"contact person: at most {NAME_MAX} characters")
    return value


def validate_contacts(name: str, phone: str, email: str) -> Contacts:
    """All three contacts, cleaned; raises ContactError for the first unusable one."""
    return Contacts(clean_name(name), clean_phone(phone), clean_email(email))
