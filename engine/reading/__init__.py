"""The one reading of a Decision: what it says to a person, built once in plain words, rendered by every surface.

    from engine.reading import read
    reading = read(decision, ruleset, "zh")          # or Decision.from_json(stored_json) for a stored one
    reading.key, reading.headline, reading.actions, reading.groups["eligible"][0].verdict

Pure (no Flask, no database). Labels live in engine.reading.labels only; words for values, requirements and
sources in engine.reading.words; one measure's card in engine.reading.card; the trace view in
engine.reading.trace; the 高企 innovation score by indicator in engine.reading.score.
"""

from engine.reading.card import Card, Failing, NextStep, Question, card, category
from engine.reading.labels import CATEGORIES, CATEGORY_LABELS, label
from engine.reading.reading import Action, Headline, Reading, Stack, read
from engine.reading.score import ScoreHelp
from engine.reading.trace import TraceView, trace_view

__all__ = ["CATEGORIES", "CATEGORY_LABELS", "Action", "Card", "Failing", "Headline", "NextStep", "Question", "Reading",
           "ScoreHelp", "Stack", "TraceView", "card", "category", "label", "read", "trace_view"]
