"""Two people acting on one application at once (issue 18 point 2), through the real request path with CSRF
on, on SQLite and PostgreSQL: exactly one wins; the other sees the statechart's message, not a 500.

Before: the route checked the move, *then* took the lock, and record_review never checked again — reject then
approve 70 ms apart both won, 8 of 8 times. (Approving now first needs approved amounts, issue 23, so the
site race is reject against request-information: two moves out of "in review" that exclude each other.) Here both requests are held until each has passed the route's
own check (a barrier in front of record_review), which is exactly that interleaving, every time.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from sitekit import login, seeded_site, token_of
from sqlalchemy import select

from engine.model import RuleSet
from tests.web.conftest import PASSWORD, Seeded, web_ruleset  # noqa: F401
from web.db_session import dispose
from web.store import queries
from web.store.db import make_engine, make_session_factory
from web.store.models import Application, ReviewAction

ROUNDS = 3


@pytest.fixture
def site(db_url: str, web_ruleset: RuleSet) -> Iterator[tuple[Flask, Seeded]]:  # noqa: F811
    app, data = seeded_site(db_url, web_ruleset)
    engine = make_engine(db_url)
    with make_session_factory(engine)() as session:
        queries.create_user(session, "rosa", PASSWORD, "reviewer")
        session.commit()
    engine.dispose()
    yield app, data
    dispose(app)


def _together(monkeypatch: pytest.MonkeyPatch, module: Any, name: str, parties: int) -> None:
    """Hold each call of module.name until `parties` calls are waiting, then let them all go."""
    barrier, real = threading.Barrier(parties, timeout=20), getattr(module, name)

    def held(*args: Any, **kwargs: Any) -> Any:
        barrier.wait()
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, held)


def _race(calls: list[Callable[[], Any]]) -> list[Any]:
    results: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        try:
            results[i] = calls[i]()
        except BaseException as exc:  # noqa: BLE001 — reported by the assertion below
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def _state(url: str, application_id: int) -> tuple[str, list[str]]:
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            status = session.get(Application, application_id).status
            actions = list(session.scalars(select(ReviewAction.action).where(
                ReviewAction.application_id == application_id).order_by(ReviewAction.id)))
            return status, actions
    finally:
        engine.dispose()


def test_two_reviewers_deciding_at_once_one_wins(site: tuple[Flask, Seeded], db_url: str,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    app, data = site
    rita, rosa = app.test_client(), app.test_client()
    login(rita, "rita")
    login(rosa, "rosa")
    page = f"/review/applications/{data.application_a}"
    start = rita.post(f"{page}/decide", data={"action": "start", "reason": "转入审核",
                                              "csrf_token": token_of(rita.get(page).get_data(as_text=True))})
    assert start.status_code == 302
    _together(monkeypatch, queries, "record_review", 2)
    tokens = [token_of(c.get(page).get_data(as_text=True)) for c in (rita, rosa)]
    results = _race([
        lambda: rita.post(f"{page}/decide", data={"action": "reject", "reason": "不符合", "csrf_token": tokens[0]}),
        lambda: rosa.post(f"{page}/decide", data={"action": "request_info", "reason": "请补充", "csrf_token": tokens[1]}),
    ])
    statuses = sorted(r.status_code for r in results)
    assert statuses == [302, 409], [getattr(r, "status_code", r) for r in results]
    loser = next(r for r in results if r.status_code == 409).get_data(as_text=True)
    assert "无法执行此操作" in loser and "Traceback" not in loser  # the chart's refusal, not a 500
    status, actions = _state(db_url, data.application_a)
    winner = ["reject", "request_info"][[r.status_code for r in results].index(302)]
    assert status == {"reject": "rejected", "request_info": "info_requested"}[winner]
    assert actions == ["reopen", winner]  # one decision recorded, not two


def test_two_answers_at_once_move_back_into_review_once(site: tuple[Flask, Seeded], db_url: str,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    app, data = site
    engine = make_engine(db_url)
    with make_session_factory(engine)() as session:
        for action in ("reopen", "request_info"):
            queries.record_review(session, application_id=data.application_a, user_id=data.users["rita"],
                                  action=action, reason="请补充审计报告")
    engine.dispose()
    first, second = app.test_client(), app.test_client()
    login(first, "alice")
    login(second, "alice")
    page = f"/applications/{data.application_a}"
    tokens = [token_of(c.get(page).get_data(as_text=True)) for c in (first, second)]
    _together(monkeypatch, queries, "record_review", 2)
    results = _race([lambda c=c, t=t: c.post(f"{page}/answer", data={"reason": "已补充", "csrf_token": t})
                     for c, t in ((first, tokens[0]), (second, tokens[1]))])
    assert [r.status_code for r in results] == [302, 302]  # both redirected; the second with the chart's message
    status, actions = _state(db_url, data.application_a)
    assert status == "in_review" and actions == ["reopen", "request_info", "reopen"]


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_store_level_race_without_the_route(db_url: str, web_ruleset: RuleSet, round_: int) -> None:  # noqa: F811
    """The same race straight on the store, no barrier: whoever takes the lock first wins, the other is refused."""
    data = seeded_site(db_url, web_ruleset)[1]
    engine = make_engine(db_url)
    factory = make_session_factory(engine)
    with factory() as session:
        queries.record_review(session, application_id=data.application_b, user_id=data.users["rita"],
                              action="reopen", reason="转入审核")

    def decide(action: str) -> Any:
        with factory() as session:
            return queries.record_review(session, application_id=data.application_b, user_id=data.users["rita"],
                                         action=action, reason=action)

    results = _race([lambda: decide("reject"), lambda: decide("approve")])
    engine.dispose()
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(refused) == 1 and type(refused[0]).__name__ == "IllegalTransition", results
    assert _state(db_url, data.application_b)[1][-1] in ("reject", "approve")
    assert len(_state(db_url, data.application_b)[1]) == 2
