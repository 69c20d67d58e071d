"""Helpers of the bureau's web tests: open a call in a test app's database, tiny valid files, an upload post."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from flask import Flask

from web.bureau.samplepdf import minimal_pdf
from web.db_session import db
from web.store import call_queries
from web.store.call_queries import MeasureSpec

AWARD, SMALL, UNPUBLISHED = "qingyuan.webtest_award", "qingyuan.webtest_small", "qingyuan.webtest_unpublished"
ITEMS = (("form", "网页测试申报表", "web-test application form"), ("licence", "营业执照副本", "business licence copy"))
PDF = minimal_pdf(["web test"])
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89" \
      b"\x00\x00\x00\x0bIDATx\x9cc\xf8\x0f\x04\x00\t\xfb\x03\xfd\xfb^k+\x00\x00\x00\x00IEND\xaeB`\x82"  # decodes (1×1 RGBA)
CONTACTS = {"contact_name": "王工", "contact_phone": "13800001234", "contact_email": "wang@example.cn"}


def now() -> dt.datetime:
    return call_queries.now()


def open_call(app: Flask, *, measures: tuple[str, ...] = (AWARD, SMALL), days: tuple[int, int] = (-1, 30),
              budget: int = 500_000, method: str = "rank_full", title: str = "2025年度网页测试申报") -> int:
    """A call for these measures, opening and closing `days` from now; returns its id."""
    with app.app_context():
        call = call_queries.create_call(
            db(), year=2025, title=title, body="清远市科学技术局", opens_at=now() + dt.timedelta(days=days[0]),
            closes_at=now() + dt.timedelta(days=days[1]), budget=budget, method=method,
            measures=[MeasureSpec(m, None, ITEMS if m == AWARD else ITEMS[:1]) for m in measures], user_id=None)
        return call.id


def files(**by_item: tuple[bytes, str]) -> dict[str, Any]:
    """Form data for uploads: files(form=(PDF, "a.pdf")) → {"file-form": (BytesIO, "a.pdf")}."""
    return {f"file-{item}": (io.BytesIO(data), name) for item, (data, name) in by_item.items()}


def apply_data(call_id: int, measures: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    return {"call": str(call_id), "measures": measures or [AWARD], "confirm": "y", **CONTACTS, **extra}
