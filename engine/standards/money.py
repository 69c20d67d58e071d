"""This module defines money parsing and display: integer 元 inside, 万元 on forms (data_standards.md §7.1).

Amounts are exact: Decimal arithmetic only, a float is accepted only when it is integral, and a 万元 value
may have at most 4 decimals (1 万元 = 10,000 元), so it always converts to whole 元. Display is 2 decimals
with thousands separators, rounded half up ("4,500.00万元").
"""

from __future__ import annotations

import math
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

from engine.errors import Message, ProfileIssue

from .catalogue import make_issue

YUAN = "yuan"
WAN = "wan"

WAN_YUAN = 10_000
MAGNITUDE_LIMIT_YUAN = 10_000_000 * WAN_YUAN
"""§7.1 plausibility bound: above 1,000亿元 (10,000,000 万元) on an SME form, warn MONEY_MAGNITUDE."""
MAX_YUAN = 10**18
"""Hard bound: an amount above 10¹⁸ 元 is refused (MONEY_TOO_LARGE), never stored (the columns are 64-bit signed)."""
_MAX_TEXT = 40  # characters of a typed amount, separators and unit included
_TOO_LARGE = Message("金额过大（超过10¹⁸元），请核对数字和单位。",
                     "The amount is too large (over 10^18 yuan); check the number and the unit.")

_AMOUNT = Message("金额", "Amount")
_UNITS = (("亿元", 100_000_000), ("亿", 100_000_000), ("万元", WAN_YUAN), ("万", WAN_YUAN), ("元", 1))
_NUMBER = re.compile(r"-?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?")
_PREFIXES = ("人民币", "¥", "RMB")


class MoneyFormatError(ValueError):
    """An amount that cannot be read; `code` is a catalogue code, `message` its zh/en text."""

    def __init__(self, code: str, message: Message):
        super().__init__(f"[{code}] {message.zh} / {message.en}")
        self.code = code
        self.message = message

    def issue(self, path: str) -> ProfileIssue:
        """Return this error as a `ProfileIssue` on the given field."""
        return ProfileIssue(path=path, code=self.code, message=self.message)


def _fail(code: str, *, field: Message | None = None) -> MoneyFormatError:
    issue = make_issue(code, "", field=field) if field else make_issue(code, "")
    return MoneyFormatError(code, issue.message)


def _split_unit(s: str, default_unit: str) -> tuple[str, int]:
    """Split a typed amount into its number text and the multiplier of its unit."""
    for suffix, factor in _UNITS:
        if s.endswith(suffix):
            if factor == 1 and default_unit == WAN:
                raise _fail("MONEY_UNIT_YUAN")
            return s[: -len(suffix)], factor
    return s, WAN_YUAN if default_unit == WAN else 1


def _decimal_of(value: object, default_unit: str) -> Decimal:
    """Return the amount in 元 of a Decimal as an exact Decimal (maybe fractional, maybe negative)."""
    if not isinstance(value, Decimal) or not value.is_finite():
        raise _fail("MONEY_FORMAT")
    return value * (WAN_YUAN if default_unit == WAN else 1)


def _ratio_of(value: object, default_unit: str) -> tuple[int, int]:
    """The amount in 元 of an int, an integral float or a typed text, exactly: (numerator, decimals), the amount
    being numerator / 10**decimals (a text has at most _MAX_TEXT characters of number: integers, no context)."""
    factor = WAN_YUAN if default_unit == WAN else 1
    if isinstance(value, int):
        return value * factor, 0
    if isinstance(value, float):
        if not (math.isfinite(value) and value.is_integer()):
            raise _fail("MONEY_FORMAT")
        return int(value) * factor, 0
    assert isinstance(value, str)
    if len(value) > 4 * _MAX_TEXT:
        raise MoneyFormatError("MONEY_TOO_LARGE", _TOO_LARGE)
    s = "".join(unicodedata.normalize("NFKC", value).split()).replace("−", "-")
    for prefix in _PREFIXES:
        s = s.removeprefix(prefix)
    number, factor = _split_unit(s, default_unit)
    if len(number) > _MAX_TEXT and _NUMBER.fullmatch(number):
        raise MoneyFormatError("MONEY_TOO_LARGE", _TOO_LARGE)
    if not _NUMBER.fullmatch(number):
        raise _fail("MONEY_FORMAT")
    whole, _, decimals = number.replace(",", "").partition(".")
    return int(whole + decimals) * factor, len(decimals)


