"""The bureau's year in a real browser (Debian's chromium, JavaScript off), issue 23: an admin opens a call through
the form and edits it before it opens (the reason shows on the public page); a firm registers with its credit
code, the admin confirms it, the firm applies with a 4 MB PDF and gets its 受理回执 (downloaded as a PDF, its text
checked; attached to the e-mail) and enters its payee account (a wrong number named); a two-stage review with an
approved amount; the admin closes the call early, previews and confirms the allocation, records an objection
during the 公示期 and its handling, makes the allocation final and imports the paid-voucher file (the admin's
export carries the accounts in full, the reviewer's masked); the applicant reads why it got what it got; the
dashboard shows the year, each chart beside its table at 1366 px and above it on a phone. Every notice goes through a real local SMTP
server (aiosmtpd). Screenshots: test-artifacts/screenshots/year-*.png."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from engine import evaluate, load_ruleset, parse_profile
from engine.standards.uscc import org_check_char, uscc_check_char
from tests.conftest import sample
from tests.e2e.conftest import CHROMIUM, serve
from tests.web.bureau_kit import AWARD, PNG
from tests.web.conftest import AS_OF, PAGES, PASSWORD, SAMPLE_A, seed
from web.bureau.samplepdf import minimal_pdf
from web.db_session import db
from web.store import (
    account_queries,
    allocation_queries,
    call_queries,
    material_queries,
    migrate,
    queries,
    review_queries,
    submission_queries,
)
from web.store.contacts import validate_contacts
from web.store.material_queries import StagedFile

pytestmark = pytest.mark.e2e
if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium to run the browser tests", allow_module_level=True)
pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
pytest.importorskip("aiosmtpd", reason="aiosmtpd is not installed")

from aiosmtpd.controller import Controller  # noqa: E402  (after the skips)

from tests.e2e.test_selfcheck_browser import Session  # noqa: E402
from tests.smtp_kit import Inbox  # noqa: E402

SMTP_PORT = 8173  # H7's ports: 8170-8179
NEW_CODE = "914403001922038216"
NEW_NAME = "清远新注册材料科技有限公司"
BIG_PDF = minimal_pdf([f"line {i:06d} of a long application form, padded to make the file about four megabytes......."
                       for i in range(42_000)])




@pytest.fixture(scope="module")
def year(rules_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    from web.app import create_app
    from web.db_session import dispose

    mailbox = Inbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=SMTP_PORT)
    controller.start()
    saved = {k: os.environ.get(k) for k in ("SMTP_HOST", "SMTP_PORT", "MAIL_FROM")}
    os.environ.update({"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(SMTP_PORT), "MAIL_FROM": "bureau@example.cn"})
    ruleset = load_ruleset(rules_dir)
    url = f"sqlite:///{tmp_path_factory.mktemp('year') / 'site.db'}"
    migrate.upgrade(url)
    seeded = seed(url, ruleset)
    app = create_app({"SECRET_KEY": "e2e-secret-key-0123456789", "DATABASE_URL": url,
                      "MATERIALS_DIR": str(tmp_path_factory.mktemp("materials"))}, ruleset=ruleset)
    try:
        with serve(app, "e2e-year") as base:
            yield {"base": base, "app": app, "seeded": seeded, "ruleset": ruleset, "mail": mailbox}
    finally:
        dispose(app)
        controller.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture
def person(browser: Any, year: dict[str, Any], screenshots: Path) -> Iterator[Any]:
    contexts: list[Any] = []

    def make(prefix: str) -> Session:
        context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900},
                                      java_script_enabled=False, accept_downloads=True)
        contexts.append(context)
        return Session(context.new_page(), year["base"], screenshots, f"year-{prefix}")

    yield make
    for context in contexts:
        context.close()


def log_in(s: Session, username: str, password: str = PASSWORD) -> None:
    s.goto("/login")
    s.page.locator("#username").fill(username)
    s.page.locator("#password").fill(password)
    s.page.locator("main").get_by_role("button", name="登录").click()


def local(t: dt.datetime) -> str:
    return (t + dt.timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M")


def other_firm(year: dict[str, Any], call: int, n: int, reviewer: int) -> int:
    """Another firm's application (through the store), reviewed through both stages and approved at 30万."""
    body = f"MC{n:06d}"
    s17 = f"914418020{body}{org_check_char(body)}"[:17]
    data = {**sample(SAMPLE_A), "name": f"清远第{n}家同行科技有限公司", "credit_code": s17 + uscc_check_char(s17)}
    with year["app"].test_request_context():
        session, ruleset = db(), year["ruleset"]
        parsed = parse_profile(data, AS_OF)
        row = submission_queries.submit_to_call(
            session, call_id=call, profile=parsed.profile, profile_data=data, ruleset=ruleset,
            decision=evaluate(ruleset, parsed, AS_OF, measures=[AWARD]), checked_on=AS_OF, measures=[AWARD],
            contacts=validate_contacts("李工", f"1391111000{n}", f"peer{n}@example.cn"),
            files=[StagedFile(k, f"{k}.pdf", "application/pdf", 100, f"{n:062x}{i:02x}")
                   for i, k in enumerate(("form", "licence"))], user_id=None)
        app_id = int(row.application_id)
        account_queries.set_payee(session, row.application.applicant_id, payee_name=data["name"],
                                  bank_name="中国建设银行清远分行", bank_account=f"4400 1766 0000 0000 {n:04d}")
        for material in material_queries.materials_of(session, app_id):
            material_queries.mark(session, material.id, "accepted", "", reviewer)
        session.commit()
        queries.record_review(session, application_id=app_id, user_id=reviewer, action="reopen", reason="受理")
        allocation_queries.set_approved_amount(session, app_id, AWARD, 300_000, "", reviewer)
        review_queries.next_stage(session, app_id, reviewer, "初审通过")
        queries.record_review(session, application_id=app_id, user_id=reviewer, action="approve", reason="复审通过")
    return app_id


