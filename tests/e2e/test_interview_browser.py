"""The self-check interview in a real browser (Debian's chromium) on the full rule catalogue: the SME of
issue 21 reaches a decided 高企 outcome; a research institute and a doctoral talent walk their own interview
to a result with nothing undetermined for want of a question; a firm choosing "not in the catalogue" is ineligible for 高企; the
answers resume by link in another browser; the result page on a 390 px phone is at most 3× its desktop
height; English; the printable summary is one A4 page. Screenshots go to test-artifacts/screenshots/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import ROOT
from tests.e2e.conftest import CHROMIUM, serve
from tests.web.test_selfcheck_interview import SME

pytestmark = pytest.mark.e2e
if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium to run the browser tests", allow_module_level=True)
pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

from tests.e2e.test_selfcheck_browser import Session  # noqa: E402  (after the skips)

HNTE = "#m-national\\.hnte_recognition"
START_FIELDS = {"enterprise": 5, "institution": 3, "talent": 2, "incubator": 3, "team": 3}
PERSONAS = ROOT / "tests" / "engine" / "interview" / "personas"


def _typed(value: Any) -> Any:
    """One value as a person types it: money in 万元, yes/no as true/false, several choices as a list."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return [str(v) for v in value] if value else "true"  # an empty list: the "没有" box
    text = str(value)
    return text.removesuffix("万元")


def typed(known: dict[str, Any]) -> dict[str, Any]:
    """A profile file's answers by profile path, as a person types them (records held are left to 不知道)."""
    out: dict[str, Any] = {}
    for key, value in known.items():
        if key == "finance":
            out |= {f"finance[{y['year']}].{leaf}": _typed(v) for y in value for leaf, v in y.items() if leaf != "year"}
        elif isinstance(value, dict):
            out |= {f"{key}.{leaf}": _typed(v) for leaf, v in value.items()}
        elif not (isinstance(value, list) and value and isinstance(value[0], dict)):
            out[key] = _typed(value)
    return out


@pytest.fixture(scope="module")
def catalogue_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app on the project's whole rule catalogue and a fresh migrated SQLite database (CSRF on)."""
    from engine import load_ruleset
    from web.app import create_app
    from web.store import migrate

    url = f"sqlite:///{tmp_path_factory.mktemp('interview_db') / 'site.db'}"
    migrate.upgrade(url)
    app = create_app({"SECRET_KEY": "e2e-secret-key-0123456789", "DATABASE_URL": url},
                     ruleset=load_ruleset(ROOT / "rules"))
    with serve(app, "e2e-interview") as base:
        yield base


@pytest.fixture
def person(browser: Any, catalogue_server: str, screenshots: Path) -> Iterator[Any]:
    contexts: list[Any] = []

    def make(prefix: str, **options: Any) -> Session:
        context = browser.new_context(**{"locale": "zh-CN", "viewport": {"width": 1280, "height": 900}, **options})
        contexts.append(context)
        return Session(context.new_page(), catalogue_server, screenshots, f"interview-{prefix}")

    yield make
    for context in contexts:
        context.close()


def answer_page(s: Session, answers: dict[str, Any]) -> int:
    """Answer the questions on an interview page as a person would (不知道 for what the applicant does not know;
    "以上情形均没有" once for a block of declarations none of which applies); the answers given."""
    given = 0
    by_box: set[str] = set()
    for batch in s.page.locator("fieldset.question-batch").all():
        paths = [i.get_attribute("value") or "" for i in batch.locator('input[name="asked"]').all()]
        if all(answers.get(p) == "false" for p in paths):
            batch.locator('input[name="none_of"]').check()
            by_box |= set(paths)
            given += 1
        elif batch.locator("details").get_attribute("open") is None:  # one applies or is not known: one by one
            batch.locator("details > summary").click()
    for question in s.page.locator(".question").all():
        path = question.locator('input[name="asked"]').get_attribute("value") or ""
        if path in by_box:
            continue
        given += 1
        field = question.locator("input[name]:not([type=hidden]):not([name=dontknow]):not([name=confirm]), "
                                 "select[name]").first
        name = field.get_attribute("name") if field.count() else None
        if name and path in answers and isinstance(answers[path], list):  # several boxes of one question
            for value in answers[path]:
                question.locator(f'input[name="{name}"][value="{value}"]').check()
        elif name and path in answers:
            s.fill({name: answers[path]})
        elif question.locator('input[name="dontknow"]').count():
            question.locator('input[name="dontknow"]').check()
    return given


