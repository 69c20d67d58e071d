"""This file defines batch payments of a call: the payment list exported for the finance office (XLSX or CSV)
and the import of that list filled in with the vouchers, checked line by line.

The export has one row per funded line with what is left to pay, the applicant's payee account (account name,
bank, account number: in full for the admin who pays, masked for the other roles — web.masking.payee_for) and
three empty columns (payment date, amount in yuan, voucher number) for the finance office. The import reads those
columns back: every row is checked (a line of this call, the account paid into being the applicant's registered
account in full, a whole positive amount not above what is left, a date, a voucher number not used before, in
the file or in the database) and each good row is recorded as its own chained payment
(web.store.allocation_queries.record_payment); the summary lists each row's result. A line already paid —
by the table or by the chain — is never paid again. Every text cell of the export is neutralised
(engine.io.csv_writer), so a name cannot run as a spreadsheet formula.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
from dataclasses import dataclass
from typing import Any

from flask import abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from engine.errors import Message
from engine.io.csv_writer import cell, csv_text
from web.access import role_required
from web.bureau.present import local_time
from web.calls import bp
from web.calls.common import STAFF, call_or_404, page_context
from web.db_session import db
from web.i18n import tr
from web.masking import payee_for
from web.notices.send import notify_payment
from web.store import account_queries, allocation_queries
from web.store.queries import StoreError

HEADER = ("行号 / line", "申请编号 / application", "名称 / name", "统一社会信用代码 / credit code", "政策措施 / measure",
          "措施编号 / measure id", "分配金额（元） / granted (yuan)", "已付（元） / paid (yuan)", "未付（元） / left (yuan)",
          "收款户名 / account name", "开户银行 / bank", "银行账号 / account no.",
          "付款日期 / paid on", "付款金额（元） / amount paid (yuan)", "凭证号 / voucher no.")
MAX_ROWS = 20_000


def _rows(call: Any) -> list[list[Any]]:
    session, title_of = db(), page_context()["title_of"]
    lines = [x for x in allocation_queries.allocation_lines(session, call.id) if x.granted > 0]
    paid = allocation_queries.paid_of(session, [x.id for x in lines])
    rows = []
    for x in lines:
        who = x.application.applicant
        bank = payee_for(current_user.role, who.party, who.payee_name, who.bank_name, who.bank_account)
        rows.append([x.id, x.application_id, x.name, who.display_code, title_of(x.measure_id), x.measure_id, x.granted,
                     paid[x.id].amount, x.granted - paid[x.id].amount, bank["payee"], bank["bank"], bank["account"],
                     "", "", ""])
    return rows


@bp.route("/<int:call_id>/payments.<any(csv, xlsx):format>")
@role_required(*STAFF)
def payments_export(call_id: int, format: str) -> Response:  # noqa: A002  (the URL's word)
    call = call_or_404(call_id)
    if call.finalized_at is None:
        abort(404)
    rows = _rows(call)
    name = f"call-{call.id}-payments.{format}"
    if format == "csv":
        response = Response(csv_text(HEADER, rows, bom=True), mimetype="text/csv")
    else:
        response = Response(_xlsx(rows), mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _xlsx(rows: list[list[Any]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "payments"
    sheet.append(list(HEADER))
    for row in rows:
        sheet.append([cell(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# -- import -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RowResult:
    row: int  # the row number in the file (the header is row 1)
    line_id: str
    ok: bool
    message: str
    payee: str = ""  # the line's registered payee account, as the importing role may see it ("" for an unknown line)
    changed: str = ""  # when the account was changed after the 公示 started (Beijing time; "" when it was not)


def _table(upload: Any) -> list[list[str]]:
    data = upload.read(5_000_001)
    if len(data) > 5_000_000:
        raise ValueError(_("文件超过5MB。"))
    if data[:2] == b"PK":
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).active
        return [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(_("无法读取：请上传 XLSX 或 UTF-8 编码的 CSV。")) from None
    return [list(row) for row in csv.reader(io.StringIO(text))]


def _column(header: list[str], zh: str) -> int:
    for i, name in enumerate(header):
        if name.strip().split(" / ")[0].strip() == zh:
            return i
    raise ValueError(_("缺少列：%(name)s", name=zh))


def _date(text: str) -> dt.date:
    text = text.strip()[:10]
    return dt.date.fromisoformat(text.replace("/", "-"))


def import_rows(call: Any, table: list[list[str]], user_id: int) -> list[RowResult]:
    """Check and record each filled row (see the module docstring); rows with no amount and no voucher are skipped."""
    header, body = table[0], table[1:MAX_ROWS + 1]
    cols = {key: _column(header, zh) for key, zh in (("line", "行号"), ("on", "付款日期"), ("amount", "付款金额（元）"),
                                                     ("voucher", "凭证号"), ("payee", "收款户名"), ("account", "银行账号"))}
    lines = {str(x.id): x for x in allocation_queries.allocation_lines(db(), call.id)}
    changes = account_queries.payee_changes(db(), sorted({x.application.applicant_id for x in lines.values()}),
                                            since=call.allocated_at) if call.allocated_at else {}
    changed = {}  # the applicants whose account was changed after the 公示 started: each row of theirs says when
    for applicant_id, entries in changes.items():
        if (at := account_queries.changed_after(entries, call.allocated_at)) is not None:
            changed[applicant_id] = local_time(at)
    results, seen = [], set()
    for number, row in enumerate(body, start=2):
        get = {k: (row[i].strip() if i < len(row) and row[i] is not None else "") for k, i in cols.items()}
        if not get["amount"] and not get["voucher"]:
            continue
        results.append(_one(number, get, lines, seen, user_id, changed))
    return results


def _one(number: int, get: dict[str, str], lines: dict[str, Any], seen: set[str], user_id: int,
         changed: dict[int, str]) -> RowResult:
    line = lines.get(get["line"].removesuffix(".0"))
    if line is None:
        return RowResult(number, get["line"], False, _("行号不属于本通知的分配项目"))
    who = line.application.applicant
    bank = payee_for(current_user.role, who.party, who.payee_name, who.bank_name, who.bank_account)
    row = functools.partial(RowResult, number, get["line"], payee=" · ".join(bank.values()),
                            changed=changed.get(who.id, ""))
    wrong = account_queries.payee_mismatch(who, get["payee"], get["account"])
    if wrong is not None:
        return row(False, tr(Message(*wrong)))
    try:
        amount = int(get["amount"].replace(",", "").removesuffix(".0"))
    except ValueError:
        return row(False, _("付款金额须为整数元"))
    try:
        paid_on = _date(get["on"])
    except ValueError:
        return row(False, _("付款日期须为 YYYY-MM-DD"))
    if get["voucher"] in seen:
        return row(False, _("凭证号在文件中重复"))
    seen.add(get["voucher"])
    try:
        payment = allocation_queries.record_payment(db(), line.id, paid_on=paid_on, amount=amount,
                                                    voucher_no=get["voucher"], user_id=user_id)
    except StoreError as refused:
        return row(False, tr(refused))
    notify_payment(db(), payment)
    return row(True, _("已登记"))


@bp.route("/<int:call_id>/payments/import", methods=["POST"])
@role_required("admin")
def payments_import(call_id: int) -> tuple[str, int] | str:
    call = call_or_404(call_id)  # the CSRF token is checked for every POST by the app (web.extensions.csrf)
    upload = request.files.get("vouchers")
    results: list[RowResult] = []
    error = None
    if upload is None or not upload.filename:
        error = _("请选择付款凭证文件。")
    else:
        try:
            results = import_rows(call, _table(upload), current_user.id)
        except ValueError as bad:
            error = str(bad)
    page = render_template("calls/payments_import.html", call=call, results=results, error=error,
                           recorded=sum(r.ok for r in results), refused=sum(not r.ok for r in results), **page_context())
    return (page, 400) if error else page
