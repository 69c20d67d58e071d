"""Tests of engine.replay: replaying stored decisions and comparing them with today's rules (no database)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from engine import evaluate, parse_profile
from engine.loader import load_from_texts
from engine.model import RuleSet
from engine.replay import (
    ReplayError,
    compare_with_current,
    json_diff,
    replay,
    stored_profile_json,
)

AS_OF = dt.date(2025, 6, 30)
MEASURE = """\
id: national.demo_staff
title: {zh: 演示措施, en: demo measure}
issuer: national
applicant: [enterprise]
source: {document: 演示文件, confidence: U}
effective: {from: 2020-01-01}
parameters:
  staff_min:
    unit: count
    values:
      2020-01-01: {value: STAFF_MIN, source: 演示第一条}
  grant:
    unit: money
    values:
      2020-01-01: {value: 100000, source: 演示第二条}
criteria:
  all:
    - id: staff_enough
      text: {zh: 职工不少于规定人数, en: enough staff}
      when: staff.total >= param.staff_min
    - id: no_incident
      text: {zh: 无重大事故, en: no major incident}
      when: declarations.major_incident_prior_year == false
benefit:
  kind: cash
  amount: param.grant
  text: {zh: 一次性奖励10万元, en: "one-off grant of 100,000 yuan"}
"""
PROFILE = {"kind": "enterprise", "name": "演示科技有限公司", "registered_on": dt.date(2020, 3, 1),
           "staff": {"total": 12.5}, "declarations": {"major_incident_prior_year": False}}


def rules(staff_min: int = 10) -> RuleSet:
    return load_from_texts({"national/demo_staff.yaml": MEASURE.replace("STAFF_MIN", str(staff_min))})


def stored(ruleset: RuleSet, profile: dict[str, Any] = PROFILE, as_of: dt.date = AS_OF) -> str:
    """The decision JSON as the store would hold it (evaluated from the stored profile text)."""
    data = json.loads(stored_profile_json(profile))
    return evaluate(ruleset, parse_profile(data, as_of), as_of).to_json()


def test_stored_profile_json_is_canonical_and_keeps_floats() -> None:
    text = stored_profile_json(PROFILE)
    assert text == stored_profile_json(dict(reversed(list(PROFILE.items()))))
    assert '"registered_on":"2020-03-01"' in text and '"total":12.5' in text
    assert json.loads(text)["staff"]["total"] == 12.5


def test_stored_profile_json_refuses_nan() -> None:
    with pytest.raises(ValueError):
        stored_profile_json({"staff": {"total": float("nan")}})


def test_replay_of_untouched_decision_is_identical() -> None:
    ruleset = rules()
    result = replay(stored(ruleset), ruleset.snapshot, stored_profile_json(PROFILE), AS_OF)
    assert result.identical and result.diff == []
    assert result.recomputed_json == stored(ruleset)


def test_replay_uses_the_snapshot_not_todays_rules() -> None:
    old = rules(staff_min=10)
    decision_json = stored(old)
    rules(staff_min=50)  # today's rules changed; the snapshot of the old ones still replays
    assert replay(decision_json, old.snapshot, PROFILE, "2025-06-30").identical


def test_replay_names_the_changed_value_by_json_pointer() -> None:
    ruleset = rules()
    tampered = json.loads(stored(ruleset))
    tampered["results"][0]["outcome"] = "ineligible"
    text = json.dumps(tampered, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    result = replay(text, ruleset.snapshot, PROFILE, AS_OF)
    assert not result.identical
    assert [(d.path, d.old, d.new) for d in result.diff] == [("/results/0/outcome", "ineligible", "eligible")]
    assert "results[national.demo_staff].outcome" in str(result.diff[0])


def test_replay_flags_non_canonical_bytes_with_equal_content() -> None:
    ruleset = rules()
    pretty = json.dumps(json.loads(stored(ruleset)), indent=1)
    result = replay(pretty, ruleset.snapshot, PROFILE, AS_OF)
    assert not result.identical and "not canonical" in str(result.diff[0])


def test_replay_of_a_profile_that_no_longer_validates_raises() -> None:
    ruleset = rules()
    with pytest.raises(ReplayError):
        replay(stored(ruleset), ruleset.snapshot, {**PROFILE, "unknown_field": 1}, AS_OF)


def test_replay_uses_the_checked_on_date_for_profile_checks() -> None:
    ruleset = rules()
    profile = {**PROFILE, "registered_on": dt.date(2025, 7, 15)}  # after as_of: checked against `today`
    data = json.loads(stored_profile_json(profile))
    decision_json = evaluate(ruleset, parse_profile(data, dt.date(2025, 8, 1)), AS_OF).to_json()
    assert replay(decision_json, ruleset.snapshot, data, AS_OF, today=dt.date(2025, 8, 1)).identical


def test_compare_with_current_explains_outcome_amount_and_failing() -> None:
    decision_json = stored(rules(staff_min=10))
    comparison = compare_with_current(decision_json, rules(staff_min=20), PROFILE)
    assert comparison.rules_changed and comparison.as_of == "2025-06-30"
    (change,) = comparison.differing
    assert change.status == "changed"
    assert change.outcome == ("eligible", "ineligible")
    assert change.amount == ({"kind": "exact", "value": 100000}, {"kind": "none", "value": None})
    assert change.failing_added == ("staff_enough",)
    text = "\n".join(change.lines())
    assert "eligible → ineligible" in text and "now failing: staff_enough" in text


def test_compare_with_current_reports_added_and_removed_measures() -> None:
    other = MEASURE.replace("national.demo_staff", "national.demo_other").replace("STAFF_MIN", "1")
    decision_json = stored(rules())
    comparison = compare_with_current(decision_json, load_from_texts({"national/demo_other.yaml": other}), PROFILE)
    assert {(c.measure_id, c.status) for c in comparison.changes} == {
        ("national.demo_staff", "removed"), ("national.demo_other", "added")}


def test_compare_with_unchanged_rules_differs_nowhere() -> None:
    ruleset = rules()
    comparison = compare_with_current(stored(ruleset), ruleset, PROFILE)
    assert not comparison.rules_changed and comparison.differing == ()


def test_json_diff_aligns_lists_of_objects_by_id() -> None:
    old = {"results": [{"measure_id": "a", "x": 1}, {"measure_id": "b", "x": 2}]}
    new = {"results": [{"measure_id": "b", "x": 3}]}
    diff = json_diff(old, new)
    assert [(d.path, d.where) for d in diff] == [("/results/0", "results[a]"), ("/results/1/x", "results[b].x")]


def test_json_diff_escapes_pointer_tokens() -> None:
    (d,) = json_diff({"a/b": 1}, {"a/b": 2})
    assert d.path == "/a~1b"


def test_json_diff_distinguishes_true_from_one() -> None:
    assert json_diff({"v": True}, {"v": 1})
