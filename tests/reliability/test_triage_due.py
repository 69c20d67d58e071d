"""Issue 18, continued: a submission is triaged after its commit, off the request, from a durable "to triage" mark
(web.store.triage_due, web.bureau.triage_now). On SQLite and PostgreSQL: the mark is stored in the submission's own
transaction; a drain triages the marked applications and removes the marks; two drainers triage each application
once; a dead drainer's claim is taken again when its lease runs out; a mark set again during a run stays; a failed
run puts its marks back and never raises; `subsidy triage --due` and `subsidy cleanup` drain; through the site, the
flags appear from the triage thread after the answer.

Before: the submission's request ran the triage itself, in a second transaction with its own commit flush after the
submission's (on PostgreSQL half of a submission's database time under the load benchmark).
"""

from __future__ import annotations

import datetime as dt
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from sitekit import login, seeded_site, submit_through_site
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from storekit import PROJECT_ROOT
from test_bureau_store import AS_OF, open_call, submit

from engine.model import RuleSet
from engine.triage import Exclusions, TriageRuleSet, load_triage_rules
from tests.web.bureau_kit import AWARD
from tests.web.bureau_kit import open_call as open_site_call
from tests.web.conftest import PAGES, Seeded, web_ruleset  # noqa: F401
from web.cli import main
from web.db_session import db, dispose
from web.store import triage_due, triage_queries
from web.store.db import make_session_factory
from web.store.models import ApplicationTriage, TriageDue, utcnow


@pytest.fixture(scope="module")
def triage_rules(tmp_path_factory: pytest.TempPathFactory) -> TriageRuleSet:
    target = tmp_path_factory.mktemp("due_triage") / "triage"
    return load_triage_rules(Path(shutil.copytree(PROJECT_ROOT / "rules" / "triage", target)))


def _drain(session: Session, rules: TriageRuleSet, ruleset: RuleSet, **kw: Any) -> int:
    return triage_due.drain(session, rules, exclusions=Exclusions.from_ruleset(ruleset), today=lambda: AS_OF, **kw)


def _flags(session: Session, app_id: int) -> set[str]:
    session.rollback()
    return {f.rule_id for f in triage_queries.flags_for_application(session, app_id)}


def _mark(session: Session, app_id: int) -> TriageDue | None:
    session.rollback()
    return session.get(TriageDue, app_id, populate_existing=True)


def test_a_submission_stores_its_mark_in_its_own_transaction(session: Session, ruleset: RuleSet,
                                                             db_engine: Engine) -> None:
    call = open_call(session)
    app_id = submit(session, ruleset, call.id, 1)
    with make_session_factory(db_engine)() as other:  # committed with the application: another connection sees it
        assert triage_due.pending(other, [app_id, app_id + 1]) == {app_id}
    assert _flags(session, app_id) == set() and triage_queries.application_triage(session, app_id) is None


def test_a_drain_triages_the_marked_applications_and_removes_their_marks(session: Session, ruleset: RuleSet,
                                                                        triage_rules: TriageRuleSet) -> None:
    call = open_call(session)
    a = submit(session, ruleset, call.id, 3, phone="13800001111")
    b = submit(session, ruleset, call.id, 4, phone="+86 138 0000 1111")
    assert _drain(session, triage_rules, ruleset) == 2
    assert "shared_phone" in _flags(session, a) and "shared_phone" in _flags(session, b)
    assert triage_due.pending(session, [a, b]) == set()
    assert _drain(session, triage_rules, ruleset) == 0  # nothing left


