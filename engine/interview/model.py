"""This file defines the values the interview returns: one Question and the InterviewPlan.

They are plain frozen dataclasses so the web layer can render them and tests can compare them; nothing
here knows how the questions were chosen (see engine/interview/choose.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from engine.decision import Decision
from engine.errors import Message


@dataclass(frozen=True)
class Question:
    """One profile field worth asking now, with why it is asked and what rides on it.

    Attributes:
        path: the profile path it fills, e.g. "finance[2024].rd_expense", "staff.total", "tech_field".
        label: the human label (never the raw path).
        help: the condition the answer feeds, e.g. the 高企 R&D-ratio test, when one is known.
        unit: the profile model's unit ("money" = whole yuan, shown in 万元; "count", "date", "bool", …).
        kind: the input: money | int | decimal | date | bool | choice | multi | code | text | record.
        group: the profile section: identity, staff, finance, ip, innovation, certificates, declarations, …
        used_for: the measures whose outcome this answer can still change (in RuleSet order).
        worth: yuan receivable as of right at stake in `used_for` (own area, exclusions respected).
        choices: the allowed stored values of a choice/multi field (labels are the web layer's).
        required: the profile record it belongs to cannot be stored without it.
        score: how much of the open work this answer covers (Σ 1/|missing| over `used_for`).
        knocks_out: the measures of `used_for` one answer to it can make ineligible (a knock-out).
        moot_after: per measure of `used_for`, the sets of fields whose answers alone may settle the branch
            that reads this one, each with whether it is a true alternative of an `any` (engine/interview/value.py
            `moot_after`): once such a set is on a page, this question waits for the next page, where it is
            asked only if still needed.
        batch: the record whose adverse yes/no fields are asked together ("declarations"), with one answer
            "以上情形均没有" that answers each of them "no" (engine/interview/batch.py); "" for a question asked alone.
        absent: the path whose answer "no" is another answer to this question: "rd_centre.exists" for the R&D
            centre's founding date, premises and equipment ("没有研发中心"); "" where there is none.
    """

    path: str
    label: Message
    help: Message | None
    unit: str
    kind: str
    group: str
    used_for: tuple[str, ...]
    worth: int
    choices: tuple[str, ...] = ()
    required: bool = False
    score: Fraction = Fraction(0)
    knocks_out: tuple[str, ...] = ()
    moot_after: tuple[tuple[str, tuple[tuple[frozenset[str], bool], ...]], ...] = ()
    batch: str = ""
    absent: str = ""


@dataclass(frozen=True)
class InterviewPlan:
    """What to ask next for the answers so far.

    Attributes:
        decision: the Decision for the answers so far.
        questions: every question that can still change an outcome, best first.
        pages: the same questions grouped into small pages of related fields, best page first.
        undetermined: measure ids still undetermined.
        worth_undetermined: yuan receivable as of right (engine.benefits) if every undetermined measure of the
            applicant's own area became eligible, exclusions respected (the best combination, never a sum of
            measures no firm can all get); see `worth_up_to`.
        done: nothing left to ask can change an outcome.
        worth_up_to: some of `worth_undetermined` is an "up to" (maximum) amount.
        unpublished: undetermined measures whose amount is not published (never counted as a figure).
        declined: the paths answered "不知道 / don't know" that still block a measure.
        provisional: decided measures that read a list not answered yet (certificates, loans, projects),
            decided as if it were empty ("假定未持有"); the list's question can still change them.
        next_settles: measures (RuleSet order) whose every open field is on the next page: answering it
            decides them (unless a field is answered "不知道").
        next_may_rule_out: other measures with a knock-out on the next page (one answer can make them ineligible).
        next_worth: yuan receivable as of right at stake in `next_settles` (same rule as worth_undetermined).
    """

    decision: Decision
    questions: tuple[Question, ...]
    pages: tuple[tuple[Question, ...], ...]
    undetermined: tuple[str, ...]
    worth_undetermined: int
    done: bool
    worth_up_to: bool = False
    unpublished: tuple[str, ...] = ()
    declined: tuple[str, ...] = ()
    provisional: tuple[str, ...] = ()
    next_settles: tuple[str, ...] = ()
    next_may_rule_out: tuple[str, ...] = ()
    next_worth: int = 0
