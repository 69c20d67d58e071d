"""The result page leads with what the firm came for (issue 20), in Chromium at 1366×768 and 390×844: for the sample
whose 高企 score straddles 70 and for the Qingyuan SME of docs/interview.md (with six conversions in three
years), the first screen shows the 高企 verdict, its gap in words and the indicator change that would lift it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine import load_ruleset
from tests.conftest import ROOT
from tests.e2e.conftest import serve

SME = ROOT / "tests" / "engine" / "interview" / "qingyuan_new_materials_sme.yaml"
STRADDLE = ROOT / "sample_applicants" / "hnte_score_straddles_70.yaml"
VIEWPORTS = ((1366, 768), (390, 844))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from web.app import create_app
    from web.store import migrate

    url = f"sqlite:///{tmp_path_factory.mktemp('reading_e2e') / 'site.db'}"
    migrate.upgrade(url)
    app = create_app({"SECRET_KEY": "e2e-secret-key-0123456789", "DATABASE_URL": url},
                     ruleset=load_ruleset(ROOT / "rules"))
    with serve(app, "reading-e2e") as base:
        yield base


def profiles(tmp_path: Path) -> list[tuple[str, Path, str]]:
    six = tmp_path / "qingyuan_sme_six_conversions.yaml"
    six.write_text(SME.read_text(encoding="utf-8").replace("conversions_3y: 15", "conversions_3y: 6"), encoding="utf-8")
    return [("straddle", STRADDLE, "2025-06-30"), ("qingyuan_sme", six, "2026-06-30")]


@pytest.mark.parametrize(("width", "height"), VIEWPORTS)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_first_screen_shows_the_hnte_verdict_gap_and_change(site: str, browser: Any, tmp_path: Path,  # noqa: F811
                                                                 width: int, height: int, lang: str) -> None:
    for name, path, as_of in profiles(tmp_path):
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        try:
            page.goto(f"{site}/selfcheck/upload?lang={lang}")
            page.set_input_files("input[type=file]", str(path))
            page.click("form button[type=submit]")
            page.wait_for_load_state()
            page.goto(f"{site}/selfcheck/result?as_of={as_of}&lang={lang}")
            key = page.locator(".key-measure").first
            title = key.locator("h3")
            assert ("高新技术企业认定" if lang == "zh" else "HNTE") in title.inner_text(), name
            verdict, change = key.locator(".key-verdict"), key.locator(".score-changes li").last
            for part in (title, verdict, change):
                box = part.bounding_box()
                assert box is not None and box["y"] + box["height"] <= height, (name, lang, width, part.inner_text())
            assert ("70" in verdict.inner_text()) and ("分" in verdict.inner_text() or "points" in verdict.inner_text())
            assert ("转化" in change.inner_text()) if lang == "zh" else ("convert" in change.inner_text())
            page.screenshot(path=str(tmp_path / f"{name}_{width}x{height}_{lang}.png"))
        finally:
            context.close()
