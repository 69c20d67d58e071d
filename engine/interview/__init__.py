"""The interview: which questions can still change an outcome, best first, in small pages.

    plan = plan_interview(ruleset, answers, as_of, declined=frozenset({"innovation.ip_advancement"}))
    plan.pages[0]            # the next page to ask
    answers = set_answer(answers, "finance[2024].rd_expense", "230万元")

Pure engine code (no Flask, no database): the web self-check renders what it returns.
"""

from engine.interview.model import InterviewPlan, Question
from engine.interview.paths import get_answer, set_answer, set_answers
from engine.interview.plan import plan_interview
from engine.interview.start import start_paths

__all__ = ["InterviewPlan", "Question", "get_answer", "plan_interview", "set_answer", "set_answers", "start_paths"]
