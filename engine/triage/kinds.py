"""The vocabulary of triage rules: what each `kind` matches, which options and dated parameters it takes,
which details its flags carry (the placeholders a message may use) and how those details read in zh/en.

Both engines (durable-rules through engine.triage.encode, and engine.triage.reference) implement
exactly these kinds; a rule file names one of them and supplies its options and parameters.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from engine.errors import Message
from engine.explain import field_label, fmt
from engine.gaps import conditions_of
from engine.lifecycle import LABELS
from engine.triage.facts import ApplicationFacts, FiscalYear
from engine.triage.model import TriageRule

FIELD_UNITS: dict[str, str] = {
    "staff.total": "count",
    "staff.sci_tech": "count",
    "finance.sales": "money",
    "finance.total_income": "money",
    "finance.hitech_income": "money",
    "finance.rd_expense": "money",
    "finance.total_assets": "money",
    "finance.net_assets": "money",
}
CONTACT_FIELDS = ("contact_phone", "contact_email")


@dataclass(frozen=True)
class KindSpec:
    options: dict[str, str]  # option name → what it holds: field | finance_field | contact | statuses
    parameters: dict[str, str]  # parameter name → unit
    details: tuple[str, ...]  # detail keys, i.e. the placeholders a message may use
    final: bool = False  # evaluated after every other rule (sees their flags)


KINDS: dict[str, KindSpec] = {
    "exclusive_measures": KindSpec({}, {}, ("measure", "other_measure", "other_application")),
    "duplicate_project": KindSpec({}, {}, ("project", "other_application")),
    "field_exceeds": KindSpec({"left": "field", "right": "field"}, {},
                              ("left", "right", "left_value", "right_value", "year")),
    "year_jump": KindSpec({"field": "finance_field"}, {"factor": "number"},
                          ("field", "year", "previous_year", "value", "previous_value", "factor")),
    "near_miss": KindSpec({}, {"within": "ratio"}, ("measure", "condition", "shortfall", "within")),
    "fast_track": KindSpec({}, {}, ("measures",), final=True),
    "same_code_other_name": KindSpec({}, {}, ("name", "other_name", "other_application")),
    "shared_contact": KindSpec({"field": "contact"}, {},
                               ("field", "value", "other_application", "other_credit_code")),
    "register_hit": KindSpec({}, {}, ("list", "reason", "declared")),
    "stale_status": KindSpec({"statuses": "statuses"}, {"working_days": "days"},
                             ("status", "since", "waited", "limit")),
}


def details_for(rule_kind: str, options: dict[str, Any]) -> tuple[str, ...]:
    """Detail keys a rule's flags carry (a staff comparison has no fiscal year)."""
    keys = KINDS[rule_kind].details
    if rule_kind == "field_exceeds" and str(options.get("left", "")).startswith("staff."):
        keys = tuple(k for k in keys if k != "year")
    return keys


def figure(app: ApplicationFacts, path: str, year: FiscalYear | None = None) -> Fraction | None:
    """The value of a figure path ('staff.total', 'finance.sales') for an application (and fiscal year)."""
    scope, name = path.split(".", 1)
    source: Any = app.figures.staff if scope == "staff" else year
    return getattr(source, name, None) if source is not None else None


def parameters_at(rule: TriageRule, today: dt.date) -> dict[str, Any]:
    return {name: rule.parameter(name, today) for name in rule.parameters}


_LISTS = {"dishonesty": Message("严重失信主体名单", "list of seriously dishonest entities"),
          "incident": Message("重大事故/违法行为名单", "list of major incidents and violations")}
_ANSWERS = {"no": Message("申报“否”", "declared 'no'"), "unanswered": Message("未作答", "did not answer")}
_CONTACTS = {"contact_phone": Message("联系电话", "contact phone"),
             "contact_email": Message("电子邮箱", "contact e-mail")}


def display(rule: TriageRule, details: dict[str, str], lang: str,
            names: Mapping[str, Message] | None = None) -> dict[str, str]:
    """Details as a reviewer reads them: labels for fields and states, money in 万元/¥, ratios in %; measures and
    their conditions by their titles when `names` gives them (measure id → title; "measure id#condition id" →
    the condition's text), never by their ids."""
    shown = {key: _show(rule, key, value, lang) for key, value in details.items()}
    for key, value in details.items():
        named = (names or {}).get(f"{details.get('measure')}#{value}" if key == "condition" else value) \
            if key in ("measure", "other_measure", "condition") else None
        if named is not None:
            shown[key] = named.get(lang)
    return shown


def _show(rule: TriageRule, key: str, value: str, lang: str) -> str:
    try:
        return _shown(rule, key, value, lang)
    except (ArithmeticError, ValueError):  # a figure too large for the formatter: show its exact digits
        return value


def _shown(rule: TriageRule, key: str, value: str, lang: str) -> str:
    if key in ("left", "right", "field") and value in FIELD_UNITS:
        return field_label(value).get(lang)
    if key in ("left_value", "right_value", "value", "previous_value") and rule.kind != "shared_contact":
        path = rule.options.get("field") or rule.options.get("left" if key != "right_value" else "right")
        return _amount(_number(value), FIELD_UNITS.get(str(path), "number"), lang)
    if key in ("shortfall", "within"):
        return fmt(_number(value), "ratio", lang)
    if key == "factor":
        return fmt(_number(value), "number", lang)
    table = {"status": LABELS, "list": _LISTS, "declared": _ANSWERS, "field": _CONTACTS}.get(key, {})
    return table[value].get(lang) if value in table else value


def _amount(value: int | Fraction, unit: str, lang: str) -> str:
    """Like engine.explain.fmt, but whole yuan stay exact in 万元 (80.0001万元 ≠ 80万元)."""
    if unit == "money" and isinstance(value, int) and lang == "zh":
        text = f"{Decimal(value).scaleb(-4):,f}"
        return (text.rstrip("0").rstrip(".") if "." in text else text) + "万元"
    return fmt(value, unit, lang)


def _number(text: str) -> int | Fraction:
    frac = Fraction(text)
    return frac.numerator if frac.denominator == 1 else frac


def render(rule: TriageRule, details: dict[str, str], names: Mapping[str, Message] | None = None) -> Message:
    """The rule's message with its placeholders filled in, in both languages (see `display` for `names`)."""
    return Message(rule.message.zh.format_map(display(rule, details, "zh", names)),
                   rule.message.en.format_map(display(rule, details, "en", names)))


def measure_names(ruleset: Any) -> dict[str, Message]:
    """`names` for `render`: every measure's title and every condition's text of an engine RuleSet."""
    names: dict[str, Message] = {}
    for measure_id, measure in ruleset.measures.items():
        names[measure_id] = measure.title
        for condition_id, condition in conditions_of(measure.criteria).items():
            names[f"{measure_id}#{condition_id}"] = condition.text
    return names
