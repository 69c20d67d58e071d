"""Submission cost against queue size (issue 18): the store's submit + incremental triage at 100 and 10,000 open
applications, in-process (no HTTP, no other load from this program), on SQLite and PostgreSQL.

    .venv/bin/python -m bench.load_triage                     # both databases, 100 and 10,000
    .venv/bin/python -m bench.load_triage --db sqlite --sizes 100 2000 --submissions 20

For each size: the open applications are filled in bulk (bench.load_test.fill: a different company each),
then --submissions applications are stored the way a submission stores them (queries.submit_and_decide, with
its "to triage" mark) and triaged the way the site's triage thread triages them (web.store.triage_due.drain:
triage_queries.retriage of the marked, the marks removed in its transaction), each part timed — the submission's
part is what the request waits for, the triage's is done after its answer; the median and p95 of the sum are
reported with the ratio to the smallest size, and each part's median. For comparison, one *full* re-triage (what every submission
cost before: the whole queue under the triage lock) is timed at each size. Figures are ratios within one
run; the machine's load average is printed beside them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import time
from pathlib import Path
from typing import Any

from bench.load_test import AWARD, company, create_pg, drop_pg, fill, prepare, write_rules


def _time_submissions(url: str, rules: Path, first: int, count: int) -> list[tuple[float, float]]:
    """(submission, triage) seconds of each submission."""
    from engine import evaluate, load_ruleset, parse_profile
    from engine.triage import Exclusions, load_triage_rules
    from web.store import queries, triage_due
    from web.store.db import make_engine, make_session_factory

    ruleset = load_ruleset(rules)
    triage_rules = load_triage_rules(Path(__file__).resolve().parents[1] / "rules" / "triage")
    exclusions = Exclusions.from_ruleset(ruleset)
    as_of = dt.date(2025, 6, 30)
    engine = make_engine(url)
    times = []
    try:
        with make_session_factory(engine)() as session:
            for n in range(first, first + count):
                data = company(n)
                parsed = parse_profile(data, as_of)
                decision = evaluate(ruleset, parsed, as_of, measures=[AWARD])
                started = time.perf_counter()
                queries.submit_and_decide(session, profile=parsed.profile, profile_data=data, ruleset=ruleset,
                                          decision=decision, checked_on=as_of, measures=[AWARD],
                                          extra=lambda s, _head, app, _row: triage_due.mark(s, app.id))
                stored = time.perf_counter()
                assert triage_due.drain(session, triage_rules, exclusions=exclusions, today=lambda: as_of) == 1
                times.append((stored - started, time.perf_counter() - stored))
    finally:
        engine.dispose()
    return times


def _time_full(url: str, rules: Path) -> float:
    from engine import load_ruleset
    from engine.triage import Exclusions, load_triage_rules
    from web.store import triage_queries
    from web.store.db import make_engine, make_session_factory

    triage_rules = load_triage_rules(Path(__file__).resolve().parents[1] / "rules" / "triage")
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            started = time.perf_counter()
            triage_queries.retriage(session, None, dt.date(2025, 6, 30), triage_rules,
                                    exclusions=Exclusions.from_ruleset(load_ruleset(rules)))
            return time.perf_counter() - started
    finally:
        engine.dispose()


def run_db(kind: str, args: argparse.Namespace) -> dict[str, Any]:
    tmp = Path(args.tmp) / kind
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    rules = write_rules(tmp / "rules")
    pg_name = None
    url = f"sqlite:///{tmp / 'triage.db'}"
    if kind == "postgresql":
        pg_name, url = create_pg()
    rows = []
    try:
        prepare(url, rules, 0)
        filled, next_company = 0, 5 * 10**6
        for size in args.sizes:
            fill(url, rules, 10**6 + filled, size - filled)
            filled = size
            load = os.getloadavg()[0]
            parts = _time_submissions(url, rules, next_company, args.submissions)
            times = sorted(a + b for a, b in parts)
            next_company += args.submissions
            filled += args.submissions
            full = _time_full(url, rules) if not args.skip_full else None
            rows.append({"open": size, "median_ms": round(statistics.median(times) * 1000, 1),
                         "p95_ms": round(times[min(len(times) - 1, int(0.95 * len(times)))] * 1000, 1),
                         "submit_median_ms": round(statistics.median(a for a, _ in parts) * 1000, 1),
                         "triage_median_ms": round(statistics.median(b for _, b in parts) * 1000, 1),
                         "full_retriage_s": round(full, 2) if full is not None else None,
                         "loadavg_1m": round(load, 2)})
            print(kind, rows[-1], flush=True)
    finally:
        if pg_name:
            drop_pg(pg_name)
    base = rows[0]["median_ms"]
    for row in rows:
        row["ratio_to_smallest"] = round(row["median_ms"] / base, 2)
    return {"database": kind, "rows": rows}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"])
    parser.add_argument("--sizes", nargs="+", type=int, default=[100, 10_000])
    parser.add_argument("--submissions", type=int, default=30)
    parser.add_argument("--skip-full", action="store_true", help="do not time the full re-triage")
    parser.add_argument("--tmp", default="/tmp/subsidy-triage-bench")
    args = parser.parse_args()
    results = [run_db(kind, args) for kind in args.db]
    print("| database | open applications | submit + triage median (ms) | p95 (ms) | ratio | submit median (ms) | "
          "triage median (ms) | full re-triage (s) | load |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        for row in r["rows"]:
            print(f"| {r['database']} | {row['open']:,} | {row['median_ms']} | {row['p95_ms']} | "
                  f"{row['ratio_to_smallest']} | {row['submit_median_ms']} | {row['triage_median_ms']} | "
                  f"{row['full_retriage_s']} | {row['loadavg_1m']} |")
    Path(args.tmp).mkdir(parents=True, exist_ok=True)
    (Path(args.tmp) / "results.json").write_text(json.dumps(results, indent=2), "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
