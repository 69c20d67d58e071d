"""Before/after on one machine: the per-profile figures of two source trees, measured in turn.

    git archive 7174e42 | tar -x -C /tmp/before        # the tree to compare with (any commit)
    python bench/compare.py /tmp/before . [--rounds 3]

Each round runs one fresh process per tree, one after the other, so both see about the same load of the
shared machine; every figure is thread CPU time (median over samples), and the table shows the median over
rounds of each tree with the ratio after/before. The hand-written function of the benchmark rules is timed
in both processes, as the same-process baseline. Nothing here is asserted.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

MEASURE = r"""
import datetime as dt, gc, json, statistics, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
import yaml
from bench import reference
from bench.durable_bench import registered_by
from bench.generate import AS_OF, TODAY, generate, threshold_profiles
from engine import evaluate, load_ruleset, parse_profile
from engine.fast import compile_ruleset, fast_evaluate, summarise

ROOT = Path(sys.argv[1])


def interleaved(cases, repeat=3):
    samples = {name: [] for name in cases}
    gc.collect()
    for _ in range(repeat):  # blocks of warm calls, taking turns
        for name, (fn, items) in cases.items():
            for item in items:
                start = time.thread_time_ns()
                fn(item)
                samples[name].append(time.thread_time_ns() - start)
    return {name: statistics.median(found) / 1000 for name, found in samples.items()}


rules = load_ruleset(ROOT / "bench" / "rules")
program = compile_ruleset(rules, AS_OF)
sample = generate(1000, seed=7)[0] + threshold_profiles()
models = [parse_profile(p, TODAY) for p in sample]
limit = dt.date.fromordinal(registered_by(AS_OF))
out = interleaved({"bench: hand-written": (lambda p: reference.decide(p, AS_OF, limit), sample),
                   "bench: no trace": (program.verdicts, models), "bench: full trace": (program.decide, models)})
catalogue = load_ruleset(ROOT / "rules")
program = compile_ruleset(catalogue, AS_OF)
samples = [parse_profile(yaml.safe_load(p.read_text(encoding="utf-8")), dt.date(2030, 1, 1))
           for p in sorted((ROOT / "sample_applicants").glob("*.yaml"))] * 5
out.update(interleaved({
    "catalogue: no trace": (program.verdicts, samples), "catalogue: decide": (program.decide, samples),
    "catalogue: summary": (lambda m: summarise(catalogue, m, AS_OF), samples),
    "catalogue: fast_evaluate + JSON": (lambda m: fast_evaluate(catalogue, m, AS_OF).to_json(), samples),
    "catalogue: evaluate() + JSON": (lambda m: evaluate(catalogue, m, AS_OF).to_json(), samples)}))
print(json.dumps(out))
"""


def measure(tree: Path) -> dict[str, float]:
    done = subprocess.run([sys.executable, "-c", MEASURE, str(tree.resolve())], capture_output=True, text=True,
                          check=True, cwd=tree)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    runs: dict[str, list[dict[str, float]]] = {"before": [], "after": []}
    for _ in range(args.rounds):
        runs["before"].append(measure(args.before))
        runs["after"].append(measure(args.after))
    print(f"{'figure (µs, thread CPU, median of rounds)':<42}{'before':>10}{'after':>10}{'after/before':>14}")
    for name in runs["after"][0]:
        before = statistics.median(r[name] for r in runs["before"])
        after = statistics.median(r[name] for r in runs["after"])
        print(f"{name:<42}{before:>10,.1f}{after:>10,.1f}{after / before:>14.2f}")
    for key in ("before", "after"):
        ratios = [r["bench: no trace"] / r["bench: hand-written"] for r in runs[key]]
        full = [r["bench: full trace"] / r["bench: hand-written"] for r in runs[key]]
        print(f"{key}: benchmark rules no trace {statistics.median(ratios):.2f}× hand-written, "
              f"full trace {statistics.median(full):.2f}×")


if __name__ == "__main__":
    main()
