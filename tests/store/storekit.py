"""Helpers of the persistence tests: a small rule set, a profile, `decide`, and the worker functions that
spawned processes run (they must live in an importable module, not in a test file).
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import event
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from engine import evaluate, load_ruleset, parse_profile
from engine.model import RuleSet
from web.store import queries
from web.store.db import make_engine, make_session_factory
from web.store.models import Decision

PROJECT_ROOT = Path(__file__).resolve().parents[2]
AS_OF = dt.date(2025, 6, 30)

MINI_MEASURE = """\
# A small self-contained measure: the persistence tests do not depend on the state of rules/.
id: national.demo_staff
title: {zh: 演示措施, en: demo measure}
issuer: national
applicant: [enterprise, talent]
source: {document: 演示文件, number: 演〔2025〕1号, article: 第一条, confidence: U}
effective: {from: 2020-01-01}
parameters:
  staff_min:
    unit: count
    values:
      2020-01-01: {value: 10, source: 演示第一条}
  grant:
    unit: money
    values:
      2020-01-01: {value: 100000, source: 演示第二条}
criteria:
  all:
    - id: staff_enough
      text: {zh: 职工不少于10人, en: at least 10 staff}
      when: staff.total >= param.staff_min
    - id: no_incident
      text: {zh: 无重大事故, en: no major incident}
      when: declarations.major_incident_prior_year == false
benefit:
  kind: cash
  amount: param.grant
  text: {zh: 一次性奖励10万元, en: "one-off grant of 100,000 yuan"}
tests:
  - name: 12人，符合
    as_of: 2025-06-30
    profile: {name: 甲公司, staff: {total: 12}, declarations: {major_incident_prior_year: false}}
    expect: {outcome: eligible, amount: 100000}

# a trailing comment that must survive `rules add-test`
"""
PROFILE: dict[str, Any] = {
    "kind": "enterprise", "name": "清远演示科技有限公司", "credit_code": "91441802MA0000031T",
    "region_code": "441802", "registered_on": dt.date(2020, 3, 1), "staff": {"total": 8.5},
    "declarations": {"major_incident_prior_year": False},
}


def decide(session: Session, ruleset: RuleSet, profile: dict[str, Any] | None = None,
           as_of: dt.date = AS_OF) -> Decision:
    """Evaluate a profile and store it as applicant + application + decision (the way `subsidy decide` does)."""
    data = profile or PROFILE
    parsed = parse_profile(data, as_of)
    return queries.submit_and_decide(session, profile=parsed.profile, profile_data=data, ruleset=ruleset,
                                     decision=evaluate(ruleset, parsed, as_of), checked_on=as_of)


def sample_profile(name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((PROJECT_ROOT / "sample_applicants" / f"{name}.yaml").read_text("utf-8"))
    return data


def write_mini_rules(root: Path) -> Path:
    (root / "national").mkdir(parents=True, exist_ok=True)
    (root / "national" / "demo_staff.yaml").write_text(MINI_MEASURE, encoding="utf-8")
    return root


def append_many(url: str, rules_dir: str, count: int, worker: int, start: Any) -> None:
    """Worker: wait for the start signal, then append `count` decisions, each in its own transaction."""
    ruleset = load_ruleset(rules_dir)
    engine = make_engine(url, poolclass=NullPool)
    profile = {**PROFILE, "name": f"并发测试{worker}号公司", "credit_code": None}
    try:
        with make_session_factory(engine)() as session:
            start.wait(60)
            for _ in range(count):
                decide(session, ruleset, profile)
    finally:
        engine.dispose()


def decide_and_hang(url: str, rules_dir: str, ready: Any) -> None:
    """Worker: write a whole decision (record, link, head) and stop just before COMMIT, forever."""
    ruleset = load_ruleset(rules_dir)
    engine = make_engine(url, poolclass=NullPool)
    session = make_session_factory(engine)()

    @event.listens_for(session, "before_commit")
    def _hang(_session: Session) -> None:
        ready.set()  # the record, its link and the new head are written (flushed), not committed
        time.sleep(600)

    decide(session, ruleset)
