"""Interview benchmark: how many answers each applicant gives, counted as a browser user walks the pages.

For every profile in sample_applicants/ and the six personas of tests/engine/interview/personas/ (the issue's
Qingyuan SME, a firm outside the catalogue, a two-year-old startup answering 不知道 to finance, an incubator, a
research institute, a doctoral talent), simulate the interview with engine.interview.simulate.run_interview:
the start page (start_paths), then each first page answered from the profile's own data (a field it lacks is
"不知道"), until the plan is done. Answers are counted as the web pages show them: the kind picker (1), every
field of the start page whether the profile fills it or not, and every question of every interview page
(不知道 included: the user saw it and answered it), a grouped unit answered with one "以上情形均没有"
counting once (engine/interview/batch.py; item by item where one of them applies or is not known). "key
decided after" counts them up to the page after which the kind's key measure had an outcome; the full form counts the kind picker and every field of
web/selfcheck's page specs. Also reports outcomes decided against the full profile, measures left 待定 and
why (declined = 不知道; "no field" = a measure waits for a field the kind's pages cannot ask — must be 0), and
the server time of plan_interview per step (median, and as a ratio of one `evaluate`). Not a test: nothing
here asserts a time. Prints a Markdown table, the medians and, last, the SME line; writes
bench/results/interview.json.

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
from engine.interview.start import named, shown_start_paths  # noqa: E402
from engine.model import RuleSet  # noqa: E402
from engine.names import profile_names, record_fields  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "interview.json"
SAMPLES = ROOT / "sample_applicants"
INTERVIEW = ROOT / "tests" / "engine" / "interview"
SME = INTERVIEW / "qingyuan_new_materials_sme.yaml"
PERSONAS = (("SME (issue 21)", SME), ("outside the catalogue", INTERVIEW / "personas" / "outside_catalogue_firm.yaml"),
            ("startup, 不知道 to finance", INTERVIEW / "personas" / "startup_dont_know_finance.yaml"),
            ("incubator", INTERVIEW / "personas" / "incubator.yaml"),
            ("research institute", INTERVIEW / "personas" / "research_institute.yaml"),
            ("doctoral talent", INTERVIEW / "personas" / "doctoral_talent.yaml"))
AS_OF = dt.date(2025, 6, 30)  # the samples' date (tests/conftest.py)
PERSONA_AS_OF = dt.date(2026, 6, 30)
TODAY = dt.date(2026, 11, 23)  # some samples hold dates after AS_OF
HNTE = "national.hnte_recognition"
KEY = {"enterprise": (HNTE,), "incubator": ("national.incubator_national", "qingyuan.incubator_support",
                                           "shaoguan.incubation_post_subsidy", "national.maker_space_national"),
       "institution": ("guangdong.new_rd_institution_provincial", "national.new_rd_institution_most",
                       "qingcheng.new_rd_institution_fund"),
       "talent": ("qingcheng.yinfeng_talent", "shaoguan.danxia_talent", "guangdong.special_support_plan"),
       "team": ("guangdong.pearl_river_talent_teams",)}
"""The measure whose outcome an applicant of each kind comes for: the first of these that applies to it."""


def form_fields(ruleset: RuleSet, kind: str) -> tuple[int, str]:
    """(answers of the full form of this kind: the kind picker and every field of its pages, where from)."""
    try:
        from engine.interview.reads import kind_reads
        from web.answers.steps import pages

        reads = None if kind == "enterprise" else kind_reads(ruleset, kind)
        return 1 + sum(len(page.specs) for page in pages(kind, 2, reads=reads)), \
            "web/selfcheck page specs + the kind picker"
    except Exception:  # noqa: BLE001 - the web layer is optional here; say which count is used
        scalars = [p for p, unit in profile_names(kind).items() if unit != "list" and p != "kind"]
        years = 3 * (len(record_fields()["finance"]) - 1) if "finance" in profile_names(kind) else 0
        return 1 + len(scalars) + years, "profile schema fields + the kind picker"


def decided(results: Any) -> int:
    """Measures with an outcome (anything but undetermined and not applicable, so a new outcome counts too)."""
    return sum(r.outcome not in (Outcome.UNDETERMINED, Outcome.NOT_APPLICABLE) for r in results)


def start_page(kind: str, as_of: dt.date) -> int:
    """Answers of the kind picker (1) and of the start page (every field it shows)."""
    return 1 + len(shown_start_paths(kind, as_of))


def key_measure(run: InterviewRun, kind: str) -> str | None:
    """The kind's key measure: the first of KEY[kind] that applies after the start page."""
    for measure_id in KEY.get(kind, ()):
        if any(r.measure_id == measure_id and r.outcome is not Outcome.NOT_APPLICABLE for r in run.first.decision.results):
            return measure_id
    return None


def answers_until(run: InterviewRun, measure_id: str | None, start: int) -> str:
    """Answers (browser count) until `measure_id` had an outcome: "n (outcome)", or "—"."""
    if measure_id is None:
        return "—"
    plans = [run.first] + [s.plan for s in run.steps]
    asked = [start] + [s.answers for s in run.steps]
    total = 0
    for plan, n in zip(plans, asked, strict=True):
        total += n
        outcome = plan.decision.result(measure_id).outcome
        if outcome is not Outcome.UNDETERMINED:
            return f"{total} ({outcome.value})"
    return "— (待定)"


