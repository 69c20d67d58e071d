"""The account journeys in a real browser (Debian's chromium), with JavaScript off — every page must work
without it: an applicant applies from the self-check result under the open call, with contacts and uploaded
materials (a ZIP renamed .pdf is refused, nothing else lost), and answers a request; the reviewer sees the
shared-phone flag at once and accepts the materials; a reviewer filters the
queue, opens the application, is refused an illegal move, requests information and approves; an auditor
finds the decision, replays it, compares with today's rules, verifies the chain and downloads the export;
an admin looks at the catalogue and the accounts. The same pages are then visited with JavaScript on, with
no console error or CSP violation allowed. Screenshots: test-artifacts/screenshots/journey-*.png."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine import load_ruleset
from tests.e2e.conftest import CHROMIUM, serve
from tests.web.bureau_kit import CONTACTS, PDF, PNG, open_call
from tests.web.conftest import PAGES, PASSWORD, seed
from web.db_session import db
from web.store import migrate, queries

pytestmark = pytest.mark.e2e
if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium to run the browser tests", allow_module_level=True)
pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

from tests.e2e.test_selfcheck_browser import Session  # noqa: E402  (after the skips)

AWARD = "qingyuan.webtest_award"


@pytest.fixture(scope="module")
def site(rules_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any]]:
    """The app with CSRF on and a seeded database, on a local werkzeug server; yields (base URL, seed)."""
    from web.app import create_app
    from web.db_session import dispose

    ruleset = load_ruleset(rules_dir)
    url = f"sqlite:///{tmp_path_factory.mktemp('journeys') / 'site.db'}"
    migrate.upgrade(url)
    seeded = seed(url, ruleset)
    app = create_app({"SECRET_KEY": "e2e-secret-key-0123456789", "DATABASE_URL": url,
                      "MATERIALS_DIR": str(tmp_path_factory.mktemp("materials"))}, ruleset=ruleset)
    open_call(app)  # the awards call is open
    with app.app_context():  # B (another company) gave the phone A's applicant will give: shared_phone
        queries.get_application(db(), seeded.application_b).contact_phone = CONTACTS["contact_phone"]  # type: ignore[union-attr]
        db().commit()
    with app.test_request_context():  # its join keys refreshed, as the site does when contacts change (issue 18)
        from web.bureau.triage_now import triage_now

        triage_now(seeded.application_b, dt.date.today())
    try:
        with serve(app, "e2e-journeys") as base:
            yield base, seeded
    finally:
        dispose(app)


@pytest.fixture
def person(browser: Any, site: tuple[str, Any], screenshots: Path) -> Iterator[Any]:
    contexts: list[Any] = []

    def make(prefix: str, javascript: bool = False) -> Session:
        context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900},
                                      java_script_enabled=javascript, accept_downloads=True)
        contexts.append(context)
        return Session(context.new_page(), site[0], screenshots, f"journey-{prefix}")

    yield make
    for context in contexts:
        context.close()


def log_in(s: Session, username: str) -> None:
    s.page.locator("#username").fill(username)
    s.page.locator("#password").fill(PASSWORD)
    s.page.locator("main").get_by_role("button", name="登录").click()


def decide(s: Session, action: str, reason: str) -> None:
    s.page.locator("#decide").get_by_label(action, exact=True).check()
    s.page.locator("#reason").fill(reason)
    s.page.get_by_role("button", name="提交处理").click()


def test_apply_review_answer_approve_audit(person: Any, site: tuple[str, Any]) -> None:
    applicant, reviewer, auditor = person("applicant"), person("reviewer"), person("auditor")

    # the applicant: self-check → "Apply" on a measure → login → apply page with that measure ticked
    applicant.goto("/selfcheck/")
    applicant.page.get_by_role("button", name="完整表单").click()  # the six-step form (开始自测 = the interview)
    for values in PAGES.values():
        applicant.fill(values)
        applicant.next()
    applicant.page.locator(f'[id="m-{AWARD}"]').get_by_role("link", name="申请").click()
    assert "/login?" in applicant.page.url and "请登录后申请" in applicant.page.locator("h1").inner_text()
    applicant.shot("01-login")
    log_in(applicant, "alice")
    assert re.search(rf"/applications/new\?call=\d+&measure={AWARD}$", applicant.page.url)  # the open call
    assert applicant.page.locator(f'input[name="measures"][value="{AWARD}"]').is_checked()
    applicant.fill(CONTACTS)
    applicant.page.locator("#file-form").set_input_files(files=[{"name": "申报表.pdf", "mimeType": "application/pdf",
                                                                 "buffer": PDF}])
    applicant.page.locator("#file-licence").set_input_files(files=[{"name": "营业执照.pdf", "mimeType": "application/pdf",
                                                                    "buffer": b"PK\x03\x04 a zip, renamed"}])
    applicant.shot("02-apply")
    applicant.page.get_by_role("button", name="提交申请").click()
    assert "请阅读并勾选承诺" in applicant.page.locator("#error-summary").inner_text()  # the declaration first
    assert "文件内容是ZIP压缩包" in applicant.page.locator("#item-licence").inner_text()
    assert "✓ 申报表.pdf" in applicant.page.locator("#item-form").inner_text()  # kept, nothing lost
    assert applicant.page.locator("#contact_phone").input_value() == CONTACTS["contact_phone"]
    applicant.shot("02b-apply-refused-file")
    applicant.page.locator("#file-licence").set_input_files(files=[{"name": "营业执照.png", "mimeType": "image/png",
                                                                    "buffer": PNG}])
    applicant.page.locator("#confirm").check()
    applicant.page.get_by_role("button", name="提交申请").click()
    application = int(re.search(r"/applications/(\d+)$", applicant.page.url).group(1))
    assert "已初筛，待审核" in applicant.page.locator("h1").inner_text()
    assert "申报表.pdf" in applicant.page.locator(".materials-table").inner_text()
    applicant.shot("03-application")

    # the reviewer: filter the queue, open the application, a refused move, start, request information
    reviewer.goto("/login")
    log_in(reviewer, "rita")
    assert reviewer.page.url.endswith("/review/")
    reviewer.page.locator("#measure").select_option(AWARD)
    reviewer.page.locator("#sort").select_option("age")
    reviewer.page.get_by_role("button", name="筛选").click()
    assert f"measure={AWARD}" in reviewer.page.url
    reviewer.shot("04-queue-filtered")
    reviewer.page.get_by_role("link", name=f"#{application}", exact=True).click()
    assert "不同单位使用同一联系电话" in reviewer.page.locator(".flag-list").inner_text()  # triaged on arrival, in words
    for material in reviewer.page.locator(".material").all():
        material.get_by_label("通过").check()
        material.get_by_role("button", name="保存").click()
    assert "材料齐全" in reviewer.page.locator("#h-materials").inner_text()
    assert reviewer.page.locator("img.material-thumb").evaluate("img => img.naturalWidth") == 1  # the PNG, inline
    reviewer.shot("05-review-application")
    decide(reviewer, "通过", "材料齐全")
    refusal = reviewer.page.locator("#refusal").inner_text()
    assert "申报状态不能从“已初筛”变为“已决定：通过”" in refusal
    reviewer.shot("06-review-refused")
    decide(reviewer, "转入审核", "开始审核")
    decide(reviewer, "要求补充材料", "请上传2024年度研发费用专项审计报告")
    assert "待补充材料" in reviewer.page.locator("main").inner_text()

    # the applicant answers
    applicant.goto(f"/applications/{application}")
    assert "请上传2024年度研发费用专项审计报告" in applicant.page.locator("#h-requests + ul").inner_text()
    applicant.shot("07-request")
    applicant.page.locator("#reason").fill("已上传专项审计报告（附件3）")
    applicant.page.get_by_role("button", name="提交答复").click()
    assert "审核中" in applicant.page.locator("h1").inner_text()
    applicant.shot("08-answered")

    # the reviewer approves
    reviewer.goto(f"/review/applications/{application}")
    assert "已上传专项审计报告（附件3）" in reviewer.page.locator(".history").inner_text()
    decide(reviewer, "通过", "研发费用审计报告已核对，符合条件")  # an "up to" award needs an approved amount first
    assert "请先核定金额" in reviewer.page.locator("#refusal").inner_text()
    reviewer.page.locator(f'input[name="amount-{AWARD}"]').fill("30")
    reviewer.page.get_by_role("button", name="保存核定金额").click()
    decide(reviewer, "通过", "研发费用审计报告已核对，符合条件")
    assert "已决定：通过" in reviewer.page.locator("main").inner_text()
    reviewer.shot("09-approved")

    # the auditor: find by name, replay, compare, verify, download
    auditor.goto("/login")
    log_in(auditor, "audrey")
    auditor.page.locator("#q").fill("瓷韵")
    auditor.page.get_by_role("button", name="查找决策").click()
    auditor.shot("10-audit-search")
    auditor.page.locator("table a").first.click()
    auditor.page.get_by_role("link", name="重放此决策").click()
    assert auditor.page.locator("#replay .verdict").inner_text() == "完全一致"
    auditor.shot("11-audit-replay")
    auditor.page.get_by_role("link", name="按现行规则比较").click()
    assert "每项措施的结果均相同" in auditor.page.locator("#current").inner_text()
    with auditor.page.expect_download() as download:
        auditor.page.get_by_role("link", name="下载 JSON").click()
    record = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert record["application"]["status"] == "approved" and [r["action"] for r in record["reviews"]][-1] == "approve"
    auditor.goto("/audit/chain")
    assert auditor.page.locator(".verdict").inner_text() == "完整"
    auditor.shot("12-audit-chain")


def test_admin_pages(person: Any) -> None:
    admin = person("admin")
    admin.goto("/login")
    log_in(admin, "adam")
    assert admin.page.url.endswith("/admin/")
    admin.shot("13-admin-catalogue")
    admin.page.get_by_role("link", name="用户管理").click()
    admin.page.locator("#username").fill("reviewer2")
    admin.page.locator("#password").fill("Qy-review-2026x")
    admin.page.locator("#role").select_option("reviewer")
    admin.page.get_by_role("button", name="创建账号").click()
    assert "已创建账号 reviewer2" in admin.page.locator(".flashes").inner_text()
    admin.shot("14-admin-users")
    admin.page.get_by_role("link", name="规则集版本").click()
    admin.shot("15-admin-rulesets")


@pytest.mark.parametrize(("username", "paths"), [
    ("alice", ["/applications/", "/applications/1", "/calls/", "/calls/1"]),
    ("rita", ["/review/", "/review/applications/1"]),
    ("audrey", ["/audit/", "/audit/decisions/1/replay", "/audit/chain"]),
    ("adam", ["/admin/", "/admin/users", "/admin/rulesets", "/calls/new?measure=qingyuan.webtest_award",
              "/calls/1/allocation"]),
])
def test_pages_with_javascript_have_no_console_errors(person: Any, username: str, paths: list[str]) -> None:
    s = person(f"js-{username}", javascript=True)
    s.goto("/login")
    log_in(s, username)
    for path in paths:
        s.goto(path)
    s.page.get_by_role("button", name="退出").click()
    assert s.page.url.endswith("/selfcheck/") and "您已退出登录" in s.page.locator(".flashes").inner_text()
    assert s.problems == [], s.problems
