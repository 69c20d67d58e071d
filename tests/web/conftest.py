"""Fixtures of the web tests: an app on a small RuleSet and a fresh migrated SQLite database, a test client,
the self-check answers of a sample enterprise as the form would post them, and a seeded store with one
account per role (two applicants, A and B, each with an application and its decision).

The RuleSet is the project's facts and national measures plus three measures made for these tests (a
Qingyuan cash award, a smaller award it excludes, and a grant whose amount is unpublished), so the pages
are tested against every kind of amount without depending on local rules still being written.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine import evaluate, load_ruleset, parse_profile
from engine.model import RuleSet
from tests.conftest import ROOT, sample
from web.app import create_app
from web.db_session import dispose
from web.store import migrate, queries
from web.store.db import make_engine, make_session_factory

TEST_MEASURES = {
    "webtest_award.yaml": """\
id: qingyuan.webtest_award
title: {zh: 网页测试用奖励, en: "web-test award"}
issuer: qingyuan
applicant: [enterprise]
source: {document: 网页测试文件, article: 第一条, confidence: V}
effective: {from: 2020-01-01}
parameters:
  min_staff:
    text: {zh: 职工人数下限, en: "minimum staff"}
    unit: count
    values:
      2020-01-01: {value: 10, source: 测试文件 第一条}
  award:
    text: {zh: 奖励上限, en: "maximum award"}
    unit: money
    values:
      2020-01-01: {value: 30万元, source: 测试文件 第一条}
criteria:
  all:
    - id: staff_min
      text: {zh: 职工总数不少于10人, en: "at least 10 staff"}
      when: staff.total >= param.min_staff
benefit: {kind: cash, payee: applicant, basis: entitlement, amount: param.award, up_to: true, text: {zh: 一次性奖励，最高30万元, en: "one-off award up to 300,000 yuan"}}
excludes: [qingyuan.webtest_small]
documents: [{zh: 网页测试申报表, en: web-test application form}]
""",
    "webtest_small.yaml": """\
id: qingyuan.webtest_small
title: {zh: 网页测试用小额补助, en: "web-test small grant"}
issuer: qingyuan
applicant: [enterprise]
source: {document: 网页测试文件, article: 第二条, confidence: S}
effective: {from: 2020-01-01}
criteria:
  all:
    - {id: staff_min, text: {zh: 职工总数不少于5人, en: "at least 5 staff"}, when: staff.total >= 5}
benefit: {kind: cash, payee: applicant, basis: entitlement, amount: 5万元, text: {zh: 补助5万元, en: "grant of 50,000 yuan"}}
excludes: [qingyuan.webtest_award]
""",
    "webtest_unpublished.yaml": """\
id: qingyuan.webtest_unpublished
title: {zh: 网页测试用未公布金额补助, en: "web-test grant, amount unpublished"}
issuer: qingyuan
applicant: [enterprise]
source: {document: 网页测试文件, article: 第三条, confidence: NF}
effective: {from: 2020-01-01}
criteria:
  all:
    - {id: resident, text: {zh: 居民企业, en: "resident enterprise"}, when: resident_enterprise == true}
