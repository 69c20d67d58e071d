"""The bureau's year through the site (test client): an admin opens a call, the self-check badge, the reviewer
sees the flags the moment an application arrives and checks its materials, allocation of a closed call, the
公示 list as a page and a CSV, payments; and a fuzz over uploads (clear bilingual errors, never a 5xx)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, render_template_string
from flask.testing import FlaskClient

from tests.web.bureau_kit import AWARD, PDF, PNG, SMALL, apply_data, files, open_call
from tests.web.conftest import Seeded, fill_enterprise, login
from web.bureau.present import local_time
from web.db_session import db
from web.store import (
    allocation_queries,
    call_queries,
    dashboard_queries,
    material_queries,
    queries,
    triage_queries,
)


@pytest.fixture
def bureau(app: Flask, seeded: Seeded, tmp_path: Path) -> Flask:
    app.config["MATERIALS_DIR"] = str(tmp_path / "materials")
    return app


def _apply(client: FlaskClient, call: int, **extra: Any) -> int:
    response = client.post("/applications/new", data={**apply_data(call, **extra),
                                                      **files(form=(PDF, "申报表.pdf"), licence=(PNG, "执照.png"))})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return int(response.location.rsplit("/", 1)[1])


def test_an_admin_opens_a_call_with_defaults_from_the_rule_file(bureau: Flask, client: FlaskClient) -> None:
    login(client, "adam")
    assert "请至少选择一项政策措施" in client.get("/calls/new?measure=").get_data(as_text=True)
    page = client.get(f"/calls/new?measure={AWARD}&measure={SMALL}").get_data(as_text=True)
    assert "网页测试申报表 / web-test application form" in page  # the rule's documents
    data = {"measure": [AWARD, SMALL], "title": "2025年度科技奖励申报", "year": "2025", "body": "清远市科学技术局",
            "opens": "2025-05-01T09:00", "closes": "2025-06-30T17:30", "budget": "80.5", "method": "pro_rata",
            f"cap-{AWARD}": "60", f"materials-{AWARD}": "申报表 / form\n营业执照 / licence", f"cap-{SMALL}": "",
            f"materials-{SMALL}": "申报表 / form", "rank_by": "score", "notice_days": "7"}
    national = client.post("/calls/new", data={**data, "body": "科学技术部火炬高技术产业开发中心"})
    assert national.status_code == 400 and "请从本地受理部门中选择" in national.get_data(as_text=True)
    bad = client.post("/calls/new", data={**data, "closes": "2025-04-01T09:00", "budget": "0.00001"})
    text = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "截止时间必须晚于开始时间" in text and "精确到元" in text
    response = client.post("/calls/new", data=data)
    assert response.status_code == 302
    with bureau.app_context():
        (call,) = call_queries.list_calls(db())
        assert (call.budget, call.method, call.opens_at, call.closes_at, call.rank_by, call.notice_days) == (
            805_000, "pro_rata", dt.datetime(2025, 5, 1, 1, 0), dt.datetime(2025, 6, 30, 9, 30), "score", 7)
        assert [(m.measure_id, m.cap, [i["zh"] for i in m.materials]) for m in call.measures] == [
            (AWARD, 600_000, ["申报表", "营业执照"]), (SMALL, None, ["申报表"])]
        assert queries.verify_chain(db()).ok
    detail = client.get(response.location).get_data(as_text=True)
    assert "2025-05-01 09:00 – 2025-06-30 17:30" in detail and "80.50万元" in detail and "已截止" in detail
    assert "按评审得分（高→低）" in detail and "7天" in detail


def test_call_badge_shows_the_status_of_each_measure(bureau: Flask) -> None:
    open_call(bureau, measures=(AWARD,))
    open_call(bureau, measures=(SMALL,), days=(3, 30))
    with bureau.test_request_context():
        shown = render_template_string("{% for m in ms %}[{{ call_badge(m) }}]{% endfor %}",
                                       ms=[AWARD, SMALL, "national.hnte_recognition"])
    assert re.sub(r"<[^>]+>", "", shown) == "[申报中][即将开始][]"
    with bureau.test_request_context("/?lang=en"):
        from flask import session

        session["lang"] = "en"
        assert "open" in render_template_string("{{ call_badge(m) }}", m=AWARD)


def test_the_reviewer_sees_the_flags_the_moment_it_arrives(bureau: Flask, client: FlaskClient, seeded: Seeded) -> None:
    with bureau.app_context():  # another company's application already gave the same phone
        queries.get_application(db(), seeded.application_b).contact_phone = "138 0000 1234"  # type: ignore[union-attr]
        db().commit()
    with bureau.test_request_context():  # as the site does when contacts change: its join keys are refreshed
        from web.bureau.triage_now import triage_now

        assert triage_now(seeded.application_b, dt.date.today())
    call = open_call(bureau)
    login(client, "alice")
    fill_enterprise(client)
    app_id = _apply(client, call)
    reviewer = bureau.test_client()
    login(reviewer, "rita")
    page = reviewer.get(f"/review/applications/{app_id}").get_data(as_text=True)
    assert "不同单位使用同一联系电话" in page and f"查看申请 #{seeded.application_b}" in page  # no `subsidy triage` run
    assert "shared_phone" not in page  # the flag in words, not its rule id
    assert "13800001234" in page and "wang@example.cn" in page  # the reviewer sees the contacts
    other = reviewer.get(f"/review/applications/{seeded.application_b}").get_data(as_text=True)
    assert "不同单位使用同一联系电话" in other  # both sides flagged at once


def test_the_reviewer_checks_materials_and_complete_materials_fast_track(bureau: Flask, client: FlaskClient,
                                                                        seeded: Seeded) -> None:
    with bureau.app_context():  # A's older application (every measure) would conflict: exclusive_measures
        queries.get_application(db(), seeded.application_a).status = "withdrawn"  # type: ignore[union-attr]
        db().commit()
    call = open_call(bureau, measures=(SMALL,))
    login(client, "alice")
    fill_enterprise(client)
    app_id = _apply(client, call, measures=[SMALL])
    reviewer = bureau.test_client()
    login(reviewer, "rita")
    page = reviewer.get(f"/review/applications/{app_id}").get_data(as_text=True)
    (mid,) = [int(m) for m in re.findall(r'/review/materials/(\d+)"', page)][:1]
    served = reviewer.get(f"/review/materials/{mid}")
    assert served.status_code == 200 and served.headers["Content-Type"] == "application/pdf" and served.data == PDF
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.headers["Content-Disposition"].startswith("inline;") and "UTF-8''" in served.headers["Content-Disposition"]
    refused = reviewer.post(f"/review/materials/{mid}/mark", data={"status": "needs_correction", "reason": ""})
    assert refused.status_code == 400 and "退回补正必须说明理由" in refused.get_data(as_text=True)
    reviewer.post(f"/review/materials/{mid}/mark", data={"status": "needs_correction", "reason": "请加盖公章"})
    with bureau.app_context():
        assert queries.get_application(db(), app_id).materials_complete is False  # type: ignore[union-attr]
    # the reviewer asks, the applicant re-uploads with the answer, the reviewer accepts: materials complete
    for action, reason in (("start", "开始审核"), ("request_info", "申报表请加盖公章")):
        reviewer.post(f"/review/applications/{app_id}/decide", data={"action": action, "reason": reason})
    mine = client.get(f"/applications/{app_id}").get_data(as_text=True)
    assert "请加盖公章" in mine and "需补正" in mine
    answer = client.post(f"/applications/{app_id}/answer", data={"reason": "已重新上传盖章申报表",
                                                                 **files(form=(PDF + b" ", "盖章申报表.pdf"))})
    assert answer.status_code == 302
    with bureau.app_context():
        current = material_queries.materials_of(db(), app_id)
        assert [(m.filename, m.status) for m in current] == [("盖章申报表.pdf", "pending")]
        new_id = current[0].id
    reviewer.post(f"/review/materials/{new_id}/mark", data={"status": "accepted", "reason": ""})
    with bureau.app_context():
        assert queries.get_application(db(), app_id).materials_complete is True  # type: ignore[union-attr]
        rules = {f.rule_id for f in triage_queries.flags_for_application(db(), app_id)}
    assert "fast_track" in rules, rules


def _store_apply(bureau: Flask, call: int, n: int) -> int:
    """Another firm's application under the call (through the store, with both materials)."""
    from engine import evaluate, parse_profile
    from engine.standards.uscc import org_check_char, uscc_check_char
    from tests.conftest import sample
    from tests.web.conftest import AS_OF, SAMPLE_A
    from web.extensions import current_ruleset
    from web.store import submission_queries
    from web.store.contacts import validate_contacts
    from web.store.material_queries import StagedFile

    body = f"MB{n:06d}"
    s17 = f"914418020{body}{org_check_char(body)}"[:17]
    data = {**sample(SAMPLE_A), "name": f"清远第{n}家测试科技有限公司", "credit_code": s17 + uscc_check_char(s17)}
    with bureau.test_request_context():
        parsed = parse_profile(data, AS_OF)
        decision = evaluate(current_ruleset(), parsed, AS_OF, measures=[AWARD])
        files_ = [StagedFile(item, f"{item}.pdf", "application/pdf", 100, f"{n:062x}{i:02x}")
                  for i, item in enumerate(("form", "licence"))]
        row = submission_queries.submit_to_call(
            db(), call_id=call, profile=parsed.profile, profile_data=data, ruleset=current_ruleset(),
            decision=decision, checked_on=AS_OF, measures=[AWARD], contacts=validate_contacts("李工", f"1390000000{n}", f"li{n}@example.cn"),
            files=files_, user_id=None)
        return int(row.application_id)


