"""Triage throughput: flags for N generated applications, durable-rules against the reference evaluator.

    python bench/triage_bench.py [N] [--seed 7] [--repeat 1]

The applications are ApplicationFacts built to collide the way a real queue does (a few organisations
with several applications or two names, shared phones and e-mails, repeated project keys, mutually
exclusive measures, near misses, inconsistent figures, sales jumps, stale statuses) and are triaged as one
set by the project's rules/triage with the catalogue's exclusions and a register of 1 % of the codes. Both
engines must return identical flags (asserted); the figure is applications per second of `triage()`,
including the durable adapter's fact encoding. Building the facts is not timed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.generate import REGIONS, credit_code  # noqa: E402
from engine.triage import (  # noqa: E402
    ApplicationFacts,
    Exclusions,
    Register,
    RegisterEntry,
    TriageResult,
    TriageRuleSet,
    durable_engine,
    load_triage_rules,
    triage,
)
from engine.triage.run import EngineChoice  # noqa: E402

TODAY = dt.date(2025, 7, 1)
WAN = 10_000
MEASURES = ["national.hnte_recognition", "gd.hnte_cultivation", "qy.hnte_first_award", "qy.hnte_reaward",
            "sg.rd_subsidy", "qc.rd_subsidy", "qy.incubator_award", "national.sme_tech_evaluation"]
EXCLUSIONS = Exclusions.of({"qy.hnte_first_award": ["qy.hnte_reaward"], "sg.rd_subsidy": ["qc.rd_subsidy"]})
STATUSES = ["submitted", "screened", "in_review", "info_requested", "appeal", "approved"]


def applications(n: int, seed: int = 7) -> list[ApplicationFacts]:
    """N applications; about one organisation per 1.3 applications, so joins have work to do."""
    rng = random.Random(seed)
    orgs = max(1, int(n / 1.3))
    out = []
    for i in range(n):
        org = rng.randrange(orgs)
        code = credit_code(REGIONS[org % len(REGIONS)], org + 1)
        name = f"清远测试{org}号科技有限公司" if rng.random() > 0.01 else f"清远测试{org}号科技（集团）公司"
        measures = rng.sample(MEASURES, rng.choice([1, 1, 2, 3]))
        decision: list[dict[str, Any]] = []
        for measure in measures:
            roll = rng.random()
            if roll < 0.55:
                decision.append({"measure_id": measure, "outcome": "eligible"})
            elif roll < 0.65:
                decision.append({"measure_id": measure, "outcome": "ineligible",
                                 "gaps": [{"condition": "rd_ratio", "shortfall": f"0.0{rng.randint(1, 9)}"}]})
            elif roll < 0.8:
                decision.append({"measure_id": measure, "outcome": "undetermined", "missing": ["finance"]})
            else:
                decision.append({"measure_id": measure, "outcome": "ineligible",
                                 "gaps": [{"condition": "staff_ratio", "shortfall": "0.3"}]})
        sales = rng.randint(500, 20_000) * WAN
        finance = []
        for year in (2022, 2023, 2024):
            jump = 12 if rng.random() < 0.005 else 1
            sales_y = sales * jump * rng.randint(90, 110) // 100
            rd = sales_y * rng.randint(2, 9) // 100 if rng.random() > 0.003 else sales_y + WAN
            income = sales_y + rng.randint(0, 50) * WAN
            assets = sales_y * rng.randint(60, 160) // 100
            finance.append({"year": year, "sales": sales_y, "total_income": income,
                            "hitech_income": income * rng.randint(50, 95) // 100, "rd_expense": rd,
                            "total_assets": assets, "net_assets": assets * rng.randint(20, 90) // 100})
        staff = rng.randint(10, 500)
        sci = staff * rng.randint(5, 60) // 100 if rng.random() > 0.003 else staff + 1
        out.append(ApplicationFacts.model_validate(dict(
            application_id=f"A{i:06d}", credit_code=code, name=name,
            contact_phone=f"1380000{rng.randrange(n):04d}"[:11] if rng.random() < 0.9 else None,
            contact_email=f"finance{org}@example.cn" if rng.random() > 0.002 else "shared@agent.example.cn",
            measures=tuple(measures),
            project_keys=(f"P{org}-{rng.randint(1, 3)}",) if rng.random() < 0.3 else (),
            status=rng.choice(STATUSES), status_since=TODAY - dt.timedelta(days=rng.randint(0, 40)),
            decision=tuple(decision),
            figures={"staff": {"total": staff, "sci_tech": sci}, "finance": finance},
            declared={"dishonesty": False, "incident": rng.choice([False, None])},
            materials_complete=rng.random() < 0.8,
        )))
    return out


def register_for(apps: list[ApplicationFacts], seed: int = 7) -> Register:
    rng = random.Random(seed + 1)
    codes = sorted({a.credit_code for a in apps})
    picked = rng.sample(codes, max(1, len(codes) // 100))
    return Register(entries=tuple(RegisterEntry(credit_code=c, kind="dishonesty", reason="测试") for c in picked))


def timed(apps: list[ApplicationFacts], register: Register, rules: TriageRuleSet, engine: EngineChoice,
          repeat: int) -> tuple[float, TriageResult]:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = triage(apps, register, TODAY, rules, exclusions=EXCLUSIONS, engine=engine)
        best = min(best, time.perf_counter() - start)
    assert result is not None
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, nargs="?", default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=1, help="best of this many runs per engine")
    parser.add_argument("--engines", default="durable,reference",
                        help="comma-separated: durable, reference (the reference is quadratic: ~12 min at 10,000)")
    args = parser.parse_args()
    rules = load_triage_rules(ROOT / "rules" / "triage")
    start = time.perf_counter()
    apps = applications(args.n, args.seed)
    register = register_for(apps, args.seed)
    print(f"{args.n:,} applications built in {time.perf_counter() - start:.1f} s; triage rules {rules.hash[:12]}, "
          f"{len(register.entries)} register entries, today {TODAY}")
    results = {}
    adapter, why = durable_engine()
    if adapter is None:
        print(f"durable-rules  not available ({why})")
    elif "durable" in args.engines:
        try:
            seconds, results["durable"] = timed(apps, register, rules, "durable", args.repeat)
            print(f"durable-rules  {seconds:8.2f} s  {args.n / seconds:10,.1f} applications/s  "
                  f"({results['durable'].engine_used})", flush=True)
        except adapter.DurableRunError as exc:  # seen once at 10,000: MessageObservedException on distinct facts
            print(f"durable-rules  FAILED: {exc}", flush=True)
    if "reference" in args.engines:
        seconds, results["reference"] = timed(apps, register, rules, "reference", args.repeat)
        print(f"reference      {seconds:8.2f} s  {args.n / seconds:10,.1f} applications/s", flush=True)
    if len(results) == 2:
        assert results["durable"].flags == results["reference"].flags, "durable-rules and the reference disagree"
        print("identical flags on both engines")
    for result in list(results.values())[:1]:
        counts = Counter(f.rule_id for f in result.flags)
        print(f"{len(result.flags):,} flags on {len({f.application_id for f in result.flags}):,} applications: "
              + ", ".join(f"{rule} {count}" for rule, count in sorted(counts.items())))


if __name__ == "__main__":
    main()
