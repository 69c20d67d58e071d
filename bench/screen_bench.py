"""Register screening benchmark: `subsidy screen` on generated CSV registers of 10k, 100k and 1M rows.

For each rule set (the benchmark's 12-condition 高企 + 科小 set in bench/rules, and the whole catalogue in
rules/) and register size, `subsidy screen` runs as its own process (so its memory is its own) --repeat
times (default 3; medians shown): rows/s on the wall clock, CPU seconds (the process and its workers),
peak memory (the largest resident set of the process or any worker) and the time per row relative to the
smallest register (1.0 = linear). The baseline in the same run is the naive loop — `parse_profile` then
`evaluate()` for each row — on a 1,000-row sample of the same register (rows per CPU-second of one process),
so every figure is also a ratio: of wall-clock rates, and of rows per CPU-second ("CPU × naive").
The machine is shared with other sessions: the load average before and after is recorded, and the CPU
seconds (which the others' load does not inflate as much as the wall clock) are shown beside the rates.

    python bench/screen_bench.py [--quick] [--sizes 10000,100000,1000000] [--catalogue-sizes 10000,100000]
                                 [--jobs 2] [--repeat 3] [--workers N] [--format parquet]

Writes bench/results/screen.json; the registers are generated once (fixed seed) and kept in the system's
temporary directory (subsidy-bench-registers/, ~280 MB with 1M rows). Never part of the test suite's assertions.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.generate import AS_OF, TODAY, write_register  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "screen.json"
REGISTERS = Path(tempfile.gettempdir()) / "subsidy-bench-registers"  # large files: kept out of the repository
TARGET = 50_000
STARTUP_ROWS = 100  # the fixed cost (imports, RuleSet, worker start, compilation) is measured on this many rows
RULE_SETS = {"bench": ROOT / "bench" / "rules", "catalogue": ROOT / "rules"}

MEASURE = """
import resource, subprocess, sys, json, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
wall = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"rc": done.returncode, "wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
                  "max_rss_kb": usage.ru_maxrss, "out": done.stdout[-400:], "err": done.stderr[-2000:]}))