def _review_and_approve(bureau: Flask, reviewer: FlaskClient, app_id: int, wan: str = "30") -> None:
    """What a reviewer does: start, check every material, set the approved amount, approve."""
    assert reviewer.post(f"/review/applications/{app_id}/decide", data={"action": "start", "reason": "ok"}).status_code == 302
    early = reviewer.post(f"/review/applications/{app_id}/decide", data={"action": "approve", "reason": "ok"})
    assert early.status_code == 409 and "所有必需材料审核通过后才能通过申请" in early.get_data(as_text=True)
    with bureau.app_context():
        ids = [m.id for m in material_queries.materials_of(db(), app_id)]
    for material_id in ids:
        reviewer.post(f"/review/materials/{material_id}/mark", data={"status": "accepted", "reason": ""})
    no_amount = reviewer.post(f"/review/applications/{app_id}/decide", data={"action": "approve", "reason": "ok"})
    refused = no_amount.get_data(as_text=True)
    assert no_amount.status_code == 409 and "请先核定金额" in refused
    assert re.search(r"请先核定金额：[^<]*[\u4e00-\u9fff]", refused) and AWARD not in refused.split("请先核定金额")[1][:200]
    too_much = reviewer.post(f"/review/applications/{app_id}/amounts", data={f"amount-{AWARD}": "30.01"})
    assert too_much.status_code == 409 and "核定金额不能超过规则规定的上限" in too_much.get_data(as_text=True)
    response = reviewer.post(f"/review/applications/{app_id}/amounts", data={
        f"amount-{AWARD}": wan, f"reason-{AWARD}": "" if wan == "30" else "核减：部分费用不符合"})
    assert response.status_code == 302, response.get_data(as_text=True)[:1500]
    response = reviewer.post(f"/review/applications/{app_id}/decide", data={"action": "approve", "reason": "ok"})
    assert response.status_code == 302, response.get_data(as_text=True)[:1500]


