"""The bureau's year in a real browser (Debian's chromium, JavaScript off): an admin opens a call through the
form; when an over-subscribed call has closed, the admin allocates it, sees who is funded and who is not and
why, records a payment and downloads the 公示 list; an auditor verifies the chain and replays the
allocation (IDENTICAL). Screenshots: test-artifacts/screenshots/bureau-*.png."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine import evaluate, load_ruleset, parse_profile
from tests.conftest import sample
from tests.e2e.conftest import CHROMIUM, serve
from tests.web.bureau_kit import AWARD, SMALL, open_call
from tests.web.conftest import AS_OF, PASSWORD, SAMPLE_A, SAMPLE_B, seed
from web.db_session import db
from web.store import allocation_queries, call_queries, migrate, queries, submission_queries
from web.store.contacts import validate_contacts

pytestmark = pytest.mark.e2e
if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium to run the browser tests", allow_module_level=True)
pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

from tests.e2e.test_selfcheck_browser import Session  # noqa: E402  (after the skips)

LATER = dt.timedelta(days=40)  # "now" for the allocation: after the closed call's window


@pytest.fixture(scope="module")
def site(rules_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any, int]]:
    """A seeded site with a call that three approved applications over-subscribe (600,000 asked, 500,000 budget)."""
    from web.app import create_app
    from web.db_session import dispose

    ruleset = load_ruleset(rules_dir)
    url = f"sqlite:///{tmp_path_factory.mktemp('bureau') / 'site.db'}"
    migrate.upgrade(url)
    seeded = seed(url, ruleset)
    app = create_app({"SECRET_KEY": "e2e-secret-key-0123456789", "DATABASE_URL": url,
                      "MATERIALS_DIR": str(tmp_path_factory.mktemp("materials"))}, ruleset=ruleset)
    call = open_call(app, measures=(AWARD,), days=(-10, 30), budget=500_000, title="2025年度网页测试奖励申报")
    with app.app_context():
        session = db()
        found = call_queries.get_call(session, call)
        for n, name in enumerate((SAMPLE_A, SAMPLE_B, SAMPLE_A)):
            data = sample(name)
            parsed = parse_profile(data, AS_OF)
            row = submission_queries.submit_to_call(
                session, call_id=call, profile=parsed.profile, profile_data=data, ruleset=ruleset,
                decision=evaluate(ruleset, parsed, AS_OF, measures=[AWARD]), checked_on=AS_OF, measures=[AWARD],
                contacts=validate_contacts("王工", f"1380000{n:04d}", f"c{n}@example.cn"), files=[], user_id=None)
            for action in ("reopen", "approve"):
                queries.record_review(session, application_id=row.application_id, user_id=seeded.users["rita"],
                                      action=action, reason="审核通过")
        assert found is not None
    try:
        with serve(app, "e2e-bureau") as base:
            yield base, seeded, call
    finally:
        dispose(app)


@pytest.fixture
def person(browser: Any, site: tuple[str, Any, int], screenshots: Path) -> Iterator[Any]:
    contexts: list[Any] = []

    def make(prefix: str) -> Session:
        context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900},
                                      java_script_enabled=False, accept_downloads=True)
        contexts.append(context)
        return Session(context.new_page(), site[0], screenshots, f"bureau-{prefix}")

    yield make
    for context in contexts:
        context.close()


def log_in(s: Session, username: str) -> None:
    s.goto("/login")
    s.page.locator("#username").fill(username)
    s.page.locator("#password").fill(PASSWORD)
    s.page.locator("main").get_by_role("button", name="登录").click()


def test_admin_opens_a_call(person: Any) -> None:
    admin = person("admin")
    log_in(admin, "adam")
    admin.page.locator("nav.mainnav").get_by_role("link", name="申报通知").click()
    admin.page.get_by_role("link", name="发布申报通知").click()
    admin.page.get_by_label("网页测试用小额补助").check()
    admin.shot("01-pick")
    admin.page.get_by_role("button", name="下一步").click()
    admin.page.locator("#title").fill("2026年度网页测试小额补助申报")
    admin.page.locator("#opens").fill("2026-03-01T09:00")
    admin.page.locator("#closes").fill("2026-04-30T17:00")
    admin.page.locator("#budget").fill("100")
    admin.page.locator("#body").fill("清远市科学技术局")
    admin.shot("02-form")
    admin.page.get_by_role("button", name="发布", exact=True).click()
    assert "已发布申报通知" in admin.page.locator(".flashes").inner_text()
    text = admin.page.locator("main").inner_text()
    assert "2026-03-01 09:00 – 2026-04-30 17:00" in text and "100.00万元" in text and SMALL in text
    admin.shot("03-call")


def test_admin_allocates_an_oversubscribed_call_and_the_auditor_replays_it(
        person: Any, site: tuple[str, Any, int], monkeypatch: pytest.MonkeyPatch) -> None:
    _base, _seeded, call = site
    later = call_queries.now() + LATER  # the server thread shares this process: its clock moves too
    monkeypatch.setattr(call_queries, "utcnow", lambda: later)
    monkeypatch.setattr(allocation_queries, "utcnow", lambda: later)
    admin = person("allocate")
    log_in(admin, "adam")
    admin.goto(f"/calls/{call}/allocation")
    assert "已截止" in admin.page.locator("h1").inner_text()
    admin.shot("04-before")
    admin.page.get_by_role("button", name="截止后分配资金").click()
    assert "已完成资金分配" in admin.page.locator(".flashes").inner_text()
    table = admin.page.locator(".allocation-table").inner_text()
    assert table.count("足额资助") == 1 and table.count("预算不足，未获资助") == 2, table  # 300k fits once in 500k
    assert "已分配 30.00万元，剩余 20.00万元" in admin.page.locator("#allocation").inner_text()
    admin.shot("05-allocated")
    admin.page.locator("#amount").fill("30")
    admin.page.locator("#voucher_no").fill("QY-2025-0901")
    admin.page.locator("#paid_on").fill("2025-09-01")
    admin.page.get_by_role("button", name="登记付款").click()
    assert "QY-2025-0901" in admin.page.locator("#payments").inner_text()
    admin.shot("06-paid")
    admin.page.locator("#allocation").get_by_role("link", name="公示名单").click()
    assert "清远市瓷韵新材料科技有限公司" in admin.page.locator(".notice-table").inner_text()
    admin.shot("07-notice")
    with admin.page.expect_download() as download:
        admin.page.get_by_role("link", name="下载公示名单（CSV）").click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8-sig"))))
    assert [r[1:] for r in rows[1:]] == [["清远市瓷韵新材料科技有限公司", "网页测试用奖励", AWARD, "300000"]]
    assert "91441802MA00000155" not in "".join(map(str, rows))  # name, measure, amount: no codes, no contacts

    auditor = person("auditor")
    log_in(auditor, "audrey")
    auditor.page.get_by_role("link", name="校验审计链").click()
    assert auditor.page.locator(".verdict").inner_text() == "完整"
    auditor.shot("08-chain")
    auditor.goto("/audit/")
    auditor.page.locator("#allocations").get_by_role("link", name="2025年度网页测试奖励申报").click()
    assert "IDENTICAL" in auditor.page.locator("#proof").inner_text()
    auditor.shot("09-allocation-proof")