def test_two_drainers_triage_each_application_once(session: Session, ruleset: RuleSet, db_engine: Engine,
                                                   triage_rules: TriageRuleSet,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    call = open_call(session)
    apps = [submit(session, ruleset, call.id, n, phone=f"1390000{n:04d}") for n in range(10, 18)]
    runs: list[list[int]] = []
    real = triage_queries.retriage

    def counted(s: Session, ids: Any, *args: Any, **kw: Any) -> Any:
        runs.append(list(ids))
        time.sleep(0.05)  # let the other drainer try meanwhile
        return real(s, ids, *args, **kw)

    monkeypatch.setattr(triage_queries, "retriage", counted)
    monkeypatch.setattr(triage_due, "BATCH", 3)
    settled: list[int] = []
    start = threading.Barrier(2)

    def drainer() -> None:
        with make_session_factory(db_engine)() as mine:
            start.wait()
            settled.append(_drain(mine, triage_rules, ruleset))

    threads = [threading.Thread(target=drainer) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    triaged = sorted(i for run in runs for i in run)
    assert triaged == apps and sum(settled) == len(apps)  # every application once, by one drainer or the other
    assert triage_due.pending(session, apps) == set()
    assert all(session.get(ApplicationTriage, a) is not None for a in apps)


def test_a_claimed_mark_is_not_claimed_again_until_its_lease_runs_out(session: Session, ruleset: RuleSet,
                                                                      triage_rules: TriageRuleSet) -> None:
    call = open_call(session)
    app_id = submit(session, ruleset, call.id, 5)
    now = utcnow()
    until, ids = triage_due.claim(session, now)
    session.commit()  # … and the drainer dies here
    assert ids == [app_id] and until == now + triage_due.LEASE
    assert triage_due.claim(session, now)[1] == []  # not due for another drainer meanwhile
    session.commit()
    assert _drain(session, triage_rules, ruleset, clock=lambda: until - dt.timedelta(seconds=1)) == 0
    assert triage_due.pending(session, [app_id]) == {app_id}
    assert _drain(session, triage_rules, ruleset, clock=lambda: until + dt.timedelta(seconds=1)) == 1
    assert triage_due.pending(session, [app_id]) == set()
    assert triage_queries.application_triage(session, app_id) is not None


def test_a_mark_set_again_during_its_run_stays(session: Session, ruleset: RuleSet) -> None:
    call = open_call(session)
    app_id = submit(session, ruleset, call.id, 6)
    until, ids = triage_due.claim(session, utcnow())
    session.commit()
    triage_due.mark(session, app_id)  # the applicant answers while the run judges
    session.commit()
    triage_due.done(session, ids, until)  # the run ends: its claim no longer holds the mark
    session.commit()
    row = _mark(session, app_id)
    assert row is not None and row.attempts == 0 and row.due_at <= utcnow()


def test_a_failed_run_puts_its_marks_back_and_does_not_raise(session: Session, ruleset: RuleSet,
                                                             triage_rules: TriageRuleSet,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    call = open_call(session)
    apps = [submit(session, ruleset, call.id, n) for n in (7, 8)]
    now = utcnow()

    def broken(*_args: Any, **_kw: Any) -> Any:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(triage_queries, "retriage", broken)
    assert _drain(session, triage_rules, ruleset, clock=lambda: now) == 0
    for app_id in apps:
        row = _mark(session, app_id)
        assert row is not None and row.attempts == 1 and row.due_at == now + dt.timedelta(minutes=1)
    monkeypatch.undo()
    assert _drain(session, triage_rules, ruleset, clock=lambda: now + dt.timedelta(minutes=2)) == 2
    assert triage_due.pending(session, apps) == set()


def test_subsidy_triage_due_drains_the_marks(session: Session, ruleset: RuleSet, db_url: str) -> None:
    call = open_call(session)
    app_id = submit(session, ruleset, call.id, 9)
    session.commit()
    result = CliRunner().invoke(main, ["triage", "--due", "--today", AS_OF.isoformat(), "--db", db_url])
    assert result.exit_code == 0, result.output
    assert "1 application(s) triaged" in result.output
    assert triage_due.pending(session, [app_id]) == set()
    assert triage_queries.application_triage(session, app_id) is not None


# -- through the site ---------------------------------------------------------------------------------

@pytest.fixture
def site(db_url: str, web_ruleset: RuleSet, tmp_path: Path) -> Iterator[tuple[Flask, Seeded]]:  # noqa: F811
    app, data = seeded_site(db_url, web_ruleset, MATERIALS_DIR=str(tmp_path / "materials"), TRIAGE_QUEUE="thread")
    yield app, data
    dispose(app)


def test_a_submission_answers_first_and_its_flags_follow_from_the_triage_thread(site: tuple[Flask, Seeded]) -> None:
    app, _data = site
    client = app.test_client()
    login(client, "alice")
    app_id = submit_through_site(client, open_site_call(app, measures=(AWARD,)), [AWARD])
    with app.app_context():
        session = db()
        deadline = time.monotonic() + 20
        while triage_queries.application_triage(session, app_id) is None and time.monotonic() < deadline:
            time.sleep(0.05)
            session.rollback()
        assert triage_queries.application_triage(session, app_id) is not None  # triaged by the thread
        assert triage_due.pending(session, [app_id]) == set()
        assert session.scalars(select(TriageDue)).all() == []
