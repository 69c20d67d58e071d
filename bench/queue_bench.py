"""Queue benchmark (issue 23): the reviewer's queue pages with 10,000 applications, through the Flask test client.

Builds the demo database (`subsidy demo`) in a temp SQLite file, then adds N generated applications (default
10,000): each a new applicant with a copy of a demo application's latest decision, spread over the demo's
calls, statuses and submission times, one in ten with a triage flag. The decision copies carry made-up chain
positions (this database is for timing only: `audit verify` would rightly fail on it). Logs a reviewer in
and requests each queue page (default page, a deep page, search by name, by credit code, filter by call,
flagged, all statuses by waiting time, the allocation page of a call) `--n` times after a warm-up; reports
median and p95 in ms, the median thread CPU (`time.thread_time`: what the page costs the server's interpreter,
less disturbed by a busy machine than wall time), the SQL statements per request and the ratio to GET /login timed
in the same run. `--db postgresql` runs the same on a fresh PostgreSQL database ($TEST_POSTGRES_URL's server,
dropped afterwards). Never part of the test suite.

    python bench/queue_bench.py [--applications 10000] [--n 30] [--warmup 3] [--db sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.pages_bench import build_demo, p95  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "queue.json"
STATUSES = ("decided", "in_review", "info_requested", "decided", "in_review", "approved", "rejected")


def grow(url: str, count: int) -> dict[str, Any]:
    """Add `count` applications to the demo database (see the module docstring); returns names to search for."""
    from sqlalchemy import insert, select

    from web.store.db import make_engine, make_session_factory
    from web.store.models import Applicant, Application, Call, Decision, TriageFlag, TriageRun

    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        templates = list(session.scalars(select(Decision).order_by(Decision.id)))
        calls = [c.id for c in session.scalars(select(Call))]
        start_seq = 10_000_000
        run = TriageRun(today=dt.date(2025, 6, 30), triage_ruleset_hash="0" * 64, inputs_hash="0" * 64,
                        engine_used="bench", applications=count, flags=count // 10)
        session.add(run)
        session.flush()
        base = dt.datetime(2025, 5, 1)
        for chunk in range(0, count, 1000):
            rows = range(chunk, min(count, chunk + 1000))
            applicants = [{"kind": "enterprise", "party": "organisation", "name": f"清远基准{i:05d}号科技有限公司",
                           "credit_code": f"91441802BENCH{i:05d}", "identity_digest": f"{i + 1:064x}",
                           "created_at": base, "updated_at": base} for i in rows]
            ids = list(session.scalars(insert(Applicant).returning(Applicant.id), applicants))
            apps = [{"applicant_id": ids[k], "measures": [], "status": STATUSES[i % len(STATUSES)], "priority": i % 7,
                     "submitted_at": base + dt.timedelta(minutes=7 * i), "call_id": calls[i % len(calls)] if calls else None,
                     "created_at": base, "updated_at": base, "stage": 0} for k, i in enumerate(rows)]
            app_ids = list(session.scalars(insert(Application).returning(Application.id), apps))
            decisions = []
            for k, i in enumerate(rows):
                t = templates[i % len(templates)]
                decisions.append({c: getattr(t, c) for c in ("profile_json", "profile_hash", "ruleset_hash", "as_of",
                                                             "checked_on", "engine_version", "decision_json",
                                                             "decision_hash", "outcomes_json", "warnings_json")}
                                 | {"application_id": app_ids[k], "chain_seq": start_seq + i, "prev_hash": "0" * 64,
                                    "hash": f"{start_seq + i:064x}", "created_at": base})
            session.execute(insert(Decision), decisions)
            flags = [{"application_id": app_ids[k], "run_id": run.id, "rule_id": "shared_phone", "severity": "info",
                      "route": "verify", "priority_delta": 2, "message_zh": "联系电话也被其他申报使用",
                      "message_en": "the phone is used by another application", "details": {},
                      "triage_ruleset_hash": "0" * 64, "inputs_hash": "0" * 64, "created_at": base}
                     for k, i in enumerate(rows) if i % 10 == 0]
            if flags:
                session.execute(insert(TriageFlag), flags)
        session.commit()
    engine.dispose()
    return {"name": "基准04321号", "code": "91441802BENCH04321", "call": calls[0] if calls else None}


def pages(found: dict[str, Any], pages_total: int) -> list[tuple[str, str]]:
    call = found["call"]
    return [
        ("login", "/login"),
        ("queue_default", "/review/"),
        ("queue_deep_page", f"/review/?page={max(1, pages_total // 2)}"),
        ("queue_search_name", f"/review/?q={found['name']}"),
        ("queue_search_code", f"/review/?q={found['code']}"),
        ("queue_by_call", f"/review/?call={call}"),
        ("queue_flagged", "/review/?flags=any"),
        ("queue_all_by_age", "/review/?status=all&sort=age"),
        ("call_allocation", f"/calls/{call}/allocation"),
    ]


def measured(get: Callable[[], Any], n: int, warmup: int, statements: list[int]) -> dict[str, Any]:
    """n requests after `warmup`: wall and thread-CPU times (ms), SQL statements of the last one, status, size."""
    for _ in range(warmup):
        get().close()
    walls, cpus = [], []
    status = size = count = 0
    for _ in range(n):
        statements.clear()
        wall, cpu = time.perf_counter(), time.thread_time()
        response = get()
        body = response.get_data()  # the body is part of the work
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.thread_time() - cpu) * 1000)
        status, size, count = response.status_code, len(body), len(statements)
        response.close()
    return {"walls": walls, "cpus": cpus, "status": status, "size": size, "statements": count}


@contextmanager
def database(kind: str, tmp: str) -> Iterator[str]:
    """A fresh database URL: a SQLite file under `tmp`, or a new PostgreSQL database dropped afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{Path(tmp) / 'queue.db'}"
        return
    from bench.load_test import create_pg, drop_pg

    name, url = create_pg()
    try:
        yield url
    finally:
        drop_pg(name)


