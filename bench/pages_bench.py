"""Page benchmark: server-side time of the main HTML pages, through the Flask test client (no network).

Builds the demo database (`subsidy demo`: every sample applicant decided as of 2025-06-30, one account per
role) in a temp SQLite file, logs each role in with its own client, then requests every page N times in
turn (after a warm-up) and reports the median and p95 in milliseconds. Two baselines run in the same
session: the static CSS file (the app's floor: routing, headers, no template, no database) and GET /login
(a small template, no database read); every page is also given as a ratio of the /login median, so
figures from different machines compare. Prints a table and writes bench/results/pages.json.
Never part of the test suite's assertions.

    python bench/pages_bench.py [--n 50] [--warmup 5] [--rules DIR]
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results" / "pages.json"
AS_OF = "2025-06-30"
BASELINE = "login"
ACCOUNTS = {"reviewer": "reviewer-demo", "auditor": "auditor-demo", "admin": "admin-demo"}  # subsidy demo


def build_demo(url: str, rules: Path | None) -> None:
    from click.testing import CliRunner

    from web.cli import main

    args = ["demo", "--db", url, *(["--rules", str(rules)] if rules else [])]
    result = CliRunner().invoke(main, args)
    if result.exit_code != 0:
        raise SystemExit(f"subsidy demo failed ({result.exit_code}):\n{result.output}")


def clients(app: Any) -> dict[str, Any]:
    """An anonymous client with the self-check filled in, and one logged-in client per staff role."""
    from tests.web.conftest import PAGES  # the sample enterprise as typed into the self-check pages

    anonymous = app.test_client()
    anonymous.post("/selfcheck/", data={"kind": "enterprise"})
    for page, data in PAGES.items():
        response = anonymous.post(f"/selfcheck/enterprise/{page}", data={**data, "action": "next"})
        if response.status_code != 302:
            raise SystemExit(f"self-check page {page} refused the sample answers ({response.status_code})")
    fresh = app.test_client()  # a visitor who has chosen the kind and typed nothing yet
    fresh.post("/selfcheck/", data={"kind": "enterprise"})
    out = {"anonymous": anonymous, "fresh": fresh}
    for role in ("reviewer", "auditor", "admin"):
        client = app.test_client()
        response = client.post("/login", data={"username": role, "password": ACCOUNTS[role]})
        if response.status_code != 302:
            raise SystemExit(f"cannot log in as {role} ({response.status_code})")
        out[role] = client
    return out


def pages() -> list[tuple[str, str, str]]:
    """(name, client, path) of every timed request; the baselines first. A self-check page is timed as first shown
    (the load benchmark's visitors see every page so) and with answers typed."""
    return [
        ("static_css", "anonymous", "/static/css/site.css"),
        ("login", "anonymous", "/login"),
        ("selfcheck_start", "anonymous", "/selfcheck/"),
        ("selfcheck_identity", "fresh", "/selfcheck/enterprise/identity"),  # as first shown: pickers, nothing typed
        ("selfcheck_finance", "fresh", "/selfcheck/enterprise/finance"),
        ("selfcheck_saved", "anonymous", "/selfcheck/enterprise/finance"),  # the answers typed shown back
        ("selfcheck_result", "anonymous", f"/selfcheck/result?as_of={AS_OF}"),
        ("review_queue", "reviewer", "/review/"),
        ("review_application", "reviewer", "/review/applications/1"),
        ("audit_decision", "auditor", "/audit/decisions/1"),
        ("admin_catalogue", "admin", "/admin/"),
    ]


def timed(get: Callable[[], Any], n: int, warmup: int) -> tuple[list[float], int, int]:
    """n timings in ms (after `warmup` untimed requests), the status code and the body size."""
    status, size = 0, 0
    for _ in range(warmup):
        get()
    times = []
    for _ in range(n):
        start = time.perf_counter()
        response = get()
        body = response.get_data()  # the body is part of the work
        times.append((time.perf_counter() - start) * 1000)
        status, size = response.status_code, len(body)
        response.close()
    return times, status, size


def p95(values: list[float]) -> float:
    """The nearest-rank 95th percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def run(n: int, warmup: int, rules: Path | None) -> dict[str, Any]:
    from web.app import create_app
    from web.db_session import dispose

    with tempfile.TemporaryDirectory(prefix="pages_bench_") as tmp:
        url = f"sqlite:///{Path(tmp) / 'demo.db'}"
        build_demo(url, rules)
        config = {"DATABASE_URL": url, "SECRET_KEY": "bench-secret-key-0123456789abcdef",
                  "WTF_CSRF_ENABLED": False, "TESTING": True}
        if rules:
            config["RULES_DIR"] = str(rules)
        app = create_app(config)
        try:
            by_role = clients(app)
            rows: list[dict[str, Any]] = []
            for name, who, path in pages():
                client = by_role[who]
                times, status, size = timed(lambda: client.get(path), n, warmup)  # noqa: B023  (called at once)
                if status != 200:
                    raise SystemExit(f"{name}: GET {path} as {who} answered {status}, not 200")
                rows.append({"page": name, "as": who, "path": path, "status": status, "bytes": size, "n": n,
                             "median_ms": round(statistics.median(times), 3), "p95_ms": round(p95(times), 3),
                             "min_ms": round(min(times), 3)})
        finally:
            dispose(app)
    base = next(r for r in rows if r["page"] == BASELINE)
    for row in rows:
        row["ratio_to_login"] = round(row["median_ms"] / base["median_ms"], 2) if base["median_ms"] else None
    return {
        "machine": {"python": platform.python_version(), "platform": platform.platform(),
                    "processor": platform.processor() or platform.machine()},
        "method": "Flask test client in one process, SQLite demo database (subsidy demo), "
                  f"{warmup} warm-up + {n} timed GETs per page, pages timed one after another",
        "baseline": BASELINE,
        "pages": rows,
    }


def table(result: dict[str, Any]) -> str:
    head = f"{'page':<20} {'as':<10} {'median ms':>10} {'p95 ms':>10} {'× login':>8} {'KiB':>7}"
    lines = [head, "-" * len(head)]
    for r in result["pages"]:
        lines.append(f"{r['page']:<20} {r['as']:<10} {r['median_ms']:>10.2f} {r['p95_ms']:>10.2f} "
                     f"{r['ratio_to_login']:>8.2f} {r['bytes'] / 1024:>7.1f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=50, help="timed requests per page (default 50)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed requests per page first (default 5)")
    parser.add_argument("--rules", type=Path, help="rule directory (default: the app's RULES_DIR)")
    parser.add_argument("--out", type=Path, default=RESULTS, help=f"JSON output (default {RESULTS})")
    args = parser.parse_args(argv)
    result = run(max(1, args.n), max(0, args.warmup), args.rules)
    print(table(result))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nwritten: {args.out}")


if __name__ == "__main__":
    main()
