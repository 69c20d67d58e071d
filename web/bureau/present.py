"""This file defines how the bureau's data reads on a page: Asia/Shanghai times, 万元, call and material labels.

Times are stored as naive UTC and entered and shown in Asia/Shanghai (UTC+8, no daylight saving).
Money is stored in whole yuan and entered in 万元 (exactly: 12.5 万元 = 125000 元; a fraction of a yuan
is refused). Labels are engine Messages (zh/en), shown with the `tr` filter.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from engine.errors import Message
from engine.explain import money
from web.store.allocation import REASON_LABELS as ALLOCATION_REASONS  # noqa: F401  (one table, re-exported)
from web.store.call_queries import STATUS_LABELS as CALL_STATUS  # noqa: F401  (one table, re-exported)

SHANGHAI = ZoneInfo("Asia/Shanghai")
TEN_THOUSAND = Decimal(10000)

METHODS = {"rank_full": Message("按排序足额资助", "full amounts in rank order"),
           "pro_rata": Message("按比例分配", "pro-rata")}
MATERIAL_STATUS = {"pending": Message("待审核", "not checked yet"), "accepted": Message("已通过", "accepted"),
                   "needs_correction": Message("需补正", "needs correction")}


def to_utc(local: dt.datetime) -> dt.datetime:
    """A naive Asia/Shanghai time as naive UTC.

    >>> to_utc(dt.datetime(2025, 5, 1, 9, 0))
    datetime.datetime(2025, 5, 1, 1, 0)
    """
    return local.replace(tzinfo=SHANGHAI).astimezone(dt.UTC).replace(tzinfo=None)


def local_time(utc: dt.datetime | None) -> str:
    """A stored UTC time as Asia/Shanghai, e.g. '2025-05-01 09:00'.

    >>> local_time(dt.datetime(2025, 5, 1, 1, 0))
    '2025-05-01 09:00'
    """
    if utc is None:
        return "—"
    return utc.replace(tzinfo=dt.UTC).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def wan_to_yuan(text: str) -> int:
    """万元 as typed → whole yuan, exactly. Raises ValueError for anything else (negative, a fraction of a yuan).

    >>> wan_to_yuan("12.5"), wan_to_yuan("0.0001")
    (125000, 1)
    """
    try:
        value = Decimal(str(text).strip().replace(",", "")) * TEN_THOUSAND
    except InvalidOperation:
        raise ValueError("not a number") from None
    if not value.is_finite() or value < 0 or value != value.to_integral_value():
        raise ValueError("not a whole number of yuan")
    return int(value)


def wan(yuan: int | None, lang: str = "zh") -> str:
    """Whole yuan as the engine shows money (engine.explain.money), '—' for none.

    >>> wan(1_250_000), wan(None)
    ('125.00万元', '—')
    """
    return "—" if yuan is None else money(yuan, lang)


def material_key(zh: str) -> str:
    """The stable key of a checklist item (the same document asked by two measures is one item)."""
    return "d" + hashlib.sha256(zh.strip().encode("utf-8")).hexdigest()[:10]


def default_materials(measure: object) -> tuple[tuple[str, str, str], ...]:
    """A measure's checklist from its rule file's `documents` (key, zh, en); a bare application form if none."""
    documents = getattr(measure, "documents", ()) or ()
    items = tuple((material_key(d.zh), d.zh, d.en or d.zh) for d in documents)
    return items or ((material_key("申报书"), "申报书", "application form"),)
