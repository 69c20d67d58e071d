"""Load test: gunicorn (several sync workers) on PostgreSQL, driven from separate client processes on loopback.

    .venv/bin/python -m bench.load_test --users 50 200 --duration 30 --workers 5

What it does (every loop bounded in count and time; traffic only to 127.0.0.1):
  1. creates a fresh PostgreSQL database `subsidy_load_<random>` through $TEST_POSTGRES_URL (default
     postgresql+psycopg://postgres@127.0.0.1:5432/postgres), migrates it, seeds one applicant with 20
     decided applications, an applicant account and 10 reviewer accounts;
  2. starts gunicorn on 127.0.0.1:--port with `server_app()` below (the real app; the API's per-IP rate
     limits are switched off, since every simulated user comes from 127.0.0.1);
  3. for each --users level, runs that many simulated users for --duration seconds, spread over client
     processes (threads inside each), with this mix of personas:
       40 % self-check visitors: GET /selfcheck/, POST the kind (CSRF token from the page), GET a page
       30 % API clients: POST /api/v1/evaluate with a sample enterprise
       20 % applicants: POST /api/v1/applications (bearer token) — a decision appended to the audit chain
       10 % reviewers: logged in; GET an application, POST a "comment" review action — appended to the chain
  4. stops gunicorn, verifies the audit chain, writes bench/results/load-<time>.json and prints a table:
     requests, throughput, p50/p95/p99 latency and errors, per persona and overall.

Not run by the test suite. Needs no package beyond the project's (threads + http.client).
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import multiprocessing
import os
import re
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[1]
ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
SAMPLE = "qingcheng_ceramics_turning_hightech"
AS_OF = "2025-06-30"
PASSWORD = "Load-test-passphrase-2025"
PERSONAS = (("selfcheck", 40), ("evaluate", 30), ("apply", 20), ("review", 10))
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
SEEDED_APPLICATIONS = 20


def server_app() -> Any:
    """The gunicorn entry point: `gunicorn 'bench.load_test:server_app()'` (DATABASE_URL from the env)."""
    from web.app import create_app

    return create_app({"API_EVALUATE_RATE_LIMIT": "off", "API_TOKENS_RATE_LIMIT": "off",
                       "API_TOKEN_RATE_LIMIT": "off", "SECRET_KEY": os.environ.get("LOAD_SECRET", "load-secret-0123456789")})


def _sample() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((PROJECT_ROOT / "sample_applicants" / f"{SAMPLE}.yaml").read_text("utf-8"))
    return json.loads(json.dumps(data, default=str))


# -- database ------------------------------------------------------------------------------------------

def create_database() -> tuple[str, str]:
    import psycopg
    from psycopg import sql
    from sqlalchemy.engine import make_url

    name = f"subsidy_load_{secrets.token_hex(4)}"
    conninfo = make_url(ADMIN_URL).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True, connect_timeout=5) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return name, make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def drop_database(name: str) -> None:
    import psycopg
    from psycopg import sql
    from sqlalchemy.engine import make_url

    conninfo = make_url(ADMIN_URL).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True, connect_timeout=5) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def seed(url: str, reviewers: int = 10) -> list[int]:
    from engine import evaluate, load_ruleset, parse_profile
    from web.store import migrate, queries
    from web.store.db import make_engine, make_session_factory

    migrate.upgrade(url)
    ruleset = load_ruleset(PROJECT_ROOT / "rules")
    data = _sample()
    as_of = dt.date.fromisoformat(AS_OF)
    engine = make_engine(url)
    ids = []
    try:
        with make_session_factory(engine)() as session:
            for _ in range(SEEDED_APPLICATIONS):
                parsed = parse_profile(data, as_of)
                row = queries.submit_and_decide(session, profile=parsed.profile, profile_data=data, ruleset=ruleset,
                                                decision=evaluate(ruleset, parsed, as_of), checked_on=as_of)
                ids.append(row.application_id)
            applicant_id = session.get(queries.Application, ids[0]).applicant_id  # type: ignore[union-attr]
            queries.create_user(session, "load_applicant", PASSWORD, "applicant", applicant_id=applicant_id)
            for i in range(reviewers):
                queries.create_user(session, f"load_reviewer{i}", PASSWORD, "reviewer")
            session.commit()
    finally:
        engine.dispose()
    return ids


def verify(url: str) -> dict[str, Any]:
    from sqlalchemy import func, select

    from web.store import queries
    from web.store.db import make_engine, make_session_factory
    from web.store.models import Decision, ReviewAction

    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            report = queries.verify_chain(session)
            return {"chain_ok": report.ok, "links": report.links,
                    "decisions": session.scalar(select(func.count()).select_from(Decision)),
                    "reviews": session.scalar(select(func.count()).select_from(ReviewAction)),
                    "problems": [str(p) for p in report.problems[:5]]}
    finally:
        engine.dispose()


# -- the server ----------------------------------------------------------------------------------------

def start_server(url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATABASE_URL": url, "SUBSIDY_ENV": "development", "PYTHONPATH": str(PROJECT_ROOT)}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    log = open(PROJECT_ROOT / "bench" / "results" / "load-gunicorn.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen([str(gunicorn), "-w", str(workers), "-b", f"127.0.0.1:{port}", "--timeout", "60",
                             "--backlog", "2048", "--preload", "bench.load_test:server_app()"],
                            cwd=PROJECT_ROOT, env=env, stdout=log, stderr=log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/selfcheck/")
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.3)
    proc.terminate()
    raise SystemExit("gunicorn did not answer within 60 s (see bench/results/load-gunicorn.log)")


# -- the simulated users -------------------------------------------------------------------------------

class User:
    """One simulated user: its own connection and cookies; records (persona, step, status, seconds)."""

    def __init__(self, port: int, persona: str, index: int, targets: list[int], records: list[tuple[Any, ...]]):
        self.port, self.persona, self.index, self.targets, self.records = port, persona, index, targets, records
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies: dict[str, str] = {}
        self.token: str | None = None

    def request(self, step: str, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None, ok: tuple[int, ...] = (200,)) -> tuple[int, str]:
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        started = time.perf_counter()
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            text = response.read().decode("utf-8", "replace")
            status = response.status
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = header.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        except (OSError, http.client.HTTPException) as exc:
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            status, text = 0, type(exc).__name__
        elapsed = time.perf_counter() - started
        self.records.append((self.persona, step, status, elapsed, status in ok))
        return status, text

    def form(self, step: str, path: str, fields: dict[str, str], ok: tuple[int, ...] = (302,)) -> int:
        return self.request(step, "POST", path, urllib.parse.urlencode(fields).encode(),
                            {"Content-Type": "application/x-www-form-urlencoded"}, ok)[0]

    @staticmethod
    def csrf(html: str) -> str:
        match = CSRF.search(html)
        return (match.group(1) or match.group(2)) if match else ""

    def setup(self) -> None:
        if self.persona == "apply":
            status, text = self.request("token", "POST", "/api/v1/tokens",
                                        json.dumps({"username": "load_applicant", "password": PASSWORD}).encode(),
                                        {"Content-Type": "application/json"})
            self.token = json.loads(text).get("access_token") if status == 200 else None
        elif self.persona == "review":
            _, html = self.request("login-page", "GET", "/login")
            self.form("login", "/login", {"csrf_token": self.csrf(html), "username": f"load_reviewer{self.index % 10}",
                                          "password": PASSWORD})

    def once(self, profile: bytes, application: bytes) -> None:
        if self.persona == "selfcheck":
            _, html = self.request("start", "GET", "/selfcheck/")
            self.form("kind", "/selfcheck/", {"csrf_token": self.csrf(html), "kind": "enterprise"})
            self.request("page", "GET", "/selfcheck/enterprise/identity")
        elif self.persona == "evaluate":
            self.request("evaluate", "POST", "/api/v1/evaluate", profile, {"Content-Type": "application/json"})
        elif self.persona == "apply":
            self.request("apply", "POST", "/api/v1/applications", application,
                         {"Content-Type": "application/json", "Authorization": f"Bearer {self.token}"}, (200, 201))
        else:
            target = self.targets[(self.index + len(self.records)) % len(self.targets)]
            _, html = self.request("open", "GET", f"/review/applications/{target}")
            self.form("review", f"/review/applications/{target}/decide",
                      {"csrf_token": self.csrf(html), "action": "comment", "reason": f"负载测试备注 {self.index}"})


def _persona(i: int) -> str:
    slot, acc = i % 100, 0
    for name, share in PERSONAS:
        acc += share
        if slot < acc:
            return name
    return PERSONAS[-1][0]


def _client_process(port: int, first: int, count: int, seconds: float, targets: list[int], total: int,
                    out: Any) -> None:
    records: list[tuple[Any, ...]] = []
    body = {"profile": _sample(), "as_of": AS_OF}
    profile, application = json.dumps(body).encode(), json.dumps(body).encode()
    start_at = time.monotonic() + 2.0
    stop_at = start_at + seconds

    def run(i: int) -> None:
        # spread personas evenly over all users, whatever the process split
        user = User(port, _persona(i * 100 // max(total, 1) if total < 100 else i), i, targets, records)
        user.setup()
        time.sleep(max(0.0, start_at - time.monotonic()))
        for _ in range(100_000):  # bounded; the time limit ends it first
            if time.monotonic() >= stop_at:
                break
            user.once(profile, application)

    threads = [threading.Thread(target=run, args=(first + k,), daemon=True) for k in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 120)
    out.put([r for r in records if r[1] not in ("token", "login-page", "login")] +
            [("setup", r[1], r[2], r[3], r[4]) for r in records if r[1] in ("token", "login-page", "login")])


def run_level(port: int, users: int, seconds: float, targets: list[int], processes: int) -> dict[str, Any]:
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    per = [users // processes + (1 if k < users % processes else 0) for k in range(processes)]
    procs, first = [], 0
    for count in per:
        proc = ctx.Process(target=_client_process, args=(port, first, count, seconds, targets, users, queue))
        proc.start()
        procs.append(proc)
        first += count
    records: list[tuple[Any, ...]] = []
    for _ in procs:
        records += queue.get(timeout=seconds + 300)
    for proc in procs:
        proc.join(30)
    return summarise(users, seconds, records)


def _pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] * 1000


def summarise(users: int, seconds: float, records: list[tuple[Any, ...]]) -> dict[str, Any]:
    measured = [r for r in records if r[0] != "setup"]
    setup_errors = [r for r in records if r[0] == "setup" and not r[4]]

    def stats(rows: list[tuple[Any, ...]]) -> dict[str, Any]:
        times = [r[3] for r in rows]
        errors = [r for r in rows if not r[4]]
        return {"requests": len(rows), "rps": round(len(rows) / seconds, 1), "errors": len(errors),
                "error_statuses": dict(sorted({str(s): sum(1 for r in errors if r[2] == s)
                                                for s in {r[2] for r in errors}}.items())),
                "p50_ms": round(_pct(times, 0.50), 1), "p95_ms": round(_pct(times, 0.95), 1),
                "p99_ms": round(_pct(times, 0.99), 1),
                "mean_ms": round(statistics.fmean(times) * 1000, 1) if times else 0.0}

    personas = {name: stats([r for r in measured if r[0] == name]) for name, _ in PERSONAS}
    return {"users": users, "seconds": seconds, "all": stats(measured), "personas": personas,
            "setup_errors": len(setup_errors)}


def table(levels: list[dict[str, Any]]) -> str:
    lines = ["| users | persona | requests | req/s | p50 ms | p95 ms | p99 ms | errors |",
             "|---:|---|---:|---:|---:|---:|---:|---:|"]
    for level in levels:
        for name, s in [("all", level["all"]), *level["personas"].items()]:
            lines.append(f"| {level['users']} | {name} | {s['requests']} | {s['rps']} | {s['p50_ms']} | "
                         f"{s['p95_ms']} | {s['p99_ms']} | {s['errors']} {s['error_statuses'] or ''} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, nargs="+", default=[50, 200])
    parser.add_argument("--duration", type=float, default=30.0, help="seconds per level (max 300)")
    parser.add_argument("--workers", type=int, default=min(2 * os.cpu_count() + 1, 8))  # type: ignore[operator]
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--processes", type=int, default=4, help="client processes")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args(argv)
    seconds = min(args.duration, 300.0)
    name, url = create_database()
    server = None
    try:
        targets = seed(url)
        server = start_server(url, args.port, args.workers)
        levels = []
        for users in args.users[:4]:
            users = min(users, 1000)
            print(f"-- {users} users for {seconds:.0f} s ({args.workers} gunicorn workers, "
                  f"{os.cpu_count()} CPUs) ...", flush=True)
            levels.append(run_level(args.port, users, seconds, targets, max(1, min(args.processes, users))))
            print(table(levels[-1:]), flush=True)
        server.send_signal(signal.SIGTERM)
        server.wait(60)
        server = None
        check = verify(url)
        print(f"audit chain after the load: {'OK' if check['chain_ok'] else 'BROKEN'} — {check['links']} links, "
              f"{check['decisions']} decisions, {check['reviews']} review actions {check['problems'] or ''}")
        result = {"when": dt.datetime.now(dt.UTC).isoformat(), "workers": args.workers, "cpus": os.cpu_count(),
                  "levels": levels, "chain": check}
        out = PROJECT_ROOT / "bench" / "results" / f"load-{dt.datetime.now():%Y%m%d-%H%M%S}.json"
        out.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
        print(table(levels))
        print(f"written {out.relative_to(PROJECT_ROOT)}")
        return 0 if check["chain_ok"] else 1
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            server.wait(60)
        if not args.keep:
            drop_database(name)


if __name__ == "__main__":
    sys.exit(main())