def test_the_year(person: Any, year: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: PLR0915
    mail, seeded = year["mail"], year["seeded"]
    clock = {"now": call_queries.now()}

    def move(**delta: int) -> None:  # the server thread shares this process: its clock moves too
        clock["now"] = clock["now"] + dt.timedelta(**delta)

    monkeypatch.setattr(call_queries, "utcnow", lambda: clock["now"])
    monkeypatch.setattr(allocation_queries, "utcnow", lambda: clock["now"])

    # -- the admin opens a call (it opens tomorrow) and edits it before it opens -----------------------
    admin = person("admin")
    log_in(admin, "adam")
    admin.goto(f"/calls/new?measure={AWARD}")
    admin.page.locator("#title").fill("2026年度清远市网页测试奖励申报")
    admin.page.locator("#body").select_option("清远市科学技术局")
    admin.page.locator("#opens").fill(local(clock["now"] + dt.timedelta(days=1)))
    admin.page.locator("#closes").fill(local(clock["now"] + dt.timedelta(days=30)))
    admin.page.locator("#budget").fill("50")
    admin.page.locator('input[name="notice_days"]').fill("5")
    admin.shot("01-new-call")
    admin.page.get_by_role("button", name="发布", exact=True).click()
    call = int(re.search(r"/calls/(\d+)$", admin.page.url).group(1))  # type: ignore[union-attr]
    admin.page.get_by_role("link", name="修改通知（开始受理前）").click()
    admin.page.locator("#budget").fill("60")
    admin.page.locator("#reason").fill("市财政追加预算10万元")
    admin.page.get_by_role("button", name="保存修改").click()
    public = person("public")
    public.goto(f"/calls/{call}")
    text = public.page.locator("main").inner_text()
    assert "市财政追加预算10万元" in text and "60.00万元" in text and "即将开始" in text
    public.shot("02-call-edited-public")
    admin.goto(f"/calls/{call}")
    admin.page.locator('input[name="preset"][value="two"]').check()
    admin.page.locator("#stages").get_by_role("button", name="保存审核阶段").click()
    move(days=2)  # the call is open

    # -- a firm registers with its credit code; the admin confirms it ---------------------------------
    firm = person("firm")
    firm.goto("/account/register")
    firm.fill({"name": NEW_NAME, "credit_code": NEW_CODE, "username": "newco", "email": "boss@newco.example.cn",
               "password": "Qingyuan-Kiln-2025#", "password2": "Qingyuan-Kiln-2025#"})
    firm.shot("03-register")
    firm.page.get_by_role("button", name="提交注册").click()
    assert "注册申请已提交" in firm.page.locator("main").inner_text()
    admin.goto("/admin/users")
    assert "待确认（自助注册）" in admin.page.locator("main").inner_text()
    admin.page.get_by_role("button", name="确认注册 newco").click()
    admin.shot("04-confirmed")
    mail.wait_for("账号已确认 / Account confirmed")

    # -- the firm checks itself, applies with a 4 MB PDF and gets its receipt ------------------------
    log_in(firm, "newco", "Qingyuan-Kiln-2025#")
    firm.goto("/selfcheck/")
    firm.page.get_by_role("button", name="完整表单").click()
    for page, values in PAGES.items():
        firm.fill({**values, **({"name": NEW_NAME, "credit_code": NEW_CODE} if page == "identity" else {})})
        firm.next()
    firm.goto(f"/applications/new?call={call}&measure={AWARD}")
    firm.fill({"contact_name": "赵经理", "contact_phone": "13922223333", "contact_email": "boss@newco.example.cn"})
    inputs = firm.page.locator('input[type="file"]')  # the call's checklist (the rule file's documents)
    inputs.nth(0).set_input_files(files=[{"name": "申报表.pdf", "mimeType": "application/pdf", "buffer": BIG_PDF}])
    for i in range(1, inputs.count()):
        inputs.nth(i).set_input_files(files=[{"name": f"材料{i}.png", "mimeType": "image/png", "buffer": PNG}])
    firm.page.locator("#confirm").check()
    firm.shot("05-apply-4mb")
    firm.page.get_by_role("button", name="提交申请").click()
    application = int(re.search(r"/applications/(\d+)$", firm.page.url).group(1))  # type: ignore[union-attr]
    mail.wait_for(f"已受理：申请 #{application}")  # sent by the outbox thread after the page (web.notices.outbox)
    firm.goto(f"/notices/receipt/{application}")
    assert "申报表.pdf" in firm.page.locator("main").inner_text() and str(len(BIG_PDF)) in firm.page.locator("main").inner_text()
    firm.shot("06-receipt")
    with firm.page.expect_download() as download:  # the 受理回执 PDF, as the applicant downloads it
        firm.page.get_by_role("link", name="下载受理回执（PDF）").click()
    receipt = Path(download.value.path()).read_bytes()
    pdf_text = re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(receipt)).pages))
    for field in ("受理回执", f"#{application}", NEW_NAME, NEW_CODE, "2026年度清远市网页测试奖励申报", "清远市科学技术局",
                  "受理时间（北京时间）", "申报表.pdf", hashlib.sha256(BIG_PDF).hexdigest(), "13922223333"):
        assert field in pdf_text, (field, pdf_text)
    assert download.value.suggested_filename.startswith("receipt-SL-")
    mailed = mail.wait_for(f"已受理：申请 #{application}")
    assert [a.get_content_type() for a in mailed.iter_attachments()] == ["application/pdf"]

    # -- the firm enters the account the bureau pays into (a wrong number is named) --------------------
    firm.goto("/applications/")
    firm.page.get_by_role("link", name="收款账户（未填写）").click()
    firm.fill({"payee_name": NEW_NAME, "bank_name": "中国农业银行清远分行", "bank_account": "6228 48O0 1234"})
    firm.page.get_by_role("button", name="保存收款账户").click()
    assert "银行账号须为9–30位数字" in firm.page.locator("#error-summary").inner_text()
    firm.shot("06b-payee-refused")
    firm.fill({"bank_account": "6228 4800 1234 5678 901"})
    firm.page.get_by_role("button", name="保存收款账户").click()
    assert "收款账户已保存" in firm.page.locator("main").inner_text()
    firm.shot("06c-payee-saved")
    told = mail.wait_for("收款账户已变更")  # on the chain, and the firm is told
    assert "****8901" in str(told.get_body(preferencelist=("plain",)).get_content())

    # -- two other firms; the reviewer's two-stage review with an approved amount ----------------------
    others = [other_firm(year, call, n, seeded.users["rita"]) for n in (1, 2)]
    reviewer = person("reviewer")
    log_in(reviewer, "rita")
    reviewer.goto(f"/review/?call={call}&q=新注册")
    assert f"#{application}" in reviewer.page.locator(".queue-table").inner_text()
    reviewer.shot("07-queue")
    reviewer.goto(f"/review/applications/{application}")
    for form in reviewer.page.locator("form.material-mark").all():
        form.locator('input[value="accepted"]').check()
        form.get_by_role("button").click()
    reviewer.page.locator(f'input[name="amount-{AWARD}"]').fill("25")
    reviewer.page.locator(f'input[name="reason-{AWARD}"]').fill("设备购置发票核减5万元")
    reviewer.page.get_by_role("button", name="保存核定金额").click()
    reviewer.page.locator('input[name="action"][value="start"]').check()
    reviewer.page.locator("#reason").fill("材料齐全，开始审核")
    reviewer.page.get_by_role("button", name="提交处理").click()
    reviewer.page.locator('input[name="action"][value="approve"]').check()
    reviewer.page.locator("#reason").fill("初审通过")
    reviewer.page.get_by_role("button", name="提交处理").click()
    assert "还需经过：复审" in reviewer.page.locator("#refusal").inner_text()
    reviewer.page.locator("#stage-reason").fill("初审通过，转复审")
    reviewer.page.get_by_role("button", name="转入 复审").click()
    reviewer.page.locator('input[name="action"][value="approve"]').check()
    reviewer.page.locator("#reason").fill("复审通过")
    reviewer.page.get_by_role("button", name="提交处理").click()
    assert "已决定：通过" in reviewer.page.locator(".result-head").inner_text(), reviewer.page.locator("main").inner_text()[-3000:]
    reviewer.shot("08-approved")

    # -- the admin closes the call early, previews, confirms: the 公示 with an objection ---------------
    admin.goto(f"/calls/{call}")
    admin.page.locator("#close-reason").fill("预算已足额申报，提前截止")
    admin.page.get_by_role("button", name="提前截止").click()
    move(minutes=5)
    admin.goto(f"/calls/{call}/allocation")
    preview = admin.page.locator("#preview").inner_text()
    assert "将分配 55.00万元，剩余 5.00万元" in preview and "预算已用完" in preview
    admin.shot("09-preview")
    admin.page.get_by_role("button", name="确认分配并开始公示（5天）").click()
    assert "公示中" in admin.page.locator("#allocation").inner_text()
    admin.page.locator("#objection-raised_by").fill("张三（来电 0763-3300000）")
    admin.page.locator("#objection-allocation_id").select_option(index=1)
    admin.page.locator("#objection-text").fill("该企业去年已获同类奖励")
    admin.page.get_by_role("button", name="登记异议").click()
    admin.page.locator('input[name="handle-outcome"][value="dismissed"]').check()
    admin.page.locator("#handle-handling").fill("经核查，去年获奖为不同项目，异议不成立")
    admin.page.get_by_role("button", name="记录处理结果").click()
    admin.shot("10-publicity-objection")
    public.goto(f"/calls/{call}/notice")
    assert "公示期" in public.page.locator("main").inner_text()
    public.shot("11-notice")

    # -- after the 公示期: final; the voucher file from the finance office -----------------------------
    move(days=6)
    admin.goto(f"/calls/{call}/allocation")
    admin.page.get_by_role("button", name="公示结束，定稿").click()
    assert "已定稿" in admin.page.locator("#allocation").inner_text()
    with admin.page.expect_download() as download:
        admin.page.get_by_role("link", name="导出付款清单（CSV）").click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8-sig"))))
    assert rows[0][9:12] == ["收款户名 / account name", "开户银行 / bank", "银行账号 / account no."]
    assert any(row[11] == "6228480012345678901" for row in rows[1:])  # the admin pays: the account in full
    admin.page.locator("#payees").scroll_into_view_if_needed()
    admin.shot("12a-payees-admin", full_page=False)
    reviewer.goto(f"/calls/{call}/allocation")
    with reviewer.page.expect_download() as seen:
        reviewer.page.get_by_role("link", name="导出付款清单（CSV）").click()
    masked = Path(seen.value.path()).read_text(encoding="utf-8-sig")
    assert "6228480012345678901" not in masked and "6228***********8901" in masked  # the reviewer does not pay
    assert "6228***********8901" in reviewer.page.locator("#payees").inner_text()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(rows[0])
    for number, row in enumerate(rows[1:], start=1):
        writer.writerow([*row[:12], "2026-01-15", row[6], f"QY-2026-{number:04d}"])
    admin.page.get_by_text("单笔登记付款").click()  # one line: the account shown in full, its last four typed
    assert "6228480012345678901" in admin.page.locator("#allocation_id").inner_text()
    assert admin.page.locator("#account_last4").is_visible()
    admin.page.locator("#account_last4").scroll_into_view_if_needed()
    admin.shot("12b-single-payment", full_page=False)
    voucher = Path(download.value.path()).with_name("paid.csv")
    voucher.write_text(out.getvalue(), encoding="utf-8")
    admin.page.locator("#vouchers").set_input_files(str(voucher))
    admin.page.get_by_role("button", name="导入并逐行核对").click()
    assert "已登记 2 行，未登记 0 行" in admin.page.locator("main").inner_text()
    admin.shot("12-vouchers")

    # -- what the applicant reads; the dashboard -----------------------------------------------------
    firm.goto(f"/applications/{application}")
    told = firm.page.locator("#allocation").inner_text()
    assert "25.00万元" in told and "已定稿" in told
    firm.shot("13-applicant-told")
    firm.goto("/notices/")
    firm.shot("14-inbox")
    for subject in (f"资金分配与公示：申请 #{application}", f"分配定稿：申请 #{application}", f"已拨付：申请 #{application}"):
        mail.wait_for(subject)
    admin.page.set_viewport_size({"width": 1366, "height": 900})
    admin.goto("/dashboard/")
    assert admin.page.locator("svg").count() == 4
    for lang in ("zh", "en"):  # every table readable without scrolling sideways, in both languages
        admin.goto(f"/dashboard/?lang={lang}")
        for block in admin.page.locator(".chart-with-table").all():  # a narrow table beside its chart, a wide one under
            chart, table = block.locator(".chart").bounding_box(), block.locator(".table-scroll").bounding_box()
            assert chart and table
            if "table-below" in (block.get_attribute("class") or ""):
                assert table["y"] >= chart["y"] + chart["height"] - 1
            else:
                assert table["x"] >= chart["x"] + chart["width"] and abs(table["y"] - chart["y"]) < 5
            scroll = block.locator(".table-scroll").evaluate("e => [e.scrollWidth, e.clientWidth]")
            assert scroll[0] <= scroll[1], (lang, block.get_attribute("class"), scroll)
        admin.shot(f"15-dashboard-1366-{lang}")
    admin.goto("/dashboard/?lang=zh")
    assert "-" not in admin.page.locator("#times tbody").inner_text().replace("—", "")  # no negative duration
    admin.page.set_viewport_size({"width": 390, "height": 844})
    admin.goto("/dashboard/")
    for block in admin.page.locator(".chart-with-table").all():  # a phone: the table below its chart
        chart, table = block.locator(".chart").bounding_box(), block.locator(".table-scroll").bounding_box()
        assert chart and table and table["y"] >= chart["y"] + chart["height"] - 1
    page_width = admin.page.evaluate("document.documentElement.scrollWidth")
    assert page_width <= 390, page_width  # charts and tables scroll inside themselves, not the page
    admin.shot("16-dashboard-phone")
    refused = "status of 409"  # the refused approval at the first stage answers 409, as it should
    payee_refused = [p for p in firm.problems if "status of 400" in p]  # so does the wrong account number: 400
    assert len(payee_refused) == 1
    problems = [p for s in (admin, firm, reviewer, public) for p in s.problems if refused not in p and p not in payee_refused]
    assert others and not problems, problems