def _later(monkeypatch: pytest.MonkeyPatch, days: int) -> None:
    later = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(days=days)
    monkeypatch.setattr(call_queries, "utcnow", lambda: later)
    monkeypatch.setattr(allocation_queries, "utcnow", lambda: later)


def _allocated_call(bureau: Flask, client: FlaskClient, admin: FlaskClient,
                    monkeypatch: pytest.MonkeyPatch) -> tuple[int, list[int]]:
    """Three approved applications for the 300,000 award under a 600,000 budget (the second approved at 25万);
    the call closes, the admin previews and confirms: the 公示 runs."""
    call = open_call(bureau, measures=(AWARD,), budget=600_000)
    apps = [_store_apply(bureau, call, n) for n in (1, 2)]  # two other firms, received first
    login(client, "alice")
    fill_enterprise(client)
    apps.append(_apply(client, call, measures=[AWARD]))
    again = client.post("/applications/new", data={**apply_data(call, measures=[AWARD]),
                                                   **files(form=(PDF, "申报表.pdf"), licence=(PNG, "执照.png"))})
    assert again.status_code == 409 and "每个主体每项措施只能申请一次" in again.get_data(as_text=True)
    reviewer = bureau.test_client()
    login(reviewer, "rita")
    for app_id, wan in zip(apps, ("30", "25", "30"), strict=True):
        _review_and_approve(bureau, reviewer, app_id, wan)
    login(admin, "adam")
    page = admin.get(f"/calls/{call}/allocation").get_data(as_text=True)
    assert "通知截止后才能分配资金" in page
    _later(monkeypatch, 31)  # the call has closed (its window is on the chain)
    page = admin.get(f"/calls/{call}/allocation").get_data(as_text=True)
    assert "分配预览（尚未保存）" in page and "将分配 55.00万元，剩余 5.00万元" in page, re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))[:3000]
    digest = re.search(r'name="digest" type="hidden" value="([0-9a-f]{64})"', page)
    assert digest is not None, page[:3000]
    stale = admin.post(f"/calls/{call}/allocate", data={"digest": "0" * 64}, follow_redirects=True)
    assert "预览之后申请或金额有变化" in stale.get_data(as_text=True)
    assert admin.post(f"/calls/{call}/allocate", data={"digest": digest.group(1)}).status_code == 302
    late = reviewer.post(f"/review/applications/{apps[0]}/decide", data={"action": "comment", "reason": "x"})
    assert late.status_code == 302
    return call, apps


