"""Interview benchmark: how many questions each sample applicant needs, against the full form.

For every profile in sample_applicants/ (and the issue-11 SME of tests/engine/interview/), simulate the
interview with engine.interview.simulate.run_interview: start from the start-page fields (start_paths),
answer each first page from the sample's own data (a field the sample lacks counts as "不知道"), stop when
the plan is done. Reports questions asked, pages, outcomes decided (eligible or ineligible) at the end of
the interview against the full form filled with the whole sample, the full form's field count (from
web/selfcheck's page specs, or the profile schema when web is not importable: the table says which),
and the server time of plan_interview per step (median over repeats, and as a ratio of one plain
`evaluate` of the same answers, so figures from different machines compare). Not a test: nothing here
asserts a time. Prints a Markdown table and writes bench/results/interview.json.

    python bench/interview_bench.py [--repeat 5] [--ordering worth|share] [--rules DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from engine import evaluate, load_ruleset, parse_profile  # noqa: E402
from engine.decision import Outcome  # noqa: E402
from engine.interview import plan_interview  # noqa: E402
from engine.interview.simulate import InterviewRun, run_interview  # noqa: E402
from engine.model import RuleSet  # noqa: E402
from engine.names import profile_names, record_fields  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "interview.json"
SAMPLES = ROOT / "sample_applicants"
SME = ROOT / "tests" / "engine" / "interview" / "qingyuan_new_materials_sme.yaml"
AS_OF = dt.date(2025, 6, 30)  # the samples' date (tests/conftest.py)
TODAY = dt.date(2026, 11, 23)  # some samples hold dates after AS_OF
HNTE = "national.hnte_recognition"


def form_fields(kind: str) -> tuple[int, str]:
    """(fields of the full form of this kind, where the count comes from)."""
    try:
        from web.selfcheck.steps import pages

        return sum(len(page.specs) for page in pages(kind, 2)), "web/selfcheck page specs"
    except Exception:  # noqa: BLE001 - the web layer is optional here; say which count is used
        scalars = [p for p, unit in profile_names(kind).items() if unit != "list" and p != "kind"]
        years = 3 * (len(record_fields()["finance"]) - 1) if "finance" in profile_names(kind) else 0
        return len(scalars) + years, "profile schema fields"


def decided(results: Any) -> int:
    """Measures with an outcome (anything but undetermined and not applicable, so a new outcome counts too)."""
    return sum(r.outcome not in (Outcome.UNDETERMINED, Outcome.NOT_APPLICABLE) for r in results)


def until_hnte(run: InterviewRun) -> str:
    """Questions asked until 高企认定 had an outcome ("—" when it does not apply or stays undetermined)."""
    plans = [run.first] + [s.plan for s in run.steps]
    asked = [0] + [len(s.asked) for s in run.steps]
    total = 0
    for plan, n in zip(plans, asked, strict=True):
        total += n
        outcome = plan.decision.result(HNTE).outcome if any(r.measure_id == HNTE for r in plan.decision.results) \
            else Outcome.NOT_APPLICABLE
        if outcome is Outcome.NOT_APPLICABLE:
            return "—"
        if outcome is not Outcome.UNDETERMINED:
            return f"{total} ({outcome.value})"
    return "—"


def timed(fn: Any, repeat: int) -> float:
    """Median seconds of `repeat` calls."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def step_times(ruleset: RuleSet, run: InterviewRun, as_of: dt.date, repeat: int, ordering: str) -> tuple[float, float]:
    """(median seconds of plan_interview per step, median ratio to one evaluate of the same answers)."""
    inputs = [(run.start, frozenset())] + [(s.data, s.declined) for s in run.steps]
    plans, ratios = [], []
    for data, declined in inputs:
        plan_s = timed(lambda d=data, x=declined: plan_interview(ruleset, d, as_of, declined=x, today=TODAY,
                                                                 ordering=ordering), repeat)
        eval_s = timed(lambda d=data: evaluate(ruleset, parse_profile(d, TODAY), as_of), repeat)
        plans.append(plan_s)
        ratios.append(plan_s / eval_s)
    return statistics.median(plans), statistics.median(ratios)


def bench_one(ruleset: RuleSet, name: str, known: dict[str, Any], as_of: dt.date, repeat: int,
              ordering: str) -> dict[str, Any]:
    run = run_interview(ruleset, known, as_of, today=TODAY, ordering=ordering)
    full = evaluate(ruleset, parse_profile(known, TODAY), as_of)
    kind = str(known.get("kind", "enterprise"))
    fields, source = form_fields(kind)
    per_step, ratio = step_times(ruleset, run, as_of, repeat, ordering)
    start_fields = sum(1 for _ in _leaves(run.start)) - 1  # minus kind
    return {
        "sample": name, "kind": kind, "start_fields": start_fields,
        "questions": run.questions_asked, "answered": sum(len(s.answered) for s in run.steps),
        "pages": len(run.steps), "done": run.last.done, "until_hnte": until_hnte(run),
        "decided_interview": decided(run.last.decision.results), "decided_full_form": decided(full.results),
        "undetermined_left": len(run.last.undetermined), "form_fields": fields, "form_source": source,
        "plan_ms_median": round(per_step * 1000, 2), "plan_to_evaluate": round(ratio, 2),
    }


def _leaves(data: Any) -> Any:
    if isinstance(data, dict):
        for value in data.values():
            yield from _leaves(value)
    elif isinstance(data, list) and data and isinstance(data[0], dict):
        for item in data:
            yield from (v for k, v in item.items() if k != "year")
    else:
        yield data


def table(rows: list[dict[str, Any]]) -> str:
    head = ("| sample | kind | start | asked (answered) | pages | 高企认定 after | decided: interview / full form "
            "| left 待定 | full form fields | plan ms/step | ÷ evaluate |\n|---|---|---|---|---|---|---|---|---|---|---|")
    lines = [head]
    for r in rows:
        lines.append(f"| {r['sample']} | {r['kind']} | {r['start_fields']} | {r['questions']} ({r['answered']}) "
                     f"| {r['pages']} | {r['until_hnte']} | {r['decided_interview']} / {r['decided_full_form']} | {r['undetermined_left']} "
                     f"| {r['form_fields']} | {r['plan_ms_median']} | {r['plan_to_evaluate']} |")
    asked = [r["questions"] for r in rows]
    form = [r["form_fields"] for r in rows]
    lines.append(f"\nmedian questions asked {statistics.median(asked)} (start page not counted) against a median "
                 f"full form of {statistics.median(form)} fields; the full form's count: {rows[0]['form_source']}.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--ordering", choices=("worth", "share"), default="worth")
    parser.add_argument("--rules", type=Path, default=ROOT / "rules")
    args = parser.parse_args(argv)
    ruleset = load_ruleset(args.rules)
    load_before = os.getloadavg()[0]
    cases = [(p.stem, yaml.safe_load(p.read_text(encoding="utf-8")), AS_OF) for p in sorted(SAMPLES.glob("*.yaml"))]
    cases.append(("issue11_sme (tests/engine/interview)", yaml.safe_load(SME.read_text(encoding="utf-8")),
                  dt.date(2026, 6, 30)))
    rows = [bench_one(ruleset, name, known, as_of, args.repeat, args.ordering) for name, known, as_of in cases]
    print(table(rows))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    machine = {"python": platform.python_version(), "cpus": os.cpu_count(),
               "load_before": round(load_before, 2), "load_after": round(os.getloadavg()[0], 2)}
    print(f"\nmachine: {machine}")
    RESULTS.write_text(json.dumps({"ordering": args.ordering, "machine": machine, "rows": rows},
                                  ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