def left_reasons(run: InterviewRun) -> tuple[int, int, int]:
    """Measures left 待定: (waiting for answers of 不知道, waiting for nothing the applicant can give — a draft
    measure, an expert's judgement, a score straddling its threshold —, waiting for a field no page asked: a
    dead end, must be 0). A whole fiscal year counts as asked once any field of it was."""
    seen = set(run.last.declined) | {p for s in run.steps for p in s.asked}
    declined, nothing, dead = 0, 0, 0
    for measure_id in run.last.undetermined:
        missing = run.last.decision.result(measure_id).missing
        if not missing:
            nothing += 1
        elif all(p in seen or any(q.startswith(p + ".") for q in seen) for p in missing):
            declined += 1
        else:
            dead += 1
    return declined, nothing, dead


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
        eval_s = timed(lambda d=data: evaluate(ruleset, parse_profile(named(d), TODAY), as_of), repeat)
        plans.append(plan_s)
        ratios.append(plan_s / eval_s)
    return statistics.median(plans), statistics.median(ratios)


def bench_one(ruleset: RuleSet, name: str, known: dict[str, Any], as_of: dt.date, repeat: int,
              ordering: str) -> dict[str, Any]:
    run = run_interview(ruleset, known, as_of, today=TODAY, ordering=ordering)
    full = evaluate(ruleset, parse_profile(known, TODAY), as_of)
    kind = str(known.get("kind", "enterprise"))
    fields, source = form_fields(ruleset, kind)
    per_step, ratio = step_times(ruleset, run, as_of, repeat, ordering) if repeat else (0.0, 0.0)
    start = start_page(kind, as_of)
    key = key_measure(run, kind)
    declined_left, nothing, dead = left_reasons(run)
    return {
        "sample": name, "kind": kind, "start": start, "asked": run.answers, "questions": run.questions_asked,
        "answers": start + run.answers, "declined": len({p for s in run.steps for p in s.asked}
                                                                - {p for s in run.steps for p in s.answered}),
        "pages": len(run.steps), "done": run.last.done, "key": key or "—",
        "key_after": answers_until(run, key, start), "hnte_after": answers_until(run, HNTE, start)
        if kind == "enterprise" else "—",
        "decided_interview": decided(run.last.decision.results), "decided_full_form": decided(full.results),
        "undetermined_left": len(run.last.undetermined), "left_declined": declined_left, "left_nothing": nothing,
        "left_no_field": dead,
        "form_fields": fields, "form_source": source,
        "plan_ms_median": round(per_step * 1000, 2), "plan_to_evaluate": round(ratio, 2),
    }


def table(rows: list[dict[str, Any]]) -> str:
    head = ("| applicant | kind | answers to finish (start + pages; 不知道) | pages | key measure decided after "
            "| 高企 decided after | decided: interview / full form | left 待定 (不知道 / draft or expert / no field) | full form "
            "| finish ÷ form | plan ms/step | ÷ evaluate |\n|---|---|---|---|---|---|---|---|---|---|---|---|")
    lines = [head]
    for r in rows:
        lines.append(f"| {r['sample']} | {r['kind']} | {r['answers']} ({r['start']} + {r['asked']}; {r['declined']}) "
                     f"| {r['pages']} | {r['key_after']} | {r['hnte_after']} | {r['decided_interview']} / "
                     f"{r['decided_full_form']} | {r['undetermined_left']} ({r['left_declined']} / {r['left_nothing']} / {r['left_no_field']}) "
                     f"| {r['form_fields']} | {r['answers'] / r['form_fields']:.0%} | {r['plan_ms_median']} "
                     f"| {r['plan_to_evaluate']} |")
    return "\n".join(lines)


def summary(rows: list[dict[str, Any]], personas: list[dict[str, Any]]) -> str:
    share = [r["answers"] / r["form_fields"] for r in personas]
    sme = personas[0]
    hnte = sme["hnte_after"].split(" ")[0]
    return (f"personas: median answers to finish {statistics.median(r['answers'] for r in personas)} against a "
            f"median full form of {statistics.median(r['form_fields'] for r in personas)} answers "
            f"(median share {statistics.median(share):.0%}); measures left 待定 for want of a field the pages "
            f"cannot ask: {sum(r['left_no_field'] for r in rows)} over all rows; the full form's count: "
            f"{rows[0]['form_source']}.\n"
            f"SME: hnte decided after {hnte} answers, finished after {sme['answers']}, full form {sme['form_fields']} fields")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timing repeats (0: no timing)")
    parser.add_argument("--ordering", choices=("value", "share"), default="value")
    parser.add_argument("--rules", type=Path, default=ROOT / "rules")
    args = parser.parse_args(argv)
    ruleset = load_ruleset(args.rules)
    load_before = os.getloadavg()[0]
    personas = [bench_one(ruleset, name, yaml.safe_load(path.read_text(encoding="utf-8")), PERSONA_AS_OF,
                          args.repeat, args.ordering) for name, path in PERSONAS]
    samples = [bench_one(ruleset, p.stem, yaml.safe_load(p.read_text(encoding="utf-8")), AS_OF, args.repeat,
                         args.ordering) for p in sorted(SAMPLES.glob("*.yaml"))]
    rows = personas + samples
    print(table(rows))
    machine = {"python": platform.python_version(), "cpus": os.cpu_count(),
               "load_before": round(load_before, 2), "load_after": round(os.getloadavg()[0], 2)}
    print(f"\nmachine: {machine}\n")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"ordering": args.ordering, "machine": machine, "rows": rows},
                                  ensure_ascii=False, indent=1), encoding="utf-8")
    print(summary(rows, personas))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
