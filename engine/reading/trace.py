"""The one trace view: a measure's trace tree in words — each condition, the values it read (derived facts
expanded into what they were computed from), the threshold in force with its document, article and date,
and the applicant's value against the requirement. Every page and export shows this view.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from engine.canonical import plain
from engine.errors import Message
from engine.model import Measure, RuleSet
from engine.names import SPECIAL_NAMES, all_profile_names
from engine.reading.labels import GROUPS, RESULTS
from engine.reading.words import cite, comparison_sentence, field_text, table_text, value_text

MAX_FACT_DEPTH = 4
_CALL = re.compile(r"^(\w+)\(([\w.]+)\)$")


@dataclass
class Read:
    label: str
    value: str
    facts: list[Read] = field(default_factory=list)  # how a derived fact was computed


@dataclass
class Threshold:
    label: str
    value: str
    source: str  # document, article and the date it is in force from


@dataclass
class TraceView:
    kind: str
    result: str  # true | false | unknown | conditional (for the mark)
    result_label: str
    text: str
    yours: str = ""  # the applicant's value, in words
    required: str = ""  # the requirement, in words
    reads: list[Read] = field(default_factory=list)
    thresholds: list[Threshold] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    children: list[TraceView] = field(default_factory=list)


def unit_of(name: str, ruleset: RuleSet) -> str:
    if name in ruleset.facts:
        return ruleset.facts[name].unit
    return all_profile_names().get(name) or SPECIAL_NAMES.get(name, "any")


def name_label(name: str, ruleset: RuleSet, lang: str) -> str:
    """What a name a condition read is called: a field's label, a fact's text, another measure's conclusion."""
    call = _CALL.match(name)
    if call and call.group(2) in ruleset.measures:
        title = ruleset.measures[call.group(2)].title.get(lang)
        return f"the result of “{title}”" if lang == "en" else f"“{title}”的结论"
    if name in ruleset.facts:
        return ruleset.facts[name].text.get(lang)
    return field_text(name, lang)


def _source_of(path: str, ruleset: RuleSet) -> dict[str, Any] | None:
    content = ruleset.snapshot.get(path)
    source = content.get("source") if isinstance(content, dict) else None
    return source if isinstance(source, dict) else None


def threshold(read: Any, measure: Measure | None, ruleset: RuleSet, lang: str) -> Threshold:
    """A parameter in force, named by its rule-file text, valued in words, cited by document/article/date."""
    owner = measure.path if measure is not None else ""
    label, unit, source = "", "any", measure.source if measure is not None else None
    for path in (owner, *(f.path for f in ruleset.facts.values())):
        raw = ruleset.snapshot.get(path, {}).get("parameters", {}).get(read.name) if path else None
        if isinstance(raw, dict):
            text = raw.get("text")
            label = text.get(lang, "") if isinstance(text, dict) else ""
            unit = str(raw.get("unit", "any"))
            source = _source_of(path, ruleset) or source
            break
    value = plain(read.value)
    shown = table_text(value, unit, lang) if unit == "table" and isinstance(value, list) else value_text(value, unit, lang)
    return Threshold(label or ("标准" if lang != "en" else "threshold"), shown,
                     cite(str(read.source or ""), source, str(read.effective_from or ""), lang))


def _reads(reads: dict[str, Any], facts: dict[str, Any], ruleset: RuleSet, lang: str, depth: int) -> list[Read]:
    out = []
    for name, value in reads.items():
        item = Read(name_label(name, ruleset, lang), value_text(value, unit_of(name, ruleset), lang))
        if name in facts and depth < MAX_FACT_DEPTH:
            item.facts = _reads(facts[name].reads, facts, ruleset, lang, depth + 1)
        out.append(item)
    return out


def node_text(node: Any, lang: str) -> str:
    if node.text is not None:
        return str(node.text.get(lang))
    return GROUPS.get(node.kind, Message("", "")).get(lang)


def trace_view(node: Any, decision: Any, ruleset: RuleSet, measure: Measure | None, lang: str) -> TraceView:
    """The trace tree of one measure in words; derived facts are expanded under the values they give."""
    facts = {f.id: f for f in decision.facts}
    yours, required = comparison_sentence(node.comparison, lang, tuple(node.reads))
    return TraceView(
        kind=node.kind, result=node.result, result_label=RESULTS.get(node.result, RESULTS["unknown"]).get(lang),
        text=node_text(node, lang), yours=yours, required=required,
        reads=_reads(node.reads, facts, ruleset, lang, 0),
        thresholds=[threshold(p, measure, ruleset, lang) for p in node.params],
        missing=[field_text(p, lang) for p in node.missing],
        children=[trace_view(c, decision, ruleset, measure, lang) for c in node.children],
    )
