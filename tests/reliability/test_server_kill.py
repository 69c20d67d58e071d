"""Issue 14 point 6: 20 parallel API submissions, then `kill -9` of the whole server (gunicorn master and
workers) mid-burst, twice, on SQLite and PostgreSQL: every acknowledged (201) submission is present with its
decision, no response was a 5xx, and the chain verifies.

The server is the real one (`subsidy serve`, 2 gunicorn workers) in its own process group, which is what is
killed. Run with ``-s`` to see the figures line docs/reliability.md quotes.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from relkit import wait_for
from sqlalchemy import Engine, select
from storekit import PROFILE, decide

from engine import load_ruleset
from web.store import queries
from web.store.db import make_session_factory
from web.store.models import Application

pytestmark = pytest.mark.faults
BURST, KILL_AFTER, ROUNDS = 20, 5, 2
CODES = ("91441802MA4W1A2B98", "91441802MA4W3C4D44")
PASSWORD = "Burst-test-2026!"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _request(url: str, body: Any, headers: dict[str, str] | None = None, timeout: float = 30) -> tuple[int, Any]:
    data = json.dumps(body, default=str).encode()
    req = urllib.request.Request(url, data=data, method="POST",
                                 headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, None


def _serve(db_url: str, rules: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATABASE_URL": db_url, "SUBSIDY_RULES": str(rules), "SUBSIDY_ENV": "development",
           "SECRET_KEY": "burst-secret-key-0123456789"}
    subsidy = Path(sys.executable).parent / "subsidy"
    return subprocess.Popen([str(subsidy), "serve", "--port", str(port), "--workers", "2"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def _answers(base: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base}/api/v1/measures", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def _burst(base: str, headers: dict[str, str], server: subprocess.Popen[bytes],
           profile: dict[str, Any]) -> tuple[list[int], list[Any]]:
    """Fire BURST submissions at once; kill -9 the server's process group after KILL_AFTER acknowledgements."""
    acked: list[int] = []
    outcomes: list[Any] = []
    lock, enough = threading.Lock(), threading.Event()

    def submit(_i: int) -> None:
        try:
            status, body = _request(f"{base}/api/v1/applications", {"profile": profile, "as_of": "2025-06-30",
                                                                     "measures": ["national.demo_staff"]}, headers)
        except OSError as exc:  # the server died under this request: not acknowledged
            with lock:
                outcomes.append(type(exc).__name__)
            return
        with lock:
            outcomes.append(status)
            if status == 201:
                acked.append(int(body["id"]))
                if len(acked) >= KILL_AFTER:
                    enough.set()

    with ThreadPoolExecutor(BURST) as pool:
        futures = [pool.submit(submit, i) for i in range(BURST)]
        enough.wait(timeout=120)
        os.killpg(server.pid, signal.SIGKILL)  # the master and every worker, mid-burst
        for future in futures:
            future.result()
    server.wait(timeout=30)
    return acked, outcomes


def test_kill_9_of_the_server_mid_burst_loses_no_acknowledged_submission(db_url: str, db_engine: Engine,
                                                                          mini_rules: Path) -> None:
    profiles = [{**PROFILE, "credit_code": code} for code in CODES]  # one applicant per round: at most
    with make_session_factory(db_engine)() as session:  # 20 submissions an hour per applicant (issue 18)
        for n, profile in enumerate(profiles):
            applicant_id = decide(session, load_ruleset(mini_rules), profile).application.applicant_id
            queries.create_user(session, f"burst{n}", PASSWORD, "applicant", applicant_id=applicant_id)
        session.commit()
    acked: list[int] = []
    statuses: list[Any] = []
    for _round in range(ROUNDS):
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        server = _serve(db_url, mini_rules, port)
        try:
            assert wait_for(lambda b=base: _answers(b), timeout=90, step=0.2), "the server did not start"
            status, issued = _request(f"{base}/api/v1/tokens", {"username": f"burst{_round}", "password": PASSWORD})
            assert status == 200
            got, outcomes = _burst(base, {"Authorization": f"Bearer {issued['access_token']}"}, server,
                                   profiles[_round])
        finally:
            if server.poll() is None:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(timeout=30)
        assert server.returncode == -signal.SIGKILL
        assert len(got) >= KILL_AFTER
        acked += got
        statuses += outcomes
    fivexx = [s for s in statuses if isinstance(s, int) and s >= 500]
    with make_session_factory(db_engine)() as session:
        present = {a.id: a for a in session.scalars(select(Application))}
        lost = sorted(set(acked) - set(present))
        undecided = [a.id for a in present.values() if not a.decisions]
        report = queries.verify_chain(session)
    print(f"\nburst-kill {db_engine.dialect.name}: {ROUNDS} rounds × {BURST} sent = {len(statuses)}, "
          f"acknowledged {len(acked)}, refused by the dying server {sum(isinstance(s, str) for s in statuses)}, "
          f"5xx {len(fivexx)}, lost {len(lost)}, half-written {len(undecided)}, chain ok {report.ok} "
          f"({report.links} links)")
    assert lost == [] and undecided == [] and fivexx == []
    assert report.ok, [str(p) for p in report.problems[:5]]