def start(s: Session, answers: dict[str, Any], kind: str = "enterprise") -> None:
    s.goto("/selfcheck/")
    s.page.locator(f'input[name="kind"][value="{kind}"]').check()
    s.page.get_by_role("button", name="开始自测").click()
    assert s.page.url.endswith("/selfcheck/interview/start")
    answer_page(s, answers)
    s.shot("01-start")
    s.page.get_by_role("button", name="保存并继续").click()


def interview(s: Session, answers: dict[str, Any], kind: str = "enterprise") -> int:
    """Answer page after page until the site has nothing left to ask; the answers given, as a user counts
    them: the kind picker, every field of the start page, every question of every page ("以上情形均没有" once)."""
    start(s, answers, kind)
    asked = 1 + START_FIELDS[kind]
    for page in range(40):
        if "/selfcheck/result" in s.page.url:
            return asked
        assert s.page.url.endswith("/selfcheck/interview"), s.page.url
        assert "用于：" in s.page.locator("main").inner_text()
        asked += answer_page(s, answers)
        if page == 0:
            s.shot("02-first-questions")
        with s.page.expect_navigation():  # the next page loaded before it is read (a loaded run read it mid-way)
            s.page.get_by_role("button", name="保存并继续").click()
    raise AssertionError("the interview did not end")


def test_the_sme_reaches_a_decided_hnte_outcome(person: Any) -> None:
    s = person("sme")
    asked = interview(s, SME)
    card = s.page.locator(HNTE)
    assert "measure-eligible" in (card.get_attribute("class") or ""), card.inner_text()  # decided, not 待定
    head = s.page.locator(".result-head").inner_text()
    assert "预计" in head and "认定后可申请的金额" in head and "最高30.00万元" in head  # the local award, apart
    assert s.page.locator("#cat-eligible").is_visible()
    s.page.evaluate("window.scrollTo(0, 0)")
    s.shot("03-result-top", full_page=False)
    s.shot("03-result")
    full_form = sum(s.page.evaluate("""async () => {
        let n = 0;
        for (const step of ["identity", "staff", "finance", "ip", "certificates", "declarations"]) {
            const html = await (await fetch("/selfcheck/enterprise/" + step)).text();
            n += (new DOMParser().parseFromString(html, "text/html"))
                 .querySelectorAll(".profile-form input:not([type=hidden]):not([type=radio]), .profile-form select,"
                                   + " .profile-form fieldset.field-choices").length;
        }
        return [n]; }"""))
    assert asked < full_form, (asked, full_form)  # fewer questions than the six-step form's fields
    assert asked <= 35, asked  # issue 21's target (the adverse declarations answered once: "以上情形均没有")
    print(f"interview: {asked} questions until nothing is left to ask; full form: {full_form} fields")
    assert s.problems == [], s.problems


def test_a_declaration_that_applies_is_answered_item_by_item(person: Any) -> None:
    s = person("listed")
    start(s, SME)
    block = s.page.locator("fieldset.question-batch")
    assert "以上情形均没有" in block.inner_text()
    answer_page(s, {**SME, "declarations.on_abnormal_operation_list": "true"})  # one applies: item by item
    s.shot("02-items")
    block.locator('input[name="none_of"]').check()  # and "none of these" too
    s.page.get_by_role("button", name="保存并继续").click()
    assert "请取消其中一个" in s.page.locator(".error-summary, main").first.inner_text()  # contradicts: refused
    s.shot("03-contradiction")
    s.page.locator("fieldset.question-batch").locator('input[name="none_of"]').uncheck()
    s.page.get_by_role("button", name="保存并继续").click()
    assert s.page.url.endswith("/selfcheck/interview")
    s.page.get_by_role("button", name="先看结果").click()
    card = s.page.locator("#m-national\\.tech_sme_evaluation")
    s.page.locator("#cat-ineligible > summary").click()
    assert "measure-ineligible" in (card.get_attribute("class") or ""), card.inner_text()  # on the list: ruled out
    assert s.problems == [], s.problems


