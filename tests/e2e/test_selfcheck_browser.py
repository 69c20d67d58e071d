"""The anonymous self-check in a real browser (Debian's chromium): the enterprise journey to the result
page with JavaScript on and off, an error fixed on the way, the language switch, the printable summary and a
phone-sized screen. No console error and no CSP violation is allowed. Screenshots go to
test-artifacts/screenshots/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine.standards.industry import normalize_industry, section_of
from engine.standards.tech_fields import normalize_tech_field
from tests.e2e.conftest import CHROMIUM
from tests.web.conftest import PAGES as FORM_PAGES

# The shared pages, plus the innovation total a consultancy assessed: the 高企 score reads R&D management as the
# experts' 0–20 interval, so without a total 高企 stays 待定.
PAGES = {**FORM_PAGES, "ip": {**FORM_PAGES["ip"], "innovation-assessed_total": "78"}}

pytestmark = pytest.mark.e2e
if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium to run the browser tests", allow_module_level=True)
pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

AS_OF = "2025-06-30"


class Session:
    """A browser page that records console errors and CSP violations, and takes named screenshots."""

    def __init__(self, page: Any, base: str, shots: Path, prefix: str):
        self.page, self.base, self.shots, self.prefix = page, base, shots, prefix
        self.problems: list[str] = []
        page.on("console", lambda m: self.problems.append(m.text) if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: self.problems.append(str(e)))

    def goto(self, path: str) -> None:
        response = self.page.goto(self.base + path)
        assert response is not None and response.ok, path

    def shot(self, name: str, full_page: bool = True) -> None:
        self.page.screenshot(path=str(self.shots / f"{self.prefix}-{name}.png"), full_page=full_page)

    def fill(self, values: dict[str, str]) -> None:
        """Answer fields by name the way a person would: type, pick an option, tick a radio button."""
        for name, value in values.items():
            field = self.page.locator(f'[name="{name}"]')
            kind = field.first.evaluate("e => e.tagName.toLowerCase() + ':' + (e.type || '')")
            if kind == "input:radio":
                self.page.locator(f'[name="{name}"][value="{value}"]').check()
            elif kind == "input:checkbox":
                field.set_checked(value == "true")
            elif kind.startswith("select"):
                self.pick(name, value)
            else:
                field.fill(value)

    def pick(self, name: str, value: str) -> None:
        """Choose a picker option as a person would: a code not offered as such (a dotted field, a 4-digit
        industry class) by its listed equivalent; the 高新技术领域 through its L1 → L2 → L3 selects when the
        script has turned it into a cascade."""
        field = self.page.locator(f'select[name="{name}"]')
        offered = field.evaluate("e => [...e.options].map(o => o.value)")
        if value not in offered and name == "tech_field":
            value = normalize_tech_field(value) or value
        elif value not in offered and name == "industry_code":
            code = normalize_industry(value)
            value = code if code[:1].isalpha() else f"{section_of(code)}{code}"
            value = value[:3]  # the division the picker lists
        if field.is_visible():
            field.select_option(value)
            return
        levels = ["none"] if value == "none" else [value[:n] for n in (1, 3, 5) if len(value) >= n]
        for level, code in enumerate(levels, start=1):
            self.page.locator(f"#{name}-l{level}").select_option(code)
        assert field.input_value() == value

    def next(self) -> None:
        self.page.locator("form.profile-form .form-actions button[value='next']").click()


@pytest.fixture
def session_factory(browser: Any, live_server: str, screenshots: Path) -> Iterator[Any]:
    contexts: list[Any] = []

    def make(prefix: str, **options: Any) -> Session:
        context = browser.new_context(**{"locale": "zh-CN", "viewport": {"width": 1280, "height": 900}, **options})
        contexts.append(context)
        return Session(context.new_page(), live_server, screenshots, prefix)

    yield make
    for context in contexts:
        context.close()


def walk_enterprise(s: Session, fix_an_error: bool) -> None:
    """From the start page through the six enterprise pages to the result."""
    s.goto("/")
    s.shot("01-start")
    s.page.get_by_label("企业", exact=False).first.check()
    s.page.get_by_role("button", name="完整表单").click()
    assert s.page.url.endswith("/selfcheck/enterprise/identity")
    for index, (name, values) in enumerate(PAGES.items(), start=2):
        if name == "identity" and fix_an_error:
            s.fill({**values, "credit_code": "91441802MA00000156"})
            s.next()
            summary = s.page.locator("#error-summary")
            assert summary.is_visible() and "校验位不符" in summary.inner_text()
            assert s.page.locator("#credit_code").input_value() == "91441802MA00000156"
            assert s.page.locator("#name").input_value() == values["name"]  # nothing typed is lost
            s.shot("02-identity-error")
        if name == "certificates":
            s.page.get_by_role("region", name="已获资质与证书").get_by_role("button", name="再添加一行").click()
            # without JavaScript the button posts the page and it comes back with the row: wait for it (under load
            # the reload can land after the click returns)
            s.page.locator('[name="certificates-2-type"]').wait_for(state="attached")
            assert s.page.locator('[name="certificates-2-type"]').count() == 1
        s.fill(values)
        if s.prefix == "js" or name == "finance":
            s.shot(f"{index:02d}-{name}")
        s.next()
    assert s.page.url.split("#")[0].endswith("/selfcheck/result")  # (a redirect keeps the #fragment)


def check_result(s: Session) -> None:
    s.goto(f"/selfcheck/result?as_of={AS_OF}")
    page = s.page
    eligible = page.locator("#cat-eligible")
    assert "高新技术企业认定" in eligible.inner_text()
    card = page.locator("#m-national\\.hnte_recognition")
    trace = card.locator("details.trace")
    assert not trace.evaluate("d => d.open")
    trace.locator("summary").click()  # native <details>: opens without JavaScript
    assert trace.evaluate("d => d.open") and "现行标准" in trace.inner_text()
    unpublished = page.locator("#m-qingyuan\\.webtest_unpublished")
    assert "金额未公布——请咨询主管部门" in unpublished.inner_text()
    stack = page.locator("section.stacking")
    assert "30.00万元" in stack.inner_text()
    s.shot("08-result")
    page.evaluate("window.scrollTo(0, 0)")
    s.shot("08-result-top", full_page=False)
    card.screenshot(path=str(s.shots / f"{s.prefix}-09-result-hnte-trace.png"))


def test_journey_with_javascript(session_factory: Any) -> None:
    s = session_factory("js")
    walk_enterprise(s, fix_an_error=True)
    assert s.page.locator("#error-summary").count() == 0
    check_result(s)
    toggle = s.page.locator(".js-toggle-details")
    assert toggle.is_visible()  # shown by enhance.js
    toggle.click()
    s.page.wait_for_function(  # the toggle opens every trace (wait: the machine may be busy)
        "() => [...document.querySelectorAll('details.trace')].every(d => d.open)", timeout=10_000)
    s.page.get_by_role("link", name="打印摘要").click()
    s.page.locator(".js-print").wait_for(state="visible", timeout=10_000)
    s.page.emulate_media(media="print")
    s.shot("10-summary-print")
    s.page.emulate_media(media="screen")
    s.page.get_by_role("link", name="English").click()
    assert "S&T support self-check" in s.page.locator("header.masthead").inner_text()
    assert s.page.locator("html").get_attribute("lang") == "en"
    s.shot("11-summary-en")
    s.goto(f"/selfcheck/result?as_of={AS_OF}")  # the language is remembered
    assert "Eligible" in s.page.locator("#cat-eligible h2").inner_text()
    s.shot("12-result-en")
    assert s.problems == [], s.problems  # no console error, no CSP violation


def test_journey_without_javascript(session_factory: Any) -> None:
    s = session_factory("nojs", java_script_enabled=False)
    walk_enterprise(s, fix_an_error=True)
    check_result(s)
    assert not s.page.locator(".js-toggle-details").is_visible()  # needs JavaScript, stays hidden
    s.page.get_by_role("link", name="修改资料").click()
    assert s.page.locator("#name").input_value() == PAGES["identity"]["name"]  # answers are kept
    s.goto(f"/selfcheck/result?as_of={AS_OF}")
    s.page.get_by_role("link", name="打印摘要").click()
    assert not s.page.locator(".js-print").is_visible()
    assert "科技扶持政策资格自测结果摘要" in s.page.locator("h1").inner_text()
    s.shot("10-summary")


def test_undetermined_links_back_to_the_question(session_factory: Any) -> None:
    s = session_factory("undetermined", java_script_enabled=False)
    s.goto("/selfcheck/")
    s.page.get_by_role("button", name="完整表单").click()
    for name, values in PAGES.items():
        if name == "declarations":
            values = {k: v for k, v in values.items() if "prior_year" not in k}
        s.fill(values)
        s.next()
    s.goto(f"/selfcheck/result?as_of={AS_OF}")
    link = s.page.locator("#cat-undetermined .missing a", has_text="申请前一年内发生重大安全").first
    link.click()
    assert s.page.url.endswith("/selfcheck/enterprise/declarations#declarations-major_incident_prior_year")
    assert s.page.locator("#declarations-major_incident_prior_year-2").is_checked()  # 未回答, not 否
    s.shot("declarations")


def test_phone_sized_screen(session_factory: Any) -> None:
    s = session_factory("phone", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    s.goto("/selfcheck/")
    s.shot("start")
    s.page.get_by_role("button", name="开始自测").click()
    s.goto("/selfcheck/enterprise/finance")
    s.shot("finance")
    width = s.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the page itself must not scroll sideways (tables scroll inside their box)"
    assert s.problems == [], s.problems


def test_an_incubator_answers_one_page(session_factory: Any) -> None:
    s = session_factory("incubator", java_script_enabled=False)
    s.goto("/selfcheck/")
    s.page.get_by_label("孵化载体").check()
    s.page.get_by_role("button", name="完整表单").click()  # (开始自测 is its interview)
    s.fill({"name": "清远科创孵化器有限公司", "region_code": "441802", "carrier-carrier_type": "incubator",
            "carrier-area_m2": "12000", "carrier-incubation_fund": "500.50"})
    s.shot("form")
    s.page.get_by_role("button", name="查看自测结果").click()
    assert s.page.url.split("#")[0].endswith("/selfcheck/result")
    assert "清远科创孵化器有限公司" in s.page.locator("h1").inner_text()
    s.shot("result")
