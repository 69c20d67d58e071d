"""The auditor's journey with the test client: find a decision by id, name or credit code; replay it
(完全一致 — identical — or a trace diff when the stored record was altered); compare with today's rules; verify the
chain; download the export."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from engine.model import RuleSet
from tests.web.conftest import Seeded, login


@pytest.fixture
def auditor(client: FlaskClient, seeded: Seeded) -> FlaskClient:
    login(client, "audrey")
    return client


def _decision_ids(page: str) -> list[int]:
    return [int(i) for i in re.findall(r'<a href="/audit/decisions/(\d+)">', page)]


@pytest.mark.parametrize(("query", "who"), [("{dec}", "a"), ("#{dec}", "a"), ("瓷韵", "a"),
                                            ("91441802MA00000155", "a"), ("91441802ma00000230", "b")])
def test_find_a_decision(auditor: FlaskClient, seeded: Seeded, query: str, who: str) -> None:
    wanted = {"a": seeded.decision_a, "b": seeded.decision_b}[who]
    page = auditor.get("/audit/", query_string={"q": query.format(dec=wanted)}).get_data(as_text=True)
    assert wanted in _decision_ids(page)


def test_nothing_found_says_what_to_type(auditor: FlaskClient) -> None:
    page = auditor.get("/audit/?q=nobody-by-that-name").get_data(as_text=True)
    assert "没有找到" in page and _decision_ids(page) == []


def test_replay_is_identical(auditor: FlaskClient, seeded: Seeded) -> None:
    page = auditor.get(f"/audit/decisions/{seeded.decision_a}/replay").get_data(as_text=True)
    assert "完全一致" in page and "逐字节一致" in page


def test_replay_of_an_altered_record_shows_the_trace_diff(auditor: FlaskClient, seeded: Seeded) -> None:
    engine = create_engine(seeded.url)
    with engine.begin() as conn:
        stored = json.loads(conn.execute(text("SELECT decision_json FROM decision WHERE id = :i"),
                                         {"i": seeded.decision_a}).scalar_one())
        stored["results"][0]["outcome"] = "eligible" if stored["results"][0]["outcome"] != "eligible" else "ineligible"
        conn.execute(text("UPDATE decision SET decision_json = :j WHERE id = :i"),
                     {"j": json.dumps(stored, ensure_ascii=False, sort_keys=True, separators=(",", ":")),
                      "i": seeded.decision_a})
    engine.dispose()
    page = auditor.get(f"/audit/decisions/{seeded.decision_a}/replay").get_data(as_text=True)
    assert "不一致" in page and f"results[{stored['results'][0]['measure_id']}].outcome" in page
    chain = auditor.get("/audit/chain").get_data(as_text=True)
    assert "发现 1 处问题" in chain and "record-altered" in chain


def test_compare_with_todays_rules(auditor: FlaskClient, seeded: Seeded) -> None:
    page = auditor.get(f"/audit/decisions/{seeded.decision_a}/current").get_data(as_text=True)
    assert "按现行规则的判断" in page and "规则未变" in page and "每项措施的结果均相同" in page


def test_compare_when_the_rules_changed(app: Any, auditor: FlaskClient, seeded: Seeded, web_ruleset: RuleSet,
                                        tmp_path: Any) -> None:
    from engine import load_ruleset
    from tests.web.conftest import write_web_rules
    from web.extensions import RULESET_KEY

    rules = write_web_rules(tmp_path / "rules")
    award = rules / "qingyuan" / "webtest_award.yaml"
    award.write_text(award.read_text(encoding="utf-8").replace("value: 10,", "value: 1000,"), encoding="utf-8")
    app.extensions[RULESET_KEY] = load_ruleset(rules)
    page = auditor.get(f"/audit/decisions/{seeded.decision_a}/current").get_data(as_text=True)
    assert "规则已变更" in page and "网页测试用奖励" in page and "符合条件 → 不符合" in page


def test_verify_the_chain(auditor: FlaskClient) -> None:
    page = auditor.get("/audit/chain").get_data(as_text=True)
    assert "完整" in page and "逐条重新计算了 2 条记录的哈希" in page


def test_download_the_export(auditor: FlaskClient, seeded: Seeded) -> None:
    response = auditor.get(f"/audit/decisions/{seeded.decision_a}/export.json")
    assert response.headers["Content-Disposition"] == f'attachment; filename="decision-{seeded.decision_a}.json"'
    record = json.loads(response.get_data(as_text=True))
    assert record["decision_id"] == seeded.decision_a and record["applicant"]["code"] == "91441802MA00000155"
    html = auditor.get(f"/audit/decisions/{seeded.decision_a}/export.html")
    assert html.mimetype == "text/html" and "attachment" in html.headers["Content-Disposition"]
    assert "资助资格决策记录" in html.get_data(as_text=True)


def test_unknown_decisions_are_404(auditor: FlaskClient) -> None:
    for path in ("/audit/decisions/999", "/audit/decisions/999/replay", "/audit/decisions/999/export.json"):
        assert auditor.get(path).status_code == 404
