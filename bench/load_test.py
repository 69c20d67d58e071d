"""Load benchmark (issue 18): the real site under a mixed load at 32 clients, on SQLite and on PostgreSQL.

    .venv/bin/python -m bench.load_test                       # both databases, 100 then 10,000 open applications
    .venv/bin/python -m bench.load_test --db sqlite --seconds 30 --fill 2000

For each database:
  1. a fresh database (SQLite file under --tmp, or a new PostgreSQL database through $TEST_POSTGRES_URL),
     migrated; the project's facts and national measures plus the web-test measures (tests/web/conftest.py:
     a stable catalogue while rules/ is being edited); reviewer and applicant accounts; one open call;
  2. the open applications are filled in bulk (one chained transaction per 1,000, triage join keys written
     directly; every application a different company): first --small (100), later up to --fill (10,000);
  3. the site is started the way `subsidy serve` starts it (gunicorn, TimeoutThreadWorker, preloaded app,
     CSRF on), with the per-applicant submission limit switched off (all load comes from a few accounts);
  4. --clients simulated users (processes × threads, think time 0.2–1.0 s: with --pace page, the default, on every
     page a person would read before sending it back; with --pace round only between rounds, so a submitter's
     login, self-check, form and submission go out back to back) for --seconds at each size:
       self-check visitors (anonymous: start page, choose the kind, first page), reviewers browsing the queue
       and an application, applicants submitting under the call with two uploaded files (CSRF), reviewers
       recording a comment (CSRF, chained);
     every request is timed by class: page (GETs), queue (the reviewer's queue), submit, review, selfcheck;
  5. lost / doubled: every acknowledged submission (302 to its application) must be stored once, and no
     submission may be stored that was not acknowledged unless its request failed;
  6. kill -9: 40 API submissions at once, each with its own Idempotency-Key; the whole server (master and
     workers) is killed with SIGKILL after 10 acknowledgements, restarted, and every submission retried with
     its key: each key must end as exactly one application, every acknowledged one present.
A table is printed and the figures are written to --out (JSON), with the CPU seconds per second used by the
server (its process group, from /proc) and by the client processes — on 2 cores, whether the load saturates them. With --timing, each phase also prints where the
server's time went, per request class (bench.load_timing: wall, thread CPU, database, lock wait and hold). Not run
by the test suite; traffic only to 127.0.0.1 on --port.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import multiprocessing
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[1]
ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
PASSWORD = "Load-test-passphrase-2025"
AS_OF = dt.date(2025, 6, 30)
AWARD, SMALL = "qingyuan.webtest_award", "qingyuan.webtest_small"  # in the call; outside any call (kill -9)
ITEMS = (("form", "网页测试申报表", "web-test application form"), ("licence", "营业执照副本", "business licence copy"))
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
REVIEWERS, KILL_ACCOUNTS = 6, 1
MIX = (("selfcheck", 10), ("queue", 6), ("submit", 10), ("review", 6))  # of 32 clients
BATCH = 1000


# -- data -----------------------------------------------------------------------------------------------

def credit_code(n: int) -> str:
    """A valid unified social credit code, different for every n (GB 32100 check characters)."""
    from engine.standards.uscc import org_check_char, uscc_check_char

    body = f"{n:08d}"[-8:]
    s17 = "914418" + "02" + body + org_check_char(body)
    return s17 + uscc_check_char(s17)


def company(n: int) -> dict[str, Any]:
    from tests.conftest import sample

    data = json.loads(json.dumps(sample("qingcheng_ceramics_turning_hightech"), default=str))
    return {**data, "name": f"清远负载测试第{n}科技有限公司", "credit_code": credit_code(n)}


def pages_for(n: int) -> dict[str, dict[str, str]]:
    from tests.web.conftest import PAGES

    return {**PAGES, "identity": {**PAGES["identity"], "name": f"清远负载测试第{n}科技有限公司",
                                  "credit_code": credit_code(n)}}


def write_rules(root: Path) -> Path:
    from tests.web.conftest import write_web_rules

    if root.exists():
        shutil.rmtree(root)
    return write_web_rules(root)


def prepare(url: str, rules: Path, accounts: int) -> int:
    """Migrate, create the reviewers, `accounts` applicant accounts (companies 0 … accounts-1, one password
    hash computed once) and the open call; returns the call id."""
    from engine import load_ruleset, parse_profile
    from web.store import call_queries, migrate, queries
    from web.store.call_queries import LOCAL_BODIES, MeasureSpec
    from web.store.db import make_engine, make_session_factory
    from web.store.identity import identity_of
    from web.store.models import Applicant, User

    migrate.upgrade(url)
    load_ruleset(rules)
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            for i in range(REVIEWERS):
                queries.create_user(session, f"reviewer{i}", PASSWORD, "reviewer")
            hashed = User(username="x")
            hashed.set_password(PASSWORD)
            for i in range(accounts):
                ident = identity_of(parse_profile(company(i), AS_OF).profile)
                applicant = Applicant(kind=ident.kind, party=ident.party, name=ident.name, credit_code=ident.credit_code,
                                      id_number_masked=ident.id_number_masked, identity_digest=ident.digest)
                session.add(User(username=f"applicant{i}", password_hash=hashed.password_hash, role="applicant",
                                 applicant=applicant, active=True))
            session.commit()
            now = call_queries.now()
            call = call_queries.create_call(
                session, year=2025, title="2025年度负载测试申报", body=sorted(LOCAL_BODIES)[0],
                opens_at=now - dt.timedelta(days=1), closes_at=now + dt.timedelta(days=30), budget=10**9,
                method="rank_full", measures=[MeasureSpec(AWARD, None, ITEMS)], user_id=None)
            return int(call.id)
    finally:
        engine.dispose()


def fill(url: str, rules: Path, first: int, count: int) -> float:
    """Add `count` open (decided) applications of companies first … first+count-1, in bulk; returns seconds."""
    from sqlalchemy import insert

    from engine import evaluate, load_ruleset, parse_profile
    from web.store import queries
    from web.store.db import make_engine, make_session_factory
    from web.store.identity import identity_of
    from web.store.models import Applicant, Application, TriageKey, utcnow

    started = time.perf_counter()
    ruleset = load_ruleset(rules)
    template = company(10**6)
    decision = evaluate(ruleset, parse_profile(template, AS_OF), AS_OF, measures=[AWARD])
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            for start in range(first, first + count, BATCH):
                numbers = range(start, min(start + BATCH, first + count))
                with queries.chain_transaction(session) as head:
                    queries._ensure_snapshot(session, ruleset)
                    for n in numbers:
                        data = company(n)
                        ident = identity_of(parse_profile(data, AS_OF).profile)
                        applicant = Applicant(kind=ident.kind, party=ident.party, name=ident.name,
                                              credit_code=ident.credit_code, id_number_masked=ident.id_number_masked,
                                              identity_digest=ident.digest)
                        application = Application(applicant=applicant, measures=[AWARD], status="decided",
                                                  priority=0, submitted_at=utcnow(), decided_at=utcnow())
                        session.add(application)
                        session.flush()
                        row = queries._decision_row(application.id, data, decision, AS_OF)
                        queries._append(session, head, "decision", row)
                        session.execute(insert(TriageKey), [{"application_id": application.id, "kind": "org",
                                                             "value": ident.credit_code}])
    finally:
        engine.dispose()
    return time.perf_counter() - started


def counts(url: str) -> dict[str, Any]:
    from sqlalchemy import func, select

    from web.store import queries
    from web.store.db import make_engine, make_session_factory
    from web.store.models import Application

    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            report = queries.verify_chain(session)
            open_ = session.scalar(select(func.count()).select_from(Application).where(
                Application.status.not_in(queries.CLOSING_STATUSES)))
            return {"open": open_, "chain_ok": report.ok, "links": report.links,
                    "problems": [str(p) for p in report.problems[:3]]}
    finally:
        engine.dispose()


def applications_of(url: str, after_id: int) -> list[int]:
    """Applications stored after `after_id` (the fill adds none during a phase)."""
    from sqlalchemy import select

    from web.store.db import make_engine, make_session_factory
    from web.store.models import Application

    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            return list(session.scalars(select(Application.id).where(Application.id > after_id)))
    finally:
        engine.dispose()


def max_application(url: str) -> int:
    from sqlalchemy import func, select

    from web.store.db import make_engine, make_session_factory
    from web.store.models import Application

    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            return int(session.scalar(select(func.max(Application.id))) or 0)
    finally:
        engine.dispose()


# -- the server ---------------------------------------------------------------------------------------

def serve_main() -> None:
    """The server process: the app `subsidy serve` builds, with the submission limit off, under gunicorn."""
    from web.app import create_app
    from web.cli.commands.serve import SubsidyServer, server_options

    port, workers, threads = (int(v) for v in sys.argv[2:5])
    app = create_app({"API_EVALUATE_RATE_LIMIT": "off", "API_TOKEN_RATE_LIMIT": "off",
                      "API_SUBMISSIONS_RATE_LIMIT": "off", "MATERIALS_DIR": os.environ["SUBSIDY_MATERIALS"],
                      "PRELOAD_TEMPLATES": True})
    if os.environ.get("SUBSIDY_LOAD_TIMING"):  # --timing: per-request timing inside the workers (bench.load_timing)
        from bench.load_timing import install

        install(app, os.environ["SUBSIDY_LOAD_TIMING"])
    options = server_options("127.0.0.1", port, workers, 30, threads)
    options["accesslog"] = None
    SubsidyServer(app, options).run()


def start_server(url: str, rules: Path, materials: Path, port: int, workers: int, threads: int,
                 log: Path) -> subprocess.Popen[bytes]:
    for _ in range(60):  # a server just stopped may still be closing its workers
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                break
        time.sleep(1)
    else:
        raise RuntimeError(f"port {port} is already in use: stop that server first")
    env = {**os.environ, "DATABASE_URL": url, "SUBSIDY_RULES": str(rules), "SUBSIDY_MATERIALS": str(materials),
           "SUBSIDY_ENV": "development", "SECRET_KEY": "load-test-secret-0123456789", "TRUSTED_PROXIES": "1", "PYTHONPATH": str(PROJECT_ROOT)}
    out = log.open("ab")
    proc = subprocess.Popen([sys.executable, "-m", "bench.load_test", "--serve", str(port), str(workers), str(threads)],
                            env=env, cwd=PROJECT_ROOT, stdout=out, stderr=out, start_new_session=True)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/v1/measures")
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"the server did not start (see {log})")


def stop_server(proc: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        return
    proc.wait(60)


# -- the clients --------------------------------------------------------------------------------------

class Client:
    """One simulated user: a cookie jar and a keep-alive connection; every request timed by class."""

    def __init__(self, port: int, records: list[tuple[str, float, int]], address: str = "10.0.0.1"):
        self.port, self.records, self.cookies, self.address = port, records, {}, address
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(self, cls: str, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, str, dict[str, str]]:
        head = {**(headers or {}), "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
                "X-Forwarded-For": self.address}  # each simulated user its own address (TRUSTED_PROXIES=1)
        started = time.perf_counter()
        for attempt in (1, 2):  # a kept-alive connection the server closed meanwhile: reconnect once, as browsers do
            try:
                self.conn.request(method, path, body=body, headers=head)
                response = self.conn.getresponse()
                text = response.read().decode("utf-8", "replace")
                break
            except (OSError, http.client.HTTPException) as exc:
                stale = isinstance(exc, http.client.RemoteDisconnected | BrokenPipeError | ConnectionResetError)
                if attempt == 1 and stale:
                    self.conn.close()
                    self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                    started = time.perf_counter()
                    continue
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                self.records.append((cls, time.perf_counter() - started, 0))
                return 0, "", {}
        self.records.append((cls, time.perf_counter() - started, response.status))
        for value in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, text, {k.lower(): v for k, v in response.headers.items()}

    def get(self, cls: str, path: str) -> tuple[int, str, dict[str, str]]:
        return self.request(cls, "GET", path)

    def post(self, cls: str, path: str, fields: dict[str, Any], files: dict[str, tuple[str, bytes]] | None = None
             ) -> tuple[int, str, dict[str, str]]:
        if files:
            boundary = secrets.token_hex(12)
            parts = []
            for key, value in fields.items():
                for item in value if isinstance(value, list) else [value]:
                    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{item}\r\n'
                                 .encode())
            for key, (name, data) in files.items():
                parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"; filename="{name}"\r\n'
                             f"Content-Type: application/pdf\r\n\r\n".encode() + data + b"\r\n")
            body = b"".join(parts) + f"--{boundary}--\r\n".encode()
            ctype = f"multipart/form-data; boundary={boundary}"
        else:
            body = urllib.parse.urlencode(fields, doseq=True).encode()
            ctype = "application/x-www-form-urlencoded"
        return self.request(cls, "POST", path, body, {"Content-Type": ctype})

    def token(self, cls: str, path: str) -> str:
        _status, text, _h = self.get(cls, path)
        found = CSRF.search(text)
        return (found.group(1) or found.group(2)) if found else ""

    def login(self, username: str, read: Any) -> int:
        token = self.token("page", "/login")
        read()
        return self.post("login", "/login", {"username": username, "password": PASSWORD, "csrf_token": token})[0]

    def selfcheck(self, pages: dict[str, dict[str, str]], read: Any) -> None:
        token = self.token("page", "/selfcheck/")
        read()
        self.post("selfcheck", "/selfcheck/", {"kind": "enterprise", "csrf_token": token})
        for page, data in pages.items():
            url = f"/selfcheck/enterprise/{page}"
            token = self.token("page", url)
            read()
            self.post("selfcheck", url, {**data, "action": "next", "csrf_token": token})


def _think(rng: random.Random) -> None:
    time.sleep(rng.uniform(0.2, 1.0))


def _reader(pace: str, rng: random.Random) -> Any:
    """What a simulated user does between loading a page and sending it back: with --pace page it reads
    (thinks 0.2–1.0 s) on every page, as a person does; with --pace round (the first rounds' load) it sends
    the page back at once and thinks only between rounds."""
    return (lambda: _think(rng)) if pace == "page" else (lambda: None)


def _user(kind: str, index: int, port: int, seconds: float, call: int, targets: list[int],
          records: list[tuple[str, float, int]], acked: list[int], accounts: tuple[int, int, int],
          errors: list[str], pace: str) -> None:
    from web.bureau.samplepdf import minimal_pdf

    pdf_a, pdf_b = minimal_pdf(["load test form"]), minimal_pdf(["load test licence"])
    first_account, last_account, submitters = accounts
    rng, client = random.Random(index), Client(port, records, f"10.2.{index // 250}.{index % 250 + 1}")
    read = _reader(pace, rng)
    end = time.monotonic() + seconds
    if kind in ("queue", "review"):
        client.login(f"reviewer{index % REVIEWERS}", read)
    round_ = 0
    while time.monotonic() < end:
        if kind == "selfcheck":
            fresh = Client(port, records)
            token = fresh.token("page", "/selfcheck/")
            read()
            fresh.post("selfcheck", "/selfcheck/", {"kind": "enterprise", "csrf_token": token})
            fresh.get("page", "/selfcheck/enterprise/identity")
            fresh.conn.close()
        elif kind == "queue":
            client.get("queue", "/review/")
            _think(rng)
            client.get("page", f"/review/applications/{rng.choice(targets)}")
        elif kind == "submit":  # one application per applicant and call: every submission is another company
            number = first_account + index + round_ * submitters
            round_ += 1
            if number >= last_account:
                break
            client = Client(port, records, f"10.1.{number // 250}.{number % 250 + 1}")
            if client.login(f"applicant{number}", read) != 302:
                errors.append(f"login applicant{number} refused")
                continue
            client.selfcheck(pages_for(number), read)
            page = f"/applications/new?call={call}"
            token = client.token("page", page)
            read()
            status, _text, headers = client.post(
                "submit", "/applications/new", {"call": str(call), "measures": [AWARD], "confirm": "y",
                                                "contact_name": "王工", "contact_phone": f"138{number:08d}",
                                                "contact_email": f"c{number}@example.cn", "csrf_token": token},
                {"file-form": ("申报表.pdf", pdf_a + secrets.token_hex(4).encode()),
                 "file-licence": ("licence.pdf", pdf_b + secrets.token_hex(4).encode())})
            location = headers.get("location", "")
            if status == 302 and re.search(r"/applications/\d+$", location):
                acked.append(int(location.rsplit("/", 1)[1]))
            elif status != 302:
                said = re.findall(r'class="(?:flash[^"]*|error-summary)"[^>]*>(.*?)</', _text, re.S)
                errors.append(f"{status}: {' | '.join(x.strip()[:160] for x in said)}")
            client.conn.close()
        elif kind == "review":
            target = rng.choice(targets)
            page = f"/review/applications/{target}"
            token = client.token("page", page)
            read()
            client.post("review", f"{page}/decide", {"action": "comment", "reason": "负载测试备注",
                                                     "csrf_token": token})
        _think(rng)


def _process(port: int, users: list[tuple[str, int]], seconds: float, call: int, targets: list[int],
             accounts: tuple[int, int, int], pace: str, out: Any) -> None:
    records: list[tuple[str, float, int]] = []
    acked: list[int] = []
    errors: list[str] = []
    cpu = time.process_time()
    threads = [threading.Thread(target=_user, args=(kind, i, port, seconds, call, targets, records, acked, accounts,
                                                    errors, pace)) for kind, i in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 180)
    out.put((records, acked, errors[:5], time.process_time() - cpu))


def run_phase(port: int, clients: int, seconds: float, call: int, targets: list[int], processes: int,
              accounts: tuple[int, int], pace: str = "page"
              ) -> tuple[list[tuple[str, float, int]], list[int], list[str], float]:
    """Run the simulated users; returns the timed requests, the acknowledged applications, refusals and the
    CPU seconds the client processes used."""
    users: list[tuple[str, int]] = []
    for kind, share in MIX:
        users += [(kind, i) for i in range(round(share * clients / 32))]
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    submitters = sum(1 for kind, _ in users if kind == "submit")
    procs = [ctx.Process(target=_process, args=(port, users[p::processes], seconds, call, targets,
                                                (*accounts, submitters), pace, out)) for p in range(processes)]
    for p in procs:
        p.start()
    records: list[tuple[str, float, int]] = []
    acked: list[int] = []
    errors: list[str] = []
    client_cpu = 0.0
    for _ in procs:
        r, a, e, c = out.get(timeout=seconds + 300)
        records += r
        acked += a
        errors += e
        client_cpu += c
    for p in procs:
        p.join(30)
    return records, acked, errors, client_cpu


def group_cpu(pgid: int) -> float:
    """CPU seconds (user + system) used so far by the live processes of a process group (the server: master and
    workers), read from /proc."""
    tick, total = os.sysconf("SC_CLK_TCK"), 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # after the name: state, ppid, pgrp, …, utime (11), stime (12)
            total += int(fields[11]) + int(fields[12])
    return total / tick


def summarise(records: list[tuple[str, float, int]], seconds: float) -> dict[str, Any]:
    out: dict[str, Any] = {"requests": len(records), "throughput_rps": round(len(records) / seconds, 1),
                           "5xx": sum(1 for _c, _t, s in records if s >= 500),
                           "failed_connections": sum(1 for _c, _t, s in records if s == 0), "classes": {}}
    for cls in sorted({c for c, _t, _s in records}):
        times = sorted(t for c, t, _s in records if c == cls)
        out["classes"][cls] = {"n": len(times), "p50_ms": round(_pct(times, 0.50) * 1000),
                               "p95_ms": round(_pct(times, 0.95) * 1000), "max_ms": round(times[-1] * 1000),
                               "5xx": sum(1 for c, _t, s in records if c == cls and s >= 500)}
    return out


def _pct(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(q * len(values)))] if values else 0.0


# -- kill -9 ------------------------------------------------------------------------------------------

def kill_test(url: str, start: Any, port: int, account: int, burst: int = 40, kill_after: int = 10) -> dict[str, Any]:
    """`burst` API submissions with their own keys; SIGKILL of the server after `kill_after` acks; retry all."""


    body = json.dumps({"profile": company(account), "as_of": AS_OF.isoformat(), "measures": [SMALL]}).encode()
    keys = [f"kill9-{secrets.token_hex(6)}-{i}" for i in range(burst)]
    procs = [start()]

    def token() -> str:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("POST", "/api/v1/tokens", json.dumps({"username": f"applicant{account}", "password": PASSWORD}),
                     {"Content-Type": "application/json"})
        return str(json.loads(conn.getresponse().read())["access_token"])

    try:
        return _kill_run(url, start, port, procs, token, body, keys, kill_after, burst)
    finally:
        for proc in procs:
            if proc.poll() is None:
                stop_server(proc, signal.SIGKILL)


def _kill_run(url: str, start: Any, port: int, procs: list[Any], token: Any, body: bytes, keys: list[str],
              kill_after: int, burst: int) -> dict[str, Any]:
    from sqlalchemy import select

    from web.store.db import make_engine, make_session_factory
    from web.store.models import IdempotencyKey

    bearer = token()
    acked: dict[str, int] = {}
    statuses: list[int] = []
    lock, enough = threading.Lock(), threading.Event()

    def submit(key: str) -> None:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            conn.request("POST", "/api/v1/applications", body, {"Content-Type": "application/json",
                                                                "Authorization": f"Bearer {bearer}",
                                                                "Idempotency-Key": key})
            response = conn.getresponse()
            data = response.read()
            with lock:
                statuses.append(response.status)
                if response.status == 201:
                    acked[key] = int(json.loads(data)["id"])
                    if len(acked) >= kill_after:
                        enough.set()
        except (OSError, http.client.HTTPException):
            with lock:
                statuses.append(0)

    threads = [threading.Thread(target=submit, args=(k,)) for k in keys]
    for t in threads:
        t.start()
    enough.wait(120)
    stop_server(procs[0], signal.SIGKILL)
    for t in threads:
        t.join(60)
    before_retry = dict(acked)
    procs.append(start())
    bearer = token()
    retried = {}
    for key in keys:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request("POST", "/api/v1/applications", body, {"Content-Type": "application/json",
                                                            "Authorization": f"Bearer {bearer}",
                                                            "Idempotency-Key": key})
        response = conn.getresponse()
        data = response.read()
        retried[key] = (response.status, json.loads(data).get("id") if response.status == 201 else None)
    stop_server(procs[-1])
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            rows = {r.key: r for r in session.scalars(select(IdempotencyKey).where(IdempotencyKey.key.in_(keys)))}
    finally:
        engine.dispose()
    lost = [k for k, app in before_retry.items() if retried[k][1] != app]
    ids = [v[1] for v in retried.values() if v[1] is not None]
    return {"burst": burst, "acked_before_kill": len(before_retry), "5xx_before_kill": sum(s >= 500 for s in statuses),
            "after_retry_201": sum(1 for s, _ in retried.values() if s == 201), "distinct_applications": len(set(ids)),
            "acked_then_changed_or_lost": len(lost), "keys_completed": sum(1 for r in rows.values()
                                                                          if r.response_status == 201)}


# -- the run ------------------------------------------------------------------------------------------

def create_pg() -> tuple[str, str]:
    import psycopg
    from psycopg import sql
    from sqlalchemy.engine import make_url

    name = f"subsidy_load_{secrets.token_hex(4)}"
    conninfo = make_url(ADMIN_URL).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True, connect_timeout=5) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return name, make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def drop_pg(name: str) -> None:
    import psycopg
    from psycopg import sql
    from sqlalchemy.engine import make_url

    conninfo = make_url(ADMIN_URL).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True, connect_timeout=5) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def run_db(kind: str, args: argparse.Namespace) -> dict[str, Any]:
    tmp = Path(args.tmp) / kind
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    rules, materials, log = write_rules(tmp / "rules"), tmp / "materials", tmp / "server.log"
    pg_name = None
    if kind == "sqlite":
        url = f"sqlite:///{tmp / 'load.db'}"
    else:
        pg_name, url = create_pg()
    result: dict[str, Any] = {"database": kind, "phases": []}
    try:
        started = time.perf_counter()
        call = prepare(url, rules, 2 * args.accounts + KILL_ACCOUNTS)
        result["prepare_seconds"] = round(time.perf_counter() - started, 1)
        filled = 0
        for phase, size in enumerate((args.small, args.fill)):
            seconds_fill = fill(url, rules, 10**6 + filled, size - filled)
            filled = size
            before = max_application(url)
            targets = list(range(max(1, before - 2000), before + 1))
            timing = str(tmp / f"timing-{size}")
            if args.timing:
                os.environ["SUBSIDY_LOAD_TIMING"] = timing
            try:
                proc = start_server(url, rules, materials, args.port, args.workers, args.threads, log)
            finally:
                os.environ.pop("SUBSIDY_LOAD_TIMING", None)
            load = os.getloadavg()
            try:
                accounts = (phase * args.accounts, (phase + 1) * args.accounts)
                server_cpu, wall = group_cpu(proc.pid), time.perf_counter()
                records, acked, errors, client_cpu = run_phase(args.port, args.clients, args.seconds, call, targets,
                                                               args.processes, accounts, args.pace)
                server_cpu, wall = group_cpu(proc.pid) - server_cpu, time.perf_counter() - wall
            finally:
                stop_server(proc)
            stored = applications_of(url, before)
            summary = summarise(records, args.seconds)
            submit_failed = sum(1 for c, _t, s in records if c == "submit" and (s == 0 or s >= 500))
            summary.update({"open_applications": size, "fill_seconds": round(seconds_fill, 1),
                            "loadavg_1m_at_start": round(load[0], 2), "loadavg_1m_at_end": round(os.getloadavg()[0], 2),
                            "acknowledged": len(acked), "stored": len(stored),
                            "lost": len(set(acked) - set(stored)),
                            "doubled": max(0, len(set(stored) - set(acked)) - submit_failed),
                            "submit_refusals": errors, "db": counts(url), "pace": args.pace,
                            "server_cpu_per_s": round(server_cpu / wall, 2),
                            "client_cpu_per_s": round(client_cpu / wall, 2)})
            result["phases"].append(summary)
            print(_phase_line(kind, summary), flush=True)
            if args.timing:
                from bench.load_timing import summary as timing_summary
                from bench.load_timing import table as timing_table

                summary["timing"] = timing_summary(timing)
                print(timing_table(summary["timing"]), flush=True)
        if not args.skip_kill:
            result["kill9"] = kill_test(url, lambda: start_server(url, rules, materials, args.port, args.workers,
                                                                  args.threads, log), args.port,
                                         2 * args.accounts)
            result["kill9"]["chain"] = counts(url)
            print(f"{kind}: kill -9 {result['kill9']}", flush=True)
    finally:
        if pg_name:
            drop_pg(pg_name)
    return result


def _phase_line(kind: str, s: dict[str, Any]) -> str:
    cls = " ".join(f"{c}:p95={v['p95_ms']}ms(n={v['n']})" for c, v in s["classes"].items())
    return (f"{kind} open={s['open_applications']}: {s['requests']} req, {s['throughput_rps']} req/s, 5xx={s['5xx']}, "
            f"conn-failed={s['failed_connections']}, acked={s['acknowledged']} stored={s['stored']} lost={s['lost']} "
            f"doubled={s['doubled']}, load {s['loadavg_1m_at_start']}→{s['loadavg_1m_at_end']}, "
            f"CPU-s/s server {s['server_cpu_per_s']} clients {s['client_cpu_per_s']} | {cls}")


def table(results: list[dict[str, Any]]) -> str:
    classes = ("page", "queue", "selfcheck", "submit", "review", "login")
    lines = ["| database | open applications | pace | requests | req/s | 5xx | lost / doubled | "
             + " | ".join(f"{c} p95 (ms)" for c in classes) + " | CPU-s/s server / clients | load (1 min) |",
             "|---|---:|---|---:|---:|---:|---|" + "---:|" * len(classes) + "---|---|"]
    for r in results:
        for s in r["phases"]:
            p95 = [str(s["classes"].get(c, {}).get("p95_ms", "—")) for c in classes]
            lines.append(f"| {r['database']} | {s['open_applications']:,} | {s['pace']} | {s['requests']} | "
                         f"{s['throughput_rps']} | {s['5xx']} | {s['lost']} / {s['doubled']} | " + " | ".join(p95)
                         + f" | {s['server_cpu_per_s']} / {s['client_cpu_per_s']}"
                         + f" | {s['loadavg_1m_at_start']}–{s['loadavg_1m_at_end']} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--serve"]:
        serve_main()
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=40)
    parser.add_argument("--small", type=int, default=100)
    parser.add_argument("--fill", type=int, default=10_000)
    parser.add_argument("--port", type=int, default=8130)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=None, help="threads per worker (default: subsidy serve's)")
    parser.add_argument("--processes", type=int, default=4, help="client processes")
    parser.add_argument("--accounts", type=int, default=600, help="applicant accounts per phase (one per submission)")
    parser.add_argument("--tmp", default="/tmp/subsidy-load")
    parser.add_argument("--out", default="/tmp/subsidy-load/results.json")
    parser.add_argument("--skip-kill", action="store_true")
    parser.add_argument("--pace", choices=["page", "round"], default="page",
                        help="page: every simulated user reads each page 0.2–1.0 s before sending it back (default); "
                             "round: think only between rounds, a submitter's journey sent at once (the first runs)")
    parser.add_argument("--timing", action="store_true",
                        help="time each request inside the workers: CPU, database, lock wait and hold (bench.load_timing)")
    args = parser.parse_args(argv)
    if args.threads is None:
        from web.cli.commands.serve import THREADS

        args.threads = THREADS
    results = [run_db(kind, args) for kind in args.db]
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps({"args": vars(args), "cores": os.cpu_count(), "results": results},
                                         indent=2, ensure_ascii=False), "utf-8")
    print(table(results))
    print(f"figures: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