def test_allocation_notice_csv_and_payments(bureau: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    admin = bureau.test_client()
    call, apps = _allocated_call(bureau, client, admin, monkeypatch)
    page = admin.get(f"/calls/{call}/allocation").get_data(as_text=True)
    assert "公示中" in page and "未获资助：按本通知公布的排序规则轮到本项时，预算已用完" in page
    assert "已分配 55.00万元，剩余 5.00万元" in page
    told = client.get(f"/applications/{apps[2]}").get_data(as_text=True)  # the applicant sees the true reason
    assert "未获资助：按本通知公布的排序规则轮到本项时，预算已用完" in told and "排名第 3 位" in told and "公示中" in told
    assert "北京时间" in told  # (the history list of _stored.html, H5's, still shows UTC)
    notice = client.get(f"/calls/{call}/notice").get_data(as_text=True)
    assert "清远第1家测试科技有限公司" in notice and "30.00万元" in notice and "公示期" in notice
    assert "清远市瓷韵新材料科技有限公司" not in notice  # ranked third: the budget ran out
    assert "91441802MA00000155" not in notice and "13800001234" not in notice and "wang@" not in notice
    download = client.get(f"/calls/{call}/notice.csv")
    assert download.headers["Content-Type"].startswith("text/csv") and "attachment" in download.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(download.get_data(as_text=True).lstrip("\ufeff"))))
    assert [r[1:] for r in rows[1:]] == [["清远第1家测试科技有限公司", "网页测试用奖励", AWARD, "300000"],
                                         ["清远第2家测试科技有限公司", "网页测试用奖励", AWARD, "250000"]]
    with bureau.app_context():
        first, second, _third = allocation_queries.allocation_lines(db(), call)
    objection = admin.post(f"/calls/{call}/objections", data={
        "objection-raised_by": "李四（来电）", "objection-allocation_id": str(second.id), "objection-text": "重复申报"})
    assert objection.status_code == 302
    early = admin.post(f"/calls/{call}/finalize", data={"digest": "final"}, follow_redirects=True)
    assert "公示期尚未结束" in early.get_data(as_text=True)
    with bureau.app_context():
        (row,) = allocation_queries.objections_of(db(), call)
    handled = admin.post(f"/calls/{call}/objections/{row.id}", data={"handle-outcome": "upheld",
                                                                     "handle-handling": "核实为同一项目重复申报，取消"})
    assert handled.status_code == 302
    _later(monkeypatch, 40)
    final = admin.post(f"/calls/{call}/finalize", data={"digest": "final"}, follow_redirects=True)
    assert "公示结束，分配已定稿" in final.get_data(as_text=True)
    assert "公示期异议成立，取消资助" in final.get_data(as_text=True)
    last4 = _payees(bureau, call)[first.application_id][-4:]
    too_much = admin.post(f"/calls/{call}/payments", data={"allocation_id": first.id, "paid_on": "2025-08-01",
                                                           "amount": "31", "voucher_no": "PZ-1", "account_last4": last4})
    assert too_much.status_code == 409 and "付款金额超过未付金额" in too_much.get_data(as_text=True)
    paid = admin.post(f"/calls/{call}/payments", data={"allocation_id": first.id, "paid_on": "2025-08-01",
                                                       "amount": "30", "voucher_no": "PZ-1", "account_last4": last4},
                      follow_redirects=True)
    assert "已登记付款" in paid.get_data(as_text=True)
    with bureau.app_context():
        assert queries.get_application(db(), first.application_id).status == "paid"  # type: ignore[union-attr]
        assert queries.verify_chain(db()).ok
        assert allocation_queries.rederive(db(), call).identical
    auditor = bureau.test_client()
    login(auditor, "audrey")
    assert f"/audit/calls/{call}/allocation" in auditor.get("/audit/").get_data(as_text=True)
    proof = auditor.get(f"/audit/calls/{call}/allocation").get_data(as_text=True)
    assert "IDENTICAL" in proof
    with bureau.app_context():
        decision_id = queries.get_application(db(), apps[2]).decisions[-1].id  # type: ignore[union-attr]
    decision = auditor.get(f"/audit/decisions/{decision_id}").get_data(as_text=True)
    assert "138****1234" in decision and "13800001234" not in decision  # contacts masked for the auditor


