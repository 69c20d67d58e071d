"""Before/after on one machine: the per-profile figures of two source trees, measured in turn.

    git archive 7174e42 | tar -x -C /tmp/before        # the tree to compare with (any commit)
    python bench/compare.py /tmp/before . [--rounds 3]
    python bench/compare.py /tmp/before . --instructions  # instructions per call under callgrind (valgrind)

Each round runs one fresh process per tree, one after the other, so both see about the same load of the
shared machine; every figure is thread CPU time (median over samples), and the table shows the median over
rounds of each tree with the ratio after/before. The hand-written function of the benchmark rules is timed
in both processes, as the same-process baseline. Nothing here is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
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


def instructions(cases):  # under callgrind (--instructions): each case's own instructions per item
    import os, subprocess
    for name, (fn, items) in cases.items():
        for item in items:
            fn(item)  # warm
        gc.collect()
        gc.freeze()  # what is loaded is not scanned again by every collection: the count is the case's own
        subprocess.run(["callgrind_control", "-z", str(os.getpid())], capture_output=True)
        subprocess.run(["callgrind_control", "-i", "on", str(os.getpid())], capture_output=True)
        for item in items:
            fn(item)
        subprocess.run(["callgrind_control", "-i", "off", str(os.getpid())], capture_output=True)
        DUMPED.append((name, len(items)))
        subprocess.run(["callgrind_control", f"--dump=case{len(DUMPED)}", str(os.getpid())], capture_output=True)
    return {name: [i + 1, n] for i, (name, n) in enumerate(DUMPED) if name in cases}


DUMPED = []

def interleaved(cases, repeat=3):
    if sys.argv[2:] == ["instructions"]:
        return instructions(cases)
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


def measure(tree: Path, count: bool = False) -> dict[str, float]:
    """The tree's figures: µs of thread CPU, or (count) instructions per call counted by callgrind."""
    if not count:
        done = subprocess.run([sys.executable, "-c", MEASURE, str(tree.resolve())], capture_output=True, text=True,
                              check=True, cwd=tree)
        return json.loads(done.stdout.strip().splitlines()[-1])
    with tempfile.TemporaryDirectory() as out:
        done = subprocess.run(["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}/cg.%p",
                               sys.executable, "-c", MEASURE, str(tree.resolve()), "instructions"], capture_output=True,
                              text=True, check=True, cwd=tree, env={**os.environ, "PYTHONHASHSEED": "0"})
        totals = {}
        for dump in Path(out).glob("cg.*.*"):
            text = dump.read_text(encoding="utf-8", errors="replace")
            trigger = re.search(r"^desc: Trigger: .*dump case(\d+)$", text, re.M)
            total = re.search(r"^totals: (\d+)", text, re.M)
            if trigger and total:
                totals[int(trigger.group(1))] = int(total.group(1))
        cases = json.loads(done.stdout.strip().splitlines()[-1])
        return {name: totals[i] / n for name, (i, n) in cases.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--instructions", action="store_true",
                        help="instructions per call under callgrind instead of CPU time (exact under any load; slow)")
    args = parser.parse_args()
    runs: dict[str, list[dict[str, float]]] = {"before": [], "after": []}
    for _ in range(1 if args.instructions else args.rounds):
        runs["before"].append(measure(args.before, args.instructions))
        runs["after"].append(measure(args.after, args.instructions))
    unit = "instructions per call, callgrind" if args.instructions else "µs, thread CPU, median of rounds"
    width, places = (14, 0) if args.instructions else (10, 1)
    print(f"{'figure (' + unit + ')':<42}{'before':>{width}}{'after':>{width}}{'after/before':>14}")
    for name in runs["after"][0]:
        before = statistics.median(r[name] for r in runs["before"])
        after = statistics.median(r[name] for r in runs["after"])
        print(f"{name:<42}{before:>{width},.{places}f}{after:>{width},.{places}f}{after / before:>14.2f}")
    for key in ("before", "after"):
        ratios = [r["bench: no trace"] / r["bench: hand-written"] for r in runs[key]]
        full = [r["bench: full trace"] / r["bench: hand-written"] for r in runs[key]]
        print(f"{key}: benchmark rules no trace {statistics.median(ratios):.2f}× hand-written, "
              f"full trace {statistics.median(full):.2f}×")


if __name__ == "__main__":
    main()