benefit: {kind: unpublished, text: {zh: 给予补助, en: "a grant"}}
""",
}

# The Qingcheng ceramics sample (sample_applicants/qingcheng_ceramics_turning_hightech.yaml) as typed into
# the six enterprise pages: money in 万元, yes/no as "true"/"false".
YEARS = (2022, 2023, 2024)
FINANCE = {
    "sales": ("3400", "4200", "4900"), "main_business_revenue": ("3300", "4100", "4800"),
    "total_income": ("3450", "4260", "4950"), "hitech_income": ("2100", "2700", "3200"),
    "rd_expense": ("180", "210", "250"), "rd_domestic": ("180", "210", "240"),
    "cost_expense_total": ("3000", "3700", "4300"), "total_assets": ("5200", "6100", "7000"),
    "net_assets": ("2600", "3300", "4200"),
}
PAGES: dict[str, dict[str, str]] = {
    "identity": {"name": "清远市瓷韵新材料科技有限公司", "credit_code": "91441802MA00000155", "region_code": "441802",
                 "registered_on": "2012-05-18", "resident_enterprise": "true", "industry_code": "C3072",
                 "tech_field": "4.3.1"},
    "staff": {"staff-total": "150", "staff-sci_tech": "22", "staff-sme_total": "148", "staff-sme_sci_tech": "21"},
    "finance": {**{f"finance-{i}-year": str(y) for i, y in enumerate(YEARS)},
                **{f"finance-{i}-{k}": v[i] for k, v in FINANCE.items() for i in range(3)}},
    "ip": {"ip-class1": "2", "ip-class2": "6", "ip-core_ip_owned": "true", "ip-self_developed": "true",
           "innovation-ip_advancement": "A", "innovation-ip_core_support": "A", "innovation-standard_setting": "false",
           "innovation-conversions_3y": "15", "innovation-rd_management_points": "16"},
    "certificates": {},
    "declarations": {f"declarations-{k}": v for k, v in {
        "major_incident_prior_year": "false", "major_incident_or_misconduct": "false",
        "on_abnormal_operation_list": "false", "on_serious_dishonesty_list": "false",
        "prohibited_catalogue": "false", "audited_tax_collection": "true",
        "local_registration_tax_statistics": "true"}.items()},
}
AS_OF = dt.date(2025, 6, 30)


def write_web_rules(root: Path) -> Path:
    """A rule directory: the project's facts and national measures, plus the web-test measures."""
    for sub in ("facts", "national"):
        shutil.copytree(ROOT / "rules" / sub, root / sub)
    (root / "qingyuan").mkdir()
    for name, text in TEST_MEASURES.items():
        (root / "qingyuan" / name).write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def web_ruleset(tmp_path_factory: pytest.TempPathFactory) -> RuleSet:
    return load_ruleset(write_web_rules(tmp_path_factory.mktemp("web_rules")))


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty SQLite database at the latest revision, migrated once (Alembic, never create_all)."""
    path = tmp_path_factory.mktemp("web_db") / "template.db"
    migrate.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def db_url(migrated_template: Path, tmp_path: Path) -> str:
    """A fresh copy of the migrated database for one test."""
    target = tmp_path / "web.db"
    copy_db(migrated_template, target)
    return f"sqlite:///{target}"


TEST_CONFIG = {"TESTING": True, "WTF_CSRF_ENABLED": False, "SECRET_KEY": "test-secret-key-0123456789"}


@pytest.fixture
def app(web_ruleset: RuleSet, db_url: str) -> Iterator[Flask]:
    app = create_app({**TEST_CONFIG, "DATABASE_URL": db_url}, ruleset=web_ruleset)
    yield app
    dispose(app)


# -- a seeded store: one account per role, applicants A and B with one application each ----------------

PASSWORD = "correct-horse-battery"
SAMPLE_A = "qingcheng_ceramics_turning_hightech"  # the company PAGES types into the self-check
SAMPLE_B = "hnte_rd_ratio_near_miss"


@dataclass(frozen=True)
class Seeded:
    url: str
    applicant_a: int
    applicant_b: int
    application_a: int
    application_b: int
    decision_a: int
    decision_b: int
    users: dict[str, int]


def seed(url: str, ruleset: RuleSet) -> Seeded:
    """Applications A and B (decided by the engine), and the users alice (A), bob (B), rita (reviewer),
    audrey (auditor), adam (admin), all with PASSWORD."""
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            rows = []
            for name in (SAMPLE_A, SAMPLE_B):
                data = sample(name)
                parsed = parse_profile(data, AS_OF)
                rows.append(queries.submit_and_decide(
                    session, profile=parsed.profile, profile_data=data, ruleset=ruleset,
                    decision=evaluate(ruleset, parsed, AS_OF), checked_on=AS_OF))
            a, b = rows
            users = {}
            for username, role, applicant in (("alice", "applicant", a.application.applicant_id),
                                               ("bob", "applicant", b.application.applicant_id),
                                               ("rita", "reviewer", None), ("audrey", "auditor", None),
                                               ("adam", "admin", None)):
                users[username] = queries.create_user(session, username, PASSWORD, role, applicant_id=applicant).id
            session.commit()
            return Seeded(url, a.application.applicant_id, b.application.applicant_id, a.application_id,
                          b.application_id, a.id, b.id, users)
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def seeded_template(migrated_template: Path, tmp_path_factory: pytest.TempPathFactory,
                    web_ruleset: RuleSet) -> tuple[Path, Seeded]:
    """The migrated database with the seed, built once per test session."""
    path = tmp_path_factory.mktemp("web_seeded") / "seeded.db"
    copy_db(migrated_template, path)
    return path, seed(f"sqlite:///{path}", web_ruleset)


def copy_db(source: Path, target: Path) -> None:
    """Copy a SQLite database consistently (the backup API, not a file copy: WAL mode)."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


@pytest.fixture
def seeded(app: Flask, db_url: str, seeded_template: tuple[Path, Seeded]) -> Seeded:
    """This test's database replaced by a copy of the seeded one (before the app's first request)."""
    path, data = seeded_template
    copy_db(path, Path(db_url.removeprefix("sqlite:///")))
    return Seeded(db_url, *[getattr(data, f) for f in list(data.__dataclass_fields__)[1:]])


def login(client: FlaskClient, username: str, password: str = PASSWORD) -> Any:
    """Log in through the form; returns the (unfollowed) response."""
    return client.post("/login", data={"username": username, "password": password})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def fill_enterprise(client: FlaskClient, pages: dict[str, dict[str, str]] | None = None) -> Any:
    """Post every enterprise page in order (Next on each); returns the last response, not followed."""
    response: Any = None
    client.post("/selfcheck/", data={"kind": "enterprise"})
    for page, data in (pages or PAGES).items():
        response = client.post(f"/selfcheck/enterprise/{page}", data={**data, "action": "next"})
        assert response.status_code == 302, (page, response.get_data(as_text=True)[:2000])
    return response