def test_approving_after_the_allocation_is_refused(bureau: Flask, client: FlaskClient,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    admin = bureau.test_client()
    call = open_call(bureau, measures=(AWARD,), budget=500_000)
    login(client, "alice")
    fill_enterprise(client)
    late_app = _apply(client, call, measures=[AWARD])
    reviewer = bureau.test_client()
    login(reviewer, "rita")
    reviewer.post(f"/review/applications/{late_app}/decide", data={"action": "start", "reason": "ok"})
    login(admin, "adam")
    _later(monkeypatch, 31)
    page = admin.get(f"/calls/{call}/allocation").get_data(as_text=True)
    digest = re.search(r'name="digest" type="hidden" value="([0-9a-f]{64})"', page)
    assert digest is not None
    admin.post(f"/calls/{call}/allocate", data={"digest": digest.group(1)})
    refused = reviewer.post(f"/review/applications/{late_app}/decide", data={"action": "approve", "reason": "ok"})
    assert refused.status_code == 409 and "已完成资金分配，不能再通过审核" in refused.get_data(as_text=True)
    with bureau.app_context():
        assert queries.get_application(db(), late_app).status == "in_review"  # type: ignore[union-attr]


def test_batch_payments_export_and_voucher_import(bureau: Flask, client: FlaskClient,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    admin = bureau.test_client()
    call, _apps = _allocated_call(bureau, client, admin, monkeypatch)
    _later(monkeypatch, 40)
    admin.post(f"/calls/{call}/finalize", data={"digest": "final"})
    _payees(bureau, call)
    xlsx = admin.get(f"/calls/{call}/payments.xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    table = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    assert table[0][0].startswith("行号") and len(table) == 3  # two funded lines
    first, second = table[1], table[2]
    exported = admin.get(f"/calls/{call}/payments.csv").get_data(as_text=True)
    assert exported.startswith("\ufeff行号")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table[0])
    writer.writerow([*first[:12], "2025-08-01", "300000", "PZ-A"])
    writer.writerow([*second[:12], "2025-08-01", "260000", "PZ-B"])  # more than granted
    writer.writerow([*second[:12], "2025/08/02", "250000", "PZ-A"])  # voucher repeated in the file
    writer.writerow([*second[:12], "not a date", "250000", "PZ-C"])
    writer.writerow(["99999", *second[1:12], "2025-08-01", "1", "PZ-D"])  # not a line of this call
    writer.writerow([*second[:12], "2025-08-03", "250000", "PZ-E"])
    body = out.getvalue().encode("utf-8")
    result = admin.post(f"/calls/{call}/payments/import", data={"vouchers": (io.BytesIO(body), "paid.csv")},
                        content_type="multipart/form-data")
    text = result.get_data(as_text=True)
    assert result.status_code == 200 and "已登记 2 行，未登记 4 行" in text, text[:3000]
    assert "付款金额超过未付金额" in text and "凭证号在文件中重复" in text and "付款日期须为" in text
    again = admin.post(f"/calls/{call}/payments/import", data={"vouchers": (io.BytesIO(body), "paid.csv")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "已登记 0 行" in again  # the same file twice pays nothing twice
    with bureau.app_context():
        payments = allocation_queries.payments_of(db(), call)
        assert sorted(p.voucher_no for p in payments) == ["PZ-A", "PZ-E"]
        assert queries.verify_chain(db()).ok


# -- the payee account: entered by the applicant, masked by role, matched by the voucher import --------------------

ACCOUNTS = ("6222 0212 3456 7890 123", "4402 1234 5678 9012 34", "6217 0000 1111 2222 333")


def _payees(bureau: Flask, call: int) -> dict[int, str]:
    """Every applicant of the call gets a payee account (through the store); returns account digits by application."""
    from web.store import account_queries

    out = {}
    with bureau.app_context():
        for n, line in enumerate(allocation_queries.allocation_lines(db(), call)):
            applicant = line.application.applicant
            if not applicant.bank_account:
                account_queries.set_payee(db(), applicant.id, payee_name=applicant.name,
                                          bank_name="中国工商银行清远分行营业部", bank_account=ACCOUNTS[n % 3])
            out[line.application_id] = str(applicant.bank_account)
        db().commit()
    return out


@pytest.mark.parametrize(("field", "value", "message"), [
    ("payee_name", "", "请填写收款户名"),
    ("bank_name", "工行", "开户银行须填写银行及支行全称"),
    ("bank_account", "6222-abc-123", "银行账号须为9–30位数字"),
    ("bank_account", "12345678", "the account number has 9–30 digits"),
])
def test_the_applicant_enters_a_payee_account_checked_field_by_field(bureau: Flask, client: FlaskClient, field: str,
                                                                     value: str, message: str) -> None:
    login(client, "alice")
    good = {"payee_name": "清远测试科技有限公司", "bank_name": "中国工商银行清远分行营业部",
            "bank_account": "6222 0212 3456 7890 123"}
    refused = client.post("/applications/payee", data={**good, field: value})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400 and message in page and 'aria-invalid="true"' in page
    saved = client.post("/applications/payee", data=good, follow_redirects=True).get_data(as_text=True)
    assert "收款账户已保存" in saved and "6222021234567890123" in saved  # the applicant sees its own in full


@pytest.mark.parametrize(("role", "user", "full"), [("admin", "adam", True), ("reviewer", "rita", False),
                                                    ("auditor", "audrey", False)])
def test_the_finance_export_shows_the_account_in_full_only_to_the_role_that_pays(
        bureau: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch, role: str, user: str, full: bool) -> None:
    from openpyxl import load_workbook

    from web.masking import mask_account

    admin = bureau.test_client()
    call, _apps = _allocated_call(bureau, client, admin, monkeypatch)
    _later(monkeypatch, 40)
    admin.post(f"/calls/{call}/finalize", data={"digest": "final"})
    accounts = _payees(bureau, call)
    viewer = bureau.test_client()
    login(viewer, user)
    csv_text = viewer.get(f"/calls/{call}/payments.csv").get_data(as_text=True)
    sheet = load_workbook(io.BytesIO(viewer.get(f"/calls/{call}/payments.xlsx").data)).active
    xlsx_text = "\n".join(",".join(str(v) for v in row) for row in sheet.iter_rows(values_only=True))
    page = viewer.get(f"/calls/{call}/allocation").get_data(as_text=True).split('id="payees"')[1]
    header = next(csv.reader(io.StringIO(csv_text.lstrip("\ufeff"))))
    assert header[9:12] == ["收款户名 / account name", "开户银行 / bank", "银行账号 / account no."]
    for funded in {r[1] for r in csv.reader(io.StringIO(csv_text)) if r and r[1].isdigit()}:
        account = accounts[int(funded)]
        for shown in (csv_text, xlsx_text, page):
            assert (account in shown) is full and (mask_account(account) in shown) is not full, (role, shown[:800])
    assert "中国工商银行清远分行营业部" in csv_text  # a bank's name is not personal data
    if role == "reviewer":  # the review page's payee card: masked too
        app_id, account = next(iter(accounts.items()))
        card = viewer.get(f"/review/applications/{app_id}").get_data(as_text=True).split('id="payee"')[1][:600]
        assert mask_account(account) in card and account not in card


def test_the_voucher_import_matches_the_registered_account(bureau: Flask, client: FlaskClient,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from web.masking import mask_account

    admin = bureau.test_client()
    call, _apps = _allocated_call(bureau, client, admin, monkeypatch)
    _later(monkeypatch, 40)
    admin.post(f"/calls/{call}/finalize", data={"digest": "final"})
    table = list(csv.reader(io.StringIO(admin.get(f"/calls/{call}/payments.csv").get_data(as_text=True).lstrip("\ufeff"))))
    first, second = table[1], table[2]
    assert first[11] == "—"  # no account entered yet
    unregistered = _import(admin, call, table[0], [[*first[:12], "2025-08-01", "1", "PZ-0"]])
    assert "申请人尚未登记收款账户，不能付款" in unregistered
    accounts = _payees(bureau, call)
    table = list(csv.reader(io.StringIO(admin.get(f"/calls/{call}/payments.csv").get_data(as_text=True).lstrip("\ufeff"))))
    first, second = table[1], table[2]
    good = accounts[int(first[1])]
    assert first[11] == good  # the admin's export: in full
    rows = [[*first[:11], mask_account(good), "2025-08-01", "1", "PZ-1"],  # a masked number proves nothing
            [*first[:11], good[:-1] + str((int(good[-1]) + 1) % 10), "2025-08-01", "1", "PZ-2"],  # another account
            [*first[:9], "别的公司", first[10], good, "2025-08-01", "1", "PZ-3"],  # another account name
            [*first[:11], " ".join([good[:4], good[4:]]), "2025-08-01", "1", "PZ-4"],  # the account, spaced
            [*second[:9], "", "", accounts[int(second[1])], "2025-08-01", "2", "PZ-5"]]  # no name: the number decides
    text = _import(admin, call, table[0], rows)
    assert "已登记 2 行，未登记 3 行" in text, re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text.split("<tbody>")[1]))[:1500]
    assert text.count("银行账号与申请人登记的收款账户不一致（须为完整账号）") == 2 and "收款户名与申请人登记的不一致" in text
    assert f"中国工商银行清远分行营业部 · {good}" in text  # each row shows the account it was checked against
    with bureau.app_context():
        payments = allocation_queries.payments_of(db(), call)
        assert sorted(p.voucher_no for p in payments) == ["PZ-4", "PZ-5"]
        from web.store.models import LedgerEntry

        chained = json.loads(db().get(LedgerEntry, payments[0].ledger_id).body)  # type: ignore[union-attr]
        assert chained["payee"]["account"] == "****" + good[-4:] and good not in json.dumps(chained)  # last four only
        assert queries.verify_chain(db()).ok


def test_a_single_payment_needs_the_registered_account_confirmed(bureau: Flask, client: FlaskClient,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """单笔登记付款: the admin sees the registered account in full and types its last four digits (the voucher
    import's check, web.store.account_queries.payee_mismatch); no account, no digits or other digits: refused."""
    from web.store import account_queries

    admin = bureau.test_client()
    call, _apps = _allocated_call(bureau, client, admin, monkeypatch)
    _later(monkeypatch, 40)
    admin.post(f"/calls/{call}/finalize", data={"digest": "final"})
    with bureau.app_context():
        first = next(x for x in allocation_queries.allocation_lines(db(), call) if x.granted)
    pay = {"allocation_id": first.id, "paid_on": "2025-08-01", "amount": "1", "voucher_no": "PZ-9"}
    page = admin.get(f"/calls/{call}/allocation").get_data(as_text=True)
    assert "未登记收款账户，不能付款" in page and "核对收款账号后4位" in page
    unregistered = admin.post(f"/calls/{call}/payments", data={**pay, "account_last4": "0123"})
    assert unregistered.status_code == 400 and "申请人尚未登记收款账户，不能付款" in unregistered.get_data(as_text=True)
    good = _payees(bureau, call)[first.application_id]
    page = admin.get(f"/calls/{call}/allocation").get_data(as_text=True).split('id="allocation_id"')[1]
    assert f"收款 {good} · " in page.split("</select>")[0]  # the admin who pays: in full
    unconfirmed = admin.post(f"/calls/{call}/payments", data=pay)
    assert unconfirmed.status_code == 400 and "请填写收款账号后4位，核对收款账户。" in unconfirmed.get_data(as_text=True)
    other = admin.post(f"/calls/{call}/payments", data={**pay, "account_last4": str(int(good[-4:]) + 1).zfill(4)[-4:]})
    assert other.status_code == 400 and "收款账号后4位与申请人登记的收款账户不一致" in other.get_data(as_text=True)
    with bureau.app_context():
        assert allocation_queries.payments_of(db(), call) == []
    paid = admin.post(f"/calls/{call}/payments", data={**pay, "account_last4": good[-4:]}, follow_redirects=True)
    assert "已登记付款（凭证号 PZ-9）" in paid.get_data(as_text=True)
    # the account changes after the 公示 started: the admin is told on the payment page (Beijing time)
    changed_at = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(days=41)
    monkeypatch.setattr(queries, "utcnow", lambda: changed_at)
    with bureau.app_context():
        account_queries.set_payee(db(), first.application.applicant_id, payee_name=first.application.applicant.name,
                                  bank_name="中国农业银行清远分行", bank_account="6228480000111122223")
    page = admin.get(f"/calls/{call}/allocation").get_data(as_text=True)
    flag = f"账户于 {local_time(changed_at)}（北京时间）变更（公示开始后）"
    assert flag in page.split('id="payees"')[1].split("</table>")[0] and flag in page.split('id="allocation_id"')[1]
    stale = admin.post(f"/calls/{call}/payments", data={**pay, "voucher_no": "PZ-10", "account_last4": good[-4:]})
    assert stale.status_code == 400  # the digits of the account before the change no longer pay
    table = list(csv.reader(io.StringIO(admin.get(f"/calls/{call}/payments.csv").get_data(as_text=True).lstrip("\ufeff"))))
    row = next(r for r in table[1:] if r[0] == str(first.id))
    imported = _import(admin, call, table[0], [[*row[:12], "2025-08-02", "1", "PZ-11"]])
    assert "已登记 1 行，未登记 0 行" in imported and flag in imported  # the import's result says so too
    with bureau.app_context():
        assert queries.verify_chain(db()).ok


def _import(admin: FlaskClient, call: int, header: list[str], rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    result = admin.post(f"/calls/{call}/payments/import", data={"vouchers": (io.BytesIO(out.getvalue().encode()), "p.csv")},
                        content_type="multipart/form-data")
    assert result.status_code == 200
    return result.get_data(as_text=True)


def test_payee_masking_per_role() -> None:
    from web.masking import applicant_name_for, payee_for, sees

    account = "6222021234567890123"
    for role in ("applicant", "admin"):
        assert payee_for(role, "person", "李小龙", "中国银行", account) == {"payee": "李小龙", "bank": "中国银行",
                                                                         "account": account}
    for role in ("reviewer", "auditor", None, "stranger"):
        shown = payee_for(role, "organisation", "清远测试科技有限公司", "中国银行", account)
        assert shown == {"payee": "清远测试科技有限公司", "bank": "中国银行", "account": "6222***********0123"}
        assert not sees(role, "bank")
    assert payee_for("auditor", "person", "李小龙", "中国银行", account)["payee"] == "李**"
    assert payee_for("reviewer", "person", "李小龙", "中国银行", account)["payee"] == "李小龙"  # reviewers see names
    assert payee_for("auditor", "organisation", None, None, None) == {"payee": "—", "bank": "—", "account": "—"}
    assert applicant_name_for("admin", "person", "李小龙") == "李**"
    assert applicant_name_for("admin", "organisation", "清远测试科技有限公司") == "清远测试科技有限公司"


# -- fuzzing the uploads ------------------------------------------------------------------------------

SMALL_LIMIT = 4096
CASES = [
    ("zero bytes", b"", "a.pdf", "文件为空"),
    ("oversize", b"%PDF-1.4\n" + b"0" * SMALL_LIMIT + b"\n%%EOF", "big.pdf", "文件超过"),
    ("zip renamed .pdf", b"PK\x03\x04" + bytes(range(256)), "report.pdf", "ZIP压缩包"),
    ("gif", b"GIF89a" + bytes(20), "photo.png", "GIF图片"),
    ("html", b"<html><script>alert(1)</script></html>", "x.pdf", "网页或XML文本"),
    ("exe", b"MZ\x90\x00" + bytes(60), "setup.jpg", "可执行程序"),
    ("png named .pdf", PNG, "image.pdf", "文件扩展名与内容不符"),
    ("truncated pdf", b"%PDF-1.7\n1 0 obj", "cut.pdf", "无法识别"),
]


@pytest.fixture
def uploader(bureau: Flask, client: FlaskClient) -> tuple[FlaskClient, int]:
    bureau.config["MATERIAL_MAX_BYTES"] = SMALL_LIMIT
    call = open_call(bureau, measures=(SMALL,))
    login(client, "alice")
    fill_enterprise(client)
    return client, call


@pytest.mark.parametrize(("case", "data", "name", "message"), CASES, ids=[c[0] for c in CASES])
def test_a_bad_upload_gets_a_clear_bilingual_error(uploader: tuple[FlaskClient, int], case: str, data: bytes,
                                                    name: str, message: str) -> None:
    client, call = uploader
    response = client.post("/applications/new", data={**apply_data(call, [SMALL]), **files(form=(data, name))})
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and message in body and name in body
    error = re.search(r'class="field-error">(.*?)</p>', body, re.S)
    assert error and re.search(r'class="alt">[A-Za-z]', error.group(1)), "the English beside the Chinese"
    assert 'value="wang@example.cn"' in body  # nothing else lost


def test_random_uploads_never_break_the_site(uploader: tuple[FlaskClient, int]) -> None:
    client, call = uploader
    rng = random.Random(20251203)
    names = ["a.pdf", "b.png", "c.jpg", "d.jpeg", "e", "../../etc/passwd.pdf", "f.PDF", "申报 材料.pdf", "g.exe", "\x00.pdf"]
    for _ in range(60):
        size = rng.choice([0, 1, 3, 8, 100, 2000, SMALL_LIMIT + 1])
        head = rng.choice([b"", b"%PDF-", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"PK\x03\x04"])
        data = (head + rng.randbytes(size))[: max(size, len(head))]
        response = client.post("/applications/new", data={**apply_data(call, [SMALL]),
                                                          **files(form=(data, rng.choice(names)))})
        assert response.status_code in (302, 400), (response.status_code, data[:20])
        if response.status_code == 302:  # a JPEG header is enough for a JPEG: accepted, a new application
            fill_enterprise(client)


def test_a_path_in_the_file_name_is_dropped(uploader: tuple[FlaskClient, int], bureau: Flask) -> None:
    client, call = uploader
    app_id = _apply_one(client, call, "../../etc/passwd.pdf")
    with bureau.app_context():
        (row,) = material_queries.materials_of(db(), app_id)
        assert row.filename == "passwd.pdf" and (Path(bureau.config["MATERIALS_DIR"]) / row.sha256[:2] / row.sha256).is_file()


def _apply_one(client: FlaskClient, call: int, name: str) -> int:
    response = client.post("/applications/new", data={**apply_data(call, [SMALL]), **files(form=(PDF, name))})
    assert response.status_code == 302
    return int(response.location.rsplit("/", 1)[1])


def test_a_request_over_the_upload_limit_is_a_clear_413(uploader: tuple[FlaskClient, int], bureau: Flask) -> None:
    client, call = uploader
    bureau.config["UPLOAD_REQUEST_MAX"] = 10_000
    response = client.post("/applications/new", data={**apply_data(call, [SMALL]), **files(form=(b"x" * 20_000, "a.pdf"))})
    assert response.status_code == 413 and "提交的内容过大" in response.get_data(as_text=True)


def test_an_admin_manages_a_call_and_the_public_page_shows_why(bureau: Flask, client: FlaskClient) -> None:
    call = open_call(bureau, measures=(AWARD,), days=(2, 30))  # opens in two days
    login(client, "adam")
    form = client.get(f"/calls/{call}/edit").get_data(as_text=True)
    assert 'value="50"' in form and "清远市科学技术局" in form
    data = {"title": "2025年度网页测试申报（修订）", "year": "2025", "body": "韶关市科学技术局",
            "opens": "2030-01-01T09:00", "closes": "2030-02-01T17:00", "budget": "60", "method": "rank_full",
            "rank_by": "received", "notice_days": "5", "reason": ""}
    assert client.post(f"/calls/{call}/edit", data=data).status_code == 400  # no reason
    assert client.post(f"/calls/{call}/edit", data={**data, "reason": "预算调增至60万元"}).status_code == 302
    stages = client.post(f"/calls/{call}/stages", data={"preset": "two", "stage-1-users": ["3"]})
    assert stages.status_code == 302
    extend = client.post(f"/calls/{call}/extend", data={"extend-closes": "2030-03-01T17:00", "extend-reason": "延期受理"})
    assert extend.status_code == 302
    withdraw = client.post(f"/calls/{call}/withdraw", data={"withdraw-reason": "政策调整，本批次取消"})
    assert withdraw.status_code == 302
    page = bureau.test_client().get(f"/calls/{call}").get_data(as_text=True)  # the public page
    for text in ("已撤回", "修改通知", "预算调增至60万元", "延长截止时间", "延期受理", "撤回通知", "政策调整，本批次取消",
                 "韶关市科学技术局", "60.00万元"):
        assert text in page, text
    with bureau.app_context():
        stored = call_queries.get_call(db(), call)
        assert stored is not None and [s["zh"] for s in stored.stages] == ["初审", "复审"]
        assert stored.stages[1]["users"] == [3]
        kinds = [c.change for c in call_queries.changes(db(), call)]
        assert kinds == ["edited", "extended", "withdrawn"]
        assert queries.verify_chain(db()).ok
    again = client.post(f"/calls/{call}/extend", data={"extend-closes": "2030-04-01T17:00", "extend-reason": "x"},
                        follow_redirects=True)
    assert "已撤回，不能再修改" in again.get_data(as_text=True)


def test_the_dashboard_of_the_year(bureau: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    admin = bureau.test_client()
    call, apps = _allocated_call(bureau, client, admin, monkeypatch)
    _later(monkeypatch, 40)
    admin.post(f"/calls/{call}/finalize", data={"digest": "final"})
    with bureau.app_context():
        first = allocation_queries.allocation_lines(db(), call)[0]
    last4 = _payees(bureau, call)[first.application_id][-4:]
    admin.post(f"/calls/{call}/payments", data={"allocation_id": first.id, "paid_on": "2025-08-01", "amount": "30",
                                                "voucher_no": "PZ-DASH", "account_last4": last4})
    page = admin.get("/dashboard/").get_data(as_text=True)
    assert page.count("<svg") == 4 and "各申报通知的资金" in page and "办理时间" in page
    assert 'class="page-wide' in page and page.count('class="chart-with-table"') == 2  # a narrow table beside its chart
    assert page.count('class="chart-with-table table-below"') == 2  # a wide one (a status per column; money) under it
    row = re.search(rf"<tr><td>#{call} [^<]*</td>(.*?)</tr>", page.split('id="money"')[1]).group(1)  # type: ignore[union-attr]
    assert re.findall(r"[\d.]+万元", row) == ["60.00万元", "85.00万元", "85.00万元", "55.00万元", "30.00万元"]
    assert "网页测试用奖励" in page.split('id="by-measure"')[1]
    assert client.get("/dashboard/").status_code in (302, 403)  # an applicant does not see it


def test_the_dashboard_never_shows_a_negative_duration(bureau: Flask, client: FlaskClient,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A call made final *before* its applications were received (times that disagree, as the demo's back-dated
    call once had): the spans are counted and named, never averaged in as a negative median."""
    admin = bureau.test_client()
    call, apps = _allocated_call(bureau, client, admin, monkeypatch)
    _later(monkeypatch, 40)
    admin.post(f"/calls/{call}/finalize", data={"digest": "final"})
    with bureau.app_context():
        times = {t.call_id: t for t in dashboard_queries.times(db())}
        assert times[call].median_days_to_final is not None and times[call].median_days_to_final >= 0
        assert times[call].out_of_order == 0
        row = call_queries.get_call(db(), call)
        row.finalized_at = dt.datetime(2020, 1, 1)  # before every submission
        db().commit()
        times = {t.call_id: t for t in dashboard_queries.times(db())}
    assert times[call].median_days_to_final is None and times[call].out_of_order == len(apps)
    page = admin.get("/dashboard/").get_data(as_text=True).split('id="times"')[1]
    assert f"{len(apps)} 项时间顺序有误（结束早于提交），未计入中位数，请核查。" in page
    assert not re.search(r">-\d", page)  # no negative figure anywhere in the table or the chart
