"""The interview plan: only questions that can change an outcome, labelled, grouped, deterministic."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from engine.decision import Outcome
from engine.interview import plan_interview, set_answer, start_paths
from engine.interview.pages import MIN_PAGE, PAGE_SIZE, room
from engine.model import RuleSet

AS_OF = dt.date(2026, 6, 30)
START: dict[str, Any] = {
    "kind": "enterprise", "name": "清远市某新材料有限公司", "region_code": "441802", "registered_on": "2015-03-01",
    "industry_code": "C3985", "tech_field": "4.1.1", "staff": {"total": 120, "sci_tech": 18},
    "finance": [{"year": 2025, "sales": "4600万元"}],
}


def test_questions_come_from_undetermined_measures_only(ruleset: RuleSet) -> None:
    plan = plan_interview(ruleset, START, AS_OF)
    outcomes = {r.measure_id: r for r in plan.decision.results}
    assert plan.questions and not plan.done
    for question in plan.questions:
        assert question.used_for
        for measure_id in question.used_for:  # a list too: an unanswered list is unknown, so a measure decided
            assert outcomes[measure_id].outcome is Outcome.UNDETERMINED  # without it cannot change (Kleene)
    assert not plan.provisional
    assert set(plan.undetermined) == {m for m, r in outcomes.items() if r.outcome is Outcome.UNDETERMINED}


def test_labels_are_words_not_paths(ruleset: RuleSet) -> None:
    plan = plan_interview(ruleset, START, AS_OF)
    for question in plan.questions:
        assert question.label.zh and question.label.en
        assert question.path not in (question.label.zh, question.label.en)
        assert "_" not in question.label.zh and "[" not in question.label.zh


def test_pages_hold_every_question_once_and_keep_a_finance_line_together(ruleset: RuleSet) -> None:
    plan = plan_interview(ruleset, START, AS_OF)
    flat = [q.path for page in plan.pages for q in page]
    assert sorted(flat) == sorted(q.path for q in plan.questions)
    assert len(flat) == len(set(flat))
    for page in plan.pages:
        assert 1 <= room(page) <= PAGE_SIZE  # a grouped unit ("以上情形均没有") takes the room of one question
        groups = [q.group for q in page]  # sections stay together inside a page
        assert groups == sorted(groups, key=groups.index)
    for page in plan.pages[:-1]:  # a page is filled before the next one opens, unless no unit fits or what is
        assert room(page) >= MIN_PAGE  # left may be made moot by a knock-out on it
    page_of = {q.path: i for i, page in enumerate(plan.pages) for q in page}
    years = [p for p in page_of if p.startswith("finance[") and p.endswith(".rd_expense")]
    assert len(years) == 3 and len({page_of[p] for p in years}) == 1


def test_start_paths_of_an_enterprise() -> None:
    assert start_paths("enterprise", AS_OF) == (  # only what 高企认定 reads: no name, no region (issue 21)
        "kind", "registered_on", "tech_field", "staff.total", "staff.sci_tech", "finance[2025].sales")
    assert "person.name" in start_paths("talent", AS_OF)


def test_the_plan_is_deterministic(ruleset: RuleSet) -> None:
    first = plan_interview(ruleset, START, AS_OF)
    again = plan_interview(ruleset, dict(reversed(list(START.items()))), AS_OF)
    assert first.questions == again.questions and first.pages == again.pages
    assert first.decision.to_json() == again.decision.to_json()


def test_answers_are_written_without_touching_the_input() -> None:
    data = {"finance": [{"year": 2025, "sales": 1}]}
    out = set_answer(data, "finance[2023].rd_expense", "200万元")
    assert data == {"finance": [{"year": 2025, "sales": 1}]}
    assert out["finance"] == [{"year": 2023, "rd_expense": "200万元"}, {"year": 2025, "sales": 1}]


def test_lists_not_given_are_asked_once_and_an_empty_answer_settles_them(ruleset: RuleSet) -> None:
    plan = plan_interview(ruleset, START, AS_OF)
    lists = {q.path: q for q in plan.questions if q.kind == "records"}
    assert "certificates" in lists and "hnte" in lists["certificates"].choices
    assert "qingyuan.hnte_award_renewal" in lists["certificates"].used_for  # pays firms already recognised
    after = plan_interview(ruleset, {**START, "certificates": [], "loans": [], "projects": []}, AS_OF)
    assert not {q.path for q in after.questions} & set(lists)


def test_the_plan_is_the_same_under_any_hash_seed() -> None:
    """Set iteration order changes with PYTHONHASHSEED; the plan must not."""
    script = (
        "import datetime as dt, json, sys\n"
        "from engine import load_ruleset\n"
        "from engine.interview import plan_interview\n"
        "plan = plan_interview(load_ruleset('rules'), json.loads(sys.argv[1]), dt.date(2026, 6, 30))\n"
        "print(json.dumps([[q.path for q in page] for page in plan.pages]), plan.worth_undetermined)\n")
    root = Path(__file__).resolve().parents[3]
    outputs = set()
    for seed in ("1", "2", "3"):
        done = subprocess.run([sys.executable, "-c", script, json.dumps(START, ensure_ascii=False)], cwd=root,
                              env={**os.environ, "PYTHONHASHSEED": seed}, capture_output=True, text=True,
                              check=True, timeout=120)
        outputs.add(done.stdout)
    assert len(outputs) == 1 and "finance[" in outputs.pop()


def test_a_hint_comes_from_a_measure_the_question_serves_the_key_measure_first(ruleset: RuleSet) -> None:
    plan = plan_interview(ruleset, START, AS_OF)
    texts: dict[str, set[str]] = {}
    for result in plan.decision.results:
        if result.trace is not None:
            for leaf in result.trace.leaves():
                if leaf.text is not None:
                    texts.setdefault(result.measure_id, set()).add(leaf.text.zh)
    for question in plan.questions:
        if question.help is not None and question.kind != "records":
            assert any(question.help.zh in texts.get(m, set()) for m in question.used_for), question.path
    rd = next(q for q in plan.questions if q.path == "finance[2025].rd_expense")
    assert "national.hnte_recognition" in rd.used_for and rd.help is not None
    assert rd.help.zh in texts["national.hnte_recognition"]  # 高企's condition, not another measure's 100万


def test_a_question_a_knock_out_on_the_page_may_make_moot_waits_for_the_next_page() -> None:
    from engine.errors import Message
    from engine.interview import Question
    from engine.interview.pages import group_pages

    def q(path: str, used_for: tuple[str, ...], knocks_out: tuple[str, ...] = ()) -> Question:
        return Question(path, Message(path, path), None, "bool", "bool", "declarations", used_for, 0,
                        knocks_out=knocks_out)

    loans = q("loans", ("pool",), knocks_out=("pool",))
    others = [q("a", ("x",)), q("b", ("y",))]
    size = q("size_class", ("pool",))  # moot if the firm has no loan
    pages = group_pages([loans, *others, size, q("c", ("z",))])
    assert [x.path for x in pages[0]] == ["loans", "a", "b", "c"] and [x.path for x in pages[1]] == ["size_class"]
    assert [x.path for x in group_pages([loans, size])[0]] == ["loans", "size_class"]  # a short page keeps it