"""


def register(n: int) -> Path:
    """The generated register of n rows (seed 7), made once."""
    path = REGISTERS / f"register-{n}.csv"
    if not path.exists():
        REGISTERS.mkdir(parents=True, exist_ok=True)
        write_register(path.with_suffix(".tmp"), n, seed=7)
        path.with_suffix(".tmp").rename(path)
    return path


def screen_once(path: Path, rules: Path, out: Path, jobs: int, workers: int | None,
                formats: str = "csv,jsonl") -> dict[str, Any]:
    """One `subsidy screen` in a fresh process, measured from a parent that does nothing else."""
    command = [str(Path(sys.executable).with_name("subsidy")), "screen", str(path), "--rules", str(rules), "--out", str(out),
               "--as-of", AS_OF.isoformat(), "--today", TODAY.isoformat(), "--jobs", str(jobs), "--format", formats]
    if workers:
        command += ["--workers", str(workers)]
    done = subprocess.run([sys.executable, "-c", MEASURE, *command], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True)
    measured = json.loads(done.stdout.strip().splitlines()[-1])
    if measured["rc"] != 0:
        raise SystemExit(f"subsidy screen failed: {measured['out']}{measured['err']}")
    return measured


def naive_rate(path: Path, rules: Path, sample: int = 1000) -> float:
    """Rows/s of parse_profile + evaluate() per row, on the first `sample` rows (CPU time of this process)."""
    from engine import evaluate, load_ruleset, parse_profile
    from engine.io import Layout

    ruleset = load_ruleset(rules)
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        layout = Layout(next(reader))
        rows = [row for _, row in zip(range(sample), reader, strict=False)]
    start = time.process_time()
    for cells in rows:
        try:
            evaluate(ruleset, parse_profile(layout.raw_profile(cells), TODAY), AS_OF)
        except Exception:  # noqa: BLE001 - a rejected row counts as screened
            continue
    return len(rows) / (time.process_time() - start)


def bench_size(name: str, rules: Path, n: int, args: argparse.Namespace, naive: float,
               fixed: float = 0.0) -> dict[str, Any]:
    runs = []
    with tempfile.TemporaryDirectory(prefix="screen_bench_") as tmp:
        for _ in range(args.repeat):
            runs.append(screen_once(register(n), rules, Path(tmp) / "out", args.jobs, args.workers, args.format))
    wall = statistics.median(r["wall"] for r in runs)
    cpu = statistics.median(r["cpu"] for r in runs)
    return {"rules": name, "rows": n, "runs": len(runs), "wall_s": round(wall, 3), "cpu_s": round(cpu, 3),
            "rows_per_s": round(n / wall), "rows_per_cpu_s": round(n / cpu),
            "peak_rss_mb": round(max(r["max_rss_kb"] for r in runs) / 1024, 1),
            "runs_wall_s": [round(r["wall"], 3) for r in runs], "naive_rows_per_s": round(naive),
            "ratio_to_naive": round(n / wall / naive, 1), "ratio_to_naive_cpu": round(n / cpu / naive, 1),
            "fixed_s": round(fixed, 3),
            "marginal_rows_per_s": round((n - STARTUP_ROWS) / (wall - fixed)) if wall > fixed else None}


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10k and 100k rows of the benchmark rules, 10k of "
                                                             "the catalogue, 3 runs")
    parser.add_argument("--sizes", default="10000,100000,1000000", help="register sizes, benchmark rules")
    parser.add_argument("--catalogue-sizes", default="10000,100000", help="register sizes, whole catalogue")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--workers", type=int, default=None, help="run on a local Dask cluster of N workers")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--format", default="csv,jsonl", help="subsidy screen --format: the result files written "
                                                              "(csv,jsonl as by default; parquet)")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    sizes = {"bench": [int(x) for x in ("10000,100000" if args.quick else args.sizes).split(",") if x],
             "catalogue": [int(x) for x in ("10000" if args.quick else args.catalogue_sizes).split(",") if x]}
    before = load_average()
    table = []
    for name, rules in RULE_SETS.items():
        if not sizes[name]:
            continue
        naive = naive_rate(register(sizes[name][0]), rules)
        fixed = bench_size(name, rules, STARTUP_ROWS, args, naive)["wall_s"]
        rows = [bench_size(name, rules, n, args, naive, fixed) for n in sizes[name]]
        for row in rows:
            row["per_row_vs_smallest"] = round(row["wall_s"] / row["rows"] / (rows[0]["wall_s"] / rows[0]["rows"]), 2)
            row["cpu_per_row_vs_smallest"] = round(row["cpu_s"] / row["rows"] / (rows[0]["cpu_s"] / rows[0]["rows"]),
                                                   2)
        table += rows
    result = {"machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
                          "load_average_before": before, "load_average_after": load_average(),
                          "note": "shared with six other sessions: wall-clock rates move with their load"},
              "jobs": args.jobs, "workers": args.workers, "format": args.format, "target_rows_per_s": TARGET, "table": table}
    print(f"Register screening — subsidy screen --jobs {args.jobs}{f' --workers {args.workers}' if args.workers else ''} "
          f"--format {args.format}, "
          f"median of {args.repeat}, {os.cpu_count()} CPUs, load average {before} → {result['machine']['load_average_after']}")
    print(f"{'rules':<10}{'rows':>10}{'rows/s':>10}{'marginal':>10}{'rows/CPU-s':>12}{'wall s':>9}{'CPU s':>8}"
          f"{'peak MB':>9}{'per row ×':>10}{'× naive':>9}{'CPU × naive':>12}")
    for row in table:
        print(f"{row['rules']:<10}{row['rows']:>10,}{row['rows_per_s']:>10,}{row['marginal_rows_per_s'] or 0:>10,}"
              f"{row['rows_per_cpu_s']:>12,}{row['wall_s']:>9.2f}{row['cpu_s']:>8.2f}{row['peak_rss_mb']:>9.0f}"
              f"{row['per_row_vs_smallest']:>10.2f}{row['ratio_to_naive']:>9.1f}{row['ratio_to_naive_cpu']:>12.1f}")
    print("marginal = rows/s past the fixed cost (imports, RuleSet, workers, compilation: the wall time of "
          f"{STARTUP_ROWS} rows) · " + ", ".join(f"fixed {r['rules']} {r['fixed_s']:.1f} s" for r in
                                                 {r['rules']: r for r in table}.values()))
    naive = {r["rules"]: r["naive_rows_per_s"] for r in table}
    print("naive loop (parse_profile + evaluate() per row): "
          + ", ".join(f"{name} {rate:,} rows/s" for name, rate in naive.items()) + f" · target ≥ {TARGET:,} rows/s")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
