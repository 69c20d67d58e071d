"""This file defines the reviewer's queue as a view helper: the filter form read into a store query
(web.store.web_queries.QueueQuery — filtering, sorting and paging happen in the database), the export of
every matching row (CSV through the one CSV writer, or XLSX), and the words a row's flags and priority are
shown in.

Filters: call, search (name, credit code / ID number, application number), measure, issuer (every measure
of that issuer), outcome, flags, status ("open": not yet decided or closed), waiting longer than N days,
stage, assigned to me. Sorts: priority (the triage priority: it orders the *work*, never the funding),
waiting time, newest.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from typing import Any

from engine.io.csv_writer import cell, csv_text
from engine.model import RuleSet
from web.bureau.flags import flag_words
from web.store import web_queries
from web.store.web_queries import QueueQuery

PAGE_SIZE = 20
EXPORT_CHUNK = 500
EXPORT_MAX = 50_000


def build_query(values: dict[str, Any], ruleset: RuleSet, *, user_id: int, today: dt.date,
                page_size: int | None = None) -> QueueQuery:
    """The store query for the validated filter values (unknown or empty values: no filter)."""
    measure, issuer = values.get("measure") or "", values.get("issuer") or ""
    measures: tuple[str, ...] = ()
    if measure:
        measures = (measure,)
    elif issuer:
        measures = tuple(sorted(m.id for m in ruleset.measures.values() if m.issuer == issuer)) or ("-",)
    age = int(values.get("age") or 0)
    older = dt.datetime.combine(today - dt.timedelta(days=age), dt.time()) if age else None
    call = values.get("call") or ""
    return QueueQuery(call_id=int(call) if str(call).isdigit() else None, search=str(values.get("q") or ""),
                      measures=measures, outcome=str(values.get("outcome") or ""), flags=str(values.get("flags") or ""),
                      status=str(values.get("status") or "open"), older_than=older,
                      assigned_to=user_id if values.get("mine") else None, sort=str(values.get("sort") or "priority"),
                      page=int(values.get("page") or 1), page_size=page_size or PAGE_SIZE)


def all_rows(session: Any, query: QueueQuery) -> Iterator[Any]:
    """Every row matching the query (for an export), read a chunk of ids at a time."""
    page = 1
    while page * EXPORT_CHUNK <= EXPORT_MAX + EXPORT_CHUNK:
        chunk = web_queries.queue_page(session, QueueQuery(**{**query.__dict__, "page": page, "page_size": EXPORT_CHUNK}))
        yield from chunk.rows
        if page >= chunk.pages:
            return
        page += 1


HEADER = ("申请编号 / application", "申请人 / applicant", "统一社会信用代码/证件号 / code", "状态 / status",
          "提交时间（北京时间） / submitted (Beijing)", "申请措施 / measures", "预计金额（元） / expected (yuan)",
          "优先级 / priority", "提示 / flags", "审核阶段 / stage", "指派给 / assigned to")


def export_rows(rows: Any, status_label: Any, local_time: Any, stage_label: Any) -> list[list[Any]]:
    return [[r.application_id, r.applicant_name, r.applicant_code, status_label(r.status), local_time(r.submitted_at),
             "、".join(r.measures), r.amount, r.priority, "；".join(flag_words(f, "zh") for f in r.flags),
             stage_label(r), r.assigned or ""] for r in rows]


def as_csv(rows: list[list[Any]]) -> str:
    return csv_text(HEADER, rows, bom=True)


def as_xlsx(rows: list[list[Any]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("queue")
    sheet.append(list(HEADER))
    for row in rows:
        sheet.append([cell(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
