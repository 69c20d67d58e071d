"""Bounded growth (issue 18 point 7): `subsidy cleanup` removes abandoned uploads, orphan files, expired resume
links and old events — and keeps everything still in use; a refused upload form leaves nothing in the store
proper. On SQLite and PostgreSQL.

Before: files were stored before the form was validated and never removed (100 refused posts = 50 MB), resume
links were never deleted (`delete_expired` ran only in tests), and old rows were kept for ever.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from sitekit import login, seeded_site, token_of
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from storekit import decide

from engine.model import RuleSet
from tests.web.bureau_kit import PDF, apply_data, files, open_call
from tests.web.conftest import PAGES, Seeded, web_ruleset  # noqa: F401
from web.cli import main
from web.db_session import dispose
from web.store import material_queries, share_queries
from web.store.blobs import BlobStore
from web.store.material_queries import StagedFile
from web.store.models import AuthEvent, IdempotencyKey, RateEvent, SelfcheckShare, utcnow

OLD = 3 * 24 * 3600  # seconds: older than the default --min-age of 24 hours


def _age(path: Path, seconds: float) -> None:
    t = path.stat().st_mtime - seconds
    os.utime(path, (t, t))


def test_cleanup_removes_what_is_over_and_keeps_what_is_used(session: Session, ruleset: RuleSet, db_url: str,
                                                             tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "materials")
    used, orphan, fresh_orphan = store.put(b"%PDF-1 used"), store.put(b"%PDF-1 orphan"), store.put(b"%PDF-1 new")
    abandoned, in_flight = store.stage(b"%PDF-1 abandoned"), store.stage(b"%PDF-1 in flight")
    for digest in (used, orphan):
        _age(store.path(digest), OLD)
    _age(store.staged_path(abandoned), OLD)
    application = decide(session, ruleset).application_id
    material_queries.attach(session, application, [StagedFile("form", "a.pdf", "application/pdf", 11, used)], None)
    now = utcnow()
    share_queries.create_share(session, "enterprise", {"pages": {}}, now=now - dt.timedelta(days=60))
    share_queries.create_share(session, "enterprise", {"pages": {}}, now=now)
    session.add_all([AuthEvent(at=now - dt.timedelta(days=200), kind="failure", username="x", address="1.2.3.4"),
                     AuthEvent(at=now, kind="failure", username="x", address="1.2.3.4"),
                     IdempotencyKey(key="old", user_id=None, method="POST", path="/", request_hash="0" * 64,
                                    created_at=now - dt.timedelta(days=30)),
                     RateEvent(name="submit", subject="1", at=now - dt.timedelta(days=2)),
                     RateEvent(name="submit", subject="1", at=now)])
    session.commit()
    result = CliRunner().invoke(main, ["cleanup", "--db", db_url, "--materials", str(store.root)],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "orphan or abandoned files: 2" in result.output and "expired resume links: 1" in result.output
    assert store.has(used) and store.has(fresh_orphan) and store.has(in_flight)  # in use, or too young
    assert not store.has(orphan) and not store.has(abandoned)
    count = lambda model: session.scalar(select(func.count()).select_from(model))  # noqa: E731
    session.rollback()
    assert (count(SelfcheckShare), count(AuthEvent), count(IdempotencyKey), count(RateEvent)) == (1, 1, 0, 1)
    again = CliRunner().invoke(main, ["cleanup", "--db", db_url, "--materials", str(store.root), "--quiet"])
    assert again.exit_code == 0 and again.output == ""  # nothing left to do


@pytest.fixture
def site(db_url: str, web_ruleset: RuleSet, tmp_path: Path) -> Iterator[tuple[Flask, Seeded, BlobStore]]:  # noqa: F811
    app, data = seeded_site(db_url, web_ruleset, MATERIALS_DIR=str(tmp_path / "materials"))
    yield app, data, BlobStore(tmp_path / "materials")
    dispose(app)


def test_refused_upload_forms_leave_nothing_in_the_store(site: tuple[Flask, Seeded, BlobStore]) -> None:
    app, _data, store = site
    client = app.test_client()
    login(client, "alice")
    client.post("/selfcheck/", data={"kind": "enterprise",
                                     "csrf_token": token_of(client.get("/selfcheck/").get_data(as_text=True))})
    for page, data in PAGES.items():
        url = f"/selfcheck/enterprise/{page}"
        client.post(url, data={**data, "action": "next", "csrf_token": token_of(client.get(url).get_data(as_text=True))})
    call = open_call(app)
    page = f"/applications/new?call={call}"
    for n in range(5):  # refused: the promise box is not ticked
        token = token_of(client.get(page).get_data(as_text=True))
        refused = client.post("/applications/new", data={**apply_data(call, confirm=""), "csrf_token": token,
                                                         **files(form=(PDF + f"{n}".encode(), f"{n}.pdf"))})
        assert refused.status_code == 400
    assert list(store.stored()) == []  # nothing kept in the store proper
    assert len(list((store.root / "staging").iterdir())) == 5
    token = token_of(client.get(page).get_data(as_text=True))
    done = client.post("/applications/new", data={**apply_data(call), "csrf_token": token,
                                                  **files(licence=(PDF, "licence.pdf"))})
    assert done.status_code == 302, done.get_data(as_text=True)[:1500]
    assert len(list(store.stored())) == 6  # what was submitted: the five kept form files and the licence
    assert not list((store.root / "staging").iterdir())
