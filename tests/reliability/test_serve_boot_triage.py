"""A `subsidy serve` worker starts its triage thread at boot (gunicorn's post_worker_init hook): an application whose
"to triage" mark a restart left behind is triaged without waiting for the next submission (web.store.triage_due).

Before: the thread started only when a submission or an answer woke it, so a mark left by a killed worker waited for
the next submission in that worker, `subsidy triage --due` or the hourly cleanup — the reviewer saw 分诊中 meanwhile.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask import Flask
from sitekit import seeded_site
from test_bureau_store import open_call, submit

from engine.model import RuleSet
from tests.web.conftest import Seeded, web_ruleset  # noqa: F401
from web.cli.commands.serve import server_options
from web.db_session import db, dispose
from web.store import triage_due, triage_queries


@pytest.fixture
def site(db_url: str, web_ruleset: RuleSet, tmp_path: Path) -> Iterator[tuple[Flask, Seeded]]:  # noqa: F811
    app, data = seeded_site(db_url, web_ruleset, MATERIALS_DIR=str(tmp_path / "materials"), TRIAGE_QUEUE="thread")
    yield app, data
    dispose(app)


def test_a_worker_at_boot_triages_the_marks_a_restart_left(site: tuple[Flask, Seeded], ruleset: RuleSet) -> None:
    app, _data = site
    with app.app_context():
        session = db()
        call = open_call(session)
        left = submit(session, ruleset, call.id, 7)  # stored with its mark; no thread woken: as after a kill -9
        session.commit()
        assert triage_due.pending(session, [left]) == {left}
    server_options("127.0.0.1", 8000, 1)["post_worker_init"](SimpleNamespace(wsgi=app))
    with app.app_context():
        session = db()
        deadline = time.monotonic() + 20
        while triage_due.pending(session, [left]) and time.monotonic() < deadline:
            time.sleep(0.05)
            session.rollback()
        assert triage_due.pending(session, [left]) == set()
        assert triage_queries.application_triage(session, left) is not None
