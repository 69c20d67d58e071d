"""POST /api/v1/evaluate?trace=reading: the summary plus the reading, in the request's language (issue 20)."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from tests.web.test_api import PROFILE, api, api_app, migrated_db  # noqa: F401 - fixtures


def post(client: FlaskClient, query: str) -> Any:
    return client.post(f"/api/v1/evaluate{query}", json={"profile": PROFILE, "as_of": "2025-06-30"})


def test_the_reading_comes_with_the_summary_in_the_requested_language(api: FlaskClient) -> None:  # noqa: F811
    zh = post(api, "?trace=reading")
    assert zh.status_code == 200, zh.get_data(as_text=True)
    body = zh.get_json()
    assert "results" in body and body["reading"]["lang"] == "zh"
    cards = {c["measure_id"]: c for c in body["reading"]["cards"]}
    assert set(cards) == {r["measure_id"] for r in body["results"]}
    assert all(c["verdict"] and c["category_label"] for c in cards.values())
    en = post(api, "?trace=reading&lang=en").get_json()["reading"]
    assert en["lang"] == "en" and all(not any("\u4e00" <= ch <= "\u9fff" for ch in c["category_label"])
                                      for c in en["cards"])


def test_an_unknown_trace_choice_is_still_refused(api: FlaskClient) -> None:  # noqa: F811
    assert post(api, "?trace=words").status_code == 400