@pytest.mark.parametrize("kind,persona", [("institution", "research_institute"), ("talent", "doctoral_talent")])
def test_other_kinds_walk_their_own_interview(person: Any, kind: str, persona: str) -> None:
    known = yaml.safe_load((PERSONAS / f"{persona}.yaml").read_text(encoding="utf-8"))
    s = person(persona)
    asked = interview(s, typed(known), kind)
    assert "/selfcheck/result" in s.page.url
    s.page.evaluate("window.scrollTo(0, 0)")
    s.shot("03-result-top", full_page=False)
    s.shot("03-result")
    body = s.page.locator("main").inner_text()
    assert known["name"] in body
    form = s.page.evaluate(f"""async () => {{
        const html = await (await fetch("/selfcheck/{kind}")).text();
        const doc = new DOMParser().parseFromString(html, "text/html");
        return [doc.querySelectorAll(".profile-form input:not([type=hidden]):not([type=radio]):not([type=checkbox]),"
            + " .profile-form select, .profile-form fieldset.field-choices").length,
            doc.body.innerText.includes("经营异常名录"), doc.body.innerText.includes("高新技术企业")]; }}""")
    assert asked < form[0], (asked, form)
    if kind == "talent":  # person questions only: no company declaration, no certificate picker
        assert not form[1] and not form[2], form
    print(f"{persona}: {asked} answers; its full form: {form[0]} fields")
    assert s.problems == [], s.problems


def test_not_in_the_catalogue_makes_hnte_ineligible(person: Any) -> None:
    for js in (True, False):
        s = person(f"none-{'js' if js else 'nojs'}", java_script_enabled=js)
        start(s, {**SME, "tech_field": "none"})
        s.page.get_by_role("button", name="先看结果").click()
        assert "/selfcheck/result" in s.page.url
        details = s.page.locator("#cat-ineligible")
        details.locator("> summary").click()
        card = s.page.locator(HNTE)
        assert "measure-ineligible" in (card.get_attribute("class") or "")
        assert "高新技术领域" in card.inner_text()
        card.screenshot(path=str(s.shots / f"{s.prefix}-hnte.png"))
        assert s.problems == [], s.problems


def test_resume_by_link_in_another_browser(person: Any) -> None:
    s = person("share")
    start(s, SME)
    s.page.get_by_role("button", name="先看结果").click()
    s.page.get_by_role("button", name="保存为续填链接").click()
    link = s.page.locator("#share-url").input_value()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/selfcheck/resume/[A-Za-z0-9_-]{40,}", link)
    s.shot("01-link", full_page=False)
    other = person("share-other")
    other.page.goto(link)
    assert other.page.url.endswith("/selfcheck/result")  # the token leaves the address bar
    assert "本企业" in other.page.locator("h1").inner_text()  # the interview never asks the name (issue 21)
    other.shot("02-resumed", full_page=False)
    other.page.get_by_role("link", name="继续回答").click()
    assert other.page.url.endswith("/selfcheck/interview")


def test_the_phone_layout_is_compact_and_english_is_one_click_away(person: Any) -> None:
    s = person("layout")
    interview(s, SME)
    desktop = s.page.evaluate("document.documentElement.scrollHeight")
    link = s.page.url
    s.page.get_by_role("button", name="保存为续填链接").click()
    token_link = s.page.locator("#share-url").input_value()
    phone = person("phone", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    phone.page.goto(token_link)
    phone.goto(link.replace(s.base, ""))
    height = phone.page.evaluate("document.documentElement.scrollHeight")
    width = phone.page.evaluate("document.documentElement.scrollWidth")
    phone.shot("01-result")
    phone.page.evaluate("window.scrollTo(0, 0)")
    phone.shot("01-result-top", full_page=False)
    assert width <= 390, "the page itself must not scroll sideways"
    assert height <= 3 * desktop, (height, desktop)
    phone.page.get_by_role("link", name="English").click()
    assert "Estimated" in phone.page.locator(".result-head").inner_text()
    phone.shot("02-result-en")
    phone.page.evaluate("window.scrollTo(0, 0)")
    phone.shot("02-result-en-top", full_page=False)
    print(f"result page height: phone {height} px, desktop {desktop} px (ratio {height / desktop:.2f})")
    phone.goto("/selfcheck/interview")
    if phone.page.url.endswith("/selfcheck/interview"):
        assert "Used for" in phone.page.locator("main").inner_text()
        phone.shot("03-interview-en")
    assert s.problems == [] and phone.problems == [], (s.problems, phone.problems)


def test_the_printable_summary_is_one_a4_page(person: Any) -> None:
    s = person("print")
    interview(s, SME)
    s.page.get_by_role("link", name="打印摘要").click()
    s.page.emulate_media(media="print")
    s.shot("01-summary-print")
    pdf = s.page.pdf(format="A4", print_background=False)
    (s.shots / "interview-print-summary.pdf").write_bytes(pdf)
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    assert pages == 1, f"the summary prints on {pages} A4 pages"