def parse_money(
    value: object, *, default_unit: str = YUAN, allow_negative: bool = False, field: Message = _AMOUNT
) -> int:
    """Read an amount and return it in whole 元.

    Args:
        value: an int or integral float (in `default_unit`), a Decimal, or a string such as "4,500,000元",
            "4500000", "4500万元", "4500.1234万", "1.2亿元".
        default_unit: "yuan" (bare numbers are 元) or "wan" for 万元 form fields (bare numbers are 万元,
            and a "元" suffix is the error MONEY_UNIT_YUAN).
        allow_negative: True for fields that may be negative (利润总额, 净资产).
        field: the field's name, used in the MONEY_NEGATIVE message.

    Raises:
        MoneyFormatError: MONEY_FORMAT (not a number, a non-integral float, or not whole 元, e.g. more
            than 4 decimals of 万元), MONEY_UNIT_YUAN, MONEY_NEGATIVE, or MONEY_TOO_LARGE (over `MAX_YUAN`).

    Ints, floats and texts are read in integers (exact, no decimal context: a profile has ~30 amounts); a Decimal
    in a 200-digit decimal context.

    >>> parse_money("4500.1234万元"), parse_money("4,500,000元"), parse_money(4500000)
    (45001234, 4500000, 4500000)
    """
    if default_unit not in (YUAN, WAN):
        raise ValueError(f"default_unit must be 'yuan' or 'wan', not {default_unit!r}")
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise _fail("MONEY_FORMAT")
    if isinstance(value, Decimal):
        with localcontext() as ctx:
            ctx.prec = 200
            try:
                amount = _decimal_of(value, default_unit)
            except InvalidOperation:
                raise _fail("MONEY_FORMAT") from None
            if abs(amount) > MAX_YUAN:
                raise MoneyFormatError("MONEY_TOO_LARGE", _TOO_LARGE)
            if amount != amount.to_integral_value():
                raise _fail("MONEY_FORMAT")
        yuan = int(amount)
    else:
        numerator, decimals = _ratio_of(value, default_unit)
        unit = 10**decimals
        if abs(numerator) > MAX_YUAN * unit:
            raise MoneyFormatError("MONEY_TOO_LARGE", _TOO_LARGE)
        if numerator % unit:
            raise _fail("MONEY_FORMAT")
        yuan = numerator // unit
    if yuan < 0 and not allow_negative:
        raise _fail("MONEY_NEGATIVE", field=field)
    return yuan


def to_wan(yuan: int) -> Decimal:
    """Return an amount of 元 in 万元, exactly (4 decimals).

    >>> to_wan(45001234)
    Decimal('4500.1234')
    """
    if isinstance(yuan, bool) or not isinstance(yuan, int):
        raise TypeError(f"expected integer yuan, got {yuan!r}")
    with localcontext() as ctx:
        ctx.prec = len(str(abs(yuan))) + 8
        return Decimal(yuan).scaleb(-4)


def _wan_text(yuan: int) -> str:
    with localcontext() as ctx:
        ctx.prec = len(str(abs(yuan))) + 8
        rounded = to_wan(yuan).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{rounded:,.2f}"


def format_wan(yuan: int) -> str:
    """Format 元 as 万元 for display: 2 decimals rounded half up, thousands separators.

    >>> format_wan(45_000_000), format_wan(45_001_250), format_wan(-1_234_567)
    ('4,500.00万元', '4,500.13万元', '-123.46万元')
    """
    return f"{_wan_text(yuan)}万元"


def magnitude_issue(yuan: int, path: str, field: Message = _AMOUNT) -> ProfileIssue | None:
    """Return the warning MONEY_MAGNITUDE when an amount exceeds `MAGNITUDE_LIMIT_YUAN`, else None."""
    if abs(yuan) <= MAGNITUDE_LIMIT_YUAN:
        return None
    return make_issue("MONEY_MAGNITUDE", path, field=field, value=_wan_text(yuan))