def run(count: int, n: int, warmup: int, kind: str = "sqlite") -> dict[str, Any]:
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    from web.app import create_app
    from web.db_session import dispose

    statements: list[int] = []

    def count_statement(*_args: Any) -> None:
        statements.append(1)

    with tempfile.TemporaryDirectory(prefix="queue_bench_") as tmp, database(kind, tmp) as url:
        build_demo(url, None)
        found = grow(url, count)
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-secret-key-0123456789abcdef",
                          "WTF_CSRF_ENABLED": False, "TESTING": True})
        rows: list[dict[str, Any]] = []
        event.listen(Engine, "before_cursor_execute", count_statement)
        try:
            anonymous, client = app.test_client(), app.test_client()
            if client.post("/login", data={"username": "reviewer", "password": "reviewer-demo"}).status_code != 302:
                raise SystemExit("cannot log in as the demo reviewer")
            for name, path in pages(found, count // 20):
                who = anonymous if name == "login" else client
                got = measured(lambda: who.get(path), n, warmup, statements)  # noqa: B023  (called at once)
                if got["status"] != 200:
                    raise SystemExit(f"{name}: GET {path} answered {got['status']}")
                rows.append({"page": name, "path": path, "bytes": got["size"], "n": n,
                             "median_ms": round(statistics.median(got["walls"]), 2),
                             "p95_ms": round(p95(got["walls"]), 2),
                             "cpu_median_ms": round(statistics.median(got["cpus"]), 2),
                             "statements": got["statements"]})
        finally:
            event.remove(Engine, "before_cursor_execute", count_statement)
            dispose(app)
    base = rows[0]["median_ms"]
    for row in rows:
        row["ratio_to_login"] = round(row["median_ms"] / base, 2) if base else None
    return {"machine": {"python": platform.python_version(), "platform": platform.platform()},
            "applications": count, "database": kind,
            "method": f"Flask test client, {kind}, demo + {count} generated applications, "
            f"{warmup} warm-up + {n} timed GETs per page", "pages": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=10_000)
    parser.add_argument("--n", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args()
    result = run(args.applications, args.n, args.warmup, args.db)
    print(f"{'page':22} {'median ms':>10} {'p95 ms':>10} {'cpu ms':>8} {'SQL':>4} {'× login':>8}")
    for row in result["pages"]:
        print(f"{row['page']:22} {row['median_ms']:>10} {row['p95_ms']:>10} {row['cpu_median_ms']:>8} "
              f"{row['statements']:>4} {row['ratio_to_login']:>8}")
    out = RESULTS if args.db == "sqlite" else RESULTS.with_name("queue_postgresql.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
